"""The embedded store: Ladybug (the maintained fork of Kùzu), in-process, no server.

The current database is one file, ``<data_dir>/graph.lbdb``, and it is never written in
place. Rules this class follows (measured on Ladybug 0.22, see the README):

- **Snapshots.** A read-write handle takes the store's writer lock (``graph.lock``, one
  writer at a time; a second gets :class:`~graph.errors.StoreUnavailable`), copies the
  current file and writes only to its copy. Closing it publishes the copy in one atomic
  rename; a block that raises, or :meth:`EmbeddedStore.abort`, discards it. So a failed
  or killed run leaves the store exactly as it was, and a reader opening at any moment
  sees either the old store or the new one, never a half-loaded one.
- **Readers** open the current file read-only through a hard link of their own
  (``tmp/readers/``), so they keep a consistent snapshot for their lifetime. A handle has
  a pool of ``reader_connections`` connections, so threads query in parallel.
- **User queries** (ad hoc and saved) run in killable worker processes
  (:mod:`graph.sandbox`): the engine's timeout is advisory and some queries crash it.
- every connection gets a query timeout and the buffer pool is sized from settings;
- new rows are loaded with ``COPY`` from a fresh Arrow table holding only rows known to
  be new (a duplicate key fails the copy; re-copying the same frame object crashed the
  engine), changed rows with ``LOAD FROM … MATCH … SET``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import queue
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import ladybug as lb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from graph import cypher as cy
from graph.adjacency import Adjacency
from graph.errors import QueryError, StoreUnavailable, engine_error
from graph.memory import hand_back
from graph.model import NodeSchema, Prop, RelSchema
from graph.names import NameIndex
from graph.settings import Settings
from graph.store import GraphStore, HopStep, RunInfo
from graph.values import to_plain

DB_FILE = "graph.lbdb"
"""The current snapshot, replaced whole (one rename) when a writer closes."""
CHANGED_FILE = "last_write.json"
"""Rewritten when a read-write handle that wrote closes: readers reopen when it changes."""
LOCK_FILE = "graph.lock"
"""Held (``flock``) by the one read-write handle."""
READERS_DIR = "tmp/readers"
"""Each read-only handle opens the snapshot through a hard link of its own here."""
COPY_ROWS_PER_MB = 700
"""Rows one ``COPY`` takes per MiB of the writer's buffer pool: a copy of millions of
relationships fills the pool (seen at 4.8 M relationships in 4 GiB), while every further
copy into a table that has rows costs more than the first (2 M ``ACCESSED`` links: 39 s in
one copy with 2 GiB, over 200 s in four with 1 GiB)."""

ARROW_MIN_ROWS = 400
"""Results longer than this are read through Arrow by :meth:`EmbeddedStore._columns`."""

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
        return pa.array([v if v is None or isinstance(v, list) else list(v) for v in values], type=typ)
    return pa.array(values.astype(object).where(values.notna(), None), type=typ, from_pandas=True)


def _int0(v: Any) -> int:
    return 0 if v is None else int(v)


def _naive_utc(v: Any) -> Any:
    if isinstance(v, dt.datetime) and v.tzinfo is not None:
        return v.astimezone(dt.UTC).replace(tzinfo=None)
    return v


class EmbeddedStore(GraphStore):
    """The embedded graph store of one data folder (Ladybug, in this process).

    Open it with :func:`graph.workspace.open_store`. A read-write handle takes the
    writer lock, copies the current snapshot and writes to its copy, which
    :meth:`close` publishes and :meth:`abort` discards; a read-only handle reads the
    snapshot current when it opened, for its whole life (see the module's text).

    Parameters
    ----------
    settings : Settings
        ``data_dir``, buffer pool, query timeout, reader connections.
    read_only : bool, default False
        Open read-only (beside any writer). A read-only handle of a folder with no
        store yet creates an empty one first (taking the writer lock for that).

    Attributes
    ----------
    path : Path
        The current snapshot, ``<data_dir>/graph.lbdb`` (what readers open).
    work_path : Path
        The file this handle has open: a writer's working copy, or a reader's hard
        link of the snapshot.
    read_only : bool

    Raises
    ------
    StoreUnavailable
        If another handle holds the writer lock (for a read-write handle), or the
        engine cannot open the file.

    Examples
    --------
    One writer at a time; readers beside it keep their snapshot:

    >>> import tempfile
    >>> import pandas as pd
    >>> from graph.settings import Settings
    >>> from graph.store import RunInfo
    >>> s = Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256)
    >>> EmbeddedStore(s).close()  # an empty store
    >>> writer = EmbeddedStore(s)
    >>> EmbeddedStore(s)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graph.errors.StoreUnavailable: the embedded store at ... is open for writing in another process ...
    >>> _ = writer.load_nodes("Officer", pd.DataFrame({"officer_id": ["A", "B"]}), RunInfo.new("doc"))
    >>> reader = EmbeddedStore(s, read_only=True)
    >>> writer.close()
    >>> reader.query("MATCH (o:Officer) RETURN count(o) AS n")  # the snapshot it opened
    [{'n': 0}]
    >>> reader.close()
    >>> with EmbeddedStore(s, read_only=True) as reader:
    ...     reader.query("MATCH (o:Officer) RETURN count(o) AS n")
    [{'n': 2}]
    """

    name = "embedded"
    touch_batch = 200_000  # each statement reads the whole relationship table (2 M ACCESSED: ~0.5 s)

    def __init__(self, settings: Settings, *, read_only: bool = False) -> None:
        super().__init__(settings)
        self.read_only = read_only
        self.unchanging = read_only  # a read-only handle reads one snapshot, which never changes
        self.data_dir = Path(settings.data_dir)
        self.path = self.data_dir / DB_FILE
        """The current snapshot (what readers open)."""
        self._lock = threading.RLock()
        self._wrote = False
        self._sandbox: Any = None
        self._writer_lock: Any = None
        self._pool: queue.LifoQueue[lb.Connection] = queue.LifoQueue()
        self._conns: list[lb.Connection] = []
        self._names: NameIndex | None = None
        self._adjacency: Adjacency | None = None  # built by warm(), on a server's snapshot
        self.db: lb.Database | None = None
        self.conn: lb.Connection | None = None
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if read_only:
            if not self.path.exists():
                # A read-only handle cannot create the database: create it (schema only) first.
                EmbeddedStore(settings).close()
            self.work_path = _pin(self.path, self.data_dir)
            self._open(self.work_path, read_only=True, connections=settings.reader_connections)
            # the snapshot never changes: built once, on first search
            self._names = NameIndex(self.arrow, ref=self._node_ref("n"))
            return
        self._writer_lock = _take_writer_lock(self.data_dir, self.path)
        try:
            _recover_in_place(self.path, settings)
            _remove_orphans(self.data_dir)
            existed = self.path.exists()
            self.work_path = self.data_dir / f"{DB_FILE}.next-{os.getpid()}-{time.time_ns()}"
            if existed:
                shutil.copyfile(self.path, self.work_path)
            self._open(self.work_path, read_only=False, connections=1)
            tables = self._table_count()
            migrated = self.ensure_schema()
            self._changed = not existed or migrated or self._table_count() != tables
        except BaseException:
            self._discard()
            raise

    def ping(self) -> None:
        """Check that the handle is open and its snapshot is on disk.

        No connection of the pool is taken: a health check must answer while every one of
        them is busy.

        Raises
        ------
        StoreUnavailable
            If the handle is closed or its file is gone.

        Examples
        --------
        >>> import tempfile
        >>> from graph.settings import Settings
        >>> store = EmbeddedStore(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256))
        >>> store.ping()
        >>> store.close()
        >>> store.ping()  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        graph.errors.StoreUnavailable: the embedded store at ... is closed
        """
        if self.db is None or not self.work_path.exists():
            raise StoreUnavailable(f"the embedded store at {self.path} is closed")

    def _open(self, path: Path, *, read_only: bool, connections: int) -> None:
        pool_mb = self.settings.buffer_pool_mb if read_only else self.settings.write_buffer_pool_mb
        try:
            self.db = lb.Database(str(path), buffer_pool_size=pool_mb * 1024 * 1024, read_only=read_only)
        except RuntimeError as e:
            raise StoreUnavailable(f"cannot open the embedded store at {self.path}: {e}") from e
        for _ in range(max(1, connections)):
            conn = lb.Connection(self.db)
            conn.set_query_timeout(int(self.settings.query_timeout_s * 1000))
            self._conns.append(conn)
            self._pool.put(conn)
        self.conn = self._conns[0]

    def _table_count(self) -> int:
        return len(self._read("CALL show_tables() RETURN name", {}))

    def _close_handles(self) -> None:
        for conn in self._conns:
            conn.close()
        self._conns.clear()
        if self.db is not None:
            self.db.close()
        self.db = None
        self.conn = None

    def close(self) -> None:
        """Close the handle; a read-write handle publishes what it wrote.

        Its working copy becomes the current snapshot in one atomic rename, so readers see
        either the store as it was before this handle opened or as it is now, never a mix.

        A writer that changed nothing publishes nothing. Publishing records the write
        (:func:`mark_changed`), so servers open the new snapshot; the writer lock is
        released. Closing twice does nothing.

        Raises
        ------
        StoreUnavailable
            If the working copy was not checkpointed on close (it is then discarded
            and the current snapshot stays as it was).

        Examples
        --------
        >>> import tempfile
        >>> import pandas as pd
        >>> from graph.settings import Settings
        >>> from graph.store import RunInfo
        >>> s = Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256)
        >>> store = EmbeddedStore(s)
        >>> _ = store.load_nodes("Unit", pd.DataFrame({"unit_id": ["U1"]}), RunInfo.new("doc"))
        >>> store.close()
        >>> changed_stamp(s.data_dir) > 0
        True
        >>> with EmbeddedStore(s, read_only=True) as reader:
        ...     reader.query("MATCH (u:Unit) RETURN u.uid AS uid")
        [{'uid': 'Unit:U1'}]
        """
        with self._lock:
            if self._sandbox is not None:
                self._sandbox.close()
                self._sandbox = None
            if self.db is None and self._writer_lock is None:
                return
            if self.read_only:
                self._close_handles()
                _unpin(self.work_path)
                return
            try:
                self._close_handles()
                if self._wrote or self._changed:
                    _publish(self.work_path, self.path)
                    mark_changed(self.data_dir)
            finally:
                self._discard()

    def release_memory(self) -> None:
        """Close and reopen the database of a read-write handle: Ladybug's buffer pool
        keeps every page a load read or wrote until the pool is full, and a bulk copy
        needs the pool's room on top of them (45k officers: 2.5 GiB cached by the entity
        loads before the two million ``ACCESSED`` links were copied). Closing checkpoints
        into the working copy, which stays this handle's (nothing is published); a
        read-only handle keeps its pool. Then the memory the process has freed is handed
        back to the system (:func:`graph.memory.hand_back`)."""
        with self._lock:
            if self.read_only or self.db is None:
                return
            n = len(self._conns)
            if self._sandbox is not None:
                self._sandbox.close()
                self._sandbox = None
            self._pool = queue.LifoQueue()
            self._close_handles()
            self._open(self.work_path, read_only=False, connections=n)
        hand_back()

    def abort(self) -> None:
        """Discard every write of this read-write handle.

        The current snapshot stays as it was when the handle opened (a read-only handle just
        closes). The working copy is deleted and the writer lock released.

        Examples
        --------
        >>> import tempfile
        >>> import pandas as pd
        >>> from graph.settings import Settings
        >>> from graph.store import RunInfo
        >>> s = Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256)
        >>> store = EmbeddedStore(s)
        >>> _ = store.load_nodes("Unit", pd.DataFrame({"unit_id": ["U1"]}), RunInfo.new("doc"))
        >>> store.abort()
        >>> with EmbeddedStore(s, read_only=True) as reader:
        ...     reader.query("MATCH (u:Unit) RETURN count(u) AS n")
        [{'n': 0}]
        """
        with self._lock:
            if self.read_only:
                self.close()
                return
            self._discard()

    def _discard(self) -> None:
        if self._sandbox is not None:
            self._sandbox.close()
            self._sandbox = None
        self._close_handles()
        for p in _db_files(self.work_path) if hasattr(self, "work_path") else ():
            p.unlink(missing_ok=True)
        if self._writer_lock is not None:
            _remove_spools(self.data_dir)  # a load that failed between spooling and copying
            self._writer_lock.close()
            self._writer_lock = None

    def user_query(
        self,
        cypher: str,
        params: dict[str, Any] | None = None,
        *,
        embedded: str | None = None,
        max_rows: int | None = None,
    ) -> list[dict[str, Any]]:
        """Run a user-written query, guarded (see :meth:`GraphStore.user_query`).

        On a read-only handle it runs in a separate worker process (:mod:`graph.sandbox`) that
        is killed when it runs past the query timeout or the memory cap, or crashes: no user
        query can stall, exhaust or crash the process that asked for it.

        On a read-write handle it runs in this process, as on the base class.

        Parameters
        ----------
        cypher : str
            The query a person wrote.
        params : dict, optional
            Its parameters.
        embedded : str, optional
            The text to run here instead of ``cypher``.
        max_rows : int, optional
            Read at most this many rows.

        Returns
        -------
        list of dict
            As :meth:`GraphStore.query`.

        Raises
        ------
        QueryError
            If the guard refuses it, the engine does, it needs more than
            ``query_memory_mb``, or the worker died.
        QueryTimeout
            If it runs past the query timeout.
        StoreUnavailable
            If every query worker stayed busy, or the handle is closed.

        Examples
        --------
        >>> import tempfile
        >>> import pandas as pd
        >>> from graph.settings import Settings
        >>> from graph.store import RunInfo
        >>> s = Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256)
        >>> with EmbeddedStore(s) as writer:
        ...     _ = writer.load_nodes("Officer", pd.DataFrame({"officer_id": ["A", "B"]}), RunInfo.new("doc"))
        >>> with EmbeddedStore(s, read_only=True) as reader:
        ...     reader.user_query("MATCH (o:Officer) WHERE o.officer_id <> $x RETURN o.uid AS uid",
        ...                       {"x": "A"})
        [{'uid': 'Officer:B'}]
        """
        if not self.read_only:
            return super().user_query(cypher, params, embedded=embedded, max_rows=max_rows)
        from graph.sandbox import QuerySandbox

        text, bound = self._prepare_user_query(cypher, params, embedded)
        with self._lock:
            if self._sandbox is None:
                self._sandbox = QuerySandbox(self.work_path, self.settings)
            sandbox = self._sandbox
        rows = sandbox.run(text, {k: _naive_utc(to_plain(v)) for k, v in bound.items()}, max_rows)
        return [{k: to_plain(v) for k, v in r.items()} for r in rows]

    def _declared(self, label: str, fields: Sequence[str]) -> bool:
        """Whether every one of ``fields`` is a declared property of ``label`` (what the
        name index can hold; others are left to the engine)."""
        declared = {p.name for p in self.model.node(label).props}
        return all(f in declared for f in fields)

    def search_names(
        self, label: str, fields: Sequence[str], terms: Sequence[str], limit: int
    ) -> list[dict[str, Any]]:
        """As :meth:`GraphStore.search_names`; a read-only handle looks in its
        :class:`~graph.names.NameIndex` (the engine would read and lower every name of
        the label per search) and reads only the nodes found."""
        refs = None
        if self._names is not None and self._declared(label, fields):
            refs = self._names.found(label, fields, terms, limit)
        if refs is None:
            return super().search_names(label, fields, terms, limit)
        found = self._nodes_by_ref(refs)  # the hop index's properties, when it has them
        return [found[u] for u in refs if u in found]

    def warm(self, search_fields: Mapping[str, Sequence[str]]) -> None:
        """As :meth:`GraphStore.warm`: a read-only handle builds its name index of these
        labels' fields and, unless ``hop_index`` is off, reads its
        :class:`~graph.adjacency.Adjacency`: from then on neighbourhood and path hops
        (without a time window) are answered from it instead of one query each."""
        if self._names is None:
            return
        for label, names in search_fields.items():
            if self._declared(label, names):
                self._names.build(label, names)
        if self.settings.hop_index and self._adjacency is None:
            self._adjacency = Adjacency.read(self, properties=self.settings.hop_properties)

    def _nodes_by_ref(self, refs: dict[str, Any]) -> dict[str, dict[str, Any]]:
        adjacency = self._adjacency
        if adjacency is None or not adjacency.has_properties:
            return super()._nodes_by_ref(refs)
        return adjacency.node_dicts(refs)

    def _edges_by_ref(self, steps: Iterable[HopStep]) -> dict[str, dict[str, Any]]:
        adjacency = self._adjacency
        if adjacency is None or not adjacency.has_properties:
            return super()._edges_by_ref(steps)
        return adjacency.edge_dicts(steps)

    def _hop(
        self,
        label: str,
        refs: list[Any],
        outgoing: bool,
        pattern: str,
        types: Sequence[str],
        windowed: bool,
        include_retired: bool,
    ) -> list[HopStep]:
        adjacency = self._adjacency
        if adjacency is None or windowed:
            return super()._hop(label, refs, outgoing, pattern, types, windowed, include_retired)
        return adjacency.hop(
            label, refs, outgoing, pattern[1:].split("|") if pattern else None, include_retired
        )

    def _write(self, cypher: str, params: dict[str, Any]) -> None:
        self._wrote = True
        self._execute(cypher, params)

    def ensure_schema(self) -> bool:
        """Create the model's tables, and bring tables an older model made up to date.

        Properties are added or dropped (see :func:`graph.cypher.ladybug_migration`), so a
        store made by an earlier linkwatch opens for writing as it is. Returns whether any
        table was altered. A read-write handle runs it when it opens.

        Returns
        -------
        bool
            Whether any existing table was altered.

        Examples
        --------
        >>> import tempfile
        >>> from graph.settings import Settings
        >>> store = EmbeddedStore(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256))
        >>> store.ensure_schema()
        False
        >>> store.close()
        """
        altered = False
        for stmt in cy.ladybug_ddl(self.model):
            self._execute(stmt, {})
        for table, props in [(n.label, n.all_props) for n in self.model.nodes] + [
            (r.type, r.all_props) for r in self.model.relationships
        ]:
            res = self._execute(f"CALL table_info('{table}') RETURN *", {})
            existing = {str(row[1]): str(row[2]) for row in res.get_all()}
            for stmt in cy.ladybug_migration(table, props, existing):
                self._execute(stmt, {})
                altered = True
        return altered

    @contextlib.contextmanager
    def _checkout(self) -> Iterator[lb.Connection]:
        """One connection of the pool, for one query and the reading of its result
        (threads query in parallel, each on its own connection)."""
        if self.db is None:
            raise StoreUnavailable(f"the embedded store at {self.path} is closed")
        try:
            conn = self._pool.get(timeout=self.settings.query_timeout_s)
        except queue.Empty:
            raise StoreUnavailable(
                f"all {len(self._conns)} connections to the embedded store stayed busy for "
                f"{self.settings.query_timeout_s:g} s; try again"
            ) from None
        try:
            yield conn
        finally:
            self._pool.put(conn)

    def _execute(self, cypher: str, params: dict[str, Any]) -> Any:
        with self._checkout() as conn:
            return self._run(conn, cypher, params)

    def _run(self, conn: lb.Connection, cypher: str, params: dict[str, Any]) -> Any:
        try:
            return conn.execute(cypher, {k: _naive_utc(v) for k, v in params.items()})
        except RuntimeError as e:
            raise engine_error(e, self.settings.query_timeout_s) from e

    def _read(self, cypher: str, params: dict[str, Any], max_rows: int | None = None) -> list[dict[str, Any]]:
        with self._checkout() as conn:
            res = self._run(conn, cypher, params)
            cols = res.get_column_names()
            if max_rows is None:
                return [dict(zip(cols, row, strict=True)) for row in res.get_all()]
            out: list[dict[str, Any]] = []
            while len(out) < max_rows and res.has_next():
                out.append(dict(zip(cols, res.get_next(), strict=True)))
            return out

    def _columns(self, cypher: str, params: dict[str, Any]) -> dict[str, list[Any]]:
        """Through Arrow when the result is long: reading a result row by row costs ~4 µs
        a row in Python (a second hop through shared records: 13,000 rows, 50 ms against
        20 ms), but the Arrow conversion costs ~1 ms a query, more than a short result
        (most hops) takes row by row."""
        with self._checkout() as conn:
            res = self._run(conn, cypher, params)
            n = res.get_num_tuples()
            if not n:
                return {}
            if n <= ARROW_MIN_ROWS:
                cols = res.get_column_names()
                return {c: list(v) for c, v in zip(cols, zip(*res.get_all(), strict=True), strict=True)}
            table = res.get_as_arrow(chunk_size=-1)
        return {c: table.column(c).to_pylist() for c in table.column_names}

    def arrow(self, cypher: str, params: dict[str, Any] | None = None) -> pa.Table:
        """A query's whole result as an Arrow table (bulk export).

        Values stay in the engine's types (no :func:`graph.values.to_plain`); the
        query is not checked for parameters as :meth:`GraphStore.query` does.

        Parameters
        ----------
        cypher : str
            A query in Ladybug's dialect.
        params : dict, optional
            Its parameters.

        Returns
        -------
        pyarrow.Table
            One column per returned column, in the engine's types.

        Raises
        ------
        QueryError
            If the engine refuses the query.
        QueryTimeout
            If it runs past the query timeout.

        See Also
        --------
        graph.bulk.write_neo4j_import : Exports the whole graph this way.

        Examples
        --------
        >>> import tempfile
        >>> import pandas as pd
        >>> from graph.settings import Settings
        >>> from graph.store import RunInfo
        >>> store = EmbeddedStore(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256))
        >>> _ = store.load_nodes("Officer", pd.DataFrame({"officer_id": ["B", "A"]}), RunInfo.new("doc"))
        >>> tbl = store.arrow("MATCH (o:Officer) RETURN o.officer_id AS id ORDER BY id")
        >>> tbl.num_rows, tbl.column("id").to_pylist()
        (2, ['A', 'B'])
        >>> store.close()
        """
        with self._checkout() as conn:
            res = self._run(conn, cypher, params or {})
            try:
                tbl = res.get_as_arrow(1_000_000)
                return tbl if isinstance(tbl, pa.Table) else pa.Table.from_batches(tbl)
            finally:
                res.close()  # its buffers go back to the pool now, not when Python collects it

    def _arrow(self, df: pd.DataFrame, props: tuple[Prop, ...], lead: dict[str, str]) -> pa.Table:
        """The rows as an Arrow table: ``lead`` (name: column of ``df``, as text) first,
        then ``props``."""
        cols = {name: pa.array(df[c].tolist(), type=pa.string()) for name, c in lead.items()}
        for p in props:
            cols[p.name] = _arrow_column(df[p.name], p)
        return pa.table(cols)

    def _insert_nodes(self, node: NodeSchema, df: pd.DataFrame) -> None:
        self._copy(node.label, df, node.all_props, {}, "")

    def _update_nodes(self, node: NodeSchema, df: pd.DataFrame) -> None:
        self._load_from(cy.ladybug_node_update(node), df, node.all_props)

    def _insert_rels(self, rel: RelSchema, start: str, end: str, df: pd.DataFrame) -> None:
        opts = f" (from='{start}', to='{end}')" if len(rel.ends) > 1 else ""
        self._copy(rel.type, df, rel.all_props, {"_from": "src", "_to": "dst"}, opts)

    SPOOL_ROWS = 200_000
    """New relationships from this many on are written to a Parquet file before they are
    copied (:meth:`_staged_insert`), so that neither the load's frames nor one Arrow table
    of them all sit beside Ladybug's copy (1.9 M ``ACCESSED`` links: about 1 GiB)."""

    def _staged_insert(self, rel: RelSchema, start: str, end: str, df: pd.DataFrame) -> Callable[[], None]:
        chunk = max(1, int(self.settings.write_buffer_pool_mb * COPY_ROWS_PER_MB))
        if not self.SPOOL_ROWS <= len(df) <= chunk or "'" in str(self.data_dir):
            return super()._staged_insert(rel, start, end, df)
        spool = self.data_dir / "tmp"
        spool.mkdir(exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f"copy-{rel.type}-", suffix=".parquet", dir=spool)
        os.close(fd)
        path = Path(name)
        try:
            writer = None
            for i in range(0, len(df), self.SPOOL_ROWS):
                part = self._arrow(
                    df.iloc[i : i + self.SPOOL_ROWS], rel.all_props, {"_from": "src", "_to": "dst"}
                )
                if writer is None:
                    writer = pq.ParquetWriter(path, part.schema)
                writer.write_table(part)
            if writer is not None:
                writer.close()
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        opts = f" (from='{start}', to='{end}')" if len(rel.ends) > 1 else ""

        def insert() -> None:
            self._wrote = True
            hand_back()  # the load's frames are gone by now: their memory makes room for the copy
            try:
                with self._checkout() as conn:  # on every thread: once the freed memory is handed
                    # back, two threads peaked 0.04 GiB above one at 45k and saved 14 s
                    conn.execute(f"COPY {rel.type} FROM '{path.as_posix()}'{opts}")
            except RuntimeError as e:
                raise QueryError(f"bulk copy into {rel.type} failed: {e}") from e
            finally:
                path.unlink(missing_ok=True)

        return insert

    def _copy(
        self, table: str, df: pd.DataFrame, props: tuple[Prop, ...], lead: dict[str, str], opts: str
    ) -> None:
        """``COPY`` rows known to be new, in as few chunks as the buffer pool takes
        (:data:`COPY_ROWS_PER_MB`). Each chunk is a fresh Arrow table, never copied twice."""
        self._wrote = True
        chunk = max(1, int(self.settings.write_buffer_pool_mb * COPY_ROWS_PER_MB))
        for i in range(0, len(df), chunk):
            new_rows = self._arrow(df.iloc[i : i + chunk], props, lead)  # noqa: F841 (read by COPY)
            with self._checkout() as conn:
                try:
                    conn.execute(f"COPY {table} FROM new_rows{opts}")
                except RuntimeError as e:
                    raise QueryError(f"bulk copy into {table} failed: {e}") from e

    def replace_relationships(self, rel_type: str, parts: dict[tuple[str, str], pd.DataFrame]) -> None:
        """Write a relationship type's table again: drop it, create it and copy ``parts``
        in, with no ``SET`` (:func:`graph.check.repair` mends a damaged type this way).

        Parameters
        ----------
        rel_type : str
            A relationship type of the model.
        parts : dict of (str, str) to pandas.DataFrame
            The rows of each (start label, end label) pair, every column of the type's
            ``prop_names``, as they are to be stored (provenance included).

        Examples
        --------
        >>> import tempfile
        >>> from graph.settings import Settings
        >>> from graph.store import RunInfo
        >>> store = EmbeddedStore(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256))
        >>> _ = store.load_nodes("Officer", pd.DataFrame({"officer_id": ["A", "B"]}), RunInfo.new("doc"))
        >>> _ = store.load_relationships("REPORTS_TO", pd.DataFrame({"src": ["Officer:B"], "dst": ["Officer:A"]}),
        ...                              RunInfo.new("doc"))
        >>> rows = store.frame("MATCH ()-[r:REPORTS_TO]->() RETURN " + ", ".join(
        ...     f"r.{p} AS {p}" for p in store.model.rel("REPORTS_TO").prop_names), store.model.rel("REPORTS_TO").prop_names)
        >>> store.replace_relationships("REPORTS_TO", {("Officer", "Officer"): rows})
        >>> store.query("MATCH (a)-[r:REPORTS_TO]->(b) RETURN a.uid AS a, b.uid AS b, r.src AS src")
        [{'a': 'Officer:B', 'b': 'Officer:A', 'src': 'Officer:B'}]
        >>> store.close()
        """
        rel = self.model.rel(rel_type)
        self._write(f"DROP TABLE {rel.type}", {})
        self._write(cy.ladybug_rel_ddl(rel), {})
        for (start, end), df in parts.items():
            if len(df):
                self._insert_rels(rel, start, end, df[rel.prop_names].reset_index(drop=True))

    REWRITE_ROWS = 100_000
    """Links one read-delete-copy of :meth:`_rewrite_rels` takes."""
    REWRITE_WHOLE_SHARE = 0.25
    """From this share of a type's links on, :meth:`_rewrite_rels` writes the whole table
    again (:meth:`replace_relationships`) rather than link by link: touching all 538 k
    ``HAS_IDENTIFIER`` links of a 45k store took 26 s so, 85 s by key."""

    def _rewrite_rels(
        self,
        rel: RelSchema,
        keys: list[str],
        changes: dict[str, Any] | None = None,
        rows: pd.DataFrame | None = None,
    ) -> None:
        """Write links of a type that joins several pairs of labels again, without a ``SET``:
        read them whole, delete them and copy them back, with ``changes`` (column to value)
        applied, or as ``rows`` (every column, found by ``key``; their ``first_seen`` is
        the stored one).

        Ladybug 0.22 damages such tables when a ``SET`` on them is checkpointed: on a copy
        of a 45k store, a ``SET`` of ``last_seen`` on every ``RESOLVED_TO`` link, then a
        checkpoint, left 541 links reading from one side with an end that is not their own
        (527 forward, 14 backward), and ``EVIDENCE`` 358 (setting every property, as this
        store first did to keep ``key``, keeps the properties but not the ends). Deleting
        and copying the same links back left none (see :mod:`graph.check`)."""
        cols = rel.prop_names
        ret = ", ".join(f"r.{p} AS {p}" for p in cols)
        total = _int0(self.query(f"MATCH ()-[r:{rel.type}]->() RETURN count(r) AS n")[0]["n"])
        if len(keys) >= self.REWRITE_WHOLE_SHARE * total:
            whole = self._rel_rows(rel)
            if rows is not None:
                kept = dict(zip(whole["key"], whole["first_seen"], strict=True))
                new = rows[cols].copy()
                new["first_seen"] = (
                    new["key"].map(kept).where(new["key"].isin(kept.keys()), new["first_seen"])
                )
                whole = pd.concat([whole[~whole["key"].isin(set(new["key"]))], new], ignore_index=True)
            else:
                hit = whole["key"].isin(set(keys))
                for c, v in (changes or {}).items():
                    whole[c] = whole[c].astype(object)
                    whole.loc[hit, c] = v
            labels = [whole["src"].str.partition(":")[0], whole["dst"].str.partition(":")[0]]
            self.replace_relationships(rel.type, {(str(a), str(b)): g for (a, b), g in whole.groupby(labels)})
            return
        for i in range(0, len(keys), self.REWRITE_ROWS):
            batch = keys[i : i + self.REWRITE_ROWS]
            old = self.frame(
                f"UNWIND $keys AS k MATCH ()-[r:{rel.type} {{key: k}}]->() RETURN {ret}",
                cols,
                {"keys": batch},
            )
            if rows is not None:
                new = rows[rows["key"].isin(set(batch))].copy()
                stored = new["key"].map(dict(zip(old["key"], old["first_seen"], strict=True)))
                new["first_seen"] = stored.where(stored.notna(), new["first_seen"])
            else:
                new = old.assign(**(changes or {}))
            self._write(f"UNWIND $keys AS k MATCH ()-[r:{rel.type} {{key: k}}]->() DELETE r", {"keys": batch})
            labels = [new["src"].str.partition(":")[0], new["dst"].str.partition(":")[0]]
            for (start, end), grp in new.groupby(labels, sort=True):
                self._insert_rels(rel, str(start), str(end), grp[cols].reset_index(drop=True))

    def _rel_rows(self, rel: RelSchema) -> pd.DataFrame:
        """Every link of a type, every column, read in pages of the links' own offsets."""
        cols = rel.prop_names
        ret = ", ".join(f"r.{p} AS {p}" for p in cols)
        parts = [pd.DataFrame(columns=cols)]
        for start in sorted({a for a, _ in rel.ends}):
            head = f"MATCH (a:{start})-[r:{rel.type}]->(b)"
            got = self.query(
                f"{head} RETURN count(r) AS n, min(offset(id(r))) AS lo, max(offset(id(r))) AS hi"
            )[0]
            if not _int0(got["n"]):
                continue
            lo, hi = int(got["lo"]), int(got["hi"])
            for first in range(lo, hi + 1, self.REWRITE_ROWS):
                where = "WHERE offset(id(r)) >= $lo AND offset(id(r)) < $hi"
                parts.append(
                    self.frame(
                        f"{head} {where} RETURN {ret}", cols, {"lo": first, "hi": first + self.REWRITE_ROWS}
                    )
                )
        return pd.concat(parts, ignore_index=True)

    def _touch_rels(self, rel: RelSchema, ids: list[str], run: RunInfo) -> None:
        if len(rel.ends) < 2:
            super()._touch_rels(rel, ids, run)
        elif ids:
            self._rewrite_rels(rel, ids, {"last_seen": run.ts, "run_id": run.run_id})

    def _retire_rels(self, rel: RelSchema, keys: list[str], run: RunInfo) -> None:
        if len(rel.ends) < 2:
            super()._retire_rels(rel, keys, run)
        elif keys:
            self._rewrite_rels(rel, keys, {"retired_at": run.ts, "run_id": run.run_id})

    def _update_rels(self, rel: RelSchema, start: str, end: str, df: pd.DataFrame) -> None:
        if len(rel.ends) > 1:
            self._rewrite_rels(rel, df["key"].tolist(), rows=df)
            return
        self._load_from(cy.ladybug_rel_update(rel, start, end), df, rel.all_props)

    def _load_from(self, cypher: str, df: pd.DataFrame, props: tuple[Prop, ...]) -> None:
        self._wrote = True
        size = self.settings.batch_size
        for i in range(0, len(df), size):
            part = self._arrow(df.iloc[i : i + size], props, {})
            changed_rows = part.rename_columns([f"v_{c}" for c in part.column_names])  # noqa: F841
            with self._checkout() as conn:
                try:
                    conn.execute(cypher)
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
    """Record that a write finished (atomically), for readers such as ``linkwatch serve``.

    Rewrites ``<data_dir>/last_write.json`` (the time and the writer's process id)
    through a rename, so a reader never sees it half written.

    Parameters
    ----------
    data_dir : Path
        The data folder.

    See Also
    --------
    changed_stamp : Reads it.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> mark_changed(d)
    >>> sorted(json.loads((d / CHANGED_FILE).read_text()))
    ['at', 'pid']
    """
    path = Path(data_dir) / CHANGED_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"at": dt.datetime.now(dt.UTC).isoformat(), "pid": os.getpid()}))
    os.replace(tmp, path)


