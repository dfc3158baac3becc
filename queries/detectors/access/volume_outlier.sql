WITH daily AS (  -- lookups a day, and of them exports and prints (copies taken out of the system)
    SELECT officer_id, CAST(ts AS DATE) AS d, count(*) AS n, count(*) FILTER (WHERE action IN ('export', 'print')) AS x
    FROM system_access GROUP BY ALL),
duty_rows AS (  -- duties: not cancelled, not rest, leave, sickness or on call
    SELECT officer_id, start, "end" FROM shifts WHERE {{duty}}),
duty AS (  -- duty days: local days on which a duty starts
    SELECT DISTINCT officer_id, CAST(start AS DATE) AS d FROM duty_rows),
span AS (SELECT min(d) AS lo, max(d) AS hi FROM daily),
cal AS (
    SELECT o.officer_id, unnest(generate_series(s.lo, s.hi, INTERVAL 1 DAY))::DATE AS d
    FROM (SELECT DISTINCT officer_id FROM daily) o, span s),
roll AS (
    SELECT c.officer_id, c.d,
           sum(coalesce(daily.n, 0)) OVER w AS n_win,
           sum(CASE WHEN duty.d IS NULL THEN 0 ELSE 1 END) OVER w AS duty_days,
           count(*) OVER w AS days
    FROM cal c LEFT JOIN daily USING (officer_id, d) LEFT JOIN duty USING (officer_id, d)
    WINDOW w AS (PARTITION BY c.officer_id ORDER BY c.d ROWS BETWEEN CAST($window_days AS INTEGER) - 1 PRECEDING AND CURRENT ROW)),
full_win AS (
    SELECT *, n_win / duty_days AS rate FROM roll
    WHERE days = $window_days AND duty_days >= $min_duty_days),
totals AS (  -- the whole period: lookups, duty days, first and last day with lookups
    SELECT o.officer_id, o.n AS tot_n, o.x AS tot_x, coalesce(dd.n, 0) AS tot_dd, o.lo, o.hi
    FROM (SELECT officer_id, sum(n) AS n, sum(x) AS x, min(d) AS lo, max(d) AS hi FROM daily GROUP BY officer_id) o
    -- duty days within the audit log's span only: a roster exported further (planned duties ahead, a
    -- longer history) would dilute every rate
    LEFT JOIN (SELECT officer_id, count(*) AS n FROM duty, span WHERE duty.d BETWEEN span.lo AND span.hi
               GROUP BY officer_id) dd USING (officer_id)),
{{job}},
who AS (SELECT officer_id, unit_id, rank, role, family FROM job),
memb AS (  -- every peer group an officer belongs to
    SELECT officer_id, 'u:' || unit_id || '|r:' || role AS pg FROM who WHERE unit_id IS NOT NULL AND role IS NOT NULL
    UNION ALL SELECT officer_id, 'r:' || role FROM who WHERE role IS NOT NULL
    UNION ALL SELECT officer_id, 'f:' || family FROM who WHERE family IS NOT NULL
    UNION ALL SELECT officer_id, 'u:' || unit_id || '|k:' || rank FROM who WHERE unit_id IS NOT NULL AND rank IS NOT NULL
    UNION ALL SELECT officer_id, 'u:' || unit_id FROM who WHERE unit_id IS NOT NULL),
prate AS (  -- whole-period rate per duty day, of officers with enough duty days
    SELECT t.*, t.tot_n / t.tot_dd AS rate FROM totals t WHERE t.tot_dd >= $min_period_duty_days),
gsize AS (SELECT m.pg, count(*) AS n FROM memb m JOIN prate USING (officer_id) GROUP BY ALL),
role_med AS (SELECT m.pg, median(r.rate) AS med FROM memb m JOIN prate r USING (officer_id) WHERE m.pg LIKE 'r:%' GROUP BY ALL),
unit_level AS (  -- how busy a unit is: the median of its members' rates over their role's force-wide median
    SELECT w.unit_id, median(r.rate / greatest(rm.med, 0.1)) AS factor, count(*) AS n
    FROM who w JOIN prate r USING (officer_id) JOIN role_med rm ON rm.pg = 'r:' || w.role
    WHERE w.unit_id IS NOT NULL GROUP BY ALL),
