"""What keeps the embedded store whole and the process that reads it alive: snapshots
(a failed or killed writer leaves the store as it was; readers see old or new, never a
mix), and the killable worker processes that run people's queries."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from graph.errors import QueryError, QueryTimeout, StoreUnavailable
from graph.settings import Settings
from graph.store import RunInfo
from graph.workspace import open_store
from tests.conftest import neo4j_settings, wipe_neo4j
from tests.fixture_graph import load_fixture

ROOT = Path(__file__).resolve().parent.parent


def _settings(tmp_path: Path, **kw: object) -> Settings:
    base: dict[str, object] = {
        "store": "embedded",
        "data_dir": tmp_path / "data",
        "buffer_pool_mb": 256,
        "query_timeout_s": 30,
    }
    return Settings(**{**base, **kw})  # type: ignore[arg-type]


def _officers(n: int, start: int = 0) -> pd.DataFrame:
    return pd.DataFrame(
        {"officer_id": [f"X{i}" for i in range(start, start + n)], "surname": "Test", "forenames": "T"}
    )


def _count(s: Settings) -> int:
    with open_store(s, read_only=True) as st:
        return int(st.query("MATCH (o:Officer) RETURN count(o) AS n")[0]["n"])


def test_a_block_that_raises_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    s = _settings(tmp_path)
    with open_store(s) as st:
        load_fixture(st)
    with pytest.raises(RuntimeError, match="midway"), open_store(s) as st:
        st.load_nodes("Officer", _officers(50), RunInfo.new())
        assert st.query("MATCH (o:Officer) RETURN count(o) AS n")[0]["n"] == 55  # the writer sees its rows
        raise RuntimeError("midway")
    assert _count(s) == 5
    st = open_store(s)
    st.load_nodes("Officer", _officers(3), RunInfo.new(), retire_scope=False)
    st.abort()
    assert _count(s) == 5
    assert not list(s.data_dir.glob("graph.lbdb.next-*"))


def test_a_writer_that_hands_back_its_memory_keeps_its_writes_unpublished_until_close(tmp_path: Path) -> None:
    """``release_memory`` reopens the working copy: what was written stays the writer's,
    readers do not see it before ``close``, and an abort after it still discards it all."""
    s = _settings(tmp_path)
    with open_store(s) as st:
        load_fixture(st)
    st = open_store(s)
    st.load_nodes("Officer", _officers(50), RunInfo.new(), retire_scope=False)
    st.release_memory()
    assert _count(s) == 5  # nothing published by the reopening
    assert st.query("MATCH (o:Officer) RETURN count(o) AS n")[0]["n"] == 55
    st.load_nodes("Officer", _officers(60), RunInfo.new(), retire_scope=False)
    st.abort()
    assert _count(s) == 5
    st = open_store(s)
    st.load_nodes("Officer", _officers(50), RunInfo.new(), retire_scope=False)
    st.release_memory()
    st.load_nodes("Officer", _officers(60), RunInfo.new(), retire_scope=False)
    st.close()
    assert _count(s) == 65
    assert not list(s.data_dir.glob("graph.lbdb.next-*"))


def test_readers_keep_their_snapshot_and_never_see_a_half_written_one(tmp_path: Path) -> None:
    s = _settings(tmp_path)
    with open_store(s) as st:
        load_fixture(st)
    old = open_store(s, read_only=True)
    writer = open_store(s)
    writer.load_nodes("Officer", _officers(20), RunInfo.new(), retire_scope=False)
    assert _count(s) == 5  # a reader opening while the writer works sees the last published store
    writer.close()
    assert old.query("MATCH (o:Officer) RETURN count(o) AS n") == [{"n": 5}]  # still its snapshot
    assert _count(s) == 25
    old.close()


def test_one_writer_at_a_time(tmp_path: Path) -> None:
    s = _settings(tmp_path)
    with open_store(s), pytest.raises(StoreUnavailable, match="open for writing in another process"):
        open_store(s)
    with open_store(s) as st:  # released on close
        assert st.counts()["Officer"] == 0


def test_a_killed_writer_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    s = _settings(tmp_path)
    with open_store(s) as st:
        load_fixture(st)
    script = textwrap.dedent(f"""
        import os, pandas as pd
        from graph.settings import Settings
        from graph.store import RunInfo
        from graph.workspace import open_store
        s = Settings(data_dir={str(s.data_dir)!r}, buffer_pool_mb=256)
        st = open_store(s)
        st.load_nodes("Officer", pd.DataFrame({{"officer_id": [f"K{{i}}" for i in range(500)]}}), RunInfo.new())
        os.kill(os.getpid(), 9)
    """)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == -9, done.stderr[-2000:]
    assert list(s.data_dir.glob("graph.lbdb.next-*"))  # its working copy is left behind
    assert _count(s) == 5
    with open_store(s) as st:  # the next writer takes the lock and clears the dead copy
        assert st.query("MATCH (o:Officer) RETURN count(o) AS n") == [{"n": 5}]
    assert not list(s.data_dir.glob("graph.lbdb.next-*"))


def test_readers_query_in_parallel(tmp_path: Path) -> None:
    import threading

    s = _settings(tmp_path, reader_connections=4)
    with open_store(s) as st:
        load_fixture(st)
    st = open_store(s, read_only=True)
    results: list[int] = []

    def work() -> None:
        for _ in range(25):
            results.append(st.query("MATCH (o:Officer)-[r]-(x) RETURN count(*) AS n")[0]["n"])

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    st.close()
    assert len(results) == 200 and len(set(results)) == 1


# ---- people's queries in killable workers -------------------------------------------


@pytest.fixture
def reader(tmp_path: Path) -> object:
    s = _settings(tmp_path, query_timeout_s=2, query_memory_mb=768)
    with open_store(s) as st:
        load_fixture(st)
    st = open_store(s, read_only=True)
    yield st
    st.close()


def test_runaway_memory_is_stopped_at_the_cap(reader: object) -> None:
    """Measured without the worker: this query held 8.4 GB and ran 65 s past a 3 s timeout."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.monotonic()
    with pytest.raises((QueryError, QueryTimeout), match=r"768 MiB|ran past"):
        reader.user_query("UNWIND range(1, 1000000000) AS x RETURN x", max_rows=10)  # type: ignore[attr-defined]
    assert time.monotonic() - t0 < 10
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200 * 1024  # KiB: not here
    assert reader.user_query("MATCH (o:Officer) RETURN count(o) AS n") == [{"n": 5}]  # type: ignore[attr-defined]


