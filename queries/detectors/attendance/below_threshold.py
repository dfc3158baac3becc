"""``attendance.below_threshold``: office and hybrid workers whose in-office attendance
is below policy over a window.

Queries beside this module: ``below_threshold.sql`` (``{{outside}}`` and ``{{absence}}``
from :mod:`queries.detectors.attendance.common`), and ``below_threshold.units.cypher``
(each unit's site, where office staff with no duty rows are expected), run first.

Worked examples: ``tests/examples/attendance.below_threshold/``, one folder per form and
look-alike of the card (run on both stores by ``tests/test_examples.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from queries.detectors.attendance.common import ABSENCE, OUTSIDE
from queries.detectors.base import (
    DetectContext,
    Detector,
    Form,
    Input,
    LookAlike,
    MethodCard,
    Param,
    query_file,
)
from queries.detectors.common import BANK_HOLIDAYS, day, officer_flags, rows_evidence

BELOW_SQL = query_file(__file__, "below_threshold.sql", outside=OUTSIDE, absence=ABSENCE)
UNITS_CYPHER = query_file(__file__, "below_threshold.units.cypher")


def _below_rows(ctx: DetectContext, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The query, given the England and Wales bank holidays and each unit's site (where
    staff with no duty rows are expected)."""
    units = ctx.store.query(UNITS_CYPHER)
    rows = ctx.sql(
        BELOW_SQL,
        {
            **p,
            "bank_holidays": BANK_HOLIDAYS,
            "unit_ids": [str(u["unit_id"]) for u in units],
            "unit_sites": [str(u["site_id"]) for u in units],
        },
    )
    officers = ctx.sql(RANKS_SQL, {})
    if p["ranks"]:  # the rule covers these ranks only
        wanted = {_rank(r) for r in p["ranks"]}
        covered = {str(o["officer_id"]) for o in officers if _rank(o["rank"]) in wanted}
        return [r for r in rows if str(r["officer_id"]) in covered]
    rank_of = {
        str(o["officer_id"]): _rank(o["rank"])
        for o in officers
        if o["work_pattern"] in p["work_patterns"] and o["end_date"] is None
    }
    return held_to_rule(rows, rank_of, p)


RANKS_SQL = "SELECT officer_id, rank, work_pattern, end_date FROM g_officers"
"""Every officer's rank, work pattern and end date."""


