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


# ---------------------------------------------------------------------------- calendar


def _easter(y: int) -> dt.date:
    """Easter Sunday of year ``y`` (the anonymous Gregorian computus).

    >>> _easter(2025), _easter(2026)
    (datetime.date(2025, 4, 20), datetime.date(2026, 4, 5))
    """
    a, b, c = y % 19, y // 100, y % 100
    h = (19 * a + b - b // 4 - (b - (b + 8) // 25 + 1) // 3 + 15) % 30
    ell = (32 + 2 * (b % 4) + 2 * (c // 4) - h - c % 4) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, dd = divmod(h + ell - 7 * m + 114, 31)
    return dt.date(y, month, dd + 1)


# One-off changes by proclamation: (year, regular day moved away or None, days added).
_ONE_OFF: dict[int, tuple[dt.date | None, tuple[dt.date, ...]]] = {
    2011: (None, (dt.date(2011, 4, 29),)),
    2012: (dt.date(2012, 5, 28), (dt.date(2012, 6, 4), dt.date(2012, 6, 5))),
    2020: (dt.date(2020, 5, 4), (dt.date(2020, 5, 8),)),
    2022: (dt.date(2022, 5, 30), (dt.date(2022, 6, 2), dt.date(2022, 6, 3), dt.date(2022, 9, 19))),
    2023: (None, (dt.date(2023, 5, 8),)),
}


def bank_holidays(first: int = 2000, last: int = 2040) -> list[dt.date]:
    """England and Wales bank holidays of the years ``first..last``: New Year's Day,
    Good Friday, Easter Monday, the early May, spring and summer bank holidays,
    Christmas and Boxing Day, with substitute weekdays and the one-off changes.

    >>> [d.isoformat() for d in bank_holidays(2026, 2026)]  # doctest: +NORMALIZE_WHITESPACE
    ['2026-01-01', '2026-04-03', '2026-04-06', '2026-05-04', '2026-05-25', '2026-08-31',
     '2026-12-25', '2026-12-28']
    >>> [d.isoformat() for d in bank_holidays(2022, 2022) if d.month in (5, 6, 9)]
    ['2022-05-02', '2022-06-02', '2022-06-03', '2022-09-19']
    """
    out: set[dt.date] = set()
    one = dt.timedelta(days=1)
    for y in range(first, last + 1):
        ny = dt.date(y, 1, 1)
        while ny.weekday() >= 5:
            ny += one
        may1 = dt.date(y, 5, 1)
        may31, aug31 = dt.date(y, 5, 31), dt.date(y, 8, 31)
        xmas, boxing = dt.date(y, 12, 25), dt.date(y, 12, 26)
        if xmas.weekday() == 5:  # Saturday: Monday 27 and Tuesday 28
            xmas, boxing = dt.date(y, 12, 27), dt.date(y, 12, 28)
        elif xmas.weekday() == 6:  # Sunday: Boxing Day Monday 26, Christmas Tuesday 27
            xmas = dt.date(y, 12, 27)
        elif boxing.weekday() == 5:  # Boxing Day Saturday: Monday 28
            boxing = dt.date(y, 12, 28)
        easter = _easter(y)
        days = {
            ny,
            easter - 2 * one,
            easter + one,
            may1 + dt.timedelta(days=(7 - may1.weekday()) % 7),
            may31 - dt.timedelta(days=may31.weekday()),
            aug31 - dt.timedelta(days=aug31.weekday()),
            xmas,
            boxing,
        }
        moved, added = _ONE_OFF.get(y, (None, ()))
        out |= (days - {moved}) | set(added)
    return sorted(out)


BANK_HOLIDAYS = [d.isoformat() for d in bank_holidays()]
