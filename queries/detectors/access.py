"""System-access detectors, in SQL on the event store (every lookup is there; the graph
holds only notable officer-record pairs).

An officer's *own case* lookup is one whose case (the lookup's ``case_ref``, else the
record's) the officer is assigned to on that day, give or take ``grace_days``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graph.facts import LINK_HOLDERS
from queries.detectors.base import DetectContext, Detector, Form, Input, LookAlike, MethodCard, Param
from queries.detectors.common import day, officer_flags, rows_evidence

LOOKUPS = """
lookups AS (
    SELECT s.access_id, s.officer_id, s.ts, s.record_id, s.purpose_code, s."system",
           coalesce(s.case_ref, r.case_ref) AS case_ref, r.person_id, r.sensitivity,
           r.offence_category, r.record_type,
           EXISTS (SELECT 1 FROM g_case_assignments ca
                   WHERE ca.officer_id = s.officer_id AND ca.case_ref = coalesce(s.case_ref, r.case_ref)
                     AND CAST(s.ts AS DATE) >= ca.start_date - CAST($grace_days AS INTEGER)
                     AND (ca.end_date IS NULL OR CAST(s.ts AS DATE) <= ca.end_date + CAST($grace_days AS INTEGER))
           ) AS own_case
    FROM system_access s LEFT JOIN g_records r USING (record_id)
    {where})"""

GRACE = Param(
    "grace_days", int, 7, "days before or after a case assignment that still count as the officer's case"
)


def _densest(hits: str, window_days: str) -> str:
    """SQL: per officer, the trailing window (``window_days``) holding most of ``hits``
    (rows with officer_id, ts, access_id), with the access ids in it."""
    return f"""
dense AS (
    SELECT officer_id, ts, count(*) OVER w AS n, min(ts) OVER w AS first_ts
    FROM {hits}
    WINDOW w AS (PARTITION BY officer_id ORDER BY ts
                 RANGE BETWEEN to_days(CAST({window_days} AS INTEGER)) PRECEDING AND CURRENT ROW)),
best AS (
    SELECT officer_id, arg_max(struct_pack(ts, n, first_ts), struct_pack(n := n, earlier := -epoch(ts))) AS b
    FROM dense GROUP BY officer_id),  -- ties: the earliest window, whatever the row order
win AS (
    SELECT h.*, b.b.n AS n_window, b.b.first_ts AS window_start, b.b.ts AS window_end
    FROM {hits} h JOIN best b USING (officer_id)
    WHERE h.ts BETWEEN b.b.first_ts AND b.b.ts)"""


def _same_job(people: str) -> str:
    """SQL: peers doing the same job, among the officers of ``people`` (a table or CTE with
    ``officer_id``). ``peer_memb(officer_id, pg)`` holds every group each belongs to, and
    ``peer_group(officer_id, unit_id, pg, pg_kind)`` the one they are compared with: the same
    unit and role (the role of their open posting in their current unit in ``g_assignments``,
    else their latest) when at least ``$min_peers`` of ``people`` share it, the officer among
    them; else the same role across the force; else the same unit and rank; else the unit
    (``pg`` and ``pg_kind`` null when no group has min_peers). The chain of
    access.volume_outlier's peer groups, with no scaling to a unit's level of activity: a
    count of records is not a rate per duty day."""
    return f"""
job AS (  -- the role the officer holds now: their open posting in their current unit, else the latest
    SELECT a.officer_id,
           arg_max(a.role, struct_pack(open := a.end_date IS NULL, here := a.unit_id IS NOT DISTINCT FROM o.unit_id,
                                       s := a.start_date, r := a.role)) AS role
    FROM g_assignments a JOIN g_officers o USING (officer_id)
    WHERE NULLIF(trim(a.role), '') IS NOT NULL GROUP BY a.officer_id),
who AS (
    SELECT p.officer_id, o.unit_id, NULLIF(trim(o.rank), '') AS rank, j.role
    FROM (SELECT DISTINCT officer_id FROM {people}) p
    LEFT JOIN g_officers o USING (officer_id) LEFT JOIN job j USING (officer_id)),
peer_memb AS (  -- every peer group an officer belongs to
    SELECT officer_id, 'u:' || unit_id || '|r:' || role AS pg FROM who WHERE unit_id IS NOT NULL AND role IS NOT NULL
    UNION ALL SELECT officer_id, 'r:' || role FROM who WHERE role IS NOT NULL
    UNION ALL SELECT officer_id, 'u:' || unit_id || '|k:' || rank FROM who WHERE unit_id IS NOT NULL AND rank IS NOT NULL
    UNION ALL SELECT officer_id, 'u:' || unit_id FROM who WHERE unit_id IS NOT NULL),
peer_size AS (SELECT pg, count(*) AS n FROM peer_memb GROUP BY ALL),
peer_group AS (  -- same unit and role; else the role across the force; else same unit and rank; else the unit
    SELECT w.officer_id, w.unit_id,
           CASE WHEN ur.n >= $min_peers THEN 'u:' || w.unit_id || '|r:' || w.role
                WHEN fr.n >= $min_peers THEN 'r:' || w.role
                WHEN uk.n >= $min_peers THEN 'u:' || w.unit_id || '|k:' || w.rank
                WHEN uu.n >= $min_peers THEN 'u:' || w.unit_id END AS pg,
           CASE WHEN ur.n >= $min_peers THEN 'same unit and role'
                WHEN fr.n >= $min_peers THEN 'same role across the force'
                WHEN uk.n >= $min_peers THEN 'same unit and rank'
                WHEN uu.n >= $min_peers THEN 'same unit' END AS pg_kind
    FROM who w
    LEFT JOIN peer_size ur ON ur.pg = 'u:' || w.unit_id || '|r:' || w.role
    LEFT JOIN peer_size fr ON fr.pg = 'r:' || w.role
    LEFT JOIN peer_size uk ON uk.pg = 'u:' || w.unit_id || '|k:' || w.rank
    LEFT JOIN peer_size uu ON uu.pg = 'u:' || w.unit_id)"""


# ---------------------------------------------------------------------------- no purpose

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


def _no_purpose_of(col: str) -> str:
    """SQL: the lookup's purpose code ``col`` carries no purpose (empty, a placeholder of
    ``$placeholder_codes``, or punctuation only)."""
    return (
        f"({col} IS NULL OR regexp_full_match(trim({col}), '[^A-Za-z0-9]*') "
        f"OR upper(trim({col})) IN (SELECT code FROM placeholders))"
    )


NO_PURPOSE_CODES_SQL = (
    """WITH placeholders AS (SELECT DISTINCT upper(trim(unnest($placeholder_codes))) AS code),
codes AS (SELECT "system", purpose_code, count(*) AS n FROM system_access GROUP BY ALL),
lookups AS (
    SELECT "system", sum(n) AS n, coalesce(sum(n) FILTER (WHERE """
    + _no_purpose_of("purpose_code")
    + """), 0) AS blank
    FROM codes GROUP BY "system"),
