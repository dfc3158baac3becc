"""``access.no_purpose``: lookups with no real recorded purpose (no code, or a placeholder
such as N/A), of records outside the officer's own cases.

Queries beside this module: ``no_purpose.codes.sql`` (first step: the codes in the data
that carry no purpose, and the systems that ask for one) and ``no_purpose.sql`` (the
enquiries against the background and the spread of officers' shares, with the family's
``common.lookups.sql`` and ``common.densest.sql`` filled in). The first step's answers go
into the second as literals at run time (``{blank}``, ``{systems}``, and
``{first_system}``, :func:`first_system`; see :func:`_no_purpose_rows`).

Worked examples: ``tests/examples/access.no_purpose/``, one folder per form and look-alike
of the card (run on both stores by ``tests/test_examples.py``).
"""

from __future__ import annotations

import re
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
    "TBA",
    "UNKNOWN",
    "NK",
    "NOT KNOWN",
    "NOT APPLICABLE",
    "NO PURPOSE",
    "BLANK",
    "DEFAULT",
]
"""Purpose codes that carry no purpose. They are compared on their letters and digits only,
in any case (``n/a``, ``N.A.`` and ``NA`` are one code); a code of punctuation only (``.``,
``--``), of zeros only (``0``, ``000``) or of X only (``XXX``) carries none either."""


def _normalised(column: str) -> str:
    """SQL: the letters and digits of ``column``, upper case (how purpose codes are compared)."""
    return f"upper(regexp_replace({column}, '[^A-Za-z0-9]', '', 'g'))"


NO_PLACEHOLDER_PATTERN = "0*|X+"
"""Normalised codes that carry no purpose whatever the list says: empty (punctuation only),
zeros only, X only."""

NO_PURPOSE_CODES_SQL = query_file(
    __file__,
    "no_purpose.codes.sql",
    norm_placeholder=_normalised("placeholder"),
    norm_code=_normalised("purpose_code"),
    pattern=NO_PLACEHOLDER_PATTERN,
)
"""First step: the codes in the data that carry no purpose, and the systems that ask for a
purpose (at least min_coded_share of their lookups carry a real code). They go into
:data:`NO_PURPOSE_SQL` as literals (``{blank}``, ``{systems}``), so that the filter on the
lookups is a plain one the event store pushes into its scan."""

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
purpose outside their own cases, against the background of their systems (everyone else's
enquiries outside their own cases) and the spread of officers' own shares."""