def test_runaway_time_is_stopped_at_the_timeout(reader: object) -> None:
    t0 = time.monotonic()
    with pytest.raises(QueryTimeout, match="ran past 2 s"):
        reader.user_query(  # type: ignore[attr-defined]
            "UNWIND range(1, 100000) AS a UNWIND range(1, 100000) AS b WITH a, b WHERE a * b = -1 "
            "RETURN count(*) AS n"
        )
    assert time.monotonic() - t0 < 6  # the timeout plus a second's grace, then the worker is killed


def test_an_engine_crash_is_contained(reader: object) -> None:
    """A worker that dies mid-query (the engine crashed: Ladybug 0.22 segfaults on some
    queries, and took the server down at stop 8) gives a QueryError; only the worker
    dies, and the next query gets a fresh one.

    The crash is made here (SIGSEGV to the worker while it runs a long query): the
    engine's own crash is memory read past the end of a result, so it does not come
    every time (CI at stop 24 got an answer)."""
    errors: list[BaseException] = []

    def ask() -> None:
        try:
            reader.user_query(  # type: ignore[attr-defined]
                "UNWIND range(1, 100000) AS a UNWIND range(1, 100000) AS b WITH a, b WHERE a * b = -1 "
                "RETURN count(*) AS n"
            )
        except BaseException as e:
            errors.append(e)

    t = threading.Thread(target=ask)
    t.start()
    deadline = time.monotonic() + 5
    busy: list[int] = []
    while not busy and time.monotonic() < deadline:
        time.sleep(0.05)
        sandbox = reader._sandbox  # type: ignore[attr-defined]
        busy = [w.proc.pid for w in sandbox._all if w not in sandbox._idle] if sandbox else []
    assert busy, "no worker took the query"
    time.sleep(0.2)  # the query is running
    os.kill(busy[0], signal.SIGSEGV)
    t.join(10)
    assert not t.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], QueryError), errors
    assert "engine stopped on this query" in str(errors[0])
    assert reader.user_query("MATCH (o:Officer) RETURN o.uid AS u ORDER BY u LIMIT 2") == [  # type: ignore[attr-defined]
        {"u": "Officer:A"},
        {"u": "Officer:B"},
    ]