asking AS (SELECT "system" FROM lookups WHERE n - blank >= $min_coded_share * n),
enquiries AS (  -- a record looked up by an officer on a day: one enquiry, however many screens and systems
    SELECT arg_min("system", struct_pack(t := ts, s := "system")) AS "system", bool_or("""
    + _no_purpose_of("purpose_code")
    + """) AS blank
    FROM system_access WHERE "system" IN (SELECT "system" FROM asking)
    GROUP BY officer_id, record_id, CAST(ts AS DATE)),
per_system AS (  -- an enquiry is on the system of its first lookup
    SELECT l."system", l.n, l.blank, coalesce(e.n, 0) AS enquiries, coalesce(e.blank, 0) AS blank_enquiries
    FROM lookups l LEFT JOIN (SELECT "system", count(*) AS n, count(*) FILTER (WHERE blank) AS blank
                              FROM enquiries GROUP BY "system") e USING ("system"))
SELECT (SELECT list(DISTINCT purpose_code) FROM codes WHERE purpose_code IS NOT NULL AND """
    + _no_purpose_of("purpose_code")
    + """) AS blank,
       (SELECT list(struct_pack("system", n := enquiries, blank := blank_enquiries) ORDER BY "system")
        FROM per_system WHERE n - blank >= $min_coded_share * n) AS systems"""
)
"""First step: the codes in the data that carry no purpose, and the systems that ask for a
purpose (at least min_coded_share of their lookups carry a real code), each with its
enquiries and those without a purpose, force-wide (the background). They go into
:data:`NO_PURPOSE_SQL` as literals (``{blank}``, ``{systems}``, ``{background}``), so that
the filter on the lookups is a plain one the event store pushes into its scan."""

NO_PURPOSE_SQL = (
    "WITH "
    + LOOKUPS.format(
        where='WHERE (s.purpose_code IS NULL OR s.purpose_code IN ({blank})) AND s."system" IN ({systems})'
    )
    + """,
hits AS (
    SELECT *, CASE WHEN purpose_code IS NULL OR trim(purpose_code) = '' THEN 'missing_code'
                   ELSE 'placeholder_code' END AS form
    FROM lookups WHERE NOT own_case),
enquiries AS (  -- a record looked up on a day: one enquiry, however many screens and systems
    SELECT officer_id, record_id, CAST(ts AS DATE) AS d, min(ts) AS ts,
           any_value(case_ref) AS case_ref, count(*) AS lookups,
           count(*) FILTER (WHERE form = 'missing_code') AS missing,
           count(*) FILTER (WHERE form = 'placeholder_code') AS placeholder,
           list(trim(purpose_code)) FILTER (WHERE form = 'placeholder_code') AS codes,
           list(DISTINCT form) AS forms, list(access_id) AS ids
    FROM hits GROUP BY officer_id, record_id, CAST(ts AS DATE)),"""
    + _densest("enquiries", "$window_days")
    + """,
found AS (
    SELECT officer_id, any_value(n_window) AS n, any_value(window_start) AS window_start,
           any_value(window_end) AS window_end, count(DISTINCT record_id) AS records,
           sum(lookups) AS lookups, count(*) FILTER (WHERE case_ref IS NULL) AS no_case,
           sum(missing) AS missing, sum(placeholder) AS placeholder,
           list_sort(list_distinct(flatten(list(codes)))) AS codes,
           list_sort(list_distinct(flatten(list(forms)))) AS forms,
           list_sort(flatten(list(ids))) AS access_ids
    FROM win GROUP BY officer_id
    HAVING any_value(n_window) >= $min_lookups),
background ("system", n, blank) AS (VALUES {background}),
own AS (  -- the officer's own enquiries per system over the period, and in the window_days to the window's end
    SELECT officer_id, "system", count(*) AS n, count(*) FILTER (WHERE blank) AS blank,
           count(*) FILTER (WHERE in_window) AS n_window
    FROM (SELECT f.officer_id, arg_min(s."system", struct_pack(t := s.ts, s := s."system")) AS "system",
                 s.record_id, CAST(s.ts AS DATE),
                 bool_or(s.purpose_code IS NULL OR s.purpose_code IN ({blank})) AS blank,
                 bool_or(s.ts BETWEEN f.window_end - to_days(CAST($window_days AS INTEGER)) AND f.window_end)
                     AS in_window
          FROM found f JOIN system_access s ON s.officer_id = f.officer_id AND s."system" IN ({systems})
          GROUP BY ALL)
    GROUP BY ALL),
usual AS (  -- what the background of everyone else predicts for the officer's enquiries in those days
    SELECT o.officer_id, sum(o.n_window) AS all_n,
           sum(o.n_window * (b.blank - o.blank) / greatest(b.n - o.n, 1)) AS expected
    FROM own o JOIN background b USING ("system")
    GROUP BY o.officer_id)
SELECT f.*, u.all_n, u.expected, f.n / greatest(u.expected, 1e-9) AS ratio
FROM found f JOIN usual u USING (officer_id)
WHERE f.n >= $min_ratio * u.expected
ORDER BY f.officer_id"""
)


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

# ---------------------------------------------------------------------------- personal link

PERSONAL_SQL = """
WITH links AS (  -- officer-person pairs that share an identifier (few): joined before anything else
    SELECT officer_id, person_id, list(DISTINCT kind ORDER BY kind) AS kinds
    FROM g_linked WHERE list_contains($link_kinds, kind)
      AND (holders IS NULL OR CAST(holders AS INTEGER) <= $max_holders) GROUP BY ALL),
hits AS (
    SELECT s.access_id, s.officer_id, s.ts, r.person_id, k.kinds,
           EXISTS (SELECT 1 FROM g_case_assignments ca
                   WHERE ca.officer_id = s.officer_id AND ca.case_ref = coalesce(s.case_ref, r.case_ref)
                     AND CAST(s.ts AS DATE) >= ca.start_date - CAST($grace_days AS INTEGER)
                     AND (ca.end_date IS NULL OR CAST(s.ts AS DATE) <= ca.end_date + CAST($grace_days AS INTEGER))
           ) AS own_case
    FROM system_access s JOIN g_records r USING (record_id)
    JOIN links k ON k.officer_id = s.officer_id AND k.person_id = r.person_id),
people AS (
    SELECT officer_id, person_id, any_value(kinds) AS kinds, count(*) AS n
    FROM hits GROUP BY officer_id, person_id),
per_officer AS (
    SELECT officer_id, list(struct_pack(person_id, kinds, n) ORDER BY person_id) AS people
    FROM people GROUP BY officer_id)
SELECT h.officer_id, count(*) AS n, count(DISTINCT h.person_id) AS persons,
       list(DISTINCT h.person_id ORDER BY h.person_id) AS person_ids,
       list_distinct(flatten(list(h.kinds))) AS kinds, any_value(p.people) AS people,
       count(*) FILTER (WHERE h.own_case) AS in_own_case,
       min(h.ts) AS window_start, max(h.ts) AS window_end, list(h.access_id ORDER BY h.ts) AS access_ids
