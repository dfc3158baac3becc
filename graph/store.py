"""The store interface, and the load logic both stores share.

A store is opened with :func:`graph.workspace.open_store`. Both implementations (Ladybug embedded,
Neo4j) provide a handful of primitives; everything else — working out which rows are
new, changed, unchanged or gone, neighbourhoods, paths, projections — is written once
here so the two stores cannot disagree about semantics.

Loading is delta-based. For each label (or relationship type) the store's current
``uid``/``key``, ``row_hash`` and ``retired_at`` are read and compared with the incoming
rows in pandas:

- new rows are inserted in bulk (``COPY`` on Ladybug, batched ``UNWIND … MERGE`` on Neo4j)
  with ``first_seen = last_seen = run time``;
- changed rows (other hash, or a retired row that is back) are updated in bulk;
  ``first_seen`` is kept;
- unchanged rows get ``last_seen`` moved to the run time;
- rows in scope that are missing from the incoming rows get ``retired_at`` set. Nothing
  is ever deleted.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
import threading
import time
from abc import ABC, abstractmethod
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, NamedTuple, TypeVar, cast

import networkx as nx
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from graph import cypher as cy
from graph.errors import NodeNotFound, QueryError
from graph.model import MODEL, GraphModel, NodeSchema, RelSchema
from graph.settings import Settings
from graph.subgraph import Subgraph
from graph.values import PLAIN_TYPES, to_plain

T = TypeVar("T")

Rows = list[dict[str, Any]]

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_STRING_OR_COMMENT = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|//[^\n]*|/\*.*?\*/", re.S)


def cypher_parameters(cypher: str) -> set[str]:
    """Names of the ``$parameters`` a Cypher text uses (ignoring strings and comments).

    Parameters
    ----------
    cypher : str
        A query's text.

    Returns
    -------
    set of str
        The parameter names, without ``$``.

    See Also
    --------
    graph.guard.parameters_used : The same, read from the guard's tokens (for user
        queries).

    Examples
    --------
    >>> sorted(cypher_parameters("MATCH (n {uid: $id}) WHERE n.x = '$no' RETURN $limit"))
    ['id', 'limit']
    """
    return set(_PARAM.findall(_STRING_OR_COMMENT.sub("", cypher)))


@dataclass(frozen=True)
class RunInfo:
    """Identifies one write run (an ingest or a detector run).

    Every node and relationship a run writes carries its ``run_id``; ``first_seen``,
    ``last_seen`` and ``retired_at`` take its ``ts``.

    Parameters
    ----------
    run_id : str
        The run's id.
    ts : datetime.datetime
        The run's time (UTC, whole seconds).

    See Also
    --------
    RunInfo.new : A run starting now.

    Examples
    --------
    >>> import datetime as dt
    >>> RunInfo("ingest-1", dt.datetime(2026, 1, 2, tzinfo=dt.UTC)).run_id
    'ingest-1'
    """

    run_id: str
    ts: dt.datetime

    @staticmethod
    def new(prefix: str = "run") -> RunInfo:
        """A run starting now, with a fresh id.

        Parameters
        ----------
        prefix : str, default "run"
            What kind of run (``ingest``, ``detect`` …): the id's start.

        Returns
        -------
        RunInfo
            Id ``<prefix>-<UTC time>Z-<6 digits>``, time now in UTC to the second.

        Examples
        --------
        >>> run = RunInfo.new("ingest")
        >>> run.run_id.startswith("ingest-"), run.ts.tzinfo, run.ts.microsecond
        (True, datetime.timezone.utc, 0)
        """
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        return RunInfo(f"{prefix}-{now:%Y%m%dT%H%M%SZ}-{time.time_ns() % 1_000_000:06d}", now)


@dataclass
class LoadStats:
    """What one load did. ``read = new + changed + unchanged``.

    Parameters
    ----------
    name : str
        The label or relationship type loaded.
    read : int, default 0
        Rows read.
    new : int, default 0
        Rows inserted.
    changed : int, default 0
        Rows updated (another content hash, or a retired row that is back).
    unchanged : int, default 0
        Rows seen again as they were (``last_seen`` moved).
    retired : int, default 0
        Rows in scope missing from the incoming rows, now marked retired.
    seconds : float, default 0.0
        How long the load took.

    Examples
    --------
    >>> LoadStats("Officer", read=3, new=1, unchanged=2)
    LoadStats(name='Officer', read=3, new=1, changed=0, unchanged=2, retired=0, seconds=0.0)
    """

    name: str
    read: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    retired: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """The fields as a dict (for reports and JSON).

        Returns
        -------
        dict
            Field name to value.

        Examples
        --------
        >>> LoadStats("Officer", read=2, new=2).as_dict()
        {'name': 'Officer', 'read': 2, 'new': 2, 'changed': 0, 'unchanged': 0, 'retired': 0, 'seconds': 0.0}
        """
        return dict(self.__dict__)


class HopStep(NamedTuple):
    """A relationship met by a neighbourhood hop (light columns; refs: see ``_node_ref``).

    Neighbourhoods and shortest paths are searched in these light columns; only the
    nodes and edges kept are read in full.

    Parameters
    ----------
    other : str
        The uid of the node at its other end.
    other_ref : object
        That node's ref (a handle the store finds it by cheaply).
    type : str
        The relationship type.
    key : str
        The relationship's key.
    group : (str, bool)
        (label, outgoing): the query of the hop that met it.
    node_ref : object
        Ref of the node it was met from.
    rel_ref : object
        The relationship's ref.
    validity : dict
        Its non-null validity properties (read only for a time window).

    Examples
    --------
    >>> HopStep._fields[:4]
    ('other', 'other_ref', 'type', 'key')
    """

    other: str
    other_ref: Any
    type: str
    key: str
    group: tuple[str, bool]
    """(label, outgoing): the query of the hop that met it."""
    node_ref: Any
    """Ref of the node it was met from."""
    rel_ref: Any
    validity: dict[str, Any]
    """Its non-null validity properties (read only for a time window)."""


@dataclass
class _Delta:
    new: pd.DataFrame
    changed: pd.DataFrame
    unchanged_ids: list[str]
    retired_ids: list[str]

    def stats(self, name: str, t0: float) -> LoadStats:
        return LoadStats(
            name,
            len(self.new) + len(self.changed) + len(self.unchanged_ids),
            len(self.new),
            len(self.changed),
            len(self.unchanged_ids),
            len(self.retired_ids),
            time.perf_counter() - t0,
        )


def _hash_text(v: Any) -> str:
    if v is None or v is pd.NaT or (isinstance(v, float) and v != v):
        return "\x00"
    if isinstance(v, (list, tuple, np.ndarray)):
        return "\x1e".join(map(str, v))
    return str(v)


def relationship_keys(src: pd.Series, dst: pd.Series, discriminator: pd.Series | None = None) -> pd.Series:
    """The ``key`` of each relationship from its ends' uids (and discriminator, empty by
    default): a hash of the three, as :meth:`GraphStore.load_relationships` sets it.

    Parameters
    ----------
    src, dst : pandas.Series
        The end nodes' uids.
    discriminator : pandas.Series, optional
        What tells parallel relationships apart; none by default.

    Returns
    -------
    pandas.Series
        One key per relationship (16 hex digits), indexed from 0.

    Examples
    --------
    >>> keys = relationship_keys(pd.Series(["Officer:A", "Officer:A"]), pd.Series(["Record:R1", "Record:R2"]))
    >>> len(set(keys)), keys[0] == relationship_keys(pd.Series(["Officer:A"]), pd.Series(["Record:R1"]))[0]
    (2, True)
    """
    df = pd.DataFrame(
        {
            "src": src.to_numpy(),
            "dst": dst.to_numpy(),
            "discriminator": "" if discriminator is None else discriminator.to_numpy(),
        }
    )
    return row_hashes(df, ["src", "dst", "discriminator"])


def row_hashes(df: pd.DataFrame, cols: Sequence[str]) -> pd.Series:
    """A stable content hash per row over ``cols`` (vectorised).

    Date-times are hashed as UTC nanoseconds (formatting them as text was 95 % of the
    load time of a million aggregated links); everything else as text.

    Parameters
    ----------
    df : pandas.DataFrame
        The rows.
    cols : sequence of str
        The columns to hash, in order.

    Returns
    -------
    pandas.Series
        16 hex digits per row, same index: equal for rows equal in ``cols``.

    Examples
    --------
    >>> df = pd.DataFrame({"officer_id": ["A", "A", "B"], "rank": ["PC", "PC", "PC"]})
    >>> h = row_hashes(df, ["officer_id", "rank"])
    >>> h[0] == h[1], h[0] == h[2], len(h[0])
    (True, False, 16)
    """
    parts = {}
    for c in cols:
        s = df[c]
        if isinstance(s.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(s.dtype):
            ns = pd.to_datetime(s, utc=True).astype("datetime64[ns, UTC]").to_numpy(dtype="datetime64[ns]")
            parts[c] = pd.Series(ns.view("int64"), index=s.index).where(s.notna(), -1)
        elif pd.api.types.is_numeric_dtype(s.dtype) or (
            pd.api.types.is_string_dtype(s.dtype) and s.dtype != object
        ):
            parts[c] = s
        else:  # objects (text, dates, lists, mixed): their text, text as it is
            parts[c] = pd.Series(
                [v if type(v) is str else _hash_text(v) for v in s.to_numpy(dtype=object)], index=s.index
            )
    data = pd.DataFrame(parts, index=df.index)
    return pd.Series(_hex16(pd.util.hash_pandas_object(data, index=False).to_numpy()), index=df.index)


def _hex16(hashes: np.ndarray) -> list[str]:
    """Each 64-bit hash as 16 lower-case hex digits (as ``f"{h:016x}"``, without a Python
    call per hash: 21 M of them were 11 s of a 45k force's first ingest).

    >>> _hex16(np.array([0, 255, 2**64 - 1], dtype=np.uint64))
    ['0000000000000000', '00000000000000ff', 'ffffffffffffffff']
    """
    text = np.ascontiguousarray(hashes, dtype=">u8").tobytes().hex()
    return [text[i : i + 16] for i in range(0, len(text), 16)]


class GraphStore(ABC):
    """One graph store. Use :func:`graph.workspace.open_store`; close it (or use ``with``).

    The store-independent half of both stores: reads (:meth:`query`,
    :meth:`user_query`), neighbourhoods, shortest paths and projections, and the
    delta loads (:meth:`load_nodes`, :meth:`load_relationships`), all written once on
    a few primitives each store implements.

    Parameters
    ----------
    settings : Settings
        Limits (timeouts, ``max_hops``, batch size) and where the store lives.
    model : GraphModel, default MODEL
        The data model.

    Attributes
    ----------
    name : str
        ``"embedded"`` or ``"neo4j"``.
    settings : Settings
    model : GraphModel

    See Also
    --------
    graph.embedded.EmbeddedStore : The embedded store (Ladybug).
    graph.neo4j_store.Neo4jStore : The Neo4j store.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> from graph.settings import Settings
    >>> from graph.workspace import open_store
    >>> with open_store(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256)) as store:
    ...     run = RunInfo.new("doc")
    ...     officers = pd.DataFrame({"officer_id": ["A", "B"], "surname": ["Ash", "Birch"]})
    ...     _ = store.load_nodes("Officer", officers, run)
    ...     reports = pd.DataFrame({"src": ["Officer:B"], "dst": ["Officer:A"]})
    ...     _ = store.load_relationships("REPORTS_TO", reports, run)
    ...     sorted(store.neighbourhood(["Officer:A"]).nodes)
    ['Officer:A', 'Officer:B']
    """

    name: str = "abstract"

    def __init__(self, settings: Settings, model: GraphModel = MODEL) -> None:
        self.settings = settings
        self.model = model
        self._remembered: dict[str, OrderedDict[Hashable, Any]] = {}
        self._remembered_lock = threading.Lock()

    # ---- primitives each store implements ------------------------------------------

    @abstractmethod
    def ensure_schema(self) -> bool:
        """Create tables / constraints / indexes from the model (idempotent).

        Opening a store runs it.

        Returns
        -------
        bool
            Whether an existing table had to be altered to match it (always ``False``
            on Neo4j, which is schemaless).

        Examples
        --------
        >>> import tempfile
        >>> from graph.settings import Settings
        >>> from graph.workspace import open_store
        >>> store = open_store(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256))
        >>> store.ensure_schema()
        False
        >>> store.close()
        """

    @abstractmethod
    def _read(self, cypher: str, params: dict[str, Any], max_rows: int | None = None) -> list[dict[str, Any]]:
        """Run a read query in this store's dialect; raw driver values; at most
        ``max_rows`` rows are taken from the engine (the rest are never materialised)."""

    @abstractmethod
    def _write(self, cypher: str, params: dict[str, Any]) -> None:
        """Run one write statement."""

    @abstractmethod
    def _insert_nodes(self, node: NodeSchema, df: pd.DataFrame) -> None:
        """Insert rows known to be new (all columns of ``node.prop_names``)."""

    @abstractmethod
    def _update_nodes(self, node: NodeSchema, df: pd.DataFrame) -> None:
        """Update rows known to exist (every column but uid and first_seen)."""

    @abstractmethod
    def _insert_rels(self, rel: RelSchema, start: str, end: str, df: pd.DataFrame) -> None: ...

    @abstractmethod
    def _update_rels(self, rel: RelSchema, start: str, end: str, df: pd.DataFrame) -> None: ...

    @abstractmethod
    def close(self) -> None:
        """Close the store; on the embedded store a read-write handle publishes its writes.

        Leaving a ``with`` block closes it too (or aborts it, when the block raised).

        See Also
        --------
        abort : Close without keeping the writes.

        Examples
        --------
        >>> import tempfile
        >>> import pandas as pd
        >>> from graph.settings import Settings
        >>> from graph.workspace import open_store
        >>> store = open_store(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256))
        >>> officers = pd.DataFrame({"officer_id": ["A", "B"], "surname": ["Ash", "Birch"]})
        >>> _ = store.load_nodes("Officer", officers, RunInfo.new("doc"))
        >>> store.close()
        >>> with open_store(store.settings, read_only=True) as reader:
        ...     reader.query("MATCH (o:Officer) RETURN count(o) AS n")
        [{'n': 2}]
        """

    def release_memory(self) -> None:
        """Hand back the memory this handle keeps cached (pages read or written so far),
        before a bulk load that needs room of its own. The handle stays open and keeps
        its writes; a store with nothing of the kind to hand back does nothing (Neo4j:
        the server's memory is the server's).

        Examples
        --------
        >>> import tempfile
        >>> import pandas as pd
        >>> from graph.settings import Settings
        >>> from graph.workspace import open_store
        >>> store = open_store(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256))
        >>> _ = store.load_nodes("Unit", pd.DataFrame({"unit_id": ["U1"]}), RunInfo.new("doc"))
        >>> store.release_memory()
        >>> store.query("MATCH (u:Unit) RETURN u.uid AS uid")
        [{'uid': 'Unit:U1'}]
        >>> store.close()
        """
        return None

    def abort(self) -> None:
        """Close the store, discarding what this handle wrote where the store can.

        The embedded store discards all of it; Neo4j nothing: each load batch is its own
        transaction, so a run validates everything before its first write.

        See Also
        --------
        close : Close and keep the writes.

        Examples
        --------
        >>> import tempfile
        >>> import pandas as pd
        >>> from graph.settings import Settings
        >>> from graph.workspace import open_store
        >>> store = open_store(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256))
        >>> officers = pd.DataFrame({"officer_id": ["A", "B"], "surname": ["Ash", "Birch"]})
        >>> _ = store.load_nodes("Officer", officers, RunInfo.new("doc"))
        >>> store.abort()
        >>> with open_store(store.settings, read_only=True) as reader:
        ...     reader.query("MATCH (o:Officer) RETURN count(o) AS n")
        [{'n': 0}]
        """
        self.close()

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        """A block that raises discards the handle's writes (:meth:`abort`)."""
        if exc_type is None:
            self.close()
        else:
            self.abort()

    # ---- queries ---------------------------------------------------------------------

    def query(
        self,
        cypher: str,
        params: dict[str, Any] | None = None,
        *,
        embedded: str | None = None,
        max_rows: int | None = None,
    ) -> list[dict[str, Any]]:
        """Run a read-only query and return rows of plain Python values.

        ``cypher`` is Neo4j Cypher, the canonical dialect; ``embedded`` is the text the
        embedded store runs instead where the dialects differ. Every ``$parameter`` the
        text uses must be given (the embedded engine would otherwise read NULL). With
        ``max_rows``, reading stops after that many rows (ask for one more than you
        show to know whether there were more).

        Parameters
        ----------
        cypher : str
            The query, in Neo4j Cypher. Labels, types and property names must come from
            the model, never from a user; values go in ``params``.
        params : dict, optional
            The query's parameters (made plain with :func:`graph.values.to_plain`).
        embedded : str, optional
            The text the embedded store runs instead.
        max_rows : int, optional
            Read at most this many rows.

        Returns
        -------
        list of dict
            One dict per row, column to plain value (nodes, relationships and paths
            in the shapes of :mod:`graph.values`).

        Raises
        ------
        QueryError
            If a parameter is missing, or the store refuses the query.
        QueryTimeout
            If it runs past the query timeout.
        StoreUnavailable
            On the embedded store, if the handle is closed or every connection stayed
            busy past the query timeout.

        See Also
        --------
        user_query : For queries people write.

        Examples
        --------
        >>> import tempfile
        >>> import pandas as pd
        >>> from graph.settings import Settings
        >>> from graph.workspace import open_store
        >>> store = open_store(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256))
        >>> officers = pd.DataFrame({"officer_id": ["A", "B"], "surname": ["Ash", "Birch"]})
        >>> _ = store.load_nodes("Officer", officers, RunInfo.new("doc"))
        >>> store.query("MATCH (o:Officer) WHERE o.surname STARTS WITH $s RETURN o.officer_id AS id",
        ...             {"s": "B"})
        [{'id': 'B'}]
        >>> store.query("MATCH (o:Officer) RETURN o.officer_id AS id ORDER BY id", max_rows=1)
        [{'id': 'A'}]
        >>> store.query("MATCH (o:Officer {officer_id: $id}) RETURN o")
        Traceback (most recent call last):
        ...
        graph.errors.QueryError: missing query parameter(s): id
        >>> store.close()
        """
        text = embedded if (embedded is not None and self.name == "embedded") else cypher
        params = dict(params or {})
        missing = cypher_parameters(text) - set(params)
        if missing:
            raise QueryError(f"missing query parameter(s): {', '.join(sorted(missing))}")
        rows = self._read(text, {k: to_plain(v) for k, v in params.items()}, max_rows)
        return [{k: v if type(v) in PLAIN_TYPES else to_plain(v) for k, v in r.items()} for r in rows]

    def columns(
        self, cypher: str, params: dict[str, Any] | None = None, *, embedded: str | None = None
    ) -> dict[str, list[Any]]:
        """Run a read-only query, as :meth:`query`, and return its result by column: for
        thousands of rows of a few plain columns (the embedded store reads them through
        Arrow, not row by row).

        Parameters
        ----------
        cypher, params, embedded
            As :meth:`query`.

        Returns
        -------
        dict of str to list
            Column name to its values (plain, as :meth:`query` gives them), in row
            order; ``{}`` when there are no rows.

        Raises
        ------
        QueryError, QueryTimeout, StoreUnavailable
            As :meth:`query`.

        Examples
        --------
        >>> import tempfile
        >>> import pandas as pd
        >>> from graph.settings import Settings
        >>> from graph.workspace import open_store
        >>> store = open_store(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256))
        >>> officers = pd.DataFrame({"officer_id": ["A", "B"], "surname": ["Ash", "Birch"]})
        >>> _ = store.load_nodes("Officer", officers, RunInfo.new("doc"))
        >>> store.columns("MATCH (o:Officer) RETURN o.uid AS uid, o.surname AS s ORDER BY uid")
        {'uid': ['Officer:A', 'Officer:B'], 's': ['Ash', 'Birch']}
        >>> store.columns("MATCH (o:Officer) WHERE o.surname = $s RETURN o.uid AS uid", {"s": "Elm"})
        {}
        >>> store.close()
        """
        text = embedded if (embedded is not None and self.name == "embedded") else cypher
        params = dict(params or {})
        missing = cypher_parameters(text) - set(params)
        if missing:
            raise QueryError(f"missing query parameter(s): {', '.join(sorted(missing))}")
        cols = self._columns(text, {k: to_plain(v) for k, v in params.items()})
        return {c: [v if type(v) in PLAIN_TYPES else to_plain(v) for v in vals] for c, vals in cols.items()}

    def frame(self, cypher: str, columns: list[str], params: dict[str, Any] | None = None) -> pd.DataFrame:
        """A read-only query's rows as a frame of ``columns`` (scalar values, plain as
        :meth:`query` gives them): for reads of whole tables, which the embedded store
        hands over in bulk rather than a row at a time (:meth:`columns`).

        Parameters
        ----------
        cypher : str
            The query, in Neo4j Cypher (the dialects agree on what it may use: matches,
            filters and scalar properties returned under the names of ``columns``).
        columns : list of str
            The frame's columns, in order (present even when no row comes back).
        params : dict, optional
            The query's parameters.

        Returns
        -------
        pandas.DataFrame
            One row per result row, the same frame ``pd.DataFrame(query(...), columns=columns)``
            gives.

        Examples
        --------
        >>> import tempfile
        >>> import pandas as pd
        >>> from graph.settings import Settings
        >>> from graph.workspace import open_store
        >>> store = open_store(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256))
        >>> _ = store.load_nodes("Officer", pd.DataFrame({"officer_id": ["A", "B"], "rank": ["PC", None]}),
        ...                      RunInfo.new("doc"))
        >>> df = store.frame("MATCH (o:Officer) RETURN o.officer_id AS id, o.rank AS rank ORDER BY id", ["id", "rank"])
        >>> df.equals(pd.DataFrame(store.query("MATCH (o:Officer) RETURN o.officer_id AS id, o.rank AS rank ORDER BY id")))
        True
        >>> df["id"].tolist(), df["rank"].isna().tolist()
        (['A', 'B'], [False, True])
        >>> store.close()
        """
        got = self.columns(cypher, params)
        if not got:  # no rows: the columns of a frame made from no rows (object, not float)
            return pd.DataFrame([], columns=columns)
        return pd.DataFrame({c: got[c] for c in columns}, columns=columns)

    def ping(self) -> None:
        """Raise :class:`~graph.errors.StoreUnavailable` unless the store answers.

        Raises
        ------
        StoreUnavailable
            If the store is closed or cannot be reached.

        Examples
        --------
        >>> import tempfile
        >>> from graph.settings import Settings
        >>> from graph.workspace import open_store
        >>> store = open_store(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256))
        >>> store.ping()
        >>> store.close()
        >>> store.ping()  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        graph.errors.StoreUnavailable: the embedded store at ... is closed
        """
        self.query("RETURN 1 AS ok")

    def user_query(
        self,
        cypher: str,
        params: dict[str, Any] | None = None,
        *,
        embedded: str | None = None,
        max_rows: int | None = None,
    ) -> list[dict[str, Any]]:
        """Run a query a person wrote (ad hoc, or a saved query), after the guard.

        The guard (:func:`graph.guard.prepare_user_query`) lets through read clauses and
        functions only, bounded patterns, one statement. The engine runs the guard's
        re-emitted text, in which every string literal is a parameter. Rows as :meth:`query`.

        Parameters
        ----------
        cypher : str
            The query a person wrote.
        params : dict, optional
            Its parameters: each one the query uses must be given and each one given
            must be used; names must not start with ``lw_s`` (the guard's).
        embedded : str, optional
            The text the embedded store runs instead (a saved query's variant).
        max_rows : int, optional
            Read at most this many rows.

        Returns
        -------
        list of dict
            As :meth:`query`.

        Raises
        ------
        QueryError
            If the guard refuses the query, a parameter is missing, unknown, reserved
            or too large, or the store refuses it.
        QueryTimeout
            If it runs past the query timeout.

        See Also
        --------
        graph.guard.prepare_user_query : The guard.

        Examples
        --------
        >>> import tempfile
        >>> import pandas as pd
        >>> from graph.settings import Settings
        >>> from graph.workspace import open_store
        >>> store = open_store(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256))
        >>> officers = pd.DataFrame({"officer_id": ["A", "B"], "surname": ["Ash", "Birch"]})
        >>> _ = store.load_nodes("Officer", officers, RunInfo.new("doc"))
        >>> store.user_query("MATCH (o:Officer) WHERE o.surname = 'Ash' RETURN o.officer_id AS id")
        [{'id': 'A'}]
        >>> store.user_query("MATCH (o:Officer) DETACH DELETE o")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        graph.errors.QueryError: DETACH is not allowed in a query here (writes are refused); to use ...
        >>> store.close()
        """
        text, bound = self._prepare_user_query(cypher, params, embedded)
        return self.query(text, bound, max_rows=max_rows)

    def _prepare_user_query(
        self, cypher: str, params: dict[str, Any] | None, embedded: str | None
    ) -> tuple[str, dict[str, Any]]:
        from graph.guard import check_parameters, parameters_used, prepare_user_query

        text = embedded if (embedded is not None and self.name == "embedded") else cypher
        checked = prepare_user_query(text, self.settings.max_hops)
        given = dict(params or {})
        check_parameters(given)
        clash = sorted(set(given) & set(checked.params))
        if clash:
            raise QueryError(f"parameter name(s) {', '.join(clash)} are reserved; rename them")
        used = parameters_used(text)
        missing = used - set(given)
        if missing:
            raise QueryError(f"missing query parameter(s): {', '.join(sorted(missing))}")
        unused = set(given) - used
        if unused:
            raise QueryError(
                f"unknown query parameter(s), not used by the query: {', '.join(sorted(unused))}"
            )
        return checked.text, {**given, **checked.params}

    def counts(self) -> dict[str, int]:
        """Number of nodes per label and relationships per type (retired included).

        Returns
        -------
        dict of str to int
            Every label and type of the model, in declaration order (0 where empty).

        Examples
        --------
        >>> import tempfile
        >>> import pandas as pd
        >>> from graph.settings import Settings
        >>> from graph.workspace import open_store
        >>> store = open_store(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256))
        >>> run = RunInfo.new("doc")
        >>> officers = pd.DataFrame({"officer_id": ["A", "B", "C"], "surname": ["Ash", "Birch", "Cedar"]})
        >>> _ = store.load_nodes("Officer", officers, run)
        >>> reports = pd.DataFrame({"src": ["Officer:B", "Officer:C"], "dst": ["Officer:A", "Officer:A"]})
        >>> _ = store.load_relationships("REPORTS_TO", reports, run)
        >>> {k: n for k, n in store.counts().items() if n}
        {'Officer': 3, 'REPORTS_TO': 2}
        >>> store.close()
        """
        out: dict[str, int] = {}
        for n in self.model.nodes:
            out[n.label] = int(self.query(f"MATCH (n:{n.label}) RETURN count(n) AS c")[0]["c"])
        for r in self.model.relationships:
            out[r.type] = int(self.query(f"MATCH ()-[r:{r.type}]->() RETURN count(r) AS c")[0]["c"])
        return out

    def nodes(self, uids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Nodes by uid (unknown uids are left out).

        Each is found through the uid's unique index, one lookup per uid.

        Parameters
        ----------
        uids : iterable of str
            Node ids (``Label:key``); retired nodes are found too.

        Returns
        -------
        dict of str to dict
            Uid to node (``{"id", "labels", "properties"}``).

        Raises
        ------
        UnknownName
            If a uid's label is not in the model.

        See Also
        --------
        node : One node, or :class:`~graph.errors.NodeNotFound`.

        Examples
        --------
        >>> import tempfile
        >>> import pandas as pd
        >>> from graph.settings import Settings
        >>> from graph.workspace import open_store
        >>> store = open_store(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256))
        >>> officers = pd.DataFrame({"officer_id": ["A", "B"], "surname": ["Ash", "Birch"]})
        >>> _ = store.load_nodes("Officer", officers, RunInfo.new("doc"))
        >>> found = store.nodes(["Officer:A", "Officer:Z"])
        >>> list(found), found["Officer:A"]["properties"]["surname"]
        (['Officer:A'], 'Ash')
        >>> store.close()
        """
        return {u: n for u, (n, _) in self._nodes_and_refs(uids).items()}

    def _nodes_and_refs(self, uids: Iterable[str]) -> dict[str, tuple[dict[str, Any], Any]]:
        """Nodes by uid with each one's :meth:`_node_ref` (unknown uids are left out), found
        through the uid's unique index (Ladybug: the primary key), one lookup per uid;
        Ladybug answers ``WHERE n.uid IN $ids`` by reading the whole label (~100 ms on
        100,000 records)."""
        by_label: dict[str, list[str]] = defaultdict(list)
        for u in uids:
            by_label[self.model.label_of_uid(u)].append(u)
        out: dict[str, tuple[dict[str, Any], Any]] = {}
        for label, ids in by_label.items():
            for row in self.query(
                f"UNWIND $ids AS i MATCH (n:{label} {{uid: i}}) RETURN n, {self._node_ref('n')} AS ref",
                {"ids": sorted(set(ids))},
            ):
                out[row["n"]["id"]] = (row["n"], row["ref"])
        return out

    def node(self, uid: str) -> dict[str, Any]:
        """One node by uid.

        Parameters
        ----------
        uid : str
            The node's id (``Label:key``).

        Returns
        -------
        dict
            The node, ``{"id", "labels", "properties"}``.

        Raises
        ------
        NodeNotFound
            If no node has that id.
        UnknownName
            If the uid's label is not in the model.

        Examples
        --------
        >>> import tempfile
        >>> import pandas as pd
        >>> from graph.settings import Settings
        >>> from graph.workspace import open_store
        >>> store = open_store(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256))
        >>> officers = pd.DataFrame({"officer_id": ["A", "B"], "surname": ["Ash", "Birch"]})
        >>> _ = store.load_nodes("Officer", officers, RunInfo.new("doc"))
        >>> store.node("Officer:B")["properties"]["surname"]
        'Birch'
        >>> store.node("Officer:Z")
        Traceback (most recent call last):
        ...
        graph.errors.NodeNotFound: no node with id 'Officer:Z'
        >>> store.close()
        """
        found = self.nodes([uid])
        if uid not in found:
            raise NodeNotFound(f"no node with id {uid!r}")
        return found[uid]

    unchanging: bool = False
    """Whether what this handle reads can never change (a server's read-only embedded
    snapshot): answers may then be kept (:meth:`remember`)."""

    REMEMBERED = 64
    """Answers :meth:`remember` keeps, the least recently used dropped first."""

    def remember(
        self, key: Hashable, compute: Callable[[], T], *, kind: str = "answers", most: int | None = None
    ) -> T:
        """``compute()``, kept under ``key`` while this handle lasts when it is
        :attr:`unchanging` (else computed every time).

        Parameters
        ----------
        key : hashable
            Everything the answer depends on (the query and its parameters).
        compute : callable
            Makes the answer.
        kind : str, default "answers"
            Which set of kept answers: each keeps its ``most`` least recently used apart
            from the others (a page's 50 masked flags do not push out the flags' orders).
        most : int, optional
            How many answers of this ``kind`` are kept (:data:`REMEMBERED`).

        Returns
        -------
        object
            The answer (the same object each time it is kept: do not change it).

        Examples
        --------
        >>> import tempfile
        >>> from graph.settings import Settings
        >>> from graph.workspace import open_store
        >>> store = open_store(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256))
        >>> calls = []
        >>> [store.remember("k", lambda: calls.append(1) or len(calls)) for _ in range(2)]  # a writer: not kept
        [1, 2]
        >>> store.close()
        """
        if not self.unchanging:
            return compute()
        with self._remembered_lock:
            kept = self._remembered.setdefault(kind, OrderedDict())
            if key in kept:
                kept.move_to_end(key)
                return cast(T, kept[key])
        value = compute()
        with self._remembered_lock:
            kept[key] = value
            while len(kept) > (most or self.REMEMBERED):
                kept.popitem(last=False)
        return value

    def remembers(self, key: Hashable, *, kind: str = "answers") -> bool:
        """Whether an answer is kept under ``key`` (:meth:`remember`)."""
        with self._remembered_lock:
            return key in self._remembered.get(kind, ())

    def warm(self, search_fields: Mapping[str, Sequence[str]]) -> None:
        """Make ready now what a server's requests on this handle will need: what
        :meth:`search_names` needs for these labels' fields, and anything that makes
        hops cheaper.

        A server calls it as a snapshot opens, so its first requests do not wait. Here:
        nothing (the engine's own indexes serve searches and hops; see EmbeddedStore).

        Parameters
        ----------
        search_fields : mapping of str to sequence of str
            Label to the fields searched.

        Examples
        --------
        >>> import tempfile
        >>> from graph.settings import Settings
        >>> from graph.workspace import open_store
        >>> store = open_store(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256))
        >>> store.warm({"Officer": ("surname", "forenames")})
        >>> store.close()
        """
        return None

    def search_names(
        self, label: str, fields: Sequence[str], terms: Sequence[str], limit: int
    ) -> list[dict[str, Any]]:
        """The first ``limit`` live ``label`` nodes, in uid order, in which every term is
        in some of ``fields`` (case-insensitive: each value lowered by the engine holds
        the term, given in lower case).

        Parameters
        ----------
        label : str
            A label of the model.
        fields : sequence of str
            Properties of the label to look in (a null matches nothing).
        terms : sequence of str
            Lower-case words; a node matches when each is in one of its fields.
        limit : int
            Most nodes returned.

        Returns
        -------
        list of dict
            Nodes (``{"id", "labels", "properties"}``), by uid.

        Examples
        --------
        >>> import tempfile
        >>> import pandas as pd
        >>> from graph.settings import Settings
        >>> from graph.workspace import open_store
        >>> store = open_store(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256))
        >>> officers = pd.DataFrame({"officer_id": ["A", "B"], "surname": ["Ash", "Birch"], "forenames": ["Bo", "Al"]})
        >>> _ = store.load_nodes("Officer", officers, RunInfo.new("doc"))
        >>> [n["id"] for n in store.search_names("Officer", ("surname", "forenames"), ["b"], 5)]
        ['Officer:A', 'Officer:B']
        >>> [n["id"] for n in store.search_names("Officer", ("surname", "forenames"), ["b", "al"], 5)]
        ['Officer:B']
        >>> store.close()
        """
        declared = {p.name for p in self.model.node(label).props}
        for f in fields:  # only declared names reach the Cypher text
            if f not in declared:
                raise QueryError(f"{label} has no property {f!r}")
        params: dict[str, Any] = {"k": limit}
        conds = []
        for i, t in enumerate(terms):
            params[f"t{i}"] = t
            conds.append(
                "("
                + " OR ".join(f"(n.{f} IS NOT NULL AND toLower(n.{f}) CONTAINS $t{i})" for f in fields)
                + ")"
            )
        rows = self.query(
            f"MATCH (n:{label}) WHERE n.retired_at IS NULL AND {' AND '.join(conds)} "
            "RETURN n ORDER BY n.uid LIMIT $k",
            params,
        )
        return [r["n"] for r in rows]

    def _rel_pattern(self, rel_types: Sequence[str] | None) -> str:
        if not rel_types:
            return ""
        for t in rel_types:
            self.model.rel(t)  # validates: only declared names reach the Cypher text
        return ":" + "|".join(rel_types)

    # ---- neighbourhood primitives: these work on both stores, each store overrides some
    # for speed (Cypher is Neo4j's; see EmbeddedStore and Neo4jStore)

    def _node_ref(self, var: str) -> str:
        """Cypher for a handle on a node that a later query can filter on cheaply with
        ``IN $list`` among the nodes of its label: the uid here."""
        return f"{var}.uid"

    def _rel_ref(self, var: str) -> str:
        """Cypher for a handle on a relationship, as :meth:`_node_ref`, among those of the
        types matched from given nodes (it need not tell them apart: the key here)."""
        return f"{var}.key"

    def _rel_type(self, var: str) -> str:
        """Cypher for a relationship's type."""
        return f"type({var})"

    def _nodes_by_ref(self, refs: dict[str, Any]) -> dict[str, dict[str, Any]]:
        """Nodes by uid, given each one's :meth:`_node_ref`."""
        return self.nodes(refs)

    def _edges_by_ref(self, steps: Iterable[HopStep]) -> dict[str, dict[str, Any]]:
        """Edges by ``"TYPE:key"``, read again from the nodes they were met from: one
        query per label and direction (it may return a few more than asked for)."""
        groups: dict[tuple[str, bool], tuple[set[str], set[Any], set[Any]]] = {}
        for s in steps:
            types, node_refs, rel_refs = groups.setdefault(s.group, (set(), set(), set()))
            types.add(s.type)
            node_refs.add(s.node_ref)
            rel_refs.add(s.rel_ref)
        out: dict[str, dict[str, Any]] = {}
        for (label, outgoing), (types, node_refs, rel_refs) in sorted(groups.items()):
            typed = "r:" + "|".join(sorted(types))
            arrow = f"-[{typed}]->" if outgoing else f"<-[{typed}]-"
            for row in self.query(
                f"MATCH (n:{label}){arrow}() WHERE {self._node_ref('n')} IN $nodes "
                f"AND {self._rel_ref('r')} IN $rels RETURN r",
                {"nodes": list(node_refs), "rels": list(rel_refs)},
            ):
                out.setdefault(f"{row['r']['type']}:{row['r']['id']}", row["r"])
        return out

    def neighbourhood(
        self,
        uids: Sequence[str],
        *,
        depth: int = 1,
        rel_types: Sequence[str] | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        limit: int = 500,
        include_retired: bool = False,
    ) -> Subgraph:
        """The nodes within ``depth`` hops of ``uids`` and the edges among them.

        Expansion is breadth-first, one hop at a time with one query per label and
        direction, so both stores return exactly the same subgraph. The relationships a
        hop meets are taken in (neighbour id, edge key, type) order, each new neighbour
        added until there are ``limit`` nodes; then ``truncated`` is set and edges to
        neighbours left out are dropped. Edges whose real-world validity (e.g. a
        membership's ``since``/``until``) lies outside ``since``..``until`` are skipped,
        as are retired ones unless asked for.

        The hops read only what these choices need (the neighbour's uid, the
        relationship's type, key and validity properties, and handles to find both
        again); the nodes and edges kept are read in full once, at the end. A hop into
        a hub (a unit, a site) meets thousands of relationships and drops most of them
        at ``limit``: their properties are never read.

        Parameters
        ----------
        uids : sequence of str
            The seed nodes (always in the result).
        depth : int, default 1
            Hops to expand, 0 to ``settings.max_hops``.
        rel_types : sequence of str, optional
            Follow only these relationship types (default: all).
        since, until : datetime.date, optional
            The time window: skip relationships whose validity lies outside it.
        limit : int, default 500
            Most nodes in the result.
        include_retired : bool, default False
            Follow retired relationships too.

        Returns
        -------
        Subgraph
            The nodes and the edges among them; ``truncated`` when ``limit`` left
            nodes out.

        Raises
        ------
        QueryError
            If ``depth`` is out of range.
        NodeNotFound
            If a seed is not in the store.
        UnknownName
            If a relationship type or a uid's label is not in the model.

        Examples
        --------
        >>> import tempfile
        >>> import pandas as pd
        >>> from graph.settings import Settings
        >>> from graph.workspace import open_store
        >>> store = open_store(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256))
        >>> run = RunInfo.new("doc")
        >>> officers = pd.DataFrame({"officer_id": ["A", "B", "C"], "surname": ["Ash", "Birch", "Cedar"]})
        >>> _ = store.load_nodes("Officer", officers, run)
        >>> reports = pd.DataFrame({"src": ["Officer:B", "Officer:C"], "dst": ["Officer:A", "Officer:A"]})
        >>> _ = store.load_relationships("REPORTS_TO", reports, run)
        >>> sg = store.neighbourhood(["Officer:B"], depth=2)
        >>> sorted(sg.nodes), len(sg.edges), sg.truncated
        (['Officer:A', 'Officer:B', 'Officer:C'], 2, False)
        >>> sg = store.neighbourhood(["Officer:A"], limit=2)
        >>> sorted(sg.nodes), sg.truncated
        (['Officer:A', 'Officer:B'], True)
        >>> store.close()
        """
        if depth < 0 or depth > self.settings.max_hops:
            raise QueryError(f"depth must be between 0 and {self.settings.max_hops}")
        seeds = self._nodes_and_refs(uids)
        missing = [u for u in uids if u not in seeds]
        if missing:
            raise NodeNotFound(f"no node with id {', '.join(map(repr, missing))}")
        pattern = self._rel_pattern(rel_types)
        types = list(rel_types) if rel_types else self.model.rel_types
        windowed = since is not None or until is not None
        added: dict[str, Any] = {}  # uid -> ref of each node beyond the seeds, in the order taken
        edges: dict[str, HopStep] = {}  # "TYPE:key" -> where the edge was first met, in order
        truncated = False
        frontier = {u: ref for u, (_, ref) in sorted(seeds.items())}
        for _ in range(depth):
            by_label: dict[str, list[Any]] = defaultdict(list)
            for u, ref in frontier.items():
                by_label[self.model.label_of_uid(u)].append(ref)
            found: list[HopStep] = []
            for label, refs in sorted(by_label.items()):
                for outgoing in (True, False):
                    found += self._hop(label, refs, outgoing, pattern, types, windowed, include_retired)
            if windowed:
                found = [
                    s
                    for s in found
                    if self._in_window({"type": s.type, "properties": s.validity}, since, until)
                ]
            # New neighbours are taken in uid order until the limit: settle which before
            # sorting, so that a hop into a hub (thousands of steps, most to neighbours left
            # out) sorts and walks only the steps it keeps.
            new = sorted({s.other for s in found} - seeds.keys() - added.keys())
            room = max(limit - len(seeds) - len(added), 0)
            if len(new) > room:
                truncated = True
                dropped = set(new[room:])
                found = [s for s in found if s.other not in dropped]
            next_frontier: dict[str, Any] = {}
            for step in sorted(found, key=attrgetter("other", "key", "type")):
                if step.other not in seeds and step.other not in added:
                    added[step.other] = next_frontier[step.other] = step.other_ref
                edges.setdefault(f"{step.type}:{step.key}", step)
            frontier = dict(sorted(next_frontier.items()))
            if not frontier:
                break
        sg = Subgraph(truncated=truncated)
        for n, _ in seeds.values():
            sg.add_node(n)
        full_nodes = self._nodes_by_ref(added) if added else {}
        for u in added:
            if u in full_nodes:
                sg.add_node(full_nodes[u])
        full_edges = self._edges_by_ref(edges.values()) if edges else {}
        for e in edges:
            if e in full_edges:
                sg.add_edge(full_edges[e])
        return sg

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
        """The relationships of the ``label`` nodes with these refs, one direction, in
        light columns (with the validity properties when there is a time window). No
        query when no relationship type in play can leave (or reach) the label: the
        stores hold only the ends the model declares, and the query would read the
        label's nodes for nothing (a site has no outgoing relationship)."""
        in_play = pattern[1:].split("|") if pattern else self.model.rel_types
        if not any(any((a if outgoing else b) == label for a, b in self.model.rel(t).ends) for t in in_play):
            return []
        validity: list[str] = []
        if windowed:  # only properties some type that can match has: Ladybug refuses others
            for t in types:
                rel = self.model.rel(t)
                if any((a if outgoing else b) == label for a, b in rel.ends):
                    validity += [p for p in (rel.valid_from, rel.valid_to) if p and p not in validity]
        arrow = f"-[r{pattern}]->" if outgoing else f"<-[r{pattern}]-"
        cols = self._columns(
            f"MATCH (n:{label}){arrow}(m) WHERE {self._node_ref('n')} IN $refs"
            + ("" if include_retired else " AND r.retired_at IS NULL")
            + f" RETURN {self._rel_type('r')} AS t, {self._node_ref('n')} AS nr, m.uid AS m, "
            f"{self._node_ref('m')} AS mr, r.key AS k, {self._rel_ref('r')} AS rr"
            + "".join(f", r.{p} AS v_{p}" for p in validity),
            {"refs": refs},
        )
        if not cols:
            return []
        group = (label, outgoing)
        light = zip(cols["m"], cols["mr"], cols["t"], cols["k"], cols["nr"], cols["rr"], strict=True)
        if not validity:
            return [HopStep(m, mr, t, k, group, nr, rr, {}) for m, mr, t, k, nr, rr in light]
        out = []
        for i, (m, mr, t, k, nr, rr) in enumerate(light):
            props = {p: to_plain(cols[f"v_{p}"][i]) for p in validity if cols[f"v_{p}"][i] is not None}
            out.append(HopStep(m, mr, t, k, group, nr, rr, props))
        return out

    def _columns(self, cypher: str, params: dict[str, Any]) -> dict[str, list[Any]]:
        """A light query's result by column (column name to its values, as the store
        gives them; ``{}`` when there are no rows): for results of thousands of rows (the
        relationships of a hub)."""
        rows = self._read(cypher, params)
        return {c: [r[c] for r in rows] for c in rows[0]} if rows else {}

    def _in_window(self, edge: dict[str, Any], since: dt.date | None, until: dt.date | None) -> bool:
        if since is None and until is None:
            return True
        schema = self.model.rel(edge["type"])
        props = edge["properties"]
        start = props.get(schema.valid_from) if schema.valid_from else None
        end = props.get(schema.valid_to) if schema.valid_to else None
        if until is not None and start is not None and _as_date(start) > until:
            return False
        return not (since is not None and end is not None and _as_date(end) < since)

    @abstractmethod
    def _shortest_paths_cypher(self, a_label: str, b_label: str, pattern: str, hops: int) -> str:
        """Cypher returning ``p``: all shortest paths between ``$a`` and ``$b``, found by
        the engine, as :meth:`shortest_paths` answers (once sorted and cut): the tests
        hold the two to each other."""

    def shortest_paths(
        self,
        a: str,
        b: str,
        *,
        max_hops: int = 4,
        rel_types: Sequence[str] | None = None,
        limit: int = 25,
    ) -> list[dict[str, Any]]:
        """All shortest paths (up to ``max_hops``) between two nodes, in a stable order.

        Each path is ``{"nodes": [...], "edges": [...]}``; an empty list means none
        within ``max_hops``. Relationships are followed either way, retired ones too.
        Paths are ordered by their node ids, then their edge ids (parallel
        relationships of different types can share a key: those ties stay in the
        order the store's own all-shortest-paths query gives), and the first ``limit``
        are kept.

        The paths are found in light columns (:meth:`_shortest_walks`) and only the
        nodes and edges of the ``limit`` kept are read in full: two officers joined
        through a unit, a site or a case can have thousands of equal shortest paths.

        Parameters
        ----------
        a, b : str
            The end nodes' uids (the same uid gives the one-node path).
        max_hops : int, default 4
            Longest path, 1 to ``settings.max_hops``.
        rel_types : sequence of str, optional
            Follow only these relationship types (default: all).
        limit : int, default 25
            Most paths returned.

        Returns
        -------
        list of dict
            Each ``{"nodes": [node, ...], "edges": [edge, ...]}``, from ``a`` to ``b``.

        Raises
        ------
        QueryError
            If ``max_hops`` is out of range.
        NodeNotFound
            If ``a`` or ``b`` is not in the store.
        UnknownName
            If a relationship type or a uid's label is not in the model.

        Examples
        --------
        >>> import tempfile
        >>> import pandas as pd
        >>> from graph.settings import Settings
        >>> from graph.workspace import open_store
        >>> store = open_store(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256))
        >>> run = RunInfo.new("doc")
        >>> officers = pd.DataFrame({"officer_id": ["A", "B", "C"], "surname": ["Ash", "Birch", "Cedar"]})
        >>> _ = store.load_nodes("Officer", officers, run)
        >>> reports = pd.DataFrame({"src": ["Officer:B", "Officer:C"], "dst": ["Officer:A", "Officer:A"]})
        >>> _ = store.load_relationships("REPORTS_TO", reports, run)
        >>> paths = store.shortest_paths("Officer:B", "Officer:C")
        >>> [[n["id"] for n in p["nodes"]] for p in paths]
        [['Officer:B', 'Officer:A', 'Officer:C']]
        >>> [e["type"] for e in paths[0]["edges"]]
        ['REPORTS_TO', 'REPORTS_TO']
        >>> store.shortest_paths("Officer:B", "Officer:C", max_hops=1)
        []
        >>> store.close()
        """
        if not 1 <= max_hops <= self.settings.max_hops:
            raise QueryError(f"max_hops must be between 1 and {self.settings.max_hops}")
        found = self._nodes_and_refs([a, b])
        for u in (a, b):
            if u not in found:
                raise NodeNotFound(f"no node with id {u!r}")
        if a == b:
            return [{"nodes": [found[a][0]], "edges": []}]
        kept = self._shortest_walks(
            (a, found[a][1]), (b, found[b][1]), self._rel_pattern(rel_types), max_hops, limit
        )
        refs = {u: ref for w in kept for u, ref in zip(w.nodes[1:-1], w.refs[1:-1], strict=True)}
        full_nodes, full_edges = self._nodes_and_edges_by_ref(refs, [s for w in kept for s in w.steps])
        full_nodes.update({a: found[a][0], b: found[b][0]})
        return [
            {
                "nodes": [full_nodes[u] for u in w.nodes],
                "edges": [full_edges[f"{s.type}:{s.key}"] for s in w.steps],
            }
            for w in kept
        ]

    def _nodes_and_edges_by_ref(
        self, refs: dict[str, Any], steps: list[HopStep]
    ) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
        """:meth:`_nodes_by_ref` and :meth:`_edges_by_ref` (either may be empty)."""
        return (self._nodes_by_ref(refs) if refs else {}), (self._edges_by_ref(steps) if steps else {})

    def _shortest_walks(
        self, a: tuple[str, Any], b: tuple[str, Any], pattern: str, max_hops: int, limit: int
    ) -> list[Walk]:
        """The first ``limit`` shortest paths from ``a`` to ``b`` (each ``(uid, ref)``),
        in :meth:`shortest_paths` order, in light columns.

        Here: breadth-first from both ends at once, one hop at a time with the light
        queries of :meth:`neighbourhood` (from the end with the smaller frontier), until
        the frontiers meet; the paths through the meeting nodes are then walked in order
        in Python and the walk stops at ``limit``. On Ladybug the engine's ``ALL
        SHORTEST`` query builds every path (a second through hubs) and its recursive
        join costs more than these hops even when it returns only keys."""
        ends = (_Search(*a), _Search(*b))
        meet: set[str] = set()
        while not meet and ends[0].depth + ends[1].depth < max_hops:
            side = ends[0] if len(ends[0].frontier) <= len(ends[1].frontier) else ends[1]
            self._expand(side, pattern)
            if not side.frontier:
                return []
            meet = set(ends[0].frontier) & set(ends[1].frontier)
        if not meet:
            return []
        return list(itertools.islice(_walk(*ends, meet, self._tie_order), limit))

    def _tie_order(self, steps: Sequence[HopStep]) -> Any:
        """Sort key among paths with the same node ids and edge ids (parallel
        relationships of different types that share a key). A store whose engine
        returns them in some order gives that order here: :meth:`shortest_paths` kept
        it before it searched in Python (see EmbeddedStore). Here: by type names."""
        return [s.type for s in steps]

    def _expand(self, side: _Search, pattern: str) -> None:
        """One breadth-first hop from ``side``'s frontier (either direction, retired
        relationships too): the nodes met for the first time become the frontier, and
        each keeps every relationship it was met by."""
        by_label: dict[str, list[Any]] = defaultdict(list)
        at: dict[tuple[str, Any], str] = {}
        for u, ref in side.frontier.items():
            label = self.model.label_of_uid(u)
            by_label[label].append(ref)
            at[(label, ref)] = u
        side.depth += 1
        frontier: dict[str, Any] = {}
        for label, refs in sorted(by_label.items()):
            for outgoing in (True, False):
                for step in self._hop(label, refs, outgoing, pattern, (), False, True):
                    v = step.other
                    if v in side.refs and v not in frontier:
                        continue  # met before this hop: not on a shortest path through here
                    frontier[v] = side.refs[v] = step.other_ref
                    side.via[v].append((at[(label, step.node_ref)], step))
        side.frontier = frontier

    def project(
        self, labels: Sequence[str] | None = None, rel_types: Sequence[str] | None = None
    ) -> Subgraph:
        """Nodes of ``labels`` and relationships of ``rel_types`` between them (default: all).

        Retired nodes and relationships are included (their ``retired_at`` says so).

        Parameters
        ----------
        labels : sequence of str, optional
            Node labels to take (default: every label).
        rel_types : sequence of str, optional
            Relationship types to take (default: every type); only those with both
            ends among the nodes taken are kept.

        Returns
        -------
        Subgraph
            The nodes and relationships (never truncated).

        Raises
        ------
        UnknownName
            If a label or type is not in the model.

        See Also
        --------
        to_networkx : The same as a NetworkX graph.

        Examples
        --------
        >>> import tempfile
        >>> import pandas as pd
        >>> from graph.settings import Settings
        >>> from graph.workspace import open_store
        >>> store = open_store(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256))
        >>> run = RunInfo.new("doc")
        >>> officers = pd.DataFrame({"officer_id": ["A", "B", "C"], "surname": ["Ash", "Birch", "Cedar"]})
        >>> _ = store.load_nodes("Officer", officers, run)
        >>> reports = pd.DataFrame({"src": ["Officer:B", "Officer:C"], "dst": ["Officer:A", "Officer:A"]})
        >>> _ = store.load_relationships("REPORTS_TO", reports, run)
        >>> sg = store.project(["Officer"], ["REPORTS_TO"])
        >>> len(sg.nodes), sorted(e["source"] for e in sg.edges.values())
        (3, ['Officer:B', 'Officer:C'])
        >>> store.close()
        """
        sg = Subgraph()
        for label in labels or self.model.labels:
            self.model.node(label)
            for row in self.query(f"MATCH (n:{label}) RETURN n"):
                sg.add_node(row["n"])
        for t in rel_types or self.model.rel_types:
            self.model.rel(t)
            for row in self.query(f"MATCH ()-[r:{t}]->() RETURN r"):
                e = row["r"]
                if e["source"] in sg.nodes and e["target"] in sg.nodes:
                    sg.add_edge(e)
        return sg

    def to_networkx(
        self, labels: Sequence[str] | None = None, rel_types: Sequence[str] | None = None
    ) -> nx.MultiDiGraph:
        """Project the graph (or part of it) into a NetworkX ``MultiDiGraph``.

        Parameters
        ----------
        labels : sequence of str, optional
            Node labels to take (default: every label).
        rel_types : sequence of str, optional
            Relationship types to take (default: every type).

        Returns
        -------
        networkx.MultiDiGraph
            As :meth:`graph.subgraph.Subgraph.to_networkx` builds it from
            :meth:`project`.

        Raises
        ------
        UnknownName
            If a label or type is not in the model.

        Examples
        --------
        >>> import tempfile
        >>> import pandas as pd
        >>> from graph.settings import Settings
        >>> from graph.workspace import open_store
        >>> store = open_store(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256))
        >>> run = RunInfo.new("doc")
        >>> officers = pd.DataFrame({"officer_id": ["A", "B", "C"], "surname": ["Ash", "Birch", "Cedar"]})
        >>> _ = store.load_nodes("Officer", officers, run)
        >>> reports = pd.DataFrame({"src": ["Officer:B", "Officer:C"], "dst": ["Officer:A", "Officer:A"]})
        >>> _ = store.load_relationships("REPORTS_TO", reports, run)
        >>> import networkx as nx
        >>> G = store.to_networkx(["Officer"], ["REPORTS_TO"])
        >>> G.number_of_nodes(), G.number_of_edges()
        (3, 2)
        >>> nx.in_degree_centrality(G)["Officer:A"]
        1.0
        >>> store.close()
        """
        return self.project(labels, rel_types).to_networkx()

    # ---- loading ---------------------------------------------------------------------

    def load_nodes(
        self,
        label: str,
        rows: pd.DataFrame,
        run: RunInfo,
        *,
        retire_scope: Callable[[pd.Series], pd.Series] | bool = True,
    ) -> LoadStats:
        """Upsert nodes of ``label`` from a frame.

        The frame has the key column and any declared properties (plus optional
        ``source_file``, ``source_line``, ``extra``).

        ``retire_scope``: ``True`` retires every existing node missing from ``rows``;
        ``False`` retires none; a function of the existing uids (a Series) returns a
        mask of the ones in scope.

        The delta (see the module's text): new rows are inserted, changed ones (another
        content hash, or retired and back) updated, unchanged ones get ``last_seen``
        moved; nothing is deleted.

        Parameters
        ----------
        label : str
            A node label of the model.
        rows : pandas.DataFrame
            One row per node: the label's key column, any declared properties
            (missing ones are null), optional ``source_file``, ``source_line``,
            ``extra``.
        run : RunInfo
            The run writing them.
        retire_scope : bool or callable, default True
            Which existing nodes missing from ``rows`` to retire.

        Returns
        -------
        LoadStats
            How many rows were read, new, changed, unchanged and retired.

        Raises
        ------
        UnknownName
            If the label is not in the model.
        ValueError
            If ``rows`` has no key column or holds a key twice.

        Examples
        --------
        >>> import tempfile
        >>> import pandas as pd
        >>> from graph.settings import Settings
        >>> from graph.workspace import open_store
        >>> store = open_store(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256))
        >>> rows = pd.DataFrame({"officer_id": ["A", "B", "C"], "surname": ["Ash", "Birch", "Cedar"]})
        >>> store.load_nodes("Officer", rows, RunInfo.new("doc")).new
        3
        >>> again = pd.DataFrame({"officer_id": ["A", "B"], "surname": ["Ash", "Beech"]})
        >>> st = store.load_nodes("Officer", again, RunInfo.new("doc"))
        >>> st.unchanged, st.changed, st.retired
        (1, 1, 1)
        >>> store.query("MATCH (o:Officer {officer_id: 'C'}) RETURN o.retired_at IS NULL AS current")
        [{'current': False}]
        >>> store.close()
        """
        t0 = time.perf_counter()
        node = self.model.node(label)
        df = self._frame(rows, node.prop_names, key_col=node.key)
        df["uid"] = df[node.key].map(node.uid)
        if df["uid"].duplicated().any():
            dup = df.loc[df["uid"].duplicated(), node.key].iloc[0]
            raise ValueError(f"{label}: duplicate key {dup!r} in rows to load")
        data_cols = [p.name for p in node.props if p.name != node.key] + ["extra"]
        df["row_hash"] = row_hashes(df, [node.key, *data_cols]) if len(df) else []
        state = self.frame(cy.node_state_query(node), ["uid", "row_hash", "retired_at"])
        delta = self._delta(df, state, "uid", retire_scope)
        self._apply_provenance(delta, run)
        if len(delta.new):
            self._insert_nodes(node, delta.new[node.prop_names])
        if len(delta.changed):
            self._update_nodes(node, delta.changed[node.prop_names])
        self._touch(f"UNWIND $ids AS u MATCH (n:{label} {{uid: u}}) ", delta.unchanged_ids, run)
        if delta.retired_ids:
            self._batched(cy.node_retire(node), "uids", delta.retired_ids, ts=run.ts, run_id=run.run_id)
        return delta.stats(label, t0)

    def load_relationships(
        self,
        rel_type: str,
        rows: pd.DataFrame,
        run: RunInfo,
        *,
        retire_scope: Callable[[pd.Series], pd.Series] | bool = True,
        state_keys: Collection[str] | None = None,
    ) -> LoadStats:
        """Upsert relationships of ``rel_type`` from a frame.

        The frame has ``src``, ``dst`` (uids), optional ``discriminator`` (to tell apart
        parallel relationships) and declared properties.

        Each relationship's ``key`` is a hash of ``src``, ``dst`` and
        ``discriminator``, so the same rows loaded again are found unchanged; the delta
        is that of :meth:`load_nodes`. Load the end nodes first: the embedded store
        refuses a relationship whose end is missing, and Neo4j's ``MATCH`` finds no end
        and makes none.

        Parameters
        ----------
        rel_type : str
            A relationship type of the model.
        rows : pandas.DataFrame
            One row per relationship: ``src``, ``dst``, optional ``discriminator``,
            any declared properties, optional ``source_file``, ``source_line``,
            ``extra``.
        run : RunInfo
            The run writing them.
        retire_scope : bool or callable, default True
            Which existing relationships missing from ``rows`` to retire, as in
            :meth:`load_nodes` (a function gets the existing keys).
        state_keys : collection of str, optional
            Read and compare only the relationships with these keys (and those of
            ``rows``), not every one of the type: a day's few hundred links against
            two million. Every key ``retire_scope`` may retire must be among them;
            relationships outside them are left as they are.

        Returns
        -------
        LoadStats
            How many rows were read, new, changed, unchanged and retired.

        Raises
        ------
        UnknownName
            If the type is not in the model.
        ValueError
            If a relationship is given twice, or joins labels the type does not allow.
        QueryError
            On the embedded store, if an end node is missing.

        Examples
        --------
        >>> import tempfile
        >>> import pandas as pd
        >>> from graph.settings import Settings
        >>> from graph.workspace import open_store
        >>> store = open_store(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256))
        >>> officers = pd.DataFrame({"officer_id": ["A", "B"], "surname": ["Ash", "Birch"]})
        >>> _ = store.load_nodes("Officer", officers, RunInfo.new("doc"))
        >>> run = RunInfo.new("doc")
        >>> reports = pd.DataFrame({"src": ["Officer:B"], "dst": ["Officer:A"]})
        >>> store.load_relationships("REPORTS_TO", reports, run).new
        1
        >>> store.load_relationships("REPORTS_TO", reports, run).unchanged
        1
        >>> wrong = pd.DataFrame({"src": ["Officer:B"], "dst": ["Unit:U1"]})
        >>> store.load_relationships("REPORTS_TO", wrong, run)
        Traceback (most recent call last):
        ...
        ValueError: REPORTS_TO cannot join Officer to Unit; allowed: [('Officer', 'Officer')]
        >>> store.close()
        """
        t0 = time.perf_counter()
        rel = self.model.rel(rel_type)
        df = rows.reset_index(drop=True)  # relationship_keys numbers its result from 0
        if "discriminator" not in df:
            df["discriminator"] = ""
        df["key"] = relationship_keys(df["src"], df["dst"], df["discriminator"]) if len(df) else []
        df = self._frame(df, rel.prop_names, key_col="key")
        if df["key"].duplicated().any():
            raise ValueError(f"{rel_type}: duplicate relationship in rows to load")
        data_cols = [p.name for p in rel.props] + ["extra"]
        df["row_hash"] = row_hashes(df, ["src", "dst", *data_cols]) if len(df) else []
        columns = ["key", "row_hash", "retired_at", "src", "dst"]
        if state_keys is None:
            state = self.frame(cy.rel_state_query(rel), columns)
        else:
            wanted = sorted(set(state_keys) | set(df["key"]))
            keyed = cy.rel_state_query(rel, keyed=True)
            state = self.frame(keyed, columns, {"keys": wanted}) if wanted else pd.DataFrame(columns=columns)
        delta = self._delta(df, state, "key", retire_scope)
        del df, state, rows  # the delta holds what is written: two million links are GiBs of frames
        self._apply_provenance(delta, run)
        stats = delta.stats(rel_type, t0)
        allowed = set(rel.ends)
        inserts: list[Callable[[], None]] = []
        for part, changed in ((delta.new, False), (delta.changed, True)):
            if not len(part):
                continue
            s_lab = part["src"].str.partition(":")[0]
            d_lab = part["dst"].str.partition(":")[0]
            pairs = pd.MultiIndex.from_arrays([s_lab, d_lab]).unique()
            if len(pairs) == 1:  # one pair of labels (nearly always): no grouped copy of the rows
                groups: Any = [(pairs[0], part)]
            else:
                groups = part.groupby([s_lab, d_lab], sort=True)
            for (s, d), grp in groups:
                if (s, d) not in allowed:
                    raise ValueError(f"{rel_type} cannot join {s} to {d}; allowed: {sorted(allowed)}")
                if changed:
                    self._update_rels(rel, str(s), str(d), grp[rel.prop_names])
                else:
                    inserts.append(self._staged_insert(rel, str(s), str(d), grp[rel.prop_names]))
            del groups, grp, s_lab, d_lab
        delta.new = delta.new.iloc[0:0]  # a staged insert holds what it needs: the frames go first
        del part
        for insert in inserts:
            insert()
        self._touch_rels(rel, delta.unchanged_ids, run)
        if delta.retired_ids:
            self._retire_rels(rel, delta.retired_ids, run)
        return dataclasses.replace(stats, seconds=time.perf_counter() - t0)

    def _staged_insert(self, rel: RelSchema, start: str, end: str, df: pd.DataFrame) -> Callable[[], None]:
        """The insert of new relationships, to run once the frames of the load are let go
        (the embedded store spools a large one to a file first, see
        :meth:`EmbeddedStore._staged_insert`)."""
        return lambda: self._insert_rels(rel, start, end, df)

    touch_batch: int | None = None
    """Rows one statement touches (:meth:`_touch`); ``None``: ``batch_size``. The embedded
    store reads a whole relationship table for each statement, so it takes many more."""

    def _touch_rels(self, rel: RelSchema, ids: list[str], run: RunInfo) -> None:
        """Move ``last_seen`` (and the run id) of links seen again unchanged (the embedded
        store rewrites those of types joining several label pairs instead)."""
        self._touch(f"UNWIND $ids AS k MATCH ()-[n:{rel.type} {{key: k}}]->() ", ids, run)

    def _retire_rels(self, rel: RelSchema, keys: list[str], run: RunInfo) -> None:
        """Mark links retired (as :meth:`_touch_rels`)."""
        self._batched(cy.rel_retire(rel), "keys", keys, ts=run.ts, run_id=run.run_id)

    def _touch(self, prefix: str, ids: list[str], run: RunInfo) -> None:
        """Move ``last_seen`` (and the run id) of rows seen again unchanged."""
        if ids:
            self._batched(
                prefix + "SET n.last_seen = $ts, n.run_id = $run_id",
                "ids",
                ids,
                size=self.touch_batch,
                ts=run.ts,
                run_id=run.run_id,
            )

    def _batched(
        self, cypher: str, name: str, values: list[Any], size: int | None = None, **params: Any
    ) -> None:
        size = size or self.settings.batch_size
        for i in range(0, len(values), size):
            self._write(cypher, {name: values[i : i + size], **params})

    @staticmethod
    def _frame(rows: pd.DataFrame, cols: Sequence[str], key_col: str) -> pd.DataFrame:
        if key_col not in rows:
            raise ValueError(f"rows to load have no {key_col!r} column")
        df = rows.reset_index(drop=True).copy()
        for c in cols:
            if c not in df:
                df[c] = None
        return df

    @staticmethod
    def _delta(
        df: pd.DataFrame,
        state: pd.DataFrame,
        id_col: str,
        retire_scope: Callable[[pd.Series], pd.Series] | bool,
    ) -> _Delta:
        old = state.set_index(id_col)
        known = pd.Series(isin(df[id_col], old.index), index=df.index)
        # a first load is all new: the rows as they are (copied on write), not a second copy
        new = df[~known].copy() if known.any() else df.copy()
        existing = df[known].copy()
        prev_hash = existing[id_col].map(old["row_hash"])
        was_retired = existing[id_col].map(old["retired_at"]).notna()
        changed_mask = (existing["row_hash"] != prev_hash) | was_retired
        changed = existing[changed_mask].copy()
        unchanged = existing.loc[~changed_mask, id_col].tolist()
        gone = state[~isin(state[id_col], df[id_col]) & state["retired_at"].isna()][id_col]
        if retire_scope is False:
            gone = gone.iloc[0:0]
        elif callable(retire_scope):
            gone = gone[retire_scope(gone).to_numpy(dtype=bool)]
        return _Delta(new, changed, unchanged, sorted(gone.tolist()))

    @staticmethod
    def _apply_provenance(delta: _Delta, run: RunInfo) -> None:
        for part in (delta.new, delta.changed):
            part["first_seen"] = run.ts
            part["last_seen"] = run.ts
            part["run_id"] = run.run_id
            part["retired_at"] = None


