"""Search, entities, neighbourhoods and paths. Every look needs a stated purpose and is
recorded in the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.auth import GraphLook, MetaDep
from api.deps import StoreDep
from api.models import EntityOut, GraphOut, Node, PathsOut, SearchHit
from api.routes.flags import flags_of_officer
from graph.errors import NodeNotFound, QueryError
from graph.store import GraphStore
from graph.subgraph import Subgraph

router = APIRouter(prefix="/api/v1", tags=["graph"])

PROVENANCE = (
    "first_seen",
    "last_seen",
    "run_id",
    "source_file",
    "source_line",
    "row_hash",
    "retired_at",
    "extra",
)
SEARCH_FIELDS: dict[str, tuple[str, ...]] = {
    # label: (id field, other fields searched)
    "Officer": ("officer_id", "surname", "forenames"),
    "Person": ("person_id", "surname", "forenames"),
    "Organisation": ("org_id", "name"),
    "Unit": ("unit_id", "name"),
    "Site": ("site_id", "name"),
    "CaseFile": ("case_ref",),
    "Complaint": ("complaint_id",),
    "Record": ("record_id",),
    "Flag": ("flag_id",),
}
CAPTION: dict[str, tuple[str, ...]] = {
    "Officer": ("forenames", "surname", "rank"),
    "Person": ("forenames", "surname"),
    "Organisation": ("name", "kind"),
    "Unit": ("name",),
    "Site": ("name",),
    "Flag": ("detector", "officer_id"),
}


def caption(node: dict[str, Any]) -> str:
    """A short human caption of a node: its name where it has one, then its key.

    >>> caption({"id": "Officer:7", "labels": ["Officer"], "properties": {"surname": "Ash", "forenames": "Ann"}})
    'Ann Ash (Officer:7)'
    """
    p = node.get("properties") or {}
    label = node["labels"][0]
    parts = [str(p[k]) for k in CAPTION.get(label, ()) if p.get(k) not in (None, "")]
    return f"{' '.join(parts)} ({node['id']})" if parts else node["id"]


def search_entities(store: GraphStore, q: str, labels: list[str] | None, limit: int) -> list[dict[str, Any]]:
    """Entities whose id or name contains every word of ``q`` (case-insensitive); exact
    id matches first, then matches at the start of a field, then the rest."""
    label_id = next((lab for lab in SEARCH_FIELDS if q.strip().lower().startswith(lab.lower() + ":")), None)
    if label_id and (not labels or label_id in labels) and " " not in q.strip():
        uid = f"{label_id}:{q.strip()[len(label_id) + 1 :]}"  # an id as the pages show it
        try:
            n = store.node(uid)
        except (NodeNotFound, QueryError):
            n = None
        if n is not None:
            return [{"id": n["id"], "label": label_id, "caption": caption(n), "matched": "id"}]
    terms = [t for t in q.lower().replace(",", " ").split() if t][:5]
    if not terms:
        return []
    hits: list[tuple[int, str, str, str, dict[str, Any]]] = []
    for label, fields in SEARCH_FIELDS.items():
        if labels and label not in labels:
            continue
        conds = []
        params: dict[str, Any] = {"k": limit}
        for i, t in enumerate(terms):
            params[f"t{i}"] = t
            conds.append(
                "("
                + " OR ".join(f"(n.{f} IS NOT NULL AND toLower(n.{f}) CONTAINS $t{i})" for f in fields)
                + ")"
            )
        rows = store.query(
            f"MATCH (n:{label}) WHERE n.retired_at IS NULL AND {' AND '.join(conds)} RETURN n ORDER BY n.uid LIMIT $k",
            params,
        )
        for r in rows:
            n = r["n"]
            p = n["properties"]
            key = str(p.get(fields[0]) or "").lower()
            matched = next((f for f in fields if terms[0] in str(p.get(f) or "").lower()), fields[0])
            if key == " ".join(terms):
                rank = 0
            elif any(str(p.get(f) or "").lower().startswith(terms[0]) for f in fields):
                rank = 1
            else:
                rank = 2
            hits.append((rank, label, caption(n), matched, n))
    hits.sort(key=lambda h: (h[0], list(SEARCH_FIELDS).index(h[1]), h[2]))
    return [{"id": n["id"], "label": lab, "caption": cap, "matched": m} for _, lab, cap, m, n in hits[:limit]]


@router.get("/search", response_model=list[SearchHit])
def search(
    store: StoreDep,
    look: GraphLook,
    q: Annotated[str, Query(min_length=1, max_length=200, description="Words of a name or an id")],
    label: Annotated[list[str] | None, Query(description="Only these labels")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 25,
) -> list[dict[str, Any]]:
    """Search officers, persons, organisations, units, sites, cases, complaints, records
    and flags by name or id."""
    look.need_purpose("a search")
    hits = search_entities(store, q, label, limit)
    look.record("search", "search", params={"q": q, "label": label}, result_size=len(hits))
    return hits


@router.get("/nodes/{node_id}", response_model=Node)
def get_node(node_id: str, store: StoreDep, look: GraphLook) -> dict[str, Any]:
    """One node with its properties and provenance."""
    look.need_purpose(f"a view of {node_id}")
    node = store.node(node_id)
    look.record("entity", node_id, result_size=1)
    return node


def assignments(store: GraphStore, officer_uid: str) -> list[dict[str, Any]]:
    rows = store.query(
        "MATCH (o:Officer)-[a:ASSIGNED_TO]->(u) WHERE o.uid = $id AND a.retired_at IS NULL "
        "RETURN u.uid AS unit, u.name AS unit_name, a.start_date AS start_date, a.end_date AS end_date, "
        "a.rank AS rank, a.role AS role ORDER BY start_date",
        {"id": officer_uid},
    )
    return [{k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in r.items()} for r in rows]


@router.get("/entities/{node_id}", response_model=EntityOut)
def entity(node_id: str, store: StoreDep, meta: MetaDep, look: GraphLook) -> dict[str, Any]:
    """An entity: properties, provenance (source file and line, ingest run, first and
    last seen), relationship counts by type, and for an officer their flags and unit
    history."""
    look.need_purpose(f"a view of {node_id}")
    node = store.node(node_id)
    label = node["labels"][0]
    rel = "label(r)" if store.name == "embedded" else "type(r)"
    counts = store.query(
        f"MATCH (n:{label})-[r]-() WHERE n.uid = $id AND r.retired_at IS NULL RETURN {rel} AS t, count(*) AS c",
        {"id": node_id},
    )
    props = node["properties"]
    out: dict[str, Any] = {
        "id": node["id"],
        "labels": node["labels"],
        "properties": {k: v for k, v in props.items() if k not in PROVENANCE},
        "provenance": {k: props.get(k) for k in PROVENANCE if k in props},
        "relationships": {r["t"]: int(r["c"]) for r in sorted(counts, key=lambda r: r["t"])},
        "flags": [],
        "assignments": [],
    }
    if label == "Officer":
        out["flags"] = flags_of_officer(store, meta, str(props["officer_id"]))
        out["assignments"] = assignments(store, node_id)
    look.record("entity", node_id, result_size=1, flags=len(out["flags"]))
    return out


@router.get("/neighbourhood", response_model=GraphOut, response_model_exclude_unset=True)
def neighbourhood(
    store: StoreDep,
    look: GraphLook,
    node_id: Annotated[list[str], Query(alias="id", description="Start node id(s), e.g. Officer:100003")],
    depth: Annotated[int, Query(ge=0, le=6)] = 1,
    rel_type: Annotated[list[str] | None, Query(description="Only these relationship types")] = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    properties: bool = True,
) -> dict[str, Any]:
    """The subgraph within ``depth`` hops of the start node(s)."""
    look.need_purpose(f"the neighbourhood of {', '.join(node_id)}")
    sg = store.neighbourhood(node_id, depth=depth, rel_types=rel_type, since=since, until=until, limit=limit)
    look.record(
        "neighbourhood",
        " ".join(node_id),
        params={"depth": depth, "rel_type": rel_type, "since": since, "until": until, "limit": limit},
        result_size=len(sg.nodes),
    )
    return sg.to_dict(properties=properties)


def paths_subgraphs(
    store: GraphStore, a: str, b: str, max_hops: int, rel_types: list[str] | None
) -> list[Subgraph]:
    out = []
    for p in store.shortest_paths(a, b, max_hops=max_hops, rel_types=rel_types):
        sg = Subgraph()
        for n in p["nodes"]:
            sg.add_node(n)
        for e in p["edges"]:
            sg.add_edge(e)
        out.append(sg)
    return out


@router.get("/paths", response_model=PathsOut, response_model_exclude_unset=True)
def paths(
    store: StoreDep,
    look: GraphLook,
    source: Annotated[str, Query(alias="from")],
    target: Annotated[str, Query(alias="to")],
    max_hops: Annotated[int, Query(ge=1, le=6)] = 4,
    rel_type: Annotated[list[str] | None, Query()] = None,
    properties: bool = True,
) -> dict[str, Any]:
    """All shortest paths between two nodes (none within ``max_hops``: an empty list)."""
    look.need_purpose(f"paths between {source} and {target}")
    found = paths_subgraphs(store, source, target, max_hops, rel_type)
    look.record(
        "paths",
        f"{source} {target}",
        params={"max_hops": max_hops, "rel_type": rel_type},
        result_size=len(found),
    )
    return {"paths": [sg.to_dict(properties=properties) for sg in found]}
