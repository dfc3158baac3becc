"""Loading the event tables (shifts, roster changes, badge swipes, remote sessions and
system access) into the event store (:mod:`graph.events`, DuckDB), validated in SQL.

Event tables reach hundreds of millions of rows at force scale, so they never pass
through pandas row by row: DuckDB reads the file (CSV, ``.csv.gz`` or Parquet), the
contract checks are one generated ``SELECT`` (types, required values, enums, time
order, duplicate keys, foreign keys by join), bad rows go to the quarantine with file,
line, column, reason and the raw row, and good rows are merged into the table by key
(new rows inserted, changed rows updated; unchanged rows left alone). Event exports
are treated as incremental: a row missing from a later export is not retired.

Damaged CSV files: DuckDB reads them with ``store_rejects``, so a row that cannot be
split into the header's fields (a cut-off last row, a line break outside quotes, an
unterminated quote) is quarantined with its true line and the rest of the file loads.
Line numbers come from one vectorised pass over the file's bytes
(:func:`ingest.reader.scan_csv`), so they stay right after quoted line breaks and blank
lines. A file that is not UTF-8 is refused whole, naming the line and column.

A run loads its event files all or nothing: every file is checked
(:meth:`EventLoader.check`, into temporary tables, outside any transaction: a statement
that fails inside a DuckDB transaction aborts it) before any is merged
(:meth:`EventLoader.merge`), and the store's ``begin`` / ``commit`` /
``rollback`` wrap the merges in one transaction.

The graph gets aggregated, time-bounded links computed here (see
:func:`aggregate_links`), each traceable to its event rows by its end ids.
"""

from __future__ import annotations

import bisect
import gzip
import io
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from graph.contract import Column, Table
from graph.events import CHANGES, CHANGES_DDL, SQL_TYPES, EventStore, lit, month_column, q
from graph.model import MODEL
from graph.store import RunInfo
from ingest.reader import (
    LINK_DROPPED,
    MAX_FIELD_SIZE,
    PREVIEW,
    QUARANTINE_COLUMNS,
    ROW_QUARANTINED,
    CsvScan,
    SourceFileError,
    _sha256,
    check_header,
    csv_records,
    file_manifest,
    is_gzip,
    is_parquet,
    scan_csv,
)

# contract type -> Parquet column types that already are it (read as they are, no check)
NATIVE = {
    "ts": {"TIMESTAMP WITH TIME ZONE"},
    "date": {"DATE"},
    "number": {"DOUBLE", "FLOAT", "BIGINT", "INTEGER"},
}
MAX_LINE_SIZE = 1 << 26
STAGED_PREFIX = "staged_"
"""Name prefix of a first load's checked table, kept in the store until merged (renamed into
place) or dropped (:meth:`EventLoader.rollback`, or the next loader's start)."""
"""Longest CSV line DuckDB is asked to read (64 MiB; its reading buffer is twice that,
which fits the smallest ``event_memory_mb``); values beyond ``max_field_size`` are
quarantined, a line beyond this refuses the file (naming its line)."""
WHITESPACE = "' ' || chr(9) || chr(10) || chr(13)"
"""Trimmed from both ends of every text value (as the entity reader's ``str.strip``)."""


@dataclass
class EventRead:
    """What loading one event file did (the same manifest shape as an entity table)."""

    table: Table
    path: Path
    rows_read: int
    rows_valid: int
    quarantine: pd.DataFrame
    sha256: str
    seconds: float
    new: int = 0
    changed: int = 0
    extra_columns: list[str] = field(default_factory=list)
    dropped: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=QUARANTINE_COLUMNS))

    @property
    def manifest(self) -> dict[str, object]:
        return {**file_manifest(self), "rows_new": self.new, "rows_changed": self.changed}


@dataclass
class EventCheck:
    """One event file read and validated into a temporary table, not merged yet."""

    table: Table
    path: Path
    checked: str
    """The temporary table: typed columns, ``__line``, ``__problems`` (empty: good)."""
    rows_read: int
    quarantine: pd.DataFrame
    dropped: pd.DataFrame
    sha256: str
    seconds: float
    extra_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def rows_valid(self) -> int:
        return self.rows_read - len(self.quarantine)


GOT, CLOSE = " (got '", "')"


def _value_check(c: Column) -> tuple[str, str] | None:
    """(typed expression, problem condition) for one column, or None for plain text."""
    col = q(c.name)
    if c.type == "date":
        return f"TRY_STRPTIME({col}, '%Y-%m-%d')::DATE", "not a date (YYYY-MM-DD)"
    if c.type == "ts":
        return f"TRY_CAST({col} AS TIMESTAMPTZ)", "not an ISO 8601 date-time"
    if c.type == "number":
        return f"TRY_CAST({col} AS DOUBLE)", "not a (finite) number"
    return None


def _preview_sql(expr: str) -> str:
    """A value as quarantine text: long ones cut to :data:`PREVIEW` characters."""
    return (
        f"CASE WHEN length({expr}) > {PREVIEW} THEN left({expr}, {PREVIEW}) || '… (' || "
        f"format('{{:,}}', length({expr})) || ' characters)' ELSE {expr} END"
    )