def held_to_rule(
    rows: list[dict[str, Any]], rank_of: Mapping[str, str], p: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The rows of officers whose rank the force evidently holds to the rule, when the
    policy names no ranks. ``rank_of`` gives the rank of every officer of the work patterns
    still serving. A rank of at least ``min_rank_officers`` of them more than ``max_breach_share`` of whom are below it is taken
    not to be held to it (every hybrid PC of a force whose rule is for its senior officers);
    a smaller rank is always held to it. Each row kept says how its rank stands (``rank``,
    ``rank_officers``, ``rank_below``).

    >>> rows = [{"officer_id": i} for i in ("1", "2", "3", "4", "5", "9")]
    >>> rank_of = {**{str(i): "PC" for i in range(1, 6)}, "9": "CI", "8": "CI"}
    >>> p = {"min_rank_officers": 5, "max_breach_share": 0.75}
    >>> [(r["officer_id"], r["rank_below"], r["rank_officers"]) for r in held_to_rule(rows, rank_of, p)]
    [('9', 1, 2)]
    """
    size: dict[str, int] = {}
    for rank in rank_of.values():
        size[rank] = size.get(rank, 0) + 1
    below: dict[str, int] = {}
    for r in rows:
        rank = rank_of.get(str(r["officer_id"]), "")
        below[rank] = below.get(rank, 0) + 1
    out = []
    for r in rows:
        rank = rank_of.get(str(r["officer_id"]), "")
        n, k = size.get(rank, 0), below[rank]
        if n >= p["min_rank_officers"] and k > p["max_breach_share"] * n:
            continue
        out.append({**r, "rank": rank, "rank_officers": n, "rank_below": k})
    return out


def _rank(v: Any) -> str:
    """A rank as written in HR, compared trimmed and case-blind (``" supt "`` is ``SUPT``)."""
    return " ".join(str(v or "").upper().split())


def _below_forms(r: Mapping[str, Any]) -> list[str]:
    missed = r["office_days"] - r["present_days"]
    if r["unrostered"]:
        counted = r["untraced"] - r["excused"]
        form = "off_system_absent" if counted and 2 * counted >= missed else "unrostered_office_worker"
    else:
        form = "working_remotely_instead" if 2 * r["remote_days"] >= missed else "absent_no_activity"
    return [form, "sustained_stretch"] if r["short"] else [form]


def _weeks(days: int) -> str:
    return f"{days // 7} weeks" if days % 7 == 0 else f"{days} days"


def _below_explain(r: Mapping[str, Any], p: Mapping[str, Any]) -> str:
    missed = r["office_days"] - r["present_days"]
    counted = r["untraced"] - r["excused"]
    forms = _below_forms(r)
    span = f"between {day(r['window_start'])} and {day(r['window_end'])}"
    if r["short"]:
        span = (
            f"over the {_weeks(r['span_days'])} {span} (a {r['span_days']}-day window: over the "
            f"{p['window_days']}-day policy window the stretch is diluted; it counts only when the share is "
            f"at least {100 * p['short_margin']:g} points under the policy)"
        )
    policy = (
        f"against a policy of {p['threshold']:.0%} (at most {r['allowed']} of them missed); they missed "
        f"{missed}, {r['excess']} beyond that"
    )
    if r["unrostered"]:
        untraced = ""
        if r["untraced"]:
            untraced = (
                f"; on {r['untraced']} of the {r['weekdays']} weekdays there was no trace of them at all, "
                + (
                    f"all of them allowed as leave or training recorded nowhere (up to "
                    f"{p['untraced_allowance']:.0%} of the weekdays) and not counted"
                    if not counted
                    else f"{r['excused']} allowed as leave or training recorded nowhere (up to "
                    f"{p['untraced_allowance']:.0%} of the weekdays) and the other {counted} counted as missed"
                )
            )
        lead = (
            f"Has no duty rows and badged in on {r['present_days']} of the {r['office_days']} weekdays {span} "
            f"on which they were expected in the office ({r['share']:.0%}; weekdays that were not bank holidays "
            f"or days of their recorded leave or sickness, from their first trace in the data{untraced}), {policy}"
        )
    else:
        lead = (
            f"Badged in on {r['present_days']} of {r['office_days']} rostered office days ({r['share']:.0%}) "
            f"{span}, {policy}"
        )

    def of(n: int) -> str:
        return f"all {missed} days missed" if n == missed else f"{n} of the {missed} days missed"

    if r["unrostered"]:
        parts = []
        if counted:
            parts.append(f"on {of(counted)} there was no trace of them anywhere")
        if r["remote_days"]:
            parts.append(
                f"on {of(r['remote_days'])} they worked on a remote session from outside the office networks"
            )
        other = missed - counted - r["remote_days"]
        if other:
            parts.append(f"on {of(other)} they made lookups away from any office")
        tail = "; ".join(parts)
    elif "working_remotely_instead" in forms:
        tail = (
            f"on {of(r['remote_days'])} they worked instead on a remote session from outside the office "
            "networks during the rostered duty"
        )
    else:
        tail = (
            f"on {of(missed - r['remote_days'])} there was no swipe and no remote log-on from outside the "
            "office networks either"
        )
    held = ""
    if r.get("rank_officers"):
        held = (
            f" The rule is taken to hold for their rank ({r['rank'] or 'none recorded'}): {r['rank_below']} of its "
            f"{r['rank_officers']} officers of these work patterns are below it."
        )
    return f"{lead}; {tail}.{held}"


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
        (
            "long_sickness",
            "site_without_readers",
            "at_threshold",
            "frontline_pattern",
            "small_shortfall",
            "rank_not_held_to_rule",
        ),
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
        "from their first trace in the data on; badged in on too few of them, the days missed being "
        "mostly days they worked elsewhere (a remote session from outside the office networks, or "
        "lookups at no site).",
        ("long_sickness", "site_without_readers", "at_threshold", "unrecorded_leave"),
        ("badge_events", "work_patterns"),
    ),
    Form(
        "off_system_absent",
        "An office-pattern worker with no duty rows who, on more of the expected weekdays than "
        "untraced_allowance allows (leave or training recorded nowhere), leaves no trace at all: no "
        "swipe, no remote session, no lookup. The untraced weekdays beyond the allowance are counted as "
        "missed and make at least half of the days missed: away from work, not working elsewhere.",
        ("unrecorded_leave", "compressed_hours", "new_starter", "long_sickness"),
        ("badge_events", "work_patterns"),
    ),
    Form(
        "sustained_stretch",
        "Below policy by at least short_margin, with at least min_excess_days missed beyond what the "
        "policy allows, over a shorter trailing window (short_window_days, 8 weeks by default, with at "
        "least short_min_office_days office days), while "
        "no policy window (window_days) counts: weeks away that the long window dilutes with "
        "ordinary weeks around them. Named beside the form of the days missed.",
        ("long_sickness", "small_shortfall", "compressed_hours", "new_starter"),
        ("badge_events", "work_patterns"),
    ),
)

BELOW_LOOKALIKES = (
    LookAlike(
        "rank_not_held_to_rule",
        "A rank most of whose office and hybrid officers are below the rule (every hybrid PC, where "
        "the force's 80% rule is for its chief inspectors and above): when the policy names no "
        "ranks, the force is taken not to hold that rank to it.",
    ),
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
        "they are away leave no trace at all (no swipe, remote log-on or lookup) and are not counted, "
        "up to untraced_allowance of the weekdays.",
    ),
    LookAlike(
        "compressed_hours",
        "Office staff with no duty rows on agreed compressed hours (four long days a week, or a "
        "nine-day fortnight): the weekday off each week leaves no trace, within untraced_allowance.",
    ),
    LookAlike(
        "new_starter",
        "Office staff who joined during the period: the weeks before they started leave no trace "
        "and are not expected of them (before their HR start date, or, with none, before their "
        "first trace in the data).",
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
            "For officers whose work pattern is in work_patterns (and, when ranks is set, whose rank "
            "is one of them: whom the rule covers is the force's policy, often its senior officers "
            "only; when ranks is empty, see the end), take each rostered office day "
            "(a worked day, early, late, night or training duty with a site) and whether the "
            "officer swiped anywhere between three hours before the duty and its end (a night "
            "duty's swipe out the next morning does not make the next night present). An "
            "office-pattern worker with no duty rows at all is expected in the office Monday to "
            "Friday, except England and Wales bank holidays and outside their start and end dates, "
            "if their unit's site has badge readers (or, with no unit site, if they swipe at all), "
            "from their first trace in the data on (a swipe, a remote session from outside the "
            "office networks during 08:00-18:00, or a lookup made at no site: a new starter whose "
            "start HR has not recorded leaves none before it). A weekday with no trace of them at "
            "all may be leave or training their duty system does not record, or the day off of "
            "compressed hours: such untraced weekdays are not counted up to untraced_allowance of "
            "the window's weekdays (a quarter by default), and beyond it they are days missed. A "
            "hybrid worker with no duty rows cannot be judged (their office days are unknown) and is "
            "left out. Days covered by the officer's own leave or sickness rows, days at a "
            "site where nobody ever swipes (no readers) and days outside the period the badge "
            "system recorded are not office days. For every office day compute the share over "
            "the trailing window_days (whole windows only: one cut short by the start of the data is "
            "not judged, unless the data is shorter than a window, when the officer's whole record "
            "is one), where the window holds at least min_office_days office days. A window counts "
            "when the share is below threshold and the days missed exceed what the policy allows "
            "(the whole days: 20% of 32 office days lets 6 be missed) by at least min_excess_days, "
            "a working week by default (a day or two under the share is the noise of a forgotten "
            "badge or an unrecorded swap); flag the officer's lowest share among the windows that "
            "count (one flag per officer). Where no such window counts, do the same over the "
            "shorter trailing short_window_days (8 weeks by default), where a window counts only "
            "with at least short_min_office_days office days and when the share is at least "
            "short_margin under the threshold as well: weeks away that "
            "the long window dilutes (the flag names that window and the form sustained stretch). "
            "The form is, for staff with no duty rows, off-system absent when the untraced weekdays "
            "counted as missed are at least half of the days missed, else unrostered office worker; "
            "for rostered staff, working remotely instead when on at least half of the missed days a "
            "remote session from outside the office networks overlapped the duty, else absent "
            "with no activity. When ranks is empty, whom the rule holds is read from the data: a rank "
            "with at least min_rank_officers officers of the work patterns (still serving) more than "
            "max_breach_share of whom are below the rule is taken not to be held to it, and none of "
            "them is flagged (every hybrid PC of a force whose 80% rule is for its chief inspectors "
            "and above; a rank wholly in breach is a matter for the force's policy, not for one "
            "officer); a smaller rank is always held to it. The explanation says how the officer's "
            "rank stands."
        ),
        false_positives=(
            "Officers the force's rule does not cover (a rule for senior officers, applied to a rank "
            "of which many, but not most, are below it): set ranks to the ranks it covers.",
            "Work at a site whose reader is broken for a spell (a site that never records a swipe "
            "is left out).",
            "Tailgating colleagues through a door instead of swiping.",
            "Agreed remote days recorded in the roster with a site by mistake.",
            "Part-time office staff with no duty rows working fewer than about four days a week "
            "(expected Monday to Friday; their days off are allowed only up to untraced_allowance).",
            "A stretch of weeks away recorded nowhere (a secondment, a long course elsewhere) in "
            "staff with no duty rows, counted by the short window.",
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
        Param(
            "short_window_days",
            int,
            56,
            "length of the shorter trailing window that finds a stretch below policy the long window "
            "dilutes (days; 0 turns it off)",
        ),
        Param(
            "short_min_office_days",
            int,
            30,
            "office days a short window needs to count (six working weeks: a part-week hybrid worker's "
            "few office days are judged over the policy window only)",
        ),
        Param(
            "short_margin",
            float,
            0.1,
            "how far under the threshold the share over a short window must be to count",
        ),
        Param(
            "untraced_allowance",
            float,
            0.25,
            "share of a window's weekdays on which staff with no duty rows may leave no trace at all "
            "(leave or training recorded nowhere) before such days count as missed",
        ),
        Param("work_patterns", list, ["office", "hybrid"], "work patterns the policy applies to"),
        Param(
            "ranks",
            list,
            [],
            "ranks the policy applies to (officers.rank, trimmed and case-blind; e.g. CI and above where "
            "the rule is for senior officers); empty: every rank of work_patterns",
        ),
        Param(
            "min_rank_officers",
            int,
            5,
            "officers (of work_patterns, still serving) a rank needs before whether it is held to the rule "
            "is read from the data (when ranks is empty)",
        ),
        Param(
            "max_breach_share",
            float,
            0.75,
            "share of a rank's officers below the rule beyond which the rank is taken not to be held to it "
            "(when ranks is empty)",
        ),
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
            "status = 'worked' AND site_id IS NOT NULL "
            "AND duty_type IN ('day', 'early', 'late', 'night', 'training')",
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
