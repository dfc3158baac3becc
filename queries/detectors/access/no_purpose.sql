WITH 
{{lookups}},
hits AS (
    SELECT *, CASE WHEN purpose_code IS NULL OR trim(purpose_code) = '' THEN 'missing_code'
                   ELSE 'placeholder_code' END AS form
    FROM lookups WHERE NOT own_case),
enquiries AS (  -- a record looked up on a day: one enquiry, however many screens and systems
    SELECT officer_id, record_id, CAST(ts AS DATE) AS d, min(ts) AS ts,
           any_value(case_ref) AS case_ref, count(*) AS lookups,
           count(*) FILTER (WHERE form = 'missing_code') AS missing,
           count(*) FILTER (WHERE form = 'placeholder_code') AS placeholder,
           list(trim(purpose_code)) FILTER (WHERE form = 'placeholder_code') AS codes,
           list(DISTINCT form) AS forms, list(access_id) AS ids
    FROM hits GROUP BY officer_id, record_id, CAST(ts AS DATE)),
{{densest}},
found AS (
    SELECT officer_id, any_value(n_window) AS n, any_value(window_start) AS window_start,
           any_value(window_end) AS window_end, count(DISTINCT record_id) AS records,
           sum(lookups) AS lookups, count(*) FILTER (WHERE case_ref IS NULL) AS no_case,
           sum(missing) AS missing, sum(placeholder) AS placeholder,
           list_sort(list_distinct(flatten(list(codes)))) AS codes,
           list_sort(list_distinct(flatten(list(forms)))) AS forms,
           list_sort(flatten(list(ids))) AS access_ids
    FROM win GROUP BY officer_id
    HAVING any_value(n_window) >= $min_lookups),
everyone AS MATERIALIZED (  -- every officer's enquiries outside their own cases on the systems that ask for a
                            -- purpose: on the system of the first lookup, without a purpose when any lookup is
    SELECT officer_id, d, {first_system} AS "system", bool_or(blank) AS blank
    FROM (SELECT s.officer_id, s.record_id, CAST(s.ts AS DATE) AS d, s.ts, s."system",
                 s.purpose_code IS NULL OR s.purpose_code IN ({blank}) AS blank,
                 coalesce(s.case_ref, r.case_ref) AS case_ref
          FROM system_access s LEFT JOIN g_records r USING (record_id)
          WHERE s."system" IN ({systems})) e
    WHERE NOT EXISTS (SELECT 1 FROM g_case_assignments ca
                      WHERE ca.officer_id = e.officer_id AND ca.case_ref = e.case_ref
                        AND e.d >= ca.start_date - CAST($grace_days AS INTEGER)
                        AND (ca.end_date IS NULL OR e.d <= ca.end_date + CAST($grace_days AS INTEGER)))
    GROUP BY officer_id, record_id, d),
per_officer AS (SELECT officer_id, "system", count(*) AS n, count(*) FILTER (WHERE blank) AS blank FROM everyone GROUP BY ALL),
background AS (SELECT "system", sum(n) AS n, sum(blank) AS blank FROM per_officer GROUP BY "system"),
usual AS (  -- what everyone else's share without a purpose predicts for the officer's enquiries (outside their
            -- own cases) in the window_days to the window's end, system by system
    SELECT f.officer_id, count(*) AS all_n, count(*) FILTER (WHERE e.blank) AS all_blank,
           sum((b.blank - coalesce(o.blank, 0)) / greatest(b.n - coalesce(o.n, 0), 1)) AS expected
    FROM found f JOIN everyone e ON e.officer_id = f.officer_id
     AND e.d BETWEEN CAST(f.window_end AS DATE) - CAST($window_days AS INTEGER) AND CAST(f.window_end AS DATE)
    JOIN background b USING ("system") LEFT JOIN per_officer o ON o.officer_id = f.officer_id AND o."system" = e."system"
    GROUP BY f.officer_id),
shares AS (  -- each officer's share of enquiries without a purpose over the period (with enough enquiries)
    SELECT p.officer_id, any_value(g.unit_id) AS unit_id, sum(p.blank) / sum(p.n) AS share
    FROM per_officer p LEFT JOIN g_officers g USING (officer_id)
    GROUP BY p.officer_id HAVING sum(p.n) >= $min_lookups),
spread AS (  -- the share of the officers who leave the purpose out most often: among the officer's unit
             -- colleagues when at least min_peers of them have enough enquiries, else across the force
    SELECT f.officer_id,
           count(s.officer_id) FILTER (WHERE s.unit_id = me.unit_id) AS unit_peers,
           quantile_cont(s.share, $tail_quantile) FILTER (WHERE s.unit_id = me.unit_id) AS unit_tail,
           quantile_cont(s.share, $tail_quantile) AS force_tail
    FROM found f LEFT JOIN g_officers me USING (officer_id)
    LEFT JOIN shares s ON s.officer_id <> f.officer_id
    GROUP BY f.officer_id),
own AS (  -- the officer's own enquiries outside their own cases over the whole period
    SELECT officer_id, sum(n) AS n, sum(blank) AS blank FROM per_officer GROUP BY officer_id),
judged AS (
    SELECT f.*, u.all_n, u.expected, f.n / greatest(u.expected, 1e-9) AS ratio, f.n / u.all_n AS share,
           CASE WHEN s.unit_peers >= $min_peers THEN 'unit' ELSE 'force' END AS tail_of,
           coalesce(CASE WHEN s.unit_peers >= $min_peers THEN s.unit_tail ELSE s.force_tail END, 0) AS tail,
           o.blank / greatest(o.n, 1) AS period_share,
           -- their usual share outside the window (a burst stands out from it)
           (o.blank - u.all_blank) / greatest(o.n - u.all_n, 1) AS usual_share
    FROM found f JOIN usual u USING (officer_id) JOIN spread s USING (officer_id) JOIN own o USING (officer_id))
SELECT * FROM judged
WHERE n >= $min_ratio * expected AND share >= $min_tail_ratio * tail
  -- a clear excess in numbers too: beyond what the background or the top of the spread would hold
  AND n - greatest(expected, all_n * tail) >= $min_excess
  -- and either a burst well beyond the officer's own usual share, or a whole period beyond the top of the
  -- spread: a window picked as the densest of a steady 6% (a team that often leaves the code out) is neither
  AND (share >= $min_tail_ratio * usual_share OR period_share >= $min_tail_ratio * tail)
ORDER BY officer_id
