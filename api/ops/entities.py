"""Entities: one node, and an entity's page (properties, provenance, links by type, and
for an officer their flags and postings)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from api.ops.flags import flags_of_officer
from api.ops.look import Look
from graph.model import PROVENANCE
from graph.store import GraphStore
from graph.workspace import Workspace

PROVENANCE_NAMES = tuple(p.name for p in PROVENANCE)


def node(ws: Workspace, look: Look, node_id: str) -> dict[str, Any]:
    """One node with its properties and provenance (audited as ``entity``)."""
    look.need_purpose(f"a view of {node_id}")
    found = ws.store.node(node_id)
    look.record(ws.audit, "entity", node_id, result_size=1)
    return found


def assignments(store: GraphStore, officer_uid: str) -> list[dict[str, Any]]:
    """An officer's postings (unit, dates, rank, role), oldest first."""
    rows = store.query(
        "MATCH (o:Officer)-[a:ASSIGNED_TO]->(u) WHERE o.uid = $id AND a.retired_at IS NULL "
        "RETURN u.uid AS unit, u.name AS unit_name, a.start_date AS start_date, a.end_date AS end_date, "
        "a.rank AS rank, a.role AS role ORDER BY start_date",
        {"id": officer_uid},
    )
    return [{k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in r.items()} for r in rows]


def entity(ws: Workspace, look: Look, node_id: str) -> dict[str, Any]:
    """An entity: properties, provenance (source file and line, ingest run, first and
    last seen), relationship counts by type, and for an officer their flags and unit
    history (audited as ``entity``)."""
    look.need_purpose(f"a view of {node_id}")
    store = ws.store
    found = store.node(node_id)
    label = found["labels"][0]
    rel = "label(r)" if store.name == "embedded" else "type(r)"
    counts = store.query(
        f"MATCH (n:{label})-[r]-() WHERE n.uid = $id AND r.retired_at IS NULL RETURN {rel} AS t, count(*) AS c",
        {"id": node_id},
    )
    props = found["properties"]
    out: dict[str, Any] = {
        "id": found["id"],
        "labels": found["labels"],
        "properties": {k: v for k, v in props.items() if k not in PROVENANCE_NAMES},
        "provenance": {k: props.get(k) for k in PROVENANCE_NAMES if k in props},
        "relationships": {r["t"]: int(r["c"]) for r in sorted(counts, key=lambda r: r["t"])},
        "flags": [],
        "assignments": [],
    }
    if label == "Officer":
        out["flags"] = flags_of_officer(store, ws.meta, str(props["officer_id"]))
        out["assignments"] = assignments(store, node_id)
    look.record(ws.audit, "entity", node_id, result_size=1, flags=len(out["flags"]))
    return out
