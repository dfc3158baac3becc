"""``roster.overtime_overlap``: paid overtime or rest-day working that cannot have been
worked as claimed (during the officer's own leave or sickness, as the duty rows or the
audit trail show it, overlapping another of their duties, or with no sign of attendance).

Queries beside this module: ``overtime_overlap.stage.sql`` (each paid-extra duty's
conflicts with the officer's own rows around it: the part local in time, see :data:`STAGE`)
and ``overtime_overlap.sql`` (the rest, with the stage as its first CTE, ``{{stage}}``);
``{{paid_extra}}``, ``{{not_a_duty}}`` and ``{{no_reason}}`` from
:mod:`queries.detectors.roster.common`.

Worked examples: ``tests/examples/roster.overtime_overlap/``, one folder per form and
look-alike of the card (run on both stores by ``tests/test_examples.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from queries.detectors.base import Detector, Form, Input, LookAlike, MethodCard, Param, Stage, query_file
from queries.detectors.common import day, officer_flags, rows_evidence
from queries.detectors.roster.common import NO_REASON, NOT_A_DUTY, PAID, plural

STAGE = Stage(
    ctes=query_file(__file__, "overtime_overlap.stage.sql", paid_extra=PAID, not_a_duty=NOT_A_DUTY),
    main=query_file(
        __file__,
        "overtime_overlap.sql",
        stage="{{stage}}",
        paid_extra=PAID,
        no_reason=NO_REASON,
        not_a_duty=NOT_A_DUTY,
    ),
    time="start",
    # A paid-extra duty's conflicts (the stage's rows, about the duty's start) come from the
    # officer's rows overlapping it or within an hour of it: other duties and leave (which
    # start at most the longest duty row before it), swipes within an hour of it, lookups
    # inside it, remote sessions overlapping it (which start at most the longest session
    # before it). So the longest duty row or session, an hour, and a day to spare.
    horizon="""SELECT 86400 + 3600 + greatest(
        coalesce((SELECT max(epoch("end") - epoch(start)) FROM shifts), 0),
        coalesce((SELECT max(epoch(coalesce("end", start)) - epoch(start)) FROM remote_sessions), 0)) AS h""",
    reads=("shifts", "badge_events", "system_access", "remote_sessions"),
)
"""The paid-extra duties' conflicts with the officer's own rows around them: local in time,
so an incremental run recomputes them from the changed time on (:mod:`queries.incremental`);
the audit trail (an edit may come months after its duty), the sites with readers and the
tables' presence are judged whole each run."""

OVERLAP_SQL = STAGE.query()


