WITH sw AS (
    SELECT officer_id, event_id, ts, direction,
           lead(ts) OVER w AS next_ts, lead(direction) OVER w AS next_dir, lead(event_id) OVER w AS next_id
    FROM badge_events WINDOW w AS (PARTITION BY officer_id ORDER BY ts, event_id)),
periods AS (  -- badged-in periods: an 'in' followed by an 'out' within 16 hours
    SELECT officer_id, event_id AS in_id, next_id AS out_id, ts AS b0, next_ts AS b1 FROM sw
    WHERE direction = 'in' AND next_dir = 'out' AND next_ts - ts <= INTERVAL 16 HOUR),
remote AS (  -- remote sessions with a known address; office_net: from an office network
    SELECT officer_id, session_id, start AS r0, greatest(coalesce("end", start), start) AS r1,
           NOT ({{outside}}) AS office_net
    FROM remote_sessions WHERE NULLIF(trim(source_ip), '') IS NOT NULL),
duties AS (
    SELECT officer_id, shift_id, start AS d0, "end" AS d1, site_id, status FROM shifts
    WHERE status <> 'cancelled' AND duty_type NOT IN ('rest_day', 'annual_leave', 'sick')),
on_duty_system AS (SELECT DISTINCT officer_id FROM shifts WHERE duty_type NOT IN {{absence}}),
frontline AS (  -- patrol staff: in and out of the station is their work pattern (the work pattern
                -- frontline; with none recorded, a current posting in a patrol role)
    SELECT officer_id FROM g_officers WHERE lower(trim(work_pattern)) = 'frontline'
    UNION
    SELECT a.officer_id FROM g_assignments a JOIN g_officers o USING (officer_id)
    WHERE NULLIF(trim(coalesce(o.work_pattern, '')), '') IS NULL AND a.end_date IS NULL
      AND coalesce(list_bool_or([contains(lower(a.role), lower(r)) FOR r IN $frontline_roles]), false)),
short AS (  -- short visits of office-based staff: in and out within max_visit_minutes, or within
            -- max_visit_share of the duty (judged below, against the duty; here the longest that could
            -- be), or an 'in' with no 'out' after it (lone: the rest of the day is judged by where they worked)
    SELECT officer_id, in_id, out_id, b0, b1, false AS lone FROM periods
    WHERE b1 - b0 <= to_minutes(CAST(greatest($max_visit_minutes, $max_visit_share * 16 * 60) AS BIGINT))
      AND officer_id NOT IN (SELECT officer_id FROM frontline)
    UNION ALL
    SELECT officer_id, event_id, CAST(NULL AS VARCHAR), ts, ts, true FROM sw
    WHERE direction = 'in' AND NOT coalesce(next_dir = 'out' AND next_ts - ts <= INTERVAL 16 HOUR, false)
      AND officer_id NOT IN (SELECT officer_id FROM frontline)),
rostered_visits AS (  -- a short visit during a worked duty (± grace): its office day if the duty has a site
    SELECT v.*, d.d0, d.d1, d.site_id IS NOT NULL AS office_day
    FROM short v JOIN duties d ON d.officer_id = v.officer_id AND d.status = 'worked'
     AND v.b0 BETWEEN d.d0 - to_minutes(CAST($grace_minutes AS BIGINT)) AND d.d1 + to_minutes(CAST($grace_minutes AS BIGINT))
    QUALIFY row_number() OVER (PARTITION BY v.in_id ORDER BY d.site_id IS NULL, d.d0) = 1),
