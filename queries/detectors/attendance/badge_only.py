"""``attendance.badge_only``: presence that looks manufactured (swipes that stand in for a
day in the office).

Query beside this module: ``badge_only.sql`` (``{{outside}}`` and ``{{absence}}`` from
:mod:`queries.detectors.attendance.common`).

Worked examples: ``tests/examples/attendance.badge_only/``, one folder per form and
look-alike of the card (run on both stores by ``tests/test_examples.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from queries.detectors.attendance.common import ABSENCE, OUTSIDE
from queries.detectors.base import Detector, Form, Input, LookAlike, MethodCard, Param, query_file
from queries.detectors.common import day, officer_flags, rows_evidence

BADGE_ONLY_SQL = query_file(__file__, "badge_only.sql", outside=OUTSIDE, absence=ABSENCE)


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
            r["n_tap_in"],
            "rostered in the office, they swiped in, never swiped out, and worked on a remote session from "
            "outside the office networks for most of the rest of the duty, with no lookup made otherwise",
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
        "On a rostered office day, in and out within max_visit_minutes (or max_visit_share of the "
        "duty) and nothing else that working day: no other swipe (beyond a second reader within five minutes), no lookup except through "
        "a remote session from outside, no session from an office network.",
        ("quick_visit_then_work", "agreed_remote_day", "patrol_station_visit"),
        ("badge_events",),
    ),
    Form(
        "tap_and_go_home",
        "On a rostered office day (a duty with a site), in and out within max_visit_minutes (or "
        "max_visit_share of the duty), then a remote session from outside the office networks covering at least min_home_share of the "
        "duty, with no other swipe: the office day was worked from home behind a token swipe.",
        ("agreed_remote_day", "quick_visit_then_work", "patrol_station_visit"),
        ("badge_events", "remote_sessions"),
    ),
    Form(
        "tap_in_then_remote",
        "On a rostered office day, a swipe in with no swipe out after it and no other swipe that "
        "working day, then remote sessions from outside the office networks covering at least "
        "min_home_share of the rest of the duty, and no lookup other than through them: in at the "
        "door, then the day worked from home.",
        ("agreed_remote_day", "office_vdi_session", "evening_login_at_home", "patrol_station_visit"),
        ("badge_events", "remote_sessions"),
    ),
    Form(
        "remote_while_badged_in",
        "A remote session from outside the office networks overlapping a badged-in period (an 'in' and "
        "the next swipe, an 'out', within 16 hours) by at least min_remote_minutes.",
        ("session_left_running", "office_vdi_session"),
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
    LookAlike(
        "office_vdi_session",
        "A VDI (remote desktop) session opened from inside the office, from an office network "
        "address, while badged in: the office's own way of working, not a log-on from home.",
    ),
    LookAlike(
        "patrol_station_visit",
        "A frontline officer on patrol (work pattern frontline, or with none recorded a patrol "
        "role) taps in at the station for minutes and goes out again, with no lookup that shift: "
        "quick station visits are the pattern of their work, not presence staged for the office.",
    ),
    LookAlike(
        "evening_login_at_home",
        "Office staff at a building with no exit readers (a swipe in, never one out) who work the "
        "day in the office and log on from home in the evening, after the duty.",
    ),
)

BADGE_ONLY = Detector(
    name="attendance.badge_only",
    card=MethodCard(
        purpose="Find presence that looks manufactured: swipes that stand in for a day in the office.",
        reads=(
            "badge_events",
            "officers (work pattern) and assignments (role): who works on patrol",
            "shifts (duties, leave and sickness)",
            "system_access (work during the duty)",
            "remote_sessions (from outside or from an office network)",
        ),
        logic=(
            "Short visits (a, b, e) are judged only for office-based staff: not for frontline "
            "officers (work pattern frontline or, with none recorded, a current posting whose role "
            "names one of frontline_roles), for whom a quick visit to the station is the pattern of "
            "patrol work. Count, per officer, days with any of: (a) token visit: on a rostered office "
            "day (a worked duty with a site, ± grace_minutes; for staff with no duty rows, a weekday), "
            "one badged-in period of at most max_visit_minutes, or of at most max_visit_share of the "
            "duty (of 8 hours for staff with no duty rows: an hour or two of an office day), and "
            "nothing else that working day: no other swipe, no session from an office network, and no lookup other than one made "
            "through a remote session from outside the office networks (a lookup made from home is "
            "not office presence); (b) tap and go home: the same short visit, no other swipe, and "
            "remote sessions from outside the office networks covering at least min_home_share of "
            "the duty (on an agreed remote day, a duty with no site, neither (a) nor (b) applies); "
            "(c) a remote session from outside the office networks overlapping a badged-in period "
            "by at least min_remote_minutes; (d) a swipe during the officer's own leave or sickness "
            "(not cancelled) outside every duty of theirs ± grace_minutes (a night shift ending on "
            "the morning of a leave day is a duty); (e) tap in then remote: on a rostered office day "
            "a swipe in with no swipe out after it (within 16 hours) and no other swipe that working "
            "day, no session from an office network, no lookup other than through a remote session "
            "from outside, and remote sessions from outside the office networks covering at least "
            "min_home_share of the rest of the duty (a swipe in alone is a building with no exit "
            "readers). Flag with at least min_days such days; the flag names each form it shows."
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
            "max_visit_share",
            float,
            0.25,
            "share of the duty (8 hours for staff with no duty rows) up to which an in-and-out visit is short "
            "too: an hour or two of an office day, and nothing else or the rest worked from home",
        ),
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
            "frontline_roles",
            list,
            ["response", "patrol", "neighbourhood", "roads policing"],
            "posting roles (words in assignments.role) of patrol staff, whose short station visits are not "
            "judged when HR records no work pattern",
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
