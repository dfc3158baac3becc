WITH rows AS MATERIALIZED (
    SELECT officer_id, start, duty_type, kind,
           -- a duty's hours run to its end, or further when more hours are claimed for it (a recorded extension)
           CASE WHEN kind = 'duty' AND hours_claimed > 0
                THEN greatest("end", start + to_microseconds(CAST(hours_claimed * 3600000000 AS BIGINT)))
                ELSE "end" END AS "end"
    FROM (SELECT *, CASE WHEN pay_code = 'on_call' THEN 'on_call'
                         WHEN duty_type IN ('annual_leave', 'sick') THEN 'leave'
                         WHEN duty_type = 'rest_day' THEN 'rest'
                         ELSE 'duty' END AS kind
          FROM shifts WHERE status <> 'cancelled')),
cover AS (  -- duty and on-call periods, widened by the grace, by the local days they touch
    SELECT officer_id, start - to_minutes(CAST($grace_minutes AS BIGINT)) AS lo,
           "end" + to_minutes(CAST($grace_minutes AS BIGINT)) AS hi,
           unnest(generate_series(CAST(start - to_minutes(CAST($grace_minutes AS BIGINT)) AS DATE),
                                  CAST("end" + to_minutes(CAST($grace_minutes AS BIGINT)) AS DATE),
                                  INTERVAL 1 DAY))::DATE AS d
    FROM rows WHERE kind IN ('duty', 'on_call')),
marks AS MATERIALIZED (  -- per officer and local day: leave or sickness, a rest day, a duty starting that day
    SELECT officer_id, d, bool_or(kind = 'leave') AS leave, bool_or(kind = 'rest') AS rest,
           bool_or(kind = 'duty') AS duty, bool_or(kind = 'leave' AND duty_type = 'annual_leave') AS annual,
           bool_or(kind = 'leave' AND duty_type = 'sick') AS sick
    FROM (SELECT officer_id, kind, duty_type,
                 unnest(generate_series(CAST(start AS DATE),
                                        CASE WHEN kind = 'duty' THEN CAST(start AS DATE)
                                             ELSE CAST("end" - INTERVAL 1 SECOND AS DATE) END,
                                        INTERVAL 1 DAY))::DATE AS d
          FROM rows)
    GROUP BY ALL),
near AS (  -- officers on the duty system: each day with a row, and the days with a row either side
    SELECT officer_id, d, duty OR rest OR leave AS has_row,
           lag(d) OVER (PARTITION BY officer_id ORDER BY d) AS prev_d,
           lead(d) OVER (PARTITION BY officer_id ORDER BY d) AS next_d
    FROM marks QUALIFY bool_or(duty) OVER (PARTITION BY officer_id)),
gaps AS (  -- days with no row (or only an on-call row) in a stretch of at most max_gap_days
           -- days without rows, or within max_gap_days of the first or last row
    SELECT officer_id, d FROM near WHERE NOT has_row
    UNION ALL
    SELECT officer_id, unnest(generate_series(d + 1, next_d - 1, INTERVAL 1 DAY))::DATE AS d
    FROM near WHERE date_diff('day', d, next_d) BETWEEN 2 AND $max_gap_days + 1
    UNION ALL
    SELECT officer_id, unnest(generate_series(d + 1, d + CAST($max_gap_days AS INTEGER), INTERVAL 1 DAY))::DATE AS d
    FROM near WHERE next_d IS NULL
    UNION ALL
    SELECT officer_id, unnest(generate_series(d - CAST($max_gap_days AS INTEGER), d - 1, INTERVAL 1 DAY))::DATE AS d
    FROM near WHERE prev_d IS NULL),
off AS (  -- the days an officer is off: leave or sick, a rest day, or no row at all between duties
    SELECT officer_id, d, CASE WHEN leave THEN 'leave_or_sick' ELSE 'rest_day_row' END AS form, annual, sick
    FROM marks WHERE leave OR rest
    UNION ALL
    SELECT officer_id, d, 'no_duty_row' AS form, false AS annual, false AS sick FROM gaps),
hits AS (  -- lookups on those days outside every duty and on-call period
    SELECT h.* FROM (
        SELECT s.access_id, s.officer_id, s.ts, o.d, o.form, o.annual, o.sick
        FROM system_access s JOIN off o ON o.officer_id = s.officer_id AND o.d = CAST(s.ts AS DATE)) h
    ANTI JOIN cover c ON c.officer_id = h.officer_id AND c.d = h.d AND h.ts BETWEEN c.lo AND c.hi),
off_days AS (
    SELECT officer_id, count(*) AS n, count(DISTINCT d) AS n_days,
           count(DISTINCT d) FILTER (WHERE form = 'rest_day_row') AS rest_days,
           count(DISTINCT d) FILTER (WHERE form = 'no_duty_row') AS no_row_days,
           count(DISTINCT d) FILTER (WHERE annual) AS leave_days,
           count(DISTINCT d) FILTER (WHERE sick) AS sick_days,
           list(DISTINCT form ORDER BY form) AS forms,
           min(ts) AS window_start, max(ts) AS window_end, list(access_id ORDER BY ts) AS access_ids
    FROM hits GROUP BY officer_id
    HAVING count(DISTINCT d) >= $min_days),
wide AS (  -- duty and on-call periods, widened by the after-hours grace, by the local days they touch
    SELECT officer_id, start - to_minutes(CAST($after_hours_grace_minutes AS BIGINT)) AS lo,
           "end" + to_minutes(CAST($after_hours_grace_minutes AS BIGINT)) AS hi,
           unnest(generate_series(CAST(start - to_minutes(CAST($after_hours_grace_minutes AS BIGINT)) AS DATE),
                                  CAST("end" + to_minutes(CAST($after_hours_grace_minutes AS BIGINT)) AS DATE),
                                  INTERVAL 1 DAY))::DATE AS d
    FROM rows WHERE kind IN ('duty', 'on_call')),
late AS (  -- lookups on duty days (a duty starts that day; no rest, leave or sickness) hours outside
           -- every duty and on-call period
    SELECT h.* FROM (
        SELECT s.access_id, s.officer_id, s.ts, m.d
        FROM system_access s
        JOIN (SELECT officer_id, d FROM marks WHERE duty AND NOT leave AND NOT rest) m
          ON m.officer_id = s.officer_id AND m.d = CAST(s.ts AS DATE)) h
    ANTI JOIN wide c ON c.officer_id = h.officer_id AND c.d = h.d AND h.ts BETWEEN c.lo AND c.hi),
late_days AS (  -- per duty day with such lookups: the days with such lookups in the after_hours_window_days to it
    SELECT officer_id, d,
           count(*) OVER (PARTITION BY officer_id ORDER BY d - DATE '1970-01-01'
                          RANGE BETWEEN CAST($after_hours_window_days AS INTEGER) - 1 PRECEDING AND CURRENT ROW) AS k
    FROM (SELECT DISTINCT officer_id, d FROM late)),
evenings AS (  -- officers with at least min_evenings such days within after_hours_window_days: all their such lookups
    SELECT l.officer_id, count(*) AS late_n, count(DISTINCT l.d) AS late_days, any_value(b.k) AS late_best,
           min(l.ts) AS window_start, max(l.ts) AS window_end, list(l.access_id ORDER BY l.ts) AS access_ids
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
