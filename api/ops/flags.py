"""Flags: filtered and paged lists, one flag with its method card, evidence graph and
assessments, and recording a person's assessment.

A flag's status has one home: the assessments people record (kept in the metadata
store, never overwritten). It is ``open`` until someone assesses the flag; every read
here joins it to the flag as it is read.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
from typing import Any

from api.ops.look import Look
from api.ops.pseudonyms import Masker
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


OFFICER_FLAGS = (
    "MATCH (f:Flag) WHERE f.retired_at IS NULL AND f.officer_id IS NOT NULL "
    "RETURN f.officer_id AS officer_id, f.uid AS uid ORDER BY officer_id, f.score DESC, f.flag_id"
)
"""Every current flag's officer and uid, each officer's highest score first."""


def _flags_by_officer(store: GraphStore) -> dict[str, list[str]]:
    cols = store.columns(OFFICER_FLAGS)
    out: dict[str, list[str]] = {}
    for officer, uid in zip(cols.get("officer_id", []), cols.get("uid", []), strict=True):
        out.setdefault(str(officer), []).append(str(uid))
    return out


def flags_of_officer(store: GraphStore, meta: MetaStore, officer_id: str) -> list[dict[str, Any]]:
    """The current flags naming an officer, highest score first.

    A server's snapshot reads every flag's officer once (an officer's flags were a scan
    of every flag: 4 ms of an entity page at 45,000 officers) and keeps the flags read."""
    statuses = meta.statuses()
    if not store.unchanging:
        rows = store.query(
            "MATCH (f:Flag) WHERE f.officer_id = $o AND f.retired_at IS NULL RETURN f "
            "ORDER BY f.score DESC, f.flag_id",
            {"o": officer_id},
        )
        return [flag_out(r["f"], statuses) for r in rows]
    uids = store.remember(("flags by officer",), lambda: _flags_by_officer(store)).get(officer_id, [])
    read = _flags_read(store, uids)
    return [{**f, "status": statuses.get(str(f["flag_id"]), "open")} for u in uids if (f := read[u]) is not None]


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
    cypher = f"MATCH (f:Flag) WHERE {where} RETURN f.uid AS uid, f.score AS score ORDER BY score DESC, uid"
    ordered = store.remember(  # a snapshot's order of its flags is read once per filter (7 ms at 45k)
        ("flag order", cypher, json.dumps(params, sort_keys=True, default=str)),
        lambda: store.columns(cypher, params).get("uid", []),
    )
    page = [str(u) for u in ordered[skip : skip + limit]]
    read = _flags_read(store, page)
    return {
        "items": [
            {**f, "status": statuses.get(str(f["flag_id"]), "open")} for u in page if (f := read[u]) is not None
        ],
        "total": len(ordered),
        "skip": skip,
        "limit": limit,
    }


FLAGS_KEPT = 4096
"""Flags a server's snapshot keeps as read (:func:`_flags_read`)."""


def _flags_read(store: GraphStore, uids: list[str]) -> dict[str, dict[str, Any] | None]:
    """Flags by uid as :func:`flag_out` makes them (their status aside: it changes without
    the graph), ``None`` for none; a server's snapshot keeps them, as the same pages are
    read again and again. Those not kept are read by uid in one go, each through the key
    (``IN $uids`` read every flag)."""
    todo = {u for u in uids if not store.remembers(u, kind="flags")}
    found = store.nodes(sorted(todo)) if todo else {}

    def read(u: str) -> dict[str, Any] | None:
        node = found[u] if u in found else None if u in todo else store.nodes([u]).get(u)
        return None if node is None else flag_out(node, {})

    return {u: store.remember(u, functools.partial(read, u), kind="flags", most=FLAGS_KEPT) for u in uids}


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
    mask = Masker.for_look(ws, look)
    filters = {**filters, "officer_id": mask.resolve(filters.get("officer_id"))}
    page = flag_page(ws.store, ws.meta, filters, status, since, until, skip, limit)
    page["items"] = mask.flags(page["items"])
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
    if out.get("retired_at"):  # when and why it retired (when a correction retired it)
        out["retired_at"] = ts(out["retired_at"]) or str(out["retired_at"])
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
    """One flag: its explanation, evidence rows (and the same grouped by kind, one table
    per kind: ``evidence_tables``), method card, status and assessments; pseudonymised
    for the looker (:mod:`api.ops.pseudonyms`)."""
    look.need_purpose(f"flag {flag_id}")
    out = one(ws, flag_id)
    out["card"] = method_card(out["detector"])
    out["assessments"] = ws.meta.assessments(flag_id)
    out["evidence_tables"] = evidence_tables(ws, out)
    look.record(ws.audit, "flag", flag_id, result_size=1, officer_id=out["officer_id"])
    return Masker.for_look(ws, look).flags([out])[0]  # its texts checked for person ids in one query


