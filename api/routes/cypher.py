"""Ad-hoc read-only Cypher for analysts: guarded, timed out, row-limited, audited
(operation: :mod:`api.ops.cypher`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from api.auth import CypherLook
from api.deps import WorkspaceDep
from api.models import CypherIn, CypherOut
from api.ops import cypher, exports
from api.results import check_size, file_response
from graph.export import subgraph_of_rows
from graph.values import to_plain

router = APIRouter(prefix="/api/v1/cypher", tags=["ad-hoc cypher"])


@router.post("", response_model=CypherOut, response_model_exclude_none=True)
def adhoc(body: CypherIn, ws: WorkspaceDep, look: CypherLook) -> dict[str, Any]:
    """Run a read-only Cypher query (Neo4j dialect) with parameters.

    Writes, procedure calls, file and network access (``LOAD CSV``, ``LOAD FROM``,
    ``COPY``) and variable-length patterns without a small upper bound are refused
    (400); the store's query timeout applies (504). Nodes, relationships and paths in
    the rows are also returned as one ``graph``."""
    rows, truncated = cypher.adhoc(ws, look, body.cypher, body.params, max_rows=body.max_rows)
    check_size(truncated and body.strict, body.max_rows)
    sg = subgraph_of_rows(rows)
    return {
        "rows": [{k: to_plain(v) for k, v in r.items()} for r in rows],
        "truncated": truncated,
        "graph": sg.to_dict() if sg.nodes else None,
    }


@router.post("/export", response_class=Response)
def adhoc_export(
    body: CypherIn,
    ws: WorkspaceDep,
    look: CypherLook,
    fmt: Annotated[str, Query(alias="format", pattern="^(json|csv|graphml)$")] = "csv",
) -> Response:
    """Run a read-only query and download the rows as JSON or CSV, or the nodes and
    relationships in them as GraphML (413 beyond ``max_rows``)."""
    rows, truncated = cypher.adhoc(
        ws, look, body.cypher, body.params, max_rows=body.max_rows, action="export"
    )
    check_size(truncated, body.max_rows)
    return file_response(exports.rows_file(rows, fmt, "query", graph=fmt == "graphml"))
