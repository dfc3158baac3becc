"""Attendance detectors, in SQL on the event store.

Days are local days (the ingest's ``LINKWATCH_TIMEZONE``). A *rostered office day* is a
worked ``day``/``early``/``late``/``night``/``training`` duty with a site; duties with
no site (home working, court) are not office days.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from queries.detectors.base import Detector, MethodCard, Param
from queries.detectors.common import day, officer_flags, rows_evidence

OFFICE_DUTIES = "('day', 'early', 'late', 'night', 'training')"

# ---------------------------------------------------------------------------- below threshold

BELOW_SQL = f"""
WITH office_days AS (
    SELECT s.officer_id, CAST(s.start AS DATE) AS d, min(s.shift_id) AS shift_id
    FROM shifts s JOIN g_officers o USING (officer_id)
    WHERE list_contains($work_patterns, o.work_pattern) AND s.status = 'worked'
      AND s.site_id IS NOT NULL AND s.duty_type IN {OFFICE_DUTIES}
    GROUP BY ALL),
badged AS (SELECT DISTINCT officer_id, CAST(ts AS DATE) AS d FROM badge_events WHERE direction = 'in'),
remote AS (
    SELECT DISTINCT officer_id, CAST(start AS DATE) AS d FROM remote_sessions
    WHERE NOT list_has_any([source_ip LIKE p || '%' FOR p IN $office_networks], [true])),
daily AS (
    SELECT od.officer_id, od.d, od.shift_id, b.d IS NOT NULL AS present,
           b.d IS NULL AND r.d IS NOT NULL AS remote_instead
    FROM office_days od
    LEFT JOIN badged b USING (officer_id, d)
    LEFT JOIN remote r USING (officer_id, d)),
win AS (
    SELECT officer_id, d,
           count(*) OVER w AS days, sum(present::INT) OVER w AS present_days,
           sum(remote_instead::INT) OVER w AS remote_days, min(d) OVER w AS first_day
    FROM daily
    WINDOW w AS (PARTITION BY officer_id ORDER BY d
                 RANGE BETWEEN to_days(CAST($window_days AS INTEGER) - 1) PRECEDING AND CURRENT ROW)),
worst AS (
    SELECT officer_id, arg_min(struct_pack(d, days, present_days, remote_days, first_day),
                               present_days / days) AS w
    FROM win WHERE days >= $min_office_days GROUP BY officer_id)
SELECT officer_id, w.first_day AS window_start, w.d AS window_end, w.days AS office_days,
       w.present_days, w.remote_days, w.present_days / w.days AS share,
       (SELECT list(x.shift_id ORDER BY x.d) FROM daily x
         WHERE x.officer_id = worst.officer_id AND NOT x.present AND x.d BETWEEN w.first_day AND w.d) AS missed_shifts
FROM worst
WHERE w.present_days / w.days < $threshold
ORDER BY officer_id"""


def _below(rows: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    return officer_flags(
        "attendance.below_threshold",
        rows,
        score=lambda r: 0.5 + (p["threshold"] - r["share"]),
        explain=lambda r: (
            f"Badged in on {r['present_days']} of {r['office_days']} rostered office days "
            f"({r['share']:.0%}) between {day(r['window_start'])} and {day(r['window_end'])}, "
            f"against a policy of {p['threshold']:.0%}; logged on remotely from outside the office "
            f"network on {r['remote_days']} of the other days."
        ),
        evidence=lambda r: rows_evidence("shifts", r["missed_shifts"]),
        id_parts=lambda r: (r["officer_id"],),
    )


BELOW_THRESHOLD = Detector(
    name="attendance.below_threshold",
    card=MethodCard(
        purpose=(
            "Find office and hybrid workers whose in-office attendance is below policy (by default "
            "80% of rostered office days) over a window."
        ),
        reads=(
            "shifts (rostered office days)",
            "badge_events (any swipe in that day)",
            "remote_sessions (for the explanation)",
            "officers (work pattern)",
        ),
        logic=(
            "For officers whose work pattern is in work_patterns, take each rostered office day "
            "(a worked day, early, late, night or training duty with a site) and whether the "
            "officer swiped in anywhere that local day. For every office day compute the share "
            "over the trailing window_days, where the window holds at least min_office_days "
            "office days; flag the officer's lowest share when it is below threshold (one "
            "flag per officer, the worst window). Sickness, leave and agreed remote days are "
            "not office days, so they never lower the share."
        ),
        false_positives=(
            "Work at a site without a badge reader, or a broken reader.",
            "Tailgating colleagues through a door instead of swiping.",
            "Agreed remote days recorded in the roster with a site by mistake.",
        ),
        scoring="score = 0.5 + (threshold - share), between 0 and 1.",
    ),
    params=(
        Param("threshold", float, 0.8, "share of rostered office days that policy requires"),
        Param("window_days", int, 90, "length of the trailing window (days)"),
        Param("min_office_days", int, 20, "office days a window needs to count"),
        Param("work_patterns", list, ["office", "hybrid"], "work patterns the policy applies to"),
        Param(
            "office_networks",
            list,
            ["10.", "172.16.", "192.168."],
            "address prefixes of office networks (remote log-ons from them are in the office)",
        ),
    ),
    to_flags=_below,
    sql=BELOW_SQL,
)

# ---------------------------------------------------------------------------- badge only

BADGE_ONLY_SQL = """
WITH swipes AS (
    SELECT officer_id, CAST(ts AS DATE) AS d, ts, direction, event_id,
           lead(ts) OVER (PARTITION BY officer_id ORDER BY ts) AS next_ts,
           lead(direction) OVER (PARTITION BY officer_id ORDER BY ts) AS next_dir
    FROM badge_events),
