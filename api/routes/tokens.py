"""API tokens (admins only): make, list and revoke. The secret is shown once."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Response

from api.auth import AdminLook, MetaDep
from api.models import TokenIn, TokenOut
from graph.errors import UnknownName

router = APIRouter(prefix="/api/v1/tokens", tags=["tokens"])


@router.post("", response_model=TokenOut, status_code=201)
def create_token(body: TokenIn, meta: MetaDep, look: AdminLook) -> dict[str, Any]:
    """Make a token for a user with a role; the response holds the only copy of it."""
    t = meta.create_token(
        body.user, body.role, note=body.note, expires_days=body.expires_days, created_by=look.who.user
    )
    look.record(
        "token_create", t.token_id, params={"user": t.user, "role": t.role, "expires_at": t.expires_at}
    )
    return {
        "token_id": t.token_id,
        "user": t.user,
        "role": t.role,
        "expires_at": t.expires_at,
        "token": t.secret,
    }


@router.get("", response_model=list[TokenOut], response_model_exclude_none=True)
def list_tokens(meta: MetaDep, look: AdminLook) -> list[dict[str, Any]]:
    """Every token (never the secrets)."""
    found = meta.tokens()
    look.record("token_list", "tokens", result_size=len(found))
    return found


@router.delete("/{token_id}", status_code=204)
def revoke_token(token_id: str, meta: MetaDep, look: AdminLook) -> Response:
    """Revoke a token at once."""
    try:
        meta.revoke_token(token_id)
    except UnknownName as e:
        raise HTTPException(404, str(e)) from e
    look.record("token_revoke", token_id)
    return Response(status_code=204)
