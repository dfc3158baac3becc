"""Authentication (API tokens) and authorisation (roles and the permission matrix).

A request carries its token as ``Authorization: Bearer lw_…`` or, from the web pages,
in the ``linkwatch_token`` cookie that the sign-in page sets. Unknown, revoked and
expired tokens get 401; a role without the permission an endpoint needs gets 403.

The stated purpose and case reference of a look come from the ``X-Purpose`` and
``X-Case-Ref`` headers, the ``purpose`` and ``case_ref`` query parameters, or the
cookies the sign-in page sets; looks at people's data without one get 400.

A request that fails after its caller is known (400, 403, 404, 413, 500, 504, ...) is
still a look: :func:`audit_failure` records it with its status and error.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request

from graph.audit import AuditLog
from graph.errors import LinkwatchError
from graph.meta import ROLES, MetaStore, Principal

TOKEN_COOKIE = "linkwatch_token"
PURPOSE_COOKIE = "linkwatch_purpose"
CASE_COOKIE = "linkwatch_case"

PERMISSIONS: dict[str, str] = {
    "graph.read": "search, read entities, neighbourhoods and paths, open pages",
    "flags.read": "list and read flags with their evidence",
    "flags.assess": "record an assessment (status and note) of a flag",
    "queries.run": "run saved queries",
    "queries.save": "create, update and delete one's own saved queries",
    "cypher.adhoc": "run ad-hoc read-only Cypher",
    "export": "export subgraphs and query results (JSON, CSV, GraphML)",
    "audit.read": "read, verify and export the audit log",
    "tokens.manage": "create, list and revoke API tokens",
}

MATRIX: dict[str, frozenset[str]] = {
    "investigator": frozenset({"graph.read", "flags.read", "flags.assess", "queries.run", "export"}),
    "analyst": frozenset(
        {"graph.read", "flags.read", "queries.run", "queries.save", "cypher.adhoc", "export"}
    ),
    "auditor": frozenset({"flags.read", "audit.read"}),
    "admin": frozenset(PERMISSIONS),
}
"""Who may do what. Investigators explore and assess; analysts write queries; auditors
read the log and the flags (for fairness reviews) but not the graph; admins all."""

assert set(MATRIX) == set(ROLES)


def allowed(role: str, permission: str) -> bool:
    """
    >>> allowed("analyst", "cypher.adhoc"), allowed("investigator", "cypher.adhoc")
    (True, False)
    """
    return permission in MATRIX.get(role, frozenset())


def get_meta(request: Request) -> MetaStore:
    meta: MetaStore = request.app.state.meta
    return meta


MetaDep = Annotated[MetaStore, Depends(get_meta)]


def _token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.cookies.get(TOKEN_COOKIE)


def current_principal(request: Request, meta: MetaDep) -> Principal:
    token = _token(request)
    if not token:
        raise HTTPException(
            401,
            "sign in: send an API token as 'Authorization: Bearer <token>' "
            "(make one with: linkwatch token create --user NAME --role ROLE)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    who = meta.authenticate(token)
    if who is None:
        raise HTTPException(
            401, "the API token is unknown, revoked or expired", headers={"WWW-Authenticate": "Bearer"}
        )
    request.state.principal = who
    return who


def require(permission: str) -> Callable[..., Principal]:
    """A dependency that lets the request through only if the token's role has
    ``permission`` (403 otherwise)."""
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")

    def dep(
        who: Principal = Depends(current_principal),
    ) -> Principal:  # a closure: Annotated would not resolve
        if not allowed(who.role, permission):
            raise HTTPException(
                403, f"role {who.role!r} may not {PERMISSIONS[permission]} (needs permission {permission!r})"
            )
        return who

    return dep


@dataclass(frozen=True)
class Look:
    """One audited look: who, and why (purpose and case reference)."""

    who: Principal
    purpose: str | None
    case_ref: str | None
    log: AuditLog

    def need_purpose(self, what: str) -> str:
        if not self.purpose:
            raise HTTPException(
                400,
                f"{what} needs a stated purpose: send the X-Purpose header (and X-Case-Ref), or "
                "?purpose=…&case_ref=…; it is recorded in the audit log",
            )
        return self.purpose

    def record(
        self,
        action: str,
        what: str,
        *,
        params: dict[str, Any] | None = None,
        result_size: int | None = None,
        **extra: Any,
    ) -> None:
        self.log.record(
            who=self.who.user,
            role=self.who.role,
            action=action,
            what=what,
            purpose=self.purpose,
            case_ref=self.case_ref,
            params=params,
            result_size=result_size,
            via="api",
            **extra,
        )


def _clean(v: str | None) -> str | None:
    v = (v or "").strip()
    return v[:500] or None


def looker(permission: str) -> Callable[..., Awaitable[Look]]:
    """A dependency giving the :class:`Look` of a request that needs ``permission``."""
    check = require(permission)

    async def dep(request: Request, who: Principal = Depends(check)) -> Look:
        h, q, c = request.headers, request.query_params, request.cookies
        purpose = h.get("x-purpose") or q.get("purpose") or c.get(PURPOSE_COOKIE)
        case_ref = h.get("x-case-ref") or q.get("case_ref") or c.get(CASE_COOKIE)
        look = Look(who, _clean(purpose), _clean(case_ref), AuditLog.of(request.app.state.settings))
        request.state.look = look
        if request.method in ("POST", "PUT", "PATCH"):
            request.state.look_body = await request.body()  # already read: for a failure's record
        return look

    return dep


MAX_BODY_LOGGED = 64 * 1024


def _request_params(request: Request) -> dict[str, Any]:
    """A failed request's query parameters (and JSON body), for its audit record."""
    params: dict[str, Any] = {}
    for k, v in request.query_params.multi_items():
        if k in ("purpose", "case_ref"):
            continue
        if k in params:
            params[k] = [*(params[k] if isinstance(params[k], list) else [params[k]]), v]
        else:
            params[k] = v
    raw = getattr(request.state, "look_body", None)
    if raw:
        if len(raw) > MAX_BODY_LOGGED:
            params["body"] = {"not_logged": f"{len(raw)} bytes, more than {MAX_BODY_LOGGED}"}
        else:
            try:
                params["body"] = json.loads(raw)
            except (ValueError, UnicodeDecodeError):
                params["body"] = {"not_json": raw[:2000].decode("utf-8", "replace")}
    return params


