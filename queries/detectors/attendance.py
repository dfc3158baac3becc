"""Attendance detectors, in SQL on the event store.

Days are local days (the ingest's ``LINKWATCH_TIMEZONE``). A *rostered office day* is a
worked ``day``/``early``/``late``/``night``/``training`` duty with a site; duties with
no site (home working, court) are not office days. A remote session is *from outside
the office networks* when its ``source_ip`` is known and starts with none of the
``office_networks`` prefixes (a session with no address is evidence of nothing).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from queries.detectors.base import DetectContext, Detector, Form, Input, LookAlike, MethodCard, Param
from queries.detectors.common import BANK_HOLIDAYS, day, officer_flags, rows_evidence

OFFICE_DUTIES = "('day', 'early', 'late', 'night', 'training')"
ABSENCE = "('annual_leave', 'sick')"
OUTSIDE = (
    "NULLIF(trim(source_ip), '') IS NOT NULL "
    "AND NOT coalesce(list_bool_or([starts_with(source_ip, p) FOR p IN $office_networks]), false)"
)
"""A remote session from outside the office networks (a known address, no office prefix)."""


# ---------------------------------------------------------------------------- below threshold

BELOW_SQL = f"""
WITH period AS (  -- the days the badge system recorded (first to last swipe of anyone)
    SELECT min(CAST(ts AS DATE)) AS p0, max(CAST(ts AS DATE)) AS p1 FROM badge_events),
readers AS (SELECT DISTINCT site_id FROM badge_events),  -- a site where nobody ever swipes has none
pol AS (
    SELECT officer_id, work_pattern, unit_id, start_date, end_date FROM g_officers
    WHERE list_contains($work_patterns, work_pattern)),
on_duty_system AS (SELECT DISTINCT officer_id FROM shifts WHERE duty_type NOT IN {ABSENCE}),
away AS (  -- local days whose office hours the officer's own leave or sickness covers
    SELECT DISTINCT officer_id, d FROM (
        SELECT officer_id, start, "end", CAST(unnest(generate_series(
                   CAST(CAST(start AS DATE) AS TIMESTAMP), CAST(CAST("end" AS DATE) AS TIMESTAMP),
                   INTERVAL 1 DAY)) AS DATE) AS d
        FROM shifts WHERE duty_type IN {ABSENCE} AND status <> 'cancelled')
    WHERE start < CAST(d AS TIMESTAMPTZ) + INTERVAL 17 HOUR AND "end" > CAST(d AS TIMESTAMPTZ) + INTERVAL 9 HOUR),
rostered AS (  -- rostered office days at a site with badge readers
    SELECT s.officer_id, CAST(s.start AS DATE) AS d, min(s.shift_id) AS shift_id,
           min(s.start) AS t0, max(s."end") AS t1, min(s.start) - INTERVAL 3 HOUR AS s0, max(s."end") AS s1,
           false AS unrostered
    FROM shifts s JOIN pol USING (officer_id)
    WHERE s.status = 'worked' AND s.site_id IS NOT NULL AND s.duty_type IN {OFFICE_DUTIES}
      AND s.site_id IN (SELECT site_id FROM readers)
    GROUP BY ALL),
unit_site AS (
    SELECT unnest(CAST($unit_ids AS VARCHAR[])) AS unit_id, unnest(CAST($unit_sites AS VARCHAR[])) AS site_id),
cal AS (
    SELECT CAST(unnest(generate_series(CAST(p0 AS TIMESTAMP), CAST(p1 AS TIMESTAMP), INTERVAL 1 DAY)) AS DATE) AS d
    FROM period),
unrostered AS (  -- office workers with no duty rows: weekdays, not bank holidays, where they can swipe
    SELECT p.officer_id, c.d, CAST(NULL AS VARCHAR) AS shift_id,
           CAST(c.d AS TIMESTAMPTZ) + INTERVAL 8 HOUR AS t0, CAST(c.d AS TIMESTAMPTZ) + INTERVAL 18 HOUR AS t1,
           CAST(c.d AS TIMESTAMPTZ) AS s0, CAST(c.d + 1 AS TIMESTAMPTZ) AS s1, true AS unrostered
    FROM pol p LEFT JOIN unit_site u USING (unit_id) CROSS JOIN cal c
    WHERE p.work_pattern = 'office' AND p.officer_id NOT IN (SELECT officer_id FROM on_duty_system)
      AND (u.site_id IN (SELECT site_id FROM readers)  -- their unit's site has readers, or no site is
           OR (u.site_id IS NULL AND p.officer_id IN (SELECT officer_id FROM badge_events)))  -- known: they swipe
      AND isodow(c.d) <= 5 AND NOT list_contains(CAST($bank_holidays AS DATE[]), c.d)
      AND c.d BETWEEN coalesce(p.start_date, DATE '0001-01-01') AND coalesce(p.end_date, DATE '9999-12-31')),
