"""Flags: filtered and paged lists, one flag with its method card, evidence graph and
assessments, and recording a person's assessment.

A flag's status has one home: the assessments people record (kept in the metadata
store, never overwritten). It is ``open`` until someone assesses the flag; every read
here joins it to the flag as it is read.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

from api.ops.look import Look
from graph.corrections import Corrections
from graph.errors import NodeNotFound, QueryError
from graph.meta import FLAG_STATUSES, MetaStore
from graph.model import MODEL
from graph.store import GraphStore
from graph.subgraph import Subgraph
from graph.workspace import Workspace
from queries.detectors import DETECTORS
from queries.detectors.base import ts

FILTERS = {"detector": "f.detector", "officer_id": "f.officer_id", "severity": "f.severity"}
MAX_EVIDENCE_PATHS = 20
MAX_SKIP = 1_000_000
"""The deepest ``skip`` any listing takes (400 beyond): filter instead of paging that far."""
MAX_LIMIT = 1000


def flag_query(
    filters: dict[str, str | None],
    *,
    include: list[str] | None = None,
    exclude: list[str] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    embedded: bool = False,
) -> tuple[str, str, dict[str, Any]]:
    """The ``WHERE`` clause of a flag listing and its parameters, plus the ``ORDER BY``
    tail. Only the given filters appear in the text (the embedded engine mistypes a NULL
    parameter in ``$x IS NULL OR ...``).

    >>> flag_query({"severity": "high", "detector": None})[0]
    'f.retired_at IS NULL AND f.severity = $severity'
    >>> flag_query({}, until=dt.date(9999, 12, 31))[0]  # the last day there is: no bound
    'f.retired_at IS NULL'
    """
    where = ["f.retired_at IS NULL"]
    params: dict[str, Any] = {}
    for name, value in filters.items():
        if value is not None:
            where.append(f"{FILTERS[name]} = ${name}")
            params[name] = value
    if include is not None:
        where.append("f.flag_id IN $include")
        params["include"] = include
    if exclude:
        where.append("NOT f.flag_id IN $exclude")
        params["exclude"] = exclude
    cast = "timestamp" if embedded else "datetime"
    if since is not None:  # windows that end on or after the start of `since`
        where.append(f"(f.window_end IS NULL OR f.window_end >= {cast}($since))")
        params["since"] = f"{since.isoformat()}T00:00:00"
    if until is not None and until < dt.date.max:  # ... and start before the end of `until`
        # (the last day there is ends after every window: no condition, and no day after it)
        where.append(f"(f.window_start IS NULL OR f.window_start < {cast}($until))")
        params["until"] = f"{(until + dt.timedelta(days=1)).isoformat()}T00:00:00"
    return " AND ".join(where), "ORDER BY f.score DESC, f.flag_id", params


def flag_out(node: dict[str, Any], statuses: dict[str, str]) -> dict[str, Any]:
    """A flag node as people read it: evidence parsed, window in ISO 8601, and its live
    status joined from the assessments."""
    p = dict(node["properties"])
    p["evidence"] = json.loads(p.get("evidence") or "[]")
    p["window_start"] = ts(p.get("window_start")) or None
    p["window_end"] = ts(p.get("window_end")) or None
    p["status"] = statuses.get(str(p["flag_id"]), "open")
    return p


def flags_of_officer(store: GraphStore, meta: MetaStore, officer_id: str) -> list[dict[str, Any]]:
    """The current flags naming an officer, highest score first."""
    rows = store.query(
        "MATCH (f:Flag) WHERE f.officer_id = $o AND f.retired_at IS NULL RETURN f ORDER BY f.score DESC, f.flag_id",
        {"o": officer_id},
    )
    statuses = meta.statuses()
    return [flag_out(r["f"], statuses) for r in rows]


def _flag_filter(
    store: GraphStore,
    meta: MetaStore,
    filters: dict[str, str | None],
    status: str | None,
    since: dt.date | None,
    until: dt.date | None,
) -> tuple[str, str, dict[str, Any], dict[str, str]]:
    statuses = meta.statuses()
    include: list[str] | None = None
    exclude: list[str] | None = None
    if status is not None:
        if status not in FLAG_STATUSES:
            raise QueryError(f"status must be one of {', '.join(FLAG_STATUSES)} (got {status!r})")
        if status == "open":
            exclude = sorted(k for k, v in statuses.items() if v != "open")
        else:
            include = sorted(k for k, v in statuses.items() if v == status)
    where, order, params = flag_query(
        filters, include=include, exclude=exclude, since=since, until=until, embedded=store.name == "embedded"
    )
    return where, order, params, statuses


def flag_page(
    store: GraphStore,
    meta: MetaStore,
    filters: dict[str, str | None],
    status: str | None,
    since: dt.date | None,
    until: dt.date | None,
    skip: int,
    limit: int,
) -> dict[str, Any]:
    """One page of matching flags, highest score first, and how many match.

    The engine is never sent a large ``SKIP`` (the embedded engine crashes on ``ORDER BY
    ... SKIP`` from about 25,000): the matching flags' ids are read in order (two light
    columns), the page is cut from them here, and only its flags are read in full."""
    if not 0 <= skip <= MAX_SKIP:
        raise QueryError(f"skip must be between 0 and {MAX_SKIP:,} (got {skip}); narrow the filters instead")
    if limit < 1:
        raise QueryError(f"limit must be at least 1 (got {limit})")
    where, _, params, statuses = _flag_filter(store, meta, filters, status, since, until)
    ordered = store.query(
        f"MATCH (f:Flag) WHERE {where} RETURN f.uid AS uid, f.score AS score ORDER BY score DESC, uid",
        params,
    )
    page = [str(r["uid"]) for r in ordered[skip : skip + limit]]
    found = (
        {
            r["f"]["id"]: r["f"]
            for r in store.query("MATCH (f:Flag) WHERE f.uid IN $uids RETURN f", {"uids": page})
        }
        if page
        else {}
    )
    return {
        "items": [flag_out(found[u], statuses) for u in page if u in found],
        "total": len(ordered),
        "skip": skip,
        "limit": limit,
    }


def all_flags(
    store: GraphStore,
    meta: MetaStore,
    filters: dict[str, str | None],
    status: str | None,
    since: dt.date | None,
    until: dt.date | None,
) -> list[dict[str, Any]]:
    """Every matching flag, highest score first (for exports: no paging)."""
    where, order, params, statuses = _flag_filter(store, meta, filters, status, since, until)
    rows = store.query(f"MATCH (f:Flag) WHERE {where} RETURN f {order}", params)
    return [flag_out(r["f"], statuses) for r in rows]


def list_flags(
    ws: Workspace,
    look: Look,
    filters: dict[str, str | None],
    *,
    status: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    skip: int = 0,
    limit: int = 100,
) -> dict[str, Any]:
    """Flags filtered by detector, officer, severity, status and window; highest score
    first, paged (``total`` counts every match). Audited as ``flags``."""
    look.need_purpose("a list of flags")
    page = flag_page(ws.store, ws.meta, filters, status, since, until, skip, limit)
    look.record(
        ws.audit,
        "flags",
        "flags",
        params={**filters, "status": status, "since": since, "until": until, "skip": skip, "limit": limit},
        result_size=len(page["items"]),
    )
    return page


def one(ws: Workspace, flag_id: str) -> dict[str, Any]:
    """A flag as :func:`flag_out` gives it (:class:`NodeNotFound` for an unknown id)."""
    try:
        node = ws.store.node(MODEL.uid("Flag", flag_id))
    except NodeNotFound:
        raise NodeNotFound(f"no flag with id {flag_id!r}") from None
    out = flag_out(node, ws.meta.statuses())
    if out.get("retired_at"):  # why it retired, when a correction retired it
        out["retired_reason"] = Corrections(ws.meta).retirements([flag_id]).get(flag_id)
    return out


def method_card(detector: str) -> dict[str, Any]:
    """A detector's method card as data (for a flag's page and the API)."""
    d = DETECTORS.get(detector)
    if d is None:
        return {"name": detector, "purpose": "(this detector is no longer defined)"}
    card = dataclasses.asdict(d.card)
    card["name"] = d.name
    card["parameters"] = [
        {"name": p.name, "default": p.default, "description": p.description} for p in d.params
    ]
    card["query"] = d.cypher or d.sql
    return card


def show(ws: Workspace, look: Look, flag_id: str) -> dict[str, Any]:
    """One flag: its explanation, evidence rows, method card, status and assessments."""
    look.need_purpose(f"flag {flag_id}")
    out = one(ws, flag_id)
    out["card"] = method_card(out["detector"])
    out["assessments"] = ws.meta.assessments(flag_id)
    look.record(ws.audit, "flag", flag_id, result_size=1, officer_id=out["officer_id"])
    return out


def evidence_graph(store: GraphStore, flag: dict[str, Any]) -> Subgraph:
    """The flag, its subject, the nodes its evidence names (``EVIDENCE`` links) and the
    graph paths its evidence gives, relationship by relationship."""
    uid = MODEL.uid("Flag", flag["flag_id"])
    sg = store.neighbourhood([uid], depth=1, limit=200)
    steps: set[tuple[str, str, str]] = set()
    for item in flag["evidence"][:MAX_EVIDENCE_PATHS]:
        path = item.get("path") if isinstance(item, dict) else None
        if not isinstance(path, list):
            continue
        for i in range(0, len(path) - 2, 2):
            steps.add((str(path[i]), str(path[i + 1]), str(path[i + 2])))
    for a, rel, b in sorted(steps):
        try:
            found = store.shortest_paths(a, b, max_hops=1, rel_types=[rel])
        except (NodeNotFound, QueryError):
            continue  # evidence naming something no longer in the graph
        for p in found:
            for n in p["nodes"]:
                sg.add_node(n)
            for e in p["edges"]:
                sg.add_edge(e)
    return sg


def evidence(ws: Workspace, look: Look, flag_id: str) -> Subgraph:
    """The flag's evidence as a graph: subject, evidence nodes and evidence paths."""
    look.need_purpose(f"the evidence of flag {flag_id}")
    sg = evidence_graph(ws.store, one(ws, flag_id))
    look.record(ws.audit, "flag_evidence", flag_id, result_size=len(sg.nodes))
    return sg


def assessments(ws: Workspace, look: Look, flag_id: str) -> list[dict[str, Any]]:
    """Every assessment of a flag, oldest first."""
    look.need_purpose(f"the assessments of flag {flag_id}")
    one(ws, flag_id)
    found = ws.meta.assessments(flag_id)
    look.record(ws.audit, "flag_assessments", flag_id, result_size=len(found))
    return found


def assess(ws: Workspace, look: Look, flag_id: str, status: str, note: str | None) -> dict[str, Any]:
    """Record a person's assessment of a flag: a new status (``under_review``,
    ``no_further_action``, ``referred``, ``challenged`` or back to ``open``) and a note.
    The flag itself is not changed; the assessment is kept beside it and audited. The
    record has the new assessment and ``from``, the status before."""
    look.need_purpose(f"an assessment of flag {flag_id}")
    flag = one(ws, flag_id)
    rec = ws.meta.assess(flag_id, status, note, look.who)
    look.record(
        ws.audit,
        "flag_change",
        flag_id,
        params={"status": status, "from": flag["status"]},
        result_size=1,
        officer_id=flag["officer_id"],
    )
    return {**rec, "from": flag["status"]}
