WITH 
{{lookups}},
assigned AS (SELECT count(*) > 0 AS has FROM g_case_assignments),
hits AS MATERIALIZED (
    SELECT * FROM lookups
    WHERE NOT own_case AND (len($categories) = 0 OR list_contains($categories, offence_category))),
opened AS (  -- one row per officer, record and local day: views within one day are one piece of work
    SELECT officer_id, record_id, CAST(ts AS DATE) AS d, min(ts) AS ts FROM hits GROUP BY ALL),
reopened AS (  -- a record opened again on a later day, at most window_days after the officer last opened it
    SELECT * FROM (
        SELECT *, lag(d) OVER (PARTITION BY officer_id, record_id ORDER BY d) AS prev FROM opened)
    WHERE prev IS NOT NULL AND d - prev <= $window_days),
{{densest}},
r_best AS (  -- the window_days window holding most re-openings, and the records reopened in it
    SELECT officer_id, any_value(n_window) AS reopen, any_value(window_start) AS r_start,
           any_value(window_end) AS r_end, list(DISTINCT record_id ORDER BY record_id) AS r_recs
    FROM win GROUP BY officer_id),
r_top AS (  -- the most re-openings of any one record in that window
    SELECT officer_id, max(k) AS top_reopen
    FROM (SELECT officer_id, record_id, count(*) AS k FROM win GROUP BY ALL) x GROUP BY officer_id),
rec AS (SELECT officer_id, record_id, count(*) AS views, min(ts) AS first_ts,
               date_diff('second', min(ts), max(ts)) AS spread_s  -- from the first view to the last
         FROM hits GROUP BY ALL),
tot AS (  -- every different such record an officer opened over the whole period
    SELECT officer_id, count(*) AS n, count(*) FILTER (WHERE views = 1) AS once,
           count(*) FILTER (WHERE spread_s <= 86400) AS one_day,  -- looked at within one sitting of a day
           min(first_ts) AS b_start, max(first_ts) AS b_end
    FROM rec GROUP BY officer_id),
anchors AS (  -- scattered breadth: from each record looked at within one day, how many such records the officer
              -- first opened in the scattered_days after it (officers with enough such records only)
    SELECT a.officer_id, a.first_ts AS a0, count(*) AS k, max(b.first_ts) AS e0
    FROM rec a JOIN rec b ON b.officer_id = a.officer_id
     AND date_diff('second', a.first_ts, b.first_ts) BETWEEN 0 AND $scattered_days * 86400
    WHERE a.spread_s <= 86400 AND b.spread_s <= 86400
      AND a.officer_id IN (SELECT officer_id FROM tot WHERE one_day >= $min_scattered_records)
    GROUP BY a.officer_id, a.record_id, a.first_ts),
scat AS (  -- the officer's densest scattered_days: the most such records, the earliest such stretch on a tie
    SELECT officer_id, max(k) AS s_best,
           arg_max(struct_pack(s := a0, e := e0), struct_pack(k := k, earlier := -epoch(a0))) AS w
    FROM anchors GROUP BY officer_id),
{{job}},
who AS (  -- officers who open victim or witness records at all (the peers), and their jobs
    SELECT p.officer_id, j.unit_id, j.rank, j.role, j.family
    FROM (SELECT DISTINCT officer_id FROM lookups) p LEFT JOIN job j USING (officer_id)),
peer_memb AS (  -- every peer group an officer belongs to
    SELECT officer_id, 'u:' || unit_id || '|r:' || role AS pg FROM who WHERE unit_id IS NOT NULL AND role IS NOT NULL
    UNION ALL SELECT officer_id, 'r:' || role FROM who WHERE role IS NOT NULL
    UNION ALL SELECT officer_id, 'f:' || family FROM who WHERE family IS NOT NULL
    UNION ALL SELECT officer_id, 'u:' || unit_id || '|k:' || rank FROM who WHERE unit_id IS NOT NULL AND rank IS NOT NULL
    UNION ALL SELECT officer_id, 'u:' || unit_id FROM who WHERE unit_id IS NOT NULL),
