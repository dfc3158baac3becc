"""The audit trail: every look from the command line is recorded with who, why and how
much came back, and the hash chain shows any edited, deleted or cut-off record."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from graph.audit import AuditLog, strip_literals
from graph.store import open_store
from tests.conftest import embedded_settings
from tests.fixture_graph import load_fixture

runner = CliRunner()


def _log(tmp_path: Path, n: int = 5) -> AuditLog:
    log = AuditLog(tmp_path)
    for i in range(n):
        log.record(who="ann", role="analyst", action="query", what=f"q{i}", purpose="review", result_size=i)
    return log


def test_chain_verifies_and_links(tmp_path: Path) -> None:
    log = _log(tmp_path)
    v = log.verify()
    assert v.ok and v.records == 5 and v.problems == []
    recs = list(log.records())
    assert [r["seq"] for r in recs] == [1, 2, 3, 4, 5]
    assert all(b["prev"] == a["hash"] for a, b in itertools.pairwise(recs))


def test_an_edited_record_is_found(tmp_path: Path) -> None:
    log = _log(tmp_path)
    lines = log.path.read_text().splitlines()
    rec = json.loads(lines[2])
    rec["purpose"] = "something else"
    lines[2] = json.dumps(rec, sort_keys=True)
    log.path.write_text("\n".join(lines) + "\n")
    v = log.verify()
    assert not v.ok and v.problems == ["line 3: record 3 was changed after it was written"]


def test_a_deleted_record_is_found(tmp_path: Path) -> None:
    log = _log(tmp_path)
    lines = log.path.read_text().splitlines()
    del lines[1]
    log.path.write_text("\n".join(lines) + "\n")
    v = log.verify()
    assert not v.ok
    assert v.problems[0] == "line 2: record 3 follows record 1 (records 2..2 are missing or out of order)"
    assert "does not point at the record before it" in v.problems[1]


def test_records_cut_off_the_end_are_found(tmp_path: Path) -> None:
    log = _log(tmp_path)
    lines = log.path.read_text().splitlines()
    log.path.write_text("\n".join(lines[:3]) + "\n")
    v = log.verify()
    assert not v.ok and "ends at record 3 but the head says record 5" in v.problems[0]


def test_literals_are_stripped() -> None:
    assert strip_literals('MATCH (p:Person {surname: "O\'Neil"}) RETURN p.age + 1, $x') == (
        "MATCH (p:Person {surname: ?}) RETURN p.age + ?, $x"
    )


def test_cli_looks_are_recorded_and_need_a_purpose(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LINKWATCH_PURPOSE", raising=False)
    monkeypatch.setenv("LINKWATCH_USER", "ann.analyst")
    s = embedded_settings(tmp_path)
    with open_store(s) as st:
        load_fixture(st)
    d = ["--data-dir", str(s.data_dir)]
    q = ["query", "cypher", "MATCH (o:Officer {surname: 'Ash'}) RETURN o.officer_id AS id", *d]
    res = runner.invoke(app, q)
    assert res.exit_code == 2 and "an ad-hoc query needs a stated purpose" in res.output
    res = runner.invoke(app, [*q, "--purpose", "complaint PSD-7 review", "--case", "PSD-7"])
    assert res.exit_code == 0, res.output
    page = ["page", "Officer:A", "--out", str(tmp_path / "a.html"), *d]
    assert "needs a stated purpose" in runner.invoke(app, page).output
    assert runner.invoke(app, [*page, "--purpose", "PSD-7"]).exit_code == 0
    res = runner.invoke(app, ["query", "run", "organisation-members", "-p", "org_id=L1", *d])
    assert res.exit_code == 0, res.output
    recs = list(AuditLog(s.data_dir).records())
    assert [(r["action"], r["who"], r["role"]) for r in recs] == [
        ("query", "ann.analyst", "cli"),
        ("page", "ann.analyst", "cli"),
        ("saved_query", "ann.analyst", "cli"),
    ]
    assert recs[0]["what"] == "MATCH (o:Officer {surname: ?}) RETURN o.officer_id AS id"
    assert (recs[0]["purpose"], recs[0]["case_ref"], recs[0]["result_size"]) == (
        "complaint PSD-7 review",
        "PSD-7",
        1,
    )
    assert recs[1]["what"] == "Officer:A" and recs[1]["result_size"] >= 2
    assert recs[2]["what"].startswith("LW-0004 organisation-members") and recs[2]["params"]["org_id"] == "L1"
    ok = runner.invoke(app, ["audit", "verify", *d])
    assert ok.exit_code == 0 and "3 records, hash chain unbroken" in ok.output
    shown = runner.invoke(app, ["audit", "show", "--format", "json", *d])
    assert [json.loads(x)["seq"] for x in shown.output.strip().splitlines()] == [1, 2, 3]
    log = AuditLog(s.data_dir)
    log.path.write_text(log.path.read_text().replace("PSD-7 review", "routine"))
    bad = runner.invoke(app, ["audit", "verify", *d])
    assert bad.exit_code == 1 and "line 1: record 1 was changed after it was written" in bad.output