GRAPH_TABLES = {
    "officers": "Officer",
    "persons": "Person",
    "records": "Record",
    "complaints": "Complaint",
    "memberships": "Membership",
    "organisations": "Organisation",
    "declarations": "Declaration",
    "cases": "CaseFile",
}
"""Source tables whose rows are graph nodes: an evidence item ``{"table", "key"}`` of one
names that node."""
EVENT_ROWS: dict[str, tuple[str, tuple[tuple[str, str, str], ...]]] = {
    "shifts": (
        "Shift",
        (("officer_id", "SHIFT_OF", "Officer"), ("approved_by", "APPROVED_BY", "Officer")),
    ),
    "roster_changes": (
        "RosterChange",
        (("changed_by", "CHANGED_BY", "Officer"), ("shift_id", "CHANGE_OF", "Shift")),
    ),
    "system_access": (
        "Lookup",
        (("officer_id", "LOOKUP_BY", "Officer"), ("record_id", "LOOKED_UP", "Record")),
    ),
    "badge_events": ("BadgeSwipe", (("officer_id", "SWIPE_BY", "Officer"),)),
    "remote_sessions": ("RemoteSession", (("officer_id", "SESSION_OF", "Officer"),)),
}
"""Event rows (kept in the event store, not the graph) an evidence item names are drawn
as nodes of this label, linked through these columns (column, relationship, label of
the node the column names) to the officers, records and shifts they name."""
GROUP_LISTS = {"group": "Officer", "tie": "Officer", "complaints": "Complaint", "records": "Record"}
"""Lists inside an evidence item (a group flag's members and ties) naming graph nodes."""
SUBJECT_CONTEXT: dict[str, tuple[str, ...]] = {
    "association.undeclared_membership": ("DECLARED",),
    "association.undeclared_link": ("DECLARED",),
}
"""Per detector, the subject's relationships drawn beside the evidence (their
declarations: what they did declare)."""
EVIDENCE_KINDS = ("path", "group", "tie", "forms")
"""Evidence items without a ``table`` are of the first of these kinds they hold."""
MAX_EVIDENCE_NODES = 150
MAX_EVIDENCE_ROWS = 500
EQUALITIES_MAX = 64
"""Evidence keys of one table looked up as that many equalities at most (else one ``IN``)."""
ROW_PROVENANCE = ("source_file", "source_line")


def evidence_kind(item: Any) -> str:
    """The kind of an evidence item: its source table (a row of it), ``<table> summary``
    (a count over a table), or one of :data:`EVIDENCE_KINDS`.

    >>> evidence_kind({"table": "shifts", "key": "SH1"}), evidence_kind({"path": ["Officer:A"]})
    ('shifts', 'path')
    >>> evidence_kind({"table": "system_access", "from": "2025-01-01"})
    'system_access summary'
    """
    if not isinstance(item, dict):
        return "other"
    if "table" in item:
        return str(item["table"]) if "key" in item else f"{item['table']} summary"
    return next((k for k in EVIDENCE_KINDS if k in item), "other")