days AS (
    SELECT x.* FROM (SELECT * FROM rostered UNION ALL BY NAME SELECT * FROM unrostered) x CROSS JOIN period
    WHERE x.d BETWEEN period.p0 AND period.p1
      AND NOT EXISTS (SELECT 1 FROM away a WHERE a.officer_id = x.officer_id AND a.d = x.d)),
keyed AS (  -- the local days a duty's swipe window [s0, s1] touches (a night duty ends the next day)
    SELECT officer_id, d, s0, s1, unnest(list_distinct([CAST(s0 AS DATE), CAST(s1 AS DATE)])) AS k FROM days),
swiped AS (  -- a swipe anywhere from three hours before the duty to its end
    SELECT DISTINCT x.officer_id, x.d FROM keyed x
    JOIN badge_events b ON b.officer_id = x.officer_id AND CAST(b.ts AS DATE) = x.k
    WHERE b.ts >= x.s0 AND b.ts < x.s1),
marked AS (SELECT x.*, s.d IS NOT NULL AS present FROM days x LEFT JOIN swiped s USING (officer_id, d)),
outside AS (
    SELECT officer_id, session_id, start AS r0, greatest(coalesce("end", start), start) AS r1
    FROM remote_sessions WHERE {OUTSIDE}),
home AS (  -- missed office days with a remote session from outside the office networks during the duty
    SELECT x.officer_id, x.d, list(o.session_id) AS sessions
    FROM marked x JOIN outside o ON o.officer_id = x.officer_id AND o.r0 < x.t1 AND o.r1 > x.t0
    WHERE NOT x.present GROUP BY ALL),
away_lookups AS (  -- missed weekdays of staff with no duty rows with a lookup made at no site (not in an office)
    SELECT x.officer_id, x.d, list(a.access_id ORDER BY a.access_id) AS lookups
    FROM marked x JOIN system_access a ON a.officer_id = x.officer_id AND a.ts >= x.t0 AND a.ts < x.t1
    WHERE x.unrostered AND NOT x.present AND NULLIF(trim(coalesce(a.site_id, '')), '') IS NULL
    GROUP BY ALL),
daily AS (  -- a weekday of staff with no duty rows with no trace of them at all may be unrecorded
            -- leave: it is judged only when they swiped, or worked elsewhere (from home, or at no site)
    SELECT x.* FROM marked x
    WHERE NOT x.unrostered OR x.present
       OR EXISTS (SELECT 1 FROM home h WHERE h.officer_id = x.officer_id AND h.d = x.d)
       OR EXISTS (SELECT 1 FROM away_lookups l WHERE l.officer_id = x.officer_id AND l.d = x.d)),
win AS (
    SELECT officer_id, d, count(*) OVER w AS days, sum(present::INT) OVER w AS present_days,
           sum((NOT present AND h.d IS NOT NULL)::INT) OVER w AS remote_days,
           bool_or(unrostered) OVER w AS unrostered, min(d) OVER w AS first_day,
           max(d) OVER (PARTITION BY officer_id) AS last_day
    FROM daily LEFT JOIN home h USING (officer_id, d)
    WINDOW w AS (PARTITION BY officer_id ORDER BY d
                 RANGE BETWEEN to_days(CAST($window_days AS INTEGER) - 1) PRECEDING AND CURRENT ROW)),
judged AS (  -- whole windows only: a window cut short by the start of the data is not judged,
             -- unless the data is shorter than a window (then the officer's whole record is one);
             -- a window counts when the days missed exceed the policy's allowance (the whole days it
             -- lets one miss) by at least min_excess_days
    SELECT win.*, CAST(floor((1 - $threshold) * days + 1e-9) AS INTEGER) AS allowed,
           (days - present_days) - CAST(floor((1 - $threshold) * days + 1e-9) AS INTEGER) AS excess
    FROM win CROSS JOIN period
    WHERE days >= $min_office_days
      AND d >= least(period.p0 + CAST($window_days AS INTEGER) - 1, last_day)),
