"""The user-query guard, against a corpus of hostile queries, on both stores and
through every door (API and CLI), with a canary file no query may read."""

from __future__ import annotations

import contextlib
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli_app
from graph.errors import QueryError
from graph.guard import prepare_user_query, tokenize
from graph.settings import Settings
from graph.store import GraphStore
from graph.workspace import open_store
from tests.conftest import auth, make_tokens
from tests.fixture_graph import load_fixture

# Each family of bypass, with variants. Every one must be refused (QueryError) before
# anything runs; the ``{f}`` is replaced by the canary file's path.
HOSTILE: dict[str, list[str]] = {
    "writes": [
        "CREATE (n:Officer {uid: 'x'})",
        "MATCH (n) DETACH DELETE n",
        "MATCH (n:Officer) SET n.rank = 'X'",
        "MATCH (n:Officer) REMOVE n.rank",
        "MERGE (n:Unit {uid: 'u'})",
        "MATCH (a) FOREACH (x IN [1] | CREATE (:Unit))",
        "MATCH (a) WITH a /* hidden */ CREATE (b)",
        "cReAtE (n:Unit {uid: 'u'})",
        "MATCH (n) WITH n `x` CREATE (m)",
    ],
    "files": [
        "LOAD CSV FROM 'file://{f}' AS row RETURN row",
        "load csv from 'http://example.org/x.csv' as r return r",
        "LOAD FROM '{f}' RETURN *",
        "LoAd FrOm '{f}' (header=false) RETURN *",
        "COPY Officer FROM '{f}'",
        "COPY (MATCH (n) RETURN n) TO '/tmp/out.csv'",
        "EXPORT DATABASE '/tmp/exported'",
        "IMPORT DATABASE '/tmp/exported'",
        "LOAD FROM read_csv('{f}') RETURN *",
    ],
    "backticks": [
        "WITH 1 AS `x` LOAD FROM '{f}' (file_format='csv', header=false, delim=':') RETURN * LIMIT 2",
        "WITH 1 AS `a` CALL show_tables() RETURN *",
        "MATCH (`n`)LOAD FROM '{f}' RETURN *",
        "WITH 1 AS `a``` LOAD FROM '{f}' RETURN *",
        "RETURN `load`('{f}')",
        "WITH 1 AS x`y` LOAD FROM '{f}' RETURN *",
    ],
    "comments and escapes": [
        "WITH 1 AS x /* ` */ LOAD FROM '{f}' RETURN *",
        "WITH 1 AS x // `\nLOAD FROM '{f}' RETURN *",
        "RETURN 1 AS x /* unclosed LOAD FROM '{f}'",
        "RETURN '\\u0027 LOAD FROM {f}",
        "RETURN \\u004cOAD FROM '{f}'",
    ],
    "unicode": [
        "ＬＯＡＤ FROM '{f}' RETURN *",
        "LO\u200bAD FROM '{f}' RETURN *",
        "MATCH (n)\u00a0LOAD FROM '{f}' RETURN *",
        "MATCH (ñ) RETURN ñ",
    ],
    "procedures and functions": [
        "CALL apoc.load.json('http://example.org') YIELD value RETURN value",
        "CALL dbms.components()",
        "CALL show_tables() RETURN *",
        "CALL current_setting('threads') RETURN *",
        "MATCH (n) CALL { WITH n RETURN n.uid AS u } RETURN u",
        "MATCH (n) WHERE EXISTS { CALL db.labels() YIELD label RETURN label } RETURN n",
        "MATCH (n) RETURN COUNT { CALL { MATCH (m) RETURN m } RETURN 1 }",
        "RETURN apoc.load.json('x')",
        "RETURN db.labels()",
        "RETURN project_graph('g', ['Officer'], [])",
        "RETURN nextval('seq')",
        "RETURN drop_projected_graph('g')",
        "UNWIND [1] AS x RETURN x, clear_warnings()",
    ],
    "statements, transactions, checkpoints": [
        "RETURN 1; RETURN 2",
        "MATCH (n) RETURN n; CREATE (:Unit {uid: 'u'})",
        "RETURN 1;;",
        "CHECKPOINT",
        "checkpoint;",
        "BEGIN TRANSACTION",
        "BEGIN TRANSACTION READ ONLY",
        "COMMIT",
        "ROLLBACK",
        "EXPLAIN MATCH (n) RETURN n",
        "PROFILE MATCH (n) RETURN n",
    ],
    "extensions and databases": [
        "INSTALL json",
        "LOAD EXTENSION json",
        "ATTACH '/tmp/other.db' AS o (dbtype lbug)",
        "DETACH o",
        "USE other MATCH (n) RETURN n",
        "DROP TABLE Officer",
        "ALTER TABLE Officer ADD x INT64",
        "SHOW DATABASES",
        "CREATE USER eve SET PASSWORD 'x'",
    ],
    "parameters": [  # found by the review of this guard: a quoted parameter name carried text past it
        "WITH $`a`` AS z LOAD FROM '{f}' (file_format='csv', header=false) RETURN * //`",
        "RETURN $`a``; LOAD FROM '{f}' (file_format='csv', header=false) RETURN to_int64(column0); //`",
        "RETURN $`a``; COPY (RETURN 'pwned' AS x) TO '{f}.out.csv'; //`",
        "RETURN $`a``; CHECKPOINT; //`",
        "RETURN $`x y`",
        "RETURN $LW_S0",
        "RETURN $",
    ],
    "name positions": [  # AS as a property key is no alias keyword
        "MATCH (n:Officer) WITH n, {AS: 1} AS m WHERE 1 = m.AS SET n.surname = 'x'",
        "MATCH (n:Officer) WITH n, {AS: 1} AS m WHERE 1 = m.AS DELETE n",
        "MATCH (n) WITH n.AS AS AS LOAD FROM '{f}' RETURN *",
    ],
    "sizes": [
        "RETURN " + "(" * 2000 + "1" + ")*1" * 2000,
        "RETURN 1" + "-[1" * 2000 + "]" * 2000,
        "RETURN " + "1+" * 60_000 + "1",
        "RETURN [" * 100 + "1" + "]" * 100,
        "RETURN (1))",
    ],
    "unbounded patterns": [
        "MATCH (a)-[*]-(b) RETURN count(*)",
        "MATCH (a)-[*1..30]-(b) RETURN count(*)",
        "MATCH (a)-[:MEMBER_OF*2..]-(b) RETURN count(*)",
        "MATCH p = (a)-[r*]->(b) RETURN p",
        "MATCH p = (a)-[* SHORTEST]-(b) RETURN p",
        "MATCH p = (a)-[*..]-(b) RETURN p",
        "MATCH p = (a)-[*1..$n]-(b) RETURN p",
        "MATCH p = (a)<-[r*0..99]-(b) RETURN p",
        "MATCH p = ((a)-[]->(b))+ RETURN p",
        "MATCH p = (a)-->{1,}(b) RETURN p",
        "MATCH p = (a)--+(b) RETURN p",
        "MATCH p = (a) ((x)-->(y)){1,40} (b) RETURN p",
    ],
}
# Quoting tricks a guard that pattern-matches would read one way and the engine
# another. Here the guard reads them as the engine's lexer does, and the engine runs
# them with every string as a parameter: at worst a syntax error, never a file read.
MISREAD = [
    "RETURN 'a\\' LOAD FROM '{f}' RETURN * //",
    "RETURN 'x'' LOAD FROM '{f}' RETURN * //'",
    "RETURN \"a\\\" LOAD FROM '{f}' RETURN * //",
    "RETURN 'LOAD FROM ''{f}'' RETURN *' AS text",
]
SAFE = [
    "MATCH (o:Officer) WHERE o.surname = 'CREATE' RETURN o.uid AS uid",
    "MATCH (o:Officer)-[:MEMBER_OF*1..2]-(x) RETURN count(x) AS n",
    "MATCH (o:Officer) RETURN o.set AS s, o.load AS l  // SET and LOAD in a comment",
    "MATCH (a:Officer)-[*3]-(b) RETURN count(*) AS n",
    "MATCH (o:Officer) RETURN o.uid AS `load`, 'LOAD FROM x; CALL y()' AS text /* CREATE */",
    "MATCH (o:Officer)-[r]->(x) RETURN type(r) AS t, count(*) AS n ORDER BY t",
    "MATCH (o:Officer) RETURN o.uid AS u UNION ALL MATCH (u:Unit) RETURN u.uid AS u",
    "MATCH (o:Officer) OPTIONAL MATCH (o)-[:MEMBER_OF]->(x) RETURN o.uid, CASE WHEN x IS NULL THEN 0 ELSE 1 END AS m",
    "UNWIND [1, 2, 3] AS x RETURN [y IN range(1, x) | y * 2] AS l, (x + 1) * 2 AS d",
    "MATCH (o:Officer) WHERE o.surname STARTS WITH 'O''N' OR o.surname =~ '.*\\\\d' RETURN o.uid;",
    "RETURN 'it\\'s' AS a, \"a \\\"b\\\"\" AS b, '\\u00e9' AS c",
]


