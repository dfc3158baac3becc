"""The user-query guard, against a corpus of hostile queries, and on both stores."""

from __future__ import annotations

import pytest

from graph.errors import QueryError
from graph.guard import check_user_query
from graph.store import GraphStore
from tests.fixture_graph import load_fixture

HOSTILE = [
    "CREATE (n:Officer {uid: 'x'})",
    "MATCH (n) DETACH DELETE n",
    "MATCH (n:Officer) SET n.rank = 'X'",
    "MATCH (n:Officer) REMOVE n.rank",
    "MERGE (n:Unit {uid: 'u'})",
    "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row",
    "load csv from 'http://example.org/x.csv' as r return r",
    "LOAD FROM '/etc/passwd' RETURN *",
    "COPY Officer FROM '/tmp/x.csv'",
    "CALL apoc.load.json('http://example.org') YIELD value RETURN value",
    "CALL dbms.components()",
    "MATCH (a)-[*]-(b) RETURN count(*)",
    "MATCH (a)-[*1..30]-(b) RETURN count(*)",
    "MATCH (a)-[:MEMBER_OF*2..]-(b) RETURN count(*)",
    "MATCH p = (a)-[r*]->(b) RETURN p",
    "MATCH (a) FOREACH (x IN [1] | CREATE (:Unit))",
    "DROP TABLE Officer",
    "ATTACH '/tmp/other.db' AS o (dbtype lbug)",
    "MATCH (a) WITH a /* hidden */ CREATE (b)",
]
SAFE = [
    "MATCH (o:Officer) WHERE o.surname = 'CREATE' RETURN o.uid AS uid",
    "MATCH (o:Officer)-[:MEMBER_OF*1..2]-(x) RETURN count(x) AS n",
    "MATCH (o:Officer) RETURN o.set AS s, o.load AS l  // SET and LOAD in a comment",
    "MATCH (a:Officer)-[*3]-(b) RETURN count(*) AS n",
]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries_refused(q: str) -> None:
    with pytest.raises(QueryError):
        check_user_query(q, max_hops=6)


@pytest.mark.parametrize("q", SAFE)
def test_safe_queries_pass(q: str) -> None:
    check_user_query(q, max_hops=6)


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
