"""The event store: shifts, roster changes, badge swipes, remote sessions and system
access, held in DuckDB (columnar, out of core) and validated in SQL.

Event tables reach hundreds of millions of rows at force scale, so they never pass
through pandas row by row: DuckDB reads the file (CSV, ``.csv.gz`` or Parquet), the
contract checks are one generated ``SELECT`` (types, required values, enums, time
order, duplicate keys, foreign keys by join), bad rows go to the quarantine with file,
line, column, reason and the raw row, and good rows are merged into the table by key
(new rows inserted, changed rows updated; unchanged rows left alone). Event exports
are treated as incremental: a row missing from a later export is not retired.

The graph gets aggregated, time-bounded links computed here (see
:func:`aggregate_links`), each traceable to its event rows by its end ids.

>>> from ingest.contract import TABLES
>>> print(ddl(TABLES["badge_events"]))  # doctest: +NORMALIZE_WHITESPACE
CREATE TABLE IF NOT EXISTS badge_events ("event_id" VARCHAR, "officer_id" VARCHAR,
"site_id" VARCHAR, "reader_id" VARCHAR, "ts" TIMESTAMPTZ, "direction" VARCHAR,
extra VARCHAR, source_file VARCHAR, source_line BIGINT, row_hash UBIGINT, run_id VARCHAR,
first_seen TIMESTAMPTZ, last_seen TIMESTAMPTZ)
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from graph.store import RunInfo
from ingest.contract import Column, Table
from ingest.reader import QUARANTINE_COLUMNS, SourceFileError, _sha256, file_manifest

EVENT_DB = "events.duckdb"
SQL_TYPES = {
    "id": "VARCHAR",
    "str": "VARCHAR",
    "enum": "VARCHAR",
    "date": "DATE",
    "ts": "TIMESTAMPTZ",
    "number": "DOUBLE",
    "list": "VARCHAR[]",
}
# contract type -> Parquet column types that already are it (read as they are, no check)
NATIVE = {
    "ts": {"TIMESTAMP WITH TIME ZONE"},
    "date": {"DATE"},
    "number": {"DOUBLE", "FLOAT", "BIGINT", "INTEGER"},
}
PROVENANCE_SQL = (
    "extra VARCHAR, source_file VARCHAR, source_line BIGINT, row_hash UBIGINT, "
    "run_id VARCHAR, first_seen TIMESTAMPTZ, last_seen TIMESTAMPTZ"
)


def q(name: str) -> str:
    """Quote an identifier (column names such as ``end`` are SQL keywords)."""
    return '"' + name.replace('"', '""') + '"'


def lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def ddl(table: Table) -> str:
    cols = ", ".join(f"{q(c.name)} {SQL_TYPES[c.type]}" for c in table.columns)
    return f"CREATE TABLE IF NOT EXISTS {table.name} ({cols}, {PROVENANCE_SQL})"


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

    @property
    def manifest(self) -> dict[str, object]:
        return {**file_manifest(self), "rows_new": self.new, "rows_changed": self.changed}


GOT, CLOSE = " (got '", "')"


def _value_check(c: Column) -> tuple[str, str] | None:
    """(typed expression, problem condition) for one column, or None for plain text."""
    col = q(c.name)
    if c.type == "date":
        return f"TRY_STRPTIME({col}, '%Y-%m-%d')::DATE", "not a date (YYYY-MM-DD)"
    if c.type == "ts":
        return f"TRY_CAST({col} AS TIMESTAMPTZ)", "not an ISO 8601 date-time"
    if c.type == "number":
        return f"TRY_CAST({col} AS DOUBLE)", "not a number"
    return None


def validation_sql(
    table: Table,
    present: list[str],
    fk_views: Mapping[str, str],
    file: str,
    native: set[str] | frozenset[str] = frozenset(),
) -> str:
    """One ``SELECT`` over the raw rows (``stage``: ``__line`` + text columns, except the
    ``native`` ones, already typed) giving typed columns and ``__problems`` (a list of
    ``'column: reason'``)."""
    typed, problems = [], []
    for c in table.columns:
        col = q(c.name)
        if c.name not in present:
            typed.append(f"NULL::{SQL_TYPES[c.type]} AS {col}")
            continue
        if c.required:
            problems.append(f"CASE WHEN s.{col} IS NULL THEN {lit(c.name + ': missing required value')} END")
        check = None if c.name in native else _value_check(c)
        if c.name in native:
            typed.append(f"s.{col} AS {col}")
        elif check:
            expr, why = check
            typed.append(f"{expr.replace(col, 's.' + col)} AS {col}")
            problems.append(
                f"CASE WHEN s.{col} IS NOT NULL AND {expr.replace(col, 's.' + col)} IS NULL THEN "
                f"{lit(c.name + ': ' + why + GOT)} || s.{col}::VARCHAR || {lit(CLOSE)} END"
            )
        elif c.type == "enum":
            allowed = ", ".join(lit(v) for v in c.enum)
            typed.append(f"s.{col} AS {col}")
            problems.append(
                f"CASE WHEN s.{col} IS NOT NULL AND s.{col} NOT IN ({allowed}) THEN "
                f"{lit(c.name + ': unknown value (allowed: ' + '|'.join(c.enum) + ')' + GOT)} || s.{col} || {lit(CLOSE)} END"
            )
        elif c.type == "list":
            typed.append(
                f"list_filter(list_transform(string_split(s.{col}, ';'), lambda x: trim(x)), lambda x: x <> '') AS {col}"
            )
        else:
            typed.append(f"s.{col} AS {col}")
        if c.ref and c.name in fk_views:
            alias = f"fk_{c.name}"
            problems.append(
                f"CASE WHEN s.{col} IS NOT NULL AND {alias}.k IS NULL THEN "
                f"{lit(c.name + ': points to no ' + c.ref + GOT)} || s.{col} || {lit(CLOSE)} END"
            )
    if table.time_order and all(x in present for x in table.time_order):
        a, b = table.time_order
        ea = _value_check(table.column(a))
        eb = _value_check(table.column(b))
        assert ea and eb
        xa = "s." + q(a) if a in native else ea[0].replace(q(a), "s." + q(a))
        xb = "s." + q(b) if b in native else eb[0].replace(q(b), "s." + q(b))
        op, word = ("<=", "is not after") if table.column(a).type == "ts" else ("<", "is before")
        problems.append(f"CASE WHEN {xb} {op} {xa} THEN {lit(f'{b}: {b} {word} {a}')} END")
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
    raw = "json_object(" + ", ".join(f"{lit(c)}, s.{q(c)}" for c in present) + ")::VARCHAR"
    plist = (
        "list_filter([" + ", ".join(problems) + "]::VARCHAR[], lambda x: x IS NOT NULL)"
        if problems
        else "[]::VARCHAR[]"
    )
    # the raw row (as JSON) is built only for rows with a problem: the outer SELECT keeps it
    inner = (
        f"SELECT s.__line, {', '.join(typed)}, {extra_sql} AS extra, {lit(file)} AS source_file, "
        f"{plist} AS __problems, CASE WHEN len(__problems) > 0 THEN {raw} END AS __raw FROM stage s {joins}"
    )
    return inner


class EventStore:
    """DuckDB file ``<data_dir>/events.duckdb``; spills to ``<data_dir>/tmp`` beyond
    ``memory_mb`` so memory stays flat however large the tables grow."""

    def __init__(
        self,
        data_dir: Path,
        *,
        memory_mb: int = 2048,
        timezone: str = "Europe/London",
        read_only: bool = False,
    ) -> None:
        self.path = Path(data_dir) / EVENT_DB
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as e:
            from graph.errors import StoreUnavailable

            raise StoreUnavailable(f"cannot open the event store at {self.path}: {e}") from e
        tmp = Path(data_dir) / "tmp"
        tmp.mkdir(exist_ok=True)
        self._exec(f"SET memory_limit='{int(memory_mb)}MB'")
        self._exec(f"SET temp_directory={lit(str(tmp))}")
        self._exec(f"SET TimeZone={lit(timezone)}")

    def close(self) -> None:
        self.con.close()

    def _exec(self, sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
        """Run one statement and fetch its result (DuckDB refuses new work on a connection
        with an unfinished result)."""
        return self.con.execute(sql, params or []).fetchall()

    def ensure(self, table: Table) -> None:
        self._exec(ddl(table))

    def has(self, table: str) -> bool:
        return bool(
            self.con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]
            ).fetchall()[0][0]
        )  # type: ignore[index]

    def count(self, table: str) -> int:
        return (
            int(self.con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]) if self.has(table) else 0
        )  # type: ignore[index]

    def keys(self, table: str, column: str) -> str | None:
        """A view of a key column of an event table, for foreign-key joins."""
        if not self.has(table):
            return None
        view = f"keys_{table}_{column}"
        self._exec(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT DISTINCT {q(column)} AS k FROM {table}")
        return view

    def register_keys(self, name: str, keys: set[str]) -> str:
        """Keys from the graph (or this run) as a temporary table for foreign-key joins."""
        view = f"keys_{name}"
        arrow_keys = pa.table({"k": pa.array(list(keys), type=pa.string())})
        self.con.register(view + "_arrow", arrow_keys)
        self._exec(f"CREATE OR REPLACE TEMP TABLE {view} AS SELECT k FROM {view}_arrow")
        self.con.unregister(view + "_arrow")
        return view

    def _source(self, path: Path, table: Table) -> tuple[str, list[str], set[str]]:
        """SQL reading the file with ``__line``, its column names, and the columns read
        natively (Parquet columns already of their contract type); the rest are read as
        trimmed text with ``''`` as missing."""
        p = lit(str(path))
        if path.suffix == ".parquet":
            scan = f"read_parquet({p}, file_row_number=true)"
        else:
            scan = f"read_csv({p}, all_varchar=true, header=true, quote='\"', escape='\"')"
        try:
            described = self.con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()
        except duckdb.Error as e:
            raise self._unreadable(path, e) from e
        types = {str(r[0]): str(r[1]) for r in described}
        if path.suffix == ".parquet":
            types.pop("file_row_number", None)
            line = "file_row_number + 1"
        else:
            line = "row_number() OVER () + 1"
        cols = list(types)
        contract = {c.name: c.type for c in table.columns}
        native = {c for c in cols if types[c] in NATIVE.get(contract.get(c, ""), set())}
        read = ", ".join(
            f"{q(c)}::{SQL_TYPES[contract[c]]} AS {q(c)}"
            if c in native
            else f"nullif(trim({q(c)}::VARCHAR), '') AS {q(c)}"
            for c in cols
        )
        return f"SELECT {line} AS __line, {read} FROM {scan}", cols, native

    @staticmethod
    def _unreadable(path: Path, e: Exception) -> SourceFileError:
        msg = str(e).split("\n")[0]
        if "unicode" in msg.lower() or "utf" in msg.lower():
            return SourceFileError(f"{path}: not UTF-8 text ({msg}); re-export the file as UTF-8")
        return SourceFileError(f"{path}: cannot read ({msg})")

    def load(self, path: Path, table: Table, fk: Mapping[str, str | None], run: RunInfo) -> EventRead:
        """Validate and merge one event file. ``fk`` maps ``table.column`` references to a
        key view (``None``: not checkable)."""
        t0 = time.perf_counter()
        self.ensure(table)
        source, cols, native = self._source(path, table)
        missing = [c for c in table.required if c not in cols]
        if missing:
            if not set(table.names) & set(cols):
                raise SourceFileError(
                    f"{path}: no header row with the {table.name} columns (expected e.g. {', '.join(table.required)})"
                )
            raise SourceFileError(f"{path}: required column(s) missing: {', '.join(missing)}")
        fk_views = {c.name: v for c in table.columns if c.ref and c.name in cols and (v := fk.get(c.ref))}
        sql = validation_sql(table, cols, fk_views, path.name, native).replace(
            "FROM stage s", f"FROM ({source}) s", 1
        )
        key = q(str(table.key))
        try:
            self._exec(f"CREATE OR REPLACE TEMP TABLE checked AS {sql}")
        except duckdb.Error as e:
            raise self._unreadable(path, e) from e
        rows_read, distinct = self.con.execute(
            f"SELECT count(*), count(DISTINCT {key}) + count(*) FILTER (WHERE {key} IS NULL) FROM checked"
        ).fetchall()[0]
        if distinct < rows_read:  # duplicate keys among otherwise good rows: the first keeps the key
            self._exec(
                f"""UPDATE checked SET __problems = list_append(__problems, {lit(str(table.key) + ": duplicate key (an earlier row has it)")})
                WHERE __line IN (SELECT __line FROM (SELECT __line, row_number() OVER (PARTITION BY {key} ORDER BY __line) AS n
                                                   FROM checked WHERE len(__problems) = 0 AND {key} IS NOT NULL) WHERE n > 1)"""
            )
        quarantine = self.con.execute(
            f"""SELECT {lit(path.name)} AS file, __line AS line,
                   array_to_string(list_transform(__problems, lambda x: split_part(x, ':', 1)), ';') AS "column",
                   array_to_string(__problems, '; ') AS reason, __raw AS raw
                FROM checked WHERE len(__problems) > 0 ORDER BY __line"""
        ).df()
        names = ", ".join(q(c) for c in table.names)
        hashed = "hash(" + ", ".join(q(c) for c in table.names) + ", extra)"
        good = (
            f"SELECT {names}, extra, source_file, __line AS source_line, {hashed} AS row_hash "
            "FROM checked WHERE len(__problems) = 0"
        )
        before = self.count(table.name)
        params = [run.run_id, run.ts, run.ts]
        changed = 0
        self._exec("SET preserve_insertion_order = false")  # lines are numbered already
        if before == 0:  # the bulk path: a first load is a plain insert
            self._exec(f"INSERT INTO {table.name} SELECT g.*, ?, ?, ? FROM ({good}) g", params)
        else:
            self._exec(f"CREATE OR REPLACE TEMP TABLE incoming AS {good}")
            self._exec(
                f"""INSERT INTO {table.name} SELECT i.*, ?, ?, ? FROM incoming i
                    WHERE NOT EXISTS (SELECT 1 FROM {table.name} t WHERE t.{key} = i.{key})""",
                params,
            )
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
            self._exec("DROP TABLE incoming")
        self._exec("DROP TABLE checked")
        self._exec("SET preserve_insertion_order = true")
        new = self.count(table.name) - before
        extra_cols = [c for c in cols if c not in table.names]
        return EventRead(
            table,
            path,
            int(rows_read),
            int(rows_read) - len(quarantine),
            quarantine.reindex(columns=QUARANTINE_COLUMNS),
            _sha256(path),
            time.perf_counter() - t0,
            new,
            changed,
            extra_cols,
        )


SENSITIVE = ("victim", "witness", "vip", "restricted")

ACCESS_SQL = """
WITH a AS (
    SELECT s.officer_id, s.record_id, s.ts, s."system", s.purpose_code,
           r.sensitivity IN ({sensitive}) AS sensitive, r.person_id,
           own.officer_id IS NOT NULL AS own_case
    FROM system_access s
    LEFT JOIN ctx_records r ON r.record_id = s.record_id
    LEFT JOIN ctx_own_cases own
           ON own.officer_id = s.officer_id AND own.case_ref = coalesce(s.case_ref, r.case_ref)),