def event_rows(
    events: Any, items: list[dict[str, Any]], limit: int = MAX_EVIDENCE_ROWS
) -> dict[str, list[dict[str, Any]]]:
    """The event store's rows the evidence items name, by table (at most ``limit`` each)."""
    from graph.contract import TABLES
    from graph.events import q

    keys: dict[str, list[str]] = {}
    for item in items:
        if item.get("table") in EVENT_ROWS and "key" in item:
            keys.setdefault(item["table"], []).append(str(item["key"]))
    out: dict[str, list[dict[str, Any]]] = {}
    if events is None:
        return out
    for table, ks in keys.items():
        key = TABLES[table].key_columns[0]
        # a cursor of its own, for every question: the server's threads ask at once
        cur = events.con.cursor()
        try:
            if not events.has(table, con=cur):
                continue
            wanted = sorted(set(ks[:limit]))
            if not wanted:
                continue
            args: list[Any] = [wanted]
            if len(wanted) <= EQUALITIES_MAX:  # each key its own equality: the engine skips the row
                # groups whose range cannot hold it (an IN list of keys scattered over a year read
                # every row group of the table: 16 ms a flag at 45k; 5-11 ms so)
                where, args = " OR ".join(f"{q(key)} = ?" for _ in wanted), list(wanted)
            else:
                where = f"{q(key)} IN (SELECT unnest(?))"
            res = cur.execute(
                f"SELECT * FROM {table} WHERE {where} ORDER BY {q(key)} LIMIT {int(limit)}", args
            )
            cols = [d[0] for d in res.description]
            out[table] = [
                {c: ts(v) if isinstance(v, dt.datetime) else v for c, v in zip(cols, r, strict=True)}
                for r in res.fetchall()
            ]
        finally:
            cur.close()
    return out


def _path_steps(path: list[Any]) -> list[tuple[str, str, int, list[str] | None]]:
    """An evidence path (node ids, with relationship types or bare labels between them)
    as steps ``(from, to, hops, relationship types)`` between the nodes it names."""
    steps = []
    prev: str | None = None
    hops, rels = 1, []
    for x in map(str, path):
        if x in MODEL.rel_types:
            rels.append(x)
        elif ":" in x:
            if prev is not None:
                steps.append((prev, x, hops, sorted(set(rels)) or None))
            prev, hops, rels = x, 1, []
        else:  # a node named by its label only
            hops += 1
    return steps