FROM hits h JOIN per_officer p USING (officer_id)
GROUP BY h.officer_id
HAVING count(*) >= $min_lookups
ORDER BY h.officer_id"""

PERSONAL_FORMS_OF_KIND = {
    "address": "same_address",
    "phone": "same_phone",
    "postcode_surname": "surname_postcode",
}
"""Identifier kind (``g_linked.kind``, see ``ingest/identifiers.py``) -> the form it shows."""

PERSONAL_WORDS = {
    "same_address": "who lives at the same address as them",
    "same_phone": "who gives the same phone number as them",
    "surname_postcode": "who has their surname and lives in their postcode",
}

KIND_WORDS = {kind: PERSONAL_WORDS[form] for kind, form in PERSONAL_FORMS_OF_KIND.items()}
"""Identifier kind -> the plain words for it in an explanation."""


def _times(n: int) -> str:
    return "once" if n == 1 else "twice" if n == 2 else f"{n} times"


def _personal_form(kind: str) -> str:
    if kind in PERSONAL_FORMS_OF_KIND:
        return PERSONAL_FORMS_OF_KIND[kind]
    if "address" in kind:
        return "same_address"
    return "same_phone" if "phone" in kind else "surname_postcode"


PERSONAL_FORMS = (
    Form(
        "same_address",
        "Lookups of a person recorded at the officer's home address: the same cleaned address "
        "line in the same cleaned postcode (a relative, partner or lodger).",
        ("namesake_street", "different_flat"),
        needs=("system_access", "person_records", "officer_addresses", "person_addresses"),
    ),
    Form(
        "same_phone",
        "Lookups of a person who gives the officer's phone number (cleaned to its digits).",
        ("same_surname_elsewhere", "namesake_street", "switchboard_phone"),
        needs=("system_access", "person_records", "officer_phones", "person_phones"),
    ),
    Form(
        "surname_postcode",
        "Lookups of a person with the officer's surname living in the officer's postcode (a "
        "relative nearby), though at no recorded shared address or phone.",
        ("same_surname_elsewhere", "different_flat"),
        needs=("system_access", "person_records", "officer_postcodes", "person_postcodes"),
    ),
)

PERSONAL_LOOKALIKES = (
    LookAlike(
        "namesake_street",
        'A person at the same house number and street name as the officer ("12 High Street") '
        "in another postcode: another town's street, not the officer's home.",
    ),
    LookAlike(
        "different_flat",
        "A person at another flat of the officer's building (Flat 1 and Flat 2 of one number, "
        "one postcode) with a different surname: a neighbour, not a household.",
    ),
    LookAlike(
        "same_surname_elsewhere",
        "A person who shares only the officer's surname, at another postcode, address and phone.",
    ),
    LookAlike(
        "switchboard_phone",
        "A phone number held by more than max_holders officers and persons: the force switchboard, "
        "listed for many officers and given 'c/o' the force by witnesses; it identifies no one, so "
        "looking up such a witness is no lookup of someone linked to the officer.",
    ),
)


def _person_cypher(label: str, where: str) -> str:
    return f"MATCH (x:{label}) WHERE x.retired_at IS NULL AND {where} RETURN count(x) AS n"


PERSONAL_INPUTS = (
    Input.rows("system_access", description="lookups (system_access rows)"),
    Input.rows(
        "g_records", "person_id IS NOT NULL", name="person_records", description="records about a person"
    ),
    Input(
        "officer_addresses",
        "officers with a home address and postcode",
        cypher=_person_cypher("Officer", "x.home_address IS NOT NULL AND x.home_postcode IS NOT NULL"),
    ),
    Input(
        "person_addresses",
        "persons with an address and postcode",
        cypher=_person_cypher("Person", "x.address IS NOT NULL AND x.postcode IS NOT NULL"),
    ),
    Input(
        "officer_phones",
        "officers with a phone number",
        cypher=_person_cypher("Officer", "x.phone IS NOT NULL"),
    ),
    Input(
        "person_phones", "persons with a phone number", cypher=_person_cypher("Person", "x.phone IS NOT NULL")
    ),
    Input(
        "officer_postcodes",
        "officers with a surname and home postcode",
        cypher=_person_cypher("Officer", "x.surname IS NOT NULL AND x.home_postcode IS NOT NULL"),
    ),
    Input(
        "person_postcodes",
        "persons with a surname and postcode",
        cypher=_person_cypher("Person", "x.surname IS NOT NULL AND x.postcode IS NOT NULL"),
    ),
)


def _personal(rows: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    def person_forms(person: Mapping[str, Any]) -> list[str]:
        return sorted({_personal_form(k) for k in person["kinds"]}, key=list(PERSONAL_WORDS).index)

    def explain(r: dict[str, Any]) -> str:
        who = "; ".join(
            f"{x['person_id']}, {' and '.join(PERSONAL_WORDS[f] for f in person_forms(x))} ({_times(x['n'])})"
            for x in r["people"]
        )
        first, last = day(r["window_start"]), day(r["window_end"])
        when = f"on {first}" if first == last else f"between {first} and {last}"
        own = f"; {r['in_own_case']} of them within a case they were assigned to" if r["in_own_case"] else ""
        return f"Looked up records of people linked to them {_times(r['n'])} {when}: {who}{own}."

    def score(r: dict[str, Any]) -> float:
        strong = bool({"same_address", "same_phone"} & {_personal_form(k) for k in r["kinds"]})
        return (0.6 if strong else 0.4) + 0.05 * r["n"] - 0.2 * (r["in_own_case"] == r["n"])

    return officer_flags(
        "access.personal_link",
        rows,
        score=score,
        explain=explain,
        evidence=lambda r: (
            rows_evidence("system_access", r["access_ids"])
            + [{"table": "persons", "key": pid} for pid in r["person_ids"]]
            + [
                {
                    "path": [
                        f"Officer:{r['officer_id']}",
                        "HAS_IDENTIFIER",
                        "Identifier",
                        "HAS_IDENTIFIER",
                        f"Person:{pid}",
                    ]
                }
                for pid in r["person_ids"]
            ]
        ),
        id_parts=lambda r: (r["officer_id"], *r["person_ids"]),
        forms=lambda r: sorted({_personal_form(k) for k in r["kinds"]}),
    )


PERSONAL_LINK = Detector(
    name="access.personal_link",
    card=MethodCard(
        purpose=(
            "Find lookups of people linked to the officer: at the same address, with the same "
            "phone, or with the same surname in the same postcode."
        ),
        reads=(
            "system_access",
            "records (the person a record is about)",
            "shared identifiers (officers' and persons' addresses, phones, surnames and postcodes)",
        ),
        logic=(
            "Join each lookup of a record about a person with the officer-person pairs that share "
            "an identifier of a kind in link_kinds, cleaned at ingest: an address is the cleaned "
            "address line together with the cleaned postcode (so the same street in another town "
            "is another address, and Flat 1 is not Flat 2), a phone its digits, and surname + "
            "postcode the cleaned pair. An identifier held by more than max_holders officers and "
            "persons together (a switchboard number, a hostel's address) identifies no one and links "
            "no pair. Flag an officer with at least min_lookups such lookups; "
            "the flag names the form of each link (same address, same phone, surname and "
            "postcode) and the explanation says, person by person, how they are linked."
        ),
        false_positives=(
            "A namesake at a large block of flats sharing a postcode.",
            "A genuine case involving a neighbour or relative, handled with the right declaration.",
            "A person who gave an officer's number as a contact number in the officer's own case.",
        ),
        scoring=(
            "score = 0.6 (same address or phone) or 0.4 (surname + postcode only), + 0.05 per lookup, "
            "- 0.2 when every lookup was within the officer's assigned case; between 0 and 1."
        ),
        forms=PERSONAL_FORMS,
        lookalikes=PERSONAL_LOOKALIKES,
    ),
    params=(
        Param("min_lookups", int, 1, "lookups of linked persons that make a flag"),
        Param("link_kinds", list, ["address", "phone", "postcode_surname"], "identifier kinds that link"),
        Param(
            "max_holders",
            int,
            LINK_HOLDERS,
            "an identifier held by more officers and persons identifies no one (a switchboard, a hostel)",
        ),
        GRACE,
    ),
    to_flags=_personal,
    sql=PERSONAL_SQL,
    inputs=PERSONAL_INPUTS,
)


# ---------------------------------------------------------------------------- sensitive victims

SENSITIVE_SQL = (
    "WITH "
    + LOOKUPS.format(where="WHERE list_contains($sensitivities, r.sensitivity)")
    + """,