def validation_sql(
    table: Table,
    present: list[str],
    fk_views: Mapping[str, str],
    file: str,
    native: set[str] | frozenset[str] = frozenset(),
    *,
    max_field_size: int = MAX_FIELD_SIZE,
) -> str:
    """One ``SELECT`` over the raw rows (``stage``: ``__row``, ``__line`` + text columns,
    except the ``native`` ones, already typed) giving typed columns, ``__problems`` (a
    list of ``'column: reason'``) and ``__dropped`` (optional references to no known
    key: the value is dropped, the row kept)."""
    typed: list[str] = []
    problems: list[tuple[str, str]] = []  # (condition, message)
    dropped: list[tuple[str, str]] = []
    for name in present:
        if name not in native:
            problems.append(
                (
                    # the byte length (free) first: characters are counted only past it
                    f"strlen(s.{q(name)}) > {int(max_field_size)} AND length(s.{q(name)}) > {int(max_field_size)}",
                    lit(f"{name}: value longer than {max_field_size:,} characters (a broken export?)"),
                )
            )
    for c in table.columns:
        col = q(c.name)
        if c.name not in present:
            typed.append(f"NULL::{SQL_TYPES[c.type]} AS {col}")
            continue
        if c.required:
            problems.append((f"s.{col} IS NULL", lit(c.name + ": missing required value")))
        check = None if c.name in native else _value_check(c)
        if c.name in native:
            typed.append(f"s.{col} AS {col}")
        elif check:
            expr, why = check
            typed_expr = expr.replace(col, "s." + col)
            bad = (
                f"{typed_expr} IS NULL"
                if c.type != "number"
                else f"NOT coalesce(isfinite({typed_expr}), false)"
            )
            typed.append(f"{typed_expr} AS {col}")
            problems.append(
                (
                    f"s.{col} IS NOT NULL AND {bad}",
                    f"{lit(c.name + ': ' + why + GOT)} || {_preview_sql(f's.{col}::VARCHAR')} || {lit(CLOSE)}",
                )
            )
        elif c.type == "enum":
            allowed = ", ".join(lit(v) for v in c.enum)
            typed.append(f"s.{col} AS {col}")
            problems.append(
                (
                    f"s.{col} IS NOT NULL AND s.{col} NOT IN ({allowed})",
                    f"{lit(c.name + ': unknown value (allowed: ' + '|'.join(c.enum) + ')' + GOT)} || "
                    f"{_preview_sql(f's.{col}')} || {lit(CLOSE)}",
                )
            )
        elif c.type == "list":
            typed.append(
                f"list_filter(list_transform(string_split(s.{col}, ';'), lambda x: trim(x)), lambda x: x <> '') AS {col}"
            )
        elif c.ref and c.name in fk_views and not c.required:
            typed.append(f"CASE WHEN fk_{c.name}.k IS NULL THEN NULL ELSE s.{col} END AS {col}")
        else:
            typed.append(f"s.{col} AS {col}")
        if c.ref and c.name in fk_views:
            alias = f"fk_{c.name}"
            why = f"{c.name}: points to no {c.ref}"
            if c.required:
                problems.append(
                    (
                        f"s.{col} IS NOT NULL AND {alias}.k IS NULL",
                        f"{lit(why + GOT)} || {_preview_sql(f's.{col}')} || {lit(CLOSE)}",
                    )
                )
            else:
                dropped.append(
                    (
                        f"s.{col} IS NOT NULL AND {alias}.k IS NULL",
                        f"{lit(why + ': the link is dropped, the row kept' + GOT)} || {_preview_sql(f's.{col}')} "
                        f"|| {lit(CLOSE)}",
                    )
                )
    if table.time_order and all(x in present for x in table.time_order):
        a, b = table.time_order
        ea = _value_check(table.column(a))
        eb = _value_check(table.column(b))
        assert ea and eb
        xa = "s." + q(a) if a in native else ea[0].replace(q(a), "s." + q(a))
        xb = "s." + q(b) if b in native else eb[0].replace(q(b), "s." + q(b))
        op, word = ("<=", "is not after") if table.column(a).type == "ts" else ("<", "is before")
        problems.append((f"{xb} {op} {xa}", lit(f"{b}: {b} {word} {a}")))
    joins = " ".join(
        f"LEFT JOIN {view} fk_{name} ON s.{q(name)} = fk_{name}.k" for name, view in fk_views.items()
    )
    extra = [c for c in present if c not in table.names]
    extra_sql = (
        "CASE WHEN "
        + " AND ".join(f"s.{q(c)} IS NULL" for c in extra)
        + " THEN NULL ELSE json_object("
        + ", ".join(f"{lit(c)}, s.{q(c)}" for c in extra)
        + ")::VARCHAR END"
        if extra
        else "NULL::VARCHAR"
    )
    raw = (
        "json_object("
        + ", ".join(f"{lit(c)}, {_preview_sql(f's.{q(c)}::VARCHAR')}" for c in present)
        + ")::VARCHAR"
    )

    def as_list(parts: list[tuple[str, str]]) -> str:
        """The messages of the conditions that hold: built only for rows where one does
        (the list and its lambda cost more than the tests, and most rows pass them all)."""
        if not parts:
            return "[]::VARCHAR[]"
        msgs = ", ".join(f"CASE WHEN {cond} THEN {msg} END" for cond, msg in parts)
        anyone = " OR ".join(f"coalesce({cond}, false)" for cond, _ in parts)
        return (
            f"CASE WHEN {anyone} THEN list_filter([{msgs}]::VARCHAR[], lambda x: x IS NOT NULL) "
            "ELSE []::VARCHAR[] END"
        )

    # the raw row (as JSON) is built only for rows with a problem: the outer SELECT keeps it
    inner = (
        f"SELECT s.__row, s.__line, {', '.join(typed)}, {extra_sql} AS extra, {lit(file)} AS source_file, "
        f"{as_list(problems)} AS __problems, {as_list(dropped)} AS __dropped, "
        f"CASE WHEN len(__problems) > 0 OR len(__dropped) > 0 THEN {raw} END AS __raw FROM stage s {joins}"
    )
    # the event table's columns in its order (contract columns, extra, source_file, the line,
    # row_hash), then the checks' own: a first load's checked table becomes the table itself
    names = ", ".join(q(c.name) for c in table.columns)
    return (
        f"SELECT {names}, extra, source_file, __line, hash({names}, extra) AS row_hash, "
        f"__row, __problems, __dropped, __raw FROM ({inner})"
    )


def _reject_reason(
    error_type: str, message: str, column: str | None, found: int | None, width: int, last: str
) -> tuple[str, str]:
    """(column, reason) for a row DuckDB could not split into the header's fields."""
    if error_type == "MISSING COLUMNS":
        return (
            column or "",
            f"the row has {found} field(s), the header {width}: a line break outside quotes, or a cut-off row",
        )
    if error_type == "TOO MANY COLUMNS":
        return f"(after {last})", f"the row has {found} field(s), the header {width}: a stray comma"
    if error_type == "UNQUOTED VALUE":
        return column or "", (
            "a quoted value is not closed properly (an unterminated quote, or text after "
            "the closing quote; a quote inside a quoted value must be doubled)"
        )
    return column or "", f"cannot be read ({error_type.lower()}: {message})"


