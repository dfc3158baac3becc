"""The subject's access report (operations: :mod:`api.ops.subject_report`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from api.auth import SubjectLook
from api.deps import WorkspaceDep
from api.ops import subject_report as ops

router = APIRouter(prefix="/api/v1/subjects", tags=["subjects"])


@router.get(
    "/{officer_id}/report",
    response_class=Response,
    responses={200: {"content": {"text/html": {}, "application/pdf": {}}}},
)
def subject_report(
    officer_id: str,
    ws: WorkspaceDep,
    look: SubjectLook,
    format: Annotated[str, Query(pattern="^(html|pdf)$", description="html or pdf")] = "html",
) -> Response:
    """The subject's access report of one officer, as HTML or PDF (audited)."""
    report = ops.build_report(ws, look, officer_id)
    if format == "pdf":
        return Response(
            ops.to_pdf(report),
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="subject-report-{officer_id}.pdf"'},
        )
    return HTMLResponse(ops.to_html(report))
