"""``access.no_purpose``: lookups with no real recorded purpose (no code, a placeholder
such as N/A, someone else's case, a case code with no case), of records outside the
officer's own cases; and such lookups of VIPs' records.

Queries beside this module: ``no_purpose.codes.sql`` (first step: the codes in the data
that carry no purpose, and the systems that ask for one) and ``no_purpose.sql`` (the
enquiries against the background and the spread of officers' shares, with the family's
``common.lookups.sql`` filled in). The first step's answers go into the second as literals
at run time (``{blank}``, ``{systems}``, ``{case_codes}`` and ``{first_system}``,
:func:`first_system`; see :func:`_no_purpose_rows`).

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
        where=(
            "WHERE (s.purpose_code IS NULL OR s.purpose_code IN ({blank}) OR s.case_ref IS NOT NULL "
            'OR s.purpose_code IN ({case_codes})) AND s."system" IN ({systems})'
        ),
    ),
)
"""Second step: per officer, the windows (window_days and long_window_days) holding most
enquiries without a purpose that holds, outside their own cases; of them, those whose stated
purpose does not hold and those of sensitive records; each against the background of their
systems (everyone else's enquiries outside their own cases) and, for all of them together,
the spread of officers' own shares."""

KINDS = ("any", "unsupported", "closed", "sensitive")
"""What the second step counts, in the order a flag tells it: every enquiry with no purpose
stated (no code, a placeholder, a case code with no case); those whose stated purpose does not hold (a case not the officer's, their unit's
or their team's; a code that on the force quotes a case, with none); of those, the ones quoting
a case closed before them, for records not of it; those of sensitive records."""


def _explain_any(r: Mapping[str, Any], p: Mapping[str, Any]) -> str:
    how = []
    if r["missing"]:
        how.append(f"{r['missing']} {'lookup' if r['missing'] == 1 else 'lookups'} with no purpose code")
    if r["placeholder"]:
        codes = ", ".join(f'"{c}"' for c in (r["codes"] or [])[:5])
        how.append(f"{r['placeholder']} with a code that gives no purpose ({codes})")
    if r["unsupported"]:
        how.append(
            f"{r['unsupported']} whose stated purpose does not hold (a case not theirs, or a code that "
            "names a case with none)"
        )
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
        f"{r['span']} days to {day(r['window_end'])}. At the share of such enquiries everyone "
        f"else makes on the same systems without a purpose, they would hold {r['expected']:.1f} "
        f"without one: these are {_times_as_many(r['ratio'])}, {r['n'] - r['expected']:.0f} more; "
        f"and {tail}."
    )


def _explain_unsupported(r: Mapping[str, Any], p: Mapping[str, Any]) -> str:
    how = []
    if "case_not_theirs" in r["forms"]:
        cases = ", ".join(r["cases"][:5]) + (
            f" and {len(r['cases']) - 5} more" if len(r["cases"]) > 5 else ""
        )
        how.append(
            f"quoting {'case' if len(r['cases']) == 1 else 'cases'} {cases}, to which neither they, nor anyone "
            "in their unit, nor anyone they line-manage was ever assigned"
        )
    if "case_code_without_case" in r["forms"]:
        codes = ", ".join(f'"{c}"' for c in r["case_codes"])
        how.append(
            f"with a purpose code that on this force quotes a case (at least {100 * p['min_case_share']:.0f}% "
            f"of its lookups do: {codes}) but quoting none"
        )
    return (
        f"Made {r['n']} enquiries of {r['records']} records between {day(r['window_start'])} and "
        f"{day(r['window_end'])} whose stated purpose does not hold: {'; or '.join(how)}. None was of a case "
        f"they were assigned to. At the share of such enquiries everyone else makes on the same systems, "
        f"their {r['all_n']} enquiries outside their own cases in the {r['span']} days to "
        f"{day(r['window_end'])} would hold {r['expected']:.1f}."
    )


