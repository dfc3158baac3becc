WITH period AS (  -- the days the badge system recorded (first to last swipe of anyone)
    SELECT min(CAST(ts AS DATE)) AS p0, max(CAST(ts AS DATE)) AS p1 FROM badge_events),
readers AS (SELECT DISTINCT site_id FROM badge_events),  -- a site where nobody ever swipes has none
pol AS (
    SELECT officer_id, work_pattern, unit_id, start_date, end_date FROM g_officers
    WHERE list_contains($work_patterns, work_pattern)),
on_duty_system AS (SELECT DISTINCT officer_id FROM shifts WHERE duty_type NOT IN {{absence}}),
away AS (  -- local days whose office hours the officer's own leave or sickness covers
    SELECT DISTINCT officer_id, d FROM (
        SELECT officer_id, start, "end", CAST(unnest(generate_series(
                   CAST(CAST(start AS DATE) AS TIMESTAMP), CAST(CAST("end" AS DATE) AS TIMESTAMP),
                   INTERVAL 1 DAY)) AS DATE) AS d
        FROM shifts WHERE duty_type IN {{absence}} AND status <> 'cancelled')
    WHERE start < CAST(d AS TIMESTAMPTZ) + INTERVAL 17 HOUR AND "end" > CAST(d AS TIMESTAMPTZ) + INTERVAL 9 HOUR),
rostered AS (  -- rostered office days at a site with badge readers
    SELECT s.officer_id, CAST(s.start AS DATE) AS d, min(s.shift_id) AS shift_id,
           min(s.start) AS t0, max(s."end") AS t1, min(s.start) - INTERVAL 3 HOUR AS s0, max(s."end") AS s1,
           false AS unrostered
    FROM shifts s JOIN pol USING (officer_id)
    WHERE s.status = 'worked' AND s.site_id IS NOT NULL AND s.duty_type IN ('day', 'early', 'late', 'night', 'training')
      AND s.site_id IN (SELECT site_id FROM readers)
    GROUP BY ALL),
unit_site AS (
    SELECT unnest(CAST($unit_ids AS VARCHAR[])) AS unit_id, unnest(CAST($unit_sites AS VARCHAR[])) AS site_id),
cal AS (
    SELECT CAST(unnest(generate_series(CAST(p0 AS TIMESTAMP), CAST(p1 AS TIMESTAMP), INTERVAL 1 DAY)) AS DATE) AS d
    FROM period),
unrostered AS (  -- office workers with no duty rows: weekdays, not bank holidays, where they can swipe
    SELECT p.officer_id, c.d, CAST(NULL AS VARCHAR) AS shift_id,
           CAST(c.d AS TIMESTAMPTZ) + INTERVAL 8 HOUR AS t0, CAST(c.d AS TIMESTAMPTZ) + INTERVAL 18 HOUR AS t1,
           CAST(c.d AS TIMESTAMPTZ) AS s0, CAST(c.d + 1 AS TIMESTAMPTZ) AS s1, true AS unrostered
    FROM pol p LEFT JOIN unit_site u USING (unit_id) CROSS JOIN cal c
    WHERE p.work_pattern = 'office' AND p.officer_id NOT IN (SELECT officer_id FROM on_duty_system)
      AND (u.site_id IN (SELECT site_id FROM readers)  -- their unit's site has readers, or no site is
           OR (u.site_id IS NULL AND p.officer_id IN (SELECT officer_id FROM badge_events)))  -- known: they swipe
      AND isodow(c.d) <= 5 AND NOT list_contains(CAST($bank_holidays AS DATE[]), c.d)
      AND c.d BETWEEN coalesce(p.start_date, DATE '0001-01-01') AND coalesce(p.end_date, DATE '9999-12-31')),
days AS (
    SELECT x.* FROM (SELECT * FROM rostered UNION ALL BY NAME SELECT * FROM unrostered) x CROSS JOIN period
    WHERE x.d BETWEEN period.p0 AND period.p1
      AND NOT EXISTS (SELECT 1 FROM away a WHERE a.officer_id = x.officer_id AND a.d = x.d)),
keyed AS (  -- the local days a duty's swipe window [s0, s1] touches (a night duty ends the next day)
    SELECT officer_id, d, s0, s1, unnest(list_distinct([CAST(s0 AS DATE), CAST(s1 AS DATE)])) AS k FROM days),
swiped AS (  -- a swipe anywhere from three hours before the duty to its end
    SELECT DISTINCT x.officer_id, x.d FROM keyed x
    JOIN badge_events b ON b.officer_id = x.officer_id AND CAST(b.ts AS DATE) = x.k
    WHERE b.ts >= x.s0 AND b.ts < x.s1),
marked AS (SELECT x.*, s.d IS NOT NULL AS present FROM days x LEFT JOIN swiped s USING (officer_id, d)),
outside AS (
    SELECT officer_id, session_id, start AS r0, greatest(coalesce("end", start), start) AS r1
    FROM remote_sessions WHERE {{outside}}),
home AS (  -- missed office days with a remote session from outside the office networks during the duty
    SELECT x.officer_id, x.d, list(o.session_id) AS sessions
    FROM marked x JOIN outside o ON o.officer_id = x.officer_id AND o.r0 < x.t1 AND o.r1 > x.t0
    WHERE NOT x.present GROUP BY ALL),
away_lookups AS (  -- missed weekdays of staff with no duty rows with a lookup made at no site (not in an office)
    SELECT x.officer_id, x.d, list(a.access_id ORDER BY a.access_id) AS lookups
    FROM marked x JOIN system_access a ON a.officer_id = x.officer_id AND a.ts >= x.t0 AND a.ts < x.t1
    WHERE x.unrostered AND NOT x.present AND NULLIF(trim(coalesce(a.site_id, '')), '') IS NULL
    GROUP BY ALL),