def _canary(tmp_path: Path) -> tuple[Path, str]:
    secret = f"CANARY-{uuid.uuid4().hex}"
    f = tmp_path / "canary.csv"
    f.write_text(f"{secret}:x:0:0\n{secret}:y:1:1\n")
    return f, secret


ALL_HOSTILE = [(fam, q) for fam, qs in HOSTILE.items() for q in qs]


@pytest.mark.parametrize(
    ("family", "q"), ALL_HOSTILE, ids=[f"{f}-{i}" for i, (f, _) in enumerate(ALL_HOSTILE)]
)
def test_hostile_queries_refused(family: str, q: str) -> None:
    with pytest.raises(QueryError):
        prepare_user_query(q.replace("{f}", "/etc/passwd"), max_hops=6)


@pytest.mark.parametrize("q", SAFE)
def test_safe_queries_pass(q: str) -> None:
    prepare_user_query(q, max_hops=6)


# Ladybug 0.22's grammar keywords (src/antlr4/keywords.txt of its source) and the
# statements of its grammar that are not keywords there.
LADYBUG_KEYWORDS = """ACYCLIC ANY ADD ALL ALTER AND AS ASC ASCENDING ATTACH BEGIN BY CALL CASE CAST
CHECKPOINT COLUMN COMMENT COMMIT COMMIT_SKIP_CHECKPOINT CONTAINS COPY COUNT CREATE CYCLE DATABASE
DBTYPE DEFAULT DELETE DESC DESCENDING DETACH DISTINCT DROP ELSE END ENDS EXISTS EXPLAIN EXPORT
EXTENSION FALSE FROM FORCE GLOB GRAPH GROUP HEADERS HINT IMPORT IF IN INCREMENT INSTALL IS JOIN KEY
LIMIT LOAD LOGICAL MACRO MATCH MAXVALUE MERGE MINVALUE MULTI_JOIN NO NODE NOT NONE NULL ON ONLY
OPTIONAL OR ORDER PRIMARY PROFILE PROJECT READ REL RENAME RETURN ROLLBACK ROLLBACK_SKIP_CHECKPOINT
SEQUENCE SET SHORTEST START STARTS STRUCT TABLE THEN TO TRAIL TRANSACTION TRUE TYPE UNION UNWIND
UNINSTALL UPDATE USE WHEN WHERE WITH WRITE WSHORTEST XOR SINGLE YIELD USER PASSWORD ROLE MAP
ANALYZE CSR SORTED DECIMAL PARTITION PARTITIONS""".split()