worst AS (
    SELECT * FROM judged WHERE excess >= $min_excess_days
    QUALIFY row_number() OVER (PARTITION BY officer_id ORDER BY present_days / days, d) = 1)
SELECT w.officer_id, w.first_day AS window_start, w.d AS window_end, w.days AS office_days,
       w.present_days, w.remote_days, w.unrostered, w.present_days / w.days AS share, w.allowed, w.excess,
       (SELECT list(x.shift_id ORDER BY x.d) FROM daily x
         WHERE x.officer_id = w.officer_id AND NOT x.present AND x.shift_id IS NOT NULL
           AND x.d BETWEEN w.first_day AND w.d) AS missed_shifts,
       (SELECT flatten(list(h.sessions)) FROM home h
         WHERE h.officer_id = w.officer_id AND h.d BETWEEN w.first_day AND w.d) AS sessions,
       (SELECT flatten(list(l.lookups)) FROM away_lookups l
         WHERE l.officer_id = w.officer_id AND l.d BETWEEN w.first_day AND w.d
           AND NOT EXISTS (SELECT 1 FROM home h WHERE h.officer_id = l.officer_id AND h.d = l.d)) AS lookups
FROM worst w
WHERE w.present_days / w.days < $threshold
ORDER BY w.officer_id"""


def _below_rows(ctx: DetectContext, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The query, given the England and Wales bank holidays and each unit's site (where
    staff with no duty rows are expected)."""
    units = ctx.store.query(
        "MATCH (u:Unit) WHERE u.retired_at IS NULL AND u.site_id IS NOT NULL "
        "RETURN u.unit_id AS unit_id, u.site_id AS site_id"
    )
    return ctx.sql(
        BELOW_SQL,
        {
            **p,
            "bank_holidays": BANK_HOLIDAYS,
            "unit_ids": [str(u["unit_id"]) for u in units],
            "unit_sites": [str(u["site_id"]) for u in units],
        },
    )


def _below_forms(r: Mapping[str, Any]) -> list[str]:
    if r["unrostered"]:
        return ["unrostered_office_worker"]
    missed = r["office_days"] - r["present_days"]
    return ["working_remotely_instead"] if 2 * r["remote_days"] >= missed else ["absent_no_activity"]


def _below_explain(r: Mapping[str, Any], p: Mapping[str, Any]) -> str:
    missed = r["office_days"] - r["present_days"]
    span = f"between {day(r['window_start'])} and {day(r['window_end'])}"
    policy = (
        f"against a policy of {p['threshold']:.0%} (at most {r['allowed']} of them missed); they missed "
        f"{missed}, {r['excess']} beyond that"
    )
    if r["unrostered"]:
        lead = (
            f"Has no duty rows and badged in on {r['present_days']} of the {r['office_days']} weekdays {span} "
            f"on which they worked ({r['share']:.0%}; weekdays that were not bank holidays or days of their "
            f"recorded leave or sickness, and not days with no trace of them at all), {policy}"
        )
    else:
        lead = (
            f"Badged in on {r['present_days']} of {r['office_days']} rostered office days ({r['share']:.0%}) "
            f"{span}, {policy}"
        )

    def of(n: int) -> str:
        return f"all {missed} days missed" if n == missed else f"{n} of the {missed} days missed"

    if r["unrostered"]:
        other = missed - r["remote_days"]
        tail = (
            f"on {of(r['remote_days'])} they worked on a remote session from outside the office networks"
            if r["remote_days"]
            else ""
        )
        if other:
            tail += (
                "; on the others" if tail else f"on {of(other)}"
            ) + " they made lookups away from any office"
    elif _below_forms(r) == ["working_remotely_instead"]:
        tail = (
            f"on {of(r['remote_days'])} they worked instead on a remote session from outside the office "
            "networks during the rostered duty"
        )
    else:
        tail = (
            f"on {of(missed - r['remote_days'])} there was no swipe and no remote log-on from outside the "
            "office networks either"
        )
    return f"{lead}; {tail}."


