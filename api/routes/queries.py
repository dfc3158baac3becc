"""Saved queries: list, read and run the library's queries with parameters."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from api.deps import SettingsDep, StoreDep
from api.models import QueryRunIn, QueryRunOut, SavedQueryOut
from graph.audit import AuditLog
from graph.errors import UnknownName
from graph.values import to_plain
from queries.saved import SavedQuery, get, library, run

router = APIRouter(prefix="/api/v1/queries", tags=["saved queries"])


def _out(q: SavedQuery, cypher: bool = False) -> dict[str, Any]:
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
    }


def _find(name: str) -> SavedQuery:
    try:
        return get(name)
    except UnknownName as e:
        raise HTTPException(404, str(e)) from e


@router.get("", response_model=list[SavedQueryOut], response_model_exclude_none=True)
def list_queries() -> list[dict[str, Any]]:
    """Every saved query: the library's files and the detectors' graph queries."""
    return [_out(q) for q in sorted(library().values(), key=lambda q: (q.category, q.name))]


@router.get("/{name}", response_model=SavedQueryOut)
def get_query(name: str) -> dict[str, Any]:
    """One saved query, with its Cypher, by name or id."""
    return _out(_find(name), cypher=True)


@router.post("/{name}/run", response_model=QueryRunOut, response_model_exclude_none=True)
def run_query(name: str, body: QueryRunIn, store: StoreDep, settings: SettingsDep) -> dict[str, Any]:
    """Run a saved query with typed parameters (400 for a missing, unknown or mistyped
    one). The run is recorded in the audit log with its purpose and result size."""
    q = _find(name)
    res = run(store, q, body.params, max_rows=body.max_rows)
    AuditLog(settings.data_dir).record(
        who="anonymous",
        role="api",
        action="saved_query",
        what=f"{q.id} {q.name} r{q.revision}",
        purpose=body.purpose,
        case_ref=body.case_ref,
        params=res.params,
        result_size=len(res.rows),
    )
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
