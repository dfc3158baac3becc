WITH 
{{lookups}},
quoted AS (  -- the cases officers quote in lookups outside their own cases
    SELECT DISTINCT officer_id, quoted_case FROM lookups
    WHERE NOT own_case AND quoted_case IS NOT NULL),
near AS (  -- of those, the cases the officer, an officer of their unit, or an officer they line-manage
           -- (directly or one level down) was ever assigned to: a colleague's or their team's case
    SELECT DISTINCT q.officer_id, q.quoted_case
    FROM quoted q JOIN g_case_assignments ca ON ca.case_ref = q.quoted_case
    LEFT JOIN g_officers a ON a.officer_id = ca.officer_id
    LEFT JOIN g_officers me ON me.officer_id = q.officer_id
    LEFT JOIN g_officers m ON m.officer_id = a.line_manager_id
    WHERE ca.officer_id = q.officer_id OR a.unit_id = me.unit_id OR a.line_manager_id = q.officer_id
       OR m.line_manager_id = q.officer_id),
hits AS (  -- lookups outside the officer's own cases with no purpose that holds
    SELECT * FROM (
        SELECT l.*, CASE WHEN l.purpose_code IS NULL OR trim(l.purpose_code) = '' THEN 'missing_code'
                         WHEN l.purpose_code IN ({blank}) THEN 'placeholder_code'
                         WHEN l.quoted_case IS NULL AND l.purpose_code IN ({case_codes}) THEN 'case_code_without_case'
                         WHEN l.quoted_case IS NOT NULL AND n.officer_id IS NULL THEN 'case_not_theirs' END AS form
        FROM lookups l LEFT JOIN near n ON n.officer_id = l.officer_id AND n.quoted_case = l.quoted_case
        WHERE NOT l.own_case) x
    WHERE form IS NOT NULL),
stale AS (  -- of the cases quoted that are not theirs (nor their unit's or team's), those closed, and when
    SELECT q.officer_id, q.quoted_case, c.closed_date AS closed
    FROM quoted q JOIN g_cases c ON c.case_ref = q.quoted_case
    LEFT JOIN near n ON n.officer_id = q.officer_id AND n.quoted_case = q.quoted_case
    WHERE n.officer_id IS NULL AND c.closed_date IS NOT NULL),
