"""Network detectors: NetworkX on small projections of the graph (and the event store).

Projections hold only what the detector needs (ids and weights), filtered first by kind,
score and hub size, so they stay small at force scale.
"""

from __future__ import annotations

import hashlib
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
    evidence_json,
    flag_id,
    forms_item,
    severity_of,
    ts,
)
from queries.detectors.common import officer_flags

# ---------------------------------------------------------------------------- hidden link

HIDDEN_IDENTIFIERS = """\
MATCH (e)-[r:HAS_IDENTIFIER]->(i:Identifier)
WHERE r.retired_at IS NULL AND e.retired_at IS NULL AND i.kind IN $link_kinds
RETURN e.uid AS entity, i.uid AS via"""

HIDDEN_MEMBERSHIPS = """\
MATCH (e)-[m:MEMBER_OF]->(g:Organisation)
WHERE m.retired_at IS NULL AND e.retired_at IS NULL AND m.score >= $min_score
RETURN e.uid AS entity, g.uid AS via"""

HIDDEN_FLAGGED = """\
MATCH (p:Person) WHERE p.retired_at IS NULL AND size(p.nominal_flags) > 0
RETURN p.uid AS uid, p.person_id AS person_id, p.nominal_flags AS flags"""

HIDDEN_DECLARED = """\
MATCH (o:Officer)-[:DECLARED]->(d:Declaration)
WHERE d.status = 'approved' AND d.retired_at IS NULL AND d.person_id IS NOT NULL
RETURN o.uid AS officer, 'Person:' + d.person_id AS person"""

HIDDEN_DECLARED_EMBEDDED = HIDDEN_DECLARED.replace(
    "'Person:' + d.person_id", "concat('Person:', d.person_id)"
)


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
}


def _hidden_form(path: list[str]) -> str:
    """The form of a path from the flagged person (``path[0]``) to the officer: through an
    organisation (``business``), else by the link that reaches the flagged person: a
    shared phone (``relative_phone``) or a shared address (``contact_address``)."""
    if any(n.startswith("Organisation:") for n in path):
        return "business"
    kind = path[1].split(":", 2)[1] if path[1].startswith("Identifier:") else ""
    return "relative_phone" if kind == "phone" else "contact_address"


