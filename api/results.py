"""Result helpers shared by the routers: the size limit (413) and file downloads."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Response

from graph.subgraph import Subgraph


def check_size(too_large: bool, max_rows: int) -> None:
    """413 when a result has more rows than the caller allowed."""
    if too_large:
        raise HTTPException(
            413,
            f"the result has more than {max_rows} rows; narrow the query (filters, LIMIT) "
            "or raise max_rows (at most 10000)",
        )


def _download(data: bytes, media: str, suffix: str, stem: str) -> Response:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in stem)[:80] or "export"
    return Response(
        data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{safe}{suffix}"'}
    )


def file_response(rows: list[dict[str, Any]], fmt: str, stem: str, *, graph: bool = False) -> Response:
    """Rows as a downloadable file: a table as JSON or CSV; GraphML (or any format when
    ``graph``) of the nodes, relationships and paths in the rows."""
    from graph.export import subgraph_export, subgraph_of_rows, table_export

    if graph:
        data, media, suffix = subgraph_export(subgraph_of_rows(rows), fmt)
    else:
        data, media, suffix = table_export(rows, fmt)
    return _download(data, media, suffix, stem)


def subgraph_response(sg: Subgraph, fmt: str, stem: str) -> Response:
    from graph.export import subgraph_export

    data, media, suffix = subgraph_export(sg, fmt)
    return _download(data, media, suffix, stem)
