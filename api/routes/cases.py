"""Review cases: the review queue, opening a case, its moves, decision, sign-off and the
unmasking of its subject (operations: :mod:`api.ops.cases`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.auth import ReviewLook, SignoffLook
from api.deps import WorkspaceDep
from api.models import CaseIn, CaseOut, DecisionIn, SignoffIn, TransitionIn, UnmaskIn
from api.ops import cases as ops

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])


@router.get("", response_model=list[CaseOut])
def list_cases(
    ws: WorkspaceDep,
    look: ReviewLook,
    stage: str | None = None,
    reviewer: str | None = None,
    overdue: bool = False,
) -> list[dict[str, Any]]:
    """The review queue: cases by reference, filtered by stage, reviewer and whether they
    are past their due date."""
    return ops.list_cases(ws, look, stage=stage, reviewer=reviewer, overdue=overdue)


@router.post("", response_model=CaseOut, status_code=201)
def open_case(body: CaseIn, ws: WorkspaceDep, look: ReviewLook) -> dict[str, Any]:
    """Open a review case about an officer or a group from their flags, assigned to a
    reviewer independent of them (conflict checks)."""
    return ops.open_case(
        ws,
        look,
        subjects=body.subjects,
        flags=body.flags,
        reviewer=body.reviewer,
        due_date=body.due_date,
        notes=body.notes,
        evidence=body.evidence,
    )


@router.get("/{case_ref}", response_model=CaseOut)
def get_case(case_ref: str, ws: WorkspaceDep, look: ReviewLook) -> dict[str, Any]:
    """One case with its transitions, decisions, sign-offs and unmaskings."""
    return ops.show(ws, look, case_ref)


@router.post("/{case_ref}/transitions", status_code=201)
def move(case_ref: str, body: TransitionIn, ws: WorkspaceDep, look: ReviewLook) -> dict[str, Any]:
    """Move the case to another stage with a written reason (its reviewer); the record
    lists what they opened for the case since the last step."""
    return ops.move(ws, look, case_ref, body.to, body.reason)


@router.post("/{case_ref}/decision", status_code=201)
def decide(case_ref: str, body: DecisionIn, ws: WorkspaceDep, look: ReviewLook) -> dict[str, Any]:
    """Record the case's outcome (its reviewer, from assessment); a serious outcome is
    proposed until a second person signs it off."""
    return ops.decide(
        ws,
        look,
        case_ref,
        outcome=body.outcome,
        reason=body.reason,
        reason_kind=body.reason_kind,
        explanation=body.explanation,
    )


@router.post("/{case_ref}/signoff", status_code=201)
def sign_off(case_ref: str, body: SignoffIn, ws: WorkspaceDep, look: SignoffLook) -> dict[str, Any]:
    """Sign off (or decline) the outcome proposed for the case: a second person, holding
    an approving role, independent of the subject."""
    return ops.sign_off(ws, look, case_ref, approve=body.approve, reason=body.reason)


@router.post("/{case_ref}/unmask", status_code=201)
def unmask(case_ref: str, body: UnmaskIn, ws: WorkspaceDep, look: ReviewLook) -> list[dict[str, Any]]:
    """Unmask the case's subject for yourself, within this case, with a reason (its
    assigned reviewer, or the person signing off)."""
    return ops.unmask(ws, look, case_ref, body.reason, body.subject_id)
