"""API tokens (admins only): make, list and revoke. The secret is shown once
(operations: :mod:`api.ops.tokens`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from api.auth import AdminLook
from api.deps import WorkspaceDep
from api.models import TokenIn, TokenOut
from api.ops import tokens as ops

router = APIRouter(prefix="/api/v1/tokens", tags=["tokens"])


@router.post("", response_model=TokenOut, status_code=201)
def create_token(body: TokenIn, ws: WorkspaceDep, look: AdminLook) -> dict[str, Any]:
    """Make a token for a user with a role; the response holds the only copy of it."""
    t = ops.create(
        ws,
        look,
        body.user,
        body.role,
        note=body.note,
        expires_days=body.expires_days,
        officer_id=body.officer_id,
    )
    return {
        "token_id": t.token_id,
        "user": t.user,
        "role": t.role,
        "expires_at": t.expires_at,
        "token": t.secret,
    }


@router.get("", response_model=list[TokenOut], response_model_exclude_none=True)
def list_tokens(ws: WorkspaceDep, look: AdminLook) -> list[dict[str, Any]]:
    """Every token (never the secrets)."""
    return ops.list_tokens(ws, look)


@router.delete("/{token_id}", status_code=204)
def revoke_token(token_id: str, ws: WorkspaceDep, look: AdminLook) -> Response:
    """Revoke a token at once."""
    ops.revoke(ws, look, token_id)
    return Response(status_code=204)
