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
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

import duckdb

from graph.contract import Table
from graph.errors import StoreUnavailable

EVENT_DB = "events.duckdb"
SPILL_RESERVE_MB = 4096
"""Free disk the event store leaves when it spills (its cap on spilling is the rest, at least 1 GiB)."""
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


CHANGES = "event_changes"
"""The event store's log of rows a run changed in place: per run and table, the earliest
event time (:func:`month_column`) the changed rows had *before* the change, and how many
there were. New rows need no entry (their run id and time are on the row); a changed row's
old time is otherwise lost, and incremental detection (:mod:`queries.incremental`) must
recompute from it."""
CHANGES_DDL = (
    f"CREATE TABLE IF NOT EXISTS {CHANGES} (run_id VARCHAR, tbl VARCHAR, earliest TIMESTAMPTZ, n BIGINT)"
)


def q(name: str) -> str:
    """Quote an identifier (column names such as ``end`` are SQL keywords).

    Parameters
    ----------
    name : str
        A table or column name.

    Returns
    -------
    str
        The name in double quotes, inner quotes doubled.

    Examples
    --------
    >>> q("end"), q('a"b')
    ('"end"', '"a""b"')
    """
    return '"' + name.replace('"', '""') + '"'


def lit(text: str) -> str:
    """A SQL string literal (for settings, which take no parameters).

    Parameters
    ----------
    text : str
        The value.

    Returns
    -------
    str
        The value in single quotes, inner quotes doubled.

    Examples
    --------
    >>> lit("O'Neil")
    "'O''Neil'"
    """
    return "'" + text.replace("'", "''") + "'"


def ddl(table: Table) -> str:
    """The ``CREATE TABLE`` statement of an event table.

    The contract's columns (typed by :data:`SQL_TYPES`), then the provenance columns
    :data:`PROVENANCE_SQL`.

    Parameters
    ----------
    table : graph.contract.Table
        A source contract table.

    Returns
    -------
    str
        DuckDB DDL (``IF NOT EXISTS``: running it again changes nothing).

    Examples
    --------
    >>> from graph.contract import TABLES
    >>> sql = ddl(TABLES["roster_changes"])
    >>> sql.split(", ")[0]
    'CREATE TABLE IF NOT EXISTS roster_changes ("change_id" VARCHAR'
    >>> sql.endswith("first_seen TIMESTAMPTZ, last_seen TIMESTAMPTZ)")
    True
    """
    cols = ", ".join(f"{q(c.name)} {SQL_TYPES[c.type]}" for c in table.columns)
    return f"CREATE TABLE IF NOT EXISTS {table.name} ({cols}, {PROVENANCE_SQL})"


