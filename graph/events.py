"""The event store: shifts, roster changes, badge swipes, remote sessions and system
access, held in DuckDB (columnar, out of core) beside the graph store.

This module is the storage engine: where the file lives, its memory limit and spill
folder, its time zone, the tables' DDL (from the source contract) and read-only opening
for detectors and the server. Validating and merging source files into it is ingest's
work (:class:`ingest.events.EventLoader`).

>>> from graph.contract import TABLES
>>> print(ddl(TABLES["badge_events"]))  # doctest: +NORMALIZE_WHITESPACE
CREATE TABLE IF NOT EXISTS badge_events ("event_id" VARCHAR, "officer_id" VARCHAR,
"site_id" VARCHAR, "reader_id" VARCHAR, "ts" TIMESTAMPTZ, "direction" VARCHAR,
extra VARCHAR, source_file VARCHAR, source_line BIGINT, row_hash UBIGINT, run_id VARCHAR,
first_seen TIMESTAMPTZ, last_seen TIMESTAMPTZ)
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import duckdb

from graph.contract import Table
from graph.errors import StoreUnavailable

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

    def begin(self) -> None:
        """Start the run's transaction: until :meth:`commit`, nothing is visible to
        other connections, and :meth:`rollback` (or closing) discards it all."""
        self._exec("BEGIN TRANSACTION")

    def commit(self) -> None:
        self._exec("COMMIT")

    def rollback(self) -> None:
        with contextlib.suppress(duckdb.Error):  # none open (never begun, or aborted already)
            self._exec("ROLLBACK")
