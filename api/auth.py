"""Authentication (API tokens) and authorisation (roles and the permission matrix).

A request carries its token as ``Authorization: Bearer lw_…`` or, from the web pages,
in the ``linkwatch_token`` cookie that the sign-in page sets. Unknown, revoked and
expired tokens get 401; a role without the permission an endpoint needs gets 403.

The stated purpose and case reference of a look come from the ``X-Purpose`` and
``X-Case-Ref`` headers, the ``purpose`` and ``case_ref`` query parameters, or the
cookies the sign-in page sets; looks at people's data without one get 400.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request

from graph.audit import AuditLog
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


def looker(permission: str) -> Callable[..., Look]:
    """A dependency giving the :class:`Look` of a request that needs ``permission``."""
    check = require(permission)

    def dep(request: Request, who: Principal = Depends(check)) -> Look:
        h, q, c = request.headers, request.query_params, request.cookies
        purpose = h.get("x-purpose") or q.get("purpose") or c.get(PURPOSE_COOKIE)
        case_ref = h.get("x-case-ref") or q.get("case_ref") or c.get(CASE_COOKIE)
        return Look(who, _clean(purpose), _clean(case_ref), AuditLog(request.app.state.settings.data_dir))

    return dep


GraphLook = Annotated[Look, Depends(looker("graph.read"))]
FlagsLook = Annotated[Look, Depends(looker("flags.read"))]
AssessLook = Annotated[Look, Depends(looker("flags.assess"))]
RunLook = Annotated[Look, Depends(looker("queries.run"))]
SaveLook = Annotated[Look, Depends(looker("queries.save"))]
CypherLook = Annotated[Look, Depends(looker("cypher.adhoc"))]
ExportLook = Annotated[Look, Depends(looker("export"))]
AuditLook = Annotated[Look, Depends(looker("audit.read"))]
AdminLook = Annotated[Look, Depends(looker("tokens.manage"))]