def _explain_closed(r: Mapping[str, Any], p: Mapping[str, Any]) -> str:
    cases = r["closed_cases"] or []
    named = ", ".join(cases[:5]) + (f" and {len(cases) - 5} more" if len(cases) > 5 else "")
    return (
        f"Made {r['n']} enquiries of {r['records']} records between {day(r['window_start'])} and "
        f"{day(r['window_end'])} quoting {'case' if len(cases) == 1 else 'cases'} {named}, closed more than "
        f"{p['grace_days']} days before, to which neither they, nor anyone in their unit, nor anyone they "
        "line-manage was ever assigned, for records that are not of that case: a closed case borrowed as the "
        f"purpose. At the share of such enquiries everyone else makes on the same systems, their {r['all_n']} "
        f"enquiries outside their own cases in the {r['span']} days to {day(r['window_end'])} would hold "
        f"{r['expected']:.1f}."
    )


def _explain_sensitive(r: Mapping[str, Any], p: Mapping[str, Any]) -> str:
    kinds = " or ".join(p["sensitive_records"])
    return (
        f"Made {r['n']} enquiries of {r['records']} records marked {kinds} between {day(r['window_start'])} "
        f"and {day(r['window_end'])} without a real purpose, none of them of a case they were assigned to. "
        f"At the share of such enquiries everyone else makes, their {r['all_n']} enquiries outside their own "
        f"cases in the {r['span']} days to {day(r['window_end'])} would hold {r['expected']:.1f}."
    )


_EXPLAIN = {
    "any": _explain_any,
    "unsupported": _explain_unsupported,
    "closed": _explain_closed,
    "sensitive": _explain_sensitive,
}
_SCORE = {
    "any": lambda n: 0.4 + 0.03 * n,
    "unsupported": lambda n: 0.45 + 0.05 * n,
    "closed": lambda n: 0.5 + 0.05 * n,
    "sensitive": lambda n: 0.5 + 0.1 * n,
}