def _hidden_rows(ctx: DetectContext, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    st = ctx.store
    g = nx.Graph()  # built in sorted order, so paths and ties do not depend on the store's row order
    edges = set()
    for q in (HIDDEN_IDENTIFIERS, HIDDEN_MEMBERSHIPS):
        for r in st.query(q, {k: p[k] for k in ("link_kinds", "min_score") if f"${k}" in q}):
            edges.add((r["entity"], r["via"]))
    g.add_edges_from(sorted(edges))
    # a value shared by many different officers and persons (a hostel, a switchboard) links no
    # one; the degree counts distinct entities, and an address is a line together with its
    # postcode (ingest/identifiers.py), so namesake streets in other towns do not make hubs
    hubs = [n for n in g if not _entity(n) and g.degree(n) > p["max_degree"]]
    g.remove_nodes_from(hubs)
    declared = {
        (r["officer"], r["person"]) for r in st.query(HIDDEN_DECLARED, embedded=HIDDEN_DECLARED_EMBEDDED)
    }
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


BACKEND = Param(
    "backend", str, "", "NetworkX backend to dispatch to (e.g. 'parallel', 'cugraph'); empty: networkx"
)


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
            "shared identifiers (addresses, phones), organisations both belong to, or associates "
            "in between, which no single record shows."
        ),
        reads=(
            "shared identifiers (HAS_IDENTIFIER): an address is the cleaned line together with the "
            "cleaned postcode; a phone is its digits",
            "resolved memberships of officers and persons (MEMBER_OF)",
            "persons (nominal flags)",
            "declarations (approved associations with a person)",
        ),
        logic=(
            "Project officers, persons, identifiers of link_kinds and organisations into an "
            "undirected NetworkX graph, dropping identifiers and organisations shared by more than "
            "max_degree distinct officers and persons (a hostel, a switchboard: real hubs only, "
            "since an address identifier is a line and its postcode, so namesake streets in other "
            "towns are separate nodes). From every flagged person, find shortest paths of at most "
            "max_hops edges to officers (networkx.single_source_shortest_path). Skip officers "
            "with an approved declaration about the person, and direct two-step links through "
            "one shared identifier (association.undeclared_link reports those) unless "
            "include_direct. The form is read from the path: through an organisation, business; "
            "else by the link that reaches the flagged person, a shared phone (relative_phone) or "
            "a shared address (contact_address). Each pair is ranked by path length and, on the "
            "projection of entities tied by a shared value, by the Adamic-Adar index and Jaccard "
            "coefficient (networkx.adamic_adar_index, jaccard_coefficient)."
        ),
        false_positives=(
            "Chains through a shared family address where the officer has no contact with the person.",
            "A business register listing many directors of a large company.",
        ),
        scoring="score = 1 - 0.15 x (hops - 1), at least 0.3 (2 hops: 0.85, 4 hops: 0.55).",
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
                "The officer and a flagged person both belong to one organisation (a company register "
                "or membership list resolved to both by name and date of birth): 2 steps.",
                ("declared_association", "too_far"),
                ("flagged_persons", "memberships"),
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
                "The flagged person is six steps away (address - relative - phone - contact - address), "
                "beyond max_hops.",
            ),
            LookAlike(
                "namesake_street",
                "The relative lives at '12 High Street' in another town (another postcode): not the "
                "officer's address, so no chain.",
            ),
        ),
    ),
    params=(
        Param("max_hops", int, 4, "longest path (edges) between officer and person"),
        Param("link_kinds", list, ["address", "phone"], "identifier kinds that link"),
        Param("max_degree", int, 10, "identifiers or organisations with more members are ignored"),
        Param("min_score", float, 0.9, "lowest membership match score that counts"),
        Param("include_direct", bool, False, "also report direct links through one shared identifier"),
        BACKEND,
    ),
    to_flags=_hidden_flags,
    python=_hidden_rows,
    cypher="\n\n".join((HIDDEN_IDENTIFIERS, HIDDEN_MEMBERSHIPS, HIDDEN_FLAGGED, HIDDEN_DECLARED)),
    inputs=HIDDEN_INPUTS,
)

# ---------------------------------------------------------------------------- crews

CREW_COMPLAINTS = """\
MATCH (a:Officer)-[x:NAMED_IN]->(c:Complaint)<-[y:NAMED_IN]-(b:Officer)
WHERE a.officer_id < b.officer_id AND x.retired_at IS NULL AND y.retired_at IS NULL AND c.retired_at IS NULL
RETURN a.officer_id AS a, b.officer_id AS b, c.complaint_id AS complaint_id, c.received_date AS received"""

CREW_COVIEWS = """
WITH lookups AS (
    SELECT s.officer_id, s.record_id, min(s.ts) AS first_ts
    FROM system_access s JOIN g_records r USING (record_id)
    WHERE list_contains($sensitivities, r.sensitivity)
      AND NOT EXISTS (SELECT 1 FROM g_case_assignments ca
                      WHERE ca.officer_id = s.officer_id AND ca.case_ref = coalesce(s.case_ref, r.case_ref))
    GROUP BY s.officer_id, s.record_id),
small AS (SELECT record_id FROM lookups GROUP BY record_id HAVING count(*) BETWEEN 2 AND $max_viewers)
SELECT x.officer_id AS a, y.officer_id AS b, count(*) AS n, list(x.record_id ORDER BY x.record_id) AS records,
       min(least(x.first_ts, y.first_ts)) AS first_ts, max(greatest(x.first_ts, y.first_ts)) AS last_ts
FROM lookups x JOIN lookups y ON x.record_id = y.record_id AND x.officer_id < y.officer_id
WHERE x.record_id IN (SELECT record_id FROM small)
  AND abs(date_diff('second', x.first_ts, y.first_ts)) <= $coview_days * 86400
GROUP BY x.officer_id, y.officer_id"""

