"""Hops answered from the in-memory adjacency of a server's snapshot
(:mod:`graph.adjacency`) give exactly what the hop queries give: every neighbourhood and
every shortest path, on the fixture with its awkward cases and on a generated force; with
the nodes' and edges' properties held too (``hop_properties``), every node and edge as the
engine reads it."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from graph.adjacency import Adjacency
from graph.embedded import EmbeddedStore
from graph.settings import Settings
from graph.workspace import open_store
from ingest.run import ingest_dir
from synthetic import generate
from tests.conftest import embedded_settings
from tests.fixture_graph import load_awkward, load_fixture


def _both_ways(ro: EmbeddedStore, uids: list[str], pairs: list[tuple[str, str]]) -> None:
    """Every call answered by the queries, then from the adjacency (which must not query
    for a hop without a time window, nor, holding the properties, read an edge or a node
    beyond the start nodes again), and compared."""
    calls: list[dict[str, Any]] = [
        {"depth": 1},
        {"depth": 2},
        {"depth": 3, "limit": 7},
        {"depth": 2, "limit": 3},
        {"depth": 2, "rel_types": ["MEMBER_OF", "REPORTS_TO", "ACCESSED"]},
        {"depth": 2, "include_retired": True},
        {"depth": 2, "since": dt.date(2024, 3, 1)},
    ]
    path_calls: list[dict[str, Any]] = [
        {},
        {"max_hops": 2},
        {"rel_types": ["MEMBER_OF", "IN_UNIT"]},
        {"limit": 2},
    ]

    def answers(windowed: bool) -> list[Any]:
        out: list[Any] = []
        for u, kw in itertools.product(uids, calls):
            if ("since" in kw) == windowed:
                sg = ro.neighbourhood([u], **kw)
                out.append((list(sg.nodes), list(sg.edges), sg.to_dict(), sg.truncated))
        for (a, b), kw in itertools.product(pairs, path_calls):
            if not windowed:
                out.append(ro.shortest_paths(a, b, **kw))
        return out

    assert ro._adjacency is None
    by_query = [answers(False), answers(True)]
    assert any(by_query[0]) and any(by_query[1])
    ro.warm({})
    assert isinstance(ro._adjacency, Adjacency)
    held = ro.settings.hop_properties
    assert ro._adjacency.has_properties == held
    hop_queries = 0
    reads: list[int] = []  # how many uids or edges each read of nodes or edges asked for
    real, real_query = EmbeddedStore._columns, EmbeddedStore.query

    def counted(self: EmbeddedStore, cypher: str, params: dict[str, Any]) -> dict[str, list[Any]]:
        nonlocal hop_queries
        hop_queries += "IN $refs" in cypher
        return real(self, cypher, params)

    def read(self: EmbeddedStore, cypher: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        if "IN $nodes" in cypher or "UNWIND $ids" in cypher:
            reads.append(len((params or {}).get("rels") or (params or {}).get("ids") or []))
        return real_query(self, cypher, params)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(EmbeddedStore, "_columns", counted)
        mp.setattr(EmbeddedStore, "query", read)
        assert answers(False) == by_query[0]
        assert hop_queries == 0  # every hop from memory
        if held:  # only the start nodes (one or two a call) are read from the engine
            assert reads and max(reads) <= 2
        else:
            assert max(reads) > 2
        assert answers(True) == by_query[1]
        assert hop_queries > 0  # a time window reads validity from the engine


@pytest.mark.parametrize("properties", [True, False], ids=["with-properties", "ends-only"])
def test_adjacency_answers_as_the_queries_on_the_fixture(tmp_path: Path, properties: bool) -> None:
    s = embedded_settings(tmp_path).model_copy(update={"hop_properties": properties})
    with open_store(s) as st:
        load_awkward(st)
    with EmbeddedStore(s, read_only=True) as ro:
        uids = sorted(ro.project().nodes)
        _both_ways(ro, uids, [(a, b) for a in uids for b in uids])


def test_adjacency_holds_what_the_tables_of_an_older_model_hold(tmp_path: Path) -> None:
    """A snapshot whose tables an earlier model made (properties since added, since removed:
    a server reads it until the next writer brings it up to date) is held as the engine
    reads it, each table's own columns: the hop index is built (not refused for a property
    the table lacks) and gives a property the model no longer declares as the engine does."""
    s = embedded_settings(tmp_path)
    with open_store(s) as st:
        load_awkward(st)
        st._write("ALTER TABLE MEMBER_OF DROP method", {})  # type: ignore[attr-defined]
        st._write("ALTER TABLE Officer DROP rank", {})  # type: ignore[attr-defined]
        st._write("ALTER TABLE Officer ADD legacy INT64", {})  # type: ignore[attr-defined]
        st._write("MATCH (o:Officer {uid: 'Officer:B'}) SET o.legacy = 7", {})  # type: ignore[attr-defined]
    with EmbeddedStore(s, read_only=True) as ro:
        uids = sorted(ro.project().nodes)
        _both_ways(ro, uids, [(a, b) for a in uids for b in uids])
        assert ro.neighbourhood(["Officer:A"]).nodes["Officer:B"]["properties"]["legacy"] == 7


@pytest.mark.parametrize("properties", [True, False], ids=["with-properties", "ends-only"])
def test_adjacency_answers_as_the_queries_on_a_force(tmp_path: Path, properties: bool) -> None:
    s = embedded_settings(tmp_path).model_copy(update={"hop_properties": properties})
    src = generate(officers=150, days=40, seed=11).write(tmp_path / "src")
    with open_store(s) as st:
        ingest_dir(st, src, s.data_dir)
    with EmbeddedStore(s, read_only=True) as ro:
        rng = random.Random(3)
        uids = sorted(r["u"] for r in ro.query("MATCH (n) RETURN n.uid AS u"))
        officers = [u for u in uids if u.startswith("Officer:")]
        picks = rng.sample(officers, 6) + rng.sample([u for u in uids if not u.startswith("Officer:")], 6)
        _both_ways(ro, picks, [(rng.choice(officers), rng.choice(uids)) for _ in range(12)])


def test_adjacency_is_off_when_asked_and_never_on_a_writer(tmp_path: Path) -> None:
    s = embedded_settings(tmp_path)
    with open_store(s) as st:
        load_fixture(st)
        st.warm({})  # a writer's data changes under it: no adjacency
        assert st._adjacency is None  # type: ignore[attr-defined]
    off = Settings(**{**s.model_dump(), "hop_index": False})
    with EmbeddedStore(off, read_only=True) as ro:
        ro.warm({"Officer": ("surname",)})
        assert ro._adjacency is None and ("Officer", ("surname",)) in ro._names._labels  # type: ignore[union-attr]


def test_a_snapshot_remembers_answers_and_a_writer_does_not(tmp_path: Path) -> None:
    """What a read-only snapshot computes once is kept (it never changes), at most
    ``REMEMBERED`` answers, the least recently used dropped first; a writer keeps none."""
    s = embedded_settings(tmp_path)
    calls: list[str] = []

    def answer(key: str) -> str:
        calls.append(key)
        return key.upper()

    with open_store(s) as st:
        load_fixture(st)
        assert [st.remember("a", lambda: answer("a")) for _ in range(2)] == ["A", "A"] and calls == ["a", "a"]
    calls.clear()
    with EmbeddedStore(s, read_only=True) as ro:
        ro.REMEMBERED = 2
        assert ro.remember("a", lambda: answer("a")) == "A" and ro.remember("a", lambda: answer("a")) == "A"
        assert calls == ["a"]
        ro.remember("b", lambda: answer("b"))
        ro.remember("a", lambda: answer("a"))  # a used again: b is the least recent
        ro.remember("c", lambda: answer("c"))  # b dropped
        ro.remember("a", lambda: answer("a"))
        ro.remember("b", lambda: answer("b"))
        assert calls == ["a", "b", "c", "b"]


def test_search_and_an_officers_flags_on_a_snapshot_are_the_engines(tmp_path: Path) -> None:
    """A server's snapshot finds names in its name index (a field of few distinct values
    by value, a term with a letter no value holds at once) and reads the nodes found from
    the hop index; an officer's flags come from one read of every flag's officer. Both
    give what the engine gives a writer, term by term and officer by officer."""
    from api.ops.flags import flags_of_officer
    from api.ops.search import SEARCH_FIELDS
    from graph.meta import MetaStore
    from queries.detect import run_detectors

    s = embedded_settings(tmp_path)
    src = generate(officers=150, days=60, seed=11).write(tmp_path / "src")
    meta = MetaStore(s.data_dir)
    terms = [["smith"], ["a"], ["an", "e"], ["zzq"], ["1"], ["0", "a"], ["o'"], ["-"], ["station"], ["x", "y"]]
    with open_store(s) as st:
        ingest_dir(st, src, s.data_dir)
        run_detectors(st)
        surnames = sorted(r["s"].lower() for r in st.query("MATCH (o:Officer) RETURN o.surname AS s"))
        terms += [[surnames[0]], [surnames[-1][1:4]], [surnames[len(surnames) // 2]]]
        by_engine = {
            (label, tuple(t)): st.search_names(label, fields, t, 25)
            for label, fields in SEARCH_FIELDS.items()
            for t in terms
        }
        officers = sorted(r["o"] for r in st.query("MATCH (f:Flag) RETURN DISTINCT f.officer_id AS o"))
        flags_by_engine = {o: flags_of_officer(st, meta, o) for o in [*officers, "nobody"]}
    assert sum(map(len, by_engine.values())) > 50 and sum(map(len, flags_by_engine.values())) > 10
    with EmbeddedStore(s, read_only=True) as ro:
        ro.warm({label: fields for label, fields in SEARCH_FIELDS.items() if len(fields) > 1})
        names = ro._names._labels[("Person", SEARCH_FIELDS["Person"])]  # type: ignore[union-attr]
        assert names.fields[0].by_value is None and names.fields[1].by_value is not None  # ids; surnames
        reads: list[str] = []
        real_query = EmbeddedStore.query

        def read(self: EmbeddedStore, cypher: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
            reads.append(cypher)
            return real_query(self, cypher, params)

        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(EmbeddedStore, "query", read)
            for (label, t), expected in by_engine.items():
                if len(SEARCH_FIELDS[label]) > 1:
                    assert ro.search_names(label, SEARCH_FIELDS[label], list(t), 25) == expected, (label, t)
            assert reads == []  # names and nodes from memory
            assert {o: flags_of_officer(ro, meta, o) for o in flags_by_engine} == flags_by_engine
            flags_of_officer(ro, meta, officers[0])
            assert sum("MATCH (f:Flag)" in c for c in reads) == 0  # one read of every flag's officer, kept


@pytest.mark.parametrize("gather", [4096, 3], ids=["by-value", "many-rows-scanned"])
def test_a_name_fields_shortcuts_find_the_rows_a_scan_finds(gather: int) -> None:
    """A field of few distinct values looked in by value, a term with a character no
    value holds, and a term found in more rows than are gathered at once (scanned): every
    row whose value contains the term, as ``in`` finds it."""
    from graph.names import _Field

    rng = random.Random(5)
    parts = ["smi", "th", "jo", "an", "é", "ß", "o'", "-", " ", "ann", "ma"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_Field, "BY_VALUE_ROWS", gather)
        for n, distinct in [(5, 5), (300, 12), (1000, 40), (1000, 1000)]:
            pool = ["".join(rng.choice(parts) for _ in range(rng.randint(0, 3))) for _ in range(distinct)]
            values = [rng.choice(pool) for _ in range(n)]
            field = _Field(values)
            assert (field.by_value is not None) == (n > 64 and distinct <= n / 4)
            for term in ["a", "an", "smith", "th", "o'", "é", "ß", "zz", " ", "-m", "annma", *pool[:5]]:
                if term:
                    assert sorted(set(field.rows(term))) == [i for i, v in enumerate(values) if term in v], term


def test_a_picker_gives_what_arrow_gives() -> None:
    """The hop index's columns give a few rows as Arrow's take and conversion would, for
    every type it holds: text dictionary-encoded or not, with nulls and empty text; times
    and dates far before 1970 and in year 9999; integers up to 2^62; NaN and infinities
    (not nulls); booleans; lists."""
    import pyarrow as pa

    from graph.adjacency import _compact, _Picker

    big = 2**62
    table = pa.table(
        {
            "few": ["response team", "b", None, "response team", "", "b", "safeguarding", None] * 4,
            "many": [f"value {i}" if i % 5 else None for i in range(32)],
            "at": pa.array(
                [dt.datetime(1, 1, 1), None, dt.datetime(9999, 12, 31, 23, 59, 59, 999999), dt.datetime(1969, 7, 20, 20, 17)]
                * 8,
                pa.timestamp("us"),
            ),
            "day": pa.array([dt.date(1, 1, 1), dt.date(9999, 12, 31), None, dt.date(1970, 1, 1)] * 8, pa.date32()),
            "n": pa.array([big, -big, None, 0] * 8, pa.int64()),
            "x": [float("nan"), float("inf"), -float("inf"), None, 1.5, -0.0, 2.0, 3.0] * 4,
            "ok": [True, False, None, True] * 8,
            "tags": [["a", "b"], [], None, ["c"]] * 8,
        }
    )
    compact = _compact(table)
    assert pa.types.is_dictionary(compact.column("few").type) and pa.types.is_string(compact.column("many").type)
    picker = _Picker(compact)
    for rows in ([0], [3, 1, 2, 2], list(range(32)), [], [31, 0, 16]):
        got = picker.pick(np.array(rows, dtype=np.int64))
        want = table.take(pa.array(rows, pa.int64())).to_pydict()
        assert list(got) == list(want)
        for name in want:
            assert repr(got[name]) == repr(want[name]), name  # NaN, -0.0 and types as Arrow gives them
