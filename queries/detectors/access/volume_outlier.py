"""``access.volume_outlier``: access volume far beyond the officer's peers doing the same
job, in a burst well above their own usual rate or sustained over the whole period.

Query beside this module: ``volume_outlier.sql``.

Worked examples: ``tests/examples/access.volume_outlier/``, one folder per form and
look-alike of the card (run on both stores by ``tests/test_examples.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from queries.detectors.access.common import FAMILY_SQL
from queries.detectors.base import Detector, Form, Input, LookAlike, MethodCard, Param, query_file
from queries.detectors.common import day, officer_flags

_VOLUME_DUTY = "status <> 'cancelled' AND duty_type NOT IN ('rest_day', 'annual_leave', 'sick') AND pay_code <> 'on_call'"
"""SQL: a duty row, the days a rate is per (not cancelled, not rest, leave, sickness or on call)."""

VOLUME_SQL = query_file(
    __file__,
    "volume_outlier.sql",
    job=query_file(__file__, "common.job.sql", family=FAMILY_SQL),
    duty=_VOLUME_DUTY,
)


HEAVY_SHOWN = 3
"""Heavy days an explanation tells, the furthest beyond first (the evidence holds them all)."""


def _volume(rows: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    def explain(r: dict[str, Any]) -> str:
        said = []
        if r["is_spike"]:
            said.append(
                f"in a burst, made {r['n']} lookups of {r['records']} distinct records on {r['duty_days']} duty "
                f"days from {day(r['spike_start'])} to {day(r['spike_end'])} ({r['rate']:.1f} a duty day): "
                f"{r['own_ratio']:.1f} times their own usual rate ({r['own_rate']:.1f}) and "
                f"{r['peer_ratio']:.1f} times the median of the {r['peers']} officers of their peer group, "
                f"{r['peer_kind']} ({r['peer_rate']:.1f})"
            )
        heavy = r["heavy_days"] or []
        for h in sorted(heavy, key=lambda h: (-h["n"] / max(h["usual"], h["peer"], 0.5), h["d"]))[
            :HEAVY_SHOWN
        ]:
            what = (
                "lookups" if h["kind"] == "lookups" else "exports and prints (copies taken out of the system)"
            )
            said.append(
                f"on {day(h['d'])}, made {h['n']} {what}: {_times(h['n'], h['usual'])} their own usual "
                f"day ({h['usual']:.1f} a duty day) and {_times(h['n'], h['peer'])} the median of the "
                f"{h['peers']} officers of their peer group on duty that day ({h['peer']:.1f})"
            )
        if len(heavy) > HEAVY_SHOWN:
            said[-1] += f" ({len(heavy) - HEAVY_SHOWN} more such days: the evidence lists them)"
        if r["is_sustained"]:
            said.append(
                f"throughout the period, made {r['period_n']} lookups of {r['period_records']} distinct records "
                f"on {r['period_duty_days']} duty days from {day(r['period_start'])} to {day(r['period_end'])} "
                f"({r['period_rate']:.1f} a duty day): {r['period_peer_ratio']:.1f} times the median of "
                f"the {r['period_peers']} officers of their peer group, {r['peer_kind']} "
                f"({r['period_peer_rate']:.1f})"
            )
        text = "; and ".join(said)
        return text[0].upper() + text[1:] + "."

    def score(r: dict[str, Any]) -> float:
        s = 0.3 + 0.08 * min(r["own_ratio"], r["peer_ratio"]) if r["is_spike"] else 0.0
        for h in r["heavy_days"] or []:  # a day counts as a burst at a fifth of its ratio
            s = max(s, 0.3 + 0.016 * h["n"] / max(h["usual"], h["peer"], 0.5))
        return min(1.0, max(s, 0.3 + 0.08 * r["period_peer_ratio"] if r["is_sustained"] else 0.0))

    return officer_flags(
        "access.volume_outlier",
        rows,
        score=score,
        explain=explain,
        evidence=lambda r: [
            {
                "table": "system_access",
                "officer_id": r["officer_id"],
                "from": day(r["window_start"]),
                "to": day(r["window_end"]),
            },
            *(
                {
                    "table": "system_access",
                    "officer_id": r["officer_id"],
                    "from": day(h["d"]),
                    "to": day(h["d"]),
                    "heavy_day": h["kind"],
                    "count": h["n"],
                }
                for h in r["heavy_days"] or []
            ),
        ],
        id_parts=lambda r: (r["officer_id"],),
        forms=lambda r: [
            f
            for f, on in (
                ("spike", r["is_spike"]),
                ("heavy_day", any(h["kind"] == "lookups" for h in r["heavy_days"] or [])),
                ("bulk_export", any(h["kind"] == "exports" for h in r["heavy_days"] or [])),
                ("sustained", r["is_sustained"]),
            )
            if on
        ],
    )


def _times(n: float, base: float) -> str:
    return f"{n / base:.0f} times" if base >= 0.5 else "far beyond"


VOLUME_OUTLIER = Detector(
    name="access.volume_outlier",
    card=MethodCard(
        purpose=(
            "Find access volume far beyond the officer's peers doing the same job, either in "
            "a burst well above their own usual rate or sustained over the whole period, using "
            "medians rather than fixed counts."
        ),
        reads=(
            "system_access",
            "shifts (duty days)",
            "officers (unit, rank)",
            "assignments (role)",
            "units (name: the kind of work)",
        ),
        logic=(
            "Rates are lookups per duty day (a local day on which a duty starts that is not rest, "
            "leave, sickness or on call; cancelled rows aside; within the audit log's span, so a roster "
            "exported further does not count), so leave and rest days do not dilute them. Peers do the same job: officers of the same unit and role (the role of their open "
            "posting in assignments, whatever its case and spacing); when fewer than min_peers share "
            "it, the same role across the force, its median rate scaled to the unit's level of "
            "activity (the median, over the unit's members, of their rate over their role's "
            "force-wide median), so a busy unit's specialist is compared with busy specialists; else "
            "the same kind of work across the force (custody, public protection, intelligence: words "
            "in the role and the unit's name, so a custody inspector is compared with custody "
            "sergeants); with no role in the data, the same unit and rank, else the unit. A role, or "
            "a kind of work, whose whole peer group across the force is high is not an outlier: "
            "where its median (and upper quartile) across the force is higher than the peer "
            "group's, it is the one compared with (the role's at the unit's level of activity, so that a quiet "
            "unit's officer is not judged by the busiest units' holders of the role). A peer rate needs at least min_peers officers with a rate "
            "(the officer among them); an officer with neither unit nor role has no peers. Burst: in every "
            "window_days window (sliding by a day, with at least min_duty_days duty days) compare the "
            "rate with the officer's usual rate outside the window (so a burst does not raise its own "
            "baseline; fewer than min_baseline_days duty days outside it, such as a new starter's, "
            "give no usual rate) and with the peer median for the same window; flag the window where "
            "it is at least min_own_ratio times the usual rate and min_peer_ratio times the peer "
            "rate, and the smaller ratio is largest, when the window also holds at least "
            "min_burst_excess lookups more than its duty days at the higher of the two rates (a quiet "
            "officer's busy week is not a burst). Sustained: over the whole period, an officer "
            "with at least min_period_duty_days duty days and min_sustained_lookups lookups whose "
            "rate is at least min_sustained_ratio times the median of their peer group's whole-period "
            "rates, and min_upper_ratio times its upper quartile (so that one of several officers "
            "in a high-volume role shared by a quarter of the group is not taken for an outlier), is "
            "flagged whatever their own history. A busy unit raises the peer median for "
            "everyone, so it is not flagged. One day: a day's lookups (or, apart, its exports and prints: "
            "copies taken out of the system) at least min_day_ratio times the officer's usual day (their "
            "lookups, or exports and prints, a duty day over the rest of the period, with at least "
            "min_baseline_days other duty days) and min_day_ratio times the median of their peer group's members "
            "on duty that day (a duty that starts that day or runs into it from the night before; a team's operation, every member busy, is no one's burst), and at least "
            "min_day_excess lookups (min_day_exports exports and prints) beyond the higher of the two: "
            "two hundred person searches in one shift by an officer who makes fifteen, or a researcher "
            "printing sixty records in a day where colleagues print a handful a month, is a burst the "
            "window of weeks dilutes."
        ),
        false_positives=(
            "A new role or a major investigation that legitimately needs bulk lookups.",
            "Batch jobs run under a personal account.",
            "A specialist (an analyst, a researcher) placed in a unit of other roles at the same rank, "
            "when the data records no roles and the unit's name does not say the kind of work.",
        ),
        scoring=(
            "score = 0.3 + 0.08 x the smaller ratio (burst) or the peer ratio (sustained), or 0.3 + "
            "0.016 x a day's ratio to the higher of its usual and peer days (one day), the largest "
            "when several; at most 1."
        ),
        forms=(
            Form(
                "spike",
                "A window of weeks at several times the officer's own usual rate and above their peers.",
                ("busy_unit", "new_starter", "return_from_leave"),
                ("system_access", "duty rows"),
            ),
            Form(
                "heavy_day",
                "One day of lookups at several times the officer's own usual day and their peers' that day, "
                "by scores of lookups: a search spree in one shift.",
                ("team_operation", "new_starter", "busy_unit"),
                ("system_access", "duty rows"),
            ),
            Form(
                "bulk_export",
                "One day of exports and prints (copies taken out of the system) at several times the "
                "officer's usual day and their peers' that day, by a score or more.",
                ("export_role", "team_operation"),
                ("system_access", "duty rows"),
            ),
            Form(
                "sustained",
                "The whole period at several times the median rate per duty day of the officer's peers "
                "(same unit and role; else the role force-wide at the unit's level; else the kind of work "
                "force-wide; else unit and rank), "
                "with no burst against their own history.",
                ("busy_unit", "small_unit", "new_starter", "specialist_role", "custody_supervisors"),
                ("system_access", "duty rows"),
            ),
        ),
        lookalikes=(
            LookAlike("busy_unit", "A whole unit that runs at a high rate: its peers run as high."),
            LookAlike(
                "new_starter", "A new starter with a short history: no usual rate and too few duty days."
            ),
            LookAlike(
                "return_from_leave",
                "Back from long leave at a normal rate: the leave days do not count as duty days.",
            ),
            LookAlike(
                "team_operation",
                "A whole team's day of checks (a roadside operation): every member on duty that day makes "
                "scores of lookups, so the peers' median that day is as high.",
            ),
            LookAlike(
                "export_role",
                "Staff whose work is exporting records (disclosure, records management) every day: their "
                "usual day and their peers' hold as many exports.",
            ),
            LookAlike(
                "small_unit", "A unit too small for a peer rate, the officer at a steady rate of their own."
            ),
            LookAlike(
                "specialist_role",
                "A specialist (a financial investigator) in a unit of other roles, at the rate of the "
                "unit's and the force's other specialists: compared with their role, not their rank.",
            ),
            LookAlike(
                "custody_supervisors",
                "Custody sergeants and inspectors, who look up every detainee, posted beside colleagues "
                "who make few lookups, their role written in several ways: compared with their role "
                "and with custody work across the force, whose whole peer group is as high.",
            ),
        ),
    ),
    params=(
        Param("min_own_ratio", float, 3.0, "times the officer's own usual rate that makes a burst"),
        Param("min_peer_ratio", float, 1.2, "times the peer median rate that a burst must also reach"),
        Param("min_baseline_days", int, 20, "duty days outside the window an officer needs for a usual rate"),
        Param("window_days", int, 30, "burst window length (days)"),
        Param(
            "min_peers",
            int,
            5,
            "officers with a rate a peer group needs (and a unit and rank needs for a rank group)",
        ),
        Param(
            "min_work_peers",
            int,
            3,
            "officers with a rate that make a kind of work across the force (custody, public "
            "protection, intelligence) a comparison: a kind of work whose few holders are all busy, "
            "such as a small force's custody supervisors, is judged by its own median where that is "
            "higher than the peer group's",
        ),
        Param("min_duty_days", int, 5, "duty days a burst window needs to count"),
        Param(
            "min_sustained_ratio",
            float,
            3.0,
            "times the peer median whole-period rate that makes a sustained flag",
        ),
        Param(
            "min_upper_ratio",
            float,
            2.5,
            "times the peer group's upper quartile whole-period rate a sustained flag also needs",
        ),
        Param(
            "min_period_duty_days",
            int,
            20,
            "duty days over the period an officer needs for a whole-period rate",
        ),
        Param("min_sustained_lookups", int, 100, "lookups over the period a sustained flag needs"),
        Param(
            "min_day_ratio",
            float,
            5.0,
            "times the officer's usual day and their peers' median that day that make one day a burst",
        ),
        Param(
            "min_day_excess",
            int,
            50,
            "lookups a burst day holds beyond the higher of the usual and peer days",
        ),
        Param(
            "min_day_exports",
            int,
            20,
            "exports and prints a burst day holds beyond the higher of the usual and peer days",
        ),
        Param(
            "min_burst_excess",
            int,
            40,
            "lookups a burst window must hold beyond its duty days at the higher of the usual and peer rates",
        ),
    ),
    to_flags=_volume,
    sql=VOLUME_SQL,
    inputs=(
        Input.rows("system_access", description="lookups (system_access rows)"),
        Input.rows(
            "shifts", _VOLUME_DUTY, name="duty rows", description="duty rows (the days a rate is per)"
        ),
        Input.column(
            "g_officers", "unit_id", name="officers' units", description="officers with a unit (peer groups)"
        ),
    ),
)
