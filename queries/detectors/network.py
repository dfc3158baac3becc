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
    MethodCard,
    Param,
    evidence_json,
    flag_id,
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


def _hidden_rows(ctx: DetectContext, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    st = ctx.store
    g = nx.Graph()  # built in sorted order, so paths and ties do not depend on the store's row order
    edges = set()
    for q in (HIDDEN_IDENTIFIERS, HIDDEN_MEMBERSHIPS):
        for r in st.query(q, {k: p[k] for k in ("link_kinds", "min_score") if f"${k}" in q}):
            edges.add((r["entity"], r["via"]))
    g.add_edges_from(sorted(edges))
    hubs = [n for n in g if not _entity(n) and g.degree(n) > p["max_degree"]]
    g.remove_nodes_from(hubs)  # a value shared by many (a hostel, a switchboard) links no one
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
        steps = [
            f"shares {_describe(path[i])} with {_describe(path[i + 1])}" for i in range(1, len(path) - 1, 2)
        ]
        return (
            f"Is {r['hops']} steps in the graph from {r['person_id']}, a person flagged in police "
            f"records ({';'.join(r['flags'])}): the officer {', who '.join(steps)}."
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
            "shared identifiers (HAS_IDENTIFIER)",
            "resolved memberships of officers and persons (MEMBER_OF)",
            "persons (nominal flags)",
            "declarations (approved associations with a person)",
        ),
        logic=(
            "Project officers, persons, identifiers of link_kinds and organisations into an "
            "undirected NetworkX graph, dropping identifiers and organisations with more than "
            "max_degree members. From every flagged person, find shortest paths of at most "
            "max_hops edges to officers (networkx.single_source_shortest_path). Skip officers "
            "with an approved declaration about the person, and direct two-step links through "
            "one shared identifier (association.undeclared_link reports those) unless "
            "include_direct. Each pair is ranked by path length and, on the projection of "
            "entities tied by a shared value, by the Adamic-Adar index and Jaccard coefficient "
            "(networkx.adamic_adar_index, jaccard_coefficient)."
        ),
        false_positives=(
            "Chains through a shared family address where the officer has no contact with the person.",
            "A business register listing many directors of a large company.",
        ),
        scoring="score = 1 - 0.15 x (hops - 1), at least 0.3 (2 hops: 0.85, 4 hops: 0.55).",
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
)

# ---------------------------------------------------------------------------- crews

CREW_COMPLAINTS = """\
MATCH (a:Officer)-[x:NAMED_IN]->(c:Complaint)<-[y:NAMED_IN]-(b:Officer)
WHERE a.officer_id < b.officer_id AND x.retired_at IS NULL AND y.retired_at IS NULL AND c.retired_at IS NULL
RETURN a.officer_id AS a, b.officer_id AS b, c.complaint_id AS complaint_id, c.received_date AS received"""

CREW_COVIEWS = """
WITH lookups AS (
    SELECT DISTINCT s.officer_id, s.record_id
    FROM system_access s JOIN g_records r USING (record_id)
    WHERE list_contains($sensitivities, r.sensitivity)
      AND NOT EXISTS (SELECT 1 FROM g_case_assignments ca
                      WHERE ca.officer_id = s.officer_id AND ca.case_ref = coalesce(s.case_ref, r.case_ref))),
small AS (SELECT record_id FROM lookups GROUP BY record_id HAVING count(*) BETWEEN 2 AND $max_viewers)
SELECT x.officer_id AS a, y.officer_id AS b, count(*) AS n, list(x.record_id ORDER BY x.record_id) AS records
FROM lookups x JOIN lookups y ON x.record_id = y.record_id AND x.officer_id < y.officer_id
WHERE x.record_id IN (SELECT record_id FROM small)
GROUP BY ALL"""


