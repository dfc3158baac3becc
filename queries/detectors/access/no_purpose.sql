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
background ("system", n, blank) AS (VALUES {background}),
own AS (  -- the officer's own enquiries per system over the period, and in the window_days to the window's end
    SELECT officer_id, "system", count(*) AS n, count(*) FILTER (WHERE blank) AS blank,
           count(*) FILTER (WHERE in_window) AS n_window
    FROM (SELECT f.officer_id, arg_min(s."system", struct_pack(t := s.ts, s := s."system")) AS "system",
                 s.record_id, CAST(s.ts AS DATE),
                 bool_or(s.purpose_code IS NULL OR s.purpose_code IN ({blank})) AS blank,
                 bool_or(s.ts BETWEEN f.window_end - to_days(CAST($window_days AS INTEGER)) AND f.window_end)
                     AS in_window
          FROM found f JOIN system_access s ON s.officer_id = f.officer_id AND s."system" IN ({systems})
          GROUP BY ALL)
    GROUP BY ALL),
usual AS (  -- what the background of everyone else predicts for the officer's enquiries in those days
    SELECT o.officer_id, sum(o.n_window) AS all_n,
           sum(o.n_window * (b.blank - o.blank) / greatest(b.n - o.n, 1)) AS expected
    FROM own o JOIN background b USING ("system")
    GROUP BY o.officer_id)
SELECT f.*, u.all_n, u.expected, f.n / greatest(u.expected, 1e-9) AS ratio
FROM found f JOIN usual u USING (officer_id)
WHERE f.n >= $min_ratio * u.expected
ORDER BY f.officer_id