stale_hits AS (  -- lookups quoting such a case more than grace_days after it closed, of a record not of that
                 -- case: a closed case borrowed as the purpose (reading a closed case's own records is not this)
    SELECT h.access_id
    FROM hits h JOIN stale st ON st.officer_id = h.officer_id AND st.quoted_case = h.quoted_case
    LEFT JOIN g_records r ON r.record_id = h.record_id
    WHERE h.form = 'case_not_theirs' AND CAST(h.ts AS DATE) > st.closed + CAST($grace_days AS INTEGER)
      AND (r.case_ref IS NULL OR r.case_ref <> h.quoted_case)),
enquiries AS (  -- a record looked up on a day: one enquiry, however many screens and systems
    SELECT officer_id, record_id, CAST(ts AS DATE) AS d, min(ts) AS ts,
           any_value(case_ref) AS case_ref, count(*) AS lookups,
           count(*) FILTER (WHERE form = 'missing_code') AS missing,
           count(*) FILTER (WHERE form = 'placeholder_code') AS placeholder,
           count(*) FILTER (WHERE form IN ('case_not_theirs', 'case_code_without_case')) AS unsupported,
           count(*) FILTER (WHERE is_stale) AS closed,
           -- no purpose stated: none of its lookups quotes a case (a search quoting one and the
           -- uncoded views that follow it state one purpose, which may not hold)
           CASE WHEN count(*) FILTER (WHERE form = 'case_not_theirs') = 0 THEN count(*) ELSE 0 END AS unstated,
           bool_or(coalesce(list_contains($sensitive_records, sensitivity), false)) AS sensitive,
           list(trim(purpose_code)) FILTER (WHERE form = 'placeholder_code') AS codes,
           list(DISTINCT quoted_case) FILTER (WHERE form = 'case_not_theirs') AS cases,
           list(DISTINCT quoted_case) FILTER (WHERE is_stale) AS closed_cases,
           list(DISTINCT form) AS forms, list(access_id) AS ids
    FROM (SELECT h.*, sh.access_id IS NOT NULL AS is_stale FROM hits h LEFT JOIN stale_hits sh ON sh.access_id = h.access_id) x
    GROUP BY officer_id, record_id, CAST(ts AS DATE)),
kinds AS (  -- what is counted: every enquiry with no purpose stated (no code, a placeholder, a case code with
            -- no case); those whose stated purpose does not hold (a case not theirs, a case code with no
            -- case); of those, the ones quoting a closed case; those of sensitive records
    SELECT 'any' AS kind, * FROM enquiries WHERE unstated > 0
    UNION ALL SELECT 'unsupported' AS kind, * FROM enquiries WHERE unsupported > 0
    UNION ALL SELECT 'closed' AS kind, * FROM enquiries WHERE closed > 0
    UNION ALL SELECT 'sensitive' AS kind, * FROM enquiries WHERE sensitive),
dense AS (
    SELECT officer_id, kind, ts,
           count(*) OVER s AS n_short, min(ts) OVER s AS first_short,
           count(*) OVER l AS n_long, min(ts) OVER l AS first_long
    FROM kinds
    WINDOW s AS (PARTITION BY officer_id, kind ORDER BY ts
                 RANGE BETWEEN to_days(CAST($window_days AS INTEGER)) PRECEDING AND CURRENT ROW),
           l AS (PARTITION BY officer_id, kind ORDER BY ts
                 RANGE BETWEEN to_days(CAST($long_window_days AS INTEGER)) PRECEDING AND CURRENT ROW)),
best AS (  -- per officer and kind, the window of each length holding most (ties: the earliest)
    SELECT officer_id, kind,
           arg_max(struct_pack(ts, n := n_short, first_ts := first_short),
                   struct_pack(n := n_short, earlier := -epoch(ts))) AS s,
           arg_max(struct_pack(ts, n := n_long, first_ts := first_long),
                   struct_pack(n := n_long, earlier := -epoch(ts))) AS l
    FROM dense GROUP BY officer_id, kind),
spans AS (
    SELECT officer_id, kind, CAST($window_days AS INTEGER) AS span, s.n AS n_window,
           s.first_ts AS window_start, s.ts AS window_end FROM best WHERE kind = 'any'
    UNION ALL
    SELECT officer_id, kind, CAST($long_window_days AS INTEGER) AS span, l.n AS n_window,
           l.first_ts AS window_start, l.ts AS window_end FROM best),
candidates AS (
    SELECT * FROM spans
    WHERE n_window >= CASE kind WHEN 'any' THEN $min_lookups WHEN 'unsupported' THEN $min_unsupported
                                WHEN 'closed' THEN $min_closed ELSE $min_sensitive END),
found AS (
    SELECT c.officer_id, c.kind, c.span, any_value(c.n_window) AS n, any_value(c.window_start) AS window_start,
           any_value(c.window_end) AS window_end, count(DISTINCT k.record_id) AS records,
           sum(k.lookups) AS lookups, count(*) FILTER (WHERE k.case_ref IS NULL) AS no_case,
           sum(k.missing) AS missing, sum(k.placeholder) AS placeholder,
           count(*) FILTER (WHERE k.unsupported > 0) AS unsupported,
           count(*) FILTER (WHERE k.sensitive) AS sensitive,
           list_sort(list_distinct(flatten(list(k.codes)))) AS codes,
           list_sort(list_distinct(flatten(list(k.cases)))) AS cases,
           list_sort(list_distinct(flatten(list(k.closed_cases)))) AS closed_cases,
           list_sort(list_distinct(flatten(list(k.forms)))) AS forms,
           list_sort(flatten(list(k.ids))) AS access_ids
    FROM candidates c JOIN kinds k ON k.officer_id = c.officer_id AND k.kind = c.kind
     AND k.ts BETWEEN c.window_start AND c.window_end
    GROUP BY c.officer_id, c.kind, c.span),
everyone AS MATERIALIZED (  -- every officer's enquiries outside their own cases on the systems that ask for a
                            -- purpose: on the system of the first lookup; of what kinds, when an enquiry above
    SELECT officer_id, d, {first_system} AS "system", record_id
    FROM (SELECT s.officer_id, s.record_id, CAST(s.ts AS DATE) AS d, s.ts, s."system",
                 coalesce(s.case_ref, r.case_ref) AS case_ref
          FROM system_access s LEFT JOIN g_records r USING (record_id)
          WHERE s."system" IN ({systems})) x
    WHERE NOT EXISTS (SELECT 1 FROM g_case_assignments ca
                      WHERE ca.officer_id = x.officer_id AND ca.case_ref = x.case_ref
                        AND x.d >= ca.start_date - CAST($grace_days AS INTEGER)
                        AND (ca.end_date IS NULL OR x.d <= ca.end_date + CAST($grace_days AS INTEGER)))
    GROUP BY officer_id, record_id, d),
marked AS (  -- each of them: without a purpose (any), with one that does not hold, of a sensitive record
    SELECT e.officer_id, e.d, e."system", coalesce(q.unstated > 0, false) AS is_any,
           coalesce(q.unsupported > 0, false) AS is_unsupported, coalesce(q.closed > 0, false) AS is_closed,
           coalesce(q.sensitive, false) AS is_sensitive
    FROM everyone e LEFT JOIN enquiries q
      ON q.officer_id = e.officer_id AND q.record_id = e.record_id AND q.d = e.d),
per_officer AS (
    SELECT officer_id, "system", count(*) AS n, count(*) FILTER (WHERE is_any) AS blank,
           count(*) FILTER (WHERE is_unsupported) AS unsupported, count(*) FILTER (WHERE is_closed) AS closed,
           count(*) FILTER (WHERE is_sensitive) AS sensitive
    FROM marked GROUP BY ALL),
background AS (
    SELECT "system", sum(n) AS n, sum(blank) AS blank, sum(unsupported) AS unsupported, sum(closed) AS closed,
           sum(sensitive) AS sensitive
    FROM per_officer GROUP BY "system"),
everywhere AS (SELECT sum(n) AS n, sum(blank) AS blank, sum(unsupported) AS unsupported, sum(closed) AS closed,
                      sum(sensitive) AS sensitive
               FROM background),
mine AS (  -- each officer's own enquiries outside their own cases over the whole period, of each count
    SELECT officer_id, sum(n) AS n, sum(blank) AS blank, sum(unsupported) AS unsupported, sum(closed) AS closed,
           sum(sensitive) AS sensitive FROM per_officer GROUP BY officer_id),
rates AS (  -- everyone else's share of each kind, per system: pooled with the force's share, as if the
            -- system held $background_prior more enquiries at the force's share (a system where few
            -- enquiries fall outside a case tells little on its own)
    SELECT f.officer_id, b."system",
           (b.blank - coalesce(o.blank, 0) + $background_prior * (w.blank - a.blank) / greatest(w.n - a.n, 1))
             / (greatest(b.n - coalesce(o.n, 0), 0) + $background_prior) AS r_any,
           (b.unsupported - coalesce(o.unsupported, 0)
             + $background_prior * (w.unsupported - a.unsupported) / greatest(w.n - a.n, 1))
             / (greatest(b.n - coalesce(o.n, 0), 0) + $background_prior) AS r_unsupported,
           (b.closed - coalesce(o.closed, 0)
             + $background_prior * (w.closed - a.closed) / greatest(w.n - a.n, 1))
             / (greatest(b.n - coalesce(o.n, 0), 0) + $background_prior) AS r_closed,
           (b.sensitive - coalesce(o.sensitive, 0)
             + $background_prior * (w.sensitive - a.sensitive) / greatest(w.n - a.n, 1))
             / (greatest(b.n - coalesce(o.n, 0), 0) + $background_prior) AS r_sensitive
    FROM (SELECT DISTINCT officer_id FROM found) f CROSS JOIN background b CROSS JOIN everywhere w
    JOIN mine a ON a.officer_id = f.officer_id
    LEFT JOIN per_officer o ON o.officer_id = f.officer_id AND o."system" = b."system"),
