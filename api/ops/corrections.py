"""Corrections: an upheld fact amends a source row (never overwriting it), the detectors
that read its table run again, and the flags that no longer fire retire with the reason
``retired after correction N``.

A challenge that is upheld (:mod:`api.ops.challenges`, when it lands) calls
:func:`apply_correction` with its reference.
"""

from __future__ import annotations

from typing import Any

from api.ops.look import Look
from graph.corrections import STATUSES, Corrections, clean_value, correctable, source_row
from graph.errors import QueryError, StoreUnavailable
from graph.workspace import Workspace
from queries.detect import run_detectors
from queries.detectors import DETECTORS


def detectors_reading(table: str) -> list[str]:
    """The detectors whose inputs include ``table`` (their method card's ``reads``)."""
    return sorted(n for n, d in DETECTORS.items() if table in d.card.reads)


def _required(name: str, v: str | None) -> str:
    v = (v or "").strip()
    if not v:
        raise QueryError(f"{name}: a correction needs a {name} (it is kept with your name)")
    return v


def apply_correction(
    ws: Workspace,
    look: Look,
    *,
    table: str,
    row_key: str,
    field: str,
    value: str | None,
    reason: str,
    evidence: str,
    challenge_ref: str | None = None,
    rerun: bool = True,
) -> dict[str, Any]:
    """Amend one field of one source row, re-run the detectors reading its table, and
    retire the flags that no longer fire.

    Everything is checked before anything is written: the table and field (an event
    table's non-key column), the value (cleaned to the field's contract type), that the
    row exists, and a reason and evidence. Audited as ``correction``.

    Returns
    -------
    dict
        The correction (``seq``, the row, old and new value, who, when, why), with
        ``detectors`` re-run and ``retired``: the flags the re-run retired.
    """
    look.need_purpose(f"a correction of {table} row {row_key}")
    t, column = correctable(table, field)
    why, proof = _required("reason", reason), _required("evidence", evidence)
    cleaned = clean_value(t, column, value)
    if ws.events is None:
        raise QueryError(f"row_key: no event tables were ingested, so {table} has no row {row_key!r}")
    con = ws.events.con.cursor()
    try:
        row = source_row(con, t, row_key, field)
    finally:
        con.close()
    book = Corrections(ws.meta)
    rec = book.add(
        table,
        row_key,
        field,
        cleaned,
        row,
        reason=why,
        evidence=proof,
        who=look.who.user,
        role=look.who.role,
        challenge_ref=(challenge_ref or "").strip() or None,
    )
    look.record(
        ws.audit,
        "correction",
        f"{table}:{row_key}",
        params={"seq": rec["seq"], "field": field, "challenge_ref": rec["challenge_ref"]},
        result_size=1,
        officer_id=row.officer_id,
    )
    names = detectors_reading(table) if rerun else []
    retired: list[str] = []
    if names:
        retired = _rerun(ws, look, names, rec["seq"])
    return {**rec, "detectors": names, "retired": retired}


def _rerun(ws: Workspace, look: Look, names: list[str], seq: int) -> list[str]:
    """Run the detectors again after correction ``seq``; the flags it retired."""
    before = set(Corrections(ws.meta).retirements_of(seq))
    if ws.write:
        run_detectors(ws, names, after_correction=seq).write_record(ws.settings.data_dir)
    else:  # a read-only workspace (the server): a writer of its own for the run
        try:
            with Workspace(ws.settings, write=True) as writer:
                run_detectors(writer, names, after_correction=seq).write_record(ws.settings.data_dir)
        except StoreUnavailable as e:
            raise StoreUnavailable(
                f"correction {seq} is recorded, but the detectors could not run again ({e}); "
                f"run `linkwatch detect --detector {' --detector '.join(names)}`"
            ) from e
    retired = sorted(set(Corrections(ws.meta).retirements_of(seq)) - before)
    look.record(
        ws.audit,
        "detect_after_correction",
        f"correction {seq}",
        params={"detectors": names},
        result_size=len(retired),
        retired=retired,
    )
    return retired


def list_corrections(
    ws: Workspace, look: Look, *, status: str | None = None, officer_id: str | None = None
) -> list[dict[str, Any]]:
    """Corrections, oldest first; each whose source row changed since is marked
    ``needs_review`` first. Audited as ``corrections``."""
    look.need_purpose("a list of corrections")
    if status is not None and status not in STATUSES:
        raise QueryError(f"status must be one of {', '.join(STATUSES)} (got {status!r})")
    book = Corrections(ws.meta)
    if ws.events is not None:
        con = ws.events.con.cursor()
        try:
            book.mark_stale(con)
        finally:
            con.close()
    found = book.rows(status=status, officer_id=officer_id)
    look.record(
        ws.audit,
        "corrections",
        "corrections",
        params={"status": status, "officer_id": officer_id},
        result_size=len(found),
    )
    return found