def test_every_engine_keyword_is_listed() -> None:
    """A keyword the guard does not know would pass as a name (``ANALYZE`` did)."""
    from graph.guard import READ_KEYWORDS, RESERVED

    assert [w for w in LADYBUG_KEYWORDS if w not in READ_KEYWORDS and w not in RESERVED] == []


@pytest.mark.parametrize("q", ["ANALYZE", "ANALYZE Officer;", "FOO BAR", "RETURN 1 UNION ALL ANALYZE", "(n)"])
def test_only_read_clauses_start_a_query(q: str) -> None:
    with pytest.raises(QueryError):
        prepare_user_query(q, 6)


def test_the_guard_takes_linear_time() -> None:
    """A long query the guard accepts, and deep or long ones it refuses, are read in well
    under a second (nested brackets once took the server 70 s of CPU in the guard)."""
    import time

    for q in ("RETURN " + "1 + " * 24_000 + "1", *HOSTILE["sizes"]):
        t0 = time.perf_counter()
        with contextlib.suppress(QueryError):
            prepare_user_query(q, 6)
        assert time.perf_counter() - t0 < 1.5, q[:40]


def test_strings_become_parameters_and_comments_go() -> None:
    """The engine never sees a string literal or a comment: what it runs is what the
    guard read."""
    q = prepare_user_query("MATCH (o {surname: 'a\\' LOAD FROM x'}) /* CALL */ RETURN o.uid // x", 6)
    assert q.text == "MATCH (o {surname: $lw_s0 }) RETURN o.uid"
    assert q.params == {"lw_s0": "a' LOAD FROM x"}
    assert [t.kind for t in tokenize("`a``b` $p $0 1.5e3 'x'")] == [
        "name",
        "param",
        "param",
        "number",
        "string",
    ]
    with pytest.raises(QueryError, match="reserved"):
        prepare_user_query("RETURN $lw_s0", 6)


