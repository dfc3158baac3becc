"""The HTTP door's side of who is looking: the token a request carries, the permission
an endpoint needs, the stated purpose, and the record of a request that failed.

A request carries its token as ``Authorization: Bearer lw_…`` or, from the web pages,
in the ``linkwatch_token`` cookie that the sign-in page sets. Unknown, revoked and
expired tokens get 401; a role without the permission an endpoint needs gets 403. Who a
token is and what a role may do are decided in one place, :mod:`api.ops.look`.

The stated purpose and case reference of a look come from the ``X-Purpose`` and
``X-Case-Ref`` headers, the ``purpose`` and ``case_ref`` query parameters, or the
cookies the sign-in page sets; looks at people's data without one get 400.

A request that fails after its caller is known (400, 403, 404, 413, 500, 504, ...) is
still a look: :func:`audit_failure` records it with its status and error.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from api.deps import server_workspace
from api.ops.look import PERMISSIONS, Look, api_look, authenticate, authorize, clean_reason
from graph.meta import Principal

TOKEN_COOKIE = "linkwatch_token"
PURPOSE_COOKIE = "linkwatch_purpose"
CASE_COOKIE = "linkwatch_case"


def request_token(request: Request) -> str | None:
    """The token a request carries: the ``Authorization`` header, else the pages' cookie."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.cookies.get(TOKEN_COOKIE)


def current_principal(request: Request) -> Principal:
    token = request_token(request)
    if not token:
        raise HTTPException(
            401,
            "sign in: send an API token as 'Authorization: Bearer <token>' "
            "(make one with: linkwatch token create --user NAME --role ROLE)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    who = authenticate(server_workspace(request).meta, token)
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
        return authorize(who, permission)

    return dep


def looker(permission: str | None) -> Callable[..., Awaitable[Look]]:
    """A dependency giving the :class:`~api.ops.look.Look` of a request that needs
    ``permission`` (``None``: only a valid token; the operation decides, as for a
    subject lodging a challenge about themselves)."""
    check = require(permission) if permission is not None else current_principal

    async def dep(request: Request, who: Principal = Depends(check)) -> Look:
        h, q, c = request.headers, request.query_params, request.cookies
        purpose = h.get("x-purpose") or q.get("purpose") or c.get(PURPOSE_COOKIE)
        case_ref = h.get("x-case-ref") or q.get("case_ref") or c.get(CASE_COOKIE)
        look = api_look(who, purpose, case_ref)
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
    purpose = (look.purpose if look else None) or clean_reason(str(body.get("purpose") or ""))
    case_ref = (look.case_ref if look else None) or clean_reason(str(body.get("case_ref") or ""))
    look = api_look(who, purpose, case_ref)
    route = request.scope.get("route")
    look.record_failure(
        server_workspace(request).audit,
        f"{request.method} {request.url.path}",
        params=params,
        status=int(status),
        error=str(error),
        endpoint=getattr(route, "name", None),
    )


def failure_recorder(
    handler: Callable[[Request, Any], Awaitable[Any] | Any],
) -> Callable[[Request, Any], Awaitable[Any]]:
    """Wrap an exception handler so that the failure it answers is audited first."""

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
SubjectLook = Annotated[Look, Depends(looker("subject.report"))]
ReviewLook = Annotated[Look, Depends(looker("cases.review"))]
SignoffLook = Annotated[Look, Depends(looker("cases.signoff"))]
ChallengeDecideLook = Annotated[Look, Depends(looker("challenges.decide"))]
SignedInLook = Annotated[Look, Depends(looker(None))]
"""Any valid token: the operation checks who may (a subject acting about themselves)."""
