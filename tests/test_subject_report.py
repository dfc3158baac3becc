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


def test_case_history_and_challenges_are_read_when_their_tables_exist(
    store_settings: Settings, tmp_path: Path
) -> None:
    """The report reads the review cases and challenges through their operations (the
    review store): empty before any, then each case's opening, moves with their reasons,
    decision, sign-off and unmasking, and each challenge's state, decision and the
    correction it made (and the flag it retired). On both stores."""
    from api.ops import cases, challenges
    from api.ops.subject_report import case_history
    from api.ops.subject_report import challenges as challenge_rows
    from synthetic.walkthrough import DETECTOR as WALK
    from synthetic.walkthrough import LEAVE_ROW, PEOPLE, SUBJECT, write_force

    with Workspace(store_settings, write=True) as ws:
        if ws.store.name == "neo4j":
            wipe_neo4j(ws.store)
    ingest(store_settings, write_force(tmp_path / "walk"))
    with Workspace(store_settings, write=True) as ws:
        run_detectors(ws, [WALK])
        (fid,) = current_flags(ws).values()
        assert case_history(ws, SUBJECT, [fid]) == [] and challenge_rows(ws, SUBJECT) == []

        def look(user: str) -> Look:
            role, officer = PEOPLE[user]
            return Look(Principal(user, role, officer_id=officer), "walk-through", None, via="api")

        ref = cases.open_case(ws, look("riley"), subjects=[], flags=[fid], notes="overtime on leave")[
            "case_ref"
        ]
        cases.move(ws, look("riley"), ref, "triage", "rota and pay records disagree")
        cases.unmask(ws, look("riley"), ref, "to ask the duty sergeant about the day")
        cases.move(ws, look("riley"), ref, "assessment", "no leave cancellation on file")
        cases.decide(
            ws, look("riley"), ref, outcome="misconduct_meeting", reason="claimed pay while on leave"
        )
        cases.sign_off(ws, look("pat"), ref, approve=True, reason="the pay records support it")
        ch = challenges.lodge(
            ws,
            look("alex"),
            text="I was recalled from leave that day",
            table="shifts",
            row_key=LEAVE_ROW,
            field="status",
            claimed_value="cancelled",
        )
        challenges.decide(
            ws, look("dana"), ch["challenge_id"], upheld=True, reason="the recall email shows it"
        )
        steps = case_history(ws, SUBJECT, [fid])
        (row,) = challenge_rows(ws, SUBJECT)
    assert {s[0] for s in steps} == {ref}
    what = [s[2] for s in steps]
    assert what[0].startswith(f"case opened about {SUBJECT} from flag(s) {fid}; reviewer riley")
    assert steps[0][3] == "riley (investigator)" and steps[0][4] == "overtime on leave"
    by_what = {s[2].split(";")[0]: s for s in steps}
    assert by_what["stage new -> triage"][4] == "rota and pay records disagree"
    assert by_what["stage triage -> assessment"][3] == "riley (investigator)"
    assert (
        by_what["outcome Misconduct assessment (meeting) proposed, then signed off"][4]
        == "claimed pay while on leave"
    )
    signed = by_what["Misconduct assessment (meeting) signed off"]
    assert signed[3] == "pat (appropriate_authority)" and signed[4] == "the pay records support it"
    unmasked = by_what[f"unmasked {SUBJECT}"]
    assert unmasked[3] == "riley" and unmasked[4] == "to ask the duty sergeant about the day"
    assert by_what[f"flag {fid} retired after correction 1"]
    assert [s[1] for s in steps] == sorted(s[1] for s in steps)  # oldest first
    assert row[0] == ch["challenge_id"] and row[4] == "upheld"
    assert (
        row[1]
        == "shifts row SH1, status (held: planned; claimed: cancelled): I was recalled from leave that day"
    )
    assert row[2].endswith("by alex (investigator)")
    assert "by dana (appropriate_authority)" in row[5] and "the recall email shows it" in row[5]
    assert (
        f"correction 1 applied to shifts row SH1, status (planned -> cancelled); flag(s) {fid} retired"
        in row[5]
    )
