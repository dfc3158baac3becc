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

import itertools
from collections import Counter
from collections.abc import Mapping
from typing import Any

import networkx as nx

from ingest.clean import clean_name
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
HIDDEN_OFFICERS = query_file(__file__, "hidden_link.officers.cypher")
HIDDEN_COLLEAGUES_DECLARED = query_file(__file__, "hidden_link.colleagues_declared.cypher")


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

COLLEAGUE_FORMS = {
    "colleague_home": "shares a home address with a colleague",
    "colleague_contact": "shares a personal phone number or e-mail address with a colleague",
    "colleague_via_person": "is linked to a colleague through someone who shares a home or phone with each",
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
    kinds = sorted(set(p["link_kinds"]) | (set(p["colleague_kinds"]) if p["colleagues"] != "none" else set()))
    for r in st.query(HIDDEN_IDENTIFIERS, {"link_kinds": kinds}):
        edges.add((r["entity"], r["via"]))
    colleague_edges = sorted(e for e in edges if _kind(e[1]) in p["colleague_kinds"])
    edges = {e for e in edges if _kind(e[1]) in p["link_kinds"]}
    for r in st.query(HIDDEN_MEMBERSHIPS, {k: p[k] for k in ("min_score", "org_kinds")}):
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
    if p["colleagues"] != "none":
        out += _colleague_rows(ctx, p, colleague_edges)
    return out


def _kind(via: str) -> str:
    """The identifier kind of an ``Identifier:kind:value`` id ("" for anything else)."""
    return via.split(":", 2)[1] if via.startswith("Identifier:") else ""


def _names(text: str | None) -> str:
    """The words of a name or an id (:func:`~ingest.clean.clean_name`), padded: found as whole words."""
    return f" {clean_name(text) or ''} "


def work_domains(emails: list[str | None], named: list[str]) -> set[str]:
    """The force's own e-mail domains: those ``named``, and the domain most officers' addresses
    are on when at least half are (a mailbox there is a work one, a team's, not a personal tie).

    >>> sorted(work_domains(["a@force.uk", "B@Force.UK", "c@mail.example", None], ["psd.force.uk"]))
    ['force.uk', 'psd.force.uk']
    >>> work_domains(["a@x.example", "b@y.example"], [])
    set()
    """
    doms = [str(e).strip().lower().rpartition("@")[2] for e in emails if e and "@" in str(e)]
    out = {d.lower() for d in named}
    if doms:
        top, n = Counter(doms).most_common(1)[0]
        if 2 * n >= len(doms) and n > 1:
            out.add(top)
    return out


def declares(text: str, officer_id: str, forenames: str | None, surname: str | None) -> bool:
    """Whether free text (a declaration's ``org_name``) names a colleague: their officer id,
    or their first forename and surname, as whole words.

    >>> declares("Relationship with colleague Jo Bloggs (10299)", "10299", None, None)
    True
    >>> declares("Partner: PC Jo Bloggs, Response", "77", "Joanne Mary", "Bloggs")
    False
    >>> declares("Partner: PC Joanne Bloggs, Response", "77", "Joanne Mary", "Bloggs")
    True
    >>> declares("Member of Bloggs Golf Club, 102990", "10299", "Jo", "Smith")
    False
    """
    words = _names(text)
    if _names(officer_id).strip() and _names(officer_id) in words:
        return True
    first = _names(forenames).split()[:1]
    last = _names(surname).strip()
    return bool(first and last) and f" {first[0]} " in words and f" {last} " in words


def _colleague_rows(
    ctx: DetectContext, p: Mapping[str, Any], edges: list[tuple[str, str]]
) -> list[dict[str, Any]]:
    """Undeclared ties between two officers: a home address, a personal phone or e-mail both
    hold, or a person who shares a home or phone with each; one row per officer of each pair."""
    officers = {r["uid"]: r for r in ctx.store.query(HIDDEN_OFFICERS)}
    work = work_domains([r["email"] for r in officers.values()], p["work_email_domains"])
    h = nx.Graph()
    h.add_edges_from(e for e in edges if not (_kind(e[1]) == "email" and e[1].rpartition("@")[2] in work))
    small = {v for v in h if not _entity(v) and h.degree(v) <= p["max_household"]}
    holders = {v: sorted(n for n in h[v] if n.startswith("Officer:")) for v in small}
    held = {v for v, offs in holders.items() if offs}  # identifiers an officer holds
    ties: dict[tuple[str, str], list[str]] = {}  # each pair's shortest tie, the first in sorted order
    for v in sorted(held):
        for a, b in itertools.combinations(holders[v], 2):
            ties.setdefault((a, b), [a, v, b])
    for v in sorted(held):  # one person in between: officer - v - person - w - officer
        for person in sorted(n for n in h[v] if n.startswith("Person:")):
            for w in sorted(w for w in h[person] if w != v and w in held):
                for a in holders[v]:
                    for b in (b for b in holders[w] if b != a):
                        key = (min(a, b), max(a, b))
                        ties.setdefault(key, [a, v, person, w, b] if a < b else [b, w, person, v, a])
    if not ties:
        return []
    texts: dict[str, list[str]] = {}
    for r in ctx.store.query(HIDDEN_COLLEAGUES_DECLARED):
        texts.setdefault(r["officer"], []).append(str(r["text"]))
    out = []
    for (a, b), path in sorted(ties.items()):
        oa, ob = officers.get(a), officers.get(b)
        if oa is None or ob is None:
            continue
        if any(
            declares(t, ob["officer_id"], ob["forenames"], ob["surname"]) for t in texts.get(a, ())
        ) or any(declares(t, oa["officer_id"], oa["forenames"], oa["surname"]) for t in texts.get(b, ())):
            continue
        manages = [
            x["officer_id"]
            for x, y in ((oa, ob), (ob, oa))
            if y["manager"] and y["manager"] == x["officer_id"]
        ]
        same_unit = bool(oa["unit_id"]) and oa["unit_id"] == ob["unit_id"]
        if p["colleagues"] == "work" and not manages and not same_unit:
            continue
        if len(path) == 5:
            form = "colleague_via_person"
        elif _kind(path[1]) == "address":
            form = "colleague_home"
        else:
            form = "colleague_contact"
        for me, other in ((oa, ob), (ob, oa)):
            out.append(
                {
                    "officer_id": me["officer_id"],
                    "colleague": other["officer_id"],
                    "path": path if me is oa else list(reversed(path)),
                    "hops": len(path) - 1,
                    "form": form,
                    "manager": manages[0] if manages else None,
                    "same_unit": same_unit,
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
        return {"address": "an address", "phone": "a phone number", "email": "an e-mail address"}.get(
            kind, f"a {kind}"
        )
    if label == "Organisation":
        return f"organisation {key}"
    return key


def _colleague_flags(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def score(r: dict[str, Any]) -> float:
        s = 0.4 + (0.35 if r["manager"] else 0.15 if r["same_unit"] else 0.0)
        return s - (0.1 if r["form"] == "colleague_via_person" else 0.0)

    def explain(r: dict[str, Any]) -> str:
        path = r["path"]
        if r["form"] == "colleague_via_person":
            tie = (
                f"shares {_describe(path[1])} with {_describe(path[2])}, who shares "
                f"{_describe(path[3])} with colleague {r['colleague']}"
            )
        else:
            tie = f"shares {_describe(path[1])} with colleague {r['colleague']}"
        work = (
            f"; {r['manager']} is the other's line manager"
            if r["manager"]
            else "; both are in the same unit"
            if r["same_unit"]
            else ""
        )
        return (
            f"The officer {tie}{work}, and neither has declared the relationship in the register "
            "of interests (a household or personal tie between colleagues, for a human to weigh "
            "against the force's policy on relationships at work)."
        )

    return officer_flags(
        "network.hidden_link",
        rows,
        score=score,
        explain=explain,
        evidence=lambda r: [
            {"table": "officers", "key": r["officer_id"]},
            {"table": "officers", "key": r["colleague"]},
            {"path": r["path"]},
        ],
        id_parts=lambda r: (r["officer_id"], "colleague", r["colleague"]),
        forms=lambda r: [r["form"], *(["line_manager"] if r["manager"] else [])],
    )


def _hidden_flags(rows: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    colleague = [r for r in rows if "colleague" in r]
    return _person_flags([r for r in rows if "colleague" not in r]) + _colleague_flags(colleague)


def _person_flags(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
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
            "between, which no single record shows; and undeclared household or personal ties "
            "between two officers (a home, a personal phone or e-mail, or a person in between), "
            "above all where one line-manages the other."
        ),
        reads=(
            "shared identifiers (HAS_IDENTIFIER): an address is the cleaned line together with the "
            "cleaned postcode; a phone is its digits",
            "resolved memberships of officers and persons (MEMBER_OF), and every current entry of "
            "each organisation's membership list (LISTED_IN), resolved or not",
            "persons (nominal flags)",
            "declarations (approved associations with a person; for colleagues, any declaration "
            "not rejected whose free text names the colleague)",
            "officers (unit, line manager, names; e-mail as an identifier)",
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
            "jaccard_coefficient). "
            "Colleagues (unless colleagues is none): two officers holding the same identifier of "
            "colleague_kinds (a home address, a phone number, an e-mail address) held by at most "
            "max_household distinct officers and persons (a household; a station switchboard or a "
            "team mailbox on more records is no one's; an e-mail address on the force's own domain, "
            "work_email_domains and the domain most officers' addresses are on, is a work mailbox, a "
            "team's, and ties no one), or each sharing such an identifier with one "
            "person in between (the officer's partner uses the colleague's phone), are tied. A tie "
            "either officer has declared (a declaration, not rejected, whose free text names the "
            "other by officer id, or by first forename and surname) is left out. Both officers are "
            "flagged, each with the other in the evidence. The form is the tie: colleague_home (an "
            "address), colleague_contact (a phone or e-mail), colleague_via_person; and "
            "line_manager as well when one is the other's line manager (the conflict forces' "
            "policies on relationships at work are written for: a manager approving the claims, "
            "leave and appraisals of their partner). With colleagues set to work, only pairs in one "
            "unit or one line-management pair are reported."
        ),
        false_positives=(
            "Chains through a shared family address where the officer has no contact with the person.",
            "A business register listing many directors of a large company.",
            "Two people in between who share a phone because one lent it once, or a recycled number.",
            "Police couples and families living together are common, and many forces ask only for "
            "relationships inside one team or line-management chain to be declared: such a force "
            "sets colleagues to work. A small team mailbox on another domain than the force's "
            "(at most max_household holders) reads as a shared e-mail: name the domain in "
            "work_email_domains.",
        ),
        scoring=(
            "score = 1 - 0.15 x (hops - 1), at least 0.3 (2 hops: 0.85, 4 hops: 0.55, 6 hops: 0.3). "
            "Colleagues: 0.4, plus 0.35 when one line-manages the other, else plus 0.15 when both are "
            "in one unit; 0.1 less with a person in between (0.3 to 0.75)."
        ),
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
            Form(
                "colleague_home",
                "Two officers live at one home address (cleaned line and postcode) and neither has "
                "declared the relationship.",
                ("declared_colleague", "switchboard_phone", "same_postcode_other_house"),
                ("officer_contacts",),
            ),
            Form(
                "colleague_contact",
                "Two officers give one personal phone number or e-mail address and neither has declared "
                "the relationship.",
                ("switchboard_phone", "team_mailbox", "declared_colleague"),
                ("officer_contacts",),
            ),
            Form(
                "colleague_via_person",
                "A person lives at one officer's address and uses the other officer's phone: officer - "
                "address - person - phone - colleague, 4 steps.",
                ("switchboard_phone", "same_postcode_other_house"),
                ("officer_contacts", "person_contacts"),
            ),
            Form(
                "line_manager",
                "An undeclared household or personal tie between an officer and their line manager (with "
                "one of the colleague forms).",
                ("declared_colleague",),
                ("officer_contacts",),
            ),
        ),
        lookalikes=(
            LookAlike(
                "declared_colleague",
                "Two colleagues live together and each has declared the relationship, naming the other "
                "in free text.",
            ),
            LookAlike(
                "switchboard_phone",
                "Six officers give their station's switchboard number as their phone: held by more than "
                "max_household, it is no one's.",
            ),
            LookAlike(
                "team_mailbox",
                "An officer and their sergeant have their team's mailbox as their e-mail in HR, on the "
                "force's own domain: a work mailbox, no personal tie.",
            ),
            LookAlike(
                "same_postcode_other_house",
                "Two colleagues live in one postcode in different houses, and share a surname: no "
                "shared identifier.",
            ),
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
        Param(
            "colleagues", str, "all", "ties between officers: all, work (one unit or line management) or none"
        ),
        Param(
            "colleague_kinds", list, ["address", "phone", "email"], "identifier kinds that tie two officers"
        ),
        Param(
            "work_email_domains",
            list,
            [],
            "the force's own e-mail domains (a mailbox there is a team's); the domain of most officers' addresses is one",
        ),
        Param(
            "max_household",
            int,
            4,
            "an identifier held by more officers and persons ties no two colleagues (a switchboard, a team mailbox)",
        ),
        BACKEND,
    ),
    to_flags=_hidden_flags,
    python=_hidden_rows,
    cypher="\n\n".join(
        (
            HIDDEN_IDENTIFIERS,
            HIDDEN_MEMBERSHIPS,
            HIDDEN_LISTED,
            HIDDEN_FLAGGED,
            HIDDEN_DECLARED,
            HIDDEN_OFFICERS,
            HIDDEN_COLLEAGUES_DECLARED,
        )
    ),
    inputs=HIDDEN_INPUTS,
)