peer_size AS (SELECT pg, count(*) AS n FROM peer_memb GROUP BY ALL),
peer_group AS (  -- same unit and role; else the role across the force; else the kind of work across the force;
                 -- else same unit and rank; else the unit
    SELECT w.officer_id, w.unit_id, w.role, w.family,
           CASE WHEN ur.n >= $min_peers THEN 'u:' || w.unit_id || '|r:' || w.role
                WHEN fr.n >= $min_peers THEN 'r:' || w.role
                WHEN ff.n >= $min_peers THEN 'f:' || w.family
                WHEN uk.n >= $min_peers THEN 'u:' || w.unit_id || '|k:' || w.rank
                WHEN uu.n >= $min_peers THEN 'u:' || w.unit_id END AS pg,
           CASE WHEN ur.n >= $min_peers THEN 'same unit and role'
                WHEN fr.n >= $min_peers THEN 'same role across the force'
                WHEN ff.n >= $min_peers THEN 'same kind of work across the force'
                WHEN uk.n >= $min_peers THEN 'same unit and rank'
                WHEN uu.n >= $min_peers THEN 'same unit' END AS pg_kind
    FROM who w
    LEFT JOIN peer_size ur ON ur.pg = 'u:' || w.unit_id || '|r:' || w.role
    LEFT JOIN peer_size fr ON fr.pg = 'r:' || w.role
    LEFT JOIN peer_size ff ON ff.pg = 'f:' || w.family
    LEFT JOIN peer_size uk ON uk.pg = 'u:' || w.unit_id || '|k:' || w.rank
    LEFT JOIN peer_size uu ON uu.pg = 'u:' || w.unit_id),
other AS (  -- each viewer's lookups of every other kind of record: how busy they are at the keyboard
    SELECT a.officer_id, count(*) - any_value(k.n) AS n
    FROM system_access a JOIN (SELECT officer_id, count(*) AS n FROM lookups GROUP BY ALL) k USING (officer_id)
    GROUP BY a.officer_id),
vals AS (  -- per viewer: different records (breadth) and re-openings in their busiest window (repeated)
    SELECT g.officer_id, g.unit_id, g.role, g.family, g.pg, g.pg_kind, coalesce(t.n, 0) AS n,
           coalesce(b.reopen, 0) AS reopen, coalesce(o.n, 0) AS other_n
    FROM peer_group g LEFT JOIN tot t USING (officer_id) LEFT JOIN r_best b USING (officer_id)
    LEFT JOIN other o USING (officer_id)),
cand AS (SELECT * FROM vals
         WHERE n >= least($min_distinct_records, $min_scattered_records)
            OR reopen >= least($min_reopenings, $min_record_reopenings)),
group_peers AS (  -- the peers doing the same job (the officer aside)
    SELECT c.officer_id, count(p.officer_id) AS peers, median(p.n) AS med, quantile_cont(p.n, 0.9) AS p90,
           median(p.reopen) AS r_med, median(p.other_n) AS other_med
    FROM cand c LEFT JOIN vals p ON p.pg = c.pg AND p.officer_id <> c.officer_id
    GROUP BY c.officer_id),
