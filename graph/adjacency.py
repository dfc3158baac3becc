"""Every relationship of one embedded snapshot as arrays in memory, for the hops of
neighbourhoods and shortest paths.

A hop on the engine is a query per label and direction: ``MATCH (n:Record)<-[r]-(m)
WHERE offset(id(n)) IN $refs …``, which reads the whole label to find the refs (5 ms
for one record among a million, 40 ms for 160; see docs/measurements.md). A server's
read-only snapshot never changes, so it can hold the relationships' ends once, in
compressed sparse rows by label and direction (:class:`Adjacency`), and answer a hop
with a few array lookups: the same light columns (:class:`graph.store.HopStep`) the
query gives, for the same relationships. Read with every node's and relationship's
other properties too (``hop_properties``), it also gives the nodes and edges a
neighbourhood or a path keeps (:meth:`Adjacency.node_dicts`, :meth:`Adjacency.edge_dicts`)
as the engine would, instead of a query per label and direction reading them again.

At 45,000 officers (4.46 M relationships, 1.75 M nodes) the ends are read in 3.4 s and
hold 256 MiB, about 60 bytes a relationship (docs/measurements.md, stop 22); the
properties add 633 MiB and about 10 s (stop 23).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from graph.model import GraphModel
from graph.store import HopStep
from graph.values import make_edge, make_node

if TYPE_CHECKING:
    from graph.embedded import EmbeddedStore


_EDGE_ENDS = ("key", "src", "dst")
"""An edge's own columns the hop index holds anyway (its key, and its ends' uids)."""


def _table_columns(store: EmbeddedStore, table: str) -> list[str]:
    """The columns a node or relationship table has, in its order: what the engine gives of
    a node or an edge, which is not the model's until a writer has brought a table an
    earlier model made up to date (:meth:`~graph.embedded.EmbeddedStore.ensure_schema`)."""
    return [str(r["name"]) for r in store.query(f"CALL table_info('{table}') RETURN name")]


def _compact(table: pa.Table) -> pa.Table:
    """The table in one chunk a column, its text columns dictionary-encoded where that
    is smaller (run ids, source files, units, ranks: few values, many rows)."""
    cols = []
    for col in table.columns:
        col = col.combine_chunks()
        if pa.types.is_string(col.type) and len(col):
            enc = col.dictionary_encode()
            if enc.nbytes < col.nbytes * 0.7:
                col = enc
        cols.append(col)
    return pa.table(cols, names=table.column_names)


_EPOCH = dt.datetime(1970, 1, 1)
_EPOCH_DAY = dt.date(1970, 1, 1)


def _getter(col: pa.ChunkedArray) -> Callable[[np.ndarray, pa.Array], list[Any]]:
    """A function giving the column's values at some rows, as ``take(rows).to_pylist()``
    would: dictionary-encoded text, times, dates and numbers from NumPy arrays (a few
    microseconds a call, where Arrow's take and conversion cost 10 to 20), the rest by
    Arrow (``at``: the rows as an Arrow array)."""
    arr = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    t = arr.type
    if pa.types.is_dictionary(t) and pa.types.is_string(t.value_type):
        codes = arr.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        values = [*arr.dictionary.to_pylist(), None]  # code -1 (null) is the last

        def text(rows: np.ndarray, at: pa.Array) -> list[Any]:
            return [values[i] for i in codes[rows].tolist()]

        return text
    numbers = pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t)
    when = pa.types.is_timestamp(t) and t.tz is None and t.unit == "us"
    if numbers or when or pa.types.is_date32(t):
        nulls = arr.is_null().to_numpy(zero_copy_only=False) if arr.null_count else None
        if numbers:
            raw = arr.fill_null(False if pa.types.is_boolean(t) else 0)
        else:
            raw = arr.cast(pa.int64() if when else pa.int32()).fill_null(0)
        plain = raw.to_numpy(zero_copy_only=False)
        make: Callable[[Any], Any] | None = None
        if when:
            make = lambda v: _EPOCH + dt.timedelta(microseconds=v)  # noqa: E731
        elif not numbers:
            make = lambda v: _EPOCH_DAY + dt.timedelta(days=v)  # noqa: E731

        def value(rows: np.ndarray, at: pa.Array) -> list[Any]:
            got = plain[rows].tolist()
            if make is not None:
                got = [make(v) for v in got]
            if nulls is not None:
                got = [None if n else v for v, n in zip(got, nulls[rows].tolist(), strict=True)]
            return got

        return value

    def other(rows: np.ndarray, at: pa.Array) -> list[Any]:
        return arr.take(at).to_pylist()

    return other


class _Picker:
    """A table's columns, ready to give a few rows as Python values (what
    ``table.take(rows).to_pydict()`` gives) at a small cost per call: a neighbourhood
    asks for a few rows of many tables, and Arrow's cost per column and call (about
    10 microseconds for a dictionary-encoded or time column, plus its take) was most of
    a depth-1 neighbourhood's."""

    def __init__(self, table: pa.Table) -> None:
        self.num_rows = table.num_rows
        self.columns = [(name, _getter(table.column(name))) for name in table.column_names]

    def pick(self, rows: np.ndarray) -> dict[str, list[Any]]:
        """Each column's values at ``rows`` (in range), by column name."""
        rows = np.asarray(rows, dtype=np.int64)
        at = pa.array(rows)
        return {name: get(rows, at) for name, get in self.columns}