CREW_INPUTS = (
    Input(
        "complaint_subjects",
        "officers named in complaints (NAMED_IN)",
        cypher="MATCH (o:Officer)-[r:NAMED_IN]->(c:Complaint) WHERE r.retired_at IS NULL RETURN count(r) AS n",
    ),
    Input.rows("system_access"),
    Input.rows(
        "g_records",
        "sensitivity IN ('victim', 'witness', 'vip')",
        name="sensitive_records",
        description="victim, witness and VIP records (the default sensitivities)",
    ),
    Input.rows("g_case_assignments", name="case_assignments", description="case assignments (ON_CASE)"),
)


def crew_ties(ctx: DetectContext, p: Mapping[str, Any]) -> nx.Graph:
    """The weighted officer tie graph: repeated co-complaints (complaints naming more than
    ``max_named`` officers are a whole team's and tie no pair) and co-views of the same
    sensitive records outside their cases, within ``coview_days`` of each other."""
    g = nx.Graph()
    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    since, until = str(p["since"] or ""), str(p["until"] or "")
    named: dict[str, set[str]] = {}
    rows = []
    for r in ctx.store.query(CREW_COMPLAINTS):
        received = str(r["received"] or "")[:10]
        if (since and received and received < since) or (until and received and received > until):
            continue
        rows.append(r)
        named.setdefault(r["complaint_id"], set()).update((r["a"], r["b"]))
    for r in rows:
        if len(named[r["complaint_id"]]) > p["max_named"]:
            continue  # a complaint about a whole team's operation
        e = pairs.setdefault((r["a"], r["b"]), {"complaints": [], "dates": [], "records": []})
        e["complaints"].append(r["complaint_id"])
        if r["received"] is not None:
            e["dates"].append(r["received"])
    if ctx.events is not None and p["use_access"] and _has_case_assignments(ctx):
        for r in ctx.sql(CREW_COVIEWS, p):
            e = pairs.setdefault((r["a"], r["b"]), {"complaints": [], "dates": [], "records": []})
            e["records"] = list(r["records"])
            e["dates"] += [r["first_ts"], r["last_ts"]]
    weak = nx.Graph()  # pairs named together (or co-viewing) twice: not a tie, but not strangers
    for (a, b), e in sorted(pairs.items()):
        co, cv = len(set(e["complaints"])), len(e["records"])
        if co + cv >= 2:
            weak.add_edge(a, b)
        if co >= p["min_co_complaints"] or cv >= p["min_co_views"] or (co >= 2 and cv >= 1):
            dates = [_as_date(d) for d in e["dates"] if d is not None]
            g.add_edge(
                a,
                b,
                weight=co + cv,
                complaints=sorted(set(e["complaints"])),
                records=sorted(e["records"]),
                first=min(dates) if dates else None,
                last=max(dates) if dates else None,
            )
    g.graph["weak"] = weak
    return g


def _has_case_assignments(ctx: DetectContext) -> bool:
    """Without case assignments a co-view outside the officers' cases cannot be told from
    case work, so co-views are not used (the run reports co_views unchecked)."""
    rows = ctx.sql("SELECT count(*) AS n FROM g_case_assignments", {})
    return bool(rows and rows[0]["n"])


def _as_date(v: Any) -> Any:
    return v.date() if hasattr(v, "date") and callable(v.date) else v


def _density(g: nx.Graph, members: set[str]) -> float:
    n = len(members)
    return 2 * g.subgraph(members).number_of_edges() / (n * (n - 1)) if n > 1 else 0.0