worked_days AS (
    SELECT DISTINCT officer_id, CAST(start AS DATE) AS d FROM shifts
    WHERE status = 'worked' AND duty_type NOT IN ('rest_day', 'annual_leave', 'sick')),
looked AS (SELECT DISTINCT officer_id, CAST(ts AS DATE) AS d FROM system_access),
remote_any AS (SELECT DISTINCT officer_id, CAST(start AS DATE) AS d FROM remote_sessions),
outside AS (
    SELECT * FROM remote_sessions
    WHERE NOT list_has_any([source_ip LIKE p || '%' FOR p IN $office_networks], [true])),
short_days AS (  -- in and out within minutes, nothing else that working day
    SELECT s.officer_id, s.d, 'a visit of a few minutes with no other activity' AS why,
           list(s.event_id) AS events, min(s.ts) AS t0, max(s.ts) AS t1
    FROM swipes s
    JOIN worked_days w USING (officer_id, d)
    WHERE NOT EXISTS (SELECT 1 FROM looked l WHERE l.officer_id = s.officer_id AND l.d = s.d)
      AND NOT EXISTS (SELECT 1 FROM remote_any r WHERE r.officer_id = s.officer_id AND r.d = s.d)
    GROUP BY s.officer_id, s.d
    HAVING count(*) = 2 AND min(s.direction) = 'in' AND max(s.direction) = 'out'
       AND arg_min(s.direction, s.ts) = 'in'
       AND max(s.ts) - min(s.ts) <= to_minutes(CAST($max_visit_minutes AS BIGINT))),
remote_while_in AS (  -- a remote log-on from outside the office while badged in
    SELECT s.officer_id, s.d, 'a remote log-on from outside the office network while badged in' AS why,
           [s.event_id] AS events, s.ts AS t0, s.next_ts AS t1
    FROM swipes s JOIN outside o ON o.officer_id = s.officer_id
    WHERE s.direction = 'in' AND s.next_dir = 'out' AND CAST(s.next_ts AS DATE) = s.d
      AND o.start < s.next_ts AND coalesce(o."end", o.start) > s.ts
      AND least(coalesce(o."end", o.start), s.next_ts) - greatest(o.start, s.ts) >= to_minutes(CAST($min_remote_minutes AS BIGINT))),
absent_swipes AS (  -- swipes during the officer's own leave or sickness
    SELECT s.officer_id, s.d, 'swipes while on ' || replace(a.duty_type, '_', ' ') AS why,
           [s.event_id] AS events, s.ts AS t0, s.ts AS t1
    FROM swipes s JOIN shifts a ON a.officer_id = s.officer_id
    WHERE a.duty_type IN ('annual_leave', 'sick') AND a.status <> 'cancelled'
      AND s.ts >= a.start AND s.ts < a."end"),
hits AS (SELECT * FROM short_days UNION ALL SELECT * FROM remote_while_in UNION ALL SELECT * FROM absent_swipes)
SELECT officer_id, count(DISTINCT d) AS n_days, list(DISTINCT why ORDER BY why) AS whys,
       min(t0) AS window_start, max(t1) AS window_end, flatten(list(events)) AS event_ids
FROM hits GROUP BY officer_id
HAVING count(DISTINCT d) >= $min_days
ORDER BY officer_id"""


def _badge_only(rows: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    return officer_flags(
        "attendance.badge_only",
        rows,
        score=lambda r: 0.4 + 0.1 * r["n_days"],
        explain=lambda r: (
            f"On {r['n_days']} days between {day(r['window_start'])} and {day(r['window_end'])} the "
            f"badge record does not look like a day's attendance: {'; '.join(r['whys'])}."
        ),
        evidence=lambda r: rows_evidence("badge_events", r["event_ids"]),
    )


BADGE_ONLY = Detector(
    name="attendance.badge_only",
    card=MethodCard(
        purpose="Find presence that looks manufactured: swipes that stand in for a day in the office.",
        reads=("badge_events", "shifts", "system_access", "remote_sessions"),
        logic=(
            "Count, per officer, days with any of: (a) on a rostered working day, exactly one swipe "
            "in and then one out no more than max_visit_minutes later, and no system lookup or "
            "remote session that day; (b) a remote session from outside the office networks overlapping a "
            "badged-in period (an 'in' followed by an 'out' the same day) by at least "
            "min_remote_minutes; (c) a swipe during the officer's own leave or sickness (not "
            "cancelled). Flag with at least min_days such days."
        ),
        false_positives=(
            "A quick visit to collect kit before a day out of the office (the lookups then show "
            "the work, which clears it).",
            "A remote session left running at home while travelling in.",
            "Coming in on a leave day for a personal reason (collecting belongings).",
        ),
        scoring="score = 0.4 + 0.1 per day, at most 1.",
    ),
    params=(
        Param("min_days", int, 2, "days of badge-only presence that make a flag"),
        Param("max_visit_minutes", int, 10, "longest in-and-out visit that counts as a token visit"),
        Param(
            "min_remote_minutes", int, 30, "overlap of a remote session with a badged-in period that counts"
        ),
        Param(
            "office_networks",
            list,
            ["10.", "172.16.", "192.168."],
            "address prefixes of office networks (remote log-ons from them are in the office)",
        ),
    ),
    to_flags=_badge_only,
    sql=BADGE_ONLY_SQL,
)
