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
hits AS (
    SELECT officer_id, shift_id, start, "end", form, other_id, NULL AS change_id
    FROM stage WHERE form IN ('during_leave', 'overlapping_duty')
    UNION ALL SELECT * FROM unseen UNION ALL SELECT * FROM audit),
per AS (
    SELECT officer_id,
           count(DISTINCT shift_id) FILTER (WHERE form = 'during_leave') AS n_absent,
           count(DISTINCT shift_id) FILTER (WHERE form = 'overlapping_duty') AS n_double,
           count(DISTINCT shift_id) FILTER (WHERE form = 'no_attendance') AS n_unseen,
           count(DISTINCT shift_id) FILTER (WHERE form = 'leave_in_audit_trail') AS n_audit,
           count(DISTINCT shift_id) FILTER (WHERE form <> 'no_attendance') AS n_conflict,
           list(DISTINCT form ORDER BY form) AS all_forms,
           min(start) FILTER (WHERE form <> 'no_attendance') AS c_start,
           max("end") FILTER (WHERE form <> 'no_attendance') AS c_end,
           min(start) FILTER (WHERE form = 'no_attendance') AS u_start,
           max("end") FILTER (WHERE form = 'no_attendance') AS u_end,
           list(DISTINCT shift_id) FILTER (WHERE form <> 'no_attendance') AS c_ids,
           list(DISTINCT shift_id) FILTER (WHERE form = 'no_attendance') AS u_ids,
           list(DISTINCT other_id ORDER BY other_id) FILTER (WHERE other_id IS NOT NULL) AS other_ids,
           list(DISTINCT change_id ORDER BY change_id) FILTER (WHERE change_id IS NOT NULL) AS change_ids
    FROM hits GROUP BY officer_id),
judged AS (  -- unrecorded duties count only when there are at least min_unseen of them
    SELECT *, n_unseen >= $min_unseen AS unseen_counts FROM per
    WHERE n_conflict >= $min_count OR n_unseen >= $min_unseen)
SELECT officer_id, n_absent, n_double, n_audit, other_ids, change_ids,
       CASE WHEN unseen_counts THEN n_unseen ELSE 0 END AS n_unseen,
       list_filter(all_forms, lambda f: f <> 'no_attendance' OR unseen_counts) AS forms,
       CASE WHEN unseen_counts THEN least(c_start, u_start) ELSE c_start END AS window_start,
       CASE WHEN unseen_counts THEN greatest(c_end, u_end) ELSE c_end END AS window_end,
       list_sort(list_distinct(CASE WHEN unseen_counts THEN list_concat(coalesce(c_ids, []), u_ids)
                                    ELSE c_ids END)) AS shift_ids
FROM judged
ORDER BY officer_id
