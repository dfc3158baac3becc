"""``access.no_purpose``: lookups with no real recorded purpose (no code, or a placeholder
such as N/A), of records outside the officer's own cases.

Queries beside this module: ``no_purpose.codes.sql`` (first step: the codes in the data
that carry no purpose, and the systems that ask for one, with their background) and
``no_purpose.sql`` (the enquiries, with the family's ``common.lookups.sql`` and
``common.densest.sql`` filled in). The first step's answers go into the second as
literals at run time (``{blank}``, ``{systems}``, ``{background}``; see
:func:`_no_purpose_rows`).

Worked examples: ``tests/examples/access.no_purpose/``, one folder per form and look-alike
of the card (run on both stores by ``tests/test_examples.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from queries.detectors.access.common import GRACE
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
from queries.detectors.common import day, officer_flags, rows_evidence

PLACEHOLDER_CODES = [
    "N/A",
    "NA",
    "NONE",
    "NIL",
    "NULL",
    "-",
    "?",
    "X",
    "XX",
    "XXX",
    "TEST",
    "OTHER",
    "MISC",
    "TBC",
    "UNKNOWN",
]
"""Purpose codes that carry no purpose (compared trimmed and case-insensitively; a code of
punctuation only, such as ``.`` or ``--``, carries none either)."""

NO_PURPOSE_CODES_SQL = query_file(__file__, "no_purpose.codes.sql")
"""First step: the codes in the data that carry no purpose, and the systems that ask for a
purpose (at least min_coded_share of their lookups carry a real code), each with its
enquiries and those without a purpose, force-wide (the background). They go into
:data:`NO_PURPOSE_SQL` as literals (``{blank}``, ``{systems}``, ``{background}``), so that
the filter on the lookups is a plain one the event store pushes into its scan."""

NO_PURPOSE_SQL = query_file(
    __file__,
    "no_purpose.sql",
    lookups=query_file(
        __file__,
        "common.lookups.sql",
        where='WHERE (s.purpose_code IS NULL OR s.purpose_code IN ({blank})) AND s."system" IN ({systems})',
    ),
    densest=query_file(__file__, "common.densest.sql", hits="enquiries"),
)
"""Second step: per officer, the window_days window holding most enquiries without a
purpose outside their own cases, against the background of their systems."""


def _no_purpose(rows: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    def explain(r: dict[str, Any]) -> str:
        how = []
        if r["missing"]:
            how.append(f"{r['missing']} {'lookup' if r['missing'] == 1 else 'lookups'} with no purpose code")
        if r["placeholder"]:
            codes = ", ".join(f'"{c}"' for c in (r["codes"] or [])[:5])
            how.append(f"{r['placeholder']} with a code that gives no purpose ({codes})")
        return (
            f"Made {r['n']} enquiries of {r['records']} records ({r['lookups']} lookups; a record looked up "
            f"on one day is one enquiry) between {day(r['window_start'])} and "
            f"{day(r['window_end'])} without a real purpose ({' and '.join(how)}), none of them of a case "
            f"they were assigned to ({r['no_case']} of them of records with no case at all). At the share of "
            f"enquiries everyone else makes on the same systems without a purpose, their {r['all_n']} "
            f"enquiries in the {p['window_days']} days to {day(r['window_end'])} would hold "
            f"{r['expected']:.1f} without one: these are {_times_as_many(r['ratio'])}."
        )

    return officer_flags(
        "access.no_purpose",
        rows,
        score=lambda r: 0.4 + 0.03 * r["n"],
        explain=explain,
        evidence=lambda r: rows_evidence("system_access", r["access_ids"]),
        id_parts=lambda r: (r["officer_id"],),
        forms=lambda r: r["forms"],
    )


def _times_as_many(ratio: float) -> str:
    return "far more" if ratio >= 100 else f"{ratio:.0f} times as many"


def _sql_list(values: list[str] | None) -> str:
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values or []) or "NULL"


def _no_purpose_rows(ctx: DetectContext, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    first = ctx.sql(NO_PURPOSE_CODES_SQL, p)[0]
    systems = first["systems"] or []
    if not systems:
        return []
    background = ", ".join(
        "(" + _sql_list([s["system"]]) + f", {int(s['n'])}, {int(s['blank'])})" for s in systems
    )
    sql = (
        NO_PURPOSE_SQL.replace("{blank}", _sql_list(first["blank"]))
        .replace("{systems}", _sql_list([s["system"] for s in systems]))
        .replace("{background}", background)
    )
    return ctx.sql(sql, p)


_REAL_CODE = (
    "purpose_code IS NOT NULL AND NOT regexp_full_match(trim(purpose_code), '[^A-Za-z0-9]*') "
    "AND upper(trim(purpose_code)) NOT IN (" + ", ".join(f"'{c}'" for c in PLACEHOLDER_CODES) + ")"
)

NO_PURPOSE = Detector(
    name="access.no_purpose",
    card=MethodCard(
        purpose=(
            "Find lookups with no real recorded purpose (no code, or a placeholder such as N/A), of "
            "records outside the officer's own cases."
        ),
        reads=("system_access", "records (their case)", "case_assignments (the officer's cases and dates)"),
        logic=(
            "A lookup has no purpose when its purpose code is empty, or is a placeholder: one of "
            "placeholder_codes (trimmed, any case) or punctuation only. Systems on which fewer than "
            "min_coded_share of all lookups carry a real code do not ask for one and are left out "
            "(the run's inputs count the lookups that carry a real code; with none at all no form "
            "can be checked). Take lookups with no purpose whose case (the lookup's, else the "
            "record's) is not one the officer was assigned to at the time (give or take grace_days), "
            "including records of no case. They are counted as enquiries: a record looked up on one "
            "day is one enquiry, however many screens and systems (a search and the views that follow "
            "it share one missing code). Find, per officer, the window_days window holding most such "
            "enquiries. Every system has a background: the share of everyone else's enquiries on it "
            "(an enquiry is on the system of its first lookup), over the period, with a lookup that "
            "carries no purpose (a forgotten code now and then). Flag when the window holds at least "
            "min_lookups such enquiries and at least "
            "min_ratio times as many as that background predicts for all the officer's enquiries in "
            "the window_days to the window's end, system by system: far more, and a far larger share, "
            "than the normal background. So a busy officer whose uncoded lookups are their systems' "
            "usual share is not flagged, nor is a handful of forgotten codes: a slip, not a pattern."
        ),
        false_positives=(
            "A system that does not ask for a purpose code on some screens.",
            "Work on a case before the assignment was recorded.",
            "Supervisors reviewing their team's cases without being assigned.",
        ),
        scoring="score = 0.4 + 0.03 per enquiry in the window, at most 1.",
        forms=(
            Form(
                "missing_code",
                "Ten or more enquiries (a record looked up on a day) with no purpose code within 30 "
                "days, of records outside the officer's own cases, and at least five times as many as "
                "their systems' background share of enquiries without a purpose predicts for all the "
                "officer's enquiries in those days.",
                ("own_case_no_code", "few_missing", "system_without_codes", "background_uncoded"),
                ("system_access", "purpose codes"),
            ),
            Form(
                "placeholder_code",
                'The same, with purpose codes that carry no purpose ("N/A", "NONE", "-", "TEST", '
                '"OTHER" and the like) in place of a real one.',
                ("coded_lookups", "own_case_no_code", "system_without_codes", "background_uncoded"),
                ("system_access", "purpose codes"),
            ),
        ),
        lookalikes=(
            LookAlike(
                "own_case_no_code", "Lookups with no code, all within a case the officer is assigned to."
            ),
            LookAlike(
                "system_without_codes",
                "Lookups on a system where nobody ever records a code (the screen does not ask): left out.",
            ),
            LookAlike("few_missing", "A handful of lookups without a code: a slip, not a pattern."),
            LookAlike(
                "background_uncoded",
                "A busy officer with ten or a dozen lookups without a code in a month, among hundreds: "
                "the share their systems record without a purpose anyway (the background), not an excess.",
            ),
            LookAlike(
                "coded_lookups", "Many lookups outside the officer's cases, each with a real purpose code."
            ),
        ),
    ),
    params=(
        Param("min_lookups", int, 10, "enquiries without a purpose in the window that make a flag"),
        Param(
            "min_ratio",
            float,
            5.0,
            "times the enquiries without a purpose that the systems' background predicts, the window must hold",
        ),
        Param("window_days", int, 30, "length of the window (days)"),
        Param("placeholder_codes", list, PLACEHOLDER_CODES, "purpose codes that carry no purpose (any case)"),
        Param(
            "min_coded_share",
            float,
            0.5,
            "share of a system's lookups with a real code below which the system is taken not to ask",
        ),
        GRACE,
    ),
    to_flags=_no_purpose,
    python=_no_purpose_rows,
    sql=NO_PURPOSE_CODES_SQL + ";\n\n" + NO_PURPOSE_SQL,
    uses_events=True,
    inputs=(
        Input.rows("system_access", description="lookups (system_access rows)"),
        Input.rows(
            "system_access",
            _REAL_CODE,
            name="purpose codes",
            description="lookups that carry a real purpose code",
        ),
    ),
)
