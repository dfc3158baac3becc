"""One conformance suite, run on both stores (see ``conftest.store``): the same
fixture graph must give the same answers."""

from __future__ import annotations

import datetime as dt
import itertools

import networkx as nx
import pandas as pd
import pytest

from graph.errors import NodeNotFound, QueryError, UnknownName
from graph.settings import Settings
from graph.store import GraphStore, RunInfo
from graph.workspace import open_store
from tests.fixture_graph import MEMBER_OF, OFFICERS, load_awkward, load_fixture


def ids(sg) -> set[str]:
    return set(sg.nodes)


def test_counts_after_load(store: GraphStore) -> None:
    stats = load_fixture(store)
    assert [(s.name, s.new) for s in stats] == [
        ("Officer", 5),
        ("Unit", 2),
        ("Organisation", 2),
        ("IN_UNIT", 4),
        ("REPORTS_TO", 2),
        ("PART_OF", 1),
        ("MEMBER_OF", 3),
    ]
    c = store.counts()
    assert (c["Officer"], c["Unit"], c["Organisation"], c["MEMBER_OF"], c["IN_UNIT"]) == (5, 2, 2, 3, 4)
    assert c["Flag"] == 0


def test_reload_is_idempotent(store: GraphStore) -> None:
    load_fixture(store)
    before = store.query("MATCH (o:Officer) RETURN o.uid AS uid, o.first_seen AS f ORDER BY uid")
    again = load_fixture(store, RunInfo.new("again"))
    assert all(s.new == 0 and s.changed == 0 and s.retired == 0 for s in again)
    assert sum(s.unchanged for s in again) == 5 + 2 + 2 + 4 + 2 + 1 + 3
    assert store.counts()["Officer"] == 5 and store.counts()["MEMBER_OF"] == 3
    after = store.query("MATCH (o:Officer) RETURN o.uid AS uid, o.first_seen AS f ORDER BY uid")
    assert before == after