visits AS (  -- on rostered office days; for staff with no duty rows at all, weekdays 07:00-19:00 (a
            -- working day of 8 hours in them); a visit counts when at most max_visit_minutes, or at most
            -- max_visit_share of the duty (an hour of an 8-hour office day, and nothing else)
    SELECT * FROM (
        SELECT * EXCLUDE (office_day), epoch(d1 - d0) / 60 AS duty_minutes FROM rostered_visits WHERE office_day
        UNION ALL BY NAME
        SELECT v.*, CAST(CAST(v.b0 AS DATE) AS TIMESTAMPTZ) + INTERVAL 7 HOUR AS d0,
               CAST(CAST(v.b0 AS DATE) AS TIMESTAMPTZ) + INTERVAL 19 HOUR AS d1, 480 AS duty_minutes
        FROM short v WHERE v.officer_id NOT IN (SELECT officer_id FROM on_duty_system) AND isodow(v.b0) <= 5) x
    WHERE lone OR epoch(b1 - b0) / 60 <= greatest($max_visit_minutes, $max_visit_share * duty_minutes)),
back_in AS (  -- another swipe that working day, not a second reader within minutes: back in later
    SELECT DISTINCT v.in_id FROM visits v JOIN badge_events b ON b.officer_id = v.officer_id
     AND b.event_id <> v.in_id AND b.event_id IS DISTINCT FROM v.out_id
     AND NOT b.ts BETWEEN v.b0 - INTERVAL 5 MINUTE AND v.b1 + INTERVAL 5 MINUTE
     AND (b.ts BETWEEN v.d0 - to_minutes(CAST($grace_minutes AS BIGINT)) AND v.d1 + to_minutes(CAST($grace_minutes AS BIGINT))
          OR CAST(b.ts AS DATE) = CAST(v.b0 AS DATE))),
office_session AS (  -- a session from an office network during the duty: in the office
    SELECT DISTINCT v.in_id FROM visits v JOIN remote r ON r.officer_id = v.officer_id
     AND r.office_net AND r.r0 < v.d1 AND r.r1 > v.d0),
home AS (  -- the share of the duty (after a lone 'in': of the rest of the duty) covered by remote
           -- sessions from outside the office networks
    SELECT v.in_id, sum(epoch(least(r.r1, v.d1) - greatest(r.r0, v.h0))) / greatest(epoch(v.d1 - v.h0), 60) AS share,
           list(r.session_id) AS sessions
    FROM (SELECT *, CASE WHEN lone THEN greatest(b0, d0) ELSE d0 END AS h0 FROM visits) v
    JOIN remote r ON r.officer_id = v.officer_id AND NOT r.office_net AND r.r0 < v.d1 AND r.r1 > v.h0
    GROUP BY v.in_id, v.h0, v.d1),
worked AS (  -- lookups during the duty not made through a remote session from outside (at a site, or mobile)
    SELECT DISTINCT v.in_id FROM visits v JOIN system_access a ON a.officer_id = v.officer_id
     AND a.ts BETWEEN v.d0 - to_minutes(CAST($grace_minutes AS BIGINT)) AND v.d1 + to_minutes(CAST($grace_minutes AS BIGINT))
    WHERE NOT EXISTS (SELECT 1 FROM remote r WHERE r.officer_id = a.officer_id AND NOT r.office_net
                      AND a.ts BETWEEN r.r0 - INTERVAL 15 MINUTE AND r.r1 + INTERVAL 15 MINUTE)),
short_days AS (  -- a lone 'in' counts only with the rest of the duty worked from outside and no lookup
                 -- made other than through that work (an 'in' with no 'out' alone is a building
                 -- without exit readers)
    SELECT v.officer_id, CAST(v.b0 AS DATE) AS d,
           CASE WHEN v.lone THEN 'tap_in_then_remote'
                WHEN coalesce(h.share, 0) >= $min_home_share THEN 'tap_and_go_home' ELSE 'token_visit' END AS form,
           CASE WHEN v.lone THEN [v.in_id] ELSE [v.in_id, v.out_id] END AS events,
           coalesce(h.sessions, []) AS sessions, v.b0 AS t0,
           CASE WHEN coalesce(h.share, 0) >= $min_home_share THEN greatest(v.b1, v.d1) ELSE v.b1 END AS t1,
           CAST(NULL AS VARCHAR) AS absence
    FROM visits v LEFT JOIN home h USING (in_id)
    WHERE v.in_id NOT IN (SELECT in_id FROM back_in) AND v.in_id NOT IN (SELECT in_id FROM office_session)
      AND CASE WHEN v.lone THEN coalesce(h.share, 0) >= $min_home_share AND v.in_id NOT IN (SELECT in_id FROM worked)
               ELSE coalesce(h.share, 0) >= $min_home_share OR v.in_id NOT IN (SELECT in_id FROM worked) END),