unit_alike AS (  -- unit colleagues who open many such records too (the team's work, where no role says so);
                 -- alike_s: those who open at least min_scattered_records (for scattered records)
    SELECT c.officer_id, count(p.officer_id) FILTER (WHERE p.n >= $min_distinct_records) AS alike,
           median(CASE WHEN p.n >= $min_distinct_records THEN p.n END) AS alike_med, count(p.officer_id) AS alike_s
    FROM cand c LEFT JOIN vals p ON p.unit_id = c.unit_id AND p.officer_id <> c.officer_id
     AND p.n >= least($min_distinct_records, $min_scattered_records)
    GROUP BY c.officer_id),
job_alike AS (  -- for an officer whose role too few share for a peer group: officers across the force in the same
                -- role, or doing the same kind of work, who open many such records too (their job)
    SELECT c.officer_id, count(p.officer_id) FILTER (WHERE p.n >= $min_distinct_records) AS alike,
           median(CASE WHEN p.n >= $min_distinct_records THEN p.n END) AS alike_med, count(p.officer_id) AS alike_s
    FROM cand c LEFT JOIN peer_size rs ON rs.pg = 'r:' || c.role
    LEFT JOIN vals p ON (p.role = c.role OR p.family = c.family) AND p.officer_id <> c.officer_id
     AND p.n >= least($min_distinct_records, $min_scattered_records)
    WHERE coalesce(rs.n, 0) < $min_peers
    GROUP BY c.officer_id),
force_peers AS (  -- only for an officer with no peer group (every other viewer, read once per such officer)
    SELECT c.officer_id, count(p.officer_id) AS peers, median(p.n) AS med, quantile_cont(p.n, 0.9) AS p90,
           median(p.reopen) AS r_med, median(p.other_n) AS other_med
    FROM cand c LEFT JOIN vals p ON p.officer_id <> c.officer_id
    WHERE c.pg IS NULL
    GROUP BY c.officer_id),
compared AS (
    SELECT c.*, t.once AS b_once, coalesce(sc.s_best, 0) AS s_best, sc.w.s AS s_start, sc.w.e AS s_end, t.b_start, t.b_end,
           CASE WHEN a.alike >= $min_alike THEN 'alike'
                WHEN ja.alike >= $min_alike THEN 'job alike'
                WHEN c.pg IS NOT NULL THEN c.pg_kind ELSE 'force' END AS peer_group,
           coalesce(CASE WHEN a.alike >= $min_alike THEN a.alike_med
                         WHEN ja.alike >= $min_alike THEN ja.alike_med
                         WHEN c.pg IS NOT NULL THEN g.med ELSE f.med END, 0) AS peer_median,
           -- how many times the peers' usual volume of other lookups the officer makes (at least 1): a
           -- breadth that only follows from a high volume of every kind of lookup is not an interest
           greatest(c.other_n / greatest(coalesce(CASE WHEN c.pg IS NOT NULL THEN g.other_med ELSE f.other_med END, 0), 1),
                    1.0) AS volume_factor,
           CASE WHEN c.pg IS NOT NULL THEN c.pg_kind ELSE 'force' END AS r_peer_group,
           coalesce(CASE WHEN c.pg IS NOT NULL THEN g.r_med ELSE f.r_med END, 0) AS r_peer_median,
           -- the peers' 90th percentile of such records, and how many peers there are (scattered
           -- breadth); and whether colleagues alike open as many as scattered breadth needs
           coalesce(CASE WHEN c.pg IS NOT NULL THEN g.p90 ELSE f.p90 END, 0) AS peer_p90,
           coalesce(CASE WHEN c.pg IS NOT NULL THEN g.peers ELSE f.peers END, 0) AS s_peers,
           a.alike_s >= $min_alike OR coalesce(ja.alike_s, 0) >= $min_alike AS alike_s
    FROM cand c LEFT JOIN tot t USING (officer_id) JOIN group_peers g USING (officer_id)
    JOIN unit_alike a USING (officer_id) LEFT JOIN job_alike ja USING (officer_id)
    LEFT JOIN force_peers f USING (officer_id) LEFT JOIN scat sc USING (officer_id)),
r_span AS (  -- the officer's views of such records in the window_days to the window's end
    SELECT c.officer_id, count(*) AS span_views,
           count(*) FILTER (WHERE list_contains(b.r_recs, h.record_id)) AS r_views,
           list(h.access_id ORDER BY h.ts) FILTER (WHERE list_contains(b.r_recs, h.record_id)) AS r_ids,
           min(h.ts) FILTER (WHERE list_contains(b.r_recs, h.record_id)) AS r_first,
           max(h.ts) FILTER (WHERE list_contains(b.r_recs, h.record_id)) AS r_last
    FROM compared c JOIN r_best b USING (officer_id)
    JOIN hits h ON h.officer_id = c.officer_id
     AND CAST(h.ts AS DATE) BETWEEN CAST(b.r_end AS DATE) - CAST($window_days AS INTEGER) AND CAST(b.r_end AS DATE)
    WHERE c.reopen >= least($min_reopenings, $min_record_reopenings) GROUP BY c.officer_id),
