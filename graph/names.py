"""An in-memory index of the names and ids that search looks in, for a read-only handle
of the embedded store (its snapshot never changes, so the index is built once).

Ladybug has no index for ``toLower(n.surname) CONTAINS $t``: every search read and
lowered every name of the label (368,000 persons: ~100 ms a search at 45,000 officers).
The index holds, per label and fields, the uids of the live nodes in uid order and each
field lowered *by the engine* (``lower()``, so matches are the engine's), joined into
one string per field; a search finds each term in those strings and walks the rows in
uid order, stopping at ``limit``.
"""

from __future__ import annotations

import heapq
import re
import threading
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from itertools import accumulate

import numpy as np
import pyarrow as pa

SEP = "\x00"
"""Between two rows' values in a joined field (a search term holding it is not served here)."""


class _Field:
    """One field of a label, lowered, in row (uid) order.

    Two shortcuts give the same rows as a scan of the joined values: a term holding a
    character that no value holds is found nowhere (ids: a name is not looked for among
    their digits), and a field of few distinct values (surnames, forenames) is searched
    among those values, each of which knows its rows."""

    DISTINCT_SHARE = 0.25
    """A field with at most this share of distinct values per row is searched by value."""

    BY_VALUE_ROWS = 4096
    """Rows found by value gathered at once; more (a letter or two, in many names) are
    found by a scan, which yields the first rows long before it reaches the end."""

    def __init__(self, values: list[str]) -> None:
        self.by_value: tuple[_Field, np.ndarray, np.ndarray] | None = None
        distinct = dict.fromkeys(values)
        if len(values) > 64 and len(distinct) <= self.DISTINCT_SHARE * len(values):
            index = {v: i for i, v in enumerate(distinct)}
            codes = np.fromiter((index[v] for v in values), dtype=np.int64, count=len(values))
            order = np.argsort(codes, kind="stable")  # rows by value, each value's rows increasing
            indptr = np.zeros(len(distinct) + 1, dtype=np.int64)
            np.cumsum(np.bincount(codes, minlength=len(distinct)), out=indptr[1:])
            self.by_value = (_Field(list(distinct)), indptr, order)
        self.text = SEP.join(values)
        self.chars: frozenset[str] = self.by_value[0].chars if self.by_value is not None else frozenset(self.text)
        starts = array("q", [0])  # where each row's value starts in ``text`` (8 bytes a row)
        starts.extend(accumulate(len(v) + 1 for v in values))
        self.starts = starts[:-1]

    def rows(self, term: str) -> Iterator[int]:
        """The rows whose value contains ``term``, increasing (a row may come more than once)."""
        if not self.chars.issuperset(term):
            return iter(())
        if self.by_value is not None:
            values, indptr, order = self.by_value
            hits: list[int] = []
            total = 0
            for v in values.rows(term):
                if not hits or hits[-1] != v:
                    hits.append(v)
                    total += int(indptr[v + 1] - indptr[v])
                    if total > self.BY_VALUE_ROWS:
                        break
            else:
                if not hits:
                    return iter(())
                found = np.concatenate([order[indptr[v] : indptr[v + 1]] for v in hits])
                found.sort()
                return iter(found.tolist())
        return self._scan(term)  # found in many rows: the first ones come soon

    def _scan(self, term: str) -> Iterator[int]:
        starts = self.starts
        for m in re.finditer(re.escape(term), self.text):
            yield bisect_right(starts, m.start()) - 1


class _LabelIndex:
    def __init__(self, table: pa.Table, fields: Sequence[str]) -> None:
        self.uids = table.column("uid")
        self.refs = table.column("ref") if "ref" in table.column_names else None
        self.fields = [_Field(table.column(f"f{i}").fill_null("").to_pylist()) for i in range(len(fields))]

    def first(self, terms: Sequence[str], limit: int) -> dict[str, object]:
        """The uids of the first ``limit`` rows (in uid order) in which every term is in
        some field, each with its ref (None without refs)."""
        streams = [_dedup(heapq.merge(*(f.rows(t) for f in self.fields))) for t in terms]
        out: list[int] = []
        for row in _intersect(streams):
            out.append(row)
            if len(out) >= limit:
                break
        if not out:
            return {}
        uids = [str(u) for u in self.uids.take(out).to_pylist()]
        refs = self.refs.take(out).to_pylist() if self.refs is not None else [None] * len(uids)
        return dict(zip(uids, refs, strict=True))


