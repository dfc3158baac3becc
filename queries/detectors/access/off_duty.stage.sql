duty_rows AS MATERIALIZED (
{{duty_rows}}),
cover AS (  -- duty and on-call periods, widened by the grace, by the local days they touch
    SELECT officer_id, start - to_minutes(CAST($grace_minutes AS BIGINT)) AS lo,
           "end" + to_minutes(CAST($grace_minutes AS BIGINT)) AS hi,
           unnest(generate_series(CAST(start - to_minutes(CAST($grace_minutes AS BIGINT)) AS DATE),
                                  CAST("end" + to_minutes(CAST($grace_minutes AS BIGINT)) AS DATE),
                                  INTERVAL 1 DAY))::DATE AS d
    FROM duty_rows WHERE kind IN ('duty', 'on_call')),
marks AS MATERIALIZED (  -- per officer and local day: leave or sickness, a rest day, a duty starting that day
    SELECT officer_id, d, bool_or(kind = 'leave') AS leave, bool_or(kind = 'rest') AS rest,
           bool_or(kind = 'duty') AS duty, bool_or(kind = 'leave' AND duty_type = 'annual_leave') AS annual,
           bool_or(kind = 'leave' AND duty_type = 'sick') AS sick
    FROM (SELECT officer_id, kind, duty_type,
                 unnest(generate_series(CAST(start AS DATE),
                                        CASE WHEN kind = 'duty' THEN CAST(start AS DATE)
                                             ELSE CAST("end" - INTERVAL 1 SECOND AS DATE) END,
                                        INTERVAL 1 DAY))::DATE AS d
          FROM duty_rows)
    GROUP BY ALL),
near AS (  -- each officer's days with a row, and the days with a row either side (whether the officer
           -- is on the duty system at all is judged in the detector's query, over all their rows)
    SELECT officer_id, d, duty OR rest OR leave AS has_row,
           lag(d) OVER (PARTITION BY officer_id ORDER BY d) AS prev_d,
           lead(d) OVER (PARTITION BY officer_id ORDER BY d) AS next_d
    FROM marks),
gaps AS (  -- days with no row (or only an on-call row) in a stretch of at most max_gap_days
           -- days without rows, or within max_gap_days of the first or last row (these name that
           -- row's day, their anchor: the detector's query keeps them while it is the first or last)
    SELECT officer_id, d, CAST(NULL AS VARCHAR) AS edge, CAST(NULL AS DATE) AS anchor FROM near WHERE NOT has_row
    UNION ALL
    SELECT officer_id, unnest(generate_series(near.d + 1, next_d - 1, INTERVAL 1 DAY))::DATE AS d, NULL, NULL
    FROM near WHERE date_diff('day', near.d, next_d) BETWEEN 2 AND $max_gap_days + 1
    UNION ALL
    SELECT officer_id,
           unnest(generate_series(near.d + 1, near.d + CAST($max_gap_days AS INTEGER), INTERVAL 1 DAY))::DATE AS d,
           'last', near.d
    FROM near WHERE next_d IS NULL
    UNION ALL
    SELECT officer_id,
           unnest(generate_series(near.d - CAST($max_gap_days AS INTEGER), near.d - 1, INTERVAL 1 DAY))::DATE AS d,
           'first', near.d
    FROM near WHERE prev_d IS NULL),
off AS (  -- the days an officer is off: leave or sick, a rest day, or no row at all between duties
    SELECT officer_id, d, CASE WHEN leave THEN 'leave_or_sick' ELSE 'rest_day_row' END AS form, annual, sick,
           CAST(NULL AS VARCHAR) AS edge, CAST(NULL AS DATE) AS anchor
    FROM marks WHERE leave OR rest
    UNION ALL
    SELECT officer_id, d, 'no_duty_row' AS form, false AS annual, false AS sick, edge, anchor FROM gaps),
off_hits AS (  -- lookups on those days outside every duty and on-call period
    SELECT h.* FROM (
        SELECT s.access_id, s.officer_id, s.ts, o.d, o.form, o.annual, o.sick, o.edge, o.anchor
        FROM system_access s JOIN off o ON o.officer_id = s.officer_id AND o.d = CAST(s.ts AS DATE)) h
    ANTI JOIN cover c ON c.officer_id = h.officer_id AND c.d = h.d AND h.ts BETWEEN c.lo AND c.hi),
wide AS (  -- duty and on-call periods, widened by the after-hours grace, by the local days they touch
    SELECT officer_id, start - to_minutes(CAST($after_hours_grace_minutes AS BIGINT)) AS lo,
           "end" + to_minutes(CAST($after_hours_grace_minutes AS BIGINT)) AS hi,
           unnest(generate_series(CAST(start - to_minutes(CAST($after_hours_grace_minutes AS BIGINT)) AS DATE),
                                  CAST("end" + to_minutes(CAST($after_hours_grace_minutes AS BIGINT)) AS DATE),
                                  INTERVAL 1 DAY))::DATE AS d
    FROM duty_rows WHERE kind IN ('duty', 'on_call')),
late_hits AS (  -- lookups on duty days (a duty starts that day; no rest, leave or sickness) hours outside
           -- every duty and on-call period
    SELECT h.* FROM (
        SELECT s.access_id, s.officer_id, s.ts, m.d
        FROM system_access s
        JOIN (SELECT officer_id, d FROM marks WHERE duty AND NOT leave AND NOT rest) m
          ON m.officer_id = s.officer_id AND m.d = CAST(s.ts AS DATE)) h
    ANTI JOIN wide c ON c.officer_id = h.officer_id AND c.d = h.d AND h.ts BETWEEN c.lo AND c.hi),
stage AS (  -- the stage's rows: the detector's query reads them as the CTE stage
    SELECT 'off' AS part, access_id, officer_id, ts, d, form, annual, sick, edge, anchor FROM off_hits
    UNION ALL
    SELECT 'late', access_id, officer_id, ts, d, NULL, NULL, NULL, NULL, NULL FROM late_hits)
