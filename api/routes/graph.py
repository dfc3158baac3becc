"""Search, entities, neighbourhoods and paths (operations: :mod:`api.ops.search`,
:mod:`api.ops.entities`, :mod:`api.ops.network`). Every look needs a stated purpose and
is recorded in the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from api.auth import GraphLook
from api.deps import WorkspaceDep, run_heavy, run_lane
from api.models import EntityOut, GraphOut, Node, PathsOut, SearchHit
from api.ops import entities, network
from api.ops import search as search_ops
from api.results import graph_response

router = APIRouter(prefix="/api/v1", tags=["graph"])


@router.get("/search", response_model=list[SearchHit])
def search(
    ws: WorkspaceDep,
    look: GraphLook,
    q: Annotated[str, Query(min_length=1, max_length=200, description="Words of a name or an id")],
    label: Annotated[list[str] | None, Query(description="Only these labels")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 25,
) -> list[dict[str, Any]]:
    """Search officers, persons, organisations, units, sites, cases, complaints, records
    and flags by name or id."""
    return search_ops.search(ws, look, q, label, limit)


@router.get("/nodes/{node_id}", response_model=Node)
def get_node(node_id: str, ws: WorkspaceDep, look: GraphLook) -> dict[str, Any]:
    """One node with its properties and provenance."""
    return entities.node(ws, look, node_id)


@router.get("/entities/{node_id}", response_model=EntityOut)
def entity(node_id: str, ws: WorkspaceDep, look: GraphLook) -> dict[str, Any]:
    """An entity: properties, provenance (source file and line, ingest run, first and
    last seen), relationship counts by type, and for an officer their flags and unit
    history."""
    return entities.entity(ws, look, node_id)


@router.get("/neighbourhood", response_model=GraphOut, response_model_exclude_unset=True)
async def neighbourhood(
    request: Request,
    ws: WorkspaceDep,
    look: GraphLook,
    node_id: Annotated[list[str], Query(alias="id", description="Start node id(s), e.g. Officer:100003")],
    depth: Annotated[int, Query(ge=0, le=6)] = 1,
    rel_type: Annotated[list[str] | None, Query(description="Only these relationship types")] = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    properties: bool = True,
) -> Response:
    """The subgraph within ``depth`` hops of the start node(s)."""

    def answer() -> Response:
        sg = network.neighbourhood(
            ws, look, node_id, depth=depth, rel_types=rel_type, since=since, until=until, limit=limit
        )
        return graph_response(sg.to_dict(properties=properties))

    return await run_lane(request, answer, heavy=depth > 1)


@router.get("/paths", response_model=PathsOut, response_model_exclude_unset=True)
async def paths(
    request: Request,
    ws: WorkspaceDep,
    look: GraphLook,
    source: Annotated[str, Query(alias="from")],
    target: Annotated[str, Query(alias="to")],
    max_hops: Annotated[int, Query(ge=1, le=6)] = 4,
    rel_type: Annotated[list[str] | None, Query()] = None,
    properties: bool = True,
) -> Response:
    """All shortest paths between two nodes (none within ``max_hops``: an empty list)."""

    def answer() -> Response:
        found = network.paths(ws, look, source, target, max_hops=max_hops, rel_types=rel_type)
        return graph_response({"paths": [sg.to_dict(properties=properties) for sg in found]})

    return await run_heavy(request, answer)