class EventLoader(EventStore):
    """The event store as ingest writes it: source files validated in SQL (:meth:`check`)
    and merged by key (:meth:`merge`).

    ``touched`` names, per link type aggregated pair by pair (see :data:`TOUCHED`) whose
    event table this run merged, the temporary table of the (start, end) pairs whose rows
    this run added or changed (``None`` after a first load: every pair is new)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.touched: dict[str, str | None] = {}
        self.edits: dict[str, str | None] = {}
        """Per table of :data:`EDIT_ROWS` this run merged, the table of its rows' shifts and
        people, old and new (``None`` after a first load)."""
        self.drop_staged()  # a run killed before its merge leaves its checked tables behind

    def drop_staged(self) -> None:
        """Drop first loads' checked tables that were never merged."""
        for (t,) in self.con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_name LIKE ?",
            [STAGED_PREFIX + "%"],
        ).fetchall():
            self._exec(f"DROP TABLE IF EXISTS main.{q(str(t))}")

    def edited_scope(self) -> str | None:
        """The table of ``(changed_by, officer_id)`` pairs whose ``EDITED_ROSTER_OF`` link
        this run's merges may change (see :data:`EDIT_ROWS`); ``None`` when every pair is
        to be aggregated (a first load of either table this run).

        Returns
        -------
        str or None
            The name of a temporary table with columns ``changed_by`` and ``officer_id``.
        """
        if not self.edits or any(t is None for t in self.edits.values()):
            return None
        if not (self.has("roster_changes") and self.has("shifts")):
            return None  # nothing to aggregate (aggregate_links gives None)
        by, of = (q(c) for c in EDITED_PAIR)
        shifts = " UNION ".join(f"SELECT shift_id FROM {t}" for t in self.edits.values())
        editors = [f"SELECT shift_id, {by} FROM roster_changes WHERE shift_id IN (SELECT shift_id FROM s)"]
        officers = [f"SELECT shift_id, {of} FROM shifts WHERE shift_id IN (SELECT shift_id FROM s)"]
        if "roster_changes" in self.edits:
            editors.append(f"SELECT shift_id, {by} FROM {self.edits['roster_changes']}")
        if "shifts" in self.edits:
            officers.append(f"SELECT shift_id, {of} FROM {self.edits['shifts']}")
        self._exec(
            f"""CREATE OR REPLACE TEMP TABLE touched_edited_roster_of AS
                WITH s AS ({shifts}), e AS ({" UNION ".join(editors)}), o AS ({" UNION ".join(officers)})
                SELECT DISTINCT e.{by}, o.{of} FROM e JOIN o USING (shift_id)
                WHERE e.{by} IS NOT NULL AND o.{of} IS NOT NULL"""
        )
        return "touched_edited_roster_of"

    def rollback(self) -> None:
        """Discard the merges' transaction and every checked table not merged."""
        super().rollback()
        self.drop_staged()

    def keys(self, table: str, column: str, pending: EventCheck | None = None) -> str | None:
        """A view of a key column of an event table, for foreign-key joins: its rows in
        the store and the good rows of ``pending`` (the same table, checked in this run
        but not merged yet)."""
        parts = [f"SELECT {q(column)} AS k FROM {table}"] if self.has(table) else []
        if pending is not None:
            parts.append(f"SELECT {q(column)} AS k FROM {pending.checked} WHERE len(__problems) = 0")
        if not parts:
            return None
        view = f"keys_{table}_{column}"
        self._exec(f"CREATE OR REPLACE TEMP VIEW {view} AS {' UNION '.join(parts)}")
        return view

    def register_keys(self, name: str, keys: set[str]) -> str:
        """Keys from the graph (or this run) as a temporary table for foreign-key joins."""
        view = f"keys_{name}"
        arrow_keys = pa.table({"k": pa.array(list(keys), type=pa.string())})
        self.con.register(view + "_arrow", arrow_keys)
        self._exec(f"CREATE OR REPLACE TEMP TABLE {view} AS SELECT k FROM {view}_arrow")
        self.con.unregister(view + "_arrow")
        return view

    def _header(self, path: Path) -> list[str]:
        """The CSV header, read here (DuckDB renames duplicate names and may sniff a
        damaged file wrongly): the first record, decoded on its own."""
        head, lines = b"", 0
        try:
            opener = gzip.open if is_gzip(path) else open
            with opener(path, "rb") as f:  # type: ignore[operator]
                for line in f:
                    head += line
                    lines += 1
                    if (head.count(b'"') % 2 == 0 and head.strip()) or lines > 1000:
                        break
        except (OSError, EOFError) as e:
            raise SourceFileError(f"{path}: cannot read ({e})") from e
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError as e:
            at = head.count(b"\n", 0, e.start) + 1
            raise SourceFileError(
                f"{path}: not UTF-8 text: line {at} (the header) has byte "
                f"0x{e.object[e.start]:02x} (encoding: Latin-1 or Windows-1252?); re-export the file as UTF-8"
            ) from e
        first = next(csv_records(io.StringIO(text.removeprefix("\ufeff"), newline="")), None)
        if first is None:
            raise SourceFileError(f"{path}: empty file (no header row)")
        at_line, _last, names, error = first
        if names is None:
            raise SourceFileError(f"{path}: line {at_line}: the header row cannot be read: {error}")
        return check_header(path, names)

    def _source(
        self, path: Path, table: Table, name: str, *, strict: bool = True
    ) -> tuple[str, list[str], set[str]]:
        """SQL reading the file with ``__row`` (its position among the rows read), its
        column names, and the columns read natively (Parquet columns already of their
        contract type); the rest are read as trimmed text with ``''`` as missing. CSV
        rows that cannot be read go to the ``rej_<name>`` rejects table."""
        p = lit(str(path))
        if is_parquet(path):
            try:
                check_header(path, pq.read_schema(path).names)
            except SourceFileError:
                raise
            except Exception as e:  # pyarrow raises several types for a bad file
                raise SourceFileError(f"{path}: not a readable Parquet file ({e})") from e
            scan = f"read_parquet({p}, file_row_number=true)"
            try:
                described = self.con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()
            except duckdb.Error as e:
                raise SourceFileError(
                    f"{path}: not a readable Parquet file ({str(e).splitlines()[0]})"
                ) from e
            types = {str(r[0]): str(r[1]) for r in described}
            types.pop("file_row_number", None)
            row, line = "file_row_number + 1", "__row"
        else:
            names = self._header(path)
            types = dict.fromkeys(names, "VARCHAR")
            columns = "{" + ", ".join(f"{lit(c)}: 'VARCHAR'" for c in names) + "}"
            self._exec(f"DROP TABLE IF EXISTS rej_{name}")
            self._exec(f"DROP TABLE IF EXISTS rejscan_{name}")
            scan = (
                f"read_csv({p}, header=true, auto_detect=false, columns={columns}, delim=',', "
                f"quote='\"', escape='\"', compression={lit('gzip' if is_gzip(path) else 'none')}, "
                f"store_rejects=true, rejects_table='rej_{name}', rejects_scan='rejscan_{name}', "
                f"max_line_size={MAX_LINE_SIZE}, buffer_size={2 * MAX_LINE_SIZE}"
                + ("" if strict else ", strict_mode=false")
                + ")"
            )
            row, line = "row_number() OVER ()", "__row + 1"
        cols = list(types)
        contract = {c.name: c.type for c in table.columns}
        native = {c for c in cols if types[c] in NATIVE.get(contract.get(c, ""), set())}
        read = ", ".join(
            f"{q(c)}::{SQL_TYPES[contract[c]]} AS {q(c)}"
            if c in native
            else f"{_trimmed(q(c) + '::VARCHAR')} AS {q(c)}"
            for c in cols
        )
        return f"SELECT *, {line} AS __line FROM (SELECT {row} AS __row, {read} FROM {scan})", cols, native

    @staticmethod
    def _unreadable(path: Path, e: Exception) -> SourceFileError:
        msg = str(e).split("\n")[0]
        if "unicode" in msg.lower() or "utf" in msg.lower():
            return SourceFileError(f"{path}: not UTF-8 text ({msg}); re-export the file as UTF-8")
        if "maximum line size" in msg.lower() or "max_line_size" in msg.lower():
            return SourceFileError(
                f"{path}: a line is longer than {MAX_LINE_SIZE:,} bytes ({msg}); is this a CSV export?"
            )
        return SourceFileError(f"{path}: cannot read ({msg})")

    def check(
        self,
        path: Path,
        table: Table,
        fk: Mapping[str, str | None],
        *,
        max_field_size: int = MAX_FIELD_SIZE,
    ) -> EventCheck:
        """Read and validate one event file into a temporary table, merging nothing.
        ``fk`` maps ``table.column`` references to a key view (``None``: not checkable)."""
        t0 = time.perf_counter()
        name = table.name
        # a first load is checked straight into a table of the store (STAGED_PREFIX), which
        # merge then renames into place: the rows are written once, not copied from a temporary
        # table (at a Met-sized force, spilling 60 M rows to disk and reading them back)
        first = self.count(name) == 0
        checked = f"{STAGED_PREFIX}{name}" if first else f"checked_{name}"
        create = f"CREATE OR REPLACE {'' if first else 'TEMP '}TABLE {checked} AS "
        source, cols, native = self._source(path, table, name)
        missing = [c for c in table.required if c not in cols]
        if missing:
            if not set(table.names) & set(cols):
                raise SourceFileError(
                    f"{path}: no header row with the {table.name} columns on line 1 (expected e.g. {', '.join(table.required)})"
                )
            raise SourceFileError(
                f"{path}: required column(s) missing: {', '.join(missing)} (header, line 1)"
            )
        fk_views = {c.name: v for c in table.columns if c.ref and c.name in cols and (v := fk.get(c.ref))}
        sql = validation_sql(table, cols, fk_views, path.name, native, max_field_size=max_field_size)
        notes: list[str] = []
        lenient = False
        try:
            # Parquet rows carry their own row number: they may be written in any order, in parallel
            # (a CSV's rows are numbered in the order they are read)
            if is_parquet(path):
                self._exec("SET preserve_insertion_order = false")
            self._exec(create + sql.replace("FROM stage s", f"FROM ({source}) s", 1))
        except duckdb.Error as e:
            if is_parquet(path) or "maximum line size" in str(e).lower():
                raise self._line_too_long(path, e) from e
            # the strict parser gives up on some files as a whole (mixed line endings)
            self._lenient(path, table, name, sql, e, create)
            lenient = True
            notes.append(
                f"{path.name}: read leniently, the strict CSV reader refused it "
                f"({str(e).splitlines()[0]}){_odd_line_ending(path)}"
            )
        finally:
            self._exec("SET preserve_insertion_order = true")
        broken: list[dict[str, object]] = []
        if is_parquet(path):
            sha = _sha256(path)
        else:
            broken, sha, mixed = self._rejects(path, name, checked, cols, notes)
            if mixed and not lenient:  # the strict parser misreads rows after a change of line ending
                self._lenient(path, table, name, sql, None, create)
                notes[:] = [f"{path.name}: read leniently: mixed line endings{_odd_line_ending(path)}"]
                broken, sha, _mixed = self._rejects(path, name, checked, cols, notes)
        key = q(str(table.key))
        rows_read, distinct = self.con.execute(
            f"SELECT count(*), count(DISTINCT {key}) + count(*) FILTER (WHERE {key} IS NULL) FROM {checked}"
        ).fetchall()[0]
        if distinct < rows_read:  # duplicate keys among otherwise good rows: the first keeps the key
            self._exec(
                f"""UPDATE {checked} SET __problems = list_append(__problems, {lit(str(table.key) + ": duplicate key (an earlier row has it)")})
                WHERE __row IN (SELECT __row FROM (SELECT __row, row_number() OVER (PARTITION BY {key} ORDER BY __row) AS n
                                                   FROM {checked} WHERE len(__problems) = 0 AND {key} IS NOT NULL) WHERE n > 1)"""
            )
        quarantine = self.con.execute(
            f"""SELECT {lit(path.name)} AS file, __line AS line,
                   array_to_string(list_transform(__problems, lambda x: split_part(x, ':', 1)), ';') AS "column",
                   array_to_string(__problems, '; ') AS reason, __raw AS raw, {lit(ROW_QUARANTINED)} AS action
                FROM {checked} WHERE len(__problems) > 0 ORDER BY __line"""
        ).df()
        if broken:
            quarantine = (
                pd.concat([quarantine, pd.DataFrame(broken)], ignore_index=True)
                .sort_values("line", kind="stable")
                .reset_index(drop=True)
            )
        dropped = self.con.execute(
            f"""SELECT {lit(path.name)} AS file, __line AS line, split_part(d, ':', 1) AS "column",
                   d AS reason, __raw AS raw, {lit(LINK_DROPPED)} AS action
                FROM (SELECT __line, __raw, unnest(__dropped) AS d FROM {checked}
                      WHERE len(__problems) = 0 AND len(__dropped) > 0) ORDER BY line, "column" """
        ).df()
        return EventCheck(
            table,
            path,
            checked,
            int(rows_read) + len(broken),
            quarantine.reindex(columns=QUARANTINE_COLUMNS),
            dropped.reindex(columns=QUARANTINE_COLUMNS),
            sha,
            time.perf_counter() - t0,
            [c for c in cols if c not in table.names],
            notes,
        )

    def _lenient(
        self, path: Path, table: Table, name: str, sql: str, first: Exception | None, create: str
    ) -> None:
        """Read ``path`` again with DuckDB's lenient CSV parser into the checked table
        (``create``: the statement's head that makes it)."""
        source = self._source(path, table, name, strict=False)[0]
        try:
            self._exec(create + sql.replace("FROM stage s", f"FROM ({source}) s", 1))
        except duckdb.Error as e2:
            raise self._unparsable(path, e2) from (first or e2)

    def _unparsable(self, path: Path, e: Exception) -> SourceFileError:
        """A CSV file neither DuckDB parser reads: where its line endings change, if they
        do; else where the csv module first sees a row of the wrong shape."""
        msg = str(e).splitlines()[0]
        odd = _odd_line_ending(path)
        if not odd:
            width = None
            opener = gzip.open if is_gzip(path) else open
            with opener(path, "rt", encoding="utf-8", errors="replace", newline="") as f:  # type: ignore[operator]
                for first, _last, rec, error in csv_records(f):
                    if width is None and rec is not None:
                        width = len(rec)
                    elif rec is None or len(rec) != width:
                        odd = f"; line {first} is the first irregular row ({error or f'{len(rec or [])} fields'})"
                        break
        return SourceFileError(f"{path}: cannot be read as CSV ({msg}){odd or '; line unknown'}")

    def _line_too_long(self, path: Path, e: Exception) -> SourceFileError:
        """The error for a CSV file DuckDB gave up on: a line over :data:`MAX_LINE_SIZE`
        is named by its true line (DuckDB's own line number is off)."""
        if "maximum line size" not in str(e).lower():
            return self._unreadable(path, e)
        scan = scan_csv(path)
        return self._too_long(path, scan) or self._unreadable(path, e)

    @staticmethod
    def _too_long(path: Path, scan: CsvScan) -> SourceFileError | None:
        if scan.longest < MAX_LINE_SIZE:
            return None
        return SourceFileError(
            f"{path}: line {scan.line(scan.longest_record)} starts a row of {scan.longest:,} bytes, more "
            f"than the {MAX_LINE_SIZE:,} a row may have (an unbalanced quote runs it on?); fix or re-export "
            "the file"
        )

    def _rejects(
        self, path: Path, name: str, checked: str, cols: list[str], notes: list[str]
    ) -> tuple[list[dict[str, object]], str, bool]:
        """The rows DuckDB rejected (as quarantine records with their true lines), after
        giving every row read its true line; the file's SHA-256; and whether its rows end
        in both ``\\n`` and ``\\r\\n``."""
        rej = self.con.execute(
            f"""SELECT line_byte_position, arg_min(error_type, column_idx), arg_min(column_name, column_idx),
                       arg_min(error_message, column_idx), any_value(csv_line), min(line)
                FROM rej_{name} GROUP BY line_byte_position ORDER BY line_byte_position"""
        ).fetchall()
        self._exec(f"DROP TABLE IF EXISTS rej_{name}")
        self._exec(f"DROP TABLE IF EXISTS rejscan_{name}")
        rows_out = int(self.con.execute(f"SELECT count(*) FROM {checked}").fetchall()[0][0])  # type: ignore[index]
        scan = scan_csv(path, [int(r[0]) for r in rej])
        mixed = scan.crlf_ends > 0 and scan.lf_ends > 0
        rejected = [int(k) for k in scan.located]
        exact = scan.records - 1 - len(set(rejected)) == rows_out and all(k >= 1 for k in rejected)
        if exact and (too_long := self._too_long(path, scan)) is not None:
            raise too_long  # DuckDB misplaces such a row among its neighbours: refuse the file
        if not exact:  # RFC 4180 quote pairing disagrees with DuckDB (a stray quote): ask csv
            scan, rejected = _csv_module_scan(path, scan)
            exact = scan.records - 1 - len(set(rejected)) == rows_out
        lines = [scan.line(k) if exact else int(r[5]) for k, r in zip(rejected, rej, strict=True)]
        bad_text = [(ln, r) for ln, r in zip(lines, rej, strict=True) if r[1] == "INVALID ENCODING"]
        if bad_text:
            ln, r = bad_text[0]
            more = f" ({len(bad_text)} rows in all)" if len(bad_text) > 1 else ""
            raise SourceFileError(
                f"{path}: not UTF-8 text: line {ln}, column {r[2]} has bytes that are not UTF-8{more} "
                "(encoding: Latin-1 or Windows-1252?); re-export the file as UTF-8"
            )
        if exact:
            self._renumber(checked, _row_breaks(scan, sorted(set(rejected))))
        width, out = len(cols), []
        for k, ln, r in zip(rejected, lines, rej, strict=True):
            found = re.search(r"Found: (\d+)", str(r[3] or ""))
            column, reason = _reject_reason(
                str(r[1]), str(r[3] or ""), r[2], int(found.group(1)) if found else None, width, cols[-1]
            )
            if exact and k + 1 >= scan.records and scan.lines > ln:
                reason += f"; it runs on to the end of the file (lines {ln}-{scan.lines})"
            text = str(r[4] or "").lstrip("\r\n")
            out.append(
                {
                    "file": path.name,
                    "line": ln,
                    "column": column,
                    "reason": reason,
                    "raw": json.dumps(
                        {
                            "_text": text[:PREVIEW]
                            + (f"… ({len(text):,} characters)" if len(text) > PREVIEW else "")
                        }
                    ),
                    "action": ROW_QUARANTINED,
                }
            )
        if not exact:
            notes.append(f"{path.name}: the line numbers of its rows may be approximate (unusual quoting)")
        return out, scan.sha256, mixed

    def _renumber(self, checked: str, breaks: list[tuple[int, int]]) -> None:
        """Give every row its true line: ``__line = __row + 1 + add`` from the last break."""
        if not breaks:
            return
        data = pa.table(
            {
                "r": pa.array([b[0] for b in breaks], pa.int64()),
                "add": pa.array([b[1] for b in breaks], pa.int64()),
            }
        )
        self.con.register("breaks_arrow", data)
        temp = "" if checked.startswith(STAGED_PREFIX) else "TEMP "
        self._exec(
            f"""CREATE OR REPLACE {temp}TABLE {checked}_n AS
                SELECT c.* REPLACE (c.__row + 1 + coalesce(b.add, 0) AS __line)
                FROM {checked} c ASOF LEFT JOIN breaks_arrow b ON c.__row >= b.r"""
        )
        self.con.unregister("breaks_arrow")
        self._exec(f"DROP TABLE {checked}")
        self._exec(f"ALTER TABLE {checked}_n RENAME TO {checked}")

    def merge(self, chk: EventCheck, run: RunInfo) -> EventRead:
        """Merge a checked file's good rows into its table by key (new rows inserted,
        changed rows updated, unchanged rows left alone), then drop the temporary table."""
        t0 = time.perf_counter()
        table, checked = chk.table, chk.checked
        self.ensure(table)
        key = q(str(table.key))
        names = ", ".join(q(c) for c in table.names)
        good = (
            f"SELECT {names}, extra, source_file, __line AS source_line, row_hash "
            f"FROM {checked} WHERE len(__problems) = 0"
        )
        before = self.count(table.name)
        params = [run.run_id, run.ts, run.ts]
        changed = 0
        links = {rel: cols for rel, (name, cols) in TOUCHED.items() if name == table.name}
        self._exec("SET preserve_insertion_order = false")  # lines are numbered already
        if (
            checked.startswith(STAGED_PREFIX) and before == 0
        ):  # a first load (check() staged it): it is the table
            self._finish_staged(table, checked, run)
            self.touched.update(dict.fromkeys(links))  # a first load: its links are made whole
            if table.name in EDIT_ROWS:
                self.edits[table.name] = None
        else:
            self._exec(f"CREATE OR REPLACE TEMP TABLE incoming AS {good}")
            when = q(month_column(table))  # the old time of the rows about to change (lost after)
            pairs = [c for pair in links.values() for c in pair]
            edit = EDIT_ROWS.get(table.name, ())
            kept = ", ".join(
                q(c) for c in dict.fromkeys([str(table.key), "row_hash", month_column(table), *pairs, *edit])
            )
            # the rows the file has again, found in one pass over the table (a day's few thousand
            # rows against a hundred million: each join below would be a pass of its own)
            self._exec(
                f"""CREATE OR REPLACE TEMP TABLE matched AS SELECT {kept} FROM {table.name}
                    WHERE {key} IN (SELECT {key} FROM incoming)"""
            )
            for rel, pair in links.items():  # the pairs whose aggregated link this run may change
                cols = ", ".join(q(c) for c in pair)
                known = " AND ".join(f"{q(c)} IS NOT NULL" for c in pair)  # no link joins a null
                self._exec(
                    f"""CREATE OR REPLACE TEMP TABLE touched_{rel.lower()} AS
                        SELECT * FROM (SELECT {cols} FROM incoming UNION SELECT {cols} FROM matched)
                        WHERE {known}"""
                )
                self.touched[rel] = f"touched_{rel.lower()}"
            if edit:  # the shifts and people of EDITED_ROSTER_OF pairs this run may change
                cols = ", ".join(q(c) for c in edit)
                self._exec(
                    f"""CREATE OR REPLACE TEMP TABLE touched_edits_{table.name} AS
                        SELECT {cols} FROM incoming UNION SELECT {cols} FROM matched"""
                )
                self.edits[table.name] = f"touched_edits_{table.name}"
            self._exec(
                f"""INSERT INTO {table.name} SELECT i.*, ?, ?, ? FROM incoming i
                    WHERE NOT EXISTS (SELECT 1 FROM matched m WHERE m.{key} = i.{key})""",
                params,
            )
            self._exec(CHANGES_DDL)
            logged = self._exec(
                f"""INSERT INTO {CHANGES} SELECT ?, ?, min(m.{when}), count(*) FROM matched m
                    JOIN incoming i ON m.{key} = i.{key} WHERE m.row_hash <> i.row_hash HAVING count(*) > 0
                    RETURNING n""",
                [run.run_id, table.name],
            )
            if logged:  # some row changed (none: no pass over the table to update nothing)
                sets = ", ".join(
                    f"{q(c)} = i.{q(c)}"
                    for c in (*table.names, "extra", "source_file", "source_line", "row_hash")
                )
                changed = int(
                    self.con.execute(
                        f"""UPDATE {table.name} t SET {sets}, run_id = ?, last_seen = ? FROM incoming i
                        WHERE t.{key} = i.{key} AND t.row_hash <> i.row_hash""",
                        [run.run_id, run.ts],
                    ).fetchall()[0][0]
                )  # type: ignore[index]
            self._exec("DROP TABLE matched")
            self._exec("DROP TABLE incoming")
        self._exec(f"DROP TABLE IF EXISTS {checked}")
        self._exec("SET preserve_insertion_order = true")
        new = self.count(table.name) - before
        return EventRead(
            table,
            chk.path,
            chk.rows_read,
            chk.rows_valid,
            chk.quarantine,
            chk.sha256,
            chk.seconds + time.perf_counter() - t0,
            new,
            changed,
            chk.extra_columns,
            chk.dropped,
        )

    def _finish_staged(self, table: Table, staged: str, run: RunInfo) -> None:
        """Make a first load's checked table the event table: its rows with problems out, the
        checks' columns dropped, the run's provenance added (columns in :func:`ddl`'s order)."""
        self._exec(f"DELETE FROM {staged} WHERE len(__problems) > 0")
        for c in ("__row", "__problems", "__dropped", "__raw"):
            self._exec(f"ALTER TABLE {staged} DROP COLUMN {c}")
        self._exec(f"ALTER TABLE {staged} RENAME COLUMN __line TO source_line")
        ts = lit(run.ts.isoformat())
        for col, typ, value in (
            ("run_id", "VARCHAR", lit(run.run_id)),
            ("first_seen", "TIMESTAMPTZ", f"CAST({ts} AS TIMESTAMPTZ)"),
            ("last_seen", "TIMESTAMPTZ", f"CAST({ts} AS TIMESTAMPTZ)"),
        ):
            self._exec(f"ALTER TABLE {staged} ADD COLUMN {col} {typ} DEFAULT {value}")
            self._exec(f"ALTER TABLE {staged} ALTER COLUMN {col} DROP DEFAULT")
        self._exec(f"DROP TABLE {table.name}")
        self._exec(f"ALTER TABLE {staged} RENAME TO {table.name}")

    def load(self, path: Path, table: Table, fk: Mapping[str, str | None], run: RunInfo) -> EventRead:
        """Validate and merge one event file (:meth:`check`, then :meth:`merge`). ``fk``
        maps ``table.column`` references to a key view (``None``: not checkable)."""
        return self.merge(self.check(path, table, fk), run)