def test_a_query_the_engine_may_crash_on_never_takes_the_server_down(reader: object) -> None:
    """ORDER BY … SKIP past the end of a result: the engine either crashes (a QueryError
    saying so) or answers nothing; the store serves the next query either way."""
    try:
        rows = reader.user_query(  # type: ignore[attr-defined]
            "MATCH (o:Officer) RETURN o.uid AS u ORDER BY u SKIP 100000 LIMIT 5"
        )
    except QueryError as e:
        assert "engine stopped on this query" in str(e)
    else:
        assert rows == []
    assert reader.user_query("MATCH (o:Officer) RETURN count(o) AS n") == [{"n": 5}]  # type: ignore[attr-defined]


@pytest.mark.neo4j
def test_neo4j_stops_a_runaway_query(tmp_path: Path) -> None:
    s = neo4j_settings(tmp_path).model_copy(update={"query_timeout_s": 1.0})
    with open_store(s) as st:
        wipe_neo4j(st)
        t0 = time.monotonic()
        with pytest.raises(QueryTimeout):
            st.user_query(
                "UNWIND range(1, 100000) AS a UNWIND range(1, 100000) AS b WITH a, b WHERE a * b = -1 "
                "RETURN count(*) AS n"
            )
        assert time.monotonic() - t0 < 10


@pytest.mark.neo4j
def test_neo4j_refuses_a_runaway_memory_query(tmp_path: Path) -> None:
    """The test server caps each transaction's memory (db.memory.transaction.max, as a
    production server should): the query fails once, is not retried, and the server
    answers the next query."""
    s = neo4j_settings(tmp_path)
    with open_store(s) as st:
        wipe_neo4j(st)
        t0 = time.monotonic()
        with pytest.raises(QueryError, match=r"db\.memory\.transaction\.max"):
            st.user_query("UNWIND range(1, 200000000) AS x RETURN collect(x) AS xs")
        assert time.monotonic() - t0 < 30
        assert st.query("RETURN 1 AS ok") == [{"ok": 1}]


def test_a_worker_outlives_no_dead_server(tmp_path: Path) -> None:
    """A query still running when the process that asked is killed stops too."""
    s = _settings(tmp_path, query_timeout_s=600, query_memory_mb=4096)
    with open_store(s) as st:
        load_fixture(st)
    script = textwrap.dedent(f"""
        import os, threading, time
        from graph.settings import Settings
        from graph.workspace import open_store
        s = Settings(data_dir={str(s.data_dir)!r}, buffer_pool_mb=256, query_timeout_s=600)
        st = open_store(s, read_only=True)
        def kill():
            time.sleep(3)
            print(st._sandbox._all[0].proc.pid, flush=True)
            os.kill(os.getpid(), 9)
        threading.Thread(target=kill).start()
        st.user_query("UNWIND range(1, 100000) AS a UNWIND range(1, 100000) AS b WITH a, b WHERE a * b = -1 RETURN count(*)")
    """)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == -9, done.stderr[-2000:]
    worker = int(done.stdout.split()[0])
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and Path(f"/proc/{worker}").exists():
        time.sleep(0.1)
    assert not Path(f"/proc/{worker}").exists() or "Z" in Path(f"/proc/{worker}/stat").read_text().split()[2]


