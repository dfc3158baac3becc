WITH 
ob AS (
    SELECT officer_id, unit_id, NULLIF(trim(regexp_replace(regexp_replace(strip_accents(lower(coalesce(surname, ''))), '[''`’]', '', 'g'), '[^a-z0-9]+', ' ', 'g')), '') AS sn, NULLIF(trim(regexp_replace(regexp_replace(strip_accents(lower(coalesce(forenames, ''))), '[''`’]', '', 'g'), '[^a-z0-9]+', ' ', 'g')), '') AS fn,
           NULLIF(trim(CAST(date_of_birth AS VARCHAR)), '') AS dob,
           NULLIF(upper(regexp_replace(coalesce(home_postcode, ''), '[^A-Za-z0-9]', '', 'g')), '') AS pc,
           NULLIF(lower(trim(email)), '') AS em,
           trim(coalesce(phone, '')) AS ph_raw, regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g') AS ph_d
    FROM g_officers),
idents AS (
    SELECT officer_id, sn, fn, split_part(fn, ' ', 1) AS fn1, dob, pc, em,
           CASE WHEN starts_with(ph_raw, '+44') THEN '0' || regexp_replace(substr(ph_d, 3), '^0', '')
                WHEN starts_with(ph_d, '0044') THEN '0' || regexp_replace(substr(ph_d, 5), '^0', '')
                ELSE ph_d END AS ph
    FROM ob),
contacts AS (  -- ways to reach a person: email, phone
    SELECT officer_id, 'email' AS kind, em AS k FROM idents WHERE em IS NOT NULL
    UNION ALL SELECT officer_id, 'phone', ph FROM idents WHERE length(ph) >= 7),
personal AS (  -- a switchboard number or a mailbox on many records reaches nobody in particular
    SELECT kind, k FROM contacts GROUP BY kind, k
    HAVING count(DISTINCT officer_id) BETWEEN 2 AND $max_accounts),
by_name AS (  -- the same cleaned surname, first forename and date of birth: one person (a second
              -- record often carries the first forename only: 'Jonathan Paul' and 'Jonathan')
    SELECT a.officer_id, b.officer_id AS other_id,
           CASE WHEN a.fn = b.fn THEN ['name and date of birth']
                ELSE ['first forename', 'surname', 'date of birth'] END AS details
    FROM idents a JOIN idents b
      ON a.sn = b.sn AND a.fn1 = b.fn1 AND a.dob = b.dob AND a.officer_id <> b.officer_id),