def _dedup(rows: Iterator[int]) -> Iterator[int]:
    last = -1
    for r in rows:
        if r != last:
            yield r
            last = r


def _intersect(streams: list[Iterator[int]]) -> Iterator[int]:
    """The values in every one of these increasing streams, increasing."""
    heads: list[int] = []
    for s in streams:
        h = next(s, None)
        if h is None:
            return
        heads.append(h)
    while True:
        top = max(heads)
        for i, s in enumerate(streams):
            while heads[i] < top:
                h = next(s, None)
                if h is None:
                    return
                heads[i] = h
        if all(h == top for h in heads):
            yield top
            h = next(streams[0], None)
            if h is None:
                return
            heads[0] = h


class NameIndex:
    """The index of one read-only snapshot, built per (label, fields) on first use.

    Parameters
    ----------
    load : callable
        ``load(cypher)`` runs a query on the snapshot and returns an Arrow table.
    ref : str, optional
        An expression of node ``n`` read beside each uid (the embedded store: its offset),
        which :meth:`found` gives with each uid.

    Examples
    --------
    >>> t = pa.table({"uid": ["P:1", "P:2", "P:3"], "f0": ["smith", None, "smithson"], "f1": ["ann", "anna", "bo"]})
    >>> idx = NameIndex(lambda cypher: t)
    >>> idx.search("Person", ("surname", "forenames"), ["smith"], 10)
    ['P:1', 'P:3']
    >>> idx.search("Person", ("surname", "forenames"), ["ann"], 1), idx.search("Person", ("surname", "forenames"), ["smith", "bo"], 5)
    (['P:1'], ['P:3'])
    """

    def __init__(self, load: Callable[[str], pa.Table], ref: str | None = None) -> None:
        self._load = load
        self._ref = ref
        self._lock = threading.Lock()
        self._labels: dict[tuple[str, tuple[str, ...]], _LabelIndex] = {}

    def build(self, label: str, fields: Sequence[str]) -> None:
        """Build the index of ``label``'s ``fields`` now, if it is not built yet (a
        server does this as a snapshot opens, before its first search)."""
        self._index(label, tuple(fields))

    def _index(self, label: str, fields: tuple[str, ...]) -> _LabelIndex:
        key = (label, fields)
        with self._lock:  # one build per label; requests arriving meanwhile wait for it
            idx = self._labels.get(key)
            if idx is None:
                cols = ", ".join(f"toLower(n.{f}) AS f{i}" for i, f in enumerate(fields))
                if self._ref is not None:
                    cols += f", {self._ref} AS ref"
                idx = _LabelIndex(
                    self._load(
                        f"MATCH (n:{label}) WHERE n.retired_at IS NULL RETURN n.uid AS uid, {cols} ORDER BY uid"
                    ),
                    fields,
                )
                self._labels[key] = idx
            return idx

    def search(self, label: str, fields: Sequence[str], terms: Sequence[str], limit: int) -> list[str] | None:
        """Uids of the first ``limit`` live ``label`` nodes, by uid, in which every term
        (lower case) is in the engine-lowered value of some field; None when a term
        holds the separator (the caller asks the engine)."""
        found = self.found(label, fields, terms, limit)
        return None if found is None else list(found)

    def found(
        self, label: str, fields: Sequence[str], terms: Sequence[str], limit: int
    ) -> dict[str, object] | None:
        """As :meth:`search`, each uid with its ref (None when the index reads none)."""
        if any(SEP in t for t in terms) or not terms:
            return None
        return self._index(label, tuple(fields)).first(terms, limit)