def _overlap(rows: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    def explain(r: dict[str, Any]) -> str:
        parts = []
        if r["n_absent"]:
            parts.append(
                f"{r['n_absent']} inside their own annual leave or sickness, or on a day it began"
                " (an on-call row among them is availability for duty paid while on leave)"
            )
        if r["n_audit"]:
            parts.append(
                f"{r['n_audit']} on a day the duty system's audit trail shows was their leave or "
                "sickness until it was changed by them or with no reason given"
            )
        if r["n_double"]:
            parts.append(f"{r['n_double']} overlapping another of their worked shifts")
        if r["n_unseen"]:
            parts.append(
                f"{r['n_unseen']} stand-alone with no badge swipe, system lookup or remote log-on at all"
            )
        if r["n_short"]:
            parts.append(
                f"{r['n_short']} swiped into, then left with an out swipe {p['min_missing_hours']} hours or more "
                "before the claimed end, with no swipe, lookup or remote log-on after it (their basic "
                "duties show them there to the end)"
            )
        return (
            f"{plural(len(r['shift_ids']), 'paid overtime, rest-day, bank-holiday or on-call duty', 'paid overtime, rest-day, bank-holiday or on-call duties')} "
            f"between {day(r['window_start'])} and {day(r['window_end'])} cannot have been worked as "
            f"claimed: {'; '.join(parts)}."
        )

    return officer_flags(
        "roster.overtime_overlap",
        rows,
        score=lambda r: 0.5 + 0.15 * len(r["shift_ids"]),
        explain=explain,
        evidence=lambda r: (
            rows_evidence("shifts", list(r["shift_ids"]) + list(r["other_ids"] or []))
            + rows_evidence("roster_changes", r["change_ids"])
        ),
        forms=lambda r: r["forms"],
    )


OVERTIME_OVERLAP = Detector(
    name="roster.overtime_overlap",
    card=MethodCard(
        purpose=(
            "Find paid overtime or rest-day working that cannot have been worked as claimed: "
            "during the officer's own leave or sickness (as the duty rows show it, or as the "
            "audit trail shows it before an edit), overlapping another of their duties, "
            "with no sign of attendance at all, or left hours before the claimed end."
        ),
        reads=("shifts", "roster_changes", "badge_events", "system_access", "remote_sessions"),
        logic=(
            "For every worked shift paid as overtime, rest-day working or bank holiday, look for "
            "(a) a leave or sickness row of the same officer, not cancelled, inside which it starts, "
            "or which starts on the same day (evening overtime on a day of annual leave: the leave "
            "is still booked and paid; a leave row shaped like the night duty it replaces belongs "
            "to the day that night began); for this check a worked on-call row counts too (on call "
            "is being available for duty, which an officer on leave is not). Booked leave counts "
            "whether its status is planned or worked; a duty that began "
            "before the leave, or overtime staying on after one, such as a night shift running "
            "into the first leave day, does not; "
            "(b) a rostered duty of the same officer (worked, not itself an overtime or rest-day "
            "working row, and not an on-call row: being called out while on call is how overtime "
            "arises), or another overtime or rest-day working row at a different site, "
            "overlapping it by more than min_overlap_minutes (two extra-duty rows over "
            "the same hours at one site, such as a stay-on claim keyed inside a booked overtime night, "
            "are one stretch of overtime keyed twice, a payroll duplicate, not a duty that cannot have "
            "been worked; at two sites, such as a stadium and a custody suite, they are two places at "
            "once), (c) for a stand-alone overtime or rest-day duty (not within an "
            "hour of another worked duty, which it would extend; an on-call row is no duty), no badge swipe within an hour "
            "of it, no system lookup during it and no remote session overlapping it (checked only "
            "when the force has all three kinds of attendance data, and only for a duty at a site "
            "with badge readers or with no site and not at court), (d) a day that was leave or "
            "sickness until an edit in roster_changes (duty_type changed away from annual_leave "
            "or sick, or the leave row cancelled) made by the officer themself or with no reason "
            "recorded, and made less than notice_hours before the leave began (leave cancelled days "
            "ahead is a change of plan, and overtime that day is ordinary): paid extra during that row, on the same day, or staying on after it "
            "(starting within an hour of its end, which after a late is the next day), (e) for a "
            "stand-alone overtime or rest-day duty, an in swipe and then an out swipe during it, at "
            "least min_missing_hours before its claimed end, with no swipe, lookup or remote session "
            "after that out swipe until the end (the claim runs hours past the time there; a "
            "single swipe or a missing out swipe is not this, as readers miss swipes), counted only "
            "when the officer's own basic duties show them there to the end: at least "
            "min_usual_duties of them seen (a swipe or lookup from the start to an hour after the "
            "end), and at most max_usual_early_share of those with their last sign "
            "min_missing_hours or more before the end (an officer out on patrol all day leaves the "
            "station early every day). Flag an "
            "officer with at least min_count duties of kind (a), (b) or (d), "
            "or at least min_unseen of kind (c) (one unrecorded duty is common: work away from "
            "readers and systems), or at least min_short of kind (e). Leave cancelled by a supervisor with a reason (a recall to "
            "duty) is not leave."
        ),
        false_positives=(
            "Leave not cancelled in the system after a recall to duty.",
            "Work away from any badge reader or system (an off-site operation, a court day "
            "keyed as overtime).",
            "Leaving the station for work where nothing records presence (an event, an inquiry on "
            "foot) after swiping out, on a day that differs from the officer's usual duties.",
            "An officer who cancelled their own leave on the day, for a reason they did not record, "
            "and then worked overtime.",
            "The same overtime keyed twice as two extra-duty rows (not counted) hides a real second "
            "claim for the same hours: that is payroll's to reconcile.",
        ),
        scoring="score = 0.5 + 0.15 per duty, at most 1.",
        forms=(
            Form(
                "during_leave",
                "a leave or sickness row of the officer, not cancelled, overlaps the paid-extra duty, or "
                "starts on the day it starts (evening overtime on a day of leave); paid on-call "
                "availability during leave too.",
                ("recall_from_leave",),
                ("leave and sickness rows",),
            ),
            Form(
                "overlapping_duty",
                "one of the officer's rostered duties (worked), or another paid-extra duty at another "
                "site, overlaps the paid-extra duty.",
                ("extends_shift", "call_out_while_on_call"),
                ("shifts",),
            ),
            Form(
                "no_attendance",
                "at least two stand-alone overtime or rest-day duties with no swipe, lookup or "
                "remote session.",
                ("overtime_with_swipes", "single_unrecorded_duty", "extends_shift"),
                ("badge_events", "system_access", "remote_sessions"),
            ),
            Form(
                "short_attendance",
                "at least two stand-alone overtime or rest-day duties swiped into, then left with an out "
                "swipe hours before the claimed end and no sign of the officer after it, when their own "
                "basic duties show them there to the end.",
                ("out_on_patrol", "works_on_after_leaving", "single_unrecorded_duty"),
                ("badge_events", "system_access", "remote_sessions"),
            ),
            Form(
                "leave_in_audit_trail",
                "no leave row now, but roster_changes show the day was leave and the change away "
                "from leave was made by the officer themself or with no reason, after the leave "
                "began or less than notice_hours before; overtime is claimed that day or for "
                "staying on after that duty.",
                ("recall_from_leave", "leave_cancelled_in_advance"),
                ("roster_changes",),
            ),
        ),
        lookalikes=(
            LookAlike(
                "recall_from_leave",
                "leave cancelled or changed by a supervisor with a reason before the day, then worked",
            ),
            LookAlike("extends_shift", "overtime adjoining the end of a normal shift"),
            LookAlike("overtime_with_swipes", "stand-alone rest-day working with badge swipes"),
            LookAlike("single_unrecorded_duty", "one stand-alone duty with no attendance evidence"),
            LookAlike(
                "out_on_patrol",
                "rest-day working swiped out of the station early in the day, by an officer whose basic "
                "duties leave the station early too (out on patrol, not back to swipe)",
            ),
            LookAlike(
                "works_on_after_leaving",
                "rest-day working swiped out early, then lookups on a mobile device until the end of the duty",
            ),
            LookAlike(
                "call_out_while_on_call",
                "a call-out claimed as overtime inside the officer's own on-call row (pay code on "
                "call): being called out while on call is the normal way overtime arises",
            ),
            LookAlike(
                "leave_cancelled_in_advance",
                "the officer cancelled their own leave days before it began (no reason recorded) "
                "and worked overtime that day",
            ),
        ),
    ),
    params=(
        Param("min_count", int, 1, "paid-extra duties during absence or another duty that make a flag"),
        Param("min_unseen", int, 2, "paid-extra duties with no attendance evidence that make a flag"),
        Param("min_overlap_minutes", int, 30, "overlap with another duty that counts"),
        Param("min_short", int, 2, "paid-extra duties left hours before their claimed end that make a flag"),
        Param(
            "min_missing_hours",
            int,
            4,
            "hours between the last out swipe and the claimed end for a duty to count as left early",
        ),
        Param(
            "min_usual_duties",
            int,
            10,
            "basic duties seen (a swipe or lookup) that show how the officer's duties usually end",
        ),
        Param(
            "max_usual_early_share",
            float,
            0.25,
            "the most of those basic duties left as early: an officer whose duties usually end away "
            "from readers and systems is not judged by their swipes",
        ),
        Param(
            "notice_hours",
            int,
            24,
            "leave changed away this many hours or more before it began is a change of plan, not "
            "leave hidden afterwards",
        ),
    ),
    to_flags=_overlap,
    sql=OVERLAP_SQL,
    stage=STAGE,
    inputs=(
        Input.rows("shifts", description="duty rows (shifts)"),
        Input.rows(
            "shifts",
            "duty_type IN ('annual_leave', 'sick')",
            name="leave and sickness rows",
            description="annual leave and sickness rows in shifts",
        ),
        Input.rows("roster_changes", description="the duty system's audit trail (roster_changes rows)"),
        Input.rows("badge_events", description="badge swipes"),
        Input.rows("system_access", description="system lookups"),
        Input.rows("remote_sessions", description="remote log-ons"),
    ),
)
