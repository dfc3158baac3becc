"""The audit log for auditors: read, verify and export it. Reading the log is itself
recorded in it. Auditors see every record in full (an ad-hoc query with its literals);
``redacted`` gives the view meant for a wider audience, with ad-hoc queries' literals and
parameter values replaced by ``?``."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from api.ops.look import Look
from graph.audit import Verification, redact
from graph.workspace import Workspace

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
"""The columns of the CSV export."""


def matching(
    ws: Workspace,
    *,
    who: str | None = None,
    action: str | None = None,
    case_ref: str | None = None,
    what: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> list[dict[str, Any]]:
    """The records that match the filters, oldest first."""
    out = []
    for r in ws.audit.records():
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


def read(
    ws: Workspace,
    look: Look,
    *,
    filters: dict[str, str | None],
    skip: int = 0,
    limit: int = 100,
    redacted: bool = False,
) -> dict[str, Any]:
    """A page of records, newest first, and how many match (audited as ``audit_read``)."""
    found = matching(ws, **filters)
    found.reverse()
    page = found[skip : skip + limit]
    if redacted:
        page = [redact(r) for r in page]
    look.record(
        ws.audit, "audit_read", "audit", params={**filters, "redacted": redacted}, result_size=len(page)
    )
    return {"items": page, "total": len(found), "skip": skip, "limit": limit}


def recent(ws: Workspace, look: Look, *, limit: int = 50, redacted: bool = False) -> list[dict[str, Any]]:
    """The most recent records, oldest of them first (the command line's view)."""
    recs = list(ws.audit.records())[-limit:]
    return [redact(r) for r in recs] if redacted else recs


def verify(ws: Workspace, look: Look | None = None) -> Verification:
    """Walk the hash chain and check the signatures and the published head (audited as
    ``audit_verify`` when a look is given)."""
    v = ws.audit.verify()
    if look is not None:
        look.record(ws.audit, "audit_verify", "audit", result_size=v.records, ok=v.ok)
    return v


def export(
    ws: Workspace, look: Look, *, fmt: str, filters: dict[str, str | None], redacted: bool = False
) -> tuple[bytes, str]:
    """The log (or the matching part) as JSON lines, with the hashes so it can be
    verified elsewhere, or as CSV: the bytes and their media type."""
    found = matching(ws, **filters)
    if redacted:
        found = [redact(r) for r in found]
    look.record(
        ws.audit,
        "audit_export",
        "audit",
        params={
            "format": fmt,
            "who": filters.get("who"),
            "action": filters.get("action"),
            "redacted": redacted,
        },
        result_size=len(found),
    )
    if fmt == "jsonl":
        return "".join(json.dumps(r, sort_keys=True, ensure_ascii=False) + "\n" for r in found).encode(), (
            "application/x-ndjson"
        )
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, extrasaction="ignore")
    w.writeheader()
    for r in found:
        w.writerow({**r, "params": json.dumps(r.get("params") or {}, ensure_ascii=False)})
    return buf.getvalue().encode("utf-8"), "text/csv"