def _core(g: nx.Graph, members: set[str], p: Mapping[str, Any]) -> set[str]:
    """The dense core of ``members``: peel the member with the fewest ties (then the least
    tie weight) until the rest is tied at ``min_density`` and every member is tied to, or
    named at least twice with, two others of the group (so a chain A-B-C is no crew; empty
    when fewer than ``min_size`` remain)."""
    m = set(members)
    weak = g.graph.get("weak", nx.Graph())
    while len(m) >= p["min_size"]:
        s = g.subgraph(m)
        known = {x: set(s[x]) | (set(weak[x]) & m if x in weak else set()) for x in m}
        if _density(g, m) >= p["min_density"] and all(len(k) >= 2 for k in known.values()):
            return m
        m.remove(min(sorted(m), key=lambda x: (s.degree(x), len(known[x]), s.degree(x, weight="weight"))))
    return set()


def _split(g: nx.Graph, members: set[str], p: Mapping[str, Any]) -> list[set[str]]:
    """Dense groups of ``members``. Up to ``max_size``: its dense core, and the cores of what
    is left over. Larger: Louvain communities (at ``resolution``), each split again; a part
    that will not split keeps its dense core only when that is at most ``max_size`` (a whole
    team tied densely, larger than any crew, is dropped)."""
    if len(members) <= p["max_size"]:
        core = _core(g, members, p)
        if not core:
            return []
        rest = members - core
        return [core, *(_split(g, rest, p) if len(rest) >= p["min_size"] else [])]
    parts = nx.community.louvain_communities(
        g.subgraph(sorted(members)), weight="weight", resolution=p["resolution"], seed=0
    )
    if len(parts) == 1:
        core = _core(g, members, p)
        return [core] if core and len(core) <= p["max_size"] else []
    return [x for part in sorted(parts, key=min) for x in _split(g, set(part), p)]


def _grow(g: nx.Graph, members: set[str], p: Mapping[str, Any]) -> set[str]:
    """``members`` and the officers named (or co-viewing) at least twice with at least
    ``min_join_share`` of them: a crew member whose ties to the rest fall just short of
    repeated ties still belongs to it (most joining first, up to ``max_size``)."""
    weak = g.graph.get("weak", nx.Graph())
    links: dict[str, int] = {}
    for x in members:
        for y in weak.adj.get(x, {}):
            if y not in members:
                links[y] = links.get(y, 0) + 1
    grown = set(members)
    for y, k in sorted(links.items(), key=lambda t: (-t[1], t[0])):
        if k >= max(2, p["min_join_share"] * len(members)) and len(grown) < p["max_size"]:
            grown.add(y)
    return grown


