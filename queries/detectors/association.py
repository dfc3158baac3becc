"""Association detectors: undeclared memberships of notifiable organisations, and
undeclared links (a shared address or phone) to people flagged in police records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from graph.facts import LINK_HOLDERS
from queries.detectors.base import (
    Detector,
    Form,
    Input,
    LookAlike,
    MethodCard,
    Param,
)
from queries.detectors.common import officer_flags

NAME = "association.undeclared_membership"

CYPHER = """\
MATCH (x:Membership) WHERE x.retired_at IS NULL
WITH max(x.since) AS listed_since, max(x.until) AS listed_until
OPTIONAL MATCH (y:Declaration) WHERE y.retired_at IS NULL
WITH listed_since, listed_until, max(y.declared_at) AS last_declared
MATCH (o:Officer)-[m:MEMBER_OF]->(g:Organisation)
WHERE m.retired_at IS NULL AND o.retired_at IS NULL AND g.retired_at IS NULL
  AND m.score >= $min_score AND g.kind IN $kinds
OPTIONAL MATCH (o)-[:DECLARED]->(d:Declaration)-[a:ABOUT]->(g)
WHERE d.retired_at IS NULL
RETURN o.officer_id AS officer_id, o.start_date AS officer_start, o.end_date AS officer_end,
       g.org_id AS org_id, g.name AS org_name, g.kind AS org_kind,
       m.membership_id AS membership_id, m.score AS score, m.matched_on AS matched_on,
       m.method AS method, m.since AS since, m.until AS until,
       d.declaration_id AS declaration_id, d.status AS status, d.declared_at AS declared_at,
       d.valid_until AS valid_until, d.org_name AS declared_name, a.method AS about_method,
       listed_since, listed_until, last_declared
