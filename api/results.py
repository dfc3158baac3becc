"""Result helpers shared by the routers: the size limit (413) and file downloads."""

from __future__ import annotations

from fastapi import HTTPException, Response

from api.ops.exports import File


def check_size(too_large: bool, max_rows: int) -> None:
    """413 when a result has more rows than the caller allowed."""
    if too_large:
        raise HTTPException(
            413,
            f"the result has more than {max_rows} rows; narrow the query (filters, LIMIT) "
            "or raise max_rows (at most 10000)",
        )


def file_response(f: File) -> Response:
    """A file made by an export operation, as a download."""
    return Response(
        f.data,
        media_type=f.media_type,
        headers={"Content-Disposition": f'attachment; filename="{f.filename}"'},
    )