r_days AS (  -- per reopened record, the different days it was opened on in that span
    SELECT b.officer_id, list(k ORDER BY k DESC) AS per_record
    FROM r_best b JOIN (
        SELECT o.officer_id, o.record_id, count(*) AS k FROM opened o JOIN r_best b USING (officer_id)
        WHERE list_contains(b.r_recs, o.record_id)
          AND o.d BETWEEN CAST(b.r_end AS DATE) - CAST($window_days AS INTEGER) AND CAST(b.r_end AS DATE)
        GROUP BY ALL) x USING (officer_id)
    GROUP BY b.officer_id),
repeated AS (  -- the same few records reopened again and again, far more than peers doing the same job;
               -- or one record reopened min_record_reopenings times (four days' views of one victim)
    SELECT c.officer_id, c.reopen, len(b.r_recs) AS r_records, s.r_views, s.span_views, s.r_ids, b.r_recs,
           s.r_first AS r_start, s.r_last AS r_end, d.per_record, c.r_peer_group, c.r_peer_median
    FROM compared c JOIN r_best b USING (officer_id) JOIN r_span s USING (officer_id) JOIN r_days d USING (officer_id)
    JOIN r_top t USING (officer_id)
    WHERE (SELECT has FROM assigned)
      AND (c.reopen >= c.r_peer_median + $min_reopenings
           OR (t.top_reopen >= $min_record_reopenings AND c.reopen >= c.r_peer_median + $min_record_reopenings))
      AND c.reopen >= $peer_ratio * c.r_peer_median
      AND s.r_views >= $min_repeat_share * s.span_views),
breadth_hits AS (  -- many more different records than the peers' median; or (scattered), where the case
                   -- assignments say whose cases are whose and the peers hardly ever open such records, several
                   -- records each looked at within one day, first opened within scattered_days of one another,
                   -- far beyond the peers' 90th percentile over the whole period (not where
                   -- colleagues alike open as many: the unit's team, or the officer's kind of work)
    SELECT officer_id, n AS b_records, b_once, s_best, s_start, s_end, b_start, b_end, peer_median, peer_group,
           volume_factor, r_peer_group AS s_peer_group, peer_p90,
           NOT (n >= peer_median * volume_factor + $min_distinct_records
                AND n >= $peer_ratio * peer_median * volume_factor) AS scattered
    FROM compared
    WHERE (n >= peer_median * volume_factor + $min_distinct_records AND n >= $peer_ratio * peer_median * volume_factor)
       OR ((SELECT has FROM assigned) AND NOT alike_s AND s_peers >= $min_peers - 1
           AND s_best >= $min_scattered_records
           AND s_best >= $peer_ratio * greatest(peer_p90 * volume_factor, 1))),
flagged AS (
    SELECT officer_id FROM repeated UNION SELECT officer_id FROM breadth_hits)
SELECT f.officer_id, r.reopen, r.r_records, r.r_views, r.span_views, r.r_start, r.r_end, r.per_record,
       r.r_peer_group, r.r_peer_median,
       b.b_records, b.b_once, b.s_best, b.s_start, b.s_end, b.b_start, b.b_end, b.peer_median, b.peer_group, b.volume_factor,
       b.scattered, b.s_peer_group, b.peer_p90,
       (SELECT has FROM assigned) AS has_assignments,
       least(r.r_start, b.b_start) AS window_start, greatest(r.r_end, b.b_end) AS window_end,
       CASE WHEN b.officer_id IS NULL THEN r.r_ids
            ELSE (SELECT list(h.access_id ORDER BY h.ts) FROM hits h WHERE h.officer_id = f.officer_id)
       END AS access_ids,
       CASE WHEN b.officer_id IS NULL THEN r.r_recs
            ELSE (SELECT list(DISTINCT h.record_id ORDER BY h.record_id) FROM hits h WHERE h.officer_id = f.officer_id)
       END AS record_ids
FROM flagged f LEFT JOIN repeated r USING (officer_id) LEFT JOIN breadth_hits b USING (officer_id)
ORDER BY f.officer_id