ORDER BY officer_id, membership_id, declaration_id"""

PENDING_FACTOR = 0.6
LAPSED_FACTOR = 0.8

NO_DECLARATION = "no_declaration"
NOT_APPROVED = "declaration_not_approved"
LAPSED = "lapsed_declaration"


def _date(v: Any) -> dt.date | None:
    """A date from either store (``date``, ``datetime`` or ISO text); ``None`` for none."""
    if v is None or v == "":
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v)[:10])
    except ValueError:
        return None


def data_as_of(rows: list[dict[str, Any]], given: str = "") -> dt.date | None:
    """The "today" of a lapsed declaration: ``as_of`` when given, else the latest date the
    registers show (the latest membership start or end on any list, or the latest
    declaration made). The run's own date is not used: an export is read later than it
    was made, and a declaration valid at the export would read as lapsed; it only caps a
    date from the future (a typo on a list).

    >>> data_as_of([{"listed_since": dt.date(2024, 5, 1), "listed_until": None,
    ...              "last_declared": dt.date(2025, 1, 2)}])
    datetime.date(2025, 1, 2)
    >>> data_as_of([], "2025-06-30")
    datetime.date(2025, 6, 30)
    """
    if given:
        return _date(given)
    dates = [
        d
        for r in rows[:1]
        for d in (_date(r.get("listed_since")), _date(r.get("listed_until")), _date(r.get("last_declared")))
        if d is not None
    ]
    # a date after the run's own day is a typo, not the day of the export
    return min(max(dates), dt.datetime.now(dt.UTC).date()) if dates else None


def _membership_cases(rows: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One case per resolved membership that the register does not cover (see the card)."""
    as_of = data_as_of(rows, str(p.get("as_of") or ""))
    by_m: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in rows:
        by_m.setdefault((str(r["officer_id"]), str(r["membership_id"])), []).append(r)
    cases = []
    for (_oid, _mid), rs in sorted(by_m.items()):
        r = rs[0]
        since, until = _date(r.get("since")), _date(r.get("until"))
        start, end = _date(r.get("officer_start")), _date(r.get("officer_end"))
        if until is not None and start is not None and until < start:
            continue  # left before joining the force: nothing to declare
        if since is not None and end is not None and since > end:
            continue  # joined after leaving the force
        decls = sorted(
            (
                (str(x["declaration_id"]), str(x.get("status") or ""), _date(x.get("valid_until")))
                for x in rs
                if x.get("declaration_id") is not None
            ),
        )
        # the day the membership must be covered to: its end, else "today"
        cover_to = min(until, as_of) if until is not None and as_of is not None else until or as_of
        approved = [d for d in decls if d[1] == "approved"]
        current = [d for d in approved if d[2] is None or cover_to is None or d[2] >= cover_to]
        if current:
            continue  # declared and approved, and still valid
        pending = [d for d, s, _ in decls if s == "pending"]
        rejected = [d for d, s, _ in decls if s not in ("approved", "pending")]
        forms: list[str] = []
        window_start = since
        if approved:
            forms.append(LAPSED)
            lapsed_on = max(d[2] for d in approved if d[2] is not None)
            window_start = max(since, lapsed_on) if since is not None else lapsed_on
        if pending or rejected:
            forms.append(NOT_APPROVED)
        if not forms:
            forms.append(NO_DECLARATION)
        fields = ", ".join(f.replace("_", " ") for f in (r["matched_on"] or []))
        head = (
            f"Listed as a member of {r['org_name']} ({r['org_kind']})"
            + (f" since {since}" if since else "")
            + (f" until {until}" if until else "")
            + f", matched to this officer on {fields}; "
        )
        if LAPSED in forms:
            d_id, _, d_to = max((d for d in approved if d[2] is not None), key=lambda d: (d[2], d[0]))
            tail = (
                f"their approved declaration {d_id} about it lapsed on {d_to} while the membership "
                + (f"went on to {until}" if until else f"continued (the registers run to {as_of})")
                + ", and no current approved declaration is on the register"
            )
            if pending:
                tail += f"; a renewal ({', '.join(pending)}) is pending approval"
        elif pending:
            tail = (
                f"their declaration {', '.join(pending)} about it is still pending approval, "
                "so no approved declaration is on the register"
            )
        elif rejected:
            tail = "no approved declaration about this organisation is on the register: their " + ", ".join(
                f"declaration {d} was {s or 'not approved'}" for d, s, _ in decls
            )
        else:
            tail = "no approved declaration about this organisation is on the register: they made none"
        named = sorted(
            {
                (str(x["declaration_id"]), str(x["declared_name"]), str(x["about_method"]).replace("_", " "))
                for x in rs
                if x.get("declaration_id") is not None and x.get("about_method") not in (None, "org_id")
            }
        )
        if named:
            tail += "; " + "; ".join(f"{d} names it '{n}' (linked by {m})" for d, n, m in named)
        factor = (PENDING_FACTOR if pending else 1.0) * (
            LAPSED_FACTOR if LAPSED in forms and not pending else 1.0
        )
        cases.append(
            {
                **r,
                "window_start": window_start,
                "window_end": until,
                "_forms": forms,
                "_score": float(r["score"]) * factor,
                "_explanation": head + tail + ".",
                "_evidence": [
                    {"table": "memberships", "key": r["membership_id"]},
                    {"table": "officers", "key": r["officer_id"]},
                    {"table": "organisations", "key": r["org_id"]},
                    *({"table": "declarations", "key": d} for d, _, _ in decls),
                    {
                        "path": [f"Officer:{r['officer_id']}", "MEMBER_OF", f"Organisation:{r['org_id']}"],
                        "membership_id": r["membership_id"],
                    },
                ],
            }
        )
    return cases


