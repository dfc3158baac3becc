WITH outside AS (  -- each officer's first look at each sensitive record of a case not theirs
    SELECT s.officer_id, s.record_id, min(s.ts) AS first_ts
    FROM system_access s JOIN g_records r USING (record_id)
    WHERE list_contains($sensitivities, r.sensitivity)
      AND NOT EXISTS (SELECT 1 FROM g_case_assignments ca
                      WHERE ca.officer_id = s.officer_id AND ca.case_ref = coalesce(s.case_ref, r.case_ref))
    GROUP BY s.officer_id, s.record_id),
weeks AS (SELECT greatest(1, date_diff('day', min(ts), max(ts)) + 1) / 7.0 AS w FROM system_access),
{{job}},
who AS (
    SELECT j.officer_id, j.unit_id, j.role, coalesce(n.n, 0) AS n
    FROM job j LEFT JOIN (SELECT officer_id, count(*) AS n FROM outside GROUP BY officer_id) n USING (officer_id)
    WHERE j.unit_id IS NOT NULL),
unit_role AS (SELECT unit_id, role, median(n) AS med, count(*) AS k FROM who WHERE role IS NOT NULL GROUP BY ALL),
unit AS (SELECT unit_id, median(n) AS med, count(*) AS k FROM who GROUP BY ALL),
peers AS (  -- the median peer's count: same unit and role, and the whole unit (at least min_peers each)
    SELECT w.officer_id, greatest(CASE WHEN ur.k >= $min_peers THEN ur.med END,
                                  CASE WHEN u.k >= $min_peers THEN u.med END) AS med
    FROM who w LEFT JOIN unit_role ur ON ur.unit_id = w.unit_id AND ur.role = w.role
    JOIN unit u ON u.unit_id = w.unit_id),
routine AS (  -- officers whose unit, or whose role in it, opens such records across cases as its work
              -- (many, every week), or whose kind of work is reading victims across cases (public
              -- protection: their role or their unit's name says so): their looks tie no one
    SELECT officer_id FROM peers
    WHERE med >= $routine_records AND med >= $routine_per_week * (SELECT w FROM weeks)
    UNION SELECT officer_id FROM job WHERE list_contains($routine_work, family)),
lookups AS (SELECT * FROM outside WHERE officer_id NOT IN (SELECT officer_id FROM routine)),
small AS (SELECT record_id FROM lookups GROUP BY record_id HAVING count(*) BETWEEN 2 AND $max_viewers)
SELECT x.officer_id AS a, y.officer_id AS b, count(*) AS n, list(x.record_id ORDER BY x.record_id) AS records,
       min(least(x.first_ts, y.first_ts)) AS first_ts, max(greatest(x.first_ts, y.first_ts)) AS last_ts
FROM lookups x JOIN lookups y ON x.record_id = y.record_id AND x.officer_id < y.officer_id
WHERE x.record_id IN (SELECT record_id FROM small)
  AND abs(date_diff('second', x.first_ts, y.first_ts)) <= $coview_days * 86400
GROUP BY x.officer_id, y.officer_id