def test_hostile_queries_read_nothing_on_either_store(store: GraphStore, tmp_path: Path) -> None:
    """Run through the store's user-query door: refused, and the canary never comes back."""
    load_fixture(store)
    canary, secret = _canary(tmp_path)
    for _family, q in ALL_HOSTILE:
        with pytest.raises(QueryError) as e:
            store.user_query(q.replace("{f}", str(canary)), {"n": 3})
        assert secret not in str(e.value)
    for q in MISREAD:
        try:
            rows = store.user_query(q.replace("{f}", str(canary)))
        except QueryError as e:
            rows = [{"error": str(e)}]
        assert secret not in json.dumps(rows, default=str)
    for q in SAFE:
        if not any(
            w in q for w in (".set", "`load`", "type(", "[y IN")
        ):  # not in the fixture, or one dialect
            store.user_query(q)
    assert store.counts()["Officer"] == 5  # nothing was written


def test_variable_length_semantics_need_the_embedded_variant(store: GraphStore) -> None:
    """Neo4j matches variable-length patterns as trails (no relationship twice); the
    embedded engine as walks (A-L1-A counts). A saved query states the embedded variant
    explicitly instead of relying on a translator."""
    load_fixture(store)
    walks = store.query(SAFE[1])[0]["n"]
    trails = store.query(
        SAFE[1],
        embedded="MATCH p = (o:Officer)-[:MEMBER_OF*1..2]-(x) WHERE is_trail(p) RETURN count(x) AS n",
    )
    # A: L1, L1-C; C: L1, L1-A; D: B1
    assert trails == [{"n": 5}]
    assert walks == (8 if store.name == "embedded" else 5)


# ---- every door ------------------------------------------------------------------------

DOOR_SAMPLE = [qs[0] for qs in HOSTILE.values()] + [qs[-1] for qs in HOSTILE.values()] + HOSTILE["backticks"]
DOOR_SAMPLE = list(dict.fromkeys(DOOR_SAMPLE))


