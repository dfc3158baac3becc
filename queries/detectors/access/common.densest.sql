dense AS (
    SELECT officer_id, ts, count(*) OVER w AS n, min(ts) OVER w AS first_ts
    FROM {{hits}}
    WINDOW w AS (PARTITION BY officer_id ORDER BY ts
                 RANGE BETWEEN to_days(CAST($window_days AS INTEGER)) PRECEDING AND CURRENT ROW)),
best AS (
    SELECT officer_id, arg_max(struct_pack(ts, n, first_ts), struct_pack(n := n, earlier := -epoch(ts))) AS b
    FROM dense GROUP BY officer_id),  -- ties: the earliest window, whatever the row order
win AS (
    SELECT h.*, b.b.n AS n_window, b.b.first_ts AS window_start, b.b.ts AS window_end
    FROM {{hits}} h JOIN best b USING (officer_id)
    WHERE h.ts BETWEEN b.b.first_ts AND b.b.ts)
