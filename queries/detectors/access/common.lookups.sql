lookups AS (
    SELECT s.access_id, s.officer_id, s.ts, s.record_id, s.purpose_code, s."system",
           coalesce(s.case_ref, r.case_ref) AS case_ref, s.case_ref AS quoted_case, r.person_id, r.sensitivity,
           r.offence_category, r.record_type,
           EXISTS (SELECT 1 FROM g_case_assignments ca
                   WHERE ca.officer_id = s.officer_id AND ca.case_ref = coalesce(s.case_ref, r.case_ref)
                     AND CAST(s.ts AS DATE) >= ca.start_date - CAST($grace_days AS INTEGER)
                     AND (ca.end_date IS NULL OR CAST(s.ts AS DATE) <= ca.end_date + CAST($grace_days AS INTEGER))
           ) AS own_case
    FROM system_access s LEFT JOIN g_records r USING (record_id)
    {{where}})
