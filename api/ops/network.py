"""The network around people: neighbourhoods, shortest paths, and standalone pages of a
neighbourhood."""

from __future__ import annotations

import datetime as dt
from typing import Any

from api.ops.look import Look
from graph.store import GraphStore
from graph.subgraph import Subgraph
from graph.workspace import Workspace

PERSON_LABELS = ("Officer:", "Person:")
"""Pages about these need a stated purpose on the command line too."""


def neighbourhood(
    ws: Workspace,
    look: Look,
    node_ids: list[str],
    *,
    depth: int = 1,
    rel_types: list[str] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int = 500,
    action: str = "neighbourhood",
    note: dict[str, Any] | None = None,
) -> Subgraph:
    """The subgraph within ``depth`` hops of the start node(s) (audited as ``action``:
    ``neighbourhood``, or ``export`` for a download; ``note`` adds to the record's
    parameters)."""
    if action == "export":
        look.need_purpose(f"an export of the neighbourhood of {', '.join(node_ids)}")
    else:
        look.need_purpose(f"the neighbourhood of {', '.join(node_ids)}")
    sg = ws.store.neighbourhood(
        node_ids, depth=depth, rel_types=rel_types, since=since, until=until, limit=limit
    )
    params: dict[str, Any] = {
        "depth": depth,
        "rel_type": rel_types,
        "since": since,
        "until": until,
        "limit": limit,
    }
    params.update(note or {})
    what = " ".join(node_ids) if action != "export" else f"neighbourhood {' '.join(node_ids)}"
    look.record(ws.audit, action, what, params=params, result_size=len(sg.nodes))
    return sg


def paths_subgraphs(
    store: GraphStore, a: str, b: str, max_hops: int, rel_types: list[str] | None
) -> list[Subgraph]:
    """Every shortest path between two nodes, each as a subgraph."""
    out = []
    for p in store.shortest_paths(a, b, max_hops=max_hops, rel_types=rel_types):
        sg = Subgraph()
        for n in p["nodes"]:
            sg.add_node(n)
        for e in p["edges"]:
            sg.add_edge(e)
        out.append(sg)
    return out


def paths(
    ws: Workspace,
    look: Look,
    source: str,
    target: str,
    *,
    max_hops: int = 4,
    rel_types: list[str] | None = None,
    action: str = "paths",
    note: dict[str, Any] | None = None,
) -> list[Subgraph]:
    """All shortest paths between two nodes (none within ``max_hops``: an empty list),
    audited as ``action`` (``paths``, or ``export``)."""
    if action == "export":
        look.need_purpose(f"an export of paths between {source} and {target}")
    else:
        look.need_purpose(f"paths between {source} and {target}")
    found = paths_subgraphs(ws.store, source, target, max_hops, rel_types)
    what = f"{source} {target}" if action != "export" else f"paths {source} {target}"
    params = {"max_hops": max_hops, "rel_type": rel_types, **(note or {})}
    look.record(ws.audit, action, what, params=params, result_size=len(found))
    return found


def page(ws: Workspace, look: Look, node_id: str, *, depth: int = 2, limit: int = 300) -> Subgraph:
    """The neighbourhood drawn on a standalone page (audited as ``page``; a page about an
    officer or a person needs a stated purpose)."""
    if node_id.startswith(PERSON_LABELS):
        look.need_purpose(f"a page about {node_id}")
    sg = ws.store.neighbourhood([node_id], depth=depth, limit=limit)
    look.record(ws.audit, "page", node_id, params={"depth": depth, "limit": limit}, result_size=len(sg.nodes))
    return sg
