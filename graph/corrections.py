"""Corrections: upheld facts that amend a source row without overwriting it.

A correction records who, when, why, on what evidence and which source row (table and
primary key, as the source contract names them) it amends, one field at a time. It is
kept in the metadata store (:data:`SCHEMA`, table ``corrections``); the event store's
source tables are never changed. Readers see the *corrected view*: :func:`overlay`
puts, on one DuckDB connection, a temporary view named after each corrected table
over the stored table, the newest correction of each field joined on the row key
(one vectorised join against a small table). Tables with no correction get no view:
they are read as they are, at no cost. :func:`reader` is the one way detectors and
pages open the event store.

A later ingest of the same files leaves the stored row as it was, so the correction
stays applied. When the source row itself changes (its ``row_hash`` differs from the
one the correction was made against, or it is gone), :func:`mark_stale` marks the
correction ``needs_review``; it stays applied until someone reviews it.

Flags that stop firing after a correction are retired by the detectors' next run; the
reason (``retired after correction N``) is kept in ``flag_retirements``.

>>> import tempfile
>>> from pathlib import Path
>>> from graph.meta import MetaStore
>>> meta = MetaStore(Path(tempfile.mkdtemp()))
>>> book = Corrections(meta)
>>> book.rows(), book.retirements(["F1"])
([], {})
>>> meta.close()
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from graph.contract import TABLES, Column, Table
from graph.errors import NotFound, QueryError
from graph.events import SQL_TYPES, EventStore, month_column, q
from graph.meta import MetaStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS corrections (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    tbl TEXT NOT NULL,
    row_key TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT,
    old_value TEXT,
    row_hash TEXT,
    officer_id TEXT,
    reason TEXT NOT NULL,
    evidence TEXT NOT NULL,
    challenge_ref TEXT,
    who TEXT NOT NULL,
    role TEXT NOT NULL,
    at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'applied',
    status_at TEXT
);
CREATE INDEX IF NOT EXISTS corrections_row ON corrections (tbl, row_key);
CREATE TABLE IF NOT EXISTS flag_retirements (
    flag_id TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    correction_seq INTEGER,
    at TEXT NOT NULL
);
"""
STATUSES = ("applied", "needs_review")
"""A correction's state: ``applied``; ``needs_review`` once its source row changed
(it stays applied until reviewed)."""
CORRECTABLE = tuple(t.name for t in TABLES.values() if t.kind == "event")
"""The tables a correction may amend: the event tables (their rows live in the event
store, keyed by one column)."""


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def retire_reason(seq: int) -> str:
    """The reason a flag retired by the re-run after correction ``seq`` carries.

    >>> retire_reason(3)
    'retired after correction 3'
    """
    return f"retired after correction {seq}"


def clean_value(table: Table, column: Column, value: str | None) -> str | None:
    """A corrected value as stored: cleaned to the column's contract type, as text.

    Parameters
    ----------
    table : graph.contract.Table
        The table (named in messages).
    column : graph.contract.Column
        The column corrected.
    value : str or None
        The value as given (``None`` or blank clears an optional column).

    Returns
    -------
    str or None
        The cleaned value (dates ``YYYY-MM-DD``, timestamps ISO 8601, numbers as
        decimals, enums one of the contract's values).

    Raises
    ------
    QueryError
        Naming the field, when the value does not clean to its type.

    Examples
    --------
    >>> shifts = TABLES["shifts"]
    >>> clean_value(shifts, shifts.column("status"), " cancelled ")
    'cancelled'
    >>> clean_value(shifts, shifts.column("start"), "2025-03-10T09:00:00Z")
    '2025-03-10T09:00:00+00:00'
    >>> clean_value(shifts, shifts.column("status"), "on leave")
    Traceback (most recent call last):
    ...
    graph.errors.QueryError: value: shifts.status must be one of planned|worked|cancelled (got 'on leave')
    """
    text = (value or "").strip()
    where = f"{table.name}.{column.name}"
    if not text:
        if column.required:
            raise QueryError(f"value: {where} is required and cannot be cleared")
        return None
    try:
        if column.type == "date":
            return dt.datetime.strptime(text, "%Y-%m-%d").date().isoformat()
        if column.type == "ts":
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
        if column.type == "number":
            n = float(text)
            if not math.isfinite(n):
                raise ValueError(text)
            return repr(n)
    except ValueError:
        kind = {"date": "a date (YYYY-MM-DD)", "ts": "an ISO 8601 date-time", "number": "a finite number"}
        raise QueryError(f"value: {where} must be {kind[column.type]} (got {text!r})") from None
    if column.type == "enum" and text not in column.enum:
        raise QueryError(f"value: {where} must be one of {'|'.join(column.enum)} (got {text!r})")
    if column.type == "list":
        raise QueryError(f"field: {where} is a list; lists cannot be corrected")
    return text


