"""Read routing: linkwatch against Neo4j through the routing scheme ``neo4j://``.

On a cluster the driver sends write transactions to the primary and read transactions
to secondaries. The test server is a single instance, which still answers the routing
protocol (its routing table names itself for both roles), so these tests check that the
store works over ``neo4j://`` and that every read it makes is a *read* transaction: a
write slipped into a read is refused by the server, which on a cluster is what keeps
reads on secondaries safe.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from neo4j import GraphDatabase

from graph.errors import QueryError
from graph.store import RunInfo
from graph.workspace import open_store
from tests.conftest import neo4j_settings, wipe_neo4j

pytestmark = pytest.mark.neo4j


def _routing(uri: str | None) -> str:
    assert uri, "no Neo4j URI"
    scheme, rest = uri.split("://", 1)
    assert scheme in ("bolt", "neo4j"), f"unexpected test server scheme {scheme!r}"
    return "neo4j://" + rest


def test_the_driver_routes_through_the_routing_table(tmp_path: Path) -> None:
    s = neo4j_settings(tmp_path)
    uri = _routing(s.neo4j_uri)
    with GraphDatabase.driver(uri, auth=None) as d:
        d.verify_connectivity()
        rows, _, _ = d.execute_query("CALL dbms.routing.getRoutingTable({}, 'neo4j')")
    roles = {r["role"]: r["addresses"] for r in rows[0]["servers"]}
    assert {"WRITE", "READ", "ROUTE"} <= set(roles), roles


def test_store_loads_and_reads_over_neo4j_scheme(tmp_path: Path) -> None:
    s = neo4j_settings(tmp_path).model_copy(
        update={"neo4j_uri": _routing(neo4j_settings(tmp_path).neo4j_uri)}
    )
    with open_store(s) as store:
        wipe_neo4j(store)
        run = RunInfo.new("routing")
        store.load_nodes(
            "Officer", pd.DataFrame({"officer_id": ["R1", "R2"], "surname": ["Rowan", "Reed"]}), run
        )
        got = store.query("MATCH (o:Officer) RETURN o.uid AS uid ORDER BY uid")
        assert [r["uid"] for r in got] == ["Officer:R1", "Officer:R2"]
        assert store.neighbourhood(["Officer:R1"], depth=1).nodes.keys() == {"Officer:R1"}


def test_reads_are_read_transactions_so_a_write_is_refused(tmp_path: Path) -> None:
    s = neo4j_settings(tmp_path).model_copy(
        update={"neo4j_uri": _routing(neo4j_settings(tmp_path).neo4j_uri)}
    )
    with open_store(s) as store:
        wipe_neo4j(store)
        assert type(store.driver).__name__ == "Neo4jDriver"  # type: ignore[attr-defined]  # the routing driver
        with pytest.raises(QueryError, match="read access mode"):  # the server's refusal, not ours
            store.query("CREATE (n:Officer {uid: 'Officer:X'}) RETURN n.uid AS uid")
        assert store.query("MATCH (n:Officer {uid: 'Officer:X'}) RETURN count(n) AS n") == [{"n": 0}]
