"""The auditors' API: read, verify and export the audit log. Reading the log is itself
recorded in it. Auditors see every record in full (an ad-hoc query with its literals);
``redacted=true`` gives the view meant for a wider audience, with ad-hoc queries' literals
and parameter values replaced by ``?``."""

from __future__ import annotations

import csv
import io
import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from api.auth import AuditLook
from api.models import AuditPage, AuditVerifyOut
from api.routes.flags import MAX_SKIP
from graph.audit import redact

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])
COLUMNS = [
    "seq",
    "at",
    "who",
    "role",
    "action",
    "what",
    "purpose",
    "case_ref",
    "params",
    "result_size",
    "status",
    "error",
    "via",
    "prev",
    "hash",
    "sig",
]
Redact = Annotated[
    bool,
    Query(description="the view for a wider audience: ad-hoc queries without their literals and values"),
]


def _matching(
    look: Any,
    who: str | None,
    action: str | None,
    case_ref: str | None,
    what: str | None,
    since: str | None,
    until: str | None,
) -> list[dict[str, Any]]:
    out = []
    for r in look.log.records():
        if who and r.get("who") != who:
            continue
        if action and r.get("action") != action:
            continue
        if case_ref and r.get("case_ref") != case_ref:
            continue
        if what and what.lower() not in str(r.get("what") or "").lower():
            continue
        at = str(r.get("at") or "")
        if since and at < since:
            continue
        if until and at[: len(until)] > until:
            continue
        out.append(r)
    return out


@router.get("", response_model=AuditPage)
def audit_records(
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
    found = _matching(look, who, action, case_ref, what, since, until)
    found.reverse()
    page = found[skip : skip + limit]
    if redacted:
        page = [redact(r) for r in page]
    look.record(
        "audit_read",
        "audit",
        params={
            "who": who,
            "action": action,
            "case_ref": case_ref,
            "what": what,
            "since": since,
            "until": until,
            "redacted": redacted,
        },
        result_size=len(page),
    )
    return {"items": page, "total": len(found), "skip": skip, "limit": limit}


@router.get("/verify", response_model=AuditVerifyOut)
def audit_verify(look: AuditLook) -> dict[str, Any]:
    """Walk the hash chain and check the signatures and the published head; any edited,
    deleted, cut-off or re-hashed record is named. ``head`` is the last record's number
    and hash, to keep elsewhere and compare later."""
    v = look.log.verify()
    look.record("audit_verify", "audit", result_size=v.records, ok=v.ok)
    return {"ok": v.ok, "records": v.records, "problems": v.problems, "head": v.head}


@router.get("/export", response_class=Response)
def audit_export(
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
    found = _matching(look, who, action, case_ref, None, since, until)
    if redacted:
        found = [redact(r) for r in found]
    look.record(
        "audit_export",
        "audit",
        params={"format": fmt, "who": who, "action": action, "redacted": redacted},
        result_size=len(found),
    )
    if fmt == "jsonl":
        data = "".join(json.dumps(r, sort_keys=True, ensure_ascii=False) + "\n" for r in found)
        media = "application/x-ndjson"
    else:
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=COLUMNS, extrasaction="ignore")
        w.writeheader()
        for r in found:
            w.writerow({**r, "params": json.dumps(r.get("params") or {}, ensure_ascii=False)})
        data, media = buf.getvalue(), "text/csv"
    return Response(
        data.encode("utf-8"),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="audit.{fmt}"'},
    )
