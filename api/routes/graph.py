from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from api.deps import StoreDep
from api.models import GraphOut, Node, PathsOut
from graph.subgraph import Subgraph

router = APIRouter(prefix="/api/v1", tags=["graph"])
pages = APIRouter(prefix="/pages", tags=["pages"])


def _graph(sg: Subgraph, properties: bool) -> dict[str, Any]:
    return sg.to_dict(properties=properties)


@router.get("/nodes/{node_id}", response_model=Node)
def get_node(node_id: str, store: StoreDep) -> dict[str, Any]:
    """One node with its properties and provenance."""
    return store.node(node_id)


@router.get("/neighbourhood", response_model=GraphOut, response_model_exclude_unset=True)
def neighbourhood(
    store: StoreDep,
    node_id: Annotated[list[str], Query(alias="id", description="Start node id(s), e.g. Officer:100003")],
    depth: Annotated[int, Query(ge=0, le=6)] = 1,
    rel_type: Annotated[list[str] | None, Query(description="Only these relationship types")] = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    properties: bool = True,
) -> dict[str, Any]:
    """The subgraph within ``depth`` hops of the start node(s)."""
    sg = store.neighbourhood(node_id, depth=depth, rel_types=rel_type, since=since, until=until, limit=limit)
    return _graph(sg, properties)


@router.get("/paths", response_model=PathsOut, response_model_exclude_unset=True)
def paths(
    store: StoreDep,
    source: Annotated[str, Query(alias="from")],
    target: Annotated[str, Query(alias="to")],
    max_hops: Annotated[int, Query(ge=1, le=6)] = 4,
    rel_type: Annotated[list[str] | None, Query()] = None,
    properties: bool = True,
) -> dict[str, Any]:
    """All shortest paths between two nodes (none within ``max_hops``: an empty list)."""
    out = []
    for p in store.shortest_paths(source, target, max_hops=max_hops, rel_types=rel_type):
        sg = Subgraph()
        for n in p["nodes"]:
            sg.add_node(n)
        for e in p["edges"]:
            sg.add_edge(e)
        out.append(_graph(sg, properties))
    return {"paths": out}


@pages.get("/neighbourhood", response_class=HTMLResponse)
def neighbourhood_page(
    store: StoreDep,
    node_id: Annotated[str, Query(alias="id")],
    depth: Annotated[int, Query(ge=0, le=4)] = 2,
    limit: Annotated[int, Query(ge=1, le=2000)] = 300,
) -> str:
    """A self-contained interactive page of a node's neighbourhood."""
    from viz.pages import render_subgraph

    sg = store.neighbourhood([node_id], depth=depth, limit=limit)
    return render_subgraph(sg, f"Neighbourhood of {node_id}", focus=node_id)
