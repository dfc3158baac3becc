"""The embedded store: Ladybug (the maintained fork of Kùzu), in-process, no server.

The database is one file, ``<data_dir>/graph.lbdb``. Rules this class follows (measured
on Ladybug 0.22, see the README):

- one read-write process at a time (a second one gets a lock error, reported as
  :class:`~graph.errors.StoreUnavailable`); read-only handles may open beside it and see
  what was committed when they opened;
- every connection gets a query timeout and the buffer pool is sized from settings;
- new rows are loaded with ``COPY`` from a fresh Arrow table holding only rows known to
  be new (a duplicate key fails the copy; re-copying the same frame object crashed the
  engine), changed rows with ``UNWIND $rows … MATCH … SET``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ladybug as lb
import pandas as pd
import pyarrow as pa

from graph import cypher as cy
from graph.errors import QueryError, QueryTimeout, StoreUnavailable
from graph.model import NodeSchema, Prop, RelSchema
from graph.settings import Settings
from graph.store import GraphStore, HopStep

DB_FILE = "graph.lbdb"
CHANGED_FILE = "last_write.json"
COPY_CHUNK = 500_000
"""Rewritten when a read-write handle that wrote closes: readers reopen when it changes."""

_ARROW: dict[str, pa.DataType] = {
    "string": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
    "string[]": pa.list_(pa.string()),
}


def _arrow_column(values: pd.Series, prop: Prop) -> pa.Array:
    typ = _ARROW[prop.type]
    if prop.type == "timestamp":
        ts = pd.to_datetime(values, utc=True, errors="raise")
        return pa.array(ts.dt.tz_localize(None), type=typ, from_pandas=True)
    if prop.type == "date":
        return pa.array(pd.to_datetime(values, errors="raise").dt.date, type=typ, from_pandas=True)
    if prop.type == "string[]":
        return pa.array([None if v is None else list(v) for v in values], type=typ)
    return pa.array(values.astype(object).where(values.notna(), None), type=typ, from_pandas=True)


def _naive_utc(v: Any) -> Any:
    if isinstance(v, dt.datetime) and v.tzinfo is not None:
        return v.astimezone(dt.UTC).replace(tzinfo=None)
    return v


class EmbeddedStore(GraphStore):
    name = "embedded"

    def __init__(self, settings: Settings, *, read_only: bool = False) -> None:
        super().__init__(settings)
        self.read_only = read_only
        self.path = Path(settings.data_dir) / DB_FILE
        self._lock = threading.RLock()
        self._wrote = False
        if read_only and not self.path.exists():
            # A read-only handle cannot create the database: create it (schema only) first.
            EmbeddedStore(settings).close()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = lb.Database(
                str(self.path),
                buffer_pool_size=settings.buffer_pool_mb * 1024 * 1024,
                read_only=read_only,
            )
        except RuntimeError as e:
            if "lock" in str(e).lower():
                raise StoreUnavailable(
                    f"the embedded store at {self.path} is open for writing in another process "
                    "(an ingest or detect run, or a server started with write access); wait for "
                    "it to finish, or use a read-only command"
                ) from e
            raise StoreUnavailable(f"cannot open the embedded store at {self.path}: {e}") from e
        self.conn = lb.Connection(self.db)
        self.conn.set_query_timeout(int(settings.query_timeout_s * 1000))
        if not read_only:
            self.ensure_schema()

    def close(self) -> None:
        with self._lock:
            if getattr(self, "conn", None) is not None:
                self.conn.close()
                self.db.close()
                self.conn = None  # type: ignore[assignment]
                if self._wrote:
                    mark_changed(self.path.parent)

    def _write(self, cypher: str, params: dict[str, Any]) -> None:
        self._wrote = True
        self._execute(cypher, params)

    def ensure_schema(self) -> None:
        for stmt in cy.ladybug_ddl(self.model):
            self._execute(stmt, {})

    def _execute(self, cypher: str, params: dict[str, Any]) -> Any:
        params = {k: _naive_utc(v) for k, v in params.items()}
        with self._lock:
            try:
                return self.conn.execute(cypher, params)
            except RuntimeError as e:
                msg = str(e)
                if "interrupt" in msg.lower() or "timeout" in msg.lower():
                    raise QueryTimeout(
                        f"query ran past {self.settings.query_timeout_s:g} s and was stopped"
                    ) from e
                if "read-only" in msg.lower():
                    raise QueryError(f"the query tries to write, which is refused here: {msg}") from e
                raise QueryError(msg) from e

    def _read(self, cypher: str, params: dict[str, Any], max_rows: int | None = None) -> list[dict[str, Any]]:
        res = self._execute(cypher, params)
        cols = res.get_column_names()
        if max_rows is None:
            return [dict(zip(cols, row, strict=True)) for row in res.get_all()]
        out: list[dict[str, Any]] = []
        while len(out) < max_rows and res.has_next():
            out.append(dict(zip(cols, res.get_next(), strict=True)))
        return out

    def arrow(self, cypher: str, params: dict[str, Any] | None = None) -> pa.Table:
        """A query's whole result as an Arrow table (bulk export)."""
        res = self._execute(cypher, params or {})
        tbl = res.get_as_arrow(1_000_000)
        return tbl if isinstance(tbl, pa.Table) else pa.Table.from_batches(tbl)

    def _arrow(self, df: pd.DataFrame, props: tuple[Prop, ...], lead: list[str]) -> pa.Table:
        cols = {c: pa.array(df[c].tolist(), type=pa.string()) for c in lead}
        for p in props:
            cols[p.name] = _arrow_column(df[p.name], p)
        return pa.table(cols)

    def _insert_nodes(self, node: NodeSchema, df: pd.DataFrame) -> None:
        self._copy(node.label, df, node.all_props, [], "")

    def _update_nodes(self, node: NodeSchema, df: pd.DataFrame) -> None:
        self._load_from(cy.ladybug_node_update(node), df, node.all_props)

    def _insert_rels(self, rel: RelSchema, start: str, end: str, df: pd.DataFrame) -> None:
        df = df.assign(_from=df["src"], _to=df["dst"])
        opts = f" (from='{start}', to='{end}')" if len(rel.ends) > 1 else ""
        self._copy(rel.type, df, rel.all_props, ["_from", "_to"], opts)

    def _copy(
        self, table: str, df: pd.DataFrame, props: tuple[Prop, ...], lead: list[str], opts: str
    ) -> None:
        """``COPY`` rows known to be new, in chunks of :data:`COPY_CHUNK` rows: one copy of
        millions of rows fills the buffer pool (seen at 4.8 M relationships in 4 GiB).
        Each chunk is a fresh Arrow table, never copied twice."""
        self._wrote = True
        for i in range(0, len(df), COPY_CHUNK):
            new_rows = self._arrow(df.iloc[i : i + COPY_CHUNK], props, lead)  # noqa: F841 (read by COPY)
            with self._lock:
                try:
                    self.conn.execute(f"COPY {table} FROM new_rows{opts}")
                except RuntimeError as e:
                    raise QueryError(f"bulk copy into {table} failed: {e}") from e

    def _update_rels(self, rel: RelSchema, start: str, end: str, df: pd.DataFrame) -> None:
        self._load_from(cy.ladybug_rel_update(rel, start, end), df, rel.all_props)

    def _load_from(self, cypher: str, df: pd.DataFrame, props: tuple[Prop, ...]) -> None:
        self._wrote = True
        size = self.settings.batch_size
        for i in range(0, len(df), size):
            part = self._arrow(df.iloc[i : i + size], props, [])
            changed_rows = part.rename_columns([f"v_{c}" for c in part.column_names])  # noqa: F841
            with self._lock:
                try:
                    self.conn.execute(cypher)
                except RuntimeError as e:
                    raise QueryError(f"bulk update failed: {e}") from e

    def _node_ref(self, var: str) -> str:
        """The node's offset in its table: ``n.uid IN $list`` reads and compares every uid
        of the label (~50 ms on 100,000 records), ``offset(id(n)) IN $list`` takes ~3 ms."""
        return f"offset(id({var}))"

    def _rel_ref(self, var: str) -> str:
        """The relationship's offset in its table (the types matched may share offsets:
        the caller sorts them out by type and key)."""
        return f"offset(id({var}))"

    def _rel_type(self, var: str) -> str:
        return f"label({var})"

    def _tie_order(self, steps: Sequence[HopStep]) -> Any:
        """The order Ladybug's ``ALL SHORTEST`` query gives paths that differ only in
        the types of parallel relationships sharing a key (measured on 0.22; kept
        since ``shortest_paths`` used that query): the last relationship's type varies
        slowest, and types come in the reverse of their declaration order (the order
        of the relationship tables)."""
        order = self.model.rel_types
        return [-order.index(s.type) for s in reversed(steps)]

    def _shortest_paths_cypher(self, a_label: str, b_label: str, pattern: str, hops: int) -> str:
        return (
            f"MATCH p = (a:{a_label} {{uid: $a}})-[{pattern}* ALL SHORTEST 1..{hops}]-"
            f"(b:{b_label} {{uid: $b}}) RETURN p"
        )


def mark_changed(data_dir: Path) -> None:
    """Record that a write finished (atomically), for readers such as ``linkwatch serve``."""
    path = Path(data_dir) / CHANGED_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"at": dt.datetime.now(dt.UTC).isoformat(), "pid": os.getpid()}))
    os.replace(tmp, path)


def changed_stamp(data_dir: Path) -> float:
    """When the last write finished (0 if never): cheap to poll."""
    try:
        return (Path(data_dir) / CHANGED_FILE).stat().st_mtime_ns / 1e9
    except FileNotFoundError:
        return 0.0