assigned AS (SELECT count(*) > 0 AS has FROM g_case_assignments),
hits AS MATERIALIZED (
    SELECT * FROM lookups
    WHERE NOT own_case AND (len($categories) = 0 OR list_contains($categories, offence_category))),
opened AS (  -- one row per officer, record and local day: views within one day are one piece of work
    SELECT officer_id, record_id, CAST(ts AS DATE) AS d, min(ts) AS ts FROM hits GROUP BY ALL),
reopened AS (  -- a record opened again on a later day, at most window_days after the officer last opened it
    SELECT * FROM (
        SELECT *, lag(d) OVER (PARTITION BY officer_id, record_id ORDER BY d) AS prev FROM opened)
    WHERE prev IS NOT NULL AND d - prev <= $window_days),"""
    + _densest("reopened", "$window_days")
    + """,
r_best AS (  -- the window_days window holding most re-openings, and the records reopened in it
    SELECT officer_id, any_value(n_window) AS reopen, any_value(window_start) AS r_start,
           any_value(window_end) AS r_end, list(DISTINCT record_id ORDER BY record_id) AS r_recs
    FROM win GROUP BY officer_id),
rec AS (SELECT officer_id, record_id, count(*) AS views, min(ts) AS first_ts FROM hits GROUP BY ALL),
tot AS (  -- every different such record an officer opened over the whole period
    SELECT officer_id, count(*) AS n, count(*) FILTER (WHERE views = 1) AS once,
           min(first_ts) AS b_start, max(first_ts) AS b_end
    FROM rec GROUP BY officer_id),
viewers AS (SELECT DISTINCT officer_id FROM lookups),  -- officers who open victim or witness records at all: the peers"""
    + _same_job("viewers")
    + """,
vals AS (  -- per viewer: different records (breadth) and re-openings in their busiest window (repeated)
    SELECT g.officer_id, g.unit_id, g.pg, g.pg_kind, coalesce(t.n, 0) AS n, coalesce(b.reopen, 0) AS reopen
    FROM peer_group g LEFT JOIN tot t USING (officer_id) LEFT JOIN r_best b USING (officer_id)),
cand AS (SELECT * FROM vals WHERE n >= $min_distinct_records OR reopen >= $min_reopenings),
group_peers AS (  -- the peers doing the same job (the officer aside)
    SELECT c.officer_id, count(p.officer_id) AS peers, median(p.n) AS med, median(p.reopen) AS r_med
    FROM cand c LEFT JOIN vals p ON p.pg = c.pg AND p.officer_id <> c.officer_id
    GROUP BY c.officer_id),