def _trimmed(expr: str) -> str:
    """SQL for a text value trimmed of :data:`WHITESPACE`, ``''`` as missing. Trimming is
    skipped when the first and last characters are not white space (nearly every value):
    it cost a third of validating a hundred million lookups.

    >>> import duckdb
    >>> duckdb.sql(f"SELECT {_trimmed('x')} AS v FROM (VALUES ('a b'), (' a '), (''), (chr(9) || 'b'), (NULL)) t(x)").fetchall()
    [('a b',), ('a',), (None,), ('b',), (None,)]
    """
    return (
        f"CASE WHEN {expr} = '' THEN NULL WHEN ord(left({expr}, 1)) > 32 AND ord(right({expr}, 1)) > 32 "
        f"THEN {expr} ELSE nullif(trim({expr}, {WHITESPACE}), '') END"
    )


def _odd_line_ending(path: Path) -> str:
    """``'; line N …'`` where a file's line endings first differ from its first line's
    (a file pieced together from exports made on different systems), or ``''``."""
    opener = gzip.open if is_gzip(path) else open
    with opener(path, "rb") as f:  # type: ignore[operator]
        first = None
        for n, line in enumerate(f, start=1):
            if not line.endswith(b"\n"):
                break
            ending = b"\r\n" if line.endswith(b"\r\n") else b"\n"
            lone_cr = b"\r" in line[: -len(ending)]
            if first is None:
                first = ending
            if ending != first or lone_cr:
                what = "a carriage return inside it" if lone_cr else f"ends {ending!r}, line 1 {first!r}"
                return f"; line {n} has {what}" if lone_cr else f"; line {n} {what} (mixed line endings)"
    return ""


