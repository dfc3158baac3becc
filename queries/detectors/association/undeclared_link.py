"""``association.undeclared_link``: officers linked to a person flagged in police records
through a shared address or phone number, with no approved declaration of an
association with that person.

Query beside this module: ``undeclared_link.cypher`` (the same text on both stores).

Worked examples: ``tests/examples/association.undeclared_link/``, one folder per form and
look-alike of the card (run on both stores by ``tests/test_examples.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graph.facts import LINK_HOLDERS
from graph.model import MODEL
from queries.detectors.association.common import counted
from queries.detectors.base import Detector, Form, Input, LookAlike, MethodCard, Param, query_file
from queries.detectors.common import officer_flags

LINK_NAME = "association.undeclared_link"

LINK_CYPHER = query_file(__file__, "undeclared_link.cypher")

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
                        MODEL.uid("Officer", r["officer_id"]),
                        "HAS_IDENTIFIER",
                        MODEL.uid("Identifier", i),
                        "HAS_IDENTIFIER",
                        MODEL.uid("Person", r["person_id"]),
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
            cypher=counted("MATCH (p:Person) WHERE p.retired_at IS NULL AND size(p.nominal_flags) > 0"),
        ),
        Input(
            "officer_addresses",
            "officers with an address line and a postcode",
            cypher=counted(
                "MATCH (o:Officer) WHERE o.retired_at IS NULL AND o.home_address IS NOT NULL "
                "AND o.home_postcode IS NOT NULL"
            ),
        ),
        Input(
            "person_addresses",
            "persons with an address line and a postcode",
            cypher=counted(
                "MATCH (p:Person) WHERE p.retired_at IS NULL AND p.address IS NOT NULL AND p.postcode IS NOT NULL"
            ),
        ),
        Input(
            "officer_phones",
            "officers with a phone number",
            cypher=counted("MATCH (o:Officer) WHERE o.retired_at IS NULL AND o.phone IS NOT NULL"),
        ),
        Input(
            "person_phones",
            "persons with a phone number",
            cypher=counted("MATCH (p:Person) WHERE p.retired_at IS NULL AND p.phone IS NOT NULL"),
        ),
    ),
)