pdays AS (
    SELECT *, unnest(list_distinct([CAST(b0 AS DATE), CAST(b1 AS DATE)])) AS d FROM periods),
rdays AS (
    SELECT *, CAST(unnest(generate_series(CAST(CAST(r0 AS DATE) AS TIMESTAMP), CAST(CAST(r1 AS DATE) AS TIMESTAMP),
                                          INTERVAL 1 DAY)) AS DATE) AS d
    FROM remote WHERE NOT office_net),
remote_while_in AS (  -- a remote session from outside the office networks while badged in
    SELECT DISTINCT p.officer_id, CAST(p.b0 AS DATE) AS d, 'remote_while_badged_in' AS form,
           [p.in_id, p.out_id] AS events, [r.session_id] AS sessions, greatest(p.b0, r.r0) AS t0,
           least(p.b1, r.r1) AS t1, CAST(NULL AS VARCHAR) AS absence
    FROM pdays p JOIN rdays r USING (officer_id, d)
    WHERE r.r0 < p.b1 AND r.r1 > p.b0
      AND least(r.r1, p.b1) - greatest(r.r0, p.b0) >= to_minutes(CAST($min_remote_minutes AS BIGINT))),
away AS (
    SELECT officer_id, duty_type, start AS a0, "end" AS a1,
           CAST(unnest(generate_series(CAST(CAST(start AS DATE) AS TIMESTAMP), CAST(CAST("end" AS DATE) AS TIMESTAMP),
                                       INTERVAL 1 DAY)) AS DATE) AS d
    FROM shifts WHERE duty_type IN {{absence}} AND status <> 'cancelled'),
during_absence AS (  -- swipes during the officer's own leave or sickness, outside any duty of theirs
    SELECT b.officer_id, CAST(b.ts AS DATE) AS d, 'swipe_during_absence' AS form, [b.event_id] AS events,
           CAST([] AS VARCHAR[]) AS sessions, b.ts AS t0, b.ts AS t1, a.duty_type AS absence
    FROM badge_events b JOIN away a ON a.officer_id = b.officer_id AND CAST(b.ts AS DATE) = a.d
    WHERE b.ts >= a.a0 AND b.ts < a.a1
      AND NOT EXISTS (SELECT 1 FROM duties w WHERE w.officer_id = b.officer_id
                      AND b.ts BETWEEN w.d0 - to_minutes(CAST($grace_minutes AS BIGINT))
                                   AND w.d1 + to_minutes(CAST($grace_minutes AS BIGINT)))),
hits AS (
    SELECT * FROM short_days UNION ALL BY NAME SELECT * FROM remote_while_in
    UNION ALL BY NAME SELECT * FROM during_absence)
SELECT officer_id, count(DISTINCT d) AS n_days, list(DISTINCT form ORDER BY form) AS forms,
       count(DISTINCT d) FILTER (WHERE form = 'token_visit') AS n_token,
       count(DISTINCT d) FILTER (WHERE form = 'tap_and_go_home') AS n_tap,
       count(DISTINCT d) FILTER (WHERE form = 'tap_in_then_remote') AS n_tap_in,
       count(DISTINCT d) FILTER (WHERE form = 'remote_while_badged_in') AS n_remote,
       count(DISTINCT d) FILTER (WHERE form = 'swipe_during_absence') AS n_absent,
       list(DISTINCT absence ORDER BY absence) FILTER (WHERE absence IS NOT NULL) AS absences,
       min(t0) AS window_start, max(t1) AS window_end,
       flatten(list(events)) AS event_ids, flatten(list(sessions)) AS session_ids
FROM hits GROUP BY officer_id
HAVING count(DISTINCT d) >= $min_days
ORDER BY officer_id