unit_alike AS (  -- unit colleagues who open many such records too (the team's work, where no role says so)
    SELECT c.officer_id, count(p.officer_id) AS alike, median(p.n) AS alike_med
    FROM cand c LEFT JOIN vals p ON p.unit_id = c.unit_id AND p.officer_id <> c.officer_id
     AND p.n >= $min_distinct_records
    GROUP BY c.officer_id),
force_peers AS (
    SELECT c.officer_id, median(p.n) AS med, median(p.reopen) AS r_med
    FROM cand c LEFT JOIN vals p ON p.officer_id <> c.officer_id
    GROUP BY c.officer_id),
compared AS (
    SELECT c.*, t.once AS b_once, t.b_start, t.b_end,
           CASE WHEN a.alike >= $min_alike THEN 'alike'
                WHEN c.pg IS NOT NULL THEN c.pg_kind ELSE 'force' END AS peer_group,
           coalesce(CASE WHEN a.alike >= $min_alike THEN a.alike_med
                         WHEN c.pg IS NOT NULL THEN g.med ELSE f.med END, 0) AS peer_median,
           CASE WHEN c.pg IS NOT NULL THEN c.pg_kind ELSE 'force' END AS r_peer_group,
           coalesce(CASE WHEN c.pg IS NOT NULL THEN g.r_med ELSE f.r_med END, 0) AS r_peer_median
    FROM cand c LEFT JOIN tot t USING (officer_id) JOIN group_peers g USING (officer_id)
    JOIN unit_alike a USING (officer_id) JOIN force_peers f USING (officer_id)),
r_span AS (  -- the officer's views of such records in the window_days to the window's end
    SELECT c.officer_id, count(*) AS span_views,
           count(*) FILTER (WHERE list_contains(b.r_recs, h.record_id)) AS r_views,
           list(h.access_id ORDER BY h.ts) FILTER (WHERE list_contains(b.r_recs, h.record_id)) AS r_ids,
           min(h.ts) FILTER (WHERE list_contains(b.r_recs, h.record_id)) AS r_first,
           max(h.ts) FILTER (WHERE list_contains(b.r_recs, h.record_id)) AS r_last
    FROM compared c JOIN r_best b USING (officer_id)
    JOIN hits h ON h.officer_id = c.officer_id
     AND CAST(h.ts AS DATE) BETWEEN CAST(b.r_end AS DATE) - CAST($window_days AS INTEGER) AND CAST(b.r_end AS DATE)
    WHERE c.reopen >= $min_reopenings GROUP BY c.officer_id),
r_days AS (  -- per reopened record, the different days it was opened on in that span
    SELECT b.officer_id, list(k ORDER BY k DESC) AS per_record
    FROM r_best b JOIN (
        SELECT o.officer_id, o.record_id, count(*) AS k FROM opened o JOIN r_best b USING (officer_id)
        WHERE list_contains(b.r_recs, o.record_id)
          AND o.d BETWEEN CAST(b.r_end AS DATE) - CAST($window_days AS INTEGER) AND CAST(b.r_end AS DATE)
        GROUP BY ALL) x USING (officer_id)
    GROUP BY b.officer_id),
repeated AS (  -- the same few records reopened again and again, far more than peers doing the same job
    SELECT c.officer_id, c.reopen, len(b.r_recs) AS r_records, s.r_views, s.span_views, s.r_ids, b.r_recs,
           s.r_first AS r_start, s.r_last AS r_end, d.per_record, c.r_peer_group, c.r_peer_median
    FROM compared c JOIN r_best b USING (officer_id) JOIN r_span s USING (officer_id) JOIN r_days d USING (officer_id)
    WHERE (SELECT has FROM assigned)
      AND c.reopen >= c.r_peer_median + $min_reopenings AND c.reopen >= $peer_ratio * c.r_peer_median
      AND s.r_views >= $min_repeat_share * s.span_views),
breadth_hits AS (
    SELECT officer_id, n AS b_records, b_once, b_start, b_end, peer_median, peer_group FROM compared
    WHERE n >= peer_median + $min_distinct_records AND n >= $peer_ratio * peer_median),
flagged AS (
    SELECT officer_id FROM repeated UNION SELECT officer_id FROM breadth_hits)
SELECT f.officer_id, r.reopen, r.r_records, r.r_views, r.span_views, r.r_start, r.r_end, r.per_record,
       r.r_peer_group, r.r_peer_median,
       b.b_records, b.b_once, b.b_start, b.b_end, b.peer_median, b.peer_group,
       (SELECT has FROM assigned) AS has_assignments,
       least(r.r_start, b.b_start) AS window_start, greatest(r.r_end, b.b_end) AS window_end,
       CASE WHEN b.officer_id IS NULL THEN r.r_ids
            ELSE (SELECT list(h.access_id ORDER BY h.ts) FROM hits h WHERE h.officer_id = f.officer_id)
       END AS access_ids,
       CASE WHEN b.officer_id IS NULL THEN r.r_recs
            ELSE (SELECT list(DISTINCT h.record_id ORDER BY h.record_id) FROM hits h WHERE h.officer_id = f.officer_id)
       END AS record_ids
FROM flagged f LEFT JOIN repeated r USING (officer_id) LEFT JOIN breadth_hits b USING (officer_id)
ORDER BY f.officer_id"""
)

SENSITIVE_FORMS = (
    Form(
        "repeated",
        "The same few victim or witness records of sexual or domestic offences, outside the "
        "officer's own cases, reopened again and again: one record opened on many different days, "
        "or a few records on several days each. A re-opening is a view on a later day than the "
        "officer last opened the record, at most window_days before (views within one day are one "
        "piece of work). Within window_days: at least min_reopenings re-openings more than peers "
        "doing the same job make (their median), and peer_ratio times as many, on records that "
        "take at least min_repeat_share of the officer's views of such records in those days.",
        ("own_cases", "few_records", "non_sensitive_records", "chance_rereads"),
        needs=("system_access", "sensitive_records", "case_assignments"),
    ),
    Form(
        "breadth",
        "Many different such records outside the officer's own cases, each perhaps opened only "
        "once, over the whole period: at least min_distinct_records more different records than "
        "the median of the officer's peers doing the same job, and at least peer_ratio times that "
        "median. The peers are the unit colleagues who also open that many, when at least "
        "min_alike do (it is the team's work, even inside a mixed unit); else officers who open "
        "victim or witness records at all, of the same unit and role (the role of their open "
        "posting), else of the same role across the force (a safeguarding officer posted alone to "
        "a local team is compared with the force's other safeguarding officers), else of the same "
        "unit and rank, else of the unit, else across the force. With no case assignments at all, "
        "every such record counts, and the officer is still compared with peers in the same "
        "position.",
        ("own_cases", "public_protection_unit", "non_sensitive_records"),
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
    LookAlike("few_records", "Two victim records outside the officer's cases, each viewed twice."),
    LookAlike(
        "chance_rereads",
        "A few records read again on a later day, once each, spread over months, and a record read "
        "several times within one day as one piece of work: not records reopened again and again.",
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
    "same unit and rank": "colleagues of their unit and rank",
    "same unit": "colleagues in their unit",
    "force": "colleagues across the force",
}


def _sensitive(rows: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    kinds = f"{' or '.join(p['categories']) or 'any'} offences"

    def forms(r: dict[str, Any]) -> list[str]:
        return [f for f, k in (("repeated", "reopen"), ("breadth", "b_records")) if r[k] is not None]

    def who(kind: str) -> str:
        return _PEER_WORDS[kind] + " who open such records"

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
        if r["b_records"] is not None:
            parts.append(
                f"opened {r['b_records']} different "
                f"{'such records' if parts else f'victim or witness records of {kinds}'} "
                f"between {day(r['b_start'])} and {day(r['b_end'])} ({r['b_once']} of them only once); "
                f"{who(r['peer_group'])} opened a median of {r['peer_median']:g}"
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
            "officers (unit, rank) and assignments (role)",
        ),
        logic=(
            "Take lookups of records whose sensitivity is in sensitivities and whose offence "
            "category is in categories (all categories when it is empty), outside the officer's "
            "own cases (a case with no assignments, or a record of no case, is no one's own). "
            "Both forms compare the officer with peers doing the same job, among the officers who "
            "open victim or witness records at all: of the same unit and role (the role of their "
            "open posting in assignments), else of the same role across the force, else (no role "
            "recorded) of the same unit and rank, else of the unit, when at least min_peers share "
            "it (the officer among them), else across the force. "
            "Repeated: a re-opening is a view of a record on a later day than the officer last "
            "opened it, at most window_days before; views within one day are one piece of work. In "
            "the officer's window_days window holding most re-openings, flag when they number at "
            "least min_reopenings more than their peers' median (each peer in their own busiest "
            "window) and at least peer_ratio times it, and the records reopened take at least "
            "min_repeat_share of the officer's views of such records in the window_days to the "
            "window's end: the same few records opened again and again, whether one record on "
            "many days or a few on several days each. A few chance re-reads spread over months, or "
            "among the hundreds of records a safeguarding role opens, do not make it. "
            "Breadth: count the different such records each officer opened over the whole period "
            "and compare it with the peers' median; when at least min_alike colleagues of the unit "
            "also open min_distinct_records or more (a safeguarding team, even inside a mixed unit "
            "or under a role shared with colleagues who do other work), the peers are those "
            "colleagues. Flag when the "
            "count is at least min_distinct_records above the peers' median and at least peer_ratio "
            "times it, so a team that reviews victims across cases is compared with itself and not "
            "flagged. With no case assignments in the data, repeated is not checked (every "
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
        Param("peer_ratio", float, 3.0, "times the peers' median that the count must also reach"),
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


# ---------------------------------------------------------------------------- off duty

OFF_DUTY_SQL = """
WITH rows AS MATERIALIZED (
    SELECT officer_id, start, "end", duty_type,
           CASE WHEN pay_code = 'on_call' THEN 'on_call'
                WHEN duty_type IN ('annual_leave', 'sick') THEN 'leave'
                WHEN duty_type = 'rest_day' THEN 'rest'
                ELSE 'duty' END AS kind
    FROM shifts WHERE status <> 'cancelled'),
cover AS (  -- duty and on-call periods, widened by the grace, by the local days they touch
    SELECT officer_id, start - to_minutes(CAST($grace_minutes AS BIGINT)) AS lo,
           "end" + to_minutes(CAST($grace_minutes AS BIGINT)) AS hi,
           unnest(generate_series(CAST(start - to_minutes(CAST($grace_minutes AS BIGINT)) AS DATE),
                                  CAST("end" + to_minutes(CAST($grace_minutes AS BIGINT)) AS DATE),
                                  INTERVAL 1 DAY))::DATE AS d
    FROM rows WHERE kind IN ('duty', 'on_call')),
marks AS MATERIALIZED (  -- per officer and local day: leave or sickness, a rest day, a duty starting that day
    SELECT officer_id, d, bool_or(kind = 'leave') AS leave, bool_or(kind = 'rest') AS rest,
           bool_or(kind = 'duty') AS duty, bool_or(kind = 'leave' AND duty_type = 'annual_leave') AS annual,
           bool_or(kind = 'leave' AND duty_type = 'sick') AS sick
    FROM (SELECT officer_id, kind, duty_type,
                 unnest(generate_series(CAST(start AS DATE),
                                        CASE WHEN kind = 'duty' THEN CAST(start AS DATE)
                                             ELSE CAST("end" - INTERVAL 1 SECOND AS DATE) END,
                                        INTERVAL 1 DAY))::DATE AS d
          FROM rows)
    GROUP BY ALL),
near AS (  -- officers on the duty system: each day with a row, and the days with a row either side
    SELECT officer_id, d, duty OR rest OR leave AS has_row,
           lag(d) OVER (PARTITION BY officer_id ORDER BY d) AS prev_d,
           lead(d) OVER (PARTITION BY officer_id ORDER BY d) AS next_d
    FROM marks QUALIFY bool_or(duty) OVER (PARTITION BY officer_id)),
gaps AS (  -- days with no row (or only an on-call row) in a stretch of at most max_gap_days
           -- days without rows, or within max_gap_days of the first or last row
    SELECT officer_id, d FROM near WHERE NOT has_row
    UNION ALL
    SELECT officer_id, unnest(generate_series(d + 1, next_d - 1, INTERVAL 1 DAY))::DATE AS d
    FROM near WHERE date_diff('day', d, next_d) BETWEEN 2 AND $max_gap_days + 1
    UNION ALL
    SELECT officer_id, unnest(generate_series(d + 1, d + CAST($max_gap_days AS INTEGER), INTERVAL 1 DAY))::DATE AS d
    FROM near WHERE next_d IS NULL
    UNION ALL
    SELECT officer_id, unnest(generate_series(d - CAST($max_gap_days AS INTEGER), d - 1, INTERVAL 1 DAY))::DATE AS d
    FROM near WHERE prev_d IS NULL),
off AS (  -- the days an officer is off: leave or sick, a rest day, or no row at all between duties
    SELECT officer_id, d, CASE WHEN leave THEN 'leave_or_sick' ELSE 'rest_day_row' END AS form, annual, sick
    FROM marks WHERE leave OR rest
    UNION ALL
    SELECT officer_id, d, 'no_duty_row' AS form, false AS annual, false AS sick FROM gaps),
hits AS (  -- lookups on those days outside every duty and on-call period
    SELECT h.* FROM (
        SELECT s.access_id, s.officer_id, s.ts, o.d, o.form, o.annual, o.sick
        FROM system_access s JOIN off o ON o.officer_id = s.officer_id AND o.d = CAST(s.ts AS DATE)) h
    ANTI JOIN cover c ON c.officer_id = h.officer_id AND c.d = h.d AND h.ts BETWEEN c.lo AND c.hi)
SELECT officer_id, count(*) AS n, count(DISTINCT d) AS n_days,
       count(DISTINCT d) FILTER (WHERE form = 'rest_day_row') AS rest_days,
       count(DISTINCT d) FILTER (WHERE form = 'no_duty_row') AS no_row_days,
       count(DISTINCT d) FILTER (WHERE annual) AS leave_days,
       count(DISTINCT d) FILTER (WHERE sick) AS sick_days,
       list(DISTINCT form ORDER BY form) AS forms,
       min(ts) AS window_start, max(ts) AS window_end, list(access_id ORDER BY ts) AS access_ids
FROM hits GROUP BY officer_id
HAVING count(DISTINCT d) >= $min_days
ORDER BY officer_id"""


def _days(k: int, what: str) -> str:
    return f"{k} {what}" if k == 1 else f"{k} {what.replace('day', 'days', 1)}"


def _off_duty(rows: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    def explain(r: dict[str, Any]) -> str:
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
        said = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
        return (
            f"Made {r['n']} system lookups on {r['n_days']} days between {day(r['window_start'])} and "
            f"{day(r['window_end'])} when they were neither on duty nor on call ({said})."
        )

    return officer_flags(
        "access.off_duty",
        rows,
        score=lambda r: 0.4 + 0.1 * r["n_days"] + 0.2 * bool(r["leave_days"] or r["sick_days"]),
        explain=explain,
        evidence=lambda r: rows_evidence("system_access", r["access_ids"]),
        id_parts=lambda r: (r["officer_id"],),
        forms=lambda r: r["forms"],
    )


_DUTY_ROW = "status <> 'cancelled' AND duty_type NOT IN ('rest_day', 'annual_leave', 'sick') AND pay_code <> 'on_call'"

OFF_DUTY = Detector(
    name="access.off_duty",
    card=MethodCard(
        purpose=(
            "Find lookups made while the officer was off duty: on a rest day, on leave or off sick, "
            "or on a day the duty system gives them no duty at all."
        ),
        reads=("system_access", "shifts (duties, on-call, rest days, leave and sickness)"),
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
            "row cover their own hours. Flag an officer with such lookups on at least min_days days. "
            "Members of staff with no duty rows at all cannot be judged on days with no row and are "
            "not flagged for them."
        ),
        false_positives=(
            "Overtime or a recall to duty not entered in the roster.",
            "A shared terminal left logged in under the officer's account.",
            "A duty system that records only some units' duties (check the officer is rostered there).",
        ),
        scoring="score = 0.4 + 0.1 per day, + 0.2 when any is during leave or sickness; at most 1.",
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
        ),
    ),
    params=(
        Param("min_days", int, 2, "days with off-duty lookups that make a flag"),
        Param(
            "grace_minutes",
            int,
            60,
            "minutes before a duty starts or after it ends that still count as on duty",
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

# ---------------------------------------------------------------------------- volume outlier

VOLUME_SQL = """
WITH daily AS (SELECT officer_id, CAST(ts AS DATE) AS d, count(*) AS n FROM system_access GROUP BY ALL),
duty AS (  -- duty days: local days on which a duty (not rest, leave, sickness or on call) starts
    SELECT DISTINCT officer_id, CAST(start AS DATE) AS d FROM shifts
    WHERE status <> 'cancelled' AND duty_type NOT IN ('rest_day', 'annual_leave', 'sick') AND pay_code <> 'on_call'),
span AS (SELECT min(d) AS lo, max(d) AS hi FROM daily),
cal AS (
    SELECT o.officer_id, unnest(generate_series(s.lo, s.hi, INTERVAL 1 DAY))::DATE AS d
    FROM (SELECT DISTINCT officer_id FROM daily) o, span s),
roll AS (
    SELECT c.officer_id, c.d,
           sum(coalesce(daily.n, 0)) OVER w AS n_win,
           sum(CASE WHEN duty.d IS NULL THEN 0 ELSE 1 END) OVER w AS duty_days,
           count(*) OVER w AS days
    FROM cal c LEFT JOIN daily USING (officer_id, d) LEFT JOIN duty USING (officer_id, d)
    WINDOW w AS (PARTITION BY c.officer_id ORDER BY c.d ROWS BETWEEN CAST($window_days AS INTEGER) - 1 PRECEDING AND CURRENT ROW)),
full_win AS (
    SELECT *, n_win / duty_days AS rate FROM roll
    WHERE days = $window_days AND duty_days >= $min_duty_days),
totals AS (  -- the whole period: lookups, duty days, first and last day with lookups
    SELECT o.officer_id, o.n AS tot_n, coalesce(dd.n, 0) AS tot_dd, o.lo, o.hi
    FROM (SELECT officer_id, sum(n) AS n, min(d) AS lo, max(d) AS hi FROM daily GROUP BY officer_id) o
    LEFT JOIN (SELECT officer_id, count(*) AS n FROM duty GROUP BY officer_id) dd USING (officer_id)),
job AS (  -- the role the officer holds now: their open posting in their current unit, else the latest
    SELECT a.officer_id,
           arg_max(a.role, struct_pack(open := a.end_date IS NULL, here := a.unit_id IS NOT DISTINCT FROM o.unit_id,
                                       s := a.start_date, r := a.role)) AS role
    FROM g_assignments a JOIN g_officers o USING (officer_id)
    WHERE NULLIF(trim(a.role), '') IS NOT NULL GROUP BY a.officer_id),
who AS (
    SELECT o.officer_id, o.unit_id, NULLIF(trim(o.rank), '') AS rank, j.role
    FROM g_officers o LEFT JOIN job j USING (officer_id)),
memb AS (  -- every peer group an officer belongs to
    SELECT officer_id, 'u:' || unit_id || '|r:' || role AS pg FROM who WHERE unit_id IS NOT NULL AND role IS NOT NULL
    UNION ALL SELECT officer_id, 'r:' || role FROM who WHERE role IS NOT NULL
    UNION ALL SELECT officer_id, 'u:' || unit_id || '|k:' || rank FROM who WHERE unit_id IS NOT NULL AND rank IS NOT NULL
    UNION ALL SELECT officer_id, 'u:' || unit_id FROM who WHERE unit_id IS NOT NULL),
prate AS (  -- whole-period rate per duty day, of officers with enough duty days
    SELECT t.*, t.tot_n / t.tot_dd AS rate FROM totals t WHERE t.tot_dd >= $min_period_duty_days),
gsize AS (SELECT m.pg, count(*) AS n FROM memb m JOIN prate USING (officer_id) GROUP BY ALL),
role_med AS (SELECT m.pg, median(r.rate) AS med FROM memb m JOIN prate r USING (officer_id) WHERE m.pg LIKE 'r:%' GROUP BY ALL),
unit_level AS (  -- how busy a unit is: the median of its members' rates over their role's force-wide median
    SELECT w.unit_id, median(r.rate / greatest(rm.med, 0.1)) AS factor, count(*) AS n
    FROM who w JOIN prate r USING (officer_id) JOIN role_med rm ON rm.pg = 'r:' || w.role
    WHERE w.unit_id IS NOT NULL GROUP BY ALL),
grp AS (  -- peers doing the same job: same unit and role; else the role across the force, at the unit's level of
          -- activity; else same unit and rank; else the unit
    SELECT w.officer_id,
           CASE WHEN ur.n >= $min_peers THEN 'u:' || w.unit_id || '|r:' || w.role
                WHEN fr.n >= $min_peers AND ul.n >= $min_peers THEN 'r:' || w.role
                WHEN uk.n >= $min_peers THEN 'u:' || w.unit_id || '|k:' || w.rank
                WHEN uu.n >= $min_peers THEN 'u:' || w.unit_id END AS pg,
           CASE WHEN ur.n >= $min_peers THEN 'same unit and role'
                WHEN fr.n >= $min_peers AND ul.n >= $min_peers THEN 'same role across the force, at their unit''s level of activity'
                WHEN uk.n >= $min_peers THEN 'same unit and rank'
                WHEN uu.n >= $min_peers THEN 'same unit' END AS pg_kind,
           CASE WHEN (ur.n < $min_peers OR ur.n IS NULL) AND fr.n >= $min_peers AND ul.n >= $min_peers
                THEN ul.factor END AS scale
    FROM who w
    LEFT JOIN gsize ur ON ur.pg = 'u:' || w.unit_id || '|r:' || w.role
    LEFT JOIN gsize fr ON fr.pg = 'r:' || w.role
    LEFT JOIN gsize uk ON uk.pg = 'u:' || w.unit_id || '|k:' || w.rank
    LEFT JOIN gsize uu ON uu.pg = 'u:' || w.unit_id
    LEFT JOIN unit_level ul ON ul.unit_id = w.unit_id),
peer AS (
    SELECT f.d, m.pg, median(f.rate) AS peer_rate, count(*) AS peers
    FROM full_win f JOIN memb m USING (officer_id) GROUP BY ALL),
scored AS (
    SELECT f.officer_id, f.d, f.n_win, f.duty_days, f.rate, p.peer_rate * coalesce(g.scale, 1) AS peer_rate,
           p.peers, g.pg_kind,
           -- the officer's usual rate: lookups per duty day outside this window
           (t.tot_n - f.n_win) / greatest(t.tot_dd - f.duty_days, 1) AS own_rate,
           f.rate / greatest((t.tot_n - f.n_win) / greatest(t.tot_dd - f.duty_days, 1), 0.5) AS own_ratio,
           f.rate / greatest(p.peer_rate * coalesce(g.scale, 1), 0.1) AS peer_ratio,
           t.tot_dd - f.duty_days AS baseline_days
    FROM full_win f JOIN totals t USING (officer_id) JOIN grp g USING (officer_id)
    JOIN peer p ON p.d = f.d AND p.pg = g.pg
    WHERE p.peers >= $min_peers),
spike AS (
    SELECT officer_id, arg_max(struct_pack(d, n_win, duty_days, rate, own_rate, peer_rate, peers, own_ratio, peer_ratio, pg_kind),
                               -- ties: the earliest window, whatever the row order
                               struct_pack(r := least(own_ratio, peer_ratio), earlier := -(d - DATE '1970-01-01'))) AS b
    FROM scored WHERE own_ratio >= $min_own_ratio AND peer_ratio >= $min_peer_ratio
      AND baseline_days >= $min_baseline_days
      -- far beyond in numbers too: a quiet officer's busy week is not a burst
      AND n_win - duty_days * greatest(own_rate, peer_rate) >= $min_burst_excess GROUP BY officer_id),
ppeer AS (
    SELECT m.pg, median(r.rate) AS peer_rate, quantile_cont(r.rate, 0.75) AS peer_q75, count(*) AS peers
    FROM prate r JOIN memb m USING (officer_id) GROUP BY ALL),
sustained AS (
    SELECT r.officer_id, r.tot_n, r.tot_dd, r.rate, r.lo, r.hi, p.peer_rate * coalesce(g.scale, 1) AS peer_rate,
           p.peers, g.pg_kind, r.rate / greatest(p.peer_rate * coalesce(g.scale, 1), 0.1) AS peer_ratio
    FROM prate r JOIN grp g USING (officer_id) JOIN ppeer p ON p.pg = g.pg
    WHERE p.peers >= $min_peers AND r.tot_n >= $min_sustained_lookups
      AND r.rate / greatest(p.peer_rate * coalesce(g.scale, 1), 0.1) >= $min_sustained_ratio
      AND r.rate / greatest(p.peer_q75 * coalesce(g.scale, 1), 0.1) >= $min_upper_ratio),
found AS (
    SELECT coalesce(k.officer_id, u.officer_id) AS officer_id,
           k.b IS NOT NULL AS is_spike, u.officer_id IS NOT NULL AS is_sustained,
           k.b.n_win AS n, k.b.duty_days AS duty_days, k.b.rate AS rate, k.b.own_rate AS own_rate,
           k.b.peer_rate AS peer_rate, k.b.peers AS peers, k.b.own_ratio AS own_ratio, k.b.peer_ratio AS peer_ratio,
           k.b.d - (CAST($window_days AS INTEGER) - 1) AS spike_start, k.b.d AS spike_end,
           u.tot_n AS period_n, u.tot_dd AS period_duty_days, u.rate AS period_rate, u.peer_rate AS period_peer_rate,
           u.peers AS period_peers, u.peer_ratio AS period_peer_ratio, u.lo AS period_start, u.hi AS period_end,
           coalesce(k.b.pg_kind, u.pg_kind) AS peer_kind,
           CASE WHEN u.officer_id IS NOT NULL THEN u.lo ELSE k.b.d - (CAST($window_days AS INTEGER) - 1) END AS window_start,
           CASE WHEN u.officer_id IS NOT NULL THEN u.hi ELSE k.b.d END AS window_end
    FROM spike k FULL OUTER JOIN sustained u USING (officer_id))
SELECT f.*, count(DISTINCT s.record_id) FILTER (WHERE CAST(s.ts AS DATE) BETWEEN f.spike_start AND f.spike_end) AS records,
       count(DISTINCT s.record_id) AS period_records
FROM found f JOIN system_access s ON s.officer_id = f.officer_id
 AND CAST(s.ts AS DATE) BETWEEN f.window_start AND f.window_end
GROUP BY ALL
ORDER BY f.officer_id"""


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
        return max(s, 0.3 + 0.08 * r["period_peer_ratio"] if r["is_sustained"] else 0.0)

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
            }
        ],
        id_parts=lambda r: (r["officer_id"],),
        forms=lambda r: [f for f, on in (("spike", r["is_spike"]), ("sustained", r["is_sustained"])) if on],
    )


_VOLUME_DUTY = "status <> 'cancelled' AND duty_type NOT IN ('rest_day', 'annual_leave', 'sick') AND pay_code <> 'on_call'"

VOLUME_OUTLIER = Detector(
    name="access.volume_outlier",
    card=MethodCard(
        purpose=(
            "Find access volume far beyond the officer's peer group (same unit and rank), either in "
            "a burst well above their own usual rate or sustained over the whole period, using "
            "medians rather than fixed counts."
        ),
        reads=("system_access", "shifts (duty days)", "officers (unit, rank)"),
        logic=(
            "Rates are lookups per duty day (a local day on which a duty starts that is not rest, "
            "leave, sickness or on call; cancelled rows aside), so leave and rest days do not dilute "
            "them. Peers do the same job: officers of the same unit and role (the role of their open "
            "posting in assignments); when fewer than min_peers share it, the same role across the "
            "force, its median rate scaled to the unit's level of activity (the median, over the "
            "unit's members, of their rate over their role's force-wide median), so a busy unit's "
            "specialist is compared with busy specialists; with no role in the data, the same unit "
            "and rank, else the unit. A peer rate needs at least min_peers officers with a rate "
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
            "everyone, so it is not flagged."
        ),
        false_positives=(
            "A new role or a major investigation that legitimately needs bulk lookups.",
            "Batch jobs run under a personal account.",
            "A specialist (an analyst, a researcher) placed in a unit of other roles at the same rank, "
            "when the data records no roles.",
        ),
        scoring=(
            "score = 0.3 + 0.08 x the smaller ratio (burst) or the peer ratio (sustained), the larger "
            "when both; at most 1."
        ),
        forms=(
            Form(
                "spike",
                "A window of weeks at several times the officer's own usual rate and above their peers.",
                ("busy_unit", "new_starter", "return_from_leave"),
                ("system_access", "duty rows"),
            ),
            Form(
                "sustained",
                "The whole period at several times the median rate per duty day of the officer's peers "
                "(same unit and role; else the role force-wide at the unit's level; else unit and rank), "
                "with no burst against their own history.",
                ("busy_unit", "small_unit", "new_starter", "specialist_role"),
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
                "small_unit", "A unit too small for a peer rate, the officer at a steady rate of their own."
            ),
            LookAlike(
                "specialist_role",
                "A specialist (a financial investigator) in a unit of other roles, at the rate of the "
                "unit's and the force's other specialists: compared with their role, not their rank.",
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
