"""``access.personal_link``: lookups of people linked to the officer (the same address,
the same phone, or the same surname in the same postcode).

Query beside this module: ``personal_link.sql``.

Worked examples: ``tests/examples/access.personal_link/``, one folder per form and
look-alike of the card (run on both stores by ``tests/test_examples.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graph.facts import LINK_HOLDERS
from graph.model import MODEL
from queries.detectors.access.common import GRACE
from queries.detectors.base import Detector, Form, Input, LookAlike, MethodCard, Param, query_file
from queries.detectors.common import day, officer_flags, rows_evidence

PERSONAL_SQL = query_file(__file__, "personal_link.sql")

PERSONAL_FORMS_OF_KIND = {
    "address": "same_address",
    "phone": "same_phone",
    "postcode_surname": "surname_postcode",
    "declared": "declared_associate",
}
"""Identifier kind (``g_linked.kind``, see ``ingest/identifiers.py``) -> the form it shows."""

PERSONAL_WORDS = {
    "same_address": "who lives at the same address as them",
    "same_phone": "who gives the same phone number as them",
    "surname_postcode": "who has their surname and lives in their postcode",
    "declared_associate": "whom they declared an association with",
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
    Form(
        "declared_associate",
        "Lookups of a person the officer has declared an association with (a declaration naming the "
        "person, not rejected): the register says who they know, and the lookups are of them.",
        ("associate_namesake", "same_surname_elsewhere"),
        needs=("system_access", "person_records", "declared_associations"),
    ),
)

PERSONAL_LOOKALIKES = (
    LookAlike(
        "associate_namesake",
        "A person with the name of someone the officer declared an association with, but another "
        "person (another record, born another year, elsewhere): the declaration names its person.",
    ),
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
    Input.rows(
        "g_declared", name="declared_associations", description="declarations naming a person (not rejected)"
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
        strong = bool(
            {"same_address", "same_phone", "declared_associate"} & {_personal_form(k) for k in r["kinds"]}
        )
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
                        MODEL.uid("Officer", r["officer_id"]),
                        "HAS_IDENTIFIER",
                        "Identifier",
                        "HAS_IDENTIFIER",
                        MODEL.uid("Person", pid),
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
            "no pair. A person the officer has declared an association with (a declaration naming "
            "the person, not rejected; kind declared) is linked too: declaring a tie is no licence "
            "to look the person up. Flag an officer with at least min_lookups such lookups; "
            "the flag names the form of each link (same address, same phone, surname and "
            "postcode) and the explanation says, person by person, how they are linked."
        ),
        false_positives=(
            "A namesake at a large block of flats sharing a postcode.",
            "A genuine case involving a neighbour or relative, handled with the right declaration.",
            "A person who gave an officer's number as a contact number in the officer's own case.",
        ),
        scoring=(
            "score = 0.6 (same address or phone, or a declared associate) or 0.4 (surname + postcode only), "
            "+ 0.05 per lookup, "
            "- 0.2 when every lookup was within the officer's assigned case; between 0 and 1."
        ),
        forms=PERSONAL_FORMS,
        lookalikes=PERSONAL_LOOKALIKES,
    ),
    params=(
        Param("min_lookups", int, 1, "lookups of linked persons that make a flag"),
        Param(
            "link_kinds",
            list,
            ["address", "phone", "postcode_surname", "declared"],
            "identifier kinds that link (declared: a person the officer declared an association with)",
        ),
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