def changed_stamp(data_dir: Path) -> float:
    """When the last write finished (0 if never): cheap to poll.

    One ``stat`` of ``<data_dir>/last_write.json``:
    :class:`graph.workspace.StoreProvider` calls it before every request.

    Parameters
    ----------
    data_dir : Path
        The data folder.

    Returns
    -------
    float
        The file's modification time in seconds (0.0 when there is none).

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> changed_stamp(d)
    0.0
    >>> mark_changed(d)
    >>> changed_stamp(d) > 0
    True
    """
    try:
        return (Path(data_dir) / CHANGED_FILE).stat().st_mtime_ns / 1e9
    except FileNotFoundError:
        return 0.0


def _db_files(path: Path) -> list[Path]:
    """A database file and the files Ladybug keeps beside it."""
    return [path, *(path.with_name(path.name + s) for s in (".wal", ".shadow", ".tmp"))]


def _take_writer_lock(data_dir: Path, path: Path) -> Any:
    """The store's one writer lock (an ``flock`` released when the process dies)."""
    f = open(data_dir / LOCK_FILE, "a+")  # noqa: SIM115 (held until the writer closes)
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        f.close()
        raise StoreUnavailable(
            f"the embedded store at {path} is open for writing in another process "
            "(an ingest or detect run); wait for it to finish, or use a read-only command"
        ) from None
    return f