def _row_breaks(scan: CsvScan, rejected: list[int]) -> list[tuple[int, int]]:
    """Where the line numbering of the rows DuckDB read shifts: ``(row, add)`` with
    ``line = row + 1 + add`` from that row on (rows are numbered from 1, records from 0 =
    the header; rejected records are not rows)."""
    rej = set(rejected)
    brk_k = [b[0] for b in scan.breaks]

    def add_at(k: int) -> int:
        i = bisect.bisect_right(brk_k, k) - 1
        off = scan.breaks[i][1] if i >= 0 else 0
        return bisect.bisect_left(rejected, k) + off

    out: dict[int, int] = {}
    for k in sorted({*brk_k, *(r + 1 for r in rejected)}):
        g = max(k, 1)
        while g in rej:
            g += 1
        if g >= scan.records:
            continue
        row = g - bisect.bisect_left(rejected, g)
        out[row] = add_at(g)
    return sorted(out.items())


def _csv_module_scan(path: Path, scan: CsvScan) -> tuple[CsvScan, list[int]]:
    """Record start lines by the csv module (its quoting rules match DuckDB's, also for
    a quote inside an unquoted value, which the byte scan cannot see), and the records
    holding the rejected rows (found by their physical lines). Slow: only for files the
    byte scan gets wrong."""
    opener = gzip.open if is_gzip(path) else open
    with opener(path, "rt", encoding="utf-8", errors="replace", newline="") as f:  # type: ignore[operator]
        starts = [first for first, _last, _rec, _err in csv_records(f)]
    breaks: list[tuple[int, int]] = []
    offset = 0
    for k, ln in enumerate(starts):
        if ln - (k + 1) != offset:
            offset = ln - (k + 1)
            breaks.append((k, offset))
    rejected = [max(bisect.bisect_right(starts, int(ln)) - 1, 0) for ln in scan.position_lines]
    return CsvScan(scan.sha256, len(starts), breaks, scan.located, scan.position_lines, scan.lines), rejected


