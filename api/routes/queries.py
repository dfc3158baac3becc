"""Saved queries: the built-in library and users' own (create, update, delete, share,
revisions, file export), run with typed parameters, and results exported."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, HTTPException, Query, Response

from api.auth import ExportLook, MetaDep, RunLook, SaveLook
from api.deps import SettingsDep, StoreDep
from api.models import QueryRunIn, QueryRunOut, SavedQueryIn, SavedQueryOut
from api.results import check_size, file_response
from graph.errors import UnknownName
from graph.meta import MetaStore, Principal, StoredQuery
from graph.settings import Settings
from graph.store import GraphStore
from graph.values import to_plain
from queries.saved import QueryResult, SavedQuery, check_new, from_stored, library, run

router = APIRouter(prefix="/api/v1/queries", tags=["saved queries"])


def _out(q: SavedQuery, stored: StoredQuery | None = None, cypher: bool = False) -> dict[str, Any]:
    return {
        "id": q.id,
        "name": q.name,
        "category": q.category,
        "description": q.description,
        "revision": q.revision,
        "result": q.result,
        "parameters": [
            {
                "name": p.name,
                "type": p.type,
                "required": p.required,
                "default": p.default,
                "example": p.example,
                "description": p.description,
            }
            for p in q.parameters
        ],
        "cypher": q.cypher if cypher else None,
        "source": "user" if stored else "library",
        "owner": stored.owner if stored else None,
        "share_users": list(stored.share_users) if stored else None,
        "share_roles": list(stored.share_roles) if stored else None,
    }


def find(name: str, meta: MetaStore, who: Principal) -> tuple[SavedQuery, StoredQuery | None]:
    """A built-in query, or a user's query visible to ``who`` (404 otherwise)."""
    lib = library()
    if name in lib:
        return lib[name], None
    by_id = {q.id: q for q in lib.values()}
    if name in by_id:
        return by_id[name], None
    stored = meta.get_query(name)
    if stored is None or not stored.visible_to(who):
        raise HTTPException(404, f"no saved query {name!r} that you can see")
    return from_stored(stored), stored


@router.get("", response_model=list[SavedQueryOut], response_model_exclude_none=True)
def list_queries(meta: MetaDep, look: RunLook) -> list[dict[str, Any]]:
    """The built-in library (files and the detectors' graph queries) and the user-saved
    queries shared with you."""
    lib = [_out(q) for q in sorted(library().values(), key=lambda q: (q.category, q.name))]
    own = [_out(from_stored(s), s) for s in meta.queries() if s.visible_to(look.who)]
    return lib + own


@router.get("/{name}", response_model=SavedQueryOut, response_model_exclude_none=True)
def get_query(name: str, meta: MetaDep, look: RunLook) -> dict[str, Any]:
    """One saved query, with its Cypher, by name or id."""
    q, stored = find(name, meta, look.who)
    return _out(q, stored, cypher=True)


@router.get("/{name}/file", response_class=Response, responses={200: {"content": {"application/yaml": {}}}})
def query_file(name: str, meta: MetaDep, look: RunLook) -> Response:
    """The query in the library's file format (YAML), to share or import elsewhere."""
    q, _ = find(name, meta, look.who)
    text = yaml.safe_dump(q.to_dict(), sort_keys=False, allow_unicode=True)
    return Response(
        text,
        media_type="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{q.name}.yaml"'},
    )


@router.get("/{name}/revisions")
def query_revisions(name: str, meta: MetaDep, look: RunLook) -> list[dict[str, Any]]:
    """Every revision of a user-saved query, oldest first."""
    q, stored = find(name, meta, look.who)
    if stored is None:
        return [
            {
                "revision": q.revision,
                "saved_at": None,
                "saved_by": "library",
                "deleted_at": None,
                "body": q.to_dict(),
            }
        ]
    return meta.history(stored.name)


