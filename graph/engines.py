"""Engines that run the event detectors' SQL: DuckDB (the event store) and Apache Spark.

Every event detector's SQL is written once, in DuckDB's dialect. :class:`DuckDBEngine`
runs it as it is on the event store's connection. :class:`SparkEngine` runs the same
text on Spark SQL: the event tables are read from Parquet (a folder or an object-store
path, as :meth:`graph.events.EventStore.export_parquet` writes them), the graph facts are registered as
temporary views, and each query is transpiled by sqlglot (:func:`to_spark`), with the
few rewrites that sqlglot cannot make without knowing the query's types.
Results come back as the same Python values from either engine (dates, aware datetimes
in the session's time zone, lists, dicts for structs), so the detectors' Python turns
them into the same flags.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import pyarrow as pa

from graph.contract import Table
from graph.events import ddl


class EventEngine(Protocol):
    """What the detectors need of an engine: run a query, and hold tables beside the events."""

    name: str

    def query(self, sql: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Rows of ``sql`` (DuckDB dialect, ``$name`` parameters) as dicts."""
        ...

    def tables(self) -> set[str]:
        """The tables (and views) a query can read."""
        ...

    def ensure_empty(self, table: Table) -> None:
        """Make ``table`` readable as an empty table (an event table never ingested)."""
        ...

    def put(self, name: str, data: pa.Table) -> None:
        """Hold ``data`` as the temporary table ``name`` (replacing one of that name)."""
        ...

    def close(self) -> None: ...


class DuckDBEngine:
    """The event store's own engine: the queries run as they are written.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        A connection to the event store (or an in-memory one with no events).

    Examples
    --------
    >>> import duckdb
    >>> eng = DuckDBEngine(duckdb.connect())
    >>> eng.put("g_x", pa.table({"a": ["x", "y"]}))
    >>> eng.query("SELECT list(a ORDER BY a DESC) AS l FROM g_x WHERE a <> $not", {"not": "z"})
    [{'l': ['y', 'x']}]
    >>> "g_x" in eng.tables()
    True
    """

    name = "duckdb"

    def __init__(self, con: Any) -> None:
        self.con = con

    def query(self, sql: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        used = {k: v for k, v in params.items() if f"${k}" in sql}
        res = self.con.execute(sql, used)
        cols = [c[0] for c in res.description]
        return [dict(zip(cols, row, strict=True)) for row in res.fetchall()]

    def tables(self) -> set[str]:
        return {r[0] for r in self.con.execute("SELECT table_name FROM information_schema.tables").fetchall()}

    def ensure_empty(self, table: Table) -> None:
        self.con.execute(ddl(table).replace("CREATE TABLE IF NOT EXISTS", "CREATE TEMP TABLE")).fetchall()

    def put(self, name: str, data: pa.Table) -> None:
        self.con.register(name + "_arrow", data)
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_arrow").fetchall()
        self.con.unregister(name + "_arrow")

    def close(self) -> None:
        self.con.close()


def as_engine(events: Any) -> EventEngine:
    """``events`` as an engine: an engine as it is, a DuckDB connection wrapped
    (:class:`DuckDBEngine`).

    >>> import duckdb
    >>> as_engine(duckdb.connect()).name
    'duckdb'
    """
    if hasattr(events, "query") and hasattr(events, "put"):
        return events  # type: ignore[no-any-return]
    return DuckDBEngine(events)
