"""The auditors' API: read, verify and export the audit log. Reading the log is itself
recorded in it. Auditors see every record in full (an ad-hoc query with its literals);
``redacted=true`` gives the view meant for a wider audience, with ad-hoc queries' literals
and parameter values replaced by ``?`` (operations: :mod:`api.ops.audit_log`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from api.auth import AuditLook
from api.deps import WorkspaceDep
from api.models import AuditPage, AuditVerifyOut
from api.ops import audit_log as ops
from api.ops.exports import File
from api.ops.flags import MAX_SKIP
from api.results import file_response

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])
Redact = Annotated[
    bool,
    Query(description="the view for a wider audience: ad-hoc queries without their literals and values"),
]


@router.get("", response_model=AuditPage)
def audit_records(
    ws: WorkspaceDep,
    look: AuditLook,
    who: str | None = None,
    action: str | None = None,
    case_ref: str | None = None,
    what: Annotated[str | None, Query(description="text in the record's 'what' (an id, a query)")] = None,
    since: Annotated[str | None, Query(description="ISO date or time")] = None,
    until: Annotated[str | None, Query(description="ISO date or time")] = None,
    skip: Annotated[int, Query(ge=0, le=MAX_SKIP)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    redacted: Redact = False,
) -> dict[str, Any]:
    """Audit records, newest first, filtered by who, action (``failed`` for requests that
    failed, with their ``status`` and ``error``), case, subject and time."""
    filters = {
        "who": who,
        "action": action,
        "case_ref": case_ref,
        "what": what,
        "since": since,
        "until": until,
    }
    return ops.read(ws, look, filters=filters, skip=skip, limit=limit, redacted=redacted)


@router.get("/verify", response_model=AuditVerifyOut)
def audit_verify(ws: WorkspaceDep, look: AuditLook) -> dict[str, Any]:
    """Walk the hash chain and check the signatures and the published head; any edited,
    deleted, cut-off or re-hashed record is named. ``head`` is the last record's number
    and hash, to keep elsewhere and compare later."""
    v = ops.verify(ws, look)
    return {"ok": v.ok, "records": v.records, "problems": v.problems, "head": v.head}


@router.get("/export", response_class=Response)
def audit_export(
    ws: WorkspaceDep,
    look: AuditLook,
    fmt: Annotated[str, Query(alias="format", pattern="^(jsonl|csv)$")] = "jsonl",
    who: str | None = None,
    action: str | None = None,
    case_ref: str | None = None,
    since: str | None = None,
    until: str | None = None,
    redacted: Redact = False,
) -> Response:
    """The log (or the matching part) as JSON lines, with the hashes so it can be
    verified elsewhere, or as CSV; ``redacted=true`` for a wider audience (not
    verifiable)."""
    filters = {"who": who, "action": action, "case_ref": case_ref, "since": since, "until": until}
    data, media = ops.export(ws, look, fmt=fmt, filters=filters, redacted=redacted)
    return file_response(File(data, media, f"audit.{fmt}"))