SENSITIVE = ("victim", "witness", "vip", "restricted")

ACCESS_SQL = """
WITH a AS (
    SELECT s.officer_id, s.record_id, s.purpose_code IS NULL AS no_code,
           r.sensitivity IN ({sensitive}) AS sensitive, r.person_id,
           own.officer_id IS NOT NULL AS own_case
    FROM system_access s {scope}
    LEFT JOIN ctx_records r ON r.record_id = s.record_id
    LEFT JOIN ctx_own_cases own
           ON own.officer_id = s.officer_id AND own.case_ref = coalesce(s.case_ref, r.case_ref)),
p AS (  -- every pair, light columns only
    SELECT officer_id, record_id, count(*) AS count,
           count(*) FILTER (WHERE no_code) AS no_purpose,
           count(*) FILTER (WHERE NOT own_case) AS outside_case,
           count(*) FILTER (WHERE sensitive AND NOT own_case) AS sensitive_outside,
           any_value(person_id) AS person_id
    FROM a GROUP BY officer_id, record_id),
r AS (
    SELECT p.*, list_filter([
               CASE WHEN no_purpose > 0 THEN 'no_purpose' END,
               CASE WHEN sensitive_outside > 0 THEN 'sensitive_outside_case' END,
               CASE WHEN count >= {repeat} THEN 'repeated' END,
               CASE WHEN l.officer_id IS NOT NULL THEN 'personal_link' END], lambda x: x IS NOT NULL) AS reasons
    FROM p LEFT JOIN ctx_linked l ON l.officer_id = p.officer_id AND l.person_id = p.person_id {where}),
x AS (  -- the heavier columns, of the pairs that become links only
    SELECT s.officer_id, s.record_id, min(s.ts) AS first_at, max(s.ts) AS last_at,
           list(DISTINCT s."system" ORDER BY s."system") AS systems
    FROM system_access s SEMI JOIN r ON r.officer_id = s.officer_id AND r.record_id = s.record_id
    GROUP BY ALL)
SELECT {officer} || officer_id AS src, {record} || record_id AS dst, count, first_at, last_at, systems,
       no_purpose, outside_case, reasons
FROM r JOIN x USING (officer_id, record_id)"""