usual AS (  -- what everyone else's share predicts for the officer's enquiries (outside their own cases) in the
            -- span's days to the window's end, system by system, for the kind counted
    SELECT f.officer_id, f.kind, f.span, count(*) AS all_n,
           count(*) FILTER (WHERE CASE f.kind WHEN 'any' THEN m.is_any WHEN 'unsupported' THEN m.is_unsupported
                                   WHEN 'closed' THEN m.is_closed ELSE m.is_sensitive END) AS all_blank,
           sum(CASE f.kind WHEN 'any' THEN r.r_any WHEN 'unsupported' THEN r.r_unsupported
                           WHEN 'closed' THEN r.r_closed ELSE r.r_sensitive END) AS expected
    FROM found f JOIN marked m ON m.officer_id = f.officer_id
     AND m.d BETWEEN CAST(f.window_end AS DATE) - f.span AND CAST(f.window_end AS DATE)
    JOIN rates r ON r.officer_id = f.officer_id AND r."system" = m."system"
    GROUP BY f.officer_id, f.kind, f.span),
likely AS (  -- beyond the background already (what the judgement below asks in any case): the spread of
             -- officers' shares is read for these officers only
    SELECT f.*, u.all_n, u.all_blank, u.expected
    FROM found f JOIN usual u ON u.officer_id = f.officer_id AND u.kind = f.kind AND u.span = f.span
    WHERE f.n >= $min_ratio * u.expected AND (f.kind <> 'any' OR f.n - u.expected >= $min_excess)),