traced AS (  -- each day, whether there is any trace of the officer: a swipe, a remote session from
             -- outside the office networks, or (staff with no duty rows) a lookup made at no site
    SELECT x.*, h.d IS NOT NULL AS from_home, x.present OR h.d IS NOT NULL OR l.d IS NOT NULL AS traced
    FROM marked x LEFT JOIN home h USING (officer_id, d) LEFT JOIN away_lookups l USING (officer_id, d)),
first_trace AS (  -- staff with no duty rows are judged from their first trace in the period on (a new
                  -- starter whose start HR has not recorded leaves none before it)
    SELECT officer_id, min(d) AS first_trace FROM traced WHERE unrostered AND traced GROUP BY officer_id),
daily AS (
    SELECT t.* FROM traced t LEFT JOIN first_trace f USING (officer_id)
    WHERE NOT t.unrostered OR t.d >= f.first_trace),
win AS (  -- the trailing windows: window_days long, and short_window_days long (a stretch below policy
          -- that the long window dilutes); a weekday of staff with no duty rows with no trace of them
          -- at all is untraced
    SELECT officer_id, d, CAST($window_days AS INTEGER) AS span_days, count(*) OVER w AS days,
           sum(present::INT) OVER w AS present_days, sum((NOT present AND from_home)::INT) OVER w AS remote_days,
           sum((unrostered AND NOT traced)::INT) OVER w AS untraced,
           bool_or(unrostered) OVER w AS unrostered, min(d) OVER w AS first_day,
           max(d) OVER (PARTITION BY officer_id) AS last_day
    FROM daily
    WINDOW w AS (PARTITION BY officer_id ORDER BY d
                 RANGE BETWEEN to_days(CAST($window_days AS INTEGER) - 1) PRECEDING AND CURRENT ROW)
    UNION ALL BY NAME
    SELECT officer_id, d, CAST($short_window_days AS INTEGER) AS span_days, count(*) OVER w AS days,
           sum(present::INT) OVER w AS present_days, sum((NOT present AND from_home)::INT) OVER w AS remote_days,
           sum((unrostered AND NOT traced)::INT) OVER w AS untraced,
           bool_or(unrostered) OVER w AS unrostered, min(d) OVER w AS first_day,
           max(d) OVER (PARTITION BY officer_id) AS last_day
    FROM daily
    WHERE $short_window_days > 0 AND $short_window_days < $window_days
    WINDOW w AS (PARTITION BY officer_id ORDER BY d
                 RANGE BETWEEN to_days(greatest(CAST($short_window_days AS INTEGER), 1) - 1) PRECEDING AND CURRENT ROW)),
counted AS (  -- untraced weekdays are allowed up to untraced_allowance of the window's weekdays (leave or
              -- training recorded nowhere, part-time or compressed hours); beyond that they are missed
    SELECT *, least(untraced, CAST(floor($untraced_allowance * days + 1e-9) AS INTEGER)) AS excused FROM win),
rated AS (
    SELECT *, days - excused AS office_days,
           CAST(floor((1 - $threshold) * (days - excused) + 1e-9) AS INTEGER) AS allowed,
           span_days < $window_days AS short
    FROM counted),
judged AS (  -- whole windows only: a window cut short by the start of the data is not judged,
             -- unless the data is shorter than a window (then the officer's whole record is one), and
             -- with at least min_office_days office days (a short window: short_min_office_days);
             -- a window counts when the share is below threshold (a short window: by at least
             -- short_margin) and the days missed exceed the policy's allowance (the whole days it
             -- lets one miss) by at least min_excess_days
    SELECT rated.*, present_days / office_days AS share, (office_days - present_days) - allowed AS excess
    FROM rated CROSS JOIN period
    WHERE office_days >= CASE WHEN short THEN greatest($min_office_days, $short_min_office_days) ELSE $min_office_days END
      AND d >= least(period.p0 + span_days - 1, last_day)
      AND present_days / office_days < $threshold - CASE WHEN short THEN $short_margin ELSE 0 END
      AND (office_days - present_days) - allowed >= $min_excess_days),
worst AS (  -- the lowest share among the long windows that count; else among the short ones
    SELECT * FROM judged
    QUALIFY row_number() OVER (PARTITION BY officer_id ORDER BY short, share, d) = 1)
SELECT w.officer_id, w.first_day AS window_start, w.d AS window_end, w.span_days, w.short, w.days AS weekdays,
       w.office_days, w.present_days, w.remote_days, w.untraced, w.excused, w.unrostered, w.share, w.allowed,
       w.excess,
       (SELECT list(x.shift_id ORDER BY x.d) FROM daily x
         WHERE x.officer_id = w.officer_id AND NOT x.present AND x.shift_id IS NOT NULL
           AND x.d BETWEEN w.first_day AND w.d) AS missed_shifts,
       (SELECT flatten(list(h.sessions)) FROM home h
         WHERE h.officer_id = w.officer_id AND h.d BETWEEN w.first_day AND w.d) AS sessions,
       (SELECT flatten(list(l.lookups)) FROM away_lookups l
         WHERE l.officer_id = w.officer_id AND l.d BETWEEN w.first_day AND w.d
           AND NOT EXISTS (SELECT 1 FROM home h WHERE h.officer_id = l.officer_id AND h.d = l.d)) AS lookups
FROM worst w
ORDER BY w.officer_id