class EventStore:
    """The event store of one data folder: DuckDB file ``<data_dir>/events.duckdb``.

    It spills to ``<data_dir>/tmp`` beyond ``memory_mb`` so memory stays flat however
    large the tables grow. Detectors and the server open it read-only
    (:func:`graph.workspace.open_events`); ingest's loader
    (:class:`ingest.events.EventLoader`) is its one writer.

    Parameters
    ----------
    data_dir : Path
        The data folder (made if missing).
    memory_mb : int, default 2048
        DuckDB's memory limit (MiB).
    timezone : str, default "Europe/London"
        The connection's time zone (DuckDB's ``TimeZone`` setting).
    read_only : bool, default False
        Open read-only (any number of readers; the file must exist).

    Attributes
    ----------
    path : Path
        The DuckDB file.
    con : duckdb.DuckDBPyConnection
        The connection.

    Raises
    ------
    StoreUnavailable
        If DuckDB cannot open the file (locked by a writer, or missing when read-only).

    Examples
    --------
    >>> import tempfile
    >>> from graph.contract import TABLES
    >>> events = EventStore(Path(tempfile.mkdtemp()), memory_mb=256)
    >>> events.ensure(TABLES["badge_events"])
    >>> events.has("badge_events"), events.count("badge_events")
    (True, 0)
    >>> events.close()
    """

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
        self.memory_mb = int(memory_mb)
        self._exec(f"SET memory_limit='{self.memory_mb}MB'")
        self._exec(f"SET temp_directory={lit(str(tmp))}")
        self._exec("SET enable_progress_bar = false")  # linkwatch reports progress itself
        # spilling may use the free disk but SPILL_RESERVE_MB (DuckDB's own default is 90%): a
        # query that outgrows it fails with a clear error and leaves room for everything else (the
        # graph's working copy, the flags). Half the free disk was too little: access.no_purpose
        # spills about 7 GiB at 45,000 officers, and failed on a disk with 16 GiB free
        free_mb = shutil.disk_usage(tmp).free // 2**20
        self.spill_mb = max(1024, free_mb - SPILL_RESERVE_MB)
        self._exec(f"SET max_temp_directory_size='{self.spill_mb}MB'")
        self._exec(f"SET TimeZone={lit(timezone)}")

    def close(self) -> None:
        """Close the connection (an open transaction is discarded).

        Examples
        --------
        >>> import tempfile
        >>> EventStore(Path(tempfile.mkdtemp()), memory_mb=256).close()
        """
        self.con.close()

    def _exec(self, sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
        """Run one statement and fetch its result (DuckDB refuses new work on a connection
        with an unfinished result)."""
        return self.con.execute(sql, params or []).fetchall()

    @contextlib.contextmanager
    def memory_released(self, floor_mb: int = 256) -> Iterator[None]:
        """Hand the memory DuckDB keeps cached back while other work runs (a graph load
        beside it), then allow the limit again.

        DuckDB keeps what it read up to its limit; lowering the limit evicts it (temporary
        tables go to the spill folder) and frees it, so the event store and the graph
        store's buffer pool are not both full at once.

        Examples
        --------
        >>> import tempfile
        >>> events = EventStore(Path(tempfile.mkdtemp()), memory_mb=512)
        >>> with events.memory_released():
        ...     events.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        '244.1 MiB'
        >>> events.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        '488.2 MiB'
        >>> events.close()
        """
        # The limit is the database's, set through a connection of its own: a refusal (more
        # is pinned than the lower limit allows) inside the run's transaction would abort it.
        side = self.con.cursor()
        try:
            with contextlib.suppress(duckdb.Error):  # what cannot be evicted stays: nothing lost
                side.execute(f"SET memory_limit='{min(floor_mb, self.memory_mb)}MB'")
            try:
                yield
            finally:
                side.execute(f"SET memory_limit='{self.memory_mb}MB'")
        finally:
            side.close()

    def ensure(self, table: Table) -> None:
        """Create an event table if it does not exist (:func:`ddl`).

        Parameters
        ----------
        table : graph.contract.Table
            A source contract table.

        Examples
        --------
        >>> import tempfile
        >>> from graph.contract import TABLES
        >>> events = EventStore(Path(tempfile.mkdtemp()), memory_mb=256)
        >>> events.ensure(TABLES["shifts"])
        >>> events.ensure(TABLES["shifts"])  # again: nothing changes
        >>> events.has("shifts")
        True
        >>> events.close()
        """
        self._exec(ddl(table))

    def has(self, table: str, *, con: duckdb.DuckDBPyConnection | None = None) -> bool:
        """Whether the table exists.

        Parameters
        ----------
        table : str
            A table name.
        con : duckdb.DuckDBPyConnection, optional
            The connection to ask through (a cursor of the caller's own, where threads ask
            at once: one connection refuses a second caller); default the store's own.

        Returns
        -------
        bool
            ``True`` if the table exists.

        Examples
        --------
        >>> import tempfile
        >>> events = EventStore(Path(tempfile.mkdtemp()), memory_mb=256)
        >>> events.has("shifts")
        False
        >>> events.close()
        """
        return bool(
            (con or self.con)
            .execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table])
            .fetchall()[0][0]
        )  # type: ignore[index]

    def count(self, table: str) -> int:
        """The number of rows of a table (0 for a table that does not exist).

        Parameters
        ----------
        table : str
            A table name (an event table's name from the contract).

        Returns
        -------
        int
            The row count.

        Examples
        --------
        >>> import tempfile
        >>> events = EventStore(Path(tempfile.mkdtemp()), memory_mb=256)
        >>> events.count("system_access")
        0
        >>> events.close()
        """
        return (
            int(self.con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]) if self.has(table) else 0
        )  # type: ignore[index]

    def begin(self) -> None:
        """Start the run's transaction.

        Until :meth:`commit`, nothing is visible to other connections, and
        :meth:`rollback` (or closing) discards it all.

        See Also
        --------
        commit : Keep the writes.
        rollback : Discard them.

        Examples
        --------
        >>> import tempfile
        >>> from graph.contract import TABLES
        >>> events = EventStore(Path(tempfile.mkdtemp()), memory_mb=256)
        >>> events.ensure(TABLES["badge_events"])
        >>> events.begin()
        >>> _ = events.con.execute("INSERT INTO badge_events (event_id, direction) VALUES ('e1', 'in')")
        >>> events.count("badge_events")
        1
        >>> events.rollback()
        >>> events.count("badge_events")
        0
        >>> events.close()
        """
        self._exec("BEGIN TRANSACTION")

    def commit(self) -> None:
        """Commit the transaction :meth:`begin` started: its writes become visible.

        Examples
        --------
        >>> import tempfile
        >>> from graph.contract import TABLES
        >>> events = EventStore(Path(tempfile.mkdtemp()), memory_mb=256)
        >>> events.ensure(TABLES["badge_events"])
        >>> events.begin()
        >>> _ = events.con.execute("INSERT INTO badge_events (event_id, direction) VALUES ('e1', 'in')")
        >>> events.commit()
        >>> events.rollback()  # nothing open: nothing to undo
        >>> events.count("badge_events")
        1
        >>> events.close()
        """
        self._exec("COMMIT")

    def rollback(self) -> None:
        """Discard the transaction :meth:`begin` started; with none open, do nothing.

        Examples
        --------
        >>> import tempfile
        >>> events = EventStore(Path(tempfile.mkdtemp()), memory_mb=256)
        >>> events.rollback()  # never begun: no error
        >>> events.close()
        """
        with contextlib.suppress(duckdb.Error):  # none open (never begun, or aborted already)
            self._exec("ROLLBACK")

    def export_parquet(
        self, dest: Path, tables: Iterable[Table], *, con: duckdb.DuckDBPyConnection | None = None
    ) -> dict[str, int]:
        """Write event tables as Parquet partitioned by month, for Spark or any engine.

        Each table goes to ``dest/<table>/month=YYYY-MM/*.parquet``, its rows as they
        stand in the store: validated and merged, with their provenance columns
        (``source_file``, ``source_line``, ``row_hash``, ``run_id``, ``first_seen``,
        ``last_seen``). The month is that of the table's first timestamp column
        (:func:`month_column`) in the store's time zone (``month=none`` for rows
        without one). A table is written beside the old copy and then put in its
        place, so that a reader sees the old table or the new one.

        Parameters
        ----------
        dest : Path
            The folder (made if missing).
        tables : iterable of graph.contract.Table
            The event tables to write; those the store does not hold are skipped.
        con : duckdb.DuckDBPyConnection, optional
            The connection to read them through (the corrected view of
            :func:`graph.corrections.reader`, whose views stand in for the tables);
            default the store's own.

        Returns
        -------
        dict of str to int
            Rows written per table.

        Examples
        --------
        >>> import tempfile
        >>> from graph.contract import TABLES
        >>> d = Path(tempfile.mkdtemp())
        >>> events = EventStore(d, memory_mb=256)
        >>> events.ensure(TABLES["badge_events"])
        >>> _ = events.con.execute(
        ...     "INSERT INTO badge_events (event_id, ts) VALUES ('e1', '2025-03-31 00:30+01'), "
        ...     "('e2', '2025-04-01 12:00+01')")
        >>> events.export_parquet(d / "pq", [TABLES["badge_events"], TABLES["shifts"]])
        {'badge_events': 2}
        >>> sorted(p.name for p in (d / "pq" / "badge_events").iterdir())
        ['month=2025-03', 'month=2025-04']
        >>> events.close()
        """
        dest = Path(dest)
        dest.mkdir(parents=True, exist_ok=True)
        written = {}
        for t in tables:
            if not self.has(t.name):
                continue
            incoming, old, final = dest / f".{t.name}.incoming", dest / f".{t.name}.old", dest / t.name
            for p in (incoming, old):
                shutil.rmtree(p, ignore_errors=True)
            month = f"coalesce(strftime({q(month_column(t))}, '%Y-%m'), 'none')"
            (con or self.con).execute(
                f"COPY (SELECT *, {month} AS month FROM {t.name}) TO {lit(str(incoming))} "
                "(FORMAT parquet, PARTITION_BY (month), COMPRESSION zstd)"
            )
            if final.exists():
                final.rename(old)
            incoming.rename(final)
            shutil.rmtree(old, ignore_errors=True)
            written[t.name] = self.count(t.name)
        return written


def month_column(table: Table) -> str:
    """The column an event table is partitioned by month on: its first timestamp.

    >>> from graph.contract import TABLES
    >>> [month_column(TABLES[t]) for t in ("shifts", "roster_changes", "system_access")]
    ['start', 'changed_at', 'ts']
    """
    return next(c.name for c in table.columns if c.type == "ts")