shares AS (  -- each officer's share of enquiries without a purpose over the period (with enough enquiries)
    SELECT p.officer_id, any_value(g.unit_id) AS unit_id, sum(p.blank) / sum(p.n) AS share
    FROM per_officer p LEFT JOIN g_officers g USING (officer_id)
    GROUP BY p.officer_id HAVING sum(p.n) >= $min_lookups),
spread_unit AS (  -- the share of the officers who leave the purpose out most often among the officer's unit
                  -- colleagues (the officer aside)
    SELECT f.officer_id, count(s.officer_id) AS unit_peers, quantile_cont(s.share, $tail_quantile) AS unit_tail
    FROM (SELECT DISTINCT officer_id FROM likely WHERE kind = 'any') f LEFT JOIN g_officers me USING (officer_id)
    LEFT JOIN shares s ON s.unit_id = me.unit_id AND s.officer_id <> f.officer_id
    GROUP BY f.officer_id),
spread AS (  -- and across the force (everyone else), read only for an officer with fewer than min_peers such
             -- colleagues: every officer's share once per such officer, not per officer judged
    SELECT u.officer_id, u.unit_peers, u.unit_tail, t.force_tail
    FROM spread_unit u LEFT JOIN (
        SELECT u.officer_id, quantile_cont(s.share, $tail_quantile) AS force_tail
        FROM spread_unit u JOIN shares s ON s.officer_id <> u.officer_id
        WHERE u.unit_peers < $min_peers GROUP BY u.officer_id) t USING (officer_id)),
judged AS (
    SELECT f.*, f.n / greatest(f.expected, 1e-9) AS ratio, f.n / f.all_n AS share,
           CASE WHEN s.unit_peers >= $min_peers THEN 'unit' ELSE 'force' END AS tail_of,
           coalesce(CASE WHEN s.unit_peers >= $min_peers THEN s.unit_tail ELSE s.force_tail END, 0) AS tail,
           o.blank / greatest(o.n, 1) AS period_share,
           -- their usual share outside the window (a burst stands out from it)
           (o.blank - f.all_blank) / greatest(o.n - f.all_n, 1) AS usual_share
    FROM likely f LEFT JOIN spread s ON s.officer_id = f.officer_id JOIN mine o ON o.officer_id = f.officer_id)
SELECT * FROM judged
WHERE n >= $min_ratio * expected
  AND (kind <> 'any' OR (
      share >= $min_tail_ratio * tail
      -- a clear excess in numbers too: beyond what the background or the top of the spread would hold
      AND n - greatest(expected, all_n * tail) >= $min_excess
      -- and either a burst well beyond the officer's own usual share, or a whole period beyond the top of the
      -- spread: a window picked as the densest of a steady 6% (a team that often leaves the code out) is neither
      AND (share >= $min_tail_ratio * usual_share OR period_share >= $min_tail_ratio * tail)))
ORDER BY officer_id, kind, span
