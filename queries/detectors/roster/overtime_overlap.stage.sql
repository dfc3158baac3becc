paid_duties AS (
    SELECT shift_id, officer_id, start, "end", pay_code, site_id, duty_type
    FROM shifts
    WHERE status = 'worked' AND pay_code IN ({{paid_extra}})),
adjoining AS (  -- paid extra within an hour of another worked duty of the officer (it extends it);
                -- an on-call row is a time of availability, not a duty
    SELECT p.shift_id, min(w.start) AS duty_start
    FROM paid_duties p JOIN shifts w ON w.officer_id = p.officer_id AND w.shift_id <> p.shift_id
    WHERE w.status = 'worked' AND w.duty_type NOT IN {{not_a_duty}} AND w.pay_code <> 'on_call'
      AND w.start <= p."end" + INTERVAL 1 HOUR AND w."end" >= p.start - INTERVAL 1 HOUR
    GROUP BY p.shift_id),
absent AS (  -- paid extra (or paid on-call availability) during the officer's own leave or sickness (booked
             -- or taken, not cancelled): starting inside it, or on the day it starts (evening overtime on
             -- a day of annual leave; a leave row shaped like the night duty it replaces is that night's)
    SELECT p.officer_id, p.shift_id, p.start, p."end", 'during_leave' AS form, a.shift_id AS other_id,
           p.site_id, p.duty_type
    FROM (SELECT shift_id, officer_id, start, "end", pay_code, site_id, duty_type FROM shifts
          WHERE status = 'worked' AND (pay_code IN ({{paid_extra}}) OR pay_code = 'on_call')) p
    JOIN shifts a ON a.officer_id = p.officer_id AND a.shift_id <> p.shift_id
    LEFT JOIN adjoining x ON x.shift_id = p.shift_id
    WHERE a.duty_type IN ('annual_leave', 'sick') AND a.status <> 'cancelled'
      AND a.start < p."end" + INTERVAL 1 DAY AND a."end" > p.start - INTERVAL 1 DAY  -- near each other (a range join)
      AND ((p.start >= a.start AND p.start < a."end")  -- it starts inside the leave
           OR CAST(p.start AS DATE) = CAST(a.start AS DATE))
      -- staying on after a duty that began before the leave (a night shift running into it) is not it
      AND NOT coalesce(x.duty_start < a.start, false)),
double AS (  -- paid extra overlapping another worked duty of the same officer, one of their rostered
             -- duties (two extra-duty rows over the same hours at one place are one stretch keyed
             -- twice; at two different sites they are two places at once; an on-call row is
             -- availability: a call-out inside it is how overtime arises)
    SELECT p.officer_id, p.shift_id, p.start, p."end", 'overlapping_duty' AS form, w.shift_id AS other_id,
           p.site_id, p.duty_type
    FROM paid_duties p JOIN shifts w ON w.officer_id = p.officer_id AND w.shift_id <> p.shift_id
    WHERE w.status = 'worked' AND w.duty_type NOT IN {{not_a_duty}} AND w.pay_code <> 'on_call'
      AND (w.pay_code NOT IN ('overtime', 'rest_day_worked') OR p.site_id <> w.site_id)
      AND least(w."end", p."end") - greatest(w.start, p.start) > to_minutes(CAST($min_overlap_minutes AS BIGINT))),
unattended AS (  -- a stand-alone overtime or rest-day duty with no swipe, lookup or remote session around it
             -- (whether a swipe was to be expected there is judged in the detector's query, over all
             -- the swipes: it is not local in time)
    SELECT p.officer_id, p.shift_id, p.start, p."end", 'no_attendance' AS form, NULL AS other_id,
           p.site_id, p.duty_type
    FROM paid_duties p
    WHERE p.pay_code IN ('overtime', 'rest_day_worked')
      AND p.shift_id NOT IN (SELECT shift_id FROM adjoining)  -- an extension is judged with its duty
      AND NOT EXISTS (SELECT 1 FROM badge_events b WHERE b.officer_id = p.officer_id
                        AND b.ts BETWEEN p.start - INTERVAL 1 HOUR AND p."end" + INTERVAL 1 HOUR)
      AND NOT EXISTS (SELECT 1 FROM system_access s WHERE s.officer_id = p.officer_id
                        AND s.ts BETWEEN p.start AND p."end")
      AND NOT EXISTS (SELECT 1 FROM remote_sessions r WHERE r.officer_id = p.officer_id
                        AND r.start < p."end" AND coalesce(r."end", r.start) > p.start)),
swipes AS (  -- each stand-alone overtime or rest-day duty's swipes within an hour of it
    SELECT p.shift_id, max(b.ts) AS last_ts, max(b.ts) FILTER (WHERE b.direction = 'out') AS last_out,
           min(b.ts) FILTER (WHERE b.direction = 'in') AS first_in
    FROM paid_duties p JOIN badge_events b ON b.officer_id = p.officer_id
     AND b.ts BETWEEN p.start - INTERVAL 1 HOUR AND p."end" + INTERVAL 1 HOUR
    WHERE p.pay_code IN ('overtime', 'rest_day_worked') AND p.shift_id NOT IN (SELECT shift_id FROM adjoining)
    GROUP BY p.shift_id),
left_early AS (  -- swiped in, then out during the duty at least min_missing_hours before its claimed end, and
                 -- no sign of the officer after that (no swipe anywhere, lookup or remote session): hours claimed
                 -- beyond the time there (a single swipe, or a missing out swipe, is not this: readers miss)
    SELECT p.officer_id, p.shift_id, p.start, p."end", 'short_attendance' AS form, NULL AS other_id,
           p.site_id, p.duty_type
    FROM paid_duties p JOIN swipes w ON w.shift_id = p.shift_id
    WHERE w.last_out = w.last_ts AND w.first_in < w.last_out AND w.last_out > p.start
      AND w.last_out <= p."end" - to_hours(CAST($min_missing_hours AS BIGINT))
      AND NOT EXISTS (SELECT 1 FROM system_access s WHERE s.officer_id = p.officer_id
                        AND s.ts > w.last_out AND s.ts <= p."end")
      AND NOT EXISTS (SELECT 1 FROM remote_sessions r WHERE r.officer_id = p.officer_id
                        AND r.start < p."end" AND coalesce(r."end", r.start) > w.last_out)),
stage AS (  -- the stage's rows: the detector's query reads them as the CTE stage
    SELECT * FROM absent UNION ALL SELECT * FROM double UNION ALL SELECT * FROM unattended
    UNION ALL SELECT * FROM left_early)