def test_update_keeps_first_seen_and_retires_missing(store: GraphStore) -> None:
    load_fixture(store)
    first = store.node("Officer:B")["properties"]["first_seen"]
    newer = OFFICERS[OFFICERS["officer_id"] != "E"].copy()
    newer.loc[newer["officer_id"] == "B", "rank"] = "PS"
    run = RunInfo(run_id="newer", ts=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    st = store.load_nodes("Officer", newer, run)
    assert (st.new, st.changed, st.unchanged, st.retired) == (0, 1, 3, 1)
    b = store.node("Officer:B")["properties"]
    assert b["rank"] == "PS" and b["first_seen"] == first
    assert b["last_seen"] == dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    e = store.node("Officer:E")["properties"]  # retired, never deleted
    assert e["retired_at"] == dt.datetime(2030, 1, 1, tzinfo=dt.UTC) and e["surname"] == "Elm"
    # coming back revives it
    st = store.load_nodes("Officer", OFFICERS, RunInfo.new("back"))
    assert st.changed == 2 and "retired_at" not in store.node("Officer:E")["properties"]


def test_relationship_retired_when_missing(store: GraphStore) -> None:
    load_fixture(store)
    st = store.load_relationships("MEMBER_OF", MEMBER_OF.iloc[:2], RunInfo.new("r"))
    assert (st.unchanged, st.retired) == (2, 1)
    rows = store.query(
        "MATCH (o:Officer)-[m:MEMBER_OF]->(g:Organisation) WHERE m.retired_at IS NOT NULL "
        "RETURN o.uid AS o, g.uid AS g"
    )
    assert rows == [{"o": "Officer:D", "g": "Organisation:B1"}]


def test_a_load_that_reads_only_some_keys(store: GraphStore) -> None:
    """``state_keys``: only those relationships are compared (and may be retired); the rest
    stay as they are, unread, as a day's load of a few links among millions leaves them."""
    from graph.store import relationship_keys

    load_fixture(store)
    keys = list(relationship_keys(MEMBER_OF["src"], MEMBER_OF["dst"], MEMBER_OF["discriminator"]))
    changed = MEMBER_OF.iloc[[0]].assign(score=0.5)  # A's membership, rescored
    # the scope: A's and C's memberships; C's is missing from the rows, so it is retired
    scope = {keys[0], keys[1]}
    st = store.load_relationships(
        "MEMBER_OF",
        changed,
        RunInfo.new("r"),
        retire_scope=lambda existing: existing.isin(scope),
        state_keys=scope,
    )
    assert (st.new, st.changed, st.unchanged, st.retired) == (0, 1, 0, 1)
    rows = store.query(
        "MATCH (x:Officer)-[m:MEMBER_OF]->(g:Organisation) RETURN x.uid AS o, m.score AS score, "
        "m.retired_at IS NOT NULL AS retired ORDER BY o"
    )
    assert rows == [
        {"o": "Officer:A", "score": 0.5, "retired": False},
        {"o": "Officer:C", "score": 0.97, "retired": True},
        {"o": "Officer:D", "score": 1.0, "retired": False},  # outside the keys: untouched
    ]


def test_search_names(store_settings: Settings) -> None:
    """Search by name: every term in some field, case-insensitive, live nodes only, by
    uid. A read-only handle answers from its name index (embedded): the same nodes."""
    with open_store(store_settings) as st:
        load_fixture(st)
        st.load_nodes("Officer", OFFICERS[OFFICERS["officer_id"] != "E"], RunInfo.new("retire E"))
        direct = {
            terms: [n["id"] for n in st.search_names("Officer", ("surname", "forenames"), terms, 3)]
            for terms in [("a",), ("e",), ("d", "i"), ("ash",), ("zzz",), ("a", "zzz"), ("bob", "birch")]
        }
        orgs = [n["id"] for n in st.search_names("Organisation", ("name",), ["ltd"], 10)]
        with pytest.raises(QueryError):
            st.search_names("Officer", ("no_such_field",), ["a"], 3)
    assert direct == {
        ("a",): ["Officer:A", "Officer:C", "Officer:D"],  # Ash, Cedar, Damson
        ("e",): ["Officer:C"],  # Cedar; Elm is retired
        ("d", "i"): ["Officer:D"],  # d in Damson, i in Di
        ("ash",): ["Officer:A"],
        ("zzz",): [],
        ("a", "zzz"): [],
        ("bob", "birch"): ["Officer:B"],
    }
    assert orgs == ["Organisation:B1"]
    with open_store(store_settings, read_only=True) as ro:
        for terms, expected in direct.items():
            found = ro.search_names("Officer", ("surname", "forenames"), terms, 3)
            assert [n["id"] for n in found] == expected
            assert all(n == ro.node(n["id"]) for n in found)
        assert [n["id"] for n in ro.search_names("Officer", ("surname", "forenames"), ["a"], 2)] == [
            "Officer:A",
            "Officer:C",
        ]
        if store_settings.store == "embedded":  # answered from the index, not the engine
            assert ("Officer", ("surname", "forenames")) in ro._names._labels  # type: ignore[attr-defined]


def test_neighbourhood(store: GraphStore) -> None:
    load_fixture(store)
    one = store.neighbourhood(["Officer:A"], depth=1)
    assert ids(one) == {"Officer:A", "Unit:U1", "Organisation:L1", "Officer:B"}
    assert {(e["source"], e["type"], e["target"]) for e in one.edges.values()} == {
        ("Officer:A", "IN_UNIT", "Unit:U1"),
        ("Officer:A", "MEMBER_OF", "Organisation:L1"),
        ("Officer:B", "REPORTS_TO", "Officer:A"),
    }
    two = store.neighbourhood(["Officer:A"], depth=2)
    assert ids(two) == {"Officer:A", "Unit:U1", "Organisation:L1", "Officer:B", "Unit:U2", "Officer:C"}
    assert len(two.edges) == 6  # A-U1, A-L1, B-A, B-U1, U2-U1, C-L1


def test_neighbourhood_filters(store: GraphStore) -> None:
    load_fixture(store)
    typed = store.neighbourhood(["Officer:A"], depth=2, rel_types=["MEMBER_OF"])
    assert ids(typed) == {"Officer:A", "Organisation:L1", "Officer:C"}
    window = store.neighbourhood(["Officer:A"], depth=2, rel_types=["MEMBER_OF"], since=dt.date(2024, 1, 1))
    assert ids(window) == {"Officer:A", "Organisation:L1"}  # C left the lodge in 2023
    capped = store.neighbourhood(["Officer:A"], depth=2, limit=3)
    assert len(capped.nodes) == 3 and capped.truncated


def test_neighbourhood_limit_window_retired_and_parallel_edges(store: GraphStore) -> None:
    """The limit falls mid-hop, on a neighbour reached by two relationships that share a
    key (parallel types between the same pair); a self-loop, a retired relationship and
    a time window are in play. Edges come in (neighbour, key, type) order."""
    load_fixture(store)
    at = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    approvals = pd.DataFrame(
        {
            "src": ["Officer:A", "Officer:C"],
            "dst": ["Officer:A", "Officer:A"],
            "count": [2, 3],
            "first_at": [at, at],
            "last_at": [at + dt.timedelta(days=180)] * 2,
        }
    )
    store.load_relationships("APPROVED_SHIFTS_OF", approvals, RunInfo.new("a"))
    edits = pd.DataFrame(
        {
            "src": ["Officer:C", "Officer:E"],
            "dst": ["Officer:A", "Officer:A"],
            "count": [1, 1],
            "first_at": [dt.datetime(2021, 1, 1, tzinfo=dt.UTC)] * 2,
            "last_at": [dt.datetime(2021, 12, 31, tzinfo=dt.UTC)] * 2,
        }
    )
    store.load_relationships("EDITED_ROSTER_OF", edits, RunInfo.new("e"))
    store.load_relationships("EDITED_ROSTER_OF", edits.iloc[:1], RunInfo.new("e2"))  # retires E -> A

    def shape(sg) -> tuple[list[str], list[tuple[str, str, str]], bool]:
        return (
            list(sg.nodes),
            [(e["type"], e["source"], e["target"]) for e in sg.edges.values()],
            sg.truncated,
        )

    self_loop = ("APPROVED_SHIFTS_OF", "Officer:A", "Officer:A")
    b_a = ("REPORTS_TO", "Officer:B", "Officer:A")
    c_a = [("APPROVED_SHIFTS_OF", "Officer:C", "Officer:A"), ("EDITED_ROSTER_OF", "Officer:C", "Officer:A")]
    capped = store.neighbourhood(["Officer:A"], limit=3)
    assert shape(capped) == (["Officer:A", "Officer:B", "Officer:C"], [self_loop, b_a, *c_a], True)
    approved = next(
        e for e in capped.edges.values() if e["type"] == "APPROVED_SHIFTS_OF" and e["source"] != "Officer:A"
    )
    assert approved["properties"]["count"] == 3 and approved["properties"]["first_at"] == at
    assert capped.nodes["Officer:C"]["properties"]["surname"] == "Cedar"
    assert shape(store.neighbourhood(["Officer:A"], limit=2)) == (
        ["Officer:A", "Officer:B"],
        [self_loop, b_a],
        True,
    )
    windowed = store.neighbourhood(["Officer:A"], since=dt.date(2024, 3, 1), limit=3)
    assert shape(windowed) == (["Officer:A", "Officer:B", "Officer:C"], [self_loop, b_a, c_a[0]], True)
    early = store.neighbourhood(["Officer:A"], until=dt.date(2020, 12, 31))
    assert shape(early) == (
        ["Officer:A", "Officer:B", "Organisation:L1", "Unit:U1"],
        [b_a, ("MEMBER_OF", "Officer:A", "Organisation:L1"), ("IN_UNIT", "Officer:A", "Unit:U1")],
        False,
    )
    retired = store.neighbourhood(["Officer:A"], include_retired=True, limit=4)
    assert list(retired.nodes) == ["Officer:A", "Officer:B", "Officer:C", "Officer:E"] and retired.truncated
    assert ("EDITED_ROSTER_OF", "Officer:E", "Officer:A") in shape(retired)[1]
    assert "Officer:E" not in store.neighbourhood(["Officer:A"], depth=2).nodes
    # the second hop stops mid-way too: D is taken, U2 (C's unit) is not. An edge met from
    # both ends goes where it comes first: B-U1 under neighbour B (met from U1), not U1
    deeper = store.neighbourhood(["Officer:A"], depth=2, limit=6)
    assert list(deeper.nodes)[3:] == ["Organisation:L1", "Unit:U1", "Officer:D"] and deeper.truncated
    assert shape(deeper)[1][6:] == [
        ("IN_UNIT", "Officer:B", "Unit:U1"),
        ("MEMBER_OF", "Officer:C", "Organisation:L1"),
        ("REPORTS_TO", "Officer:D", "Officer:C"),
    ]


def test_neighbourhood_portable_primitives(store: GraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each store overrides some neighbourhood primitives for speed (how nodes and
    relationships are found again); the portable ones in GraphStore give the same."""
    load_fixture(store)
    calls = [
        dict(depth=2),
        dict(depth=2, limit=4),
        dict(depth=2, rel_types=["MEMBER_OF", "REPORTS_TO"], since=dt.date(2021, 1, 1)),
    ]
    fast = [store.neighbourhood(["Officer:A", "Unit:U2"], **kw) for kw in calls]
    for name in ("_node_ref", "_rel_ref", "_nodes_by_ref", "_edges_by_ref"):
        monkeypatch.setattr(store, name, getattr(GraphStore, name).__get__(store))
    portable = [store.neighbourhood(["Officer:A", "Unit:U2"], **kw) for kw in calls]
    assert portable == fast
    assert [(list(a.nodes), list(a.edges)) for a in portable] == [
        (list(b.nodes), list(b.edges)) for b in fast
    ]


def test_neighbourhood_unknown_id(store: GraphStore) -> None:
    load_fixture(store)
    with pytest.raises(NodeNotFound):
        store.neighbourhood(["Officer:nobody"])
    with pytest.raises(UnknownName, match="unknown node label 'Nolabel'"):
        store.neighbourhood(["Nolabel:x"])
    with pytest.raises(UnknownName, match="unknown relationship type 'NOT_A_TYPE'"):
        store.neighbourhood(["Officer:A"], rel_types=["NOT_A_TYPE"])


def test_shortest_paths(store: GraphStore) -> None:
    load_fixture(store)
    paths = store.shortest_paths("Officer:A", "Officer:D", max_hops=4)
    seqs = [[n["id"] for n in p["nodes"]] for p in paths]
    assert seqs == [
        ["Officer:A", "Organisation:L1", "Officer:C", "Officer:D"],
        ["Officer:A", "Unit:U1", "Unit:U2", "Officer:D"],
    ]
    assert [e["type"] for e in paths[0]["edges"]] == ["MEMBER_OF", "MEMBER_OF", "REPORTS_TO"]
    assert store.shortest_paths("Officer:A", "Officer:D", max_hops=2) == []
    only = store.shortest_paths("Officer:A", "Officer:D", rel_types=["MEMBER_OF", "REPORTS_TO"])
    assert len(only) == 1
    assert store.shortest_paths("Officer:A", "Officer:E") == []


def test_shortest_paths_match_the_engine(store: GraphStore) -> None:
    """``shortest_paths`` gives what the store's own all-shortest-paths query gives,
    sorted by node ids then edge ids and cut at ``limit``: for every pair of nodes, with
    and without a type filter, with a self-loop, a retired relationship (followed) and
    parallel relationships of different types that share a key (ties the sort leaves in
    the engine's order), on one edge and on two edges of the same paths."""
    load_awkward(store)

    def engine(a: str, b: str, max_hops: int, rel_types: list[str] | None = None, limit: int = 25) -> list:
        label = store.model.label_of_uid
        text = store._shortest_paths_cypher(label(a), label(b), store._rel_pattern(rel_types), max_hops)
        paths = [r["p"] for r in store.query(text, {"a": a, "b": b})]
        paths.sort(key=lambda p: [n["id"] for n in p["nodes"]] + [e["id"] for e in p["edges"]])
        return paths[:limit]

    uids = sorted(store.project().nodes)
    ties = 0
    for a in uids:
        for b in uids:
            if a == b:
                continue
            for hops in (1, 2, 4):
                want = engine(a, b, hops)
                assert store.shortest_paths(a, b, max_hops=hops) == want, (a, b, hops)
                keys = [[e["id"] for e in p["edges"]] for p in want]
                ties += sum(1 for x, y in itertools.pairwise(keys) if x == y)
    assert ties > 0
    for a, b in (("Officer:B", "Officer:D"), ("Officer:E", "Officer:D"), ("Officer:A", "Unit:U2")):
        for limit in (1, 2, 3):
            assert store.shortest_paths(a, b, limit=limit) == engine(a, b, 4, limit=limit)
        for types in (["REPORTS_TO", "APPROVED_SHIFTS_OF"], ["IN_UNIT", "MEMBER_OF"], ["PART_OF"]):
            assert store.shortest_paths(a, b, rel_types=types) == engine(a, b, 4, types)


def test_query_with_parameters_and_types(store: GraphStore) -> None:
    load_fixture(store)
    rows = store.query(
        "MATCH (o:Officer)-[m:MEMBER_OF]->(g:Organisation) WHERE m.score >= $min "
        "RETURN o.officer_id AS id, o.date_of_birth AS dob, m.matched_on AS fields, g.kind AS kind "
        "ORDER BY id",
        {"min": 0.99},
    )
    assert rows == [
        {
            "id": "A",
            "dob": dt.date(1970, 1, 2),
            "fields": ["surname", "date_of_birth"],
            "kind": "freemasonry",
        },
        {"id": "D", "dob": dt.date(1990, 5, 6), "fields": ["surname", "forenames"], "kind": "business"},
    ]
    agg = store.query("MATCH (o:Officer) RETURN count(o) AS n, sum(o.source_line) AS s")
    assert agg == [{"n": 5, "s": 20}] and type(agg[0]["s"]) is int
    node = store.query("MATCH (o:Officer {officer_id: $id}) RETURN o", {"id": "A"})[0]["o"]
    assert node["id"] == "Officer:A" and node["labels"] == ["Officer"]
    assert node["properties"]["first_seen"].tzinfo is not None
    assert "uid" not in node["properties"] and "unit_id" not in node["properties"]


@pytest.mark.parametrize("arrow_from", [None, 0])
def test_columns(store: GraphStore, monkeypatch: pytest.MonkeyPatch, arrow_from: int | None) -> None:
    """A result by column: the same values as query() gives row by row (the embedded
    store reads long results through Arrow: here every result, with ``arrow_from=0``)."""
    if arrow_from is not None:
        import graph.embedded

        monkeypatch.setattr(graph.embedded, "ARROW_MIN_ROWS", arrow_from)
    load_fixture(store)
    cypher = (
        "MATCH (o:Officer)-[m:MEMBER_OF]->(g:Organisation) WHERE o.uid <> $x RETURN o.uid AS uid, "
        "m.score AS score, m.since AS since, m.matched_on AS matched, o.date_of_birth AS born ORDER BY uid"
    )
    rows = store.query(cypher, {"x": "Officer:A"})
    cols = store.columns(cypher, {"x": "Officer:A"})
    assert list(cols) == ["uid", "score", "since", "matched", "born"]
    assert [dict(zip(cols, vals, strict=True)) for vals in zip(*cols.values(), strict=True)] == rows
    assert cols["uid"] == ["Officer:C", "Officer:D"] and cols["since"] == [dt.date(2022, 1, 1), None]
    assert store.columns(cypher, {"x": "x"})["uid"] == ["Officer:A", "Officer:C", "Officer:D"]
    assert store.columns("MATCH (o:Officer) WHERE o.surname = $s RETURN o.uid AS o", {"s": "Nobody"}) == {}
    with pytest.raises(QueryError, match="missing"):
        store.columns("MATCH (o:Officer) WHERE o.surname = $s RETURN o.uid AS o")


def test_row_limit_stops_reading(store: GraphStore) -> None:
    """``max_rows`` takes that many rows from the engine and no more (a saved query or an
    ad-hoc query asks for one more than it shows, to know that there were more)."""
    load_fixture(store)
    text = "MATCH (o:Officer) RETURN o.officer_id AS id ORDER BY id"
    assert [r["id"] for r in store.query(text, max_rows=2)] == ["A", "B"]
    assert len(store.query(text, max_rows=100)) == 5
    assert store.query(text, max_rows=0) == []
    big = store.query("UNWIND range(1, 5000000) AS x RETURN x", max_rows=3)
    assert [r["x"] for r in big] == [1, 2, 3]


def test_query_errors(store: GraphStore) -> None:
    load_fixture(store)
    with pytest.raises(QueryError, match="missing query parameter"):
        store.query("MATCH (o:Officer) WHERE o.officer_id = $id RETURN o")
    with pytest.raises(QueryError):
        store.query("MATCH (o:Officer RETURN o")
    with pytest.raises(QueryError):
        store.query("MATCH (o:Officer) RETURN nosuchfunction(o) AS x")


def test_reads_cannot_write(store_settings: Settings) -> None:
    with open_store(store_settings) as st:
        load_fixture(st)
    with open_store(store_settings, read_only=True) as ro:
        with pytest.raises(QueryError, match="write"):
            ro.query("CREATE (:Unit {uid: 'Unit:X', unit_id: 'X'})")
        assert ro.counts()["Unit"] == 2


def test_networkx_projection(store: GraphStore) -> None:
    load_fixture(store)
    g = store.to_networkx(labels=["Officer", "Organisation"], rel_types=["MEMBER_OF"])
    assert isinstance(g, nx.MultiDiGraph)
    assert g.number_of_nodes() == 7 and g.number_of_edges() == 3
    assert g.nodes["Officer:A"]["surname"] == "Ash"
    proj = nx.bipartite.weighted_projected_graph(
        nx.Graph(g.to_undirected()), [n for n, d in g.nodes(data=True) if d["label"] == "Officer"]
    )
    assert proj.has_edge("Officer:A", "Officer:C")


def test_same_answers_as_each_other(store: GraphStore) -> None:
    """Deterministic output: neighbourhood and projection serialise identically run to run."""
    load_fixture(store)
    a = store.neighbourhood(["Unit:U1"], depth=2).to_dict(properties=False)
    b = store.neighbourhood(["Unit:U1"], depth=2).to_dict(properties=False)
    assert a == b
    assert pd.DataFrame(a["edges"]).shape[0] == 7


def test_embedded_bulk_copy_in_chunks(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Big loads are copied in chunks (one huge COPY fills the buffer pool)."""
    import graph.embedded
    from tests.conftest import embedded_settings

    settings = embedded_settings(tmp_path)
    monkeypatch.setattr(
        graph.embedded, "COPY_ROWS_PER_MB", 2 / settings.write_buffer_pool_mb
    )  # 2 rows a copy
    with open_store(settings) as st:
        load_fixture(st)
        c = st.counts()
        assert (c["Officer"], c["MEMBER_OF"], c["IN_UNIT"]) == (5, 3, 4)