def test_a_worker_cannot_read_other_files_even_past_the_guard(reader: object, tmp_path: Path) -> None:
    """Defence in depth: a worker is confined with Landlock to reading its own snapshot
    folder, so a query that got past the guard still could not read or write a file or
    leave a checkpoint behind (sent to the worker directly: no door sends it unguarded)."""
    secret = "CANARY-landlock-7f3a"
    canary = tmp_path / "canary.csv"
    canary.write_text(f"{secret},x\n")
    reader.user_query("RETURN 1 AS ok")  # type: ignore[attr-defined]
    sandbox = reader._sandbox  # type: ignore[attr-defined]
    w = sandbox._take()
    try:
        ok = w.run({"cypher": "RETURN 1 AS ok", "params": {}, "max_rows": 1}, 10, 2048)
        if not ok["confined"].startswith("confined"):
            pytest.skip(ok["confined"])
        for target in (canary, reader.settings.data_dir / "meta.sqlite", Path("/etc/passwd")):  # type: ignore[attr-defined]
            reply = w.run(
                {"cypher": f"LOAD FROM '{target}' (header=false) RETURN *", "params": {}, "max_rows": 5},
                10,
                2048,
            )
            assert "error" in reply and secret not in str(reply), reply
        written = tmp_path / "written.csv"
        for q in (f"COPY (RETURN 'pwned' AS x) TO '{written}'", "CHECKPOINT"):
            reply = w.run({"cypher": q, "params": {}, "max_rows": 1}, 10, 2048)
            assert "error" in reply, reply
        assert not written.exists()
        assert sorted(p.name for p in reader.work_path.parent.iterdir()) == ["graph.lbdb"]  # type: ignore[attr-defined]
    finally:
        sandbox._give_back(w, True)


@pytest.mark.parametrize("whole", [True, False], ids=["whole-table", "by-key"])
def test_links_of_a_multi_pair_type_are_never_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, whole: bool
) -> None:
    """Ladybug 0.22 damages a relationship table that joins several pairs of labels when a
    SET on it is checkpointed (a 45k store: RESOLVED_TO links read from one side with an end
    not their own, or with their properties null). Touches, updates and retirements of such
    types read the links, delete them and copy them back: no SET reaches the table, and the
    links come back with the values a SET would have given (first_seen kept)."""
    from graph.check import check
    from graph.embedded import EmbeddedStore

    statements: list[str] = []
    execute = EmbeddedStore._execute

    def spy(self: EmbeddedStore, cypher: str, params: dict) -> object:
        statements.append(cypher)
        return execute(self, cypher, params)

    monkeypatch.setattr(EmbeddedStore, "REWRITE_WHOLE_SHARE", 0.0 if whole else 2.0)
    s = _settings(tmp_path)
    with open_store(s) as st:
        st.load_nodes("Officer", _officers(3), RunInfo.new())
        st.load_nodes("Person", pd.DataFrame({"person_id": ["P0", "P1"]}), RunInfo.new())
        st.load_nodes("Identifier", pd.DataFrame({"identifier_id": ["phone:1", "phone:2"]}), RunInfo.new())
        links = pd.DataFrame(
            {
                "src": ["Officer:X0", "Officer:X1", "Person:P0", "Person:P1"],
                "dst": [
                    "Identifier:phone:1",
                    "Identifier:phone:2",
                    "Identifier:phone:1",
                    "Identifier:phone:2",
                ],
                "field": "phone",
            }
        )
        first = RunInfo.new()
        st.load_relationships("HAS_IDENTIFIER", links, first)
        monkeypatch.setattr(EmbeddedStore, "_execute", spy)
        second = RunInfo.new()
        changed = links.iloc[:3].assign(field=["phone", "mobile", "phone"])  # one changed, one gone
        stats = st.load_relationships("HAS_IDENTIFIER", changed, second)
        assert (stats.new, stats.changed, stats.unchanged, stats.retired) == (0, 1, 2, 1)
        assert not [q for q in statements if "HAS_IDENTIFIER" in q and " SET " in q]
        rewrite = "DROP TABLE" if whole else "DELETE"
        assert [q for q in statements if "HAS_IDENTIFIER" in q and rewrite in q]
        got = (
            st.frame(
                "MATCH (a)-[r:HAS_IDENTIFIER]->(b) RETURN a.uid AS a, r.field AS field, r.first_seen AS first_seen, "
                "r.last_seen AS last_seen, r.run_id AS run_id, r.retired_at AS retired_at",
                ["a", "field", "first_seen", "last_seen", "run_id", "retired_at"],
            )
            .set_index("a")
            .sort_index()
        )
        assert len(got) == 4 and check(st, ["HAS_IDENTIFIER"]).ok
        assert got["field"].to_dict() == {
            "Officer:X0": "phone",
            "Officer:X1": "mobile",
            "Person:P0": "phone",
            "Person:P1": "phone",
        }
        assert (got["run_id"] == second.run_id).all()
        assert (pd.to_datetime(got["first_seen"], utc=True) == first.ts).all()  # kept, also by the update
        assert (
            pd.to_datetime(got["last_seen"], utc=True) == [second.ts, second.ts, second.ts, first.ts]
        ).all()
        assert got["retired_at"].notna().tolist() == [False, False, False, True]

    statements.clear()
    with open_store(s) as st:  # a one-pair type is still touched by a SET
        st.load_relationships(
            "REPORTS_TO", pd.DataFrame({"src": ["Officer:X1"], "dst": ["Officer:X0"]}), RunInfo.new()
        )
        st.load_relationships(
            "REPORTS_TO", pd.DataFrame({"src": ["Officer:X1"], "dst": ["Officer:X0"]}), RunInfo.new()
        )
    assert [q for q in statements if "REPORTS_TO" in q and " SET " in q]