def audit_failure(request: Request, status: int, error: Any) -> None:
    """Record a request that failed once its caller was known (from the token): the
    method and path tried, its parameters, purpose and case, the status and the error.
    Requests without a valid token (401) are not attributable to anyone and are not
    recorded. At most one failure record per request."""
    state = request.state
    look: Look | None = getattr(state, "look", None)
    who: Principal | None = look.who if look is not None else getattr(state, "principal", None)
    if who is None or getattr(state, "failure_recorded", False):
        return
    state.failure_recorded = True
    params = _request_params(request)
    given = params.get("body")
    body: dict[str, Any] = given if isinstance(given, dict) else {}
    purpose = (look.purpose if look else None) or _clean(str(body.get("purpose") or ""))
    case_ref = (look.case_ref if look else None) or _clean(str(body.get("case_ref") or ""))
    route = request.scope.get("route")
    log = look.log if look is not None else AuditLog.of(request.app.state.settings)
    try:
        _record_failure(log, who, request, params, purpose, case_ref, status, error, route)
    except (LinkwatchError, OSError, sqlite3.Error) as e:  # the failure may be the audit log's own
        logging.getLogger("linkwatch.audit").error(
            "a failed request (%s %s, %s) could not be recorded in the audit log: %s",
            request.method,
            request.url.path,
            status,
            e,
        )


def _record_failure(
    log: AuditLog,
    who: Principal,
    request: Request,
    params: dict[str, Any],
    purpose: str | None,
    case_ref: str | None,
    status: int,
    error: Any,
    route: Any,
) -> None:
    log.record(
        who=who.user,
        role=who.role,
        action="failed",
        what=f"{request.method} {request.url.path}",
        purpose=purpose,
        case_ref=case_ref,
        params=params,
        status=int(status),
        error=str(error)[:2000],
        endpoint=getattr(route, "name", None),
        via="api",
    )


def failure_recorder(
    handler: Callable[[Request, Any], Awaitable[Any] | Any],
) -> Callable[[Request, Any], Awaitable[Any]]:
    """Wrap an exception handler so that the failure it answers is audited first."""
    import inspect

    from starlette.concurrency import run_in_threadpool

    async def wrapped(request: Request, exc: Any) -> Any:
        response = handler(request, exc)
        if inspect.isawaitable(response):
            response = await response
        status = int(getattr(response, "status_code", 500))
        if status >= 400 and status != 401:
            detail: Any = None
            if status >= 500 and not isinstance(getattr(exc, "detail", None), str):
                detail = f"{type(exc).__name__}: {exc}"
            elif "json" in str(getattr(response, "media_type", "")):
                try:
                    detail = json.loads(bytes(response.body)).get("detail")
                except (ValueError, AttributeError):
                    detail = None
            detail = detail or getattr(exc, "detail", None) or getattr(exc, "message", None) or str(exc)
            await run_in_threadpool(audit_failure, request, status, detail or type(exc).__name__)
        return response

    return wrapped


GraphLook = Annotated[Look, Depends(looker("graph.read"))]
FlagsLook = Annotated[Look, Depends(looker("flags.read"))]
AssessLook = Annotated[Look, Depends(looker("flags.assess"))]
RunLook = Annotated[Look, Depends(looker("queries.run"))]
SaveLook = Annotated[Look, Depends(looker("queries.save"))]
CypherLook = Annotated[Look, Depends(looker("cypher.adhoc"))]
ExportLook = Annotated[Look, Depends(looker("export"))]
AuditLook = Annotated[Look, Depends(looker("audit.read"))]
AdminLook = Annotated[Look, Depends(looker("tokens.manage"))]
