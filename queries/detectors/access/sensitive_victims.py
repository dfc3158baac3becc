"""``access.sensitive_victims``: views of victim or witness records outside the officer's
own cases: the same records opened again and again, or many different records far beyond
what colleagues doing the same job open.

Query beside this module: ``sensitive_victims.sql``, with the family's
``common.lookups.sql`` and ``common.densest.sql`` filled in.

Worked examples: ``tests/examples/access.sensitive_victims/``, one folder per form and
look-alike of the card (run on both stores by ``tests/test_examples.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from queries.detectors.access.common import FAMILY_SQL, GRACE
from queries.detectors.base import Detector, Form, Input, LookAlike, MethodCard, Param, query_file
from queries.detectors.common import day, officer_flags, rows_evidence

SENSITIVE_SQL = query_file(
    __file__,
    "sensitive_victims.sql",
    lookups=query_file(
        __file__, "common.lookups.sql", where="WHERE list_contains($sensitivities, r.sensitivity)"
    ),
    densest=query_file(__file__, "common.densest.sql", hits="reopened"),
    job=query_file(__file__, "common.job.sql", family=FAMILY_SQL),
)

SENSITIVE_FORMS = (
    Form(
        "repeated",
        "The same few victim or witness records of sexual or domestic offences, outside the "
        "officer's own cases, reopened again and again: one record opened on many different days, "
        "or a few records on several days each. A re-opening is a view on a later day than the "
        "officer last opened the record, at most window_days before (views within one day are one "
        "piece of work). Within window_days: at least min_reopenings re-openings more than peers "
        "doing the same job make (their median), or one record reopened min_record_reopenings "
        "times (four days' views of one victim, quoting a case the officer is not on or no longer "
        "on) with that many more than the peers' median, and peer_ratio times as many, on records "
        "that take at least min_repeat_share of the officer's views of such records in those days.",
        ("own_cases", "few_records", "non_sensitive_records", "chance_rereads"),
        needs=("system_access", "sensitive_records", "case_assignments"),
    ),
    Form(
        "breadth",
        "Many different such records outside the officer's own cases, each perhaps opened only "
        "once, over the whole period: at least min_distinct_records more different records than "
        "the median of the officer's peers doing the same job, and at least peer_ratio times that "
        "median. The peers are the unit colleagues who also open that many, when at least "
        "min_alike do (it is the team's work, even inside a mixed unit); else, for an officer whose "
        "role fewer than min_peers share, the officers across the force in the same role, or doing "
        "the same kind of work (public protection, custody, intelligence: words in the role and "
        "the unit's name), who also open that many, when at least min_alike do (a SOIT officer "
        "posted to a response team, beside the force's other SOIT and Sapphire officers); else officers who open victim or witness records at all, of "
        "the same unit and role (the role of their open posting), else of the same role across the "
        "force (a safeguarding officer posted alone to a local team is compared with the force's "
        "other safeguarding officers), else of the same kind of work across the force, else of the "
        "same unit and rank, else of the unit, else across the force. An officer who makes many "
        "times their peers' usual number of other lookups is weighed at that volume (the peers' "
        "median is scaled by it): breadth that only follows from busyness with every kind of record "
        "is not an interest in victims. Scattered: where the case assignments say whose cases are "
        "whose and the peers (at least min_peers - 1 of them) hardly ever open such records, fewer "
        "make it: at least min_scattered_records different records each looked at within one day, "
        "first opened within scattered_days of one another, and peer_ratio times the peers' 90th "
        "percentile over the whole period, weighed at the officer's volume (at least 1): six "
        "domestic-abuse victims, none on the officer's cases, looked up once each over ten weeks, "
        "where colleagues open none. Not where at least min_alike colleagues alike (of the "
        "unit, or of the role or kind of work for a role few share) open min_scattered_records or "
        "more too. "
        "With no case assignments at "
        "all, every such record counts, and the officer is still compared with peers in the same "
        "position.",
        (
            "own_cases",
            "public_protection_unit",
            "non_sensitive_records",
            "specialist_role_peers",
            "busy_officer",
        ),
        needs=("system_access", "sensitive_records"),
    ),
)

SENSITIVE_LOOKALIKES = (
    LookAlike(
        "own_cases",
        "Many views of victim and witness records, all of cases the officer was assigned to at the "
        "time (give or take grace_days).",
    ),
    LookAlike(
        "public_protection_unit",
        "A safeguarding or public protection unit whose whole team reviews victims across cases "
        "it is not assigned to, re-reading some of them now and then: compared with peers doing "
        "the same job, and their re-reads are a small part of the many records they open.",
    ),
    LookAlike(
        "specialist_role_peers",
        "Officers whose role is sexual-offence or domestic-abuse victims (SOIT, Sapphire, a "
        "domestic abuse car), each posted to a different team, each opening many victim records "
        "across cases: too few share a role name for a peer group, but their kind of work is the "
        "same and they all open as many; compared with them, not with their teams.",
    ),
    LookAlike("few_records", "Two victim records outside the officer's cases, each viewed twice."),
    LookAlike(
        "chance_rereads",
        "A few records read again on a later day, once each, spread over months, and a record read "
        "several times within one day as one piece of work: not records reopened again and again.",
    ),
    LookAlike(
        "busy_officer",
        "An officer who makes several times the lookups of their peers, of every kind of record, "
        "victim records among them in the same small share: their breadth follows from their volume "
        "(which access.volume_outlier weighs), not from an interest in victims.",
    ),
    LookAlike(
        "non_sensitive_records",
        "Many different records outside the officer's cases, none of them a victim or witness record.",
    ),
)

_PEER_WORDS = {
    "same unit and role": "colleagues doing the same job in their unit",
    "same role across the force": "officers doing the same job across the force",
    "alike": "the colleagues in their unit who also open many such records",
    "job alike": "the officers across the force in the same role or doing the same kind of work who also open many "
    "such records",
    "same kind of work across the force": "officers doing the same kind of work across the force",
    "same unit and rank": "colleagues of their unit and rank",
    "same unit": "colleagues in their unit",
    "force": "colleagues across the force",
}


def _sensitive(rows: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    kinds = f"{' or '.join(p['categories']) or 'any'} offences"

    def forms(r: dict[str, Any]) -> list[str]:
        return [f for f, k in (("repeated", "reopen"), ("breadth", "b_records")) if r[k] is not None]

    def who(kind: str) -> str:
        words = _PEER_WORDS[kind]
        return words if " open " in words else words + " who open such records"

    def weighed(r: dict[str, Any]) -> str:
        if (r.get("volume_factor") or 1.0) < 1.5:
            return ""
        return (
            f" (they make {r['volume_factor']:.1f} times their peers' usual number of other lookups, "
            "and the count was weighed against that)"
        )

    def explain(r: dict[str, Any]) -> str:
        parts = []
        if r["reopen"] is not None:
            days = list(r["per_record"] or [])
            recs = (
                "1 victim or witness record"
                if r["r_records"] == 1
                else f"{r['r_records']} victim or witness records"
            )
            each = (
                f"on {days[0]} different days"
                if len(days) == 1
                else "on " + ", ".join(map(str, days[:-1])) + f" and {days[-1]} different days"
            )
            parts.append(
                f"reopened {recs} of {kinds} again and again between {day(r['r_start'])} and "
                f"{day(r['r_end'])}, opening {'it' if r['r_records'] == 1 else 'them'} {each} "
                f"({r['reopen']} re-openings; {r['r_views']} of their {r['span_views']} views of such "
                f"records in the {p['window_days']} days to {day(r['r_end'])}); {who(r['r_peer_group'])} "
                f"reopened a median of {r['r_peer_median']:g}"
            )
        if r["b_records"] is not None and r.get("scattered"):
            parts.append(
                f"opened {r['s_best']} different "
                f"{'such records' if parts else f'victim or witness records of {kinds}'} "
                f"between {day(r['s_start'])} and {day(r['s_end'])}, each looked at within one day "
                f"({r['b_records']} such records over the whole period); where "
                f"{_PEER_WORDS[r['s_peer_group']]} opened a median of {r['peer_median']:g} such records "
                f"outside their cases over the whole period, and their 90th percentile was {r['peer_p90']:.3g}"
                + weighed(r)
            )
        elif r["b_records"] is not None:
            parts.append(
                f"opened {r['b_records']} different "
                f"{'such records' if parts else f'victim or witness records of {kinds}'} "
                f"between {day(r['b_start'])} and {day(r['b_end'])} ({r['b_once']} of them only once); "
                f"{who(r['peer_group'])} opened a median of {r['peer_median']:g}" + weighed(r)
            )
        where = (
            "none in a case they were assigned to"
            if r["has_assignments"]
            else "with no case assignments recorded anywhere to say which were their own"
        )
        text = "; and ".join(parts) + f"; {where}."
        return text[0].upper() + text[1:]

    def score(r: dict[str, Any]) -> float:
        s = 0.0
        if r["reopen"] is not None:
            s = 0.4 + 0.05 * (r["reopen"] - r["r_peer_median"])
        if r["b_records"] is not None:
            s = max(s, 0.4 + 0.03 * (r["b_records"] - r["peer_median"]))
        return s

    return officer_flags(
        "access.sensitive_victims",
        rows,
        score=score,
        explain=explain,
        evidence=lambda r: (
            rows_evidence("system_access", r["access_ids"]) + rows_evidence("records", r["record_ids"])
        ),
        id_parts=lambda r: (r["officer_id"],),
        forms=forms,
    )


SENSITIVE_VICTIMS = Detector(
    name="access.sensitive_victims",
    card=MethodCard(
        purpose=(
            "Find views of victim or witness records outside the officer's own cases, sexual and "
            "domestic offences especially (a known route to abuse of position): the same records "
            "opened again and again, or many different records far beyond what colleagues open."
        ),
        reads=(
            "system_access",
            "records (sensitivity, offence category, case)",
            "case_assignments",
            "officers (unit, rank), assignments (role) and units (name: the kind of work)",
        ),
        logic=(
            "Take lookups of records whose sensitivity is in sensitivities and whose offence "
            "category is in categories (all categories when it is empty), outside the officer's "
            "own cases (a case with no assignments, or a record of no case, is no one's own). "
            "Both forms compare the officer with peers doing the same job, among the officers who "
            "open victim or witness records at all: of the same unit and role (the role of their "
            "open posting in assignments, any case and spacing), else of the same role across the "
            "force, else of the same kind of work across the force (public protection, custody, "
            "intelligence, found by words in the role and the unit's name: SOIT, Sapphire, "
            "domestic abuse, safeguarding, researcher), else (no role recorded) of the same unit "
            "and rank, else of the unit, when at least min_peers share it (the officer among "
            "them), else across the force. "
            "Repeated: a re-opening is a view of a record on a later day than the officer last "
            "opened it, at most window_days before; views within one day are one piece of work. In "
            "the officer's window_days window holding most re-openings, flag when they number at "
            "least min_reopenings more than their peers' median (each peer in their own busiest "
            "window), or one record alone is reopened min_record_reopenings times and they number "
            "that many more than the median, and at least peer_ratio times it, and the records "
            "reopened take at least "
            "min_repeat_share of the officer's views of such records in the window_days to the "
            "window's end: the same few records opened again and again, whether one record on "
            "many days or a few on several days each. A few chance re-reads spread over months, or "
            "among the hundreds of records a safeguarding role opens, do not make it. "
            "Breadth: count the different such records each officer opened over the whole period "
            "and compare it with the peers' median; when at least min_alike colleagues of the unit "
            "also open min_distinct_records or more (a safeguarding team, even inside a mixed unit "
            "or under a role shared with colleagues who do other work), the peers are those "
            "colleagues; else, for an officer whose role fewer than min_peers share, when at least "
            "min_alike officers across the force in the same role or the same kind of work open "
            "that many, those officers (a specialist posted alone to a team is compared with the "
            "force's other specialists; a role many share is judged by its median). Flag when the "
            "count is at least min_distinct_records above the peers' median and at least peer_ratio "
            "times it, so a team that reviews victims across cases is compared with itself and not "
            "flagged. Scattered: with case assignments in the data, also flag at least "
            "min_scattered_records different records each looked at within one day (from its first "
            "view to its last) and first opened within scattered_days of one another, when they are "
            "at least peer_ratio times the peers' 90th percentile over the whole period times the "
            "volume weight, and at least peer_ratio; the peers are the group above (at "
            "least min_peers - 1 besides the officer), and no such flag is made when at least "
            "min_alike colleagues alike open min_scattered_records or more: a few victims looked up "
            "once each stand out where no colleague looks up any, and not where a tenth of "
            "colleagues attend such incidents. With no case assignments in the data, repeated is not checked (every "
            "investigator re-reads their own victims) and breadth counts every record against "
            "peers in the same position. The flag's window runs from the first to the last such "
            "lookup; the explanation names the form."
        ),
        false_positives=(
            "Safeguarding, public protection or intelligence roles that review victims across cases "
            "(compared with others in the same role; a lone reviewer with no role recorded, in a "
            "mixed unit, is not).",
            "Assignments not recorded in the case system.",
            "A supervisor or reviewer checking the victims of cases across their team.",
        ),
        scoring=(
            "repeated: 0.4 + 0.05 per re-opening above the peers' median; breadth: 0.4 + 0.03 per "
            "record above the peers' median; the larger when both, at most 1."
        ),
        forms=SENSITIVE_FORMS,
        lookalikes=SENSITIVE_LOOKALIKES,
    ),
    params=(
        Param(
            "min_reopenings",
            int,
            4,
            "re-openings in the window above the peers' median that make a flag (repeated)",
        ),
        Param(
            "min_record_reopenings",
            int,
            3,
            "re-openings of one record in the window that make a flag on their own, when they are "
            "that many above the peers' median too (repeated)",
        ),
        Param(
            "min_repeat_share",
            float,
            0.5,
            "share of the officer's views of such records in the window that must be of the records "
            "they reopened (repeated)",
        ),
        Param(
            "window_days",
            int,
            60,
            "length of the window, and the longest gap of a re-opening (days, repeated)",
        ),
        Param(
            "min_distinct_records",
            int,
            8,
            "different records above the peers' median that make a flag (breadth)",
        ),
        Param(
            "min_scattered_records",
            int,
            5,
            "different records each looked at within one day that make a flag where the peers hardly "
            "ever open such records: also peer_ratio times the peers' 90th percentile (breadth)",
        ),
        Param(
            "scattered_days",
            int,
            90,
            "days within which the first views of those records fall (scattered breadth)",
        ),
        Param(
            "peer_ratio",
            float,
            3.0,
            "times the peers' median (or, for scattered records, their 90th percentile) that the count "
            "must also reach",
        ),
        Param(
            "min_peers",
            int,
            4,
            "officers who open victim records a peer group needs (the officer among them)",
        ),
        Param(
            "min_alike",
            int,
            2,
            "unit colleagues who also open min_distinct_records or more that make it the team's work "
            "(the officer is then compared with them)",
        ),
        Param("sensitivities", list, ["victim", "witness"], "record sensitivities that count"),
        Param("categories", list, ["sexual", "domestic"], "offence categories that count (empty: all)"),
        GRACE,
    ),
    to_flags=_sensitive,
    sql=SENSITIVE_SQL,
    inputs=(
        Input.rows("system_access", description="lookups (system_access rows)"),
        Input.rows(
            "g_records",
            "sensitivity IN ('victim', 'witness')",
            name="sensitive_records",
            description="records marked victim or witness",
        ),
        Input.rows(
            "g_case_assignments",
            name="case_assignments",
            description="case assignments (which records are the officer's own cases)",
        ),
    ),
)
