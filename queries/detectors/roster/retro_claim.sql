WITH edits AS (  -- audit rows made after the shift ended that raise its pay
    SELECT c.change_id, c.shift_id, c.changed_by, c.changed_at, lower(trim(c.field)) AS field,
           lower(trim(c.new_value)) AS new_value, s.officer_id, s.start, s."end",
           c.changed_by = s.officer_id AS by_self,
           CASE lower(trim(c.field)) WHEN 'pay_code' THEN 'pay_code_raised' WHEN 'status' THEN 'cancelled_then_worked'
                ELSE 'hours_added' END AS form,
           CASE WHEN lower(trim(c.field)) = 'hours_claimed'
                THEN TRY_CAST(c.new_value AS DOUBLE) - coalesce(TRY_CAST(c.old_value AS DOUBLE),
                     epoch(s."end" - s.start) / 3600.0) END AS hours_up
    FROM roster_changes c JOIN shifts s USING (shift_id)
    WHERE s.status <> 'cancelled'
      AND c.changed_at > s."end" + to_minutes(CAST($grace_minutes AS BIGINT))
      AND (c.changed_by = s.officer_id OR {{no_reason}})
      AND ((lower(trim(c.field)) = 'pay_code' AND CASE lower(trim(coalesce(c.new_value, ''))) WHEN 'bank_holiday' THEN 2 WHEN 'overtime' THEN 1 WHEN 'rest_day_worked' THEN 1 ELSE 0 END > CASE lower(trim(coalesce(c.old_value, ''))) WHEN 'bank_holiday' THEN 2 WHEN 'overtime' THEN 1 WHEN 'rest_day_worked' THEN 1 ELSE 0 END)
           OR (lower(trim(c.field)) = 'hours_claimed'
               AND TRY_CAST(c.new_value AS DOUBLE) > coalesce(TRY_CAST(c.old_value AS DOUBLE),
                   epoch(s."end" - s.start) / 3600.0) + 0.01)
           -- a cancelled duty (never paid) marked worked after it was over
           OR (lower(trim(c.field)) = 'status' AND lower(trim(coalesce(c.old_value, ''))) = 'cancelled'
               AND lower(trim(coalesce(c.new_value, ''))) = 'worked'))),