def _no_purpose(rows: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    def explain(r: dict[str, Any]) -> str:
        how = []
        if r["missing"]:
            how.append(f"{r['missing']} {'lookup' if r['missing'] == 1 else 'lookups'} with no purpose code")
        if r["placeholder"]:
            codes = ", ".join(f'"{c}"' for c in (r["codes"] or [])[:5])
            how.append(f"{r['placeholder']} with a code that gives no purpose ({codes})")
        among = "their unit colleagues" if r["tail_of"] == "unit" else "officers across the force"
        tail = (
            f"among {among}, those who leave the purpose out most often (the top "
            f"{_share(1 - p['tail_quantile'])}) do so for {100 * r['tail']:.1f}% of theirs"
        )
        return (
            f"Made {r['n']} enquiries of {r['records']} records ({r['lookups']} lookups; a record looked up "
            f"on one day is one enquiry) between {day(r['window_start'])} and "
            f"{day(r['window_end'])} without a real purpose ({' and '.join(how)}), none of them of a case "
            f"they were assigned to ({r['no_case']} of them of records with no case at all): "
            f"{100 * r['share']:.0f}% of their {r['all_n']} enquiries outside their own cases in the "
            f"{p['window_days']} days to {day(r['window_end'])}. At the share of such enquiries everyone "
            f"else makes on the same systems without a purpose, they would hold {r['expected']:.1f} "
            f"without one: these are {_times_as_many(r['ratio'])}, {r['n'] - r['expected']:.0f} more; "
            f"and {tail}."
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


def _share(q: float) -> str:
    return {0.1: "tenth", 0.2: "fifth", 0.25: "quarter", 0.5: "half"}.get(round(q, 2), f"{100 * q:.0f}%")


def _times_as_many(ratio: float) -> str:
    return "far more" if ratio >= 100 else f"{ratio:.0f} times as many"


def _sql_list(values: list[str] | None) -> str:
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values or []) or "NULL"


def first_system(systems: list[str], span_s: float | None = None) -> str:
    """SQL: the aggregate giving the system of a group's first lookup (earliest ``ts``; of
    two at the same time, the system first in ``systems``, which is sorted).

    Each lookup becomes one number, its time in microseconds times ``k`` plus its system's
    place (``k`` = systems + 1), and the group's least number gives both the time and the
    system: an aggregate of 64-bit integers, where ``arg_min`` over a (time, system) pair
    took twice as long over the 48 M enquiries of a 45k force. ``span_s`` is the largest
    distance of a lookup's time from 1970 (seconds, from the first step's query); where
    that times ``k`` would not fit in 64 bits (a year far off, with many systems), the
    pair is compared instead.

    >>> print(first_system(["PNC", "PND"], 1.8e9))
    CASE ((min(epoch_us(ts) * 3 + CASE "system" WHEN 'PNC' THEN 1 WHEN 'PND' THEN 2 END) % 3) + 3) % 3 WHEN 1 THEN 'PNC' WHEN 2 THEN 'PND' END
    >>> first_system(["PNC", "PND"], 3.1e12)  # a lookup in the year 99999
    'arg_min("system", struct_pack(t := ts, s := "system"))'
    """
    k = len(systems) + 1
    if span_s is None or (int(span_s) + 1) * 1_000_000 * k + k >= 2**63:
        return 'arg_min("system", struct_pack(t := ts, s := "system"))'
    quoted = [_sql_list([s]) for s in systems]
    place = " ".join(f"WHEN {q} THEN {i}" for i, q in enumerate(quoted, 1))
    name = " ".join(f"WHEN {i} THEN {q}" for i, q in enumerate(quoted, 1))
    least = f'min(epoch_us(ts) * {k} + CASE "system" {place} END)'
    return f"CASE (({least} % {k}) + {k}) % {k} {name} END"


def _no_purpose_rows(ctx: DetectContext, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    first = ctx.sql(NO_PURPOSE_CODES_SQL, p)[0]
    systems = first["systems"] or []
    if not systems:
        return []
    sql = (
        NO_PURPOSE_SQL.replace("{blank}", _sql_list(first["blank"]))
        .replace("{systems}", _sql_list(systems))
        .replace("{first_system}", first_system(systems, first["span_s"]))
    )
    return ctx.sql(sql, p)


_REAL_CODE = (
    f"purpose_code IS NOT NULL AND NOT regexp_full_match({_normalised('purpose_code')}, "
    f"'{NO_PLACEHOLDER_PATTERN}') AND {_normalised('purpose_code')} NOT IN ("
    + ", ".join(sorted({"'" + re.sub("[^A-Za-z0-9]", "", c).upper() + "'" for c in PLACEHOLDER_CODES}))
    + ")"
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
            "placeholder_codes, or punctuation, zeros or X only (codes are compared on their letters "
            "and digits, any case: n/a, N.A. and NA are one). Systems on which fewer than "
            "min_coded_share of all lookups carry a real code do not ask for one and are left out "
            "(the run's inputs count the lookups that carry a real code; with none at all no form "
            "can be checked). Take lookups with no purpose whose case (the lookup's, else the "
            "record's) is not one the officer was assigned to at the time (give or take grace_days), "
            "including records of no case. They are counted as enquiries: a record looked up on one "
            "day is one enquiry, however many screens and systems (a search and the views that follow "
            "it share one missing code). Find, per officer, the window_days window holding most such "
            "enquiries. Like is compared with like: every system has a background, the share of "
            "everyone else's enquiries outside their own cases on it (an enquiry is on the system of "
            "its first lookup), over the period, with a lookup that carries no purpose (a forgotten "
            "code now and then). Flag when the window holds at least min_lookups such enquiries, at "
            "least min_ratio times as many as that background predicts for the officer's enquiries "
            "outside their own cases in the window_days to the window's end, system by system; when "
            "their share of those enquiries without a purpose is at least min_tail_ratio times the "
            "share of the officers who leave it out most often (the tail_quantile of officers' "
            "whole-period shares, among those with min_lookups enquiries: the officer's unit "
            "colleagues when min_peers of them have that many, else the force); and when the window "
            "holds at least min_excess more than the higher of the two would give their enquiries; "
            "and when the window's share is either a burst (at least min_tail_ratio times the officer's "
            "own share outside the window) or the officer's whole-period share is itself at least "
            "min_tail_ratio times the top of the spread (the densest month of a steady share is "
            "neither). "
            "So a busy officer whose uncoded lookups are their systems' usual share is not flagged, "
            "nor is one whose share is at the top of the usual spread (a team or a tail of officers "
            "that often leave the code out), nor is a handful of forgotten codes: a slip, not a "
            "pattern."
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
                (
                    "own_case_no_code",
                    "few_missing",
                    "system_without_codes",
                    "background_uncoded",
                    "uncoded_tail",
                ),
                ("system_access", "purpose codes"),
            ),
            Form(
                "placeholder_code",
                'The same, with purpose codes that carry no purpose ("N/A", "NONE", "-", "TEST", '
                '"OTHER", "000", "XXX" and the like) in place of a real one.',
                (
                    "coded_lookups",
                    "own_case_no_code",
                    "system_without_codes",
                    "background_uncoded",
                    "uncoded_tail",
                ),
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
            LookAlike(
                "uncoded_tail",
                "An officer in a team that often leaves the purpose code out, several times the "
                "force's background share: their share is at the top of their colleagues' spread, not "
                "far beyond it.",
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
        Param(
            "min_excess",
            int,
            8,
            "enquiries without a purpose in the window beyond what the background, or the top of the "
            "spread of officers' shares, would give the officer's enquiries",
        ),
        Param("window_days", int, 30, "length of the window (days)"),
        Param(
            "tail_quantile",
            float,
            0.9,
            "quantile of officers' shares of enquiries without a purpose taken as those who leave it out most",
        ),
        Param(
            "min_tail_ratio",
            float,
            2.5,
            "times the tail_quantile share of the officer's peers that the officer's share must reach",
        ),
        Param(
            "min_peers",
            int,
            5,
            "unit colleagues with min_lookups enquiries that make the unit the peers (else the force)",
        ),
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
