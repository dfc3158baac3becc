"""Flags: filtered and paged lists, one flag with its method card, evidence graph and
assessments, and recording a person's assessment (operations: :mod:`api.ops.flags`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from api.auth import AssessLook, FlagsLook
from api.deps import WorkspaceDep, run_heavy
from api.models import AssessmentIn, AssessmentOut, FlagDetail, FlagPage, GraphOut
from api.ops import flags as ops
from api.ops.flags import MAX_LIMIT, MAX_SKIP
from graph.meta import FLAG_STATUSES

router = APIRouter(prefix="/api/v1/flags", tags=["flags"])


@router.get("", response_model=FlagPage)
def list_flags(
    ws: WorkspaceDep,
    look: FlagsLook,
    detector: str | None = None,
    officer_id: str | None = None,
    severity: Annotated[str | None, Query(pattern="^(low|medium|high)$")] = None,
    status: Annotated[str | None, Query(description=f"one of {', '.join(FLAG_STATUSES)}")] = None,
    since: Annotated[
        dt.date | None, Query(description="flags whose window ends on or after this day")
    ] = None,
    until: Annotated[
        dt.date | None, Query(description="flags whose window starts on or before this day")
    ] = None,
    skip: Annotated[int, Query(ge=0, le=MAX_SKIP)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
) -> dict[str, Any]:
    """Flags filtered by detector, officer, severity, status and window; highest score
    first, paged (``total`` counts every match)."""
    filters = {"detector": detector, "officer_id": officer_id, "severity": severity}
    return ops.list_flags(ws, look, filters, status=status, since=since, until=until, skip=skip, limit=limit)


@router.get("/{flag_id}", response_model=FlagDetail)
async def get_flag(request: Request, flag_id: str, ws: WorkspaceDep, look: FlagsLook) -> dict[str, Any]:
    """One flag: its explanation, evidence rows, method card, status and assessments."""
    return await run_heavy(request, ops.show, ws, look, flag_id)


@router.get("/{flag_id}/evidence", response_model=GraphOut)
async def flag_evidence(request: Request, flag_id: str, ws: WorkspaceDep, look: FlagsLook) -> dict[str, Any]:
    """The flag's evidence as a graph: subject, evidence nodes and evidence paths."""
    return await run_heavy(request, lambda: ops.evidence(ws, look, flag_id).to_dict())


@router.get("/{flag_id}/assessments", response_model=list[AssessmentOut])
def get_assessments(flag_id: str, ws: WorkspaceDep, look: FlagsLook) -> list[dict[str, Any]]:
    """Every assessment of a flag, oldest first."""
    return ops.assessments(ws, look, flag_id)


@router.post("/{flag_id}/assessments", response_model=AssessmentOut, status_code=201)
def assess(flag_id: str, body: AssessmentIn, ws: WorkspaceDep, look: AssessLook) -> dict[str, Any]:
    """Record a person's assessment of a flag: a new status (``under_review``,
    ``no_further_action``, ``referred``, ``challenged`` or back to ``open``) and a note.
    The flag itself is not changed; the assessment is kept beside it and audited."""
    return ops.assess(ws, look, flag_id, body.status, body.note)
