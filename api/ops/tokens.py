"""API tokens: make (the secret is shown once), list, revoke. Each change is audited."""

from __future__ import annotations

from typing import Any

from api.ops.look import Look
from graph.errors import NotFound, UnknownName
from graph.meta import NewToken
from graph.workspace import Workspace


def create(
    ws: Workspace,
    look: Look,
    user: str,
    role: str,
    *,
    note: str | None = None,
    expires_days: int | None = None,
    officer_id: str | None = None,
) -> NewToken:
    """Make a token for ``user`` with ``role`` (and, when given, their own officer id in
    the HR data, which conflict checks of review work use); only its hash is kept."""
    t = ws.meta.create_token(
        user, role, note=note, expires_days=expires_days, created_by=look.who.user, officer_id=officer_id
    )
    look.record(
        ws.audit,
        "token_create",
        t.token_id,
        params={"user": t.user, "role": t.role, "expires_at": t.expires_at, "officer_id": officer_id},
    )
    return t


def list_tokens(ws: Workspace, look: Look) -> list[dict[str, Any]]:
    """Every token (never the secrets)."""
    found = ws.meta.tokens()
    look.record(ws.audit, "token_list", "tokens", result_size=len(found))
    return found


def revoke(ws: Workspace, look: Look, token_id: str) -> None:
    """Revoke a token at once."""
    try:
        ws.meta.revoke_token(token_id)
    except UnknownName as e:
        raise NotFound(str(e)) from e
    look.record(ws.audit, "token_revoke", token_id)