def correctable(table: str, field: str) -> tuple[Table, Column]:
    """The contract's table and column a correction names, refused when it cannot be corrected.

    >>> correctable("shifts", "status")[1].name
    'status'
    >>> correctable("shifts", "shift_id")
    Traceback (most recent call last):
    ...
    graph.errors.QueryError: field: shift_id is the key of shifts; a key cannot be corrected
    """
    if table not in CORRECTABLE:
        raise QueryError(
            f"table: corrections amend the event tables ({', '.join(CORRECTABLE)}); got {table!r}"
        )
    t = TABLES[table]
    if field not in t.names:
        raise QueryError(f"field: {table} has no field {field!r} (fields: {', '.join(t.names)})")
    if field in t.key_columns:
        raise QueryError(f"field: {field} is the key of {table}; a key cannot be corrected")
    return t, t.column(field)


@dataclass(frozen=True)
class SourceRow:
    """One stored source row as a correction sees it: the field's value, the row's hash
    and its officer."""

    value: Any
    row_hash: str
    officer_id: str | None


def source_row(con: Any, table: Table, key: str, field: str) -> SourceRow:
    """The stored (uncorrected) row of ``table`` with key ``key``.

    Raises
    ------
    NotFound
        Naming the table, key and field, when no such row is stored.
    """
    db = con.execute("SELECT current_database()").fetchall()[0][0]
    has = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_catalog = ? AND table_name = ?",
        [db, table.name],
    ).fetchall()[0][0]
    officer = "officer_id" if "officer_id" in table.names else "NULL"
    rows = (
        con.execute(
            f"SELECT {q(field)}, CAST(row_hash AS VARCHAR), {officer} FROM {q(db)}.main.{table.name} "
            f"WHERE {q(str(table.key))} = ?",
            [key],
        ).fetchall()
        if has
        else []
    )
    if not rows:
        raise NotFound(f"row_key: {table.name} has no row {table.key} = {key!r} (to correct field {field!r})")
    v, h, o = rows[0]
    return SourceRow(v, h, o)


