"""Association detectors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from queries.detectors.base import (
    Detector,
    MethodCard,
    Param,
)
from queries.detectors.common import officer_flags

NAME = "association.undeclared_membership"

CYPHER = """\
MATCH (o:Officer)-[m:MEMBER_OF]->(g:Organisation)
WHERE m.retired_at IS NULL AND o.retired_at IS NULL AND g.retired_at IS NULL
  AND m.score >= $min_score AND g.kind IN $kinds
  AND NOT EXISTS {
    MATCH (o)-[:DECLARED]->(d:Declaration)-[:ABOUT]->(g)
    WHERE d.status = 'approved' AND d.retired_at IS NULL
  }
OPTIONAL MATCH (o)-[:DECLARED]->(p:Declaration)-[:ABOUT]->(g)
WITH o, m, g, collect(p.declaration_id) AS decl_ids, collect(p.status) AS decl_statuses
RETURN o.officer_id AS officer_id, g.org_id AS org_id, g.name AS org_name, g.kind AS org_kind,
       m.membership_id AS membership_id, m.score AS score, m.matched_on AS matched_on,
       m.method AS method, m.since AS since, m.until AS until,
       decl_ids, decl_statuses
ORDER BY officer_id, membership_id"""

PENDING_FACTOR = 0.6


def _flags(rows: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    cases = []
    for r in rows:
        decls = sorted(zip(r["decl_ids"] or [], r["decl_statuses"] or [], strict=False))
        pending = [d for d, s in decls if s == "pending"]
        fields = ", ".join(f.replace("_", " ") for f in (r["matched_on"] or []))
        since = f" since {r['since']}" if r.get("since") else ""
        until = f" until {r['until']}" if r.get("until") else ""
        tail = (
            f"their declaration {', '.join(pending)} about it is still pending approval"
            if pending
            else "no approved declaration about this organisation is on the register"
        )
        if decls and not pending:
            tail = (
                "their declaration(s) about it ("
                + ", ".join(f"{d}: {s}" for d, s in decls)
                + ") are not approved"
            )
        cases.append(
            {
                **r,
                "window_start": r.get("since"),
                "window_end": r.get("until"),
                "_score": float(r["score"]) * (PENDING_FACTOR if pending else 1.0),
                "_explanation": (
                    f"Listed as a member of {r['org_name']} ({r['org_kind']}){since}{until}, "
                    f"matched to this officer on {fields}; {tail}."
                ),
                "_evidence": [
                    {"table": "memberships", "key": r["membership_id"]},
                    {"table": "officers", "key": r["officer_id"]},
                    {"table": "organisations", "key": r["org_id"]},
                    *({"table": "declarations", "key": d} for d, _ in decls),
                    {
                        "path": [f"Officer:{r['officer_id']}", "MEMBER_OF", f"Organisation:{r['org_id']}"],
                        "membership_id": r["membership_id"],
                    },
                ],
            }
        )
    return officer_flags(
        NAME,
        cases,
        score=lambda r: r["_score"],
        explain=lambda r: r["_explanation"],
        evidence=lambda r: r["_evidence"],
        id_parts=lambda r: (r["officer_id"], r["membership_id"]),
    )


UNDECLARED_MEMBERSHIP = Detector(
    name=NAME,
    card=MethodCard(
        purpose=(
            "Find officers who appear on an outside membership list (a lodge roll, a company "
            "register) of an organisation that policy requires them to declare, with no "
            "approved declaration about that organisation."
        ),
        reads=(
            "memberships (resolved to officers: MEMBER_OF with match score and fields)",
            "organisations (kind)",
            "declarations (status, and the organisation each is about)",
        ),
        logic=(
            "For every resolved membership link whose match score is at least min_score, "
            "of an organisation whose kind is in kinds, look for an approved declaration by "
            "the same officer about the same organisation (linked by org_id, or by the "
            "organisation's exact cleaned name when only org_name was given). Flag when there "
            "is none. Retired (no longer exported) records are ignored."
        ),
        false_positives=(
            "The membership list is wrong or out of date (the person left the organisation).",
            "The match is a different person with the same name and date of birth.",
            "The declaration was made on paper or under another organisation name that did "
            "not link to this organisation.",
            "A declaration is pending only because approval is slow.",
        ),
        scoring=(
            "score = the membership match score (1.0 for an exact match), times "
            f"{PENDING_FACTOR} when a declaration about the organisation is pending. "
            "severity: high at score >= 0.8, medium >= 0.5, low below."
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
    ),
    to_flags=_flags,
    cypher=CYPHER,
)

# ---------------------------------------------------------------------------- undeclared link

LINK_NAME = "association.undeclared_link"

LINK_CYPHER = """\
MATCH (o:Officer)-[a:HAS_IDENTIFIER]->(i:Identifier)<-[b:HAS_IDENTIFIER]-(p:Person)
WHERE a.retired_at IS NULL AND b.retired_at IS NULL AND o.retired_at IS NULL AND p.retired_at IS NULL
  AND i.kind IN $link_kinds AND size(p.nominal_flags) > 0
  AND NOT EXISTS {
    MATCH (o)-[:DECLARED]->(d:Declaration)
    WHERE d.person_id = p.person_id AND d.status = 'approved' AND d.retired_at IS NULL
  }
RETURN o.officer_id AS officer_id, p.person_id AS person_id, p.nominal_flags AS nominal_flags,
       collect(DISTINCT i.kind) AS kinds, collect(DISTINCT i.identifier_id) AS identifiers,
       min(a.first_seen) AS since
ORDER BY officer_id, person_id"""

KIND_WORDS = {"address": "lives at the same address as", "phone": "shares a phone number with"}


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
            "officers and persons (addresses and phones, cleaned at ingest into shared identifiers)",
            "persons (nominal flags)",
            "declarations (kind association, person_id, status)",
        ),
        logic=(
            "Follow Officer -> Identifier <- Person for identifier kinds in link_kinds, keep "
            "persons with any nominal flag, and drop pairs where the officer has an approved "
            "declaration naming the person. One flag per officer and person."
        ),
        false_positives=(
            "A shared address in a block recorded without a flat number.",
            "A recycled phone number.",
            "A declaration made on paper, or naming the person differently.",
        ),
        scoring="score = 0.6 + 0.2 per kind of shared identifier (address, phone), at most 1.",
    ),
    params=(Param("link_kinds", list, ["address", "phone"], "identifier kinds that count as a link"),),
    to_flags=_link_flags,
    cypher=LINK_CYPHER,
)
