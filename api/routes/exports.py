"""Exports of subgraphs and flags as files: JSON, CSV (a ZIP of nodes and edges for a
graph) and GraphML, for case systems, Gephi and i2-style tools. Each is audited
(operations: :mod:`api.ops.exports`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from api.auth import ExportLook
from api.deps import WorkspaceDep, run_heavy, run_lane
from api.ops import exports
from api.results import file_response

router = APIRouter(prefix="/api/v1/exports", tags=["exports"])
Fmt = Annotated[str, Query(alias="format", pattern="^(json|csv|graphml)$")]


@router.get("/neighbourhood", response_class=Response)
async def export_neighbourhood(
    request: Request,
    ws: WorkspaceDep,
    look: ExportLook,
    node_id: Annotated[list[str], Query(alias="id")],
    fmt: Fmt = "graphml",
    depth: Annotated[int, Query(ge=0, le=6)] = 1,
    rel_type: Annotated[list[str] | None, Query()] = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> Response:
    """A neighbourhood (as ``/api/v1/neighbourhood`` gives it) as a file."""

    def answer() -> Response:
        f = exports.neighbourhood(
            ws, look, node_id, fmt, depth=depth, rel_types=rel_type, since=since, until=until, limit=limit
        )
        return file_response(f)

    return await run_lane(request, answer, heavy=depth > 1)


@router.get("/paths", response_class=Response)
async def export_paths(
    request: Request,
    ws: WorkspaceDep,
    look: ExportLook,
    source: Annotated[str, Query(alias="from")],
    target: Annotated[str, Query(alias="to")],
    fmt: Fmt = "graphml",
    max_hops: Annotated[int, Query(ge=1, le=6)] = 4,
    rel_type: Annotated[list[str] | None, Query()] = None,
) -> Response:
    """Every shortest path between two nodes, merged into one graph, as a file."""
    return await run_heavy(
        request,
        lambda: file_response(exports.paths(ws, look, source, target, fmt, max_hops=max_hops, rel_types=rel_type)),
    )


@router.get("/flags", response_class=Response)
def export_flags(
    ws: WorkspaceDep,
    look: ExportLook,
    fmt: Annotated[str, Query(alias="format", pattern="^(csv|jsonl)$")] = "csv",
    detector: str | None = None,
    officer_id: str | None = None,
    severity: str | None = None,
    status: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> Response:
    """Flags in the contract's export format (CSV, or JSON lines), plus their status."""
    filters = {"detector": detector, "officer_id": officer_id, "severity": severity}
    return file_response(exports.flags(ws, look, fmt, filters, status=status, since=since, until=until))