ACCESS_CONTEXT = {
    # name: (columns, what it is): filled from the graph before ACCESSED is aggregated
    "ctx_records": (["record_id", "sensitivity", "case_ref", "person_id"], "records"),
    "ctx_own_cases": (["officer_id", "case_ref"], "the officer's case assignments"),
    "ctx_linked": (["officer_id", "person_id"], "officer and person sharing an identifier"),
}

UID_PREFIXES = {
    k: lit(MODEL.uid(label, ""))
    for k, label in (("officer", "Officer"), ("site", "Site"), ("record", "Record"))
}
"""The uids' prefixes as SQL literals, from the model (``'Officer:'`` ...)."""

TOUCHED: dict[str, tuple[str, tuple[str, str]]] = {
    # link type: (the event table it aggregates, its columns naming the link's start and end)
    "ACCESSED": ("system_access", ("officer_id", "record_id")),
    "ATTENDED": ("badge_events", ("officer_id", "site_id")),
    "ROSTERED_AT": ("shifts", ("officer_id", "site_id")),
    "APPROVED_SHIFTS_OF": ("shifts", ("approved_by", "officer_id")),
}
"""Link types that can be brought up to date pair by pair: a run that adds a day's rows
re-aggregates only the pairs those rows (and the rows they replace) touch; the others
cannot change. ``EDITED_ROSTER_OF`` joins two tables: see :data:`EDIT_ROWS`."""

EDIT_ROWS: dict[str, tuple[str, str]] = {
    # event table: (the shift it is about, the person on the pair's side it gives)
    "roster_changes": ("shift_id", "changed_by"),
    "shifts": ("shift_id", "officer_id"),
}
"""``EDITED_ROSTER_OF`` (who edited whose roster) pairs a roster change's ``changed_by``
with its shift's ``officer_id``. A merge of either table keeps the shift ids and people of
the rows it adds or changes, old and new (``touched_edits_<table>``); the pairs to
aggregate again are then every editor of those shifts, before and after, with every
officer of them, before and after (:meth:`EventLoader.edited_scope`): a superset of the
pairs whose counts can move, and a pair aggregated again unchanged is left as it is."""

