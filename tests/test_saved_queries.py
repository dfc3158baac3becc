"""The saved-query library: every file parses and validates, ids and names are unique,
declared and used parameters match, and every query runs on both stores against the
fixture graph with its example parameters."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from api.cli import app
from graph.errors import QueryError, UnknownName
from graph.store import GraphStore
from queries.saved import LIBRARY, SavedQuery, get, library, load_file, run, validate
from tests.fixture_graph import load_fixture

FILES = sorted(LIBRARY.glob("*.yaml"))


def test_the_library_has_files_and_the_detector_queries() -> None:
    lib = library()
    assert len(FILES) >= 10
    assert {q.name for q in lib.values() if q.category == "detector"} >= {
        "detector.association.undeclared_membership",
        "detector.association.undeclared_link",
    }
    assert len({q.id for q in lib.values()}) == len(lib)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_file_is_valid(path: Path) -> None:
    q = load_file(path)
    assert validate(q) == []
    assert q.name == path.stem  # one file per query, named after it
    assert q.description and q.category and q.revision >= 1
    assert all(p.example is not None or not p.required for p in q.parameters)
    # the export format reads back as the same query
    assert SavedQuery.from_dict(yaml.safe_load(yaml.safe_dump(q.to_dict())), source=q.source) == q


def test_validation_catches_mistakes() -> None:
    base = {"id": "T-1", "name": "t", "category": "c", "description": "d", "revision": 1, "result": "table"}
    q = SavedQuery.from_dict({**base, "cypher": "MATCH (o:Officer {officer_id: $id}) RETURN o"})
    assert validate(q) == ["cypher uses undeclared parameter(s) id"]
    q = SavedQuery.from_dict({**base, "parameters": [{"name": "x", "type": "string"}], "cypher": "RETURN 1"})
    assert validate(q) == ["cypher does not use declared parameter(s) x"]
    q = SavedQuery.from_dict({**base, "result": "chart", "cypher": "MATCH (o) DETACH DELETE o"})
    problems = validate(q)
    assert problems[0].startswith("result must be one of") and "write" in problems[1]
    with pytest.raises(QueryError, match="missing field"):
        SavedQuery.from_dict({"id": "x"})


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / f"{name}.yaml").write_text(
            yaml.safe_dump(
                {
                    "id": "DUP",
                    "name": name,
                    "category": "c",
                    "description": "d",
                    "revision": 1,
                    "result": "count",
                    "cypher": "MATCH (o:Officer) RETURN count(*) AS count",
                }
            )
        )
    with pytest.raises(QueryError, match="id 'DUP' is used twice"):
        library(tmp_path)


def test_parameters_are_typed_and_checked() -> None:
    q = get("organisation-members")
    assert q.bind({"org_id": "L1", "min_score": "0.95"}) == {"org_id": "L1", "min_score": 0.95}
    assert q.bind({"org_id": "L1"})["min_score"] == 0.9
    with pytest.raises(QueryError, match=r"org_id \(string\) is required"):
        q.bind({})
    with pytest.raises(QueryError, match="unknown parameter"):
        q.bind({"org_id": "L1", "colour": "red"})
    with pytest.raises(QueryError, match="min_score must be float"):
        q.bind({"org_id": "L1", "min_score": "high"})
    with pytest.raises(UnknownName, match="no saved query"):
        get("nope")


def test_every_query_runs_on_the_store(store: GraphStore) -> None:
    load_fixture(store)
    for q in library().values():
        res = run(store, q, q.examples())
        if q.result == "count":
            assert len(res.rows) == 1
    assert [r["officer_id"] for r in run(store, get("organisation-members"), {"org_id": "L1"}).rows] == [
        "A",
        "C",
    ]
    prof = run(store, get("officer-profile"), {"officer_id": "A"}).rows
    assert prof[0]["surname"] == "Ash" and prof[0]["unit"] == "Response" and prof[0]["flags"] == 0
    sg = run(store, get("officer-unit-network"), {"officer_id": "A"}).subgraph()
    assert set(sg.nodes) == {"Officer:A", "Unit:U1", "Organisation:L1"}
    assert {e["type"] for e in sg.edges.values()} == {"IN_UNIT", "MEMBER_OF"}
    assert run(store, get("open-flags"), {}).count == 0


def test_cli_query_run_list_show(tmp_path: Path) -> None:
    from graph.workspace import open_store
    from tests.conftest import embedded_settings

    s = embedded_settings(tmp_path)
    with open_store(s) as st:
        load_fixture(st)
    runner = CliRunner()
    d = ["--data-dir", str(s.data_dir)]
    res = runner.invoke(
        app,
        [
            "query",
            "run",
            "--purpose",
            "saved-query test",
            "organisation-members",
            "-p",
            "org_id=L1",
            "--format",
            "csv",
            *d,
        ],
    )
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[0].startswith("officer_id,") and len(res.output.splitlines()) == 3
    res = runner.invoke(app, ["query", "run", "--purpose", "saved-query test", "LW-0009", *d])
    assert res.exit_code == 0 and "open-flags: 0" in res.output
    res = runner.invoke(app, ["query", "run", "--purpose", "saved-query test", "organisation-members", *d])
    assert res.exit_code == 2 and "org_id (string) is required" in res.output
    assert "officer-profile" in runner.invoke(app, ["query", "list", "--format", "csv"]).output
    shown = runner.invoke(app, ["query", "show", "officer-flags"]).output
    assert yaml.safe_load(shown)["id"] == "LW-0002"


def test_cli_user_queries_and_tokens(tmp_path: Path) -> None:
    """A user's query file is imported, listed, run, revised, exported and deleted from
    the command line; tokens are made (printed once), listed (never the secret) and
    revoked. Each change is in the audit log."""
    from graph.audit import AuditLog
    from graph.meta import MetaStore
    from graph.workspace import open_store
    from tests.conftest import embedded_settings, masker

    s = embedded_settings(tmp_path)
    with open_store(s) as st:
        load_fixture(st)
    runner = CliRunner()
    d = ["--data-dir", str(s.data_dir)]
    body = {
        "id": "X-1",
        "name": "pcs-in-unit",
        "category": "people",
        "description": "Constables of one unit",
        "result": "table",
        "parameters": [{"name": "unit", "type": "string", "example": "U1"}],
        "cypher": "MATCH (o:Officer {rank: 'PC'})-[:IN_UNIT]->(u:Unit {unit_id: $unit}) RETURN o.officer_id AS id",
    }
    f = tmp_path / "q.yaml"
    f.write_text(yaml.safe_dump(body))
    res = runner.invoke(app, ["query", "save", str(f), "--share-role", "investigator", *d])
    assert res.exit_code == 0 and "revision 1" in res.output, res.output
    listed = runner.invoke(app, ["query", "list", "--format", "csv", *d]).output
    assert "pcs-in-unit" in listed and "role:investigator" in listed
    res = runner.invoke(
        app,
        [
            "query",
            "run",
            "--purpose",
            "saved-query test",
            "pcs-in-unit",
            "-p",
            "unit=U1",
            "--format",
            "csv",
            *d,
        ],
    )
    assert res.exit_code == 0 and res.output.split() == ["id", masker(s).officer("B")], res.output
    body["description"] = "Constables of one unit (revised)"
    f.write_text(yaml.safe_dump(body))
    assert "revision 2" in runner.invoke(app, ["query", "save", str(f), *d]).output
    hist = runner.invoke(app, ["query", "history", "pcs-in-unit", *d]).output
    assert "(revised)" in hist and hist.count("Constables") == 2
    out_file = tmp_path / "exported.yaml"
    assert runner.invoke(app, ["query", "show", "pcs-in-unit", "--out", str(out_file), *d]).exit_code == 0
    exported = yaml.safe_load(out_file.read_text())
    assert exported["revision"] == 2 and exported["cypher"].strip() == body["cypher"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({**body, "name": "bad", "cypher": "MATCH (o) DELETE o"}))
    res = runner.invoke(app, ["query", "save", str(bad), *d])
    assert res.exit_code == 2 and "does not use declared parameter(s) unit" in res.output
    assert runner.invoke(app, ["query", "delete", "pcs-in-unit", *d]).exit_code == 0
    assert (
        runner.invoke(app, ["query", "run", "--purpose", "saved-query test", "pcs-in-unit", *d]).exit_code
        == 2
    )
    # tokens
    made = runner.invoke(app, ["token", "create", "--user", "ann", "--role", "auditor", *d])
    assert made.exit_code == 0
    secret = made.stdout.strip().splitlines()[-1]
    meta = MetaStore(s.data_dir)
    who = meta.authenticate(secret)
    assert who is not None and (who.user, who.role) == ("ann", "auditor")
    listed = runner.invoke(app, ["token", "list", *d]).output
    assert "ann" in listed and secret not in listed
    assert runner.invoke(app, ["token", "create", "--user", "x", "--role", "boss", *d]).exit_code == 2
    assert runner.invoke(app, ["token", "revoke", who.token_id or "", *d]).exit_code == 0
    assert meta.authenticate(secret) is None
    meta.close()
    acts = [r["action"] for r in AuditLog(s.data_dir).records()]
    assert acts == [
        "query_save",
        "saved_query",
        "query_update",
        "query_delete",
        "failed",  # running the deleted query: a failed look is still a look
        "token_create",
        "token_revoke",
    ]
