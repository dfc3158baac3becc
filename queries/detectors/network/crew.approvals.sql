-- claims (pay codes in $claim_codes) approved by another officer, per claimant and approver:
-- those the approver gave outside the claimant's line of management (not the line manager,
-- nor that manager's line manager), and, of the approvals inside it, those whose claimant
-- approves someone's claims outside that someone's line (the way a ring closes back up)
WITH claims AS (
    SELECT s.officer_id AS claimant, s.approved_by AS approver, s.shift_id, s.start,
           coalesce(s.approved_by = o.line_manager_id OR s.approved_by = m.line_manager_id, false) AS in_chain
    FROM shifts s
    LEFT JOIN g_officers o ON o.officer_id = s.officer_id
    LEFT JOIN g_officers m ON m.officer_id = o.line_manager_id
    WHERE s.status <> 'cancelled' AND s.approved_by IS NOT NULL AND s.approved_by <> s.officer_id
      AND list_contains($claim_codes, s.pay_code)),
outside_approvers AS (SELECT DISTINCT approver FROM claims WHERE NOT in_chain)
SELECT c.claimant, c.approver, c.in_chain, count(*) AS n,
       list(c.shift_id ORDER BY c.shift_id) AS shifts,
       list(DISTINCT CAST(c.start AS DATE) ORDER BY CAST(c.start AS DATE)) AS days,
       min(c.start) AS first_ts, max(c.start) AS last_ts
FROM claims c
WHERE NOT c.in_chain OR c.claimant IN (SELECT approver FROM outside_approvers)
GROUP BY c.claimant, c.approver, c.in_chain
