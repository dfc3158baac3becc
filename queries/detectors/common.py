"""Helpers shared by the event-store detectors: one flag per officer from query rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from queries.detectors.base import evidence_json, flag_id, forms_item, severity_of, ts

PAID_EXTRA = ("overtime", "rest_day_worked", "bank_holiday")
"""Pay codes that pay more than basic."""


def day(v: dt.datetime | dt.date | None) -> str:
    """A date for an explanation (``2025-03-01``)."""
    if v is None:
        return "?"
    return (v.date() if isinstance(v, dt.datetime) else v).isoformat()


def rows_evidence(table: str, keys: Sequence[Any] | None, limit: int = 200) -> list[dict[str, Any]]:
    """Evidence items for source rows (table + key), capped at ``limit`` (the rest are
    counted in a final item so nothing is silently dropped)."""
    keys = sorted({str(k) for k in (keys or []) if k is not None})
    out: list[dict[str, Any]] = [{"table": table, "key": k} for k in keys[:limit]]
    if len(keys) > limit:
        out.append({"table": table, "more": len(keys) - limit})
    return out


def officer_flags(
    name: str,
    rows: list[dict[str, Any]],
    *,
    score: Callable[[dict[str, Any]], float],
    explain: Callable[[dict[str, Any]], str],
    evidence: Callable[[dict[str, Any]], list[dict[str, Any]]],
    id_parts: Callable[[dict[str, Any]], Sequence[Any]] | None = None,
    params: Mapping[str, Any] | None = None,
    forms: Callable[[dict[str, Any]], Sequence[str]] | None = None,
) -> list[dict[str, Any]]:
    """One flag per row (each row is one officer's case, with ``officer_id``,
    ``window_start`` and ``window_end``). The id hashes the officer and the window
    unless ``id_parts`` says otherwise. ``forms`` names the forms of the behaviour the
    row shows (see :class:`~queries.detectors.base.Form`); they are added to the
    evidence as one ``{"forms": [...]}`` item."""
    out = []
    for r in rows:
        s = max(0.0, min(1.0, float(score(r))))
        parts = (
            id_parts(r) if id_parts else (r["officer_id"], ts(r.get("window_start")), ts(r.get("window_end")))
        )
        out.append(
            {
                "flag_id": flag_id(name, *parts),
                "detector": name,
                "officer_id": str(r["officer_id"]),
                "group_id": "",
                "score": round(s, 4),
                "severity": severity_of(s),
                "window_start": ts(r.get("window_start")),
                "window_end": ts(r.get("window_end")),
                "explanation": explain(r),
                "evidence": evidence_json(
                    evidence(r) + ([forms_item(list(forms(r)))] if forms is not None else [])
                ),
            }
        )
    return out
