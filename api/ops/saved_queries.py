"""Saved queries: the built-in library and people's own (save, revise, delete, share,
revisions, file export), and runs with typed parameters, each audited."""

from __future__ import annotations

import dataclasses
from typing import Any

import yaml

from api.ops.look import Look
from api.ops.pseudonyms import Masker
from graph.errors import NotFound, QueryError, UnknownName
from graph.meta import StoredQuery
from graph.workspace import Workspace
from queries.saved import QueryResult, SavedQuery, check_new, from_stored, library, run


def find(ws: Workspace, look: Look, name: str) -> tuple[SavedQuery, StoredQuery | None]:
    """A built-in query (by name or id), or a saved query visible to the looker
    (:class:`NotFound` otherwise)."""
    lib = library()
    if name in lib:
        return lib[name], None
    by_id = {q.id: q for q in lib.values()}
    if name in by_id:
        return by_id[name], None
    stored = ws.meta.get_query(name)
    if stored is None or not stored.visible_to(look.acting):
        raise NotFound(f"no saved query {name!r} that you can see")
    return from_stored(stored), stored


def describe(q: SavedQuery, stored: StoredQuery | None = None, cypher: bool = False) -> dict[str, Any]:
    """A saved query as data: its fields, parameters, source and sharing."""
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


def list_queries(ws: Workspace, look: Look) -> list[tuple[SavedQuery, StoredQuery | None]]:
    """The built-in library (files and the detectors' graph queries), then the saved
    queries the looker can see."""
    lib = [(q, None) for q in sorted(library().values(), key=lambda q: (q.category, q.name))]
    own: list[tuple[SavedQuery, StoredQuery | None]] = [
        (from_stored(s), s) for s in ws.meta.queries() if s.visible_to(look.acting)
    ]
    return lib + own


def file_text(q: SavedQuery) -> str:
    """The query in the library's file format (YAML): what ``save`` imports."""
    return yaml.safe_dump(q.to_dict(), sort_keys=False, allow_unicode=True)


def revisions(ws: Workspace, look: Look, name: str) -> list[dict[str, Any]]:
    """Every revision of a query, oldest first (a built-in query has one)."""
    q, stored = find(ws, look, name)
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
    return ws.meta.history(stored.name)


def save(
    ws: Workspace,
    look: Look,
    body: dict[str, Any],
    *,
    share_users: list[str] | None = None,
    share_roles: list[str] | None = None,
    update: bool | None = None,
) -> StoredQuery:
    """Save a query owned by the looker, validated like the library's files (a
    :class:`QueryError` lists every problem); ``update``: a new revision of an existing
    one (``None``: whichever the name calls for). Audited as ``query_save`` or
    ``query_update``."""
    body = {k: v for k, v in body.items() if k != "revision"}
    check_new(body, ws.settings.max_hops)
    exists = ws.meta.get_query(str(body.get("name"))) is not None
    if update is None:
        update = exists
    elif update and not exists:
        raise NotFound(f"no saved query {body.get('name')!r} of yours")
    stored = ws.meta.save_query(
        body, look.acting, share_users=share_users, share_roles=share_roles, update=update
    )
    look.record(
        ws.audit,
        "query_update" if update else "query_save",
        f"{stored.query_id} {stored.name} r{stored.revision}",
        params={"share_users": list(stored.share_users), "share_roles": list(stored.share_roles)},
    )
    return stored


def delete(ws: Workspace, look: Look, name: str) -> StoredQuery:
    """Delete a saved query (its revisions stay in the history); audited."""
    try:
        stored = ws.meta.delete_query(name, look.acting)
    except UnknownName as e:
        raise NotFound(str(e)) from e
    look.record(ws.audit, "query_delete", f"{stored.query_id} {stored.name} r{stored.revision}")
    return stored


def run_query(
    ws: Workspace,
    look: Look,
    q: SavedQuery,
    params: dict[str, Any] | None,
    *,
    max_rows: int = 10_000,
    action: str = "saved_query",
) -> QueryResult:
    """Run a saved query with typed parameters (``null`` is refused), at most
    ``max_rows`` rows; audited as ``action`` (``saved_query``, or ``export``) with its
    purpose and result size. A query that reads flags' status gets it joined from the
    assessments. The rows are pseudonymised for the looker (:mod:`api.ops.pseudonyms`);
    an officer's pseudonym given as a parameter is read as that officer."""
    look.need_purpose(f"saved query {q.name}")
    mask = Masker.for_look(ws, look)
    given = {k: mask.resolve(v) if isinstance(v, str) else v for k, v in (params or {}).items()}
    res = run(
        ws.store, q, given if params is not None else None, max_rows=max_rows, statuses=ws.meta.statuses
    )
    look.record(
        ws.audit, action, f"{q.id} {q.name} r{q.revision}", params=res.params, result_size=len(res.rows)
    )
    shown = {k: params[k] if params and given.get(k) != params.get(k) else v for k, v in res.params.items()}
    return dataclasses.replace(res, rows=mask.rows(res.rows), params=shown)


def parse_file(text: str, source: str) -> dict[str, Any]:
    """A query file's fields (YAML), or a clear error naming the file."""
    try:
        body = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise QueryError(f"{source}: not valid YAML ({e})") from e
    if not isinstance(body, dict):
        raise QueryError(f"{source}: expected a mapping of fields")
    return body
