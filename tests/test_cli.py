"""The command line, as a user runs it."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from graph.settings import Settings
from tests.conftest import masker

runner = CliRunner()


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for k in list(os.environ):
        if k.startswith("LINKWATCH_"):
            monkeypatch.delenv(k)
    monkeypatch.setenv("LINKWATCH_BUFFER_POOL_MB", "256")
    monkeypatch.setenv("LINKWATCH_PURPOSE", "tests of the command line")  # the audit log asks why
    return tmp_path


def _top_flag_scores(output: str) -> list[float]:
    """The scores in the demo's top-flags table, in the order printed."""
    table = output.split("highest score first", 1)[1].split("└", 1)[0]
    scores = []
    for line in table.splitlines():
        cells = [c.strip() for c in line.split("│")]
        if len(cells) > 4 and re.fullmatch(r"\d\.\d\d", cells[4]):
            scores.append(float(cells[4]))
    return scores


def test_demo_end_to_end(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINKWATCH_LAUNCHER", "./dev")  # as ./dev demo runs it
    res = runner.invoke(app, ["demo", "--officers", "200", "--days", "60"])
    assert res.exit_code == 0, res.output
    # the top flags are the highest-scoring ones, highest first
    scores = _top_flag_scores(res.output)
    assert len(scores) == 10 and scores == sorted(scores, reverse=True), scores
    # next steps are printed as commands that work as printed after ./dev demo
    assert "./dev token create --user YOU --role investigator --data-dir linkwatch-data" in res.output
    assert "./dev serve --data-dir linkwatch-data" in res.output
    assert "  linkwatch " not in res.output
    flags_file = in_tmp / "linkwatch-data" / "demo" / "flags.csv"
    assert f"flags file: {Path('linkwatch-data/demo/flags.csv')}" in res.output
    rows = list(csv.DictReader(flags_file.open()))
    assert len({r["detector"] for r in rows}) >= 12  # every family finds its planted cases
    m = re.search(
        r"planted cases found: (\d+) of (\d+); flags naming a planted case: (\d+) of (\d+)", res.output
    )
    assert m, res.output
    found, cases, correct, flags = map(int, m.groups())
    assert found >= 0.9 * cases and correct >= 0.8 * flags and flags == len(rows)
    assert re.search(r"innocent look-alikes flagged: 0 of [1-9]", res.output)
    page = next((in_tmp / "linkwatch-data" / "demo").glob("officer-*.html"))
    assert f"page:       {Path('linkwatch-data/demo') / page.name}" in res.output
    assert "vis.Network" in page.read_text()
    import pandas as pd

    best = pd.read_csv(flags_file)["score"].nlargest(10).round(2).tolist()
    assert scores == best
    # run again: same flags, nothing duplicated
    monkeypatch.delenv("LINKWATCH_LAUNCHER")
    again = runner.invoke(app, ["demo", "--officers", "200", "--days", "60"])
    assert again.exit_code == 0, again.output
    assert list(csv.DictReader(flags_file.open())) == rows
    q = runner.invoke(app, ["query", "cypher", "MATCH (f:Flag) RETURN count(f) AS n", "--format", "json"])
    assert json.loads(q.output.strip().splitlines()[-1]) == {"n": len(rows)}


def test_ingest_detect_query(in_tmp: Path) -> None:
    assert runner.invoke(app, ["generate", "src", "--officers", "150", "--seed", "2"]).exit_code == 0
    res = runner.invoke(app, ["ingest", "src"])
    assert res.exit_code == 0, res.output
    assert re.search(r"total\s*│\s*\d+\s*│\s*\d+\s*│\s*0", res.output)
    res = runner.invoke(
        app, ["detect", "--out", "out/flags.jsonl", "--detector", "association.undeclared_membership"]
    )
    assert res.exit_code == 0, res.output
    lines = (in_tmp / "out" / "flags.jsonl").read_text().splitlines()
    assert lines and json.loads(lines[0])["detector"] == "association.undeclared_membership"
    res = runner.invoke(
        app,
        [
            "query",
            "cypher",
            "MATCH (o:Officer) WHERE o.officer_id IN $ids RETURN o.officer_id AS id ORDER BY id",
            "-p",
            'ids=["100001","100002"]',
            "--format",
            "csv",
        ],
    )
    assert res.exit_code == 0, res.output
    assert list(csv.reader(io.StringIO(res.output))) == [["id"], ["100001"], ["100002"]]
    res = runner.invoke(
        app,
        [
            "query",
            "cypher",
            "MATCH (o:Officer) RETURN o.officer_id AS id ORDER BY id",
            "--max-rows",
            "1",
            "--format",
            "csv",
        ],
    )
    assert res.stdout.split() == ["id", "100000"] and "only the first 1 rows were read" in res.stderr
    res = runner.invoke(
        app, ["query", "cypher", "MATCH (o:Officer {officer_id: $id}) RETURN o", "-p", "id=100001"]
    )
    assert res.exit_code == 0 and "Officer:100001" in res.output
    res = runner.invoke(app, ["page", "Officer:100001", "--out", "p.html", "--depth", "1"])
    assert res.exit_code == 0 and (in_tmp / "p.html").exists()
    # a flag is shown, assessed, shown again; both looks and the change are audited
    fid = json.loads(lines[0])["flag_id"]
    res = runner.invoke(
        app, ["flag", "assess", fid, "--status", "referred", "--note", "to the IOPC", "--case", "C-1"]
    )
    assert res.exit_code == 0 and "open → referred" in res.output, res.output
    res = runner.invoke(app, ["flag", "show", fid])
    assert res.exit_code == 0 and "status referred" in res.output and "to the IOPC" in res.output
    assert runner.invoke(app, ["flag", "assess", fid, "--status", "guilty"]).exit_code == 2
    assert "no flag with id 'nope'" in runner.invoke(app, ["flag", "show", "nope"]).output
    from graph.audit import AuditLog

    recs = [r for r in AuditLog(in_tmp / "linkwatch-data").records() if r["what"] == fid]
    assert [(r["action"], r["params"].get("status")) for r in recs] == [
        ("flag_change", "referred"),
        ("flag", None),
    ]
    # an ad-hoc query is recorded as it was sent, literals included (auditors may see them)
    q = "MATCH (o:Officer {officer_id: '100001'}) RETURN o.officer_id AS id"
    assert runner.invoke(app, ["query", "cypher", q]).exit_code == 0
    rec = [r for r in AuditLog(in_tmp / "linkwatch-data").records() if r["action"] == "query"][-1]
    assert rec["what"] == q and "'100001'" not in rec["what_redacted"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ingest", "nowhere"], "nowhere: not a folder"),
        (["query", "cypher", "MATCH (o:Officer) WHERE o.x = $x RETURN o"], "missing query parameter(s): x"),
        (["query", "cypher", "RETURN 1", "--format", "xml"], "--format must be table, csv or json"),
        (["detect", "--out", "f.csv", "--detector", "nope.nope"], "unknown detector 'nope.nope'"),
        (["query", "cypher", "RETURN 1", "--store", "neo4j"], "--store neo4j needs a server address"),
        (["query", "cypher", "RETURN 1", "--store", "sqlite"], "--store must be 'embedded' or 'neo4j'"),
        (
            ["query", "cypher", "RETURN 1", "--store", "neo4j", "--neo4j-uri", "http://x"],
            "must start with one of bolt://",
        ),
    ],
)
def test_errors_are_clear(in_tmp: Path, args: list[str], message: str) -> None:
    res = runner.invoke(app, args)
    assert res.exit_code == 2
    assert message in " ".join(res.output.split())