grp AS (  -- peers doing the same job: same unit and role; else the role across the force, at the unit's level of
          -- activity; else the kind of work across the force; else same unit and rank; else the unit. Beside it,
          -- the role and the kind of work across the force: a role whose whole peer group is high is no outlier
    SELECT w.officer_id,
           CASE WHEN ur.n >= $min_peers THEN 'u:' || w.unit_id || '|r:' || w.role
                WHEN fr.n >= $min_peers AND ul.n >= $min_peers THEN 'r:' || w.role
                WHEN ff.n >= $min_peers THEN 'f:' || w.family
                WHEN uk.n >= $min_peers THEN 'u:' || w.unit_id || '|k:' || w.rank
                WHEN uu.n >= $min_peers THEN 'u:' || w.unit_id END AS pg,
           CASE WHEN ur.n >= $min_peers THEN 'same unit and role'
                WHEN fr.n >= $min_peers AND ul.n >= $min_peers THEN 'same role across the force, at their unit''s level of activity'
                WHEN ff.n >= $min_peers THEN 'same kind of work across the force'
                WHEN uk.n >= $min_peers THEN 'same unit and rank'
                WHEN uu.n >= $min_peers THEN 'same unit' END AS pg_kind,
           CASE WHEN (ur.n < $min_peers OR ur.n IS NULL) AND fr.n >= $min_peers AND ul.n >= $min_peers
                THEN ul.factor END AS scale,
           CASE WHEN fr.n >= $min_peers THEN 'r:' || w.role END AS role_pg,
           -- the role across the force is compared at the unit's level of activity: a quiet unit's
           -- officer is not judged by the busiest units' holders of the role
           CASE WHEN ul.n >= $min_peers THEN ul.factor ELSE 1 END AS role_scale,
           CASE WHEN ff.n >= $min_work_peers THEN 'f:' || w.family END AS family_pg
    FROM who w
    LEFT JOIN gsize ur ON ur.pg = 'u:' || w.unit_id || '|r:' || w.role
    LEFT JOIN gsize fr ON fr.pg = 'r:' || w.role
    LEFT JOIN gsize ff ON ff.pg = 'f:' || w.family
    LEFT JOIN gsize uk ON uk.pg = 'u:' || w.unit_id || '|k:' || w.rank
    LEFT JOIN gsize uu ON uu.pg = 'u:' || w.unit_id
    LEFT JOIN unit_level ul ON ul.unit_id = w.unit_id),
windows AS MATERIALIZED (  -- each officer's windows with their peer groups: only those that already pass the
                           -- tests on the officer's own history, so that peers' rates are needed for few (day, group)
                           -- pairs, not for every officer and day of a Met-sized force
    SELECT f.*, g.pg, g.pg_kind, g.scale, g.role_pg, g.role_scale, g.family_pg
    FROM full_win f JOIN grp g USING (officer_id) JOIN totals t USING (officer_id)
    WHERE g.pg IS NOT NULL AND t.tot_dd - f.duty_days >= $min_baseline_days
      AND f.rate / greatest((t.tot_n - f.n_win) / greatest(t.tot_dd - f.duty_days, 1), 0.5) >= $min_own_ratio
      AND f.n_win - f.duty_days * ((t.tot_n - f.n_win) / greatest(t.tot_dd - f.duty_days, 1)) >= $min_burst_excess),
need AS (  -- the (day, peer group) pairs whose median rate those windows are compared with
    SELECT DISTINCT d, pg FROM (
        SELECT d, pg FROM windows UNION ALL SELECT d, role_pg FROM windows UNION ALL SELECT d, family_pg FROM windows) x
    WHERE pg IS NOT NULL),
peer AS MATERIALIZED (
    SELECT f.d, m.pg, median(f.rate) AS peer_rate, count(*) AS peers
    FROM full_win f JOIN memb m USING (officer_id)
    WHERE EXISTS (SELECT 1 FROM need n WHERE n.d = f.d AND n.pg = m.pg) GROUP BY ALL),
peered AS (  -- per window: the peer rate, or the role's or the kind of work's across the force when higher
    SELECT f.*, p.peers AS g_peers, p.peer_rate * coalesce(f.scale, 1) AS g_rate,
           pr.peers AS r_peers, pr.peer_rate * f.role_scale AS r_rate, pf.peers AS f_peers, pf.peer_rate AS f_rate
    FROM windows f
    JOIN peer p ON p.d = f.d AND p.pg = f.pg
    LEFT JOIN peer pr ON pr.d = f.d AND pr.pg = f.role_pg AND pr.peers >= $min_peers
    LEFT JOIN peer pf ON pf.d = f.d AND pf.pg = f.family_pg AND pf.peers >= $min_work_peers
    WHERE p.peers >= $min_peers),
