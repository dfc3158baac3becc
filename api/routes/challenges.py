"""Challenges: lodged by a subject (or the subject-access role for them) against a flag
or a source fact, listed with their deadlines, and decided independently (operations:
:mod:`api.ops.challenges`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.auth import ChallengeDecideLook, SignedInLook
from api.deps import WorkspaceDep
from api.models import ChallengeDecisionIn, ChallengeIn, ChallengeOut
from api.ops import challenges as ops

router = APIRouter(prefix="/api/v1/challenges", tags=["challenges"])


@router.post("", response_model=ChallengeOut, status_code=201)
def lodge(body: ChallengeIn, ws: WorkspaceDep, look: SignedInLook) -> dict[str, Any]:
    """Lodge a challenge against a flag (``flag_id``) or a source fact (``table``,
    ``row_key``, ``field``, ``claimed_value``): by the subject (a token naming their
    officer id) or the subject-access role on their behalf (``subject_id``)."""
    return ops.lodge(
        ws,
        look,
        text=body.text,
        flag_id=body.flag_id,
        table=body.table,
        row_key=body.row_key,
        field=body.field,
        claimed_value=body.claimed_value,
        subject_id=body.subject_id,
    )


@router.get("", response_model=list[ChallengeOut])
def list_challenges(
    ws: WorkspaceDep,
    look: SignedInLook,
    state: str | None = None,
    overdue: bool = False,
    subject_id: str | None = None,
) -> list[dict[str, Any]]:
    """Challenges with their days left (``overdue=true``: open ones past their deadline).
    Those who lodge, decide or review see all; anyone else only those about themselves."""
    return ops.list_challenges(ws, look, state=state, overdue=overdue, subject_id=subject_id)


@router.post("/{challenge_id}/decision", response_model=ChallengeOut, status_code=201)
def decide(
    challenge_id: str, body: ChallengeDecisionIn, ws: WorkspaceDep, look: ChallengeDecideLook
) -> dict[str, Any]:
    """Uphold or reject a challenge with a reason (someone independent of the cases it
    touches); an upheld fact challenge becomes a correction."""
    return ops.decide(ws, look, challenge_id, upheld=body.upheld, reason=body.reason)
