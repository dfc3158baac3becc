"""The production store: Neo4j 5 through the official ``neo4j`` Python driver.

Reads run in managed read transactions (the server refuses writes in them), writes in
managed write transactions that the driver retries on transient errors; loads go in
batches of ``batch_size`` rows through ``UNWIND $rows``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

import pandas as pd
from neo4j import Driver, GraphDatabase, ManagedTransaction, unit_of_work
from neo4j.exceptions import (
    AuthError,
    ClientError,
    CypherSyntaxError,
    ServiceUnavailable,
    TransientError,
)

from graph import cypher as cy
from graph.errors import QueryError, QueryTimeout, StoreUnavailable
from graph.model import NodeSchema, RelSchema
from graph.settings import Settings
from graph.store import GraphStore, HopStep, Walk
from graph.values import frame_records


class _OutOfMemory(Exception):
    """A query ran past the server's transaction memory cap (raised inside a unit of
    work so that the driver does not retry it)."""


class Neo4jStore(GraphStore):
    """The graph store on a Neo4j 5 server.

    Open it with :func:`graph.workspace.open_store` and ``store="neo4j"``. Opening
    checks that the server answers and creates the constraints and indexes
    (:meth:`ensure_schema`). Reads and writes go through the inherited
    :class:`~graph.store.GraphStore` methods; shortest paths use the server's own
    ``allShortestPaths``.

    Parameters
    ----------
    settings : Settings
        ``neo4j_uri``, ``neo4j_user``, ``neo4j_password``, ``neo4j_database``, the
        query timeout and the batch size.

    Attributes
    ----------
    driver : neo4j.Driver
        The driver (one per store).
    database : str
        The database used.

    Raises
    ------
    StoreUnavailable
        If no address is set, or the server cannot be reached or refuses the
        credentials.

    Notes
    -----
    Every load batch is its own transaction: :meth:`abort` cannot take back what was
    written, so a run validates everything before its first write.

    Examples
    --------
    These need a Neo4j server (they are skipped when the docs are tested):

    >>> from graph.settings import Settings
    >>> from graph.workspace import open_store
    >>> s = Settings(store="neo4j", neo4j_uri="bolt://127.0.0.1:7687", neo4j_user="neo4j",
    ...              neo4j_password="a-real-secret")
    >>> with open_store(s) as store:  # doctest: +SKIP
    ...     store.name, store.query("RETURN 1 AS ok")
    ('neo4j', [{'ok': 1}])
    """

    name = "neo4j"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        if not settings.neo4j_uri:
            raise StoreUnavailable("no Neo4j address: set LINKWATCH_NEO4J_URI")
        auth = None
        if settings.neo4j_user:
            pw = settings.neo4j_password.get_secret_value() if settings.neo4j_password else ""
            auth = (settings.neo4j_user, pw)
        self.database = settings.neo4j_database
        # The server's query notifications are not for linkwatch's users: a graph imported
        # with no retired row yet has no ``retired_at`` key, and every query that filters on
        # it would log a warning ("property key does not exist") on the console.
        self.driver: Driver = GraphDatabase.driver(
            settings.neo4j_uri, auth=auth, notifications_disabled_classifications=["UNRECOGNIZED"]
        )
        try:
            self.driver.verify_connectivity()
        except (ServiceUnavailable, AuthError, OSError) as e:
            self.driver.close()
            raise StoreUnavailable(f"cannot reach Neo4j at {settings.neo4j_uri}: {e}") from e
        self._ensured = False
        self.ensure_schema()

    def close(self) -> None:
        """Close the driver (every write was committed in its own transaction).

        Examples
        --------
        Needs a Neo4j server:

        >>> from graph.settings import Settings
        >>> store = Neo4jStore(Settings(store="neo4j", neo4j_uri="bolt://127.0.0.1:7687"))  # doctest: +SKIP
        >>> store.close()  # doctest: +SKIP
        """
        self.driver.close()

    def ensure_schema(self) -> bool:
        """Create the constraints and indexes, and wait for the indexes to come online.

        The statements of :func:`graph.cypher.neo4j_ddl`; once per handle (opening runs it).

        Returns
        -------
        bool
            Always ``False``: Neo4j is schemaless, properties need no migration.

        Examples
        --------
        Needs a Neo4j server:

        >>> from graph.settings import Settings
        >>> store = Neo4jStore(Settings(store="neo4j", neo4j_uri="bolt://127.0.0.1:7687"))  # doctest: +SKIP
        >>> store.ensure_schema()  # doctest: +SKIP
        False
        """
        if self._ensured:
            return False
        with self.driver.session(database=self.database) as s:
            # one look at what the database has, then only what it lacks: 51 statements one
            # round trip each were 2.8 s of every command's start on a 45k force's server
            have = {r["name"]: r["state"] for r in s.run("SHOW INDEXES YIELD name, state")}
            missing = [stmt for stmt in cy.neo4j_ddl(self.model) if _ddl_name(stmt) not in have]
            for stmt in missing:
                s.run(stmt).consume()
            if missing or any(state != "ONLINE" for state in have.values()):
                s.run("CALL db.awaitIndexes(300)").consume()
        self._ensured = True
        return False  # schemaless: properties need no migration

    def _errors(self, e: Exception) -> Exception:
        code = getattr(e, "code", "") or ""
        if "TransactionTimedOut" in code or "Terminated" in code:
            return QueryTimeout(f"query ran past {self.settings.query_timeout_s:g} s and was stopped")
        if isinstance(e, CypherSyntaxError):
            return QueryError(f"Cypher syntax error: {e.message}")
        if "AccessMode" in code or "ForbiddenDueToTransactionType" in code:
            return QueryError(f"the query tries to write, which is refused here: {getattr(e, 'message', e)}")
        return QueryError(str(getattr(e, "message", None) or e))

    def _read(self, cypher: str, params: dict[str, Any], max_rows: int | None = None) -> list[dict[str, Any]]:
        @unit_of_work(timeout=self.settings.query_timeout_s)
        def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
            try:
                res = tx.run(cypher, params)
                if max_rows is None:
                    return [dict(r.items()) for r in res]
                out: list[dict[str, Any]] = []
                for r in res:  # records stream in fetch-size batches; the rest are discarded
                    if len(out) >= max_rows:
                        break
                    out.append(dict(r.items()))
                return out
            except TransientError as e:
                if "MemoryPoolOutOfMemory" in (e.code or ""):  # not to be retried: it would again
                    raise _OutOfMemory(str(e.message)) from e
                raise

        try:
            with self.driver.session(database=self.database) as s:
                return s.execute_read(work)
        except ClientError as e:
            raise self._errors(e) from e
        except _OutOfMemory as e:
            raise QueryError(
                f"the query needed more memory than the server allows one transaction "
                f"(db.memory.transaction.max) and was stopped: {e}"
            ) from e

    def _write(self, cypher: str, params: dict[str, Any]) -> None:
        @unit_of_work(timeout=max(self.settings.query_timeout_s, 300))
        def work(tx: ManagedTransaction) -> None:
            tx.run(cypher, params).consume()

        try:
            with self.driver.session(database=self.database) as s:
                s.execute_write(work)
        except ClientError as e:
            raise self._errors(e) from e

    def _write_rows(self, cypher: str, df: pd.DataFrame) -> None:
        size = self.settings.batch_size
        for i in range(0, len(df), size):
            rows = frame_records(df.iloc[i : i + size])
            for r in rows:  # temporal values as ISO text; the Cypher types them
                for k, v in r.items():
                    if isinstance(v, (dt.date, dt.datetime)):
                        r[k] = v.isoformat()
            self._write(cypher, {"rows": rows})

    def _insert_nodes(self, node: NodeSchema, df: pd.DataFrame) -> None:
        self._write_rows(cy.neo4j_node_create(node), df)

    def _update_nodes(self, node: NodeSchema, df: pd.DataFrame) -> None:
        self._write_rows(cy.neo4j_node_upsert(node), df)

    def _insert_rels(self, rel: RelSchema, start: str, end: str, df: pd.DataFrame) -> None:
        self._write_rows(cy.neo4j_rel_create(rel, start, end), df)

    def _update_rels(self, rel: RelSchema, start: str, end: str, df: pd.DataFrame) -> None:
        self._write_rows(cy.neo4j_rel_upsert(rel, start, end), df)

    def _node_ref(self, var: str) -> str:
        """The element id: a later query finds any number of them, of any labels, with
        one seek (see :meth:`_nodes_by_ref`); each query is a round trip here."""
        return f"elementId({var})"

    def _rel_ref(self, var: str) -> str:
        return f"elementId({var})"

    def _nodes_by_ref(self, refs: dict[str, Any]) -> dict[str, dict[str, Any]]:
        rows = self.query("MATCH (n) WHERE elementId(n) IN $refs RETURN n", {"refs": list(refs.values())})
        return {r["n"]["id"]: r["n"] for r in rows if r["n"]["id"] in refs}

    def _edges_by_ref(self, steps: Iterable[HopStep]) -> dict[str, dict[str, Any]]:
        refs = sorted({s.rel_ref for s in steps})
        out: dict[str, dict[str, Any]] = {}
        for r in self.query("MATCH ()-[r]->() WHERE elementId(r) IN $refs RETURN r", {"refs": refs}):
            out.setdefault(f"{r['r']['type']}:{r['r']['id']}", r["r"])
        return out

    def _shortest_paths_cypher(self, a_label: str, b_label: str, pattern: str, hops: int) -> str:
        return (
            f"MATCH (a:{a_label} {{uid: $a}}) MATCH (b:{b_label} {{uid: $b}}) "
            f"MATCH p = allShortestPaths((a)-[{pattern}*..{hops}]-(b)) RETURN p"
        )

    def _nodes_and_edges_by_ref(
        self, refs: dict[str, Any], steps: list[HopStep]
    ) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
        """Both in one round trip."""
        rows = self.query(
            "MATCH (n) WHERE elementId(n) IN $nodes RETURN n, null AS r UNION ALL "
            "MATCH ()-[r]->() WHERE elementId(r) IN $rels RETURN null AS n, r",
            {"nodes": list(refs.values()), "rels": sorted({s.rel_ref for s in steps})},
        )
        nodes = {r["n"]["id"]: r["n"] for r in rows if r["n"] is not None and r["n"]["id"] in refs}
        edges: dict[str, dict[str, Any]] = {}
        for r in rows:
            if r["r"] is not None:
                edges.setdefault(f"{r['r']['type']}:{r['r']['id']}", r["r"])
        return nodes, edges

    def _shortest_walks(
        self, a: tuple[str, Any], b: tuple[str, Any], pattern: str, max_hops: int, limit: int
    ) -> list[Walk]:
        """Neo4j's own ``allShortestPaths`` (itself a bidirectional search), returning
        only uids, keys, types and element ids, sorted and cut here: one round trip
        (the breadth-first search of the base class takes one per label and direction
        and hop). Paths that tie keep the server's order, as when it returned ``p``."""
        text = self._shortest_paths_cypher(
            self.model.label_of_uid(a[0]), self.model.label_of_uid(b[0]), pattern, max_hops
        ).removesuffix("RETURN p")
        rows = self._read(
            text + "RETURN [n IN nodes(p) | n.uid] AS ns, [n IN nodes(p) | elementId(n)] AS nr, "
            "[r IN relationships(p) | type(r)] AS ts, [r IN relationships(p) | r.key] AS ks, "
            "[r IN relationships(p) | elementId(r)] AS rr",
            {"a": a[0], "b": b[0]},
        )
        rows.sort(key=lambda r: list(r["ns"]) + list(r["ks"]))
        return [
            Walk(
                tuple(r["ns"]),
                tuple(r["nr"]),
                tuple(
                    HopStep(r["ns"][i + 1], r["nr"][i + 1], t, k, ("", True), r["nr"][i], rr, {})
                    for i, (t, k, rr) in enumerate(zip(r["ts"], r["ks"], r["rr"], strict=True))
                ),
            )
            for r in rows[:limit]
        ]

    def wipe(self) -> None:
        """Delete every relationship, then every node, in batches (tests and benchmarks only).

        ``CALL { } IN TRANSACTIONS`` needs an auto-commit transaction, and deleting
        relationships first keeps each batch within a small server's transaction memory.

        The constraints and indexes stay.

        Examples
        --------
        Needs a Neo4j server (and deletes everything on it):

        >>> from graph.settings import Settings
        >>> store = Neo4jStore(Settings(store="neo4j", neo4j_uri="bolt://127.0.0.1:7687"))  # doctest: +SKIP
        >>> store.wipe()  # doctest: +SKIP
        >>> store.query("MATCH (n) RETURN count(n) AS n")  # doctest: +SKIP
        [{'n': 0}]
        """
        with self.driver.session(database=self.database) as s:
            s.run("MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS").consume()
            s.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


def _ddl_name(stmt: str) -> str | None:
    """The name a ``CREATE CONSTRAINT|INDEX name IF NOT EXISTS`` statement gives (a
    uniqueness constraint's backing index has the constraint's name).

    Examples
    --------
    >>> _ddl_name("CREATE CONSTRAINT officer_uid IF NOT EXISTS FOR (n:Officer) REQUIRE n.uid IS UNIQUE")
    'officer_uid'
    >>> _ddl_name("MATCH (n) RETURN n") is None
    True
    """
    m = re.match(r"CREATE (?:CONSTRAINT|INDEX) (\w+) IF NOT EXISTS", stmt)
    return m.group(1) if m else None