scored AS (
    SELECT f.officer_id, f.d, f.n_win, f.duty_days, f.rate, greatest(g_rate, r_rate, f_rate) AS peer_rate,
           CASE WHEN greatest(g_rate, r_rate, f_rate) = g_rate THEN g_peers
                WHEN greatest(g_rate, r_rate, f_rate) = r_rate THEN r_peers ELSE f_peers END AS peers,
           CASE WHEN greatest(g_rate, r_rate, f_rate) = g_rate THEN pg_kind
                WHEN greatest(g_rate, r_rate, f_rate) = r_rate THEN 'same role across the force, at their unit''s level of activity'
                ELSE 'same kind of work across the force' END AS pg_kind,
           -- the officer's usual rate: lookups per duty day outside this window
           (t.tot_n - f.n_win) / greatest(t.tot_dd - f.duty_days, 1) AS own_rate,
           f.rate / greatest((t.tot_n - f.n_win) / greatest(t.tot_dd - f.duty_days, 1), 0.5) AS own_ratio,
           f.rate / greatest(greatest(g_rate, r_rate, f_rate), 0.1) AS peer_ratio,
           t.tot_dd - f.duty_days AS baseline_days
    FROM peered f JOIN totals t USING (officer_id)),
spike AS (
    SELECT officer_id, arg_max(struct_pack(d, n_win, duty_days, rate, own_rate, peer_rate, peers, own_ratio, peer_ratio, pg_kind),
                               -- ties: the earliest window, whatever the row order
                               struct_pack(r := least(own_ratio, peer_ratio), earlier := -(d - DATE '1970-01-01'))) AS b
    FROM scored WHERE own_ratio >= $min_own_ratio AND peer_ratio >= $min_peer_ratio
      AND baseline_days >= $min_baseline_days
      -- far beyond in numbers too: a quiet officer's busy week is not a burst
      AND n_win - duty_days * greatest(own_rate, peer_rate) >= $min_burst_excess GROUP BY officer_id),
ppeer AS MATERIALIZED (
    SELECT m.pg, median(r.rate) AS peer_rate, quantile_cont(r.rate, 0.75) AS peer_q75, count(*) AS peers
    FROM prate r JOIN memb m USING (officer_id) GROUP BY ALL),
speered AS (  -- over the period: the peer rates, or the role's or the kind of work's across the force when higher
    SELECT r.*, g.pg_kind, p.peers AS g_peers, p.peer_rate * coalesce(g.scale, 1) AS g_rate,
           p.peer_q75 * coalesce(g.scale, 1) AS g_q75, pr.peers AS r_peers, pr.peer_rate * g.role_scale AS r_rate, pr.peer_q75 * g.role_scale AS r_q75,
           pf.peers AS f_peers, pf.peer_rate AS f_rate, pf.peer_q75 AS f_q75
    FROM prate r JOIN grp g USING (officer_id) JOIN ppeer p ON p.pg = g.pg
    LEFT JOIN ppeer pr ON pr.pg = g.role_pg AND pr.peers >= $min_peers
    LEFT JOIN ppeer pf ON pf.pg = g.family_pg AND pf.peers >= $min_work_peers
    WHERE p.peers >= $min_peers AND r.tot_n >= $min_sustained_lookups),
sustained AS (
    SELECT officer_id, tot_n, tot_dd, rate, lo, hi, greatest(g_rate, r_rate, f_rate) AS peer_rate,
           CASE WHEN greatest(g_rate, r_rate, f_rate) = g_rate THEN g_peers
                WHEN greatest(g_rate, r_rate, f_rate) = r_rate THEN r_peers ELSE f_peers END AS peers,
           CASE WHEN greatest(g_rate, r_rate, f_rate) = g_rate THEN pg_kind
                WHEN greatest(g_rate, r_rate, f_rate) = r_rate THEN 'same role across the force, at their unit''s level of activity'
                ELSE 'same kind of work across the force' END AS pg_kind,
           rate / greatest(greatest(g_rate, r_rate, f_rate), 0.1) AS peer_ratio
    FROM speered
    WHERE rate / greatest(greatest(g_rate, r_rate, f_rate), 0.1) >= $min_sustained_ratio
      AND rate / greatest(greatest(g_q75, r_q75, f_q75), 0.1) >= $min_upper_ratio),
heavy AS (  -- single days far beyond the officer's own usual day: lookups, or exports and prints
    SELECT * FROM (
        SELECT d.officer_id, d.d, 'lookups' AS kind, d.n, (t.tot_n - d.n) / greatest(t.tot_dd - 1, 1) AS usual,
               t.tot_dd
        FROM daily d JOIN totals t USING (officer_id)
        UNION ALL
        SELECT d.officer_id, d.d, 'exports' AS kind, d.x, (t.tot_x - d.x) / greatest(t.tot_dd - 1, 1), t.tot_dd
        FROM daily d JOIN totals t USING (officer_id) WHERE d.x > 0) z
    WHERE tot_dd - 1 >= $min_baseline_days AND n >= $min_day_ratio * greatest(usual, 0.5)
      AND n - usual >= CASE kind WHEN 'lookups' THEN $min_day_excess ELSE $min_day_exports END),