def _flags(rows: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    return officer_flags(
        NAME,
        _membership_cases(rows, p),
        score=lambda r: r["_score"],
        explain=lambda r: r["_explanation"],
        evidence=lambda r: r["_evidence"],
        id_parts=lambda r: (r["officer_id"], r["membership_id"]),
        forms=lambda r: r["_forms"],
    )


def _count(cypher: str) -> str:
    return cypher + " RETURN count(*) AS n"


UNDECLARED_MEMBERSHIP = Detector(
    name=NAME,
    card=MethodCard(
        purpose=(
            "Find officers who appear on an outside membership list (a lodge roll, a company "
            "register) of an organisation that policy requires them to declare, while no "
            "approved, current declaration about that organisation is on the register."
        ),
        reads=(
            "memberships (resolved to officers: MEMBER_OF with match score and fields, since, until)",
            "organisations (kind)",
            "declarations (status, valid_until, and the organisation each is about)",
            "officers (start_date, end_date)",
        ),
        logic=(
            "For every resolved membership link whose match score is at least min_score, of an "
            "organisation whose kind is in kinds, gather the same officer's declarations about "
            "the same organisation (linked by org_id, or, when only org_name was given, by the one "
            "organisation the name plainly means, as an investigator would read it: the exact "
            "cleaned name, else the name without legal forms (Ltd, Limited, PLC, LLP), with '&' as "
            "'and', 'No.' before a number dropped and common abbreviations written out, else the "
            "same words in another order, else one word of five letters or more a letter off, "
            "numbers always the same; a name that fits two organisations at the first step that "
            "finds any links to neither, and the step is kept on the link). A membership that "
            "ended before the officer's "
            "start_date (or began after their end_date) needs no declaration. It is covered by "
            "an approved declaration with no valid_until, or one valid to the day the membership "
            "ended or, for a membership that goes on, to 'today'. 'Today' is the as_of parameter "
            "when given, else the latest date the registers show (the latest start or end of any "
            "membership-list entry, or the latest declaration made; at most the day of the run), "
            "not the day of the run itself: an export read months later would make declarations "
            "that were valid when it was made look lapsed. "
            "An uncovered membership is flagged as one of three forms: no declaration at all; "
            "declarations that are only pending or rejected; or approved declarations that have "
            "all lapsed. Retired (no longer exported) records are ignored."
        ),
        false_positives=(
            "The membership list is wrong or out of date (the person left the organisation).",
            "The match is a different person with the same name and date of birth.",
            "The declaration was made on paper or under a name that fits no organisation, or "
            "two (initials, a trading name, a former name): it does not link to this organisation.",
            "A declaration is pending only because approval is slow.",
            "A lapsed declaration whose renewal is held outside the register.",
        ),
        scoring=(
            "score = the membership match score (1.0 for an exact match), times "
            f"{PENDING_FACTOR} when a declaration about the organisation is pending, times "
            f"{LAPSED_FACTOR} when an approved declaration has lapsed (and none is pending). "
            "severity: high at score >= 0.8, medium >= 0.5, low below."
        ),
        forms=(
            Form(
                NO_DECLARATION,
                "A member of a notifiable organisation with no declaration about it at all.",
                (
                    "declared_approved",
                    "namesake_other_dob",
                    "club_membership",
                    "left_before_joining",
                    "declared_by_name_variant",
                ),
                needs=("memberships",),
            ),
            Form(
                NOT_APPROVED,
                "A member whose only declarations about the organisation are pending or rejected.",
                ("declared_approved", "namesake_other_dob"),
                needs=("memberships", "declarations"),
            ),
            Form(
                LAPSED,
                "A member whose approved declaration about the organisation lapsed (valid_until "
                "passed) while the membership went on, with no current one.",
                ("declared_approved", "left_before_joining"),
                needs=("memberships", "declarations", "declaration_expiry"),
            ),
        ),
        lookalikes=(
            LookAlike(
                "declared_approved",
                "A member with an approved declaration about the organisation, with no end date or "
                "one still to come.",
            ),
            LookAlike(
                "namesake_other_dob",
                "A list entry with an officer's name but another date of birth and postcode: not "
                "resolved to the officer.",
            ),
            LookAlike(
                "club_membership",
                "A member of an organisation of a kind policy does not require to be declared "
                "(a sports club).",
            ),
            LookAlike(
                "left_before_joining",
                "A membership that ended before the officer's start date.",
            ),
            LookAlike(
                "declared_by_name_variant",
                "An approved declaration that names the organisation in free text, written another "
                "way ('Ashworth Security Services Limited' for 'Ashworth Security Services Ltd', "
                "'Rose & Crown Lodge 1234' for 'Rose and Crown Lodge No. 1234').",
            ),
        ),
    ),
    params=(
        Param("min_score", float, 0.9, "lowest membership match score that counts"),
        Param(
            "kinds",
            list,
            ["freemasonry", "business", "political"],
            "organisation kinds that policy requires officers to declare",
        ),
        Param(
            "as_of",
            str,
            "",
            "'today' for lapsed declarations (YYYY-MM-DD); empty: the latest date the registers show",
        ),
    ),
    to_flags=_flags,
    cypher=CYPHER,
    inputs=(
        Input(
            "memberships",
            "membership-list entries",
            cypher=_count("MATCH (m:Membership) WHERE m.retired_at IS NULL"),
        ),
        Input(
            "declarations",
            "entries of the register of interests",
            cypher=_count("MATCH (d:Declaration) WHERE d.retired_at IS NULL"),
        ),
        Input(
            "declaration_expiry",
            "declarations with a valid_until date",
            cypher=_count("MATCH (d:Declaration) WHERE d.retired_at IS NULL AND d.valid_until IS NOT NULL"),
        ),
        Input(
            "officer_start_dates",
            "officers with a start_date",
            cypher=_count("MATCH (o:Officer) WHERE o.retired_at IS NULL AND o.start_date IS NOT NULL"),
        ),
    ),
)

# ---------------------------------------------------------------------------- undeclared link

LINK_NAME = "association.undeclared_link"

LINK_CYPHER = """\
MATCH (o:Officer)-[a:HAS_IDENTIFIER]->(i:Identifier)<-[b:HAS_IDENTIFIER]-(p:Person)
WHERE a.retired_at IS NULL AND b.retired_at IS NULL AND o.retired_at IS NULL AND p.retired_at IS NULL
  AND i.retired_at IS NULL AND i.kind IN $link_kinds AND size(p.nominal_flags) > 0
  AND (i.holders IS NULL OR i.holders <= $max_holders)
  AND NOT EXISTS {
    MATCH (o)-[:DECLARED]->(d:Declaration)
    WHERE d.person_id = p.person_id AND d.status = 'approved' AND d.retired_at IS NULL
  }
RETURN o.officer_id AS officer_id, p.person_id AS person_id, p.nominal_flags AS nominal_flags,
       collect(DISTINCT i.kind) AS kinds, collect(DISTINCT i.identifier_id) AS identifiers,
       min(a.first_seen) AS since
ORDER BY officer_id, person_id"""

KIND_WORDS = {
    "address": "lives at the same address (same address line and postcode) as",
    "phone": "shares a phone number with",
}
KIND_FORMS = {"address": "shared_address", "phone": "shared_phone"}


def _link_flags(rows: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    def explain(r: dict[str, Any]) -> str:
        how = " and ".join(KIND_WORDS.get(k, f"shares a {k} with") for k in sorted(r["kinds"]))
        return (
            f"{how.capitalize()} {r['person_id']}, a person flagged in police records "
            f"({';'.join(r['nominal_flags'])}); no approved declaration of an association "
            "with this person is on the register."
        )

    def evidence(r: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            {"table": "officers", "key": r["officer_id"]},
            {"table": "persons", "key": r["person_id"]},
            *(
                {
                    "path": [
                        f"Officer:{r['officer_id']}",
                        "HAS_IDENTIFIER",
                        f"Identifier:{i}",
                        "HAS_IDENTIFIER",
                        f"Person:{r['person_id']}",
                    ]
                }
                for i in sorted(r["identifiers"])
            ),
        ]

    return officer_flags(
        LINK_NAME,
        rows,
        score=lambda r: 0.6 + 0.2 * len(r["kinds"]),
        explain=explain,
        evidence=evidence,
        id_parts=lambda r: (r["officer_id"], r["person_id"]),
        forms=lambda r: sorted(KIND_FORMS.get(k, k) for k in r["kinds"]),
    )


UNDECLARED_LINK = Detector(
    name=LINK_NAME,
    card=MethodCard(
        purpose=(
            "Find officers linked to a person flagged in police records (for example an "
            "organised-crime nominal) through a shared address or phone number, with no approved "
            "declaration of an association with that person."
        ),
        reads=(
            "officers and persons (addresses with postcodes, and phones, cleaned at ingest into "
            "shared identifiers)",
            "persons (nominal flags)",
            "declarations (kind association, person_id, status)",
        ),
        logic=(
            "Follow Officer -> Identifier <- Person for identifier kinds in link_kinds, keep "
            "persons with any nominal flag, and drop pairs where the officer has an approved "
            "declaration naming the person. One flag per officer and person. An address is one "
            "place only with its postcode: the address identifier is the cleaned address line "
            "together with the cleaned postcode (flat and unit prefixes such as 'Flat 2, 10 …' "
            "and '2/10 …' read alike, street words are written out, punctuation and case go, "
            "the town is dropped), so '12 High Street' in two towns links no one, and an "
            "address without a postcode links no one. Flat 1 and Flat 2 of one building are "
            "two addresses. A phone is its digits, with +44 read as 0. An address or phone held "
            "by more than max_holders officers and persons together (a station switchboard given "
            "as a contact number, a hostel, a solicitor's office) identifies no one and links no "
            "one: a household is a few people."
        ),
        false_positives=(
            "A shared address in a block recorded without a flat number.",
            "A recycled phone number.",
            "A declaration made on paper, or naming the person differently.",
        ),
        scoring="score = 0.6 + 0.2 per kind of shared identifier (address, phone), at most 1.",
        forms=(
            Form(
                "shared_address",
                "The officer and a flagged person live at one address (same cleaned line and postcode).",
                ("namesake_street", "different_flat", "declared_association", "unflagged_person"),
                needs=("flagged_persons", "officer_addresses", "person_addresses"),
            ),
            Form(
                "shared_phone",
                "The officer and a flagged person have the same phone number.",
                ("declared_association", "unflagged_person", "switchboard_phone"),
                needs=("flagged_persons", "officer_phones", "person_phones"),
            ),
        ),
        lookalikes=(
            LookAlike(
                "namesake_street",
                "A flagged person at the same address line ('12 High Street') in another postcode.",
            ),
            LookAlike(
                "declared_association",
                "A shared address or phone with an approved declaration of association naming the person.",
            ),
            LookAlike(
                "unflagged_person",
                "A shared address with a person in police records who carries no nominal flag.",
            ),
            LookAlike(
                "different_flat",
                "A flagged person in another flat of the same building (Flat 1 and Flat 2 of 10 High Street).",
            ),
            LookAlike(
                "switchboard_phone",
                "The officer gives the station switchboard as their phone, as do many colleagues and "
                "people in police records (a flagged person among them): more than max_holders hold it.",
            ),
        ),
    ),
    params=(
        Param("link_kinds", list, ["address", "phone"], "identifier kinds that count as a link"),
        Param(
            "max_holders",
            int,
            LINK_HOLDERS,
            "an identifier held by more officers and persons identifies no one (a switchboard, a hostel)",
        ),
    ),
    to_flags=_link_flags,
    cypher=LINK_CYPHER,
    inputs=(
        Input(
            "flagged_persons",
            "persons with a nominal flag",
            cypher=_count("MATCH (p:Person) WHERE p.retired_at IS NULL AND size(p.nominal_flags) > 0"),
        ),
        Input(
            "officer_addresses",
            "officers with an address line and a postcode",
            cypher=_count(
                "MATCH (o:Officer) WHERE o.retired_at IS NULL AND o.home_address IS NOT NULL "
                "AND o.home_postcode IS NOT NULL"
            ),
        ),
        Input(
            "person_addresses",
            "persons with an address line and a postcode",
            cypher=_count(
                "MATCH (p:Person) WHERE p.retired_at IS NULL AND p.address IS NOT NULL AND p.postcode IS NOT NULL"
            ),
        ),
        Input(
            "officer_phones",
            "officers with a phone number",
            cypher=_count("MATCH (o:Officer) WHERE o.retired_at IS NULL AND o.phone IS NOT NULL"),
        ),
        Input(
            "person_phones",
            "persons with a phone number",
            cypher=_count("MATCH (p:Person) WHERE p.retired_at IS NULL AND p.phone IS NOT NULL"),
        ),
    ),
)