p AS (
    SELECT officer_id, record_id, count(*) AS count, min(ts) AS first_at, max(ts) AS last_at,
           list(DISTINCT "system" ORDER BY "system") AS systems,
           count(*) FILTER (WHERE purpose_code IS NULL) AS no_purpose,
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
    FROM p LEFT JOIN ctx_linked l ON l.officer_id = p.officer_id AND l.person_id = p.person_id)
SELECT 'Officer:' || officer_id AS src, 'Record:' || record_id AS dst, count, first_at, last_at, systems,
       no_purpose, outside_case, reasons
FROM r {where}"""

ACCESS_CONTEXT = {
    # name: (columns, what it is): filled from the graph before ACCESSED is aggregated
    "ctx_records": (["record_id", "sensitivity", "case_ref", "person_id"], "records"),
    "ctx_own_cases": (["officer_id", "case_ref"], "the officer's case assignments"),
    "ctx_linked": (["officer_id", "person_id"], "officer and person sharing an identifier"),
}

AGGREGATES: dict[str, tuple[str, str]] = {
    # rel type: (event table it needs, SQL giving src, dst and the relationship's properties)
    "ACCESSED": ("system_access", ACCESS_SQL),
    "ATTENDED": (
        "badge_events",
        """
        SELECT 'Officer:' || officer_id AS src, 'Site:' || site_id AS dst,
               count(DISTINCT CAST(ts AS DATE)) AS days, min(ts) AS first_at, max(ts) AS last_at
        FROM badge_events GROUP BY ALL""",
    ),
    "ROSTERED_AT": (
        "shifts",
        """
        SELECT 'Officer:' || officer_id AS src, 'Site:' || site_id AS dst, count(*) AS shifts,
               round(sum(epoch("end" - start)) / 3600.0, 2) AS hours, min(start) AS first_at, max("end") AS last_at
        FROM shifts WHERE site_id IS NOT NULL AND status = 'worked' GROUP BY ALL""",
    ),
    "APPROVED_SHIFTS_OF": (
        "shifts",
        """
        SELECT 'Officer:' || approved_by AS src, 'Officer:' || officer_id AS dst, count(*) AS count,
               count(*) FILTER (WHERE pay_code IN ('overtime', 'rest_day_worked', 'bank_holiday')) AS paid_extra,
               min(start) AS first_at, max("end") AS last_at
        FROM shifts WHERE approved_by IS NOT NULL GROUP BY ALL""",
    ),
    "EDITED_ROSTER_OF": (
        "roster_changes",
        """
        SELECT 'Officer:' || c.changed_by AS src, 'Officer:' || s.officer_id AS dst, count(*) AS count,
               min(c.changed_at) AS first_at, max(c.changed_at) AS last_at
        FROM roster_changes c JOIN shifts s USING (shift_id) GROUP BY ALL""",
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


def aggregate_links(
    ev: EventStore, rel_type: str, *, access_links: str = "notable", access_repeat: int = 5
) -> pd.DataFrame | None:
    """The aggregated links of one type as a frame for ``load_relationships`` (``None``
    when the event table it needs is absent).

    ``ACCESSED`` needs :func:`set_access_context` first. With ``access_links='notable'``
    only pairs with a reason become links: a lookup without a purpose code, a sensitive
    record (victim, witness, VIP, restricted) viewed outside the officer's own cases,
    ``access_repeat`` or more lookups, or a record about a person who shares an
    identifier with the officer. Routine lookups stay in the event store only, which
    keeps the graph to a few per cent of the officer-record pairs at force scale.
    """
    table, sql = AGGREGATES[rel_type]
    if not ev.has(table) or (rel_type == "EDITED_ROSTER_OF" and not ev.has("shifts")):
        return None
    if rel_type == "ACCESSED":
        if access_links not in ("notable", "all"):
            raise ValueError(f"access_links must be 'notable' or 'all' (got {access_links!r})")
        sql = sql.format(
            sensitive=", ".join(lit(v) for v in SENSITIVE),
            repeat=int(access_repeat),
            where="WHERE len(reasons) > 0" if access_links == "notable" else "",
        )
    df = ev.con.execute(sql + " ORDER BY src, dst").df()
    df["source_file"] = table
    return df