def test_canary_never_leaves_through_any_door(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every query door (ad-hoc API, API export in each format, saving a user query
    through the API and the CLI, the CLI's ad-hoc query) refuses each family and never
    returns the canary file's content; the store is left as it was (no write-ahead log
    or shadow file beside it)."""
    settings = Settings(store="embedded", data_dir=tmp_path / "data", buffer_pool_mb=256, query_timeout_s=30)
    with open_store(settings) as st:
        load_fixture(st)
    canary, secret = _canary(tmp_path)
    tokens = make_tokens(settings)
    queries = [q.replace("{f}", str(canary)) for q in DOOR_SAMPLE]
    seen: list[str] = []
    with TestClient(create_app(settings)) as c:
        h = auth(tokens["analyst"])
        for q in queries:
            for url in (
                "/api/v1/cypher",
                *(f"/api/v1/cypher/export?format={f}" for f in ("csv", "json", "graphml")),
            ):
                r = c.post(url, json={"cypher": q, "params": {"n": 2}}, headers=h)
                seen.append(r.text)
                assert r.status_code == 400, (url, q, r.text)
            body = {"name": f"q-{uuid.uuid4().hex[:8]}", "category": "x", "description": "x", "cypher": q}
            r = c.post("/api/v1/queries", json=body, headers=h)
            seen.append(r.text)
            assert r.status_code == 400, (q, r.text)
        assert c.get("/health").status_code == 200
    monkeypatch.setenv("LINKWATCH_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("LINKWATCH_BUFFER_POOL_MB", "256")
    runner = CliRunner()
    for q in queries:
        res = runner.invoke(cli_app, ["query", "cypher", q, "--purpose", "guard test", "-p", "n=2"])
        seen.append(res.output)
        assert res.exit_code != 0, (q, res.output)
        f = tmp_path / "q.yaml"
        f.write_text(yaml.safe_dump({"name": "hostile", "category": "x", "description": "x", "cypher": q}))
        res = runner.invoke(cli_app, ["query", "save", str(f)])
        seen.append(res.output)
        assert res.exit_code != 0, (q, res.output)
    assert not any(secret in s for s in seen)
    db = settings.data_dir / "graph.lbdb"
    assert not db.with_name("graph.lbdb.wal").exists() and not db.with_name("graph.lbdb.shadow").exists()
    assert json.dumps(seen).count("not allowed") > len(queries)


def test_oversized_requests_are_refused_before_anything_reads_them(tmp_path: Path) -> None:
    settings = Settings(
        store="embedded",
        data_dir=tmp_path / "data",
        buffer_pool_mb=256,
        query_timeout_s=30,
        max_request_kb=64,
    )
    with open_store(settings) as st:
        load_fixture(st)
    h = auth(make_tokens(settings)["analyst"])
    with TestClient(create_app(settings)) as c:
        big = "RETURN " + "1+" * 40_000 + "1"
        r = c.post("/api/v1/cypher", json={"cypher": big}, headers=h)
        assert r.status_code == 413 and "larger than 64 KiB" in r.json()["detail"]

        def chunks() -> Any:
            for _ in range(100):
                yield b" " * 1024

        r = c.post("/api/v1/cypher", content=chunks(), headers={**h, "Content-Type": "application/json"})
        assert r.status_code == 413
        deep = {"cypher": "RETURN $p AS p", "params": {"p": json.loads("[" * 200 + "]" * 200)}}
        r = c.post("/api/v1/cypher", json=deep, headers=h)
        assert r.status_code == 400 and "nest deeper" in r.json()["detail"]
        assert c.get("/health").status_code == 200


def test_a_passed_text_is_kept_and_each_caller_gets_its_own_parameters() -> None:
    """The guard keeps what it found for a text it passed (a saved query runs one text
    with new parameters); what a caller adds to the parameters never reaches the next."""
    from graph.guard import _passed

    q = "MATCH (o:Officer) WHERE o.rank = 'PC' RETURN o LIMIT 3"
    first = prepare_user_query(q, max_hops=6)
    first.params["officer_id"] = "A"  # a caller adds its own
    hits = _passed.cache_info().hits
    again = prepare_user_query(q, max_hops=6)
    assert _passed.cache_info().hits == hits + 1
    assert again.params == {"lw_s0": "PC"} and again.text == first.text
    for _ in range(2):  # a refused text is refused every time
        with pytest.raises(QueryError, match="one statement at a time"):
            prepare_user_query("MATCH (o) RETURN o; MATCH (x) RETURN x", max_hops=6)


def test_a_lone_surrogate_is_refused_where_it_stands() -> None:
    """``"\\ud800"`` in a JSON body reaches the guard as a lone surrogate: refused with
    where it stands, not passed to the engine (which failed with a C++ cast message)."""
    with pytest.raises(QueryError, match=r"not text \(a lone surrogate\) at line 1, column 34"):
        prepare_user_query("MATCH (o:Officer) WHERE o.uid = '\ud800' RETURN o", max_hops=6)