def _recover_in_place(path: Path, settings: Settings) -> None:
    """A store written in place by an older version (or a checkpoint left half-done)
    has a write-ahead log beside it: replay it once, in place, before copying."""
    if path.exists() and any(p.exists() for p in _db_files(path)[1:3]):
        db = lb.Database(str(path), buffer_pool_size=settings.buffer_pool_mb * 1024 * 1024)
        db.close()


def _remove_orphans(data_dir: Path) -> None:
    """Working copies of writers that died (the writer lock is held: none is live)."""
    for p in data_dir.glob(f"{DB_FILE}.next-*"):
        p.unlink(missing_ok=True)
    _remove_spools(data_dir)


def _remove_spools(data_dir: Path) -> None:
    """Spooled copies (:meth:`EmbeddedStore._staged_insert`) a writer left: only a writer
    makes them, under the writer lock, which the caller holds."""
    for p in (data_dir / "tmp").glob("copy-*.parquet"):
        p.unlink(missing_ok=True)


def _publish(work: Path, current: Path) -> None:
    """Make a closed working copy the current snapshot: flushed to disk, then renamed
    over the old one in one step (readers holding the old one keep reading it)."""
    leftovers = [p for p in _db_files(work)[1:] if p.exists()]
    if leftovers:
        raise StoreUnavailable(f"the store's working copy was not checkpointed on close ({leftovers[0]})")
    with open(work, "rb") as f:
        os.fsync(f.fileno())
    os.replace(work, current)
    dir_fd = os.open(current.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _pin(current: Path, data_dir: Path) -> Path:
    """A hard link of the current snapshot for one read-only handle: the handle (and its
    query sandbox) keeps reading that snapshot however often writers replace the
    current one, and nothing a reader does can leave files beside the shared one."""
    readers = data_dir / READERS_DIR
    readers.mkdir(parents=True, exist_ok=True)
    for d in readers.iterdir():  # links of handles whose process is gone
        pid = d.name.split("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(d, ignore_errors=True)
    d = readers / f"{os.getpid()}-{time.time_ns()}"
    d.mkdir()
    pinned = d / DB_FILE
    try:
        os.link(current, pinned)
    except OSError:  # a file system without hard links: a private copy, never the shared file
        shutil.copyfile(current, pinned)
    return pinned


def _unpin(pinned: Path) -> None:
    shutil.rmtree(pinned.parent, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
