WITH {{stage}},
paid AS (
    SELECT shift_id, officer_id, start, "end", pay_code, site_id, duty_type
    FROM shifts
    WHERE status = 'worked' AND pay_code IN ({{paid_extra}})),
readers AS (SELECT DISTINCT site_id FROM badge_events),  -- a site where nobody ever swipes has none
unseen AS (  -- a swipe is expected only at a site with readers; court leaves no trace anywhere
    SELECT officer_id, shift_id, start, "end", form, other_id, NULL AS change_id
    FROM stage
    WHERE form = 'no_attendance'
      AND EXISTS (SELECT 1 FROM badge_events) AND EXISTS (SELECT 1 FROM system_access)
      AND EXISTS (SELECT 1 FROM remote_sessions)  -- without all three, absence cannot be told
      AND (site_id IN (SELECT site_id FROM readers) OR (site_id IS NULL AND duty_type <> 'court'))),
was_leave AS (  -- rows that were leave or sickness and no longer are, by the officer or with no reason,
                -- changed late: leave cancelled at least notice_hours before it began was a change of plan
    SELECT c.change_id, c.shift_id, s.officer_id, s.start, s."end"
    FROM roster_changes c JOIN shifts s USING (shift_id)
    WHERE (c.changed_by = s.officer_id OR {{no_reason}})
      AND c.changed_at > s.start - to_hours(CAST($notice_hours AS BIGINT))
      AND ((lower(trim(c.field)) = 'duty_type' AND lower(trim(c.old_value)) IN ('annual_leave', 'sick')
            AND lower(trim(coalesce(c.new_value, ''))) NOT IN ('annual_leave', 'sick') AND s.duty_type NOT IN ('annual_leave', 'sick'))
        OR (lower(trim(c.field)) = 'status' AND lower(trim(c.new_value)) = 'cancelled'
            AND s.duty_type IN ('annual_leave', 'sick') AND s.status = 'cancelled'))),
audit AS (  -- paid extra on a day the audit trail shows was leave: during it, the same day, or staying
           -- on after it (starting within an hour of its end, which may be the next day)
    SELECT DISTINCT p.officer_id, p.shift_id, p.start, p."end", 'leave_in_audit_trail' AS form,
           CASE WHEN l.shift_id <> p.shift_id THEN l.shift_id END AS other_id, l.change_id
    FROM paid p JOIN was_leave l ON l.officer_id = p.officer_id
     AND (l.shift_id = p.shift_id OR (l.start < p."end" AND l."end" + INTERVAL 1 HOUR >= p.start)
          OR CAST(l.start AS DATE) = CAST(p.start AS DATE))),
usual AS (  -- how the officer's own basic duties end, for officers who left a paid-extra duty early: a duty
            -- seen (a swipe or lookup from its start to an hour after its end) is left early when its last
            -- sign comes min_missing_hours or more before its end (someone whose duties take them out on
            -- patrol all day leaves the station early every day, and the claim is no different)
    SELECT b.officer_id, count(*) AS n_seen,
           count(*) FILTER (WHERE b.last_ts < b."end" - to_hours(CAST($min_missing_hours AS BIGINT))) AS n_early
    FROM (SELECT s.shift_id, s.officer_id, s."end", max(e.ts) AS last_ts
          FROM shifts s
          JOIN (SELECT officer_id, ts FROM badge_events UNION ALL SELECT officer_id, ts FROM system_access) e
            ON e.officer_id = s.officer_id AND e.ts BETWEEN s.start AND s."end" + INTERVAL 1 HOUR
          WHERE s.officer_id IN (SELECT officer_id FROM stage WHERE form = 'short_attendance')
            AND s.status = 'worked' AND s.pay_code = 'basic' AND s.duty_type NOT IN {{not_a_duty}}
          GROUP BY s.shift_id, s.officer_id, s."end") b
    GROUP BY b.officer_id),
short AS (  -- left early only where the officer's basic duties show them there to the end
    SELECT s.officer_id, s.shift_id, s.start, s."end", s.form, s.other_id, NULL AS change_id
    FROM stage s JOIN usual u USING (officer_id)
    WHERE s.form = 'short_attendance' AND u.n_seen >= $min_usual_duties
      AND u.n_early <= $max_usual_early_share * u.n_seen
      AND EXISTS (SELECT 1 FROM system_access) AND EXISTS (SELECT 1 FROM remote_sessions)),  -- work after it untold
hits AS (
    SELECT officer_id, shift_id, start, "end", form, other_id, NULL AS change_id
    FROM stage WHERE form IN ('during_leave', 'overlapping_duty')
    UNION ALL SELECT * FROM unseen UNION ALL SELECT * FROM short UNION ALL SELECT * FROM audit),
per AS (
    SELECT officer_id,
           count(DISTINCT shift_id) FILTER (WHERE form = 'no_attendance') AS n_unseen,
           count(DISTINCT shift_id) FILTER (WHERE form = 'short_attendance') AS n_short,
           count(DISTINCT shift_id) FILTER (WHERE form NOT IN ('no_attendance', 'short_attendance')) AS n_conflict
    FROM hits GROUP BY officer_id),
judged AS (  -- unrecorded duties, and duties left early, count only when there are at least min_unseen
             -- (min_short) of them
    SELECT *, n_unseen >= $min_unseen AS unseen_counts, n_short >= $min_short AS short_counts FROM per
    WHERE n_conflict >= $min_count OR n_unseen >= $min_unseen OR n_short >= $min_short),
kept AS (
    SELECT h.* FROM hits h JOIN judged j USING (officer_id)
    WHERE h.form NOT IN ('no_attendance', 'short_attendance')
       OR (h.form = 'no_attendance' AND j.unseen_counts) OR (h.form = 'short_attendance' AND j.short_counts))
SELECT officer_id,
       count(DISTINCT shift_id) FILTER (WHERE form = 'during_leave') AS n_absent,
       count(DISTINCT shift_id) FILTER (WHERE form = 'overlapping_duty') AS n_double,
       count(DISTINCT shift_id) FILTER (WHERE form = 'leave_in_audit_trail') AS n_audit,
       list(DISTINCT other_id ORDER BY other_id) FILTER (WHERE other_id IS NOT NULL) AS other_ids,
       list(DISTINCT change_id ORDER BY change_id) FILTER (WHERE change_id IS NOT NULL) AS change_ids,
       count(DISTINCT shift_id) FILTER (WHERE form = 'no_attendance') AS n_unseen,
       count(DISTINCT shift_id) FILTER (WHERE form = 'short_attendance') AS n_short,
       list(DISTINCT form ORDER BY form) AS forms,
       min(start) AS window_start, max("end") AS window_end,
       list(DISTINCT shift_id ORDER BY shift_id) AS shift_ids
FROM kept
GROUP BY officer_id
ORDER BY officer_id
