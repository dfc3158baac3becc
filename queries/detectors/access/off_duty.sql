WITH {{stage}},
rows AS MATERIALIZED (
{{duty_rows}}),
spans AS (  -- each officer's first and last day with a row, and whether they are on the duty system
            -- (a duty row at all)
    SELECT officer_id, min(CAST(start AS DATE)) AS first_d,
           max(CASE WHEN kind = 'duty' THEN CAST(start AS DATE) ELSE CAST("end" - INTERVAL 1 SECOND AS DATE) END) AS last_d,
           bool_or(kind = 'duty') AS on_duty_system
    FROM rows
    WHERE start IS NOT NULL AND (kind = 'duty' OR CAST("end" - INTERVAL 1 SECOND AS DATE) >= CAST(start AS DATE))
    GROUP BY officer_id),
hits AS (  -- days with no row count for officers on the duty system, those beyond the first or last
           -- row while it is still the first or last
    SELECT s.access_id, s.officer_id, s.ts, s.d, s.form, s.annual, s.sick,
           count(*) OVER (PARTITION BY s.officer_id, s.d) AS day_n
    FROM stage s LEFT JOIN spans p USING (officer_id)
    WHERE s.part = 'off'
      AND (s.form <> 'no_duty_row'
           OR (p.on_duty_system AND (s.edge IS NULL OR (s.edge = 'last' AND s.anchor = p.last_d)
                                     OR (s.edge = 'first' AND s.anchor = p.first_d))))),
off_days AS (
    SELECT officer_id, count(*) AS n, count(DISTINCT d) AS n_days,
           count(DISTINCT d) FILTER (WHERE form = 'rest_day_row') AS rest_days,
           count(DISTINCT d) FILTER (WHERE form = 'no_duty_row') AS no_row_days,
           count(DISTINCT d) FILTER (WHERE annual) AS leave_days,
           count(DISTINCT d) FILTER (WHERE sick) AS sick_days,
           list(DISTINCT form ORDER BY form) AS forms,
           min(ts) AS window_start, max(ts) AS window_end, list(access_id ORDER BY ts, access_id) AS access_ids
    FROM hits GROUP BY officer_id
    -- enough days off; or one day of leave or sickness with min_absence_lookups lookups (paid absence
    -- spent at the keyboard: a single stray lookup is not it)
    HAVING count(DISTINCT d) >= $min_days
        OR max(day_n) FILTER (WHERE annual OR sick) >= $min_absence_lookups),
late AS (SELECT access_id, officer_id, ts, d FROM stage WHERE part = 'late'),
late_days AS (  -- per duty day with such lookups: the days with such lookups in the after_hours_window_days to it
    SELECT officer_id, d,
           count(*) OVER (PARTITION BY officer_id ORDER BY d - DATE '1970-01-01'
                          RANGE BETWEEN CAST($after_hours_window_days AS INTEGER) - 1 PRECEDING AND CURRENT ROW) AS k
    FROM (SELECT DISTINCT officer_id, d FROM late)),
evenings AS (  -- officers with at least min_evenings such days within after_hours_window_days: all their such lookups
    SELECT l.officer_id, count(*) AS late_n, count(DISTINCT l.d) AS late_days, any_value(b.k) AS late_best,
           min(l.ts) AS window_start, max(l.ts) AS window_end, list(l.access_id ORDER BY l.ts, l.access_id) AS access_ids
    FROM late l JOIN (SELECT officer_id, max(k) AS k FROM late_days GROUP BY officer_id
                      HAVING max(k) >= $min_evenings) b USING (officer_id)
    GROUP BY l.officer_id)
SELECT officer_id, coalesce(o.n, 0) AS n, coalesce(o.n_days, 0) AS n_days,
       coalesce(o.rest_days, 0) AS rest_days, coalesce(o.no_row_days, 0) AS no_row_days,
       coalesce(o.leave_days, 0) AS leave_days, coalesce(o.sick_days, 0) AS sick_days,
       coalesce(e.late_n, 0) AS late_n, coalesce(e.late_days, 0) AS late_days, e.late_best,
       e.window_start AS late_start, e.window_end AS late_end,
       o.window_start AS off_start, o.window_end AS off_end,
       list_concat(coalesce(o.forms, CAST([] AS VARCHAR[])),
                   CASE WHEN e.officer_id IS NULL THEN CAST([] AS VARCHAR[]) ELSE ['after_hours'] END) AS forms,
       least(o.window_start, e.window_start) AS window_start, greatest(o.window_end, e.window_end) AS window_end,
       list_concat(coalesce(o.access_ids, CAST([] AS VARCHAR[])), coalesce(e.access_ids, CAST([] AS VARCHAR[]))) AS access_ids
FROM off_days o FULL OUTER JOIN evenings e USING (officer_id)
ORDER BY officer_id