def test_data_dir_from_environment(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINKWATCH_DATA_DIR", str(in_tmp / "elsewhere"))
    assert runner.invoke(app, ["generate", "src", "--officers", "100"]).exit_code == 0
    assert runner.invoke(app, ["ingest", "src"]).exit_code == 0
    assert (in_tmp / "elsewhere" / "graph.lbdb").exists() and not (in_tmp / "linkwatch-data").exists()


def test_help_is_readable() -> None:
    res = runner.invoke(app, ["--help"])
    assert res.exit_code == 0
    for cmd in ("demo", "ingest", "detect", "query", "serve", "generate", "page"):
        assert cmd in res.output
    assert "--store" in runner.invoke(app, ["ingest", "--help"]).output


def test_evaluate_against_planted_truth(in_tmp: Path) -> None:
    assert runner.invoke(app, ["generate", "src", "--officers", "200", "--seed", "4"]).exit_code == 0
    assert runner.invoke(app, ["ingest", "src"]).exit_code == 0
    assert runner.invoke(app, ["detect", "--out", "flags.csv"]).exit_code == 0
    res = runner.invoke(app, ["evaluate", "src/truth.csv", "flags.csv", "--format", "csv"])
    assert res.exit_code == 0, res.output
    rows = {r["detector"]: r for r in csv.DictReader(io.StringIO(res.output))}
    um = rows["association.undeclared_membership"]
    assert int(um["cases"]) > 0 and (um["precision"], um["recall"], um["f1"]) == ("1.0", "1.0", "1.0")
    bad = runner.invoke(app, ["evaluate", "src/officers.csv", "flags.csv"])
    assert bad.exit_code == 2 and "truth file lacks column(s): detector" in " ".join(bad.output.split())


def test_looks_from_the_command_line_need_a_purpose(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`query run` and `export neo4j-import` refuse to run without a stated purpose, like
    every other look, and record it when given."""
    from graph.audit import AuditLog

    assert runner.invoke(app, ["generate", "src", "--officers", "100", "--seed", "3"]).exit_code == 0
    assert runner.invoke(app, ["ingest", "src"]).exit_code == 0
    monkeypatch.delenv("LINKWATCH_PURPOSE")
    run = ["query", "run", "officer-profile", "-p", "officer_id=100001"]
    res = runner.invoke(app, run)
    assert res.exit_code == 2 and "saved query officer-profile needs a stated purpose" in res.output
    res = runner.invoke(app, [*run, "--purpose", "complaint PSD-3", "--case", "PSD-3", "--format", "csv"])
    # officers are shown by pseudonym (pseudonymised review)
    shown = masker(Settings(data_dir=in_tmp / "linkwatch-data")).officer("100001")
    assert res.exit_code == 0 and shown in res.output and "100001" not in res.output, res.output
    exp = ["export", "neo4j-import", "bulk"]
    res = runner.invoke(app, exp)
    assert res.exit_code == 2 and "an export of the whole graph needs a stated purpose" in res.output
    assert not (in_tmp / "bulk").exists()
    res = runner.invoke(app, [*exp, "--purpose", "first load into Neo4j", "--case", "OPS-1"])
    assert res.exit_code == 0 and (in_tmp / "bulk" / "import.args").exists(), res.output
    recs = list(AuditLog(in_tmp / "linkwatch-data").records())
    done = {r["action"]: r for r in recs if r["action"] in ("saved_query", "export")}
    assert (done["saved_query"]["purpose"], done["saved_query"]["case_ref"]) == ("complaint PSD-3", "PSD-3")
    assert (done["export"]["purpose"], done["export"]["case_ref"]) == ("first load into Neo4j", "OPS-1")
    failed = [(r["what"], r["purpose"]) for r in recs if r["action"] == "failed"]
    assert failed == [("query run officer-profile", None), ("export neo4j-import bulk", None)]


def test_null_parameters_are_refused(in_tmp: Path) -> None:
    """`-p officer_id=null` is refused, naming the parameter (it was run as "None")."""
    assert runner.invoke(app, ["generate", "src", "--officers", "100", "--seed", "3"]).exit_code == 0
    assert runner.invoke(app, ["ingest", "src"]).exit_code == 0
    res = runner.invoke(app, ["query", "run", "officer-profile", "-p", "officer_id=null"])
    assert res.exit_code == 2
    assert "parameter officer_id must be string, not null" in " ".join(res.output.split())
    res = runner.invoke(
        app, ["query", "run", "co-complainants", "-p", "officer_id=100001", "-p", "min_shared=1.5"]
    )
    assert res.exit_code == 2 and "parameter min_shared must be integer (got '1.5')" in " ".join(
        res.output.split()
    )