def crew_ties(ctx: DetectContext, p: Mapping[str, Any]) -> nx.Graph:
    """The weighted officer tie graph: co-complaints (repeated beyond the pair's unit
    baseline) and co-views of the same sensitive records outside their cases."""
    g = nx.Graph()
    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    since, until = str(p["since"] or ""), str(p["until"] or "")
    for r in ctx.store.query(CREW_COMPLAINTS):
        received = str(r["received"] or "")[:10]
        if (since and received and received < since) or (until and received and received > until):
            continue
        e = pairs.setdefault((r["a"], r["b"]), {"complaints": [], "dates": [], "records": []})
        e["complaints"].append(r["complaint_id"])
        if r["received"] is not None:
            e["dates"].append(r["received"])
    if ctx.events is not None and p["use_access"]:
        for r in ctx.sql(CREW_COVIEWS, p):
            e = pairs.setdefault((r["a"], r["b"]), {"complaints": [], "dates": [], "records": []})
            e["records"] = list(r["records"])
    for (a, b), e in sorted(pairs.items()):
        co, cv = len(e["complaints"]), len(e["records"])
        if co >= p["min_co_complaints"] or cv >= p["min_co_views"] or (co >= 2 and cv >= 1):
            g.add_edge(
                a,
                b,
                weight=co + cv,
                complaints=sorted(e["complaints"]),
                records=sorted(e["records"]),
                first=min(e["dates"]) if e["dates"] else None,
                last=max(e["dates"]) if e["dates"] else None,
            )
    return g


def _split(g: nx.Graph, members: set[str], p: Mapping[str, Any]) -> list[set[str]]:
    """Louvain communities of ``members``, split again while larger than ``max_size``
    (a part that will not split further is dropped: a large team, not a crew)."""
    if len(members) <= p["max_size"]:
        return [members]
    parts = nx.community.louvain_communities(
        g.subgraph(members), weight="weight", resolution=p["resolution"], seed=0
    )
    if len(parts) == 1:
        return []
    return [x for part in parts for x in _split(g, set(part), p)]


def _crew_rows(ctx: DetectContext, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    g = crew_ties(ctx, p)
    out = []
    for comp in sorted(nx.connected_components(g), key=min):
        for members in _split(g, set(comp), p):
            s = g.subgraph(members)
            n = len(members)
            if n < p["min_size"] or 2 * s.number_of_edges() / (n * (n - 1)) < p["min_density"]:
                continue
            ties = sorted((min(a, b), max(a, b), d) for a, b, d in s.edges(data=True))
            out.append({"members": sorted(members), "ties": ties})
    return out


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
        evidence = [
            *({"table": "complaints", "key": c} for c in complaints),
            *({"table": "records", "key": x} for x in records),
            *(
                {"tie": [a, b], "weight": d["weight"], "complaints": d["complaints"], "records": d["records"]}
                for a, b, d in ties
            ),
        ]
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
                        f"One of {len(members)} officers ({', '.join(members)}) tied by {len(ties)} repeated "
                        f"ties: named together on {len(complaints)} complaints and viewing the same "
                        f"{len(records)} sensitive records outside their cases."
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
            "min_co_complaints complaints, or when they viewed at least min_co_views of the same "
            "victim/witness records outside their own cases (records viewed by at most "
            "max_viewers officers), or with two co-complaints and one such co-view. A single "
            "shared complaint or shared case work never ties. Each connected group of ties is a "
            "candidate; one larger than max_size is split with Louvain communities "
            "(networkx.community.louvain_communities, weight = co-complaints + co-views, at the "
            "given resolution), again and again until small enough (a part that will not split "
            "is a large team, not a crew, and is dropped). A crew has min_size..max_size officers "
            "and tie density (ties / possible ties) of at least min_density. One flag per "
            "member, sharing a group id. On real co-complaint data a single global partition "
            "buries small groups in their unit's large community; thresholding the ties first "
            "and splitting only what is too big does not."
        ),
        false_positives=(
            "A team that works every job together and draws complaints as a team (for example "
            "a public-order unit).",
            "Colleagues on an unrecorded joint operation viewing the same victims.",
        ),
        scoring="score = 0.4 + 0.3 x tie density + 0.02 x total tie weight, at most 1.",
    ),
    params=(
        Param("min_co_complaints", int, 3, "complaints naming both officers that make a tie"),
        Param("min_co_views", int, 2, "shared sensitive records outside their cases that make a tie"),
        Param("max_viewers", int, 10, "sensitive records viewed by more officers are ignored"),
        Param("sensitivities", list, ["victim", "witness"], "record sensitivities that count"),
        Param("min_size", int, 3, "smallest crew"),
        Param("max_size", int, 8, "components larger than this are split into communities"),
        Param("resolution", float, 1.0, "Louvain resolution for splitting large components"),
        Param("min_density", float, 0.6, "ties among the members / possible ties, for a crew"),
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
)