def _merged(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per officer: each kind that passed (for every enquiry without a purpose, the
    short window when it passed, else the long one), in the order of :data:`KINDS`."""
    by: dict[str, dict[str, dict[str, Any]]] = {}
    for r in sorted(rows, key=lambda r: (str(r["officer_id"]), KINDS.index(r["kind"]), r["span"])):
        by.setdefault(str(r["officer_id"]), {}).setdefault(r["kind"], r)
    out = []
    for officer, kinds in sorted(by.items()):
        parts = [kinds[k] for k in KINDS if k in kinds]
        forms = sorted(
            {f for r in parts for f in r["forms"]}
            | ({"sensitive_record"} if "sensitive" in kinds else set())
            | ({"closed_case"} if "closed" in kinds else set())
        )
        out.append(
            {
                "officer_id": officer,
                "parts": parts,
                "window_start": min(r["window_start"] for r in parts),
                "window_end": max(r["window_end"] for r in parts),
                "forms": forms,
                "access_ids": sorted({a for r in parts for a in r["access_ids"]}),
            }
        )
    return out


def _no_purpose(rows: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    return officer_flags(
        "access.no_purpose",
        _merged(rows),
        score=lambda m: max(_SCORE[r["kind"]](r["n"]) for r in m["parts"]),
        explain=lambda m: " ".join(_EXPLAIN[r["kind"]](r, p) for r in m["parts"]),
        evidence=lambda m: rows_evidence("system_access", m["access_ids"]),
        id_parts=lambda m: (m["officer_id"],),
        forms=lambda m: m["forms"],
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
        .replace("{case_codes}", _sql_list(first["case_codes"]))
        .replace("{first_system}", first_system(systems, first["span_s"]))
    )
    return [{**r, "case_codes": first["case_codes"] or []} for r in ctx.sql(sql, p)]


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
            "Find lookups with no real recorded purpose, of records outside the officer's own cases: no "
            "code, a placeholder such as N/A, a case reference that is not theirs, a code that needs a "
            "case with none; and any such lookup of a VIP's record."
        ),
        reads=(
            "system_access",
            "records (their case, their sensitivity)",
            "case_assignments (the officer's cases and dates; their unit's and team's cases)",
            "officers (unit, line manager)",
        ),
        logic=(
            "A lookup has no purpose when its purpose code is empty, or is a placeholder: one of "
            "placeholder_codes, or punctuation, zeros or X only (codes are compared on their letters "
            "and digits, any case: n/a, N.A. and NA are one). Its stated purpose does not hold when it "
            "quotes a case (its own case reference) that neither the officer, nor anyone in their "
            "unit, nor anyone they line-manage (directly or one level down) was ever assigned to; or "
            "when its code is one that on this force quotes a case (at least min_case_share of the "
            "code's lookups do, over at least min_case_code_lookups) and it quotes none. Systems on "
            "which fewer than min_coded_share of all lookups carry a real code do not ask for one and "
            "are left out (the run's inputs count the lookups that carry a real code; with none at "
            "all no form can be checked). Take such lookups whose case (the lookup's, else the "
            "record's) is not one the officer was assigned to at the time (give or take grace_days), "
            "including records of no case. They are counted as enquiries: a record looked up on one "
            "day is one enquiry, however many screens and systems (a search and the views that follow "
            "it share one missing code). Three things are counted: every such enquiry with no purpose "
            "stated (no code, a placeholder, a case code with no case); those whose stated purpose does "
            "not hold (and, of them, those quoting a closed case); those of records whose sensitivity is in sensitive_records (VIPs). A stated "
            "purpose that does not hold by the assignments is counted apart, never as a missing code: "
            "where custody staff quote each detainee's case, or a safeguarding hub the cases it "
            "triages, as their daily work, missing codes do not look usual on their systems for it. Like is compared with like: every system has a background, the share of "
            "everyone else's enquiries outside their own cases on it (an enquiry is on the system of "
            "its first lookup) of each count, over the period, pooled with the force's share as if "
            "the system held background_prior more enquiries (a forgotten code now and then; a "
            "system where few enquiries fall outside a case tells little on its own). "
            "Every enquiry with no purpose stated: find, per officer, the window_days window holding most, and the "
            "long_window_days window holding most (a slow, steady habit: a dozen over three months). "
            "Flag when a window holds at least min_lookups such enquiries, at "
            "least min_ratio times as many as that background predicts for the officer's enquiries "
            "outside their own cases in the window's days to its end, system by system; when "
            "their share of those enquiries without a purpose is at least min_tail_ratio times the "
            "share of the officers who leave it out most often (the tail_quantile of officers' "
            "whole-period shares, among those with min_lookups enquiries: the officer's unit "
            "colleagues when min_peers of them have that many, else the force); and when the window "
            "holds at least min_excess more than the higher of the two would give their enquiries; "
            "and when the window's share is either a burst (at least min_tail_ratio times the officer's "
            "own share outside the window) or the officer's whole-period share is itself at least "
            "min_tail_ratio times the top of the spread (the densest month of a steady share is "
            "neither). "
            "Enquiries whose stated purpose does not hold: flag when the long_window_days window "
            "holding most holds at least min_unsupported, and min_ratio times the background. "
            "Of those, enquiries quoting a case (not theirs, their unit's or their team's) more than "
            "grace_days after it closed, for a record that is not of that case (a closed case borrowed "
            "as the purpose; a review of a closed case reads its own records): flag when the "
            "long_window_days window holding most holds at least min_closed, and min_ratio times the "
            "background of such enquiries. "
            "Enquiries of sensitive records without a purpose: flag when the long_window_days window "
            "holding most holds at least min_sensitive, and min_ratio times the background. "
            "One flag per officer tells each count that was reached. "
            "So a busy officer whose uncoded lookups are their systems' usual share is not flagged, "
            "nor is one whose share is at the top of the usual spread (a team or a tail of officers "
            "that often leave the code out), nor is a handful of forgotten codes: a slip, not a "
            "pattern; a supervisor reading their team's cases quotes cases that are theirs to read."
        ),
        false_positives=(
            "A system that does not ask for a purpose code on some screens.",
            "Work on a case before the assignment was recorded.",
            "Supervisors reviewing cases outside their line of management (a duty inspector) without "
            "being assigned.",
            "A case reference mistyped by a digit, which quotes someone else's case.",
            "Helping another unit on its case without an assignment on record.",
        ),
        scoring=(
            "score = the highest of: 0.4 + 0.03 per enquiry without a purpose in the window; 0.45 + 0.05 per "
            "enquiry whose stated purpose does not hold; 0.5 + 0.05 per enquiry quoting a closed case; 0.5 + 0.1 "
            "per enquiry of a sensitive record; at most 1."
        ),
        forms=(
            Form(
                "missing_code",
                "Ten or more enquiries (a record looked up on a day) with no purpose code within 30 "
                "days, or spread over 90, of records outside the officer's own cases, and at least five "
                "times as many as their systems' background share of enquiries without a purpose "
                "predicts for all the officer's enquiries in those days.",
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
            Form(
                "case_not_theirs",
                "Five or more enquiries within 90 days quoting a case that neither the officer, nor "
                "anyone in their unit, nor anyone they line-manage was ever assigned to, whatever the "
                "code: a purpose borrowed from someone else's case.",
                ("team_case_review", "coded_lookups"),
                ("system_access", "quoted cases", "case assignments"),
            ),
            Form(
                "closed_case",
                "Four or more enquiries within 90 days quoting a case closed more than a week before, "
                "that neither the officer, nor anyone in their unit, nor anyone they line-manage was "
                "ever assigned to, for records that are not of that case: an old case borrowed as the "
                "purpose.",
                ("closed_case_own_records", "quoted_while_closing", "team_case_review"),
                ("system_access", "quoted cases", "case assignments", "closed cases"),
            ),
            Form(
                "case_code_without_case",
                "Five or more enquiries within 90 days, outside the officer's own cases, with a code "
                "that on this force quotes a case (95% of its lookups do) but quoting none: the code of "
                "an investigation with no investigation named.",
                ("code_often_without_case", "coded_lookups"),
                ("system_access", "quoted cases"),
            ),
            Form(
                "sensitive_record",
                "Two or more enquiries within 90 days without a purpose (any of the forms above) of "
                "records marked VIP (sensitive_records), outside the officer's own cases.",
                ("sensitive_with_purpose", "one_sensitive_slip"),
                ("system_access", "records marked VIP"),
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
            LookAlike(
                "team_case_review",
                "A supervisor quoting the cases of the officers they line-manage, without being assigned "
                "themselves: their team's work.",
            ),
            LookAlike(
                "closed_case_own_records",
                "A few enquiries quoting a closed case the officer was not on, of that case's own records "
                "(a review, a disclosure request): the case is their purpose, closed or not.",
            ),
            LookAlike(
                "quoted_while_closing",
                "A few enquiries quoting someone else's case in the days after it closed (within "
                "grace_days): the paperwork of closing it.",
            ),
            LookAlike(
                "code_often_without_case",
                "Lookups coded INV with no case, on a force where INV goes without a case on a large share "
                "of its lookups: there the code does not name a case.",
            ),
            LookAlike(
                "sensitive_with_purpose",
                "Views of VIP records with a real purpose code, outside the officer's cases.",
            ),
            LookAlike(
                "one_sensitive_slip", "One enquiry of a VIP record without a code: a slip, not a pattern."
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
        Param(
            "background_prior",
            int,
            50,
            "enquiries at the force's share pooled into each system's background (a system with few "
            "enquiries outside a case tells little on its own)",
        ),
        Param("window_days", int, 30, "length of the short window (days): a burst"),
        Param(
            "long_window_days",
            int,
            90,
            "length of the long window (days): enquiries without a purpose spread over months, and those "
            "whose purpose does not hold or of sensitive records",
        ),
        Param(
            "min_unsupported",
            int,
            5,
            "enquiries in the long window whose stated purpose does not hold (a case not theirs, their "
            "unit's or their team's; a case code with no case) that make a flag",
        ),
        Param(
            "min_closed",
            int,
            4,
            "enquiries in the long window quoting a closed case (not theirs, their unit's or their "
            "team's) more than grace_days after it closed, for records not of it, that make a flag",
        ),
        Param(
            "min_case_share",
            float,
            0.95,
            "share of a real code's lookups that quote a case from which the code is taken to need one",
        ),
        Param(
            "min_case_code_lookups",
            int,
            100,
            "lookups a code needs before its share of lookups quoting a case is read",
        ),
        Param(
            "sensitive_records",
            list,
            ["vip"],
            "record sensitivities whose enquiries without a purpose count with min_sensitive",
        ),
        Param(
            "min_sensitive",
            int,
            2,
            "enquiries without a purpose of sensitive records (sensitive_records) in the long window that make a flag",
        ),
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
        Input.rows(
            "system_access",
            "case_ref IS NOT NULL",
            name="quoted cases",
            description="lookups that quote a case",
        ),
        Input.rows("g_case_assignments", name="case assignments", description="officers' case assignments"),
        Input.rows(
            "g_cases", "closed_date IS NOT NULL", name="closed cases", description="cases with a closing date"
        ),
        Input.rows(
            "g_records",
            "sensitivity = 'vip'",
            name="records marked VIP",
            description="records marked VIP (the default sensitive_records)",
        ),
    ),
)
