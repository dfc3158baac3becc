"""The subject's access report: what is held and said about one officer, who looked and
why, other people redacted, in HTML and PDF with the same content. On both stores."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from api.app import create_app
from api.ops.flags import show
from api.ops.look import Look
from api.ops.subject_report import build_report, pseudonymiser, to_html, to_pdf
from graph.errors import NodeNotFound
from graph.meta import Principal
from graph.settings import Settings
from graph.workspace import Workspace
from queries.detect import detector_version, run_detectors
from tests.conftest import auth, wipe_neo4j
from tests.test_corrections import DETECTOR, correct_leave, current_flags, ingest, tiny_force

SECTIONS = (
    "About this report",
    "The data held about you",
    "Flags raised about you",
    "Corrections to your data",
    "Who looked at your data and why",
    "How to challenge",
)
OTHERS = ("Casey", "Sample", "Morgan", "Manager")  # the other officers' names
IVY = Principal("ivy", "investigator")
SAM = Look(Principal("sam", "subject_access"), "subject access request SAR-7", None, via="api")


@pytest.fixture
def force(store_settings: Settings, tmp_path: Path) -> Settings:
    with Workspace(store_settings, write=True) as ws:
        if ws.store.name == "neo4j":
            wipe_neo4j(ws.store)
    ingest(store_settings, tiny_force(tmp_path / "src"))
    with Workspace(store_settings, write=True) as ws:
        run_detectors(ws, [DETECTOR]).write_record(store_settings.data_dir)  # as `linkwatch detect`
        flags = current_flags(ws)
        show(ws, Look(IVY, "checking the March rota", "RC-9"), flags["A1"])
        show(ws, Look(IVY, "a look at someone else", "RC-10"), flags["C1"])
        ws.meta.assess(flags["A1"], "under_review", "asked the duty inspector", IVY)
        correct_leave(ws)
    return store_settings


def test_report_says_everything_and_names_no_one_else(force: Settings) -> None:
    with Workspace(force) as ws:
        report = build_report(ws, SAM, "A1")
        m1 = pseudonymiser(ws)("M1")
        html = to_html(report)
        pdf = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(to_pdf(report))).pages)
        audit = list(ws.audit.records())
    text = report.text()
    assert report.subject.startswith("Alex Example")
    for doc in (text, html, re.sub(r"\s+", " ", pdf)):
        for title in SECTIONS:
            assert title in doc
        assert "retired after correction 1" in doc  # the flag the correction retired
        assert "checking the March rota" in doc and "RC-9" in doc  # who looked and why
        assert "a look at someone else" not in doc  # a look at another officer's flag
        assert "asked the duty inspector" in doc  # the assessment
        assert m1 in doc  # the manager who approved the overtime, as a pseudonym
        for name in OTHERS:
            assert name not in doc, name
        assert not re.search(r"\b(M1|C1)\b", doc)
    assert f"Detector version | {detector_version(DETECTOR)}" in text
    assert "status: cancelled" in text and "corrected by correction 1 (the source said planned)" in text
    assert "Known innocent explanations" in text and "No review case concerns you." in text
    produced = [r for r in audit if r["action"] == "subject_report"]
    assert produced and produced[-1]["officer_id"] == "A1" and produced[-1]["who"] == "sam"


def test_report_of_an_unknown_officer(force: Settings) -> None:
    with Workspace(force) as ws, pytest.raises(NodeNotFound, match="ZZ9"):
        build_report(ws, SAM, "ZZ9")


def test_report_through_the_api(settings: Settings, tokens: dict[str, str]) -> None:
    with TestClient(create_app(settings)) as c:
        url = "/api/v1/subjects/A/report"
        r = c.get(url, params={"format": "pdf"}, headers=auth(tokens["subject_access"], "SAR-8"))
        assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
        assert "Flags raised about you" in "".join(
            p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages
        )
        r = c.get(url, headers=auth(tokens["subject_access"], "SAR-8"))
        assert r.status_code == 200 and "Who looked at your data and why" in r.text
        assert c.get(url, headers=auth(tokens["investigator"], "SAR-8")).status_code == 403
        assert c.get(url, headers=auth(tokens["subject_access"], None)).status_code == 400
        r = c.get(url, params={"format": "doc"}, headers=auth(tokens["subject_access"]))
        assert r.status_code == 400 and "format" in r.text
        assert c.get("/api/v1/subjects/ZZ9/report", headers=auth(tokens["subject_access"])).status_code == 404


def test_command_line(tmp_path: Path) -> None:
    """``linkwatch correction apply|list`` and ``linkwatch subject-report`` on the embedded store."""
    from typer.testing import CliRunner

    from api.cli import app
    from tests.conftest import embedded_settings

    s = embedded_settings(tmp_path)
    ingest(s, tiny_force(tmp_path / "src"))
    with Workspace(s, write=True) as ws:
        run_detectors(ws, [DETECTOR])
    runner = CliRunner()
    common = ["--data-dir", str(s.data_dir), "--purpose", "subject access request SAR-9"]
    r = runner.invoke(
        app,
        [
            "correction",
            "apply",
            "shifts",
            "SH1",
            "status",
            "cancelled",
            "--reason",
            "recalled",
            "--evidence",
            "email",
            *common,
        ],
    )
    assert r.exit_code == 0, r.output
    assert "correction 1" in r.output and "roster.overtime_overlap:" in r.output
    r = runner.invoke(app, ["correction", "list", "--format", "json", *common])
    assert r.exit_code == 0 and '"status": "applied"' in r.output
    r = runner.invoke(
        app,
        [
            "correction",
            "apply",
            "shifts",
            "SH99",
            "status",
            "cancelled",
            "--reason",
            "x",
            "--evidence",
            "y",
            *common,
        ],
    )
    assert r.exit_code != 0 and "SH99" in r.output
    dest = tmp_path / "report.pdf"
    r = runner.invoke(app, ["subject-report", "A1", "--format", "pdf", "--out", str(dest), *common])
    assert r.exit_code == 0, r.output
    text = "".join(p.extract_text() for p in PdfReader(dest).pages)
    assert "retired after correction 1" in text and "Casey" not in text


def test_case_history_and_challenges_are_read_when_their_tables_exist(tmp_path: Path) -> None:
    """The seams to the review cases and challenges (tables made by the cases work; here
    only the columns the report reads): empty without the tables, each step with them."""
    import sqlite3

    from api.ops.subject_report import case_history, challenges
    from graph.meta import MetaStore

    meta = MetaStore(tmp_path)
    assert case_history(meta, "A1", ["F1"]) == [] and challenges(meta, "A1") == []
    with sqlite3.connect(meta.path) as con:
        con.executescript(
            """CREATE TABLE review_cases (case_ref TEXT PRIMARY KEY);
            CREATE TABLE case_links (case_ref TEXT, kind TEXT, item TEXT);
            CREATE TABLE case_transitions (case_ref TEXT, from_stage TEXT, to_stage TEXT, who TEXT, role TEXT,
                                           reason TEXT, at TEXT);
            CREATE TABLE case_decisions (case_ref TEXT, outcome TEXT, explanation TEXT, state TEXT, who TEXT,
                                         role TEXT, reason TEXT, at TEXT);
            CREATE TABLE challenges (challenge_id TEXT, subject_id TEXT, against TEXT, flag_id TEXT,
                source_table TEXT, row_key TEXT, field TEXT, text TEXT, lodged_at TEXT, due_date TEXT, state TEXT,
                decided_at TEXT, decision_reason TEXT, correction TEXT);
            INSERT INTO case_links VALUES ('RC-1', 'flag', 'F1'), ('RC-2', 'subject', 'B2');
            INSERT INTO case_transitions VALUES ('RC-1', 'new', 'triage', 'ivy', 'investigator', 'rota checked', '2026-01-02'),
                                                ('RC-2', 'new', 'triage', 'ivy', 'investigator', 'not about A1', '2026-01-02');
            INSERT INTO case_decisions VALUES ('RC-1', 'no_further_action', 'source data wrong', 'final', 'ann',
                                               'appropriate_authority', 'leave was approved', '2026-01-03');
            INSERT INTO challenges VALUES ('CH-1', 'A1', 'fact', NULL, 'shifts', 'SH1', 'status', 'I was recalled',
                '2026-01-01', '2026-02-01', 'upheld', '2026-01-03', 'the recall email shows it', '1');"""
        )
    steps = case_history(meta, "A1", ["F1"])
    assert [(s[0], s[2]) for s in steps] == [
        ("RC-1", "stage new -> triage"),
        ("RC-1", "outcome no_further_action (final)"),
    ]
    assert steps[1][4] == "leave was approved: source data wrong"
    (ch,) = challenges(meta, "A1")
    assert ch[0] == "CH-1" and ch[1] == "shifts row SH1, status: I was recalled" and ch[4] == "upheld"
    assert "correction 1" in ch[5]
    meta.close()