def _save(body: SavedQueryIn, meta: MetaStore, settings: Settings, look: Any, update: bool) -> dict[str, Any]:
    data = body.model_dump(exclude={"share_users", "share_roles"}, exclude_none=True)
    check_new(data, settings.max_hops)
    stored = meta.save_query(
        data, look.who, share_users=body.share_users, share_roles=body.share_roles, update=update
    )
    look.record(
        "query_update" if update else "query_save",
        f"{stored.query_id} {stored.name} r{stored.revision}",
        params={"share_users": list(stored.share_users), "share_roles": list(stored.share_roles)},
    )
    return _out(from_stored(stored), stored, cypher=True)


@router.post("", response_model=SavedQueryOut, status_code=201, response_model_exclude_none=True)
def create_query(body: SavedQueryIn, meta: MetaDep, settings: SettingsDep, look: SaveLook) -> dict[str, Any]:
    """Save a new query, owned by you, optionally shared with users and roles. It is
    validated like the library's files (declared and used parameters match, read-only,
    no file or network access, bounded patterns); 400 lists every problem."""
    return _save(body, meta, settings, look, update=False)


@router.put("/{name}", response_model=SavedQueryOut, response_model_exclude_none=True)
def update_query(
    name: str, body: SavedQueryIn, meta: MetaDep, settings: SettingsDep, look: SaveLook
) -> dict[str, Any]:
    """Save a new revision of your query (an admin may change anyone's); earlier
    revisions are kept."""
    if body.name != name:
        raise HTTPException(400, f"the body names {body.name!r} but the address names {name!r}")
    if meta.get_query(name) is None:
        raise HTTPException(404, f"no saved query {name!r} of yours")
    return _save(body, meta, settings, look, update=True)


@router.delete("/{name}", status_code=204)
def delete_query(name: str, meta: MetaDep, look: SaveLook) -> Response:
    """Delete your query (its revisions stay in the history)."""
    try:
        stored = meta.delete_query(name, look.who)
    except UnknownName as e:
        raise HTTPException(404, str(e)) from e
    look.record("query_delete", f"{stored.query_id} {stored.name} r{stored.revision}")
    return Response(status_code=204)


def run_audited(
    store: GraphStore,
    q: SavedQuery,
    body: QueryRunIn,
    look: Any,
    settings: Settings,
    *,
    action: str = "saved_query",
) -> QueryResult:
    look = dataclasses.replace(
        look, purpose=body.purpose or look.purpose, case_ref=body.case_ref or look.case_ref
    )
    look.need_purpose(f"saved query {q.name}")
    res = run(store, q, body.params, max_rows=body.max_rows)
    look.record(action, f"{q.id} {q.name} r{q.revision}", params=res.params, result_size=len(res.rows))
    return res


@router.post("/{name}/run", response_model=QueryRunOut, response_model_exclude_none=True)
def run_query(
    name: str, body: QueryRunIn, store: StoreDep, meta: MetaDep, settings: SettingsDep, look: RunLook
) -> dict[str, Any]:
    """Run a saved query with typed parameters (400 for a missing, unknown or mistyped
    one; 413 when ``strict`` and there are more than ``max_rows`` rows). The run is
    recorded in the audit log with its purpose and result size."""
    q, _ = find(name, meta, look.who)
    res = run_audited(store, q, body, look, settings)
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
def export_query(
    name: str,
    body: QueryRunIn,
    store: StoreDep,
    meta: MetaDep,
    settings: SettingsDep,
    look: ExportLook,
    fmt: Annotated[str, Query(alias="format", pattern="^(json|csv|graphml)$")] = "csv",
) -> Response:
    """Run a saved query and download the result as JSON, CSV or GraphML (413 when it
    has more than ``max_rows`` rows: exports are never cut short silently)."""
    q, _ = find(name, meta, look.who)
    res = run_audited(store, q, body, look, settings, action="export")
    check_size(res.truncated, body.max_rows)
    return file_response(res.rows, fmt, q.name, graph=q.result == "graph")
