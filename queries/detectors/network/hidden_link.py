"""``network.hidden_link``: short chains between an officer and a person flagged in police
records, through shared identifiers, a small business both run, or associates in between,
which no single record shows.

The queries it runs, each in a file beside this module: ``hidden_link.identifiers.cypher``
and ``hidden_link.memberships.cypher`` (the edges of the projection),
``hidden_link.listed.cypher`` (the size of each organisation's list),
``hidden_link.flagged.cypher`` (the flagged persons) and ``hidden_link.declared.cypher``
(approved declarations about a person; ``hidden_link.declared.embedded.cypher`` on the
embedded store). The paths are found with NetworkX in :func:`_hidden_rows`.

Worked examples: ``tests/examples/network.hidden_link/``, one folder per form and
look-alike of the card (run on both stores by ``tests/test_examples.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import networkx as nx

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
from queries.detectors.common import officer_flags
from queries.detectors.network.common import BACKEND

HIDDEN_IDENTIFIERS = query_file(__file__, "hidden_link.identifiers.cypher")
HIDDEN_MEMBERSHIPS = query_file(__file__, "hidden_link.memberships.cypher")
HIDDEN_LISTED = query_file(__file__, "hidden_link.listed.cypher")
HIDDEN_FLAGGED = query_file(__file__, "hidden_link.flagged.cypher")
HIDDEN_DECLARED = query_file(__file__, "hidden_link.declared.cypher")
HIDDEN_DECLARED_EMBEDDED = query_file(__file__, "hidden_link.declared.embedded.cypher")


HIDDEN_INPUTS = (
    Input(
        "flagged_persons",
        "persons with nominal flags (the far end of every link)",
        cypher="MATCH (p:Person) WHERE p.retired_at IS NULL AND size(p.nominal_flags) > 0 RETURN count(p) AS n",
    ),
    Input(
        "person_contacts",
        "persons with an address or a phone number (the links of a chain)",
        cypher="MATCH (p:Person) WHERE p.retired_at IS NULL AND (p.address IS NOT NULL OR p.phone IS NOT NULL) "
        "RETURN count(p) AS n",
    ),
    Input(
        "officer_contacts",
        "officers with a home address or a phone number",
        cypher="MATCH (o:Officer) WHERE o.retired_at IS NULL AND (o.home_address IS NOT NULL OR o.phone IS NOT NULL) "
        "RETURN count(o) AS n",
    ),
    Input(
        "memberships",
        "resolved memberships of officers and persons in organisations (MEMBER_OF)",
        cypher="MATCH (e)-[m:MEMBER_OF]->(g:Organisation) WHERE m.retired_at IS NULL RETURN count(m) AS n",
    ),
)

HIDDEN_FORMS = {
    "relative_phone": "through someone who shares a phone number with them",
    "contact_address": "through someone who lives at their address",
    "business": "through an organisation both belong to",
    "two_intermediaries": "through two people in between, each sharing a home or a phone number with the next",
}


def _hidden_form(path: list[str]) -> str:
    """The form of a path from the flagged person (``path[0]``) to the officer: through an
    organisation (``business``); through two people in between (``two_intermediaries``, six
    steps); else by the link that reaches the flagged person: a shared phone
    (``relative_phone``) or a shared address (``contact_address``)."""
    if any(n.startswith("Organisation:") for n in path):
        return "business"
    if len(path) - 1 >= 6:
        return "two_intermediaries"
    kind = path[1].split(":", 2)[1] if path[1].startswith("Identifier:") else ""
    return "relative_phone" if kind == "phone" else "contact_address"


def _hidden_rows(ctx: DetectContext, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    st = ctx.store
    g = nx.Graph()  # built in sorted order, so paths and ties do not depend on the store's row order
    edges = set()
    for q in (HIDDEN_IDENTIFIERS, HIDDEN_MEMBERSHIPS):
        for r in st.query(q, {k: p[k] for k in ("link_kinds", "min_score", "org_kinds") if f"${k}" in q}):
            edges.add((r["entity"], r["via"]))
    g.add_edges_from(sorted(edges))
    # a value shared by many different officers and persons (a hostel, a switchboard) links no
    # one; the degree counts distinct entities, and an address is a line together with its
    # postcode (ingest/identifiers.py), so namesake streets in other towns do not make hubs
    # an organisation's size is its membership list (every current entry, resolved or not): fellow
    # members of a lodge of fifty need not know each other, the directors of a small company do
    listed = {r["org"]: int(r["members"]) for r in st.query(HIDDEN_LISTED)}
    hubs = [n for n in g if not _entity(n) and max(g.degree(n), listed.get(n, 0)) > p["max_degree"]]
    g.remove_nodes_from(hubs)
    declared = {
        (r["officer"], r["person"]) for r in st.query(HIDDEN_DECLARED, embedded=HIDDEN_DECLARED_EMBEDDED)
    }
    personal = g.copy()
    personal.remove_nodes_from([n for n in g if n.startswith("Organisation:")])
    # the entity projection (officers and persons tied through a shared value) for link prediction
    ents = nx.Graph()
    for via in (n for n in g if not _entity(n)):
        nb = sorted(g.neighbors(via))
        ents.add_nodes_from(nb)
        ents.add_edges_from((a, b) for i, a in enumerate(nb) for b in nb[i + 1 :])
    out = []
    for f in sorted(st.query(HIDDEN_FLAGGED), key=lambda r: r["uid"]):
        if f["uid"] not in g:
            continue
        paths = nx.single_source_shortest_path(g, f["uid"], cutoff=p["max_hops"], **_backend(p))
        if p["max_chain_hops"] > p["max_hops"] and f["uid"] in personal:
            # longer chains only through homes and phones, the ties of people who know each other
            far = nx.single_source_shortest_path(
                personal, f["uid"], cutoff=p["max_chain_hops"], **_backend(p)
            )
            paths = {**far, **paths}
        for target, path in sorted(paths.items()):
            if not target.startswith("Officer:") or (target, f["uid"]) in declared:
                continue
            hops = len(path) - 1
            if hops == 2 and path[1].startswith("Identifier:") and not p["include_direct"]:
                continue  # a direct shared address or phone: association.undeclared_link
            pair = [(target, f["uid"])]
            aa = (
                next(iter(nx.adamic_adar_index(ents, pair)))[2]
                if target in ents and f["uid"] in ents
                else 0.0
            )
            jc = (
                next(iter(nx.jaccard_coefficient(ents, pair)))[2]
                if target in ents and f["uid"] in ents
                else 0.0
            )
            out.append(
                {
                    "officer_id": target.split(":", 1)[1],
                    "person_id": f["person_id"],
                    "flags": f["flags"],
                    "path": list(reversed(path)),
                    "hops": hops,
                    "form": _hidden_form(path),
                    "adamic_adar": round(float(aa), 4),
                    "jaccard": round(float(jc), 4),
                }
            )
    return out


def _backend(p: Mapping[str, Any]) -> dict[str, Any]:
    """NetworkX's backend dispatch: ``backend=`` only when a backend is named."""
    return {"backend": p["backend"]} if p.get("backend") else {}