@dataclass(frozen=True)
class _Rels:
    """One relationship table (a type between one pair of labels), one row a relationship."""

    type: str
    src_label: str
    dst_label: str
    src: np.ndarray  # node offsets, int32
    dst: np.ndarray
    ref: np.ndarray  # the relationship's own offset (its ref on the embedded store), int32
    key: pa.Array  # string
    live: np.ndarray  # bool: not retired
    props: _Picker | None = None  # every other property, a row a relationship (read with properties)
    at_ref: np.ndarray | None = None  # relationship offset -> row (-1: none)


@dataclass(frozen=True)
class _Rows:
    """The relationships of one label in one direction, by node offset (CSR)."""

    indptr: np.ndarray  # node offset -> first position; int64, one more than the label's nodes
    table: np.ndarray  # position -> index into Adjacency.tables (int16)
    row: np.ndarray  # position -> row in that table (int32)


class Adjacency:
    """The ends, keys and types of every relationship of a snapshot, by label and direction.

    Made by :meth:`read`; :meth:`hop` answers what one hop query of
    :meth:`graph.store.GraphStore.neighbourhood` would (without a time window).

    Parameters
    ----------
    model : GraphModel
        The data model (labels and relationship types).
    uids : dict
        Label to an array of node uids indexed by node offset (null where no node).
    tables : list of _Rels
        The relationship tables.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> from graph.settings import Settings
    >>> from graph.store import RunInfo
    >>> from graph.workspace import open_store
    >>> s = Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256)
    >>> with open_store(s) as store:
    ...     run = RunInfo.new("doc")
    ...     _ = store.load_nodes("Officer", pd.DataFrame({"officer_id": ["A", "B"]}), run)
    ...     rel = pd.DataFrame({"src": ["Officer:B"], "dst": ["Officer:A"]})
    ...     _ = store.load_relationships("REPORTS_TO", rel, run)
    >>> with open_store(s, read_only=True) as reader:
    ...     adj = Adjacency.read(reader)
    ...     a = reader.query("MATCH (o:Officer {uid: 'Officer:A'}) RETURN offset(id(o)) AS ref")[0]["ref"]
    ...     [(h.other, h.type) for h in adj.hop("Officer", [a], False, None, False)]
    [('Officer:B', 'REPORTS_TO')]
    """

    def __init__(
        self,
        model: GraphModel,
        uids: dict[str, pa.Array],
        tables: list[_Rels],
        nodes: dict[str, _Picker] | None = None,
    ) -> None:
        self.model = model
        self.uids = uids
        self.tables = tables
        self.nodes = nodes
        self._type_tables: dict[str, list[int]] = {}
        self._by_ends: dict[tuple[str, str, str], _Rels] = {}
        for i, t in enumerate(tables):
            self._type_tables.setdefault(t.type, []).append(i)
            self._by_ends[(t.type, t.src_label, t.dst_label)] = t
        self._rows: dict[tuple[str, bool], _Rows] = {}
        for label, arr in uids.items():
            for outgoing in (True, False):
                self._rows[(label, outgoing)] = self._index(label, len(arr), outgoing)

    @classmethod
    def read(cls, store: EmbeddedStore, *, properties: bool = False) -> Adjacency:
        """Read every node's uid and every relationship's ends, ref, key and liveness.

        Parameters
        ----------
        store : EmbeddedStore
            A read-only handle (the arrays are only right while the snapshot lasts).
        properties : bool, default False
            Also every node's and relationship's other properties, so that
            :meth:`node_dicts` and :meth:`edge_dicts` answer what the engine would.

        Returns
        -------
        Adjacency
        """
        model = store.model
        labels = sorted({x for t in model.rel_types for ends in model.rel(t).ends for x in ends})
        uids: dict[str, pa.Array] = {}
        nodes: dict[str, _Picker] | None = {} if properties else None
        for label in labels:
            cols = [p for p in _table_columns(store, label) if p != "uid"] if properties else []
            more = "".join(f", n.{c} AS p{i}" for i, c in enumerate(cols))
            got = store.arrow(f"MATCH (n:{label}) RETURN offset(id(n)) AS o, n.uid AS u{more}")
            offsets = got.column("o").to_numpy()
            size = int(offsets.max()) + 1 if len(offsets) else 0
            at = np.full(
                size, len(offsets), dtype=np.int64
            )  # an offset without a node: the null after the uids
            at[offsets] = np.arange(len(offsets))
            uids[label] = pa.concat_arrays([*got.column("u").chunks, pa.nulls(1, pa.string())]).take(at)
            if nodes is not None:
                rest = got.select([f"p{i}" for i in range(len(cols))]).rename_columns(cols)
                rest = pa.concat_tables([rest, pa.Table.from_pylist([{}], schema=rest.schema)]).take(at)
                nodes[label] = _Picker(_compact(rest))
        tables = []
        for rel_type in model.rel_types:
            rel = model.rel(rel_type)
            cols = [p for p in _table_columns(store, rel_type) if p not in _EDGE_ENDS] if properties else []
            for a, b in rel.ends:
                got = store.arrow(
                    f"MATCH (x:{a})-[r:{rel_type}]->(y:{b}) RETURN offset(id(x)) AS s, offset(id(y)) AS d, "
                    "offset(id(r)) AS ref, r.key AS k, r.retired_at IS NULL AS live"
                    + "".join(f", r.{c} AS p{i}" for i, c in enumerate(cols))
                )
                ref = got.column("ref").to_numpy().astype(np.int32)
                props = at_ref = None
                if properties:
                    props = _Picker(_compact(got.select([f"p{i}" for i in range(len(cols))]).rename_columns(cols)))
                    at_ref = np.full(int(ref.max()) + 1 if len(ref) else 0, -1, dtype=np.int32)
                    at_ref[ref] = np.arange(len(ref), dtype=np.int32)
                tables.append(
                    _Rels(
                        rel_type,
                        a,
                        b,
                        got.column("s").to_numpy().astype(np.int32),
                        got.column("d").to_numpy().astype(np.int32),
                        ref,
                        got.column("k").combine_chunks(),
                        got.column("live").to_numpy(zero_copy_only=False).astype(bool),
                        props,
                        at_ref,
                    )
                )
        return cls(model, uids, tables, nodes)

    def _index(self, label: str, nodes: int, outgoing: bool) -> _Rows:
        parts = [
            (i, t.src if outgoing else t.dst)
            for i, t in enumerate(self.tables)
            if (t.src_label if outgoing else t.dst_label) == label
        ]
        if not parts:
            empty = np.zeros(0, dtype=np.int32)
            return _Rows(np.zeros(nodes + 1, dtype=np.int64), empty.astype(np.int16), empty)
        ends = np.concatenate([e for _, e in parts])
        table = np.concatenate([np.full(len(e), i, dtype=np.int16) for i, e in parts])
        row = np.concatenate([np.arange(len(e), dtype=np.int32) for _, e in parts])
        order = np.argsort(ends, kind="stable")
        indptr = np.zeros(nodes + 1, dtype=np.int64)
        np.cumsum(np.bincount(ends, minlength=nodes)[:nodes], out=indptr[1:])
        return _Rows(indptr, table[order], row[order])

    @property
    def relationships(self) -> int:
        """How many relationships it holds.

        Returns
        -------
        int
        """
        return sum(len(t.src) for t in self.tables)

    def hop(
        self,
        label: str,
        refs: Sequence[int],
        outgoing: bool,
        types: Sequence[str] | None,
        include_retired: bool,
    ) -> list[HopStep]:
        """The relationships of the ``label`` nodes at these offsets, one direction.

        The same steps as the hop query of :meth:`graph.store.GraphStore._hop` on the
        embedded store (refs are offsets), in no particular order.

        Parameters
        ----------
        label : str
            The nodes' label.
        refs : sequence of int
            Their offsets.
        outgoing : bool
            Relationships leaving them (else reaching them).
        types : sequence of str, optional
            Only these types (default: all).
        include_retired : bool
            Retired relationships too.

        Returns
        -------
        list of HopStep
        """
        rows = self._rows.get((label, outgoing))
        if rows is None or not len(refs):
            return []
        nodes = np.asarray(refs, dtype=np.int64)
        nodes = nodes[(nodes >= 0) & (nodes < len(rows.indptr) - 1)]
        starts, stops = rows.indptr[nodes], rows.indptr[nodes + 1]
        counts = stops - starts
        total = int(counts.sum())
        if not total:
            return []
        # every position of every node: its start plus 0..count-1
        pos = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(total)
        at = np.repeat(nodes, counts)
        table, row = rows.table[pos], rows.row[pos]
        if types is not None:
            wanted = [i for t in types for i in self._type_tables.get(t, [])]
            keep = np.isin(table, wanted)
            table, row, at = table[keep], row[keep], at[keep]
        out: list[HopStep] = []
        group = (label, outgoing)
        for i in np.unique(table):
            t = self.tables[int(i)]
            mine = table == i
            r, n = row[mine], at[mine]
            if not include_retired:
                live = t.live[r]
                r, n = r[live], n[live]
            other = t.dst[r] if outgoing else t.src[r]
            uids = self.uids[t.dst_label if outgoing else t.src_label].take(pa.array(other)).to_pylist()
            keys = t.key.take(pa.array(r)).to_pylist()
            ref = t.ref[r].tolist()
            out += [
                HopStep(m, mr, t.type, k, group, nr, rr, {})
                for m, mr, k, nr, rr in zip(uids, other.tolist(), keys, n.tolist(), ref, strict=True)
            ]
        return out

    @property
    def has_properties(self) -> bool:
        """Whether it was read with every property (:meth:`node_dicts`, :meth:`edge_dicts`).

        Returns
        -------
        bool
        """
        return self.nodes is not None

    def node_dicts(self, refs: Mapping[str, int]) -> dict[str, dict[str, Any]]:
        """Nodes in the shared shape (:func:`graph.values.make_node`), as the engine
        would give them.

        Parameters
        ----------
        refs : mapping of str to int
            Node uid to its offset (its ref on the embedded store).

        Returns
        -------
        dict
            Uid to node; a uid whose offset holds no node of its label is left out.
        """
        if self.nodes is None:
            raise ValueError("this hop index was read without properties")
        by_label: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for uid, ref in refs.items():
            by_label[self.model.label_of_uid(uid)].append((uid, ref))
        out: dict[str, dict[str, Any]] = {}
        for label, pairs in by_label.items():
            table = self.nodes.get(label)
            if table is None:
                continue
            offsets = np.fromiter((r for _, r in pairs), dtype=np.int64, count=len(pairs))
            inside = (offsets >= 0) & (offsets < table.num_rows)
            at = pa.array(offsets[inside])
            stored = self.uids[label].take(at).to_pylist()
            cols = table.pick(offsets[inside])
            names = list(cols)
            for i, (uid, _) in enumerate(p for p, ok in zip(pairs, inside.tolist(), strict=True) if ok):
                if stored[i] == uid:
                    out[uid] = make_node(uid, label, {c: cols[c][i] for c in names})
        return out

    def edge_dicts(self, steps: Iterable[HopStep]) -> dict[str, dict[str, Any]]:
        """The edges of these steps in the shared shape (:func:`graph.values.make_edge`),
        by ``"TYPE:key"``, as the engine would give them.

        Parameters
        ----------
        steps : iterable of HopStep
            Steps met by :meth:`hop` or by the engine's hop query (same refs).

        Returns
        -------
        dict
        """
        groups: dict[tuple[str, str, str], list[int]] = defaultdict(list)
        for s in steps:
            label, outgoing = s.group
            other = s.other.partition(":")[0]
            groups[(s.type, label, other) if outgoing else (s.type, other, label)].append(s.rel_ref)
        out: dict[str, dict[str, Any]] = {}
        for ends, refs in groups.items():
            t = self._by_ends.get(ends)
            if t is None:
                continue
            if t.props is None or t.at_ref is None:
                raise ValueError("this hop index was read without properties")
            wanted = np.asarray(refs, dtype=np.int64)
            wanted = wanted[(wanted >= 0) & (wanted < len(t.at_ref))]
            rows = t.at_ref[wanted]
            rows = rows[rows >= 0]
            at = pa.array(rows)
            keys = t.key.take(at).to_pylist()
            src = self.uids[t.src_label].take(pa.array(t.src[rows])).to_pylist()
            dst = self.uids[t.dst_label].take(pa.array(t.dst[rows])).to_pylist()
            cols = t.props.pick(rows)
            names = list(cols)
            for i, key in enumerate(keys):
                props = {c: cols[c][i] for c in names}
                props.update(key=key, src=src[i], dst=dst[i])
                out[f"{t.type}:{key}"] = make_edge(t.type, props)
        return out
