WITH links AS (  -- officer-person pairs that share an identifier, or that the officer declared an
                 -- association of (few): joined before anything else
    SELECT officer_id, person_id, list(DISTINCT kind ORDER BY kind) AS kinds
    FROM (SELECT officer_id, person_id, kind FROM g_linked WHERE list_contains($link_kinds, kind)
            AND (holders IS NULL OR CAST(holders AS INTEGER) <= $max_holders)
          UNION ALL
          SELECT officer_id, person_id, 'declared' AS kind FROM g_declared
          WHERE list_contains($link_kinds, 'declared')) x
    GROUP BY ALL),
hits AS (
    SELECT s.access_id, s.officer_id, s.ts, r.person_id, k.kinds,
           EXISTS (SELECT 1 FROM g_case_assignments ca
                   WHERE ca.officer_id = s.officer_id AND ca.case_ref = coalesce(s.case_ref, r.case_ref)
                     AND CAST(s.ts AS DATE) >= ca.start_date - CAST($grace_days AS INTEGER)
                     AND (ca.end_date IS NULL OR CAST(s.ts AS DATE) <= ca.end_date + CAST($grace_days AS INTEGER))
           ) AS own_case
    FROM system_access s JOIN g_records r USING (record_id)
    JOIN links k ON k.officer_id = s.officer_id AND k.person_id = r.person_id),
people AS (
    SELECT officer_id, person_id, any_value(kinds) AS kinds, count(*) AS n
    FROM hits GROUP BY officer_id, person_id),
per_officer AS (
    SELECT officer_id, list(struct_pack(person_id, kinds, n) ORDER BY person_id) AS people
    FROM people GROUP BY officer_id)
SELECT h.officer_id, count(*) AS n, count(DISTINCT h.person_id) AS persons,
       list(DISTINCT h.person_id ORDER BY h.person_id) AS person_ids,
       list_distinct(flatten(list(h.kinds))) AS kinds, any_value(p.people) AS people,
       count(*) FILTER (WHERE h.own_case) AS in_own_case,
       min(h.ts) AS window_start, max(h.ts) AS window_end, list(h.access_id ORDER BY h.ts) AS access_ids
FROM hits h JOIN per_officer p USING (officer_id)
GROUP BY h.officer_id
HAVING count(*) >= $min_lookups
ORDER BY h.officer_id
