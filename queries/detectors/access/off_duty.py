"""``access.off_duty``: lookups made while the officer was off duty (a rest day, leave or
sickness, or a day the duty system gives them no duty at all), or hours after their duty
ended on days they worked, evening after evening.

Queries beside this module: ``off_duty.stage.sql`` (each lookup on a day off or hours after
duty, with its day: the part local in time, see :data:`STAGE`) and ``off_duty.sql`` (the
rest, with the stage as its first CTE, ``{{stage}}``).

Worked examples: ``tests/examples/access.off_duty/``, one folder per form and look-alike
of the card (run on both stores by ``tests/test_examples.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from queries.detectors.base import Detector, Form, Input, LookAlike, MethodCard, Param, Stage, query_file
from queries.detectors.common import day, officer_flags, rows_evidence

DUTY_ROWS = query_file(__file__, "common.duty_rows.sql")
"""Each shift row's kind (duty, on call, leave, rest) and the end its claimed hours reach:
the stage's ``duty_rows`` (from ``T - 2h``) and the whole query's ``rows`` (all of them)."""

STAGE = Stage(
    ctes=query_file(__file__, "off_duty.stage.sql", duty_rows=DUTY_ROWS),
    main=query_file(__file__, "off_duty.sql", stage="{{stage}}", duty_rows=DUTY_ROWS),
    time="ts",
    # A lookup's day off (or hours after duty) comes from the officer's rows around it: rows
    # covering its day (which start at most the longest row before it), the days with rows
    # up to max_gap_days + 1 either side, duty periods widened by the graces. The days
    # beyond an officer's first or last row are kept only while that row is the first or
    # last (judged whole each run); a row cancelled or moved may make an older row the last,
    # and the run then recomputes from that row (``latest``).
    horizon="""SELECT 86400 * (CAST($max_gap_days AS BIGINT) + 3)
        + 60 * greatest(CAST($grace_minutes AS BIGINT), CAST($after_hours_grace_minutes AS BIGINT))
        + coalesce((SELECT max(greatest(epoch("end"), epoch(start) + greatest(coalesce(hours_claimed, 0), 0) * 3600)
                               - epoch(start)) FROM shifts), 0) AS h""",
    reads=("shifts", "system_access"),
    latest="""SELECT officer_id AS key, CAST(max(CASE WHEN kind = 'duty' THEN CAST(start AS DATE)
                                               ELSE CAST("end" - INTERVAL 1 SECOND AS DATE) END) AS TIMESTAMPTZ) AS t
        FROM (SELECT *, CASE WHEN pay_code = 'on_call' THEN 'on_call'
                             WHEN duty_type IN ('annual_leave', 'sick') THEN 'leave'
                             WHEN duty_type = 'rest_day' THEN 'rest' ELSE 'duty' END AS kind
              FROM shifts WHERE status <> 'cancelled')
        WHERE start IS NOT NULL AND (kind = 'duty' OR CAST("end" - INTERVAL 1 SECOND AS DATE) >= CAST(start AS DATE))
        GROUP BY officer_id""",
    own="system_access",
)
"""Lookups on days off and hours after duty, each with its day: local in time, so an
incremental run recomputes them from the changed time on (:mod:`queries.incremental`); the
officers' first and last rows, whether they are on the duty system, and the counts over
their whole history are judged whole each run."""

OFF_DUTY_SQL = STAGE.query()


def _days(k: int, what: str) -> str:
    return f"{k} {what}" if k == 1 else f"{k} {what.replace('day', 'days', 1)}"


def _off_duty(rows: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    def explain(r: dict[str, Any]) -> str:
        said = []
        if r["n_days"]:
            parts = [
                _days(k, what)
                for k, what in (
                    (r["rest_days"], "rest day"),
                    (r["leave_days"], "day of annual leave"),
                    (r["sick_days"], "day off sick"),
                    (r["no_row_days"], "day with no duty row at all"),
                )
                if k
            ]
            days = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
            said.append(
                f"made {r['n']} system lookups on {r['n_days']} days between {day(r['off_start'])} and "
                f"{day(r['off_end'])} when they were neither on duty nor on call ({days})"
            )
        if r["late_days"]:
            said.append(
                f"{'also ' if said else ''}made {r['late_n']} lookups after hours on {r['late_days']} days "
                f"they were on duty, between {day(r['late_start'])} and {day(r['late_end'])}: each more than "
                f"{_hours(p['after_hours_grace_minutes'])} after their duty that day had ended (or before it "
                "began), with no overtime, extension, on-call period or other duty recorded to cover it "
                f"({r['late_best']} such days within {p['after_hours_window_days']} days)"
            )
        text = "; and ".join(said) + "."
        return text[0].upper() + text[1:]

    return officer_flags(
        "access.off_duty",
        rows,
        score=lambda r: (
            0.4 + 0.1 * r["n_days"] + 0.05 * r["late_days"] + 0.2 * bool(r["leave_days"] or r["sick_days"])
        ),
        explain=explain,
        evidence=lambda r: rows_evidence("system_access", r["access_ids"]),
        id_parts=lambda r: (r["officer_id"],),
        forms=lambda r: r["forms"],
    )


def _hours(minutes: int) -> str:
    if minutes % 60:
        return f"{minutes} minutes"
    h = minutes // 60
    return "an hour" if h == 1 else f"{h} hours"


_DUTY_ROW = "status <> 'cancelled' AND duty_type NOT IN ('rest_day', 'annual_leave', 'sick') AND pay_code <> 'on_call'"

OFF_DUTY = Detector(
    name="access.off_duty",
    card=MethodCard(
        purpose=(
            "Find lookups made while the officer was off duty: on a rest day, on leave or off sick, "
            "on a day the duty system gives them no duty at all, or hours after their duty ended on "
            "days they worked, evening after evening."
        ),
        reads=("system_access", "shifts (duties, on-call, rest days, leave and sickness, hours claimed)"),
        logic=(
            "Days are local days (the configured zone). An officer is off on a local day covered by "
            "an annual leave or sickness row, on a day with a rest_day row, and, when they are on the "
            "duty system at all (they have duty rows), on a day with no duty, rest, leave or sickness "
            "row in a stretch of at most max_gap_days days without any row (within max_gap_days of "
            "their first or last duty at the ends; a longer gap means the duty system does not cover "
            "them then). A duty makes only the day it starts on a duty day, so the morning after a "
            "night shift is a day with no duty row. Take lookups on such days that fall outside every "
            "duty and on-call period of the officer (cancelled rows aside) by more than grace_minutes: "
            "a night shift that runs past midnight, overtime and rest-day working rows, and an on-call "
            "row cover their own hours, and a duty for which more hours are claimed than it lasts "
            "runs on for them (a recorded extension). Flag an officer with such lookups on at least "
            "min_days days, or with at least min_absence_lookups of them on one day of their own "
            "leave or sickness (paid absence spent at the keyboard; one stray lookup is not it). "
            "After hours: on a duty day (a duty starts that day, and it is no rest, "
            "leave or sick day), take the lookups outside every duty and on-call period of the officer "
            "by more than after_hours_grace_minutes (a night shift from the day before, overtime "
            "straight after the shift, an on-call evening and a late shift cover their own hours), and "
            "flag an officer with such lookups on at least min_evenings days within "
            "after_hours_window_days: a pattern, not a late lookup now and then. "
            "Members of staff with no duty rows at all cannot be judged on days with no row and are "
            "not flagged for them."
        ),
        false_positives=(
            "Overtime or a recall to duty not entered in the roster.",
            "A shared terminal left logged in under the officer's account.",
            "A duty system that records only some units' duties (check the officer is rostered there).",
        ),
        scoring=(
            "score = 0.4 + 0.1 per day off duty + 0.05 per duty day with lookups after hours, + 0.2 "
            "when any is during leave or sickness; at most 1."
        ),
        forms=(
            Form(
                "rest_day_row",
                "Lookups on rest days the duty system records (a rest_day row, not on call), outside "
                "every duty and on-call period by more than the grace.",
                ("on_call", "within_grace", "overtime_recorded"),
                ("system_access", "rest_day rows"),
            ),
            Form(
                "leave_or_sick",
                "Lookups on a day of annual leave or sickness (a leave or sick row), outside any "
                "recorded duty that day.",
                ("overtime_recorded", "within_grace"),
                ("system_access", "leave or sick rows"),
            ),
            Form(
                "no_duty_row",
                "Lookups on a day with no duty row at all, between the officer's duties, outside every "
                "duty and on-call period by more than the grace: many duty systems write no row for a "
                "rest day.",
                ("night_shift_past_midnight", "within_grace", "not_on_duty_system"),
                ("system_access", "duty rows"),
            ),
            Form(
                "after_hours",
                "Lookups on days the officer worked, hours after their duty ended (an early shift "
                "07:00 to 15:00, lookups at 21:00 to 23:00) or hours before it began, outside every "
                "duty, overtime and on-call period by more than after_hours_grace_minutes, on at least "
                "min_evenings days within after_hours_window_days.",
                ("shift_extended", "on_call_evening", "late_shift", "occasional_late_lookup", "within_grace"),
                ("system_access", "duty rows"),
            ),
        ),
        lookalikes=(
            LookAlike("on_call", "Lookups on a rest day on which an on-call row covers them."),
            LookAlike("within_grace", "Lookups shortly after a shift ends, finishing off the day's work."),
            LookAlike(
                "night_shift_past_midnight",
                "Lookups at 03:00 during a night shift that began at 22:00 the day before, on a day "
                "that has no row of its own.",
            ),
            LookAlike("overtime_recorded", "Lookups during an overtime row worked on a rest day."),
            LookAlike(
                "not_on_duty_system",
                "A member of staff with no shift rows at all: whether they were off duty cannot be told.",
            ),
            LookAlike(
                "shift_extended",
                "Evening lookups hours after an early shift's rostered end, on days the shift was "
                "extended: an overtime row straight after it, or more hours claimed for it.",
            ),
            LookAlike(
                "on_call_evening",
                "Evening lookups after a day's shift, inside an on-call row for that evening.",
            ),
            LookAlike(
                "late_shift",
                "Lookups at 21:00 to 23:00 on the days the officer works a late shift, though on "
                "other days they work earlies.",
            ),
            LookAlike(
                "occasional_late_lookup",
                "A late lookup hours after the shift now and then, a month or more apart: not "
                "evening after evening.",
            ),
        ),
    ),
    params=(
        Param("min_days", int, 2, "days with off-duty lookups that make a flag"),
        Param(
            "min_absence_lookups",
            int,
            3,
            "lookups on one day of the officer's own leave or sickness (off duty) that make a flag alone",
        ),
        Param(
            "grace_minutes",
            int,
            60,
            "minutes before a duty starts or after it ends that still count as on duty",
        ),
        Param(
            "after_hours_grace_minutes",
            int,
            120,
            "minutes before a duty starts or after it ends that still count as on duty on a duty day (after hours)",
        ),
        Param("min_evenings", int, 3, "duty days with lookups after hours that make a flag"),
        Param(
            "after_hours_window_days",
            int,
            60,
            "days within which the min_evenings duty days with lookups after hours must fall",
        ),
        Param(
            "max_gap_days",
            int,
            14,
            "longest stretch of days without a duty in which a day with no row still counts as off duty",
        ),
    ),
    to_flags=_off_duty,
    sql=OFF_DUTY_SQL,
    stage=STAGE,
    inputs=(
        Input.rows("system_access", description="lookups (system_access rows)"),
        Input.rows(
            "shifts",
            _DUTY_ROW,
            name="duty rows",
            description="duty rows (shifts that are not rest, leave, sick or on call)",
        ),
        Input.rows(
            "shifts",
            "status <> 'cancelled' AND duty_type = 'rest_day' AND pay_code <> 'on_call'",
            name="rest_day rows",
            description="rest-day rows (not on call)",
        ),
        Input.rows(
            "shifts",
            "status <> 'cancelled' AND duty_type IN ('annual_leave', 'sick') AND pay_code <> 'on_call'",
            name="leave or sick rows",
            description="annual leave and sickness rows",
        ),
        Input(
            "officers on the duty system",
            "officers with at least one duty row (others cannot be judged on days with no row)",
            sql=f"SELECT count(DISTINCT officer_id) AS n FROM shifts WHERE {_DUTY_ROW}",
        ),
    ),
)