class Corrections:
    """The corrections and the flags retired after them, in the metadata store.

    Parameters
    ----------
    meta : MetaStore
        The metadata store (the tables are made on first use).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> meta = MetaStore(Path(tempfile.mkdtemp()))
    >>> book = Corrections(meta)
    >>> row = SourceRow("worked", "42", "A1")
    >>> c = book.add("shifts", "SH3", "status", "cancelled", row, reason="recalled",
    ...              evidence="rota email", who="ann", role="appropriate_authority")
    >>> c["seq"], c["old_value"], c["status"]
    (1, 'worked', 'applied')
    >>> [r["value"] for r in book.rows(table="shifts")]
    ['cancelled']
    >>> meta.close()
    """

    def __init__(self, meta: MetaStore) -> None:
        self.meta = meta
        with meta._tx() as con:  # the metadata store's connection and lock: one transaction
            for stmt in SCHEMA.split(";"):
                if stmt.strip():
                    con.execute(stmt)

    def add(
        self,
        table: str,
        row_key: str,
        field: str,
        value: str | None,
        row: SourceRow,
        *,
        reason: str,
        evidence: str,
        who: str,
        role: str,
        challenge_ref: str | None = None,
    ) -> dict[str, Any]:
        """Record one correction (validated by the caller) and return it."""
        old = None if row.value is None else str(row.value)
        rec = {
            "tbl": table,
            "row_key": row_key,
            "field": field,
            "value": value,
            "old_value": old,
            "row_hash": row.row_hash,
            "officer_id": row.officer_id,
            "reason": reason,
            "evidence": evidence,
            "challenge_ref": challenge_ref,
            "who": who,
            "role": role,
            "at": _now(),
            "status": "applied",
        }
        cols = ", ".join(rec)
        with self.meta._tx() as con:
            cur = con.execute(
                f"INSERT INTO corrections ({cols}) VALUES ({', '.join('?' * len(rec))})", tuple(rec.values())
            )
        return {"seq": cur.lastrowid, **rec}

    def rows(
        self, *, table: str | None = None, status: str | None = None, officer_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Corrections, oldest first (of one table, state or officer when given)."""
        where, params = [], []
        for col, v in (("tbl", table), ("status", status), ("officer_id", officer_id)):
            if v is not None:
                where.append(f"{col} = ?")
                params.append(v)
        sql = (
            "SELECT * FROM corrections" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY seq"
        )
        return [dict(r) for r in self.meta._rows(sql, params)]

    def mark_stale(self, con: Any) -> list[int]:
        """Mark ``needs_review`` each applied correction whose source row changed or is gone.

        Parameters
        ----------
        con : duckdb.DuckDBPyConnection
            A connection to the event store.

        Returns
        -------
        list of int
            The corrections newly marked.
        """
        live = self.rows(status="applied")
        if not live:
            return []
        stale = []
        db = con.execute("SELECT current_database()").fetchall()[0][0]
        for name, group in pd.DataFrame(live).groupby("tbl"):
            t = TABLES[str(name)]
            con.register("_corrections_made", group[["seq", "row_key", "row_hash"]])
            found = con.execute(
                f"""SELECT m.seq FROM _corrections_made m LEFT JOIN {q(db)}.main.{t.name} s
                    ON s.{q(str(t.key))} = m.row_key
                    WHERE s.row_hash IS NULL OR CAST(s.row_hash AS VARCHAR) <> m.row_hash"""
            ).fetchall()
            con.unregister("_corrections_made")
            stale += [int(r[0]) for r in found]
        if stale:
            with self.meta._tx() as c:
                c.executemany(
                    "UPDATE corrections SET status = 'needs_review', status_at = ? WHERE seq = ?",
                    [(_now(), s) for s in stale],
                )
        return stale

    def retire(self, flag_ids: Iterable[str], seq: int) -> None:
        """Keep ``retired after correction seq`` as the reason of each flag retired."""
        rows = [(f, retire_reason(seq), seq, _now()) for f in flag_ids]
        with self.meta._tx() as con:
            con.executemany(
                "INSERT OR REPLACE INTO flag_retirements (flag_id, reason, correction_seq, at) VALUES (?, ?, ?, ?)",
                rows,
            )

    def retirements_of(self, seq: int) -> list[str]:
        """The flags retired after correction ``seq``."""
        rows = self.meta._rows(
            "SELECT flag_id FROM flag_retirements WHERE correction_seq = ? ORDER BY flag_id", [seq]
        )
        return [r["flag_id"] for r in rows]

    def retirements(self, flag_ids: Iterable[str]) -> dict[str, str]:
        """The retire reasons kept for these flags (flag id to reason)."""
        ids = list(flag_ids)
        if not ids:
            return {}
        marks = ", ".join("?" * len(ids))
        rows = self.meta._rows(
            f"SELECT flag_id, reason FROM flag_retirements WHERE flag_id IN ({marks})", ids
        )
        return {r["flag_id"]: r["reason"] for r in rows}


def overlay(
    con: Any, corrections: Sequence[Mapping[str, Any]], since: Mapping[str, str] | None = None
) -> list[str]:
    """Make ``con`` read the corrected view of every table with corrections.

    For each such table, a temporary table ``_corrected_<table>`` holds its corrections
    pivoted to one row per key (the newest value of each corrected field, and whether
    it is set), and a temporary view named after the table shadows the stored one:
    its rows with those fields replaced. Only ``con`` sees them (temporary objects are
    per connection); tables without corrections are not touched.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        A connection (or cursor) to the event store.
    corrections : list of mapping
        The corrections (:meth:`Corrections.rows`).
    since : mapping of str to str, optional
        Per table, the earliest event time to read (an SQL timestamp literal): the view
        then holds only the rows whose time column (:func:`graph.events.month_column`),
        corrected, is on or after it, and the rows without one (incremental detection,
        :mod:`queries.incremental`). Tables named here get a view even without corrections.

    Returns
    -------
    list of str
        The tables now read corrected (or restricted).

    Examples
    --------
    >>> import duckdb
    >>> con = duckdb.connect()
    >>> _ = con.execute("CREATE TABLE shifts (shift_id VARCHAR, status VARCHAR, hours_claimed DOUBLE)")
    >>> _ = con.execute("INSERT INTO shifts VALUES ('SH1', 'worked', 8), ('SH2', 'worked', 6)")
    >>> cur = con.cursor()
    >>> overlay(cur, [{"seq": 1, "tbl": "shifts", "row_key": "SH1", "field": "status", "value": "cancelled"},
    ...               {"seq": 2, "tbl": "shifts", "row_key": "SH1", "field": "hours_claimed", "value": "0.0"}])
    ['shifts']
    >>> cur.execute("SELECT * FROM shifts ORDER BY shift_id").fetchall()
    [('SH1', 'cancelled', 0.0), ('SH2', 'worked', 6.0)]
    >>> con.execute("SELECT status FROM shifts ORDER BY shift_id").fetchall()  # the stored rows
    [('worked',), ('worked',)]
    """
    since = dict(since or {})
    if not corrections and not since:
        return []
    db = con.execute("SELECT current_database()").fetchall()[0][0]

    def where(t: Table) -> str:
        if t.name not in since:
            return ""
        col = q(month_column(t))
        return f" WHERE {col} >= {since[t.name]} OR {col} IS NULL"

    frame = pd.DataFrame(corrections, columns=["seq", "tbl", "row_key", "field", "value"]).sort_values("seq")
    done = []
    for only in since:  # restricted tables without corrections: their rows from that time on
        if only not in set(frame["tbl"]):
            r = TABLES[only]
            con.execute(
                f"CREATE OR REPLACE TEMP VIEW {r.name} AS SELECT * FROM {q(db)}.main.{r.name}{where(r)}"
            )
            done.append(r.name)
    for name, group in frame.groupby("tbl"):
        t = TABLES[str(name)]
        newest = group.drop_duplicates(["row_key", "field"], keep="last")
        fields = sorted(newest["field"].unique())
        pivot = pd.DataFrame({"row_key": sorted(newest["row_key"].astype(str).unique())})
        for i, f in enumerate(fields):
            got = newest[newest["field"] == f].set_index("row_key")["value"]
            pivot[f"s{i}"] = pivot["row_key"].isin(got.index)
            pivot[f"v{i}"] = [None if pd.isna(v) else str(v) for v in pivot["row_key"].map(got)]
        tmp = f"_corrected_{t.name}"
        con.register("_corrections_frame", pivot)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {tmp} AS SELECT * FROM _corrections_frame")
        con.unregister("_corrections_frame")
        swaps = ", ".join(
            f"CASE WHEN k.s{i} THEN CAST(k.v{i} AS {SQL_TYPES[t.column(f).type]}) ELSE s.{q(f)} END AS {q(f)}"
            for i, f in enumerate(fields)
        )
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {t.name} AS SELECT * FROM (SELECT s.* REPLACE ({swaps}) "
            f"FROM {q(db)}.main.{t.name} s LEFT JOIN {tmp} k ON k.row_key = s.{q(str(t.key))}){where(t)}"
        )
        done.append(t.name)
    return done


def reader(
    events: EventStore | None, meta: MetaStore, timezone: str, since: Mapping[str, str] | None = None
) -> Any:
    """A connection of its own to the event store, reading the corrected view.

    The one way detectors (:func:`queries.detect.run_detectors`) and pages open the
    event store: a cursor of it with the time zone set, corrections marked stale when
    their source row changed (:meth:`Corrections.mark_stale`) and laid over
    (:func:`overlay`). With no event store, an empty in-memory connection.

    Parameters
    ----------
    events : EventStore or None
        The event store (``None`` when no events were ever ingested).
    meta : MetaStore
        The metadata store holding the corrections.
    timezone : str
        The connection's time zone.
    since : mapping of str to str, optional
        Tables to read from an event time on only (see :func:`overlay`).

    Returns
    -------
    duckdb.DuckDBPyConnection
        The connection; the caller closes it.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> meta = MetaStore(Path(tempfile.mkdtemp()))
    >>> con = reader(None, meta, "Europe/London")
    >>> con.execute("SELECT 1").fetchall()
    [(1,)]
    >>> con.close(); meta.close()
    """
    import duckdb

    con = duckdb.connect() if events is None else events.con.cursor()
    con.execute(f"SET TimeZone = '{timezone}'")  # a connection setting: local days
    if events is not None:
        book = Corrections(meta)
        book.mark_stale(con)
        present = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        overlay(con, book.rows(), {t: v for t, v in (since or {}).items() if t in present})
    return con