def _entity(uid: str) -> bool:
    return uid.startswith(("Officer:", "Person:"))


def _describe(uid: str) -> str:
    label, _, key = uid.partition(":")
    if label == "Identifier":
        kind = key.split(":", 1)[0]
        return {"address": "an address", "phone": "a phone number"}.get(kind, f"a {kind}")
    if label == "Organisation":
        return f"organisation {key}"
    return key


def _hidden_flags(rows: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    def explain(r: dict[str, Any]) -> str:
        path = r["path"]
        steps = []
        for i in range(1, len(path) - 1, 2):
            if path[i].startswith("Organisation:"):
                steps.append(f"belongs to {_describe(path[i])}, as does {_describe(path[i + 1])}")
            else:
                steps.append(f"shares {_describe(path[i])} with {_describe(path[i + 1])}")
        return (
            f"Is linked {HIDDEN_FORMS[r['form']]}, {r['hops']} steps in the graph, to {r['person_id']}, a "
            f"person flagged in police records ({';'.join(r['flags'])}): the officer {', who '.join(steps)}."
        )

    return officer_flags(
        "network.hidden_link",
        rows,
        score=lambda r: max(0.3, 1.0 - 0.15 * (r["hops"] - 1)),
        explain=explain,
        evidence=lambda r: [
            {"table": "officers", "key": r["officer_id"]},
            {"table": "persons", "key": r["person_id"]},
            {"path": r["path"], "adamic_adar": r["adamic_adar"], "jaccard": r["jaccard"]},
        ],
        id_parts=lambda r: (r["officer_id"], r["person_id"]),
        forms=lambda r: [r["form"]],
    )


HIDDEN_LINK = Detector(
    name="network.hidden_link",
    card=MethodCard(
        purpose=(
            "Find short chains between an officer and a person flagged in police records through "
            "shared identifiers (addresses, phones), a small business both run, or associates in "
            "between, which no single record shows."
        ),
        reads=(
            "shared identifiers (HAS_IDENTIFIER): an address is the cleaned line together with the "
            "cleaned postcode; a phone is its digits",
            "resolved memberships of officers and persons (MEMBER_OF), and every current entry of "
            "each organisation's membership list (LISTED_IN), resolved or not",
            "persons (nominal flags)",
            "declarations (approved associations with a person)",
        ),
        logic=(
            "Project officers, persons, identifiers of link_kinds and organisations into an "
            "undirected NetworkX graph, dropping identifiers shared by more than max_degree "
            "distinct officers and persons (a hostel, a switchboard: real hubs only, since an "
            "address identifier is a line and its postcode, so namesake streets in other towns "
            "are separate nodes). Organisations link only when of a kind in org_kinds "
            "(businesses: the directors, partners or owners on a company register run it "
            "together) and with at most max_degree current entries on their list, counting every "
            "entry, resolved to anyone or not: the directors of a small company know each other; "
            "fellow members of a lodge, club, charity, congregation or party share an "
            "affiliation, whatever the size of the list an export holds, so such membership links "
            "no one, declared or not (a declaration is about the membership, which "
            "association.undeclared_membership checks, not about the flagged person). From every "
            "flagged person, find shortest paths of at most max_hops "
            "edges to officers (networkx.single_source_shortest_path), and, through shared homes "
            "and phones only, of at most max_chain_hops: living together and sharing a phone are "
            "the ties of people who know each other, and two such people in between (the "
            "officer's housemate shares a phone with someone who lives with the flagged person) "
            "is how a relationship is kept off the officer's own records; the association is "
            "within three degrees, the reach that influence and information are found to pass "
            "along in social networks, and it is reported at the lowest score, for a human to "
            "weigh. A third person in between, or an organisation in a chain longer than "
            "max_hops, is too remote to report. Skip officers with an approved declaration about "
            "the person, and direct two-step links through one shared identifier "
            "(association.undeclared_link reports those) unless include_direct. The form is "
            "read from the path: through an organisation, business; through two people in "
            "between, two_intermediaries; else by the link that reaches the flagged person, a "
            "shared phone (relative_phone) or a shared address (contact_address). Each pair is "
            "ranked by path length and, on the projection of entities tied by a shared value, "
            "by the Adamic-Adar index and Jaccard coefficient (networkx.adamic_adar_index, "
            "jaccard_coefficient)."
        ),
        false_positives=(
            "Chains through a shared family address where the officer has no contact with the person.",
            "A business register listing many directors of a large company.",
            "Two people in between who share a phone because one lent it once, or a recycled number.",
        ),
        scoring=("score = 1 - 0.15 x (hops - 1), at least 0.3 (2 hops: 0.85, 4 hops: 0.55, 6 hops: 0.3)."),
        forms=(
            Form(
                "relative_phone",
                "The officer shares an address (or phone) with someone, often a relative, who shares a "
                "phone number with a flagged person: officer - address - relative - phone - flagged, 4 steps.",
                ("hub_address", "too_far", "namesake_street"),
                ("flagged_persons", "person_contacts", "officer_contacts"),
            ),
            Form(
                "contact_address",
                "A chain ending in a shared address: the officer shares a phone or address with a contact "
                "who lives at the flagged person's address (officer - phone - contact - address - flagged).",
                ("hub_address", "declared_association", "namesake_street"),
                ("flagged_persons", "person_contacts", "officer_contacts"),
            ),
            Form(
                "business",
                "The officer and a flagged person both run one small business (a kind in org_kinds, at "
                "most max_degree entries on its register: its directors, partners or owners, resolved "
                "to both by name and date of birth): 2 steps.",
                ("declared_association", "too_far", "large_organisation"),
                ("flagged_persons", "memberships"),
            ),
            Form(
                "two_intermediaries",
                "Two people in between, every step a shared home or phone: officer - address - relative - "
                "phone - contact - address - flagged, 6 steps (reported at the lowest score).",
                ("too_far", "hub_address", "declared_association"),
                ("flagged_persons", "person_contacts", "officer_contacts"),
            ),
        ),
        lookalikes=(
            LookAlike(
                "hub_address",
                "The chain runs through a hostel or section house address shared by more than max_degree "
                "people: a shared address there says nothing about knowing each other.",
            ),
            LookAlike(
                "declared_association",
                "The officer has an approved declaration of their association with the flagged person.",
            ),
            LookAlike(
                "too_far",
                "Three people in between (address - relative - phone - contact - address - contact - phone - "
                "flagged, 8 steps), beyond max_chain_hops: too remote to report.",
            ),
            LookAlike(
                "namesake_street",
                "The relative lives at '12 High Street' in another town (another postcode): not the "
                "officer's address, so no chain.",
            ),
            LookAlike(
                "large_organisation",
                "The officer is a (declared) member of a lodge (a club, a charity, a party) whose roll "
                "lists someone living with a flagged person: fellow membership of an association is "
                "no personal link, and a roll of more than max_degree is no small circle either.",
            ),
        ),
    ),
    params=(
        Param("max_hops", int, 4, "longest path (edges) between officer and person, one person in between"),
        Param(
            "max_chain_hops",
            int,
            6,
            "longest path through shared homes and phones only (6: two people in between)",
        ),
        Param("link_kinds", list, ["address", "phone"], "identifier kinds that link"),
        Param(
            "max_degree",
            int,
            10,
            "identifiers held by more officers and persons, or organisations with more list entries, link no one",
        ),
        Param("min_score", float, 0.9, "lowest membership match score that counts"),
        Param(
            "org_kinds",
            list,
            ["business"],
            "organisation kinds whose (small) membership is a personal link: a company's directors",
        ),
        Param("include_direct", bool, False, "also report direct links through one shared identifier"),
        BACKEND,
    ),
    to_flags=_hidden_flags,
    python=_hidden_rows,
    cypher="\n\n".join(
        (HIDDEN_IDENTIFIERS, HIDDEN_MEMBERSHIPS, HIDDEN_LISTED, HIDDEN_FLAGGED, HIDDEN_DECLARED)
    ),
    inputs=HIDDEN_INPUTS,
)