def _below(rows: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    return officer_flags(
        "attendance.below_threshold",
        rows,
        score=lambda r: 0.5 + (p["threshold"] - r["share"]),
        explain=lambda r: _below_explain(r, p),
        evidence=lambda r: (
            rows_evidence("shifts", r["missed_shifts"])
            + rows_evidence("remote_sessions", r["sessions"])
            + rows_evidence("system_access", r["lookups"])
            + ([{"table": "officers", "key": str(r["officer_id"])}] if r["unrostered"] else [])
        ),
        id_parts=lambda r: (r["officer_id"],),
        forms=_below_forms,
    )


BELOW_FORMS = (
    Form(
        "absent_no_activity",
        "Rostered office days with no swipe anywhere during the duty and no remote log-on from outside the "
        "office networks either, below policy over the window by at least min_excess_days.",
        ("long_sickness", "site_without_readers", "at_threshold", "frontline_pattern", "small_shortfall"),
        ("badge_events", "office_duties", "work_patterns"),
    ),
    Form(
        "working_remotely_instead",
        "Rostered office days (duties with a site) missed, with a remote session from outside the "
        "office networks during the duty on most of them: working from home instead of attending.",
        ("agreed_remote_days", "at_threshold", "small_shortfall"),
        ("badge_events", "office_duties", "remote_sessions", "work_patterns"),
    ),
    Form(
        "unrostered_office_worker",
        "An office-pattern worker with no duty rows at all: the expected office days are Monday to "
        "Friday, not England and Wales bank holidays, not covered by their leave or sickness rows "
        "(where their unit's site has badge readers, or, with no unit site, where they swipe at all), "
        "and judged only where they swiped or worked elsewhere (a remote session from outside the "
        "office networks, or lookups at no site); badged in on too few of them.",
        ("long_sickness", "site_without_readers", "at_threshold", "unrecorded_leave"),
        ("badge_events", "work_patterns"),
    ),
)

BELOW_LOOKALIKES = (
    LookAlike(
        "long_sickness",
        "Weeks off sick (sick rows, no swipes): days of leave or sickness are not office days, so "
        "they never lower the share.",
    ),
    LookAlike(
        "agreed_remote_days",
        "A hybrid worker whose agreed remote days are duties with no site, working on a remote "
        "session from home on them: not office days.",
    ),
    LookAlike(
        "frontline_pattern",
        "A frontline officer rarely at the station (work pattern frontline): the policy does not "
        "apply to them.",
    ),
    LookAlike(
        "site_without_readers",
        "Staff at a site where nobody ever swipes (no badge readers): their days there are not "
        "judged, since a missing swipe means nothing there.",
    ),
    LookAlike(
        "at_threshold",
        "An office worker who badged in on just over the required share of office days.",
    ),
    LookAlike(
        "small_shortfall",
        "A worker a day or two under the share in a window (fewer than min_excess_days missed beyond "
        "what the policy allows): a forgotten badge or an unrecorded swap, not a flag.",
    ),
    LookAlike(
        "unrecorded_leave",
        "Office staff with no duty rows, whose leave and sickness are recorded nowhere: the weekdays "
        "they are away leave no trace at all (no swipe, remote log-on or lookup) and are not counted.",
    ),
)

BELOW_THRESHOLD = Detector(
    name="attendance.below_threshold",
    card=MethodCard(
        purpose=(
            "Find office and hybrid workers whose in-office attendance is below policy (by default "
            "80% of rostered office days) over a window."
        ),
        reads=(
            "shifts (rostered office days; leave and sickness rows)",
            "badge_events (any swipe that day; which sites have readers)",
            "remote_sessions (where the missed days went)",
            "system_access (lookups at no site: work away from the office, for staff with no duty rows)",
            "officers (work pattern, unit, start and end dates)",
            "units (the site of staff with no duty rows)",
        ),
        logic=(
            "For officers whose work pattern is in work_patterns, take each rostered office day "
            "(a worked day, early, late, night or training duty with a site) and whether the "
            "officer swiped anywhere between three hours before the duty and its end (a night "
            "duty's swipe out the next morning does not make the next night present). An "
            "office-pattern worker with no duty rows at all is expected in the office Monday to "
            "Friday, except England and Wales bank holidays and outside their start and end dates, "
            "if their unit's site has badge readers (or, with no unit site, if they swipe at all); "
            "a weekday with no trace of them at all (no swipe, no remote session, no lookup) may be "
            "leave their duty system does not record and is not counted, so their days are those "
            "they swiped and those they worked elsewhere (a remote session from outside the office "
            "networks during 08:00-18:00, or lookups made at no site). A hybrid worker with no duty "
            "rows cannot be judged (their office days are unknown) and is left out. Days covered by the officer's own leave or sickness rows, days at a "
            "site where nobody ever swipes (no readers) and days outside the period the badge "
            "system recorded are not office days. For every office day compute the share over "
            "the trailing window_days (whole windows only: one cut short by the start of the data is "
            "not judged, unless the data is shorter than a window, when the officer's whole record "
            "is one), where the window holds at least min_office_days office days. A window counts "
            "when the share is below threshold and the days missed exceed what the policy allows "
            "(the whole days: 20% of 32 office days lets 6 be missed) by at least min_excess_days, "
            "a working week by default (a day or two under the share is the noise of a forgotten "
            "badge or an unrecorded swap); flag the officer's lowest share among the windows that "
            "count (one flag per officer). The form is unrostered office worker for staff with no "
            "duty rows, else working remotely instead when on at least half of the missed days a "
            "remote session from outside the office networks overlapped the duty, else absent "
            "with no activity."
        ),
        false_positives=(
            "Work at a site whose reader is broken for a spell (a site that never records a swipe "
            "is left out).",
            "Tailgating colleagues through a door instead of swiping.",
            "Agreed remote days recorded in the roster with a site by mistake.",
            "Part-time office staff with no duty rows who work from home on their days off "
            "(expected Monday to Friday).",
        ),
        scoring="score = 0.5 + (threshold - share), between 0 and 1.",
        forms=BELOW_FORMS,
        lookalikes=BELOW_LOOKALIKES,
    ),
    params=(
        Param("threshold", float, 0.8, "share of rostered office days that policy requires"),
        Param("window_days", int, 90, "length of the trailing window (days)"),
        Param("min_office_days", int, 20, "office days a window needs to count"),
        Param(
            "min_excess_days",
            int,
            5,
            "office days missed beyond the policy's allowance (a working week) that make a window count",
        ),
        Param("work_patterns", list, ["office", "hybrid"], "work patterns the policy applies to"),
        Param(
            "office_networks",
            list,
            ["10.", "172.16.", "192.168."],
            "address prefixes of office networks (remote log-ons from them are in the office)",
        ),
    ),
    to_flags=_below,
    python=_below_rows,
    sql=BELOW_SQL,
    uses_events=True,
    inputs=(
        Input.rows("badge_events", description="badge swipes"),
        Input.rows(
            "shifts",
            f"status = 'worked' AND site_id IS NOT NULL AND duty_type IN {OFFICE_DUTIES}",
            name="office_duties",
            description="worked office duties with a site (rostered office days)",
        ),
        Input.rows(
            "remote_sessions",
            "NULLIF(trim(source_ip), '') IS NOT NULL",
            description="remote sessions with a source address",
        ),
        Input.rows(
            "system_access", description="lookups (work away from any office, by staff with no duty rows)"
        ),
        Input.column(
            "g_officers", "work_pattern", name="work_patterns", description="officers' work patterns"
        ),
        Input(
            "unit_sites",
            "units with a site (where office staff with no duty rows are expected)",
            cypher="MATCH (u:Unit) WHERE u.retired_at IS NULL AND u.site_id IS NOT NULL RETURN count(u) AS n",
        ),
    ),
)

# ---------------------------------------------------------------------------- badge only

BADGE_ONLY_SQL = f"""
WITH sw AS (
    SELECT officer_id, event_id, ts, direction,
           lead(ts) OVER w AS next_ts, lead(direction) OVER w AS next_dir, lead(event_id) OVER w AS next_id
    FROM badge_events WINDOW w AS (PARTITION BY officer_id ORDER BY ts, event_id)),
periods AS (  -- badged-in periods: an 'in' followed by an 'out' within 16 hours
    SELECT officer_id, event_id AS in_id, next_id AS out_id, ts AS b0, next_ts AS b1 FROM sw
    WHERE direction = 'in' AND next_dir = 'out' AND next_ts - ts <= INTERVAL 16 HOUR),
remote AS (  -- remote sessions with a known address; office_net: from an office network
    SELECT officer_id, session_id, start AS r0, greatest(coalesce("end", start), start) AS r1,
           NOT ({OUTSIDE}) AS office_net
    FROM remote_sessions WHERE NULLIF(trim(source_ip), '') IS NOT NULL),
duties AS (
    SELECT officer_id, shift_id, start AS d0, "end" AS d1, site_id, status FROM shifts
    WHERE status <> 'cancelled' AND duty_type NOT IN ('rest_day', 'annual_leave', 'sick')),
on_duty_system AS (SELECT DISTINCT officer_id FROM shifts WHERE duty_type NOT IN {ABSENCE}),
short AS (SELECT * FROM periods WHERE b1 - b0 <= to_minutes(CAST($max_visit_minutes AS BIGINT))),
rostered_visits AS (  -- a short visit during a worked duty (± grace): its office day if the duty has a site
    SELECT v.*, d.d0, d.d1, d.site_id IS NOT NULL AS office_day
    FROM short v JOIN duties d ON d.officer_id = v.officer_id AND d.status = 'worked'
     AND v.b0 BETWEEN d.d0 - to_minutes(CAST($grace_minutes AS BIGINT)) AND d.d1 + to_minutes(CAST($grace_minutes AS BIGINT))
    QUALIFY row_number() OVER (PARTITION BY v.in_id ORDER BY d.site_id IS NULL, d.d0) = 1),
visits AS (  -- on rostered office days; for staff with no duty rows at all, weekdays 07:00-19:00
    SELECT * EXCLUDE (office_day) FROM rostered_visits WHERE office_day
    UNION ALL BY NAME
    SELECT v.*, CAST(CAST(v.b0 AS DATE) AS TIMESTAMPTZ) + INTERVAL 7 HOUR AS d0,
           CAST(CAST(v.b0 AS DATE) AS TIMESTAMPTZ) + INTERVAL 19 HOUR AS d1
    FROM short v WHERE v.officer_id NOT IN (SELECT officer_id FROM on_duty_system) AND isodow(v.b0) <= 5),
back_in AS (  -- another swipe that working day, not a second reader within minutes: back in later
    SELECT DISTINCT v.in_id FROM visits v JOIN badge_events b ON b.officer_id = v.officer_id
     AND b.event_id <> v.in_id AND b.event_id <> v.out_id
     AND NOT b.ts BETWEEN v.b0 - INTERVAL 5 MINUTE AND v.b1 + INTERVAL 5 MINUTE
     AND (b.ts BETWEEN v.d0 - to_minutes(CAST($grace_minutes AS BIGINT)) AND v.d1 + to_minutes(CAST($grace_minutes AS BIGINT))
          OR CAST(b.ts AS DATE) = CAST(v.b0 AS DATE))),
office_session AS (  -- a session from an office network during the duty: in the office
    SELECT DISTINCT v.in_id FROM visits v JOIN remote r ON r.officer_id = v.officer_id
     AND r.office_net AND r.r0 < v.d1 AND r.r1 > v.d0),
home AS (  -- the share of the duty covered by remote sessions from outside the office networks
    SELECT v.in_id, sum(epoch(least(r.r1, v.d1) - greatest(r.r0, v.d0))) / greatest(epoch(v.d1 - v.d0), 60) AS share,
           list(r.session_id) AS sessions
    FROM visits v JOIN remote r ON r.officer_id = v.officer_id AND NOT r.office_net AND r.r0 < v.d1 AND r.r1 > v.d0
    GROUP BY v.in_id, v.d0, v.d1),
worked AS (  -- lookups during the duty not made through a remote session from outside (at a site, or mobile)
    SELECT DISTINCT v.in_id FROM visits v JOIN system_access a ON a.officer_id = v.officer_id
     AND a.ts BETWEEN v.d0 - to_minutes(CAST($grace_minutes AS BIGINT)) AND v.d1 + to_minutes(CAST($grace_minutes AS BIGINT))
    WHERE NOT EXISTS (SELECT 1 FROM remote r WHERE r.officer_id = a.officer_id AND NOT r.office_net
                      AND a.ts BETWEEN r.r0 - INTERVAL 15 MINUTE AND r.r1 + INTERVAL 15 MINUTE)),
short_days AS (
    SELECT v.officer_id, CAST(v.b0 AS DATE) AS d,
           CASE WHEN coalesce(h.share, 0) >= $min_home_share THEN 'tap_and_go_home' ELSE 'token_visit' END AS form,
           [v.in_id, v.out_id] AS events, coalesce(h.sessions, []) AS sessions, v.b0 AS t0,
           CASE WHEN coalesce(h.share, 0) >= $min_home_share THEN greatest(v.b1, v.d1) ELSE v.b1 END AS t1,
           CAST(NULL AS VARCHAR) AS absence
    FROM visits v LEFT JOIN home h USING (in_id)
    WHERE v.in_id NOT IN (SELECT in_id FROM back_in) AND v.in_id NOT IN (SELECT in_id FROM office_session)
      AND (coalesce(h.share, 0) >= $min_home_share OR v.in_id NOT IN (SELECT in_id FROM worked))),
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
    FROM shifts WHERE duty_type IN {ABSENCE} AND status <> 'cancelled'),
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
       count(DISTINCT d) FILTER (WHERE form = 'remote_while_badged_in') AS n_remote,
       count(DISTINCT d) FILTER (WHERE form = 'swipe_during_absence') AS n_absent,
       list(DISTINCT absence ORDER BY absence) FILTER (WHERE absence IS NOT NULL) AS absences,
       min(t0) AS window_start, max(t1) AS window_end,
       flatten(list(events)) AS event_ids, flatten(list(sessions)) AS session_ids
FROM hits GROUP BY officer_id
HAVING count(DISTINCT d) >= $min_days
ORDER BY officer_id"""


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def _badge_explain(r: Mapping[str, Any], p: Mapping[str, Any]) -> str:
    words = {"annual_leave": "annual leave", "sick": "sickness"}
    absence = " or ".join(words.get(a, a) for a in (r["absences"] or [])) or "leave or sickness"
    parts = [  # (days, what happened on them), one per form
        (r["n_token"], "they swiped in and out within minutes and did nothing else that working day"),
        (
            r["n_tap"],
            "rostered in the office, they swiped in and out within minutes and then worked on a remote "
            "session from outside the office networks for most of the duty",
        ),
        (
            r["n_remote"],
            f"a remote session from outside the office networks ran for at least {p['min_remote_minutes']} "
            "minutes while their badge showed them in the building",
        ),
        (r["n_absent"], f"their badge was swiped during their own {absence}"),
    ]
    parts = [(n, what) for n, what in parts if n]
    span = f"between {day(r['window_start'])} and {day(r['window_end'])}"
    if len(parts) == 1:
        return f"On {_days(parts[0][0])} {span}, {parts[0][1]}."
    return (
        f"On {_days(r['n_days'])} {span} the badge record does not look like a day's attendance: "
        + "; ".join(f"on {_days(n)} {what}" for n, what in parts)
        + "."
    )


def _badge_only(rows: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    return officer_flags(
        "attendance.badge_only",
        rows,
        score=lambda r: 0.4 + 0.1 * r["n_days"],
        explain=lambda r: _badge_explain(r, p),
        evidence=lambda r: (
            rows_evidence("badge_events", r["event_ids"]) + rows_evidence("remote_sessions", r["session_ids"])
        ),
        forms=lambda r: r["forms"],
    )


BADGE_FORMS = (
    Form(
        "token_visit",
        "On a rostered office day, in and out within max_visit_minutes and nothing else that working "
        "day: no other swipe (beyond a second reader within five minutes), no lookup except through "
        "a remote session from outside, no session from an office network.",
        ("quick_visit_then_work", "agreed_remote_day"),
        ("badge_events",),
    ),
    Form(
        "tap_and_go_home",
        "On a rostered office day (a duty with a site), in and out within max_visit_minutes, then a "
        "remote session from outside the office networks covering at least min_home_share of the "
        "duty, with no other swipe: the office day was worked from home behind a token swipe.",
        ("agreed_remote_day", "quick_visit_then_work"),
        ("badge_events", "remote_sessions"),
    ),
    Form(
        "remote_while_badged_in",
        "A remote session from outside the office networks overlapping a badged-in period (an 'in' and "
        "the next swipe, an 'out', within 16 hours) by at least min_remote_minutes.",
        ("session_left_running",),
        ("badge_events", "remote_sessions"),
    ),
    Form(
        "swipe_during_absence",
        "Swipes during the officer's own annual leave or sickness (a row not cancelled), outside every "
        "duty of theirs ± grace_minutes.",
        ("cancelled_leave_swipe",),
        ("badge_events", "leave_and_sickness"),
    ),
)

BADGE_LOOKALIKES = (
    LookAlike(
        "quick_visit_then_work",
        "A quick visit to the station, then a duty of lookups made from the site or on patrol, or back "
        "in later: the day's work is there.",
    ),
    LookAlike(
        "agreed_remote_day",
        "A short visit on an agreed remote day (a duty with no site), then a day's work on a remote "
        "session from home: presence was not required.",
    ),
    LookAlike(
        "session_left_running",
        "A remote session from home left running for a few minutes after the officer badged in "
        "(overlap under min_remote_minutes).",
    ),
    LookAlike(
        "cancelled_leave_swipe",
        "Leave that was cancelled (the row's status is cancelled) and the officer came in to work.",
    ),
)

BADGE_ONLY = Detector(
    name="attendance.badge_only",
    card=MethodCard(
        purpose="Find presence that looks manufactured: swipes that stand in for a day in the office.",
        reads=(
            "badge_events",
            "shifts (duties, leave and sickness)",
            "system_access (work during the duty)",
            "remote_sessions (from outside or from an office network)",
        ),
        logic=(
            "Count, per officer, days with any of: (a) token visit: on a rostered office day (a "
            "worked duty with a site, ± grace_minutes; for staff with no duty rows, a weekday), "
            "one badged-in period of at most max_visit_minutes and nothing else that working day: "
            "no other swipe, no session from an office network, and no lookup other than one made "
            "through a remote session from outside the office networks (a lookup made from home is "
            "not office presence); (b) tap and go home: the same short visit, no other swipe, and "
            "remote sessions from outside the office networks covering at least min_home_share of "
            "the duty (on an agreed remote day, a duty with no site, neither (a) nor (b) applies); "
            "(c) a remote session from outside the office networks overlapping a badged-in period "
            "by at least min_remote_minutes; (d) a swipe during the officer's own leave or sickness "
            "(not cancelled) outside every duty of theirs ± grace_minutes (a night shift ending on "
            "the morning of a leave day is a duty). Flag with at least min_days such days; the flag "
            "names each form it shows."
        ),
        false_positives=(
            "A quick visit to collect kit before a day out of the office (the lookups then show "
            "the work, which clears it).",
            "A remote session left running at home while travelling in.",
            "Coming in on a leave day for a personal reason (collecting belongings).",
            "An agreed remote day recorded in the roster with a site by mistake.",
        ),
        scoring="score = 0.4 + 0.1 per day, at most 1.",
        forms=BADGE_FORMS,
        lookalikes=BADGE_LOOKALIKES,
    ),
    params=(
        Param("min_days", int, 2, "days of badge-only presence that make a flag"),
        Param("max_visit_minutes", int, 15, "longest in-and-out visit that counts as a token visit"),
        Param(
            "min_remote_minutes", int, 30, "overlap of a remote session with a badged-in period that counts"
        ),
        Param(
            "min_home_share",
            float,
            0.5,
            "share of the duty covered by remote sessions from outside that makes a short visit "
            "tap and go home",
        ),
        Param("grace_minutes", int, 60, "minutes before and after a duty that still belong to it"),
        Param(
            "office_networks",
            list,
            ["10.", "172.16.", "192.168."],
            "address prefixes of office networks (remote log-ons from them are in the office)",
        ),
    ),
    to_flags=_badge_only,
    sql=BADGE_ONLY_SQL,
    inputs=(
        Input.rows("badge_events", description="badge swipes"),
        Input.rows(
            "remote_sessions",
            "NULLIF(trim(source_ip), '') IS NOT NULL",
            description="remote sessions with a source address",
        ),
        Input.rows(
            "shifts",
            "status = 'worked' AND duty_type NOT IN ('rest_day', 'annual_leave', 'sick')",
            name="worked_duties",
            description="worked duties (rostered days)",
        ),
        Input.rows(
            "shifts",
            f"duty_type IN {ABSENCE} AND status <> 'cancelled'",
            name="leave_and_sickness",
            description="leave and sickness rows",
        ),
        Input.rows("system_access", description="lookups (the day's work)"),
    ),
)
