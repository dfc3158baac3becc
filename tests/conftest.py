"""Shared fixtures: one store fixture parametrised over the embedded store and a real
Neo4j, so the same tests prove both return the same answers.

Neo4j tests need ``LINKWATCH_TEST_NEO4J_URI`` (``.ci/run`` and ``./dev test`` start a
Neo4j 5.26 test server and set it). Without it they skip with a reason, except under CI
(``CI`` set), where they fail: CI must never pass with the Neo4j tests silently skipped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.meta import ROLES, MetaStore
from graph.settings import Settings
from graph.store import GraphStore
from graph.workspace import open_store
from tests.fixture_graph import load_fixture

NEO4J_URI = os.environ.get("LINKWATCH_TEST_NEO4J_URI")
HOW = (
    "no Neo4j for tests: set LINKWATCH_TEST_NEO4J_URI, or run ./dev test with Java 17 and "
    "Maven installed (it starts a Neo4j 5.26 test server from tools/neo4j-test-server)"
)


def embedded_settings(tmp: Path) -> Settings:
    return Settings(store="embedded", data_dir=tmp / "data", buffer_pool_mb=256, query_timeout_s=30)


def neo4j_settings(tmp: Path) -> Settings:
    if not NEO4J_URI:
        if os.environ.get("CI"):
            pytest.fail("CI is set but LINKWATCH_TEST_NEO4J_URI is not: the Neo4j tests must run in CI")
        pytest.skip(HOW)
    return Settings(store="neo4j", neo4j_uri=NEO4J_URI, data_dir=tmp / "data", query_timeout_s=30)


def wipe_neo4j(store: GraphStore) -> None:
    store.wipe()  # type: ignore[attr-defined]


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    if request.param == "embedded":
        return embedded_settings(tmp_path)
    s = neo4j_settings(tmp_path)
    with open_store(s) as st:
        wipe_neo4j(st)
    return s


@pytest.fixture
def store(store_settings: Settings) -> Iterator[GraphStore]:
    with open_store(store_settings) as st:
        yield st


@pytest.fixture
def neo4j_store(tmp_path: Path) -> Iterator[GraphStore]:
    s = neo4j_settings(tmp_path)
    with open_store(s) as st:
        wipe_neo4j(st)
        yield st


def pytest_report_header(config: pytest.Config) -> str:
    if not NEO4J_URI:
        return f"neo4j: not configured, Neo4j tests will {'FAIL (CI)' if os.environ.get('CI') else 'skip'}"
    try:
        from neo4j import GraphDatabase

        with GraphDatabase.driver(NEO4J_URI, auth=None) as d:
            info = d.execute_query(
                "CALL dbms.components() YIELD name, versions, edition RETURN name, versions[0] AS v, edition"
            ).records[0]
        return f"neo4j: Neo4j tests run against {NEO4J_URI} ({info['name']} {info['v']} {info['edition']})"
    except Exception as e:  # the tests themselves will report the failure in detail
        return f"neo4j: {NEO4J_URI} not reachable ({e})"


# ---- the API's fixtures: the fixture graph on the embedded store, a token per role ------


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    s = embedded_settings(tmp_path)
    with open_store(s) as st:
        load_fixture(st)
    return s


def make_tokens(settings: Settings) -> dict[str, str]:
    """One API token per role, for users named after their role."""
    meta = MetaStore(settings.data_dir)
    try:
        return {role: meta.create_token(f"{role}-user", role).secret for role in ROLES}
    finally:
        meta.close()


def auth(token: str, purpose: str | None = "unit test", case_ref: str | None = None) -> dict[str, str]:
    h = {"Authorization": f"Bearer {token}"}
    if purpose:
        h["X-Purpose"] = purpose
    if case_ref:
        h["X-Case-Ref"] = case_ref
    return h


@pytest.fixture
def tokens(settings: Settings) -> dict[str, str]:
    return make_tokens(settings)


def masker(settings: Settings) -> Any:
    """What a look without an unmasking grant sees of the settings' data: officers by
    pseudonym (pseudonymised review, :mod:`api.ops.pseudonyms`): ``.officer(id)``,
    ``.uid(node_id)``, ``.resolve(pseudonym)``."""
    import dataclasses

    from api.ops.look import cli_look
    from api.ops.pseudonyms import Masker
    from graph.workspace import Workspace

    with Workspace(settings) as ws:
        return dataclasses.replace(Masker.for_look(ws, cli_look()), store=None)