EDITED_PAIR = (EDIT_ROWS["roster_changes"][1], EDIT_ROWS["shifts"][1])
"""The columns of an ``EDITED_ROSTER_OF`` pair, in :meth:`EventLoader.edited_scope`'s table."""

AGGREGATES: dict[str, tuple[str, str]] = {
    # rel type: (event table it needs, SQL giving src, dst and the relationship's properties)
    "ACCESSED": ("system_access", ACCESS_SQL),
    "ATTENDED": (
        "badge_events",
        """
        SELECT {officer} || officer_id AS src, {site} || site_id AS dst,
               count(DISTINCT CAST(ts AS DATE)) AS days, min(ts) AS first_at, max(ts) AS last_at
        FROM badge_events {scope} GROUP BY ALL""",
    ),
    "ROSTERED_AT": (
        "shifts",
        """
        SELECT {officer} || officer_id AS src, {site} || site_id AS dst, count(*) AS shifts,
               round(sum(epoch("end" - start)) / 3600.0, 2) AS hours, min(start) AS first_at, max("end") AS last_at
        FROM shifts {scope} WHERE site_id IS NOT NULL AND status = 'worked' GROUP BY ALL""",
    ),
    "APPROVED_SHIFTS_OF": (
        "shifts",
        """
        SELECT {officer} || approved_by AS src, {officer} || officer_id AS dst, count(*) AS count,
               count(*) FILTER (WHERE pay_code IN ('overtime', 'rest_day_worked', 'bank_holiday')) AS paid_extra,
               min(start) AS first_at, max("end") AS last_at
        FROM shifts {scope} WHERE approved_by IS NOT NULL GROUP BY ALL""",
    ),
    "EDITED_ROSTER_OF": (
        "roster_changes",
        """
        SELECT {officer} || changed_by AS src, {officer} || officer_id AS dst, count(*) AS count,
               min(changed_at) AS first_at, max(changed_at) AS last_at
        FROM (SELECT c.changed_by, s.officer_id, c.changed_at FROM roster_changes c JOIN shifts s USING (shift_id))
        {scope} GROUP BY ALL""",
    ),
}


def set_access_context(ev: EventStore, frames: Mapping[str, pd.DataFrame]) -> None:
    """Register the graph facts the ``ACCESSED`` policy needs (records, own cases, personal
    links) as temporary tables; a missing frame registers an empty table."""
    for name, (cols, _what) in ACCESS_CONTEXT.items():
        df = frames.get(name)
        data = pa.table(
            {
                c: pa.array(
                    [] if df is None else df[c].astype(object).where(df[c].notna(), None).tolist(),
                    type=pa.string(),
                )
                for c in cols
            }
        )
        ev.con.register(name + "_arrow", data)
        ev._exec(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT DISTINCT * FROM {name}_arrow")
        ev.con.unregister(name + "_arrow")


def clear_access_context(ev: EventStore) -> None:
    """Drop the tables :func:`set_access_context` registered."""
    for name in ACCESS_CONTEXT:
        ev._exec(f"DROP TABLE IF EXISTS {name}")


def aggregate_links(
    ev: EventStore,
    rel_type: str,
    *,
    access_links: str = "notable",
    access_repeat: int = 5,
    scope: str | None = None,
) -> pd.DataFrame | None:
    """The aggregated links of one type as a frame for ``load_relationships`` (``None``
    when the event table it needs is absent).

    ``ACCESSED`` needs :func:`set_access_context` first. With ``access_links='notable'``
    only pairs with a reason become links: a lookup without a purpose code, a sensitive
    record (victim, witness, VIP, restricted) viewed outside the officer's own cases,
    ``access_repeat`` or more lookups, or a record about a person who shares an
    identifier with the officer. Routine lookups stay in the event store only, which
    keeps the graph to a few per cent of the officer-record pairs at force scale.

    ``scope`` (the link types of :data:`TOUCHED`): a table of the pairs to aggregate (the
    ones a run touched, see :attr:`EventLoader.touched`); by default every pair.
    """
    table, sql = AGGREGATES[rel_type]
    if not ev.has(table) or (rel_type == "EDITED_ROSTER_OF" and not ev.has("shifts")):
        return None
    within = ""
    if scope is not None:
        pair = (
            TOUCHED[rel_type][1]
            if rel_type in TOUCHED
            else EDITED_PAIR
            if rel_type == "EDITED_ROSTER_OF"
            else None
        )
        if pair is None:
            raise ValueError(f"{rel_type} is always aggregated whole (no scope)")
        within = "SEMI JOIN " + scope + " USING (" + ", ".join(q(c) for c in pair) + ")"
    if rel_type == "ACCESSED":
        if access_links not in ("notable", "all"):
            raise ValueError(f"access_links must be 'notable' or 'all' (got {access_links!r})")
        sql = sql.format(
            sensitive=", ".join(lit(v) for v in SENSITIVE),
            repeat=int(access_repeat),
            where=(
                "WHERE no_purpose > 0 OR sensitive_outside > 0 OR count >= "
                f"{int(access_repeat)} OR l.officer_id IS NOT NULL"
                if access_links == "notable"
                else ""
            ),
            scope=within,
            **UID_PREFIXES,
        )
    else:
        sql = sql.format(scope=within, **UID_PREFIXES)
    lists = [p.name for p in MODEL.rel(rel_type).props if p.type == "string[]"]
    if lists:  # as JSON text, each distinct list then one shared Python list (see _shared_lists)
        sql = (
            "SELECT * REPLACE (" + ", ".join(f"to_json({q(c)}) AS {q(c)}" for c in lists) + f") FROM ({sql})"
        )
    df = ev.con.execute(sql + " ORDER BY src, dst").df()
    for c in lists:
        df[c] = _shared_lists(df[c])
    df["source_file"] = table
    return df


def _shared_lists(text: pd.Series) -> pd.Series:
    """A column of lists given as JSON text, each distinct list one Python list that every
    row holding it shares (``None`` where the text is null).

    DuckDB hands a list column to pandas as one NumPy array per row: 1.9 M ``ACCESSED``
    links with two list columns took about 1 GiB so, a few hundred distinct lists a few KiB.

    Examples
    --------
    >>> s = _shared_lists(pd.Series(['["crime","intel"]', None, '["crime","intel"]', "[]"]))
    >>> s.tolist(), s[0] is s[2]
    ([['crime', 'intel'], None, ['crime', 'intel'], []], True)
    """
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    values = [json.loads(str(u)) for u in uniques] + [None]  # code -1 (null) takes the last
    return pd.Series([values[c] for c in codes], index=text.index, dtype=object)
