from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import StoreDep
from api.models import FlagOut
from graph.errors import NodeNotFound
from queries.detectors.base import ts

router = APIRouter(prefix="/api/v1/flags", tags=["flags"])

FILTERS = {"detector": "f.detector", "officer_id": "f.officer_id", "severity": "f.severity"}


def flag_query(filters: dict[str, str | None]) -> tuple[str, dict[str, Any]]:
    """Cypher with one condition per given filter (the embedded engine mistypes a NULL
    parameter in ``$x IS NULL OR ...``, so absent filters are left out of the text).

    >>> flag_query({"severity": "high", "detector": None})[0]
    'MATCH (f:Flag) WHERE f.retired_at IS NULL AND f.severity = $severity RETURN f ORDER BY f.flag_id SKIP $skip LIMIT $limit'
    """
    where = ["f.retired_at IS NULL"]
    params: dict[str, Any] = {}
    for name, value in filters.items():
        if value is not None:
            where.append(f"{FILTERS[name]} = ${name}")
            params[name] = value
    text = f"MATCH (f:Flag) WHERE {' AND '.join(where)} RETURN f ORDER BY f.flag_id SKIP $skip LIMIT $limit"
    return text, params


def _flag(node: dict[str, Any]) -> dict[str, Any]:
    p = dict(node["properties"])
    p["evidence"] = json.loads(p.get("evidence") or "[]")
    p["window_start"] = ts(p.get("window_start")) or None
    p["window_end"] = ts(p.get("window_end")) or None
    return p


@router.get("", response_model=list[FlagOut])
def list_flags(
    store: StoreDep,
    detector: str | None = None,
    officer_id: str | None = None,
    severity: str | None = None,
    skip: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """Open flags, filtered and paged."""
    text, params = flag_query({"detector": detector, "officer_id": officer_id, "severity": severity})
    rows = store.query(text, {**params, "skip": skip, "limit": limit})
    return [_flag(r["f"]) for r in rows]


@router.get("/{flag_id}", response_model=FlagOut)
def get_flag(flag_id: str, store: StoreDep) -> dict[str, Any]:
    """One flag with its explanation and evidence."""
    try:
        return _flag(store.node(f"Flag:{flag_id}"))
    except NodeNotFound:
        raise NodeNotFound(f"no flag with id {flag_id!r}") from None