def evidence_graph(store: GraphStore, flag: dict[str, Any], events: Any = None) -> Subgraph:
    """What a flag's explanation rests on, as one graph: the flag, its subject and the
    nodes its evidence names (``EVIDENCE`` links); a group flag's members, complaints and
    records; the graph paths its evidence gives; the event rows it names (shifts, roster
    changes, lookups, swipes, sessions) linked to the officers and records in them; the
    subject's declarations for the association detectors; and every relationship among
    the graph nodes drawn (a group's ties, a record's person)."""
    uid = MODEL.uid("Flag", flag["flag_id"])
    sg = store.neighbourhood([uid], depth=1, limit=200)
    items = [i for i in flag["evidence"] if isinstance(i, dict)]
    named: set[str] = set()
    for item in items:
        label = GRAPH_TABLES.get(str(item.get("table")))
        if label and "key" in item:
            named.add(MODEL.uid(label, item["key"]))
        for k, label in GROUP_LISTS.items():
            if isinstance(item.get(k), list):
                named |= {MODEL.uid(label, x) for x in item[k]}
    for n in store.nodes(sorted(named)[:MAX_EVIDENCE_NODES]).values():
        sg.add_node(n)
    for item in items[:MAX_EVIDENCE_PATHS]:
        if isinstance(item.get("path"), list):
            for a, b, hops, rels in _path_steps(item["path"]):
                try:
                    found = store.shortest_paths(a, b, max_hops=hops, rel_types=rels, limit=5)
                except (NodeNotFound, QueryError):
                    continue  # evidence naming something no longer in the graph
                for p in found:
                    for n in p["nodes"]:
                        sg.add_node(n)
                    for e in p["edges"]:
                        sg.add_edge(e)
    context = SUBJECT_CONTEXT.get(str(flag["detector"]))
    if context:
        around = store.neighbourhood(
            [MODEL.uid("Officer", flag["officer_id"])], depth=1, rel_types=list(context)
        )
        for n in around.nodes.values():
            sg.add_node(n)
        for e in around.edges.values():
            sg.add_edge(e)
    _row_nodes(store, sg, event_rows(events, items, limit=MAX_EVIDENCE_NODES // 2))
    _ties(store, sg)
    return sg


def _row_nodes(store: GraphStore, sg: Subgraph, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Event rows as nodes, linked to the nodes their columns name (graph nodes are read)."""
    from graph.contract import TABLES

    wanted: set[str] = set()
    links = []
    for table, found in rows.items():
        label, columns = EVENT_ROWS[table]
        key = TABLES[table].key_columns[0]
        for r in found:
            rid = f"{label}:{r[key]}"
            props = {
                c: v
                for c, v in r.items()
                if v is not None and (c in TABLES[table].names or c in ROW_PROVENANCE)
            }
            sg.add_node({"id": rid, "labels": [label], "properties": props})
            for col, rel, target in columns:
                if r.get(col) not in (None, ""):
                    to = f"{target}:{r[col]}"
                    links.append(
                        {"id": f"{r[key]}:{col}", "type": rel, "source": rid, "target": to, "properties": {}}
                    )
                    if target in MODEL.labels:
                        wanted.add(to)
    for n in store.nodes(sorted(wanted - set(sg.nodes))).values():
        sg.add_node(n)
    for e in links:
        if e["target"] in sg.nodes:
            sg.add_edge(e)


def _ties(store: GraphStore, sg: Subgraph) -> None:
    """Every current relationship among the graph nodes drawn."""
    uids = sorted(
        u
        for u, n in sg.nodes.items()
        if n["labels"] and n["labels"][0] in MODEL.labels and n["labels"][0] != "Flag"
    )
    if len(uids) < 2:
        return
    for r in store.query(
        "MATCH (a)-[r]->(b) WHERE a.uid IN $u AND b.uid IN $u AND r.retired_at IS NULL RETURN r", {"u": uids}
    ):
        sg.add_edge(r["r"])


def evidence_tables(ws: Workspace, flag: dict[str, Any]) -> list[dict[str, Any]]:
    """A flag's evidence as tables, one per kind of evidence (:func:`evidence_kind`), each
    with its own columns: a source table's rows as they are held (the event store's rows,
    the graph's nodes), with file and line; paths, groups, ties and forms as given."""
    from graph.contract import TABLES

    groups: dict[str, list[dict[str, Any]]] = {}
    for item in flag["evidence"]:
        groups.setdefault(evidence_kind(item), []).append(item if isinstance(item, dict) else {"value": item})
    held = event_rows(ws.events, [i for i in flag["evidence"] if isinstance(i, dict)])
    out = []
    for kind, items in groups.items():
        if kind in EVENT_ROWS:
            rows = held.get(kind) or items
            columns = [*TABLES[kind].names, *ROW_PROVENANCE]
        elif kind in GRAPH_TABLES:
            found = ws.store.nodes(
                [MODEL.uid(GRAPH_TABLES[kind], i["key"]) for i in items][:MAX_EVIDENCE_ROWS]
            )
            rows = [
                {k: v for k, v in n["properties"].items() if k not in MODEL.hidden} for n in found.values()
            ] or items
            columns = [*TABLES[kind].names, *ROW_PROVENANCE]
        else:
            rows = items
            columns = []
        columns = [c for c in columns if any(r.get(c) not in (None, "") for r in rows)]
        if not columns:  # not a source table's rows: the items' own fields
            for r in rows:
                columns += [c for c in r if c not in columns]
        out.append({"kind": kind, "columns": columns, "rows": [{c: r.get(c) for c in columns} for r in rows]})
    return out


def evidence(ws: Workspace, look: Look, flag_id: str) -> Subgraph:
    """The flag's evidence as a graph: subject, evidence nodes and evidence paths."""
    look.need_purpose(f"the evidence of flag {flag_id}")
    sg = evidence_graph(ws.store, one(ws, flag_id), events=ws.events)
    look.record(ws.audit, "flag_evidence", flag_id, result_size=len(sg.nodes))
    return Masker.for_look(ws, look).subgraph(sg)


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