by_contact AS (  -- a personal email or phone shared, and the person's own details agree: the
                 -- first forename, and the surname, date of birth or home postcode (a team
                 -- mailbox or a couple's home phone joins different people)
    SELECT a.officer_id, b.officer_id AS other_id,
           list_distinct(list_concat(list(DISTINCT a.kind), ['first forename'],
               CASE WHEN ia.sn = ib.sn THEN ['surname'] ELSE [] END,
               CASE WHEN ia.dob = ib.dob THEN ['date of birth'] ELSE [] END,
               CASE WHEN ia.pc = ib.pc THEN ['home postcode'] ELSE [] END)) AS details
    FROM contacts a
    JOIN personal p ON p.kind = a.kind AND p.k = a.k
    JOIN contacts b ON b.kind = a.kind AND b.k = a.k AND b.officer_id <> a.officer_id
    JOIN idents ia ON ia.officer_id = a.officer_id
    JOIN idents ib ON ib.officer_id = b.officer_id
    WHERE ia.fn1 = ib.fn1 AND (ia.sn = ib.sn OR ia.dob = ib.dob OR ia.pc = ib.pc)
    GROUP BY a.officer_id, b.officer_id, ia.sn, ib.sn, ia.dob, ib.dob, ia.pc, ib.pc),
same AS (  -- pairs of officer rows that are one person, with the details that agree
    SELECT officer_id, other_id, list_sort(list_distinct(flatten(list(details)))) AS matched
    FROM (SELECT officer_id, other_id, details FROM by_name
          UNION ALL SELECT officer_id, other_id, details FROM by_contact)
    GROUP BY officer_id, other_id),
approved AS (  -- the approver as it stands: the officer, or another officer row of the same person
    SELECT s.officer_id, s.shift_id, s.start, s."end", s.pay_code,
           s.approved_by = s.officer_id AS own,
           CASE WHEN s.approved_by <> s.officer_id THEN s.approved_by END AS other_id,
           m.matched
    FROM shifts s LEFT JOIN same m ON m.officer_id = s.officer_id AND m.other_id = s.approved_by
    WHERE s.status <> 'cancelled' AND s.approved_by IS NOT NULL
      AND (s.approved_by = s.officer_id OR m.other_id IS NOT NULL)),
last_approval AS (  -- the latest approved_by edit of each shift in the audit trail
    SELECT shift_id,  -- the latest edit (same-time edits: the highest change id), one row for all three
           arg_max(change_id, struct_pack(changed_at, change_id)) AS change_id,
           arg_max(changed_by, struct_pack(changed_at, change_id)) AS changed_by,
           arg_max(new_value, struct_pack(changed_at, change_id)) AS new_value
    FROM roster_changes WHERE lower(trim(field)) = 'approved_by' GROUP BY shift_id),
edited AS (  -- the officer (under any of their accounts) set the approver of their own shift
    SELECT s.officer_id, s.shift_id, s.start, s."end", s.pay_code, l.change_id
    FROM last_approval l JOIN shifts s USING (shift_id)
    LEFT JOIN same m ON m.officer_id = s.officer_id AND m.other_id = l.changed_by
    WHERE s.status <> 'cancelled' AND NULLIF(trim(coalesce(l.new_value, '')), '') IS NOT NULL
      AND (l.changed_by = s.officer_id OR m.other_id IS NOT NULL)),
report AS (  -- paid extra approved by someone the officer line-manages: no independent approval
    SELECT s.officer_id, s.shift_id, s.start, s."end", s.pay_code, s.approved_by AS other_id
    FROM shifts s JOIN g_officers a ON a.officer_id = s.approved_by
    WHERE s.status <> 'cancelled' AND s.pay_code IN ({{paid_extra}}) AND s.approved_by <> s.officer_id
      AND a.line_manager_id = s.officer_id),
hits AS (
    SELECT officer_id, shift_id, start, "end", pay_code,
           CASE WHEN own THEN 'own_account' ELSE 'second_account' END AS form,
           other_id, matched, NULL AS change_id
    FROM approved
    UNION ALL
    SELECT officer_id, shift_id, start, "end", pay_code, 'approved_by_edit', NULL, NULL, change_id FROM edited
    UNION ALL
    SELECT officer_id, shift_id, start, "end", pay_code, 'approved_by_report', other_id, NULL, NULL FROM report),
per AS (
    SELECT officer_id, count(DISTINCT shift_id) AS n,
           count(DISTINCT shift_id) FILTER (WHERE pay_code IN ({{paid_extra}})) AS paid_extra,
           count(DISTINCT shift_id) FILTER (WHERE form = 'own_account') AS n_own,
           count(DISTINCT shift_id) FILTER (WHERE form = 'second_account') AS n_second,
           count(DISTINCT shift_id) FILTER (WHERE form = 'approved_by_edit') AS n_edit,
           count(DISTINCT shift_id) FILTER (WHERE form = 'approved_by_report') AS n_report,
           list(DISTINCT form ORDER BY form) AS forms,
           list(DISTINCT other_id ORDER BY other_id) FILTER (WHERE form = 'second_account') AS other_ids,
           list(DISTINCT other_id ORDER BY other_id) FILTER (WHERE form = 'approved_by_report') AS report_ids,
           flatten(list(matched) FILTER (WHERE matched IS NOT NULL)) AS matched,
           min(start) AS window_start, max("end") AS window_end,
           list(DISTINCT shift_id ORDER BY shift_id) AS shift_ids,
           list(DISTINCT change_id ORDER BY change_id) FILTER (WHERE change_id IS NOT NULL) AS change_ids
    FROM hits GROUP BY officer_id),
unit_counts AS (
    SELECT o.unit_id, o.officer_id, coalesce(p.n, 0) AS n
    FROM g_officers o LEFT JOIN per p USING (officer_id) WHERE o.unit_id IS NOT NULL),
unit_median AS (
    SELECT unit_id, median(n) AS unit_median FROM unit_counts GROUP BY unit_id)
SELECT p.*, coalesce(m.unit_median, 0) AS unit_median, o.unit_id
FROM per p LEFT JOIN g_officers o USING (officer_id) LEFT JOIN unit_median m USING (unit_id)
WHERE p.n >= $min_count
ORDER BY p.officer_id