bank AS (  -- England and Wales bank holidays, and days on which most worked duties (other than
           -- those edited to it) are paid as bank holiday (a local or another nation's holiday)
    SELECT CAST(start AS DATE) AS d
    FROM shifts
    WHERE status = 'worked' AND duty_type NOT IN {{not_a_duty}}
      AND shift_id NOT IN (SELECT shift_id FROM edits WHERE new_value = 'bank_holiday')
    GROUP BY ALL HAVING avg(CASE WHEN pay_code = 'bank_holiday' THEN 1 ELSE 0 END) >= 0.5
    UNION
    SELECT CAST(unnest([{{bank_holidays}}]) AS DATE)),
raised AS (  -- a change to bank-holiday pay on a real bank holiday puts the pay right
    SELECT e.*, e.new_value = 'bank_holiday' AS to_bank_holiday
    FROM edits e LEFT JOIN bank b ON b.d = CAST(e.start AS DATE)
    WHERE NOT (e.field = 'pay_code' AND e.new_value = 'bank_holiday' AND b.d IS NOT NULL)),
keyed_late AS (  -- paid-extra duties keyed in by the officer themself after they ended
    SELECT s.shift_id, s.officer_id, s.start, s."end",
           NULLIF(trim(coalesce(s.approved_by, '')), '') IS NULL AS unapproved,
           s.created_at > s."end" + to_hours(CAST($late_claim_hours AS BIGINT)) AS long_after
    FROM shifts s
    WHERE s.pay_code IN ({{paid_extra}}) AND s.status <> 'cancelled' AND s.created_by = s.officer_id
      AND s.created_at > s."end" + to_minutes(CAST($grace_minutes AS BIGINT))),
habit AS (  -- officers who keyed in at least min_late_claims of them days after (one is a backlog)
    SELECT officer_id FROM keyed_late WHERE long_after
    GROUP BY officer_id HAVING count(*) >= $min_late_claims),
traceable AS (  -- whether the force's data can show someone at work: swipes, lookups and remote log-ons
    SELECT EXISTS (SELECT 1 FROM badge_events) AND EXISTS (SELECT 1 FROM system_access)
           AND EXISTS (SELECT 1 FROM remote_sessions) AS yes),
lone AS (  -- a single claim keyed in days after (approved, no habit) for hours with no trace of the officer
           -- at work: no swipe from half an hour into it to an hour after it (a swipe out as it began is
           -- leaving), no lookup and no remote session during it
    SELECT k.shift_id
    FROM keyed_late k LEFT JOIN habit h USING (officer_id)
    WHERE k.long_after AND NOT k.unapproved AND h.officer_id IS NULL AND (SELECT yes FROM traceable)
      AND NOT EXISTS (SELECT 1 FROM badge_events b WHERE b.officer_id = k.officer_id
                        AND b.ts BETWEEN k.start + INTERVAL 30 MINUTE AND k."end" + INTERVAL 1 HOUR)
      AND NOT EXISTS (SELECT 1 FROM system_access a WHERE a.officer_id = k.officer_id
                        AND a.ts BETWEEN k.start AND k."end")
      AND NOT EXISTS (SELECT 1 FROM remote_sessions r WHERE r.officer_id = k.officer_id
                        AND r.start < k."end" AND coalesce(r."end", r.start) > k.start)),
created AS (  -- ... approved by nobody at all, or keyed in days after by an officer who does so as a habit,
              -- or once for hours nobody can see them work
    SELECT k.*, k.long_after AND h.officer_id IS NOT NULL AS late_habit, l.shift_id IS NOT NULL AS untraced
    FROM keyed_late k LEFT JOIN habit h USING (officer_id) LEFT JOIN lone l USING (shift_id)
    WHERE k.unapproved OR (k.long_after AND h.officer_id IS NOT NULL) OR l.shift_id IS NOT NULL),
hits AS (
    SELECT officer_id, shift_id, start, "end", form, change_id, by_self, hours_up, to_bank_holiday,
           false AS unapproved, false AS late_habit, false AS untraced FROM raised
    UNION ALL
    SELECT officer_id, shift_id, start, "end", 'created_after_worked', NULL, true, NULL, false,
           unapproved, late_habit, untraced FROM created)
SELECT officer_id,
       count(*) AS n_items, count(DISTINCT shift_id) AS n_shifts,
       count(change_id) AS n_edits,
       count(change_id) FILTER (WHERE by_self) AS n_self,
       count(*) FILTER (WHERE form = 'pay_code_raised') AS n_pay_code,
       count(*) FILTER (WHERE form = 'hours_added') AS n_hours,
       count(*) FILTER (WHERE form = 'created_after_worked') AS n_created,
       count(*) FILTER (WHERE unapproved) AS n_unapproved,
       count(*) FILTER (WHERE late_habit) AS n_long_after,
       count(*) FILTER (WHERE untraced AND NOT late_habit AND NOT unapproved) AS n_untraced,
       count(*) FILTER (WHERE form = 'cancelled_then_worked') AS n_reinstated,
       count(*) FILTER (WHERE to_bank_holiday) AS n_false_bank_holiday,
       round(coalesce(sum(hours_up), 0), 2) AS hours_added,
       list(DISTINCT form ORDER BY form) AS forms,
       min(start) AS window_start, max("end") AS window_end,
       list(DISTINCT change_id ORDER BY change_id) FILTER (WHERE change_id IS NOT NULL) AS change_ids,
       list(DISTINCT shift_id ORDER BY shift_id) AS shift_ids
FROM hits
GROUP BY officer_id
HAVING count(*) >= $min_edits
ORDER BY officer_id