def test_a_large_copy_goes_through_a_spooled_file_and_stores_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """New relationships from ``SPOOL_ROWS`` on are written to a Parquet file and copied
    from it (the load's frames are let go first): the graph read back is the one a direct
    copy gives, for a type of one label pair and one of several, and no file is left."""
    from graph.embedded import EmbeddedStore

    def links(s: Settings) -> list[tuple[object, ...]]:
        cols = "label(r) AS t, a.uid AS a, b.uid AS b, r.key AS k, r.src AS s, r.dst AS d, r.first_seen AS f, r.row_hash AS h"
        with open_store(s, read_only=True) as st:
            rows = st.query(
                f"MATCH (a)-[r]->(b) WHERE label(r) IN ['REPORTS_TO', 'MEMBER_OF', 'IN_UNIT'] RETURN {cols}"
            )
        return sorted(tuple(r.values()) for r in rows)

    direct, spooled = _settings(tmp_path / "direct"), _settings(tmp_path / "spooled")
    with open_store(direct) as st:
        load_fixture(st)
    import graph.embedded as embedded

    spools: list[object] = []

    class Writer(embedded.pq.ParquetWriter):  # type: ignore[misc,name-defined]
        def __init__(self, where: object, *args: object, **kwargs: object) -> None:
            spools.append(where)
            super().__init__(where, *args, **kwargs)

    monkeypatch.setattr(EmbeddedStore, "SPOOL_ROWS", 1)
    monkeypatch.setattr(embedded.pq, "ParquetWriter", Writer)
    with open_store(spooled) as st:
        load_fixture(st)
    assert len(spools) >= 3  # every relationship type loaded went through a file
    got, want = links(spooled), links(direct)
    assert len(want) > 5 and {r[0] for r in want} == {"REPORTS_TO", "MEMBER_OF", "IN_UNIT"}
    strip = [(r[0], r[1], r[2], r[3], r[4], r[5], r[7]) for r in got]  # first_seen is each run's own
    assert strip == [(r[0], r[1], r[2], r[3], r[4], r[5], r[7]) for r in want]
    assert all(r[6] is not None for r in got)
    assert not list((spooled.data_dir / "tmp").glob("copy-*.parquet"))


def test_a_load_that_fails_after_spooling_leaves_no_spooled_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A load refused after it spooled one label pair (the next pair is not allowed) never
    copies the file; the writer's end removes it, and the store is as it was."""
    from graph.embedded import EmbeddedStore

    s = _settings(tmp_path)
    with open_store(s) as st:
        load_fixture(st)
    monkeypatch.setattr(EmbeddedStore, "SPOOL_ROWS", 1)
    rows = pd.DataFrame({"src": ["Officer:A", "Unit:U1"], "dst": ["Organisation:L1", "Organisation:L1"]})
    st = open_store(s)
    with pytest.raises(ValueError, match="cannot join Unit"):
        st.load_relationships("MEMBER_OF", rows, RunInfo.new())
    assert list((s.data_dir / "tmp").glob("copy-MEMBER_OF-*.parquet"))  # spooled, never copied
    st.abort()
    assert not list((s.data_dir / "tmp").glob("copy-*.parquet"))
    with open_store(s, read_only=True) as reader:
        n = reader.query("MATCH (:Officer)-[r:MEMBER_OF]->() RETURN count(r) AS n")[0]["n"]
    with open_store(_settings(tmp_path / "fresh")) as fresh:
        load_fixture(fresh)
        assert n == fresh.query("MATCH (:Officer)-[r:MEMBER_OF]->() RETURN count(r) AS n")[0]["n"]
