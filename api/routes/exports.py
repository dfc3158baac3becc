"""Exports of subgraphs and flags as files: JSON, CSV (a ZIP of nodes and edges for a
graph) and GraphML, for case systems, Gephi and i2-style tools. Each is audited."""

from __future__ import annotations

import datetime as dt
import io
from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.auth import ExportLook, MetaDep
from api.deps import StoreDep
from api.results import subgraph_response
from api.routes.flags import all_flags
from api.routes.graph import paths_subgraphs
from graph.subgraph import Subgraph

router = APIRouter(prefix="/api/v1/exports", tags=["exports"])
Fmt = Annotated[str, Query(alias="format", pattern="^(json|csv|graphml)$")]


@router.get("/neighbourhood", response_class=Response)
def export_neighbourhood(
    store: StoreDep,
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
    look.need_purpose(f"an export of the neighbourhood of {', '.join(node_id)}")
    sg = store.neighbourhood(node_id, depth=depth, rel_types=rel_type, since=since, until=until, limit=limit)
    look.record(
        "export",
        f"neighbourhood {' '.join(node_id)}",
        params={"format": fmt, "depth": depth, "rel_type": rel_type, "since": since, "until": until},
        result_size=len(sg.nodes),
    )
    return subgraph_response(sg, fmt, f"neighbourhood-{node_id[0]}")


@router.get("/paths", response_class=Response)
def export_paths(
    store: StoreDep,
    look: ExportLook,
    source: Annotated[str, Query(alias="from")],
    target: Annotated[str, Query(alias="to")],
    fmt: Fmt = "graphml",
    max_hops: Annotated[int, Query(ge=1, le=6)] = 4,
    rel_type: Annotated[list[str] | None, Query()] = None,
) -> Response:
    """Every shortest path between two nodes, merged into one graph, as a file."""
    look.need_purpose(f"an export of paths between {source} and {target}")
    sg = Subgraph()
    found = paths_subgraphs(store, source, target, max_hops, rel_type)
    for p in found:
        for n in p.nodes.values():
            sg.add_node(n)
        for e in p.edges.values():
            sg.add_edge(e)
    look.record(
        "export",
        f"paths {source} {target}",
        params={"format": fmt, "max_hops": max_hops},
        result_size=len(found),
    )
    return subgraph_response(sg, fmt, f"paths-{source}-{target}")


@router.get("/flags", response_class=Response)
def export_flags(
    store: StoreDep,
    meta: MetaDep,
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
    import json

    import pandas as pd

    from queries.detectors.base import FLAG_COLUMNS

    look.need_purpose("an export of flags")
    filters = {"detector": detector, "officer_id": officer_id, "severity": severity}
    items = all_flags(store, meta, filters, status, since, until)
    cols = [*FLAG_COLUMNS, "status"]
    if fmt == "csv":
        df = pd.DataFrame(items, columns=cols)
        df["evidence"] = [json.dumps(e, ensure_ascii=False) for e in df["evidence"]]
        df["group_id"] = df["group_id"].fillna("")
        buf = io.StringIO()
        df.to_csv(buf, index=False)
        data, media = buf.getvalue().encode("utf-8"), "text/csv"
    else:
        lines = [json.dumps({c: f.get(c) for c in cols}, ensure_ascii=False, default=str) for f in items]
        data, media = ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8"), "application/x-ndjson"
    look.record(
        "export",
        "flags",
        params={**filters, "status": status, "since": since, "until": until, "format": fmt},
        result_size=len(items),
    )
    return Response(
        data, media_type=media, headers={"Content-Disposition": f'attachment; filename="flags.{fmt}"'}
    )