def isin(values: pd.Series | Sequence[Any], among: Iterable[Any]) -> np.ndarray:
    """Which of ``values`` are in ``among``, as a boolean array: ``Series.isin`` by a
    hash set in Arrow (pandas' own ``isin`` on Arrow-backed strings loops in Python:
    18 s for two million relationship keys, against well under a second here).

    Examples
    --------
    >>> isin(pd.Series(["a", "b", None]), {"b", "c"}).tolist()
    [False, True, False]
    """

    def arrow(v: Any) -> pa.Array:
        if not isinstance(v, pd.Series | pd.Index | list | tuple | np.ndarray):
            v = list(v)
        a = pa.array(v, from_pandas=True)  # Arrow-backed strings as they are
        a = a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a
        return a if pa.types.is_large_string(a.type) else a.cast(pa.large_string())

    got = pc.is_in(arrow(values), value_set=arrow(among), skip_nulls=True)
    return np.asarray(got.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


@dataclass
class _Search:
    """One end of the breadth-first search of :meth:`GraphStore.shortest_paths`."""

    start: str
    ref: Any
    depth: int = 0
    """Hops taken from ``start``: the frontier is every node this far from it."""
    frontier: dict[str, Any] = field(default_factory=dict)
    refs: dict[str, Any] = field(default_factory=dict)
    """Uid -> ref of every node met so far (see ``GraphStore._node_ref``)."""
    via: defaultdict[str, list[tuple[str, HopStep]]] = field(default_factory=lambda: defaultdict(list))
    """Uid -> (uid one hop nearer ``start``, relationship) for each way it was first met."""

    def __post_init__(self) -> None:
        self.frontier = {self.start: self.ref}
        self.refs = dict(self.frontier)


class Walk(NamedTuple):
    """A path in light columns: node uids and refs, and its relationships.

    Parameters
    ----------
    nodes : tuple of str
        The node uids, from start to end.
    refs : tuple
        Each node's ref.
    steps : tuple of HopStep
        The relationships, in order.

    Examples
    --------
    >>> Walk(("Officer:B", "Officer:A"), ("b", "a"), ()).nodes
    ('Officer:B', 'Officer:A')
    """

    nodes: tuple[str, ...]
    refs: tuple[Any, ...]
    steps: tuple[HopStep, ...]


def _walk(
    fwd: _Search, back: _Search, meet: set[str], tie: Callable[[Sequence[HopStep]], Any]
) -> Iterator[Walk]:
    """Every shortest path from ``fwd.start`` to ``back.start`` through ``meet`` (where
    the two frontiers met), in order of node uids, then edge keys, then ``tie``; lazily,
    so that taking the first few costs little however many there are."""
    nxt: defaultdict[str, defaultdict[str, list[HopStep]]] = defaultdict(lambda: defaultdict(list))
    for side, forward in ((fwd, True), (back, False)):
        todo, seen = set(meet), set(meet)
        while todo:
            met: set[str] = set()
            for v in todo:
                for u, step in side.via.get(v, ()):
                    if forward:
                        nxt[u][v].append(step)
                    else:
                        nxt[v][u].append(step)
                    if u not in seen:
                        seen.add(u)
                        met.add(u)
            todo = met
    refs = {**back.refs, **fwd.refs}

    def node_paths(nodes: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
        if nodes[-1] == back.start:
            yield nodes
            return
        for v in sorted(nxt[nodes[-1]]):
            yield from node_paths((*nodes, v))

    for nodes in node_paths((fwd.start,)):
        options = [nxt[u][v] for u, v in itertools.pairwise(nodes)]
        node_refs = tuple(refs[u] for u in nodes)
        for steps in sorted(itertools.product(*options), key=lambda st: ([s.key for s in st], tie(st))):
            yield Walk(nodes, node_refs, steps)


def _as_date(v: Any) -> dt.date:
    return v.date() if isinstance(v, dt.datetime) else v