hneed AS (SELECT DISTINCT h.d, g.pg FROM heavy h JOIN grp g USING (officer_id) WHERE g.pg IS NOT NULL),
hmembers AS MATERIALIZED (  -- the members of those groups, for those days only (not every member's every day)
    SELECT n.d, n.pg, m.officer_id FROM hneed n JOIN memb m ON m.pg = n.pg),
hduty AS (  -- who was on duty on those days: a duty that starts that day, or the night before and runs into it
    SELECT DISTINCT officer_id, d FROM (
        SELECT s.officer_id, n.d FROM duty_rows s JOIN (SELECT DISTINCT d FROM hneed) n ON CAST(s.start AS DATE) = n.d
        UNION ALL
        SELECT s.officer_id, n.d FROM duty_rows s JOIN (SELECT DISTINCT d FROM hneed) n
          ON CAST(s.start AS DATE) = n.d - 1
        WHERE CAST(s."end" AS DATE) = n.d AND s."end" > date_trunc('day', s."end")) x),
hpeer AS MATERIALIZED (  -- the peer group's median that day, over its members on duty that day
    SELECT h.d, h.pg, count(*) AS peers, median(coalesce(dl.n, 0)) AS peer_n, median(coalesce(dl.x, 0)) AS peer_x
    FROM hmembers h JOIN hduty du ON du.officer_id = h.officer_id AND du.d = h.d
    LEFT JOIN daily dl ON dl.officer_id = h.officer_id AND dl.d = h.d
    GROUP BY ALL),
heavy_days AS (  -- beyond the peers that day too: a team's operation (every member busy) is no one's burst
    SELECT h.officer_id, list(struct_pack(kind := h.kind, d := h.d, n := h.n, usual := h.usual, peer := p.peer,
                                          peers := p.peers) ORDER BY h.d, h.kind) AS days,
           min(h.d) AS first_day, max(h.d) AS last_day
    FROM heavy h JOIN grp g USING (officer_id)
    JOIN (SELECT d, pg, peers, peer_n AS peer, 'lookups' AS kind FROM hpeer
          UNION ALL SELECT d, pg, peers, peer_x, 'exports' FROM hpeer) p
      ON p.d = h.d AND p.pg = g.pg AND p.kind = h.kind
    WHERE p.peers >= $min_peers AND h.n >= $min_day_ratio * greatest(h.usual, p.peer * coalesce(g.scale, 1), 0.5)
      AND h.n - greatest(h.usual, p.peer * coalesce(g.scale, 1))
          >= CASE h.kind WHEN 'lookups' THEN $min_day_excess ELSE $min_day_exports END
    GROUP BY h.officer_id),
found AS MATERIALIZED (
    SELECT coalesce(k.officer_id, u.officer_id, h.officer_id) AS officer_id,
           k.b IS NOT NULL AS is_spike, u.officer_id IS NOT NULL AS is_sustained,
           h.officer_id IS NOT NULL AS is_heavy_day, h.days AS heavy_days,
           k.b.n_win AS n, k.b.duty_days AS duty_days, k.b.rate AS rate, k.b.own_rate AS own_rate,
           k.b.peer_rate AS peer_rate, k.b.peers AS peers, k.b.own_ratio AS own_ratio, k.b.peer_ratio AS peer_ratio,
           k.b.d - (CAST($window_days AS INTEGER) - 1) AS spike_start, k.b.d AS spike_end,
           u.tot_n AS period_n, u.tot_dd AS period_duty_days, u.rate AS period_rate, u.peer_rate AS period_peer_rate,
           u.peers AS period_peers, u.peer_ratio AS period_peer_ratio, u.lo AS period_start, u.hi AS period_end,
           coalesce(k.b.pg_kind, u.pg_kind) AS peer_kind,
           CASE WHEN u.officer_id IS NOT NULL THEN u.lo
                ELSE least(k.b.d - (CAST($window_days AS INTEGER) - 1), h.first_day) END AS window_start,
           CASE WHEN u.officer_id IS NOT NULL THEN u.hi ELSE greatest(k.b.d, h.last_day) END AS window_end
    FROM spike k FULL OUTER JOIN sustained u USING (officer_id) FULL OUTER JOIN heavy_days h
      ON h.officer_id = coalesce(k.officer_id, u.officer_id)),
counted AS (  -- distinct records looked up in the burst and in the whole window
    SELECT f.officer_id,
           count(DISTINCT s.record_id) FILTER (WHERE CAST(s.ts AS DATE) BETWEEN f.spike_start AND f.spike_end) AS records,
           count(DISTINCT s.record_id) AS period_records
    FROM found f JOIN system_access s ON s.officer_id = f.officer_id
     AND CAST(s.ts AS DATE) BETWEEN f.window_start AND f.window_end
    GROUP BY f.officer_id)
SELECT f.*, c.records, c.period_records FROM found f JOIN counted c USING (officer_id)
ORDER BY f.officer_id
