"""Saved queries: the built-in library and users' own (create, update, delete, share,
revisions, file export), run with typed parameters, and results exported (operations:
:mod:`api.ops.saved_queries`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response

from api.auth import ExportLook, RunLook, SaveLook
from api.deps import WorkspaceDep, run_heavy
from api.models import QueryRunIn, QueryRunOut, SavedQueryIn, SavedQueryOut
from api.ops import exports
from api.ops import saved_queries as ops
from api.results import check_size, file_response
from graph.values import to_plain

router = APIRouter(prefix="/api/v1/queries", tags=["saved queries"])


@router.get("", response_model=list[SavedQueryOut], response_model_exclude_none=True)
def list_queries(ws: WorkspaceDep, look: RunLook) -> list[dict[str, Any]]:
    """The built-in library (files and the detectors' graph queries) and the user-saved
    queries shared with you."""
    return [ops.describe(q, stored) for q, stored in ops.list_queries(ws, look)]


@router.get("/{name}", response_model=SavedQueryOut, response_model_exclude_none=True)
def get_query(name: str, ws: WorkspaceDep, look: RunLook) -> dict[str, Any]:
    """One saved query, with its Cypher, by name or id."""
    q, stored = ops.find(ws, look, name)
    return ops.describe(q, stored, cypher=True)


@router.get("/{name}/file", response_class=Response, responses={200: {"content": {"application/yaml": {}}}})
def query_file(name: str, ws: WorkspaceDep, look: RunLook) -> Response:
    """The query in the library's file format (YAML), to share or import elsewhere."""
    q, _ = ops.find(ws, look, name)
    return Response(
        ops.file_text(q),
        media_type="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{q.name}.yaml"'},
    )


@router.get("/{name}/revisions")
def query_revisions(name: str, ws: WorkspaceDep, look: RunLook) -> list[dict[str, Any]]:
    """Every revision of a user-saved query, oldest first."""
    return ops.revisions(ws, look, name)


def _save(body: SavedQueryIn, ws: Any, look: Any, update: bool) -> dict[str, Any]:
    data = body.model_dump(exclude={"share_users", "share_roles"}, exclude_none=True)
    stored = ops.save(
        ws, look, data, share_users=body.share_users, share_roles=body.share_roles, update=update
    )
    return ops.describe(ops.from_stored(stored), stored, cypher=True)


@router.post("", response_model=SavedQueryOut, status_code=201, response_model_exclude_none=True)
def create_query(body: SavedQueryIn, ws: WorkspaceDep, look: SaveLook) -> dict[str, Any]:
    """Save a new query, owned by you, optionally shared with users and roles. It is
    validated like the library's files (declared and used parameters match, read-only,
    no file or network access, bounded patterns); 400 lists every problem."""
    return _save(body, ws, look, update=False)


@router.put("/{name}", response_model=SavedQueryOut, response_model_exclude_none=True)
def update_query(name: str, body: SavedQueryIn, ws: WorkspaceDep, look: SaveLook) -> dict[str, Any]:
    """Save a new revision of your query (an admin may change anyone's); earlier
    revisions are kept."""
    if body.name != name:
        raise HTTPException(400, f"the body names {body.name!r} but the address names {name!r}")
    return _save(body, ws, look, update=True)


@router.delete("/{name}", status_code=204)
def delete_query(name: str, ws: WorkspaceDep, look: SaveLook) -> Response:
    """Delete your query (its revisions stay in the history)."""
    ops.delete(ws, look, name)
    return Response(status_code=204)


@router.post("/{name}/run", response_model=QueryRunOut, response_model_exclude_none=True)
async def run_query(
    request: Request, name: str, body: QueryRunIn, ws: WorkspaceDep, look: RunLook
) -> dict[str, Any]:
    """Run a saved query with typed parameters (400 for a missing, unknown or mistyped
    one; 413 when ``strict`` and there are more than ``max_rows`` rows). The run is
    recorded in the audit log with its purpose and result size."""
    return await run_heavy(request, _run_query, name, body, ws, look)


def _run_query(name: str, body: QueryRunIn, ws: Any, look: Any) -> dict[str, Any]:
    q, _ = ops.find(ws, look, name)
    res = ops.run_query(
        ws, look.with_reason(body.purpose, body.case_ref), q, body.params, max_rows=body.max_rows
    )
    check_size(res.truncated and body.strict, body.max_rows)
    out: dict[str, Any] = {
        "query": q.id,
        "result": q.result,
        "params": res.params,
        "truncated": res.truncated,
    }
    if q.result == "count":
        out["count"] = res.count
    elif q.result == "graph":
        out["graph"] = res.subgraph().to_dict()
    else:
        out["rows"] = [{k: to_plain(v) for k, v in r.items()} for r in res.rows]
    return out


@router.post("/{name}/export", response_class=Response)
async def export_query(
    request: Request,
    name: str,
    body: QueryRunIn,
    ws: WorkspaceDep,
    look: ExportLook,
    fmt: Annotated[str, Query(alias="format", pattern="^(json|csv|graphml)$")] = "csv",
) -> Response:
    """Run a saved query and download the result as JSON, CSV or GraphML (413 when it
    has more than ``max_rows`` rows: exports are never cut short silently)."""
    return await run_heavy(request, _export_query, name, body, ws, look, fmt)


def _export_query(name: str, body: QueryRunIn, ws: Any, look: Any, fmt: str) -> Response:
    q, _ = ops.find(ws, look, name)
    res = ops.run_query(
        ws,
        look.with_reason(body.purpose, body.case_ref),
        q,
        body.params,
        max_rows=body.max_rows,
        action="export",
    )
    check_size(res.truncated, body.max_rows)
    return file_response(exports.rows_file(res.rows, fmt, q.name, graph=q.result == "graph"))