def _crew_rows(ctx: DetectContext, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    g = crew_ties(ctx, p)
    out = []
    for comp in sorted(nx.connected_components(g), key=min):
        for core in _split(g, set(comp), p):
            s = g.subgraph(core)
            ties = [d for _, _, d in s.edges(data=True)]
            complaints = {c for d in ties for c in d["complaints"]}
            viewed = sum(1 for d in ties if d["records"]) / (len(core) * (len(core) - 1) / 2)
            # a crew is tied across many different complaints (or by co-views, each an act of
            # its own); a team named together as a team rests on the same few complaints
            if viewed < p["min_density"] and len(complaints) < p["min_complaints_per_member"] * len(core):
                continue
            members = _grow(g, core, p)
            weak = g.graph["weak"]
            s = g.subgraph(members)
            ties_out = sorted((min(a, b), max(a, b), d) for a, b, d in s.edges(data=True))
            joined = sorted(members - core)
            out.append(
                {
                    "members": sorted(members),
                    "ties": ties_out,
                    "joined": [(j, sorted(set(weak[j]) & core)) for j in joined],
                }
            )
    return out


def _crew_forms(r: dict[str, Any], p: Mapping[str, Any]) -> list[str]:
    ties = [d for _, _, d in r["ties"]]
    forms = []
    if any(len(d["complaints"]) >= 2 for d in ties):
        forms.append("co_complaints")
    if any(d["records"] for d in ties):
        forms.append("co_views")
    if len(r["members"]) >= p["large_size"]:
        forms.append("large_crew")
    return forms


def _crew_flags(rows: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    name = "network.crew"
    out = []
    for r in rows:
        members, ties = r["members"], r["ties"]
        gid = "crew-" + hashlib.sha256("|".join(members).encode()).hexdigest()[:12]
        complaints = sorted({c for _, _, d in ties for c in d["complaints"]})
        records = sorted({x for _, _, d in ties for x in d["records"]})
        dates = [d[k] for _, _, d in ties for k in ("first", "last") if d.get(k) is not None]
        weight = sum(d["weight"] for _, _, d in ties)
        density = 2 * len(ties) / (len(members) * (len(members) - 1))
        score = min(1.0, 0.4 + 0.3 * density + 0.02 * weight)
        forms = _crew_forms(r, p)
        evidence = [
            *({"table": "complaints", "key": c} for c in complaints),
            *({"table": "records", "key": x} for x in records),
            *(
                {"tie": [a, b], "weight": d["weight"], "complaints": d["complaints"], "records": d["records"]}
                for a, b, d in ties
            ),
            *({"joined": j, "named_twice_with": w} for j, w in r.get("joined", [])),
            forms_item(forms),
        ]
        what = []
        if "co_complaints" in forms:
            what.append(f"named together again and again on {len(complaints)} different complaints")
        if "co_views" in forms:
            what.append(
                f"viewing the same {len(records)} sensitive records outside their own cases, "
                f"within {p['coview_days']} days of each other"
            )
        group = (
            f"a large group of {len(members)} officers"
            if "large_crew" in forms
            else f"{len(members)} officers"
        )
        for m in members:
            out.append(
                {
                    "flag_id": flag_id(name, gid, m),
                    "detector": name,
                    "officer_id": m,
                    "group_id": gid,
                    "score": round(score, 4),
                    "severity": severity_of(score),
                    "window_start": ts(min(dates)) if dates else "",
                    "window_end": ts(max(dates)) if dates else "",
                    "explanation": (
                        f"One of {group} ({', '.join(members)}) tied by {len(ties)} repeated ties "
                        f"({round(100 * density)}% of all possible pairs): "
                        + " and ".join(what)
                        + (
                            f"; {len(r['joined'])} of them named at least twice with most of the others"
                            if r.get("joined")
                            else ""
                        )
                        + "."
                    ),
                    "evidence": evidence_json(evidence),
                }
            )
    return out


CREW = Detector(
    name="network.crew",
    card=MethodCard(
        purpose=(
            "Find groups of officers tied by repeated co-complaints or by viewing the same "
            "sensitive records outside their cases."
        ),
        reads=(
            "complaint_subjects (NAMED_IN) and complaints",
            "system_access with records and case assignments (when the event store is there)",
        ),
        logic=(
            "Build a weighted tie graph: two officers are tied when named together on at least "
            "min_co_complaints different complaints (a complaint naming more than max_named "
            "officers is about a whole team's operation and ties no pair), or when they viewed at "
            "least min_co_views of the same sensitive records (sensitivities: victim, witness and VIP records; restricted intelligence is read across cases by intelligence staff as their work, so it does not count) outside their own "
            "cases within coview_days of each other (records viewed by at most max_viewers "
            "officers), or with two co-complaints and one such co-view. A single shared complaint "
            "or shared case work never ties. Each connected group of ties is a candidate; one "
            "larger than max_size is split with Louvain communities "
            "(networkx.community.louvain_communities, weight = co-complaints + co-views, at the "
            "given resolution), again until small enough; a part that will not split is a large "
            "team, not a crew, unless its dense core fits max_size. Every candidate is peeled to "
            "its dense core (the member with fewest ties is removed until the tie density, ties / "
            "possible ties, is at least min_density; what is peeled off is tried again as a group "
            "of its own), so a dozen-strong crew inside a loose web of colleagues is kept whole. A "
            "crew has min_size..max_size officers, and its ties rest on many different events: at "
            "least min_complaints_per_member distinct complaints per member, unless co-views (each "
            "an act of its own) tie it at min_density (a team named together as a team rests on "
            "the same few complaints). An officer named at least twice (or co-viewing) with at "
            "least min_join_share of a crew's members joins it. One flag per member, sharing a "
            "group id. On real co-complaint data a single global partition "
            "buries small groups in their unit's large community; thresholding the ties first "
            "and splitting only what is too big does not. A unit baseline (co-complaints expected "
            "of two officers of one unit) is not used: in small units or short periods the crew's "
            "own complaints are most of its unit's, so the baseline removes the crew."
        ),
        false_positives=(
            "A team that works every job together and draws complaints as a team (for example "
            "a public-order unit): complaints naming more than max_named officers tie no pair, "
            "and a group must rest on many different complaints.",
            "Colleagues on an unrecorded joint operation viewing the same victims.",
            "A long-standing response team whose members are often named together on complaints "
            "about the same incidents: on real data many crews found are such teams, a list for "
            "a human to review, not findings.",
        ),
        scoring="score = 0.4 + 0.3 x tie density + 0.02 x total tie weight, at most 1.",
        forms=(
            Form(
                "co_complaints",
                "Officers named together again and again on different complaints (at least "
                "min_co_complaints each pair), densely tied as a group.",
                ("team_complaints", "single_shared_complaint", "loose_chain"),
                ("complaint_subjects",),
            ),
            Form(
                "co_views",
                "Officers viewing the same sensitive records outside their own cases within days of "
                "each other (at least min_co_views records each pair), with no complaint needed.",
                ("joint_operation_coviews", "loose_chain"),
                ("system_access", "sensitive_records", "case_assignments"),
            ),
            Form(
                "large_crew",
                "A crew of large_size..max_size officers (the crew documented in the Chicago data has "
                "about a dozen) densely tied across many different complaints or records.",
                ("team_complaints", "loose_chain"),
            ),
        ),
        lookalikes=(
            LookAlike(
                "team_complaints",
                "A public-order team named together as a whole team on the same few complaints "
                "(every complaint names everyone).",
            ),
            LookAlike("single_shared_complaint", "Officers named together on one complaint only."),
            LookAlike(
                "joint_operation_coviews",
                "Officers co-assigned to a case viewing its victim records together.",
            ),
            LookAlike(
                "loose_chain",
                "Pairs tied in a chain (A-B, B-C, C-D, ...), each pair repeatedly, but not a dense group.",
            ),
        ),
    ),
    params=(
        Param("min_co_complaints", int, 3, "complaints naming both officers that make a tie"),
        Param(
            "max_named",
            int,
            15,
            "complaints naming more officers (a whole team's, larger than any crew) tie no pair",
        ),
        Param("min_co_views", int, 2, "shared sensitive records outside their cases that make a tie"),
        Param(
            "coview_days", int, 7, "co-views count when the two first views are this many days apart at most"
        ),
        Param("max_viewers", int, 10, "sensitive records viewed by more officers are ignored"),
        Param(
            "sensitivities",
            list,
            ["victim", "witness", "vip"],
            "record sensitivities that count",
        ),
        Param("min_size", int, 3, "smallest crew"),
        Param("large_size", int, 9, "a crew of at least this many officers is a large crew"),
        Param("max_size", int, 15, "groups larger than this are split into communities"),
        Param("resolution", float, 1.0, "Louvain resolution for splitting large components"),
        Param("min_density", float, 0.6, "ties among the members / possible ties, for a crew"),
        Param(
            "min_complaints_per_member",
            float,
            0.6,
            "distinct complaints behind a group's ties, per member (unless co-views tie it densely)",
        ),
        Param(
            "min_join_share",
            float,
            0.5,
            "an officer named at least twice with this share of a crew's members joins it",
        ),
        Param("use_access", bool, True, "use co-views from the event store when it is there"),
        Param("since", str, "", "only complaints received on or after this date (YYYY-MM-DD; empty: all)"),
        Param("until", str, "", "only complaints received on or before this date (YYYY-MM-DD; empty: all)"),
        BACKEND,
    ),
    to_flags=_crew_flags,
    python=_crew_rows,
    cypher=CREW_COMPLAINTS,
    sql=CREW_COVIEWS,
    uses_events=True,
    inputs=CREW_INPUTS,
)
