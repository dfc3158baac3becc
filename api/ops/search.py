"""Search: entities by name or id."""

from __future__ import annotations

from typing import Any

from api.ops.look import Look
from graph.errors import NodeNotFound, QueryError
from graph.model import caption
from graph.store import GraphStore
from graph.workspace import Workspace

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
    has_digit = any(c.isdigit() for t in terms for c in t)
    for label, fields in SEARCH_FIELDS.items():
        if labels and label not in labels:
            continue
        if len(fields) == 1 and not has_digit and not labels:
            # ids only (cases, complaints, records, flags): every id of the contract has digits, so a
            # name is looked for among names, not by reading the million records' ids
            continue
        for n in store.search_names(label, fields, terms, limit):
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


def search(
    ws: Workspace, look: Look, q: str, labels: list[str] | None = None, limit: int = 25
) -> list[dict[str, Any]]:
    """Search officers, persons, organisations, units, sites, cases, complaints, records
    and flags by name or id (audited as ``search``)."""
    look.need_purpose("a search")
    hits = search_entities(ws.store, q, labels, limit)
    look.record(ws.audit, "search", "search", params={"q": q, "label": labels}, result_size=len(hits))
    return hits
