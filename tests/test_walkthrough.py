"""The review walk-through of issue 14 through the API, on both stores: a flag is opened
as a case under pseudonyms, reviewed and unmasked with a reason; a misconduct assessment
is proposed by one person and signed off by a second, a conflicted third is refused;
the subject's report is produced; the subject challenges a source fact, an independent
person upholds it, the correction is applied, the detectors run again and the flag is
retired. Every step is in the subject's report (HTML and PDF) and in the audit log, and
the log verifies. (The same in a browser: tests/test_browser_walkthrough.py.)"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from api.app import create_app
from graph.audit import AuditLog
from graph.meta import MetaStore
from graph.settings import Settings
from graph.workspace import Workspace
from ingest.run import ingest_dir
from queries.detect import run_detectors
from synthetic.walkthrough import DETECTOR, LEAVE_ROW, PEOPLE, SUBJECT, write_force
from tests.conftest import auth, masker, wipe_neo4j

NAMES = ("Alex", "Example")  # the subject's names: never on a review surface before unmasking


def prepare(settings: Settings, folder: Path) -> dict[str, str]:
    """Ingest the walk-through force, run its detector, make each person's token (and an
    auditor's); the tokens by user."""
    with Workspace(settings, write=True) as ws:
        if ws.store.name == "neo4j":
            wipe_neo4j(ws.store)
        ingest_dir(ws.store, write_force(folder), settings.data_dir)
        run_detectors(ws, [DETECTOR]).write_record(settings.data_dir)
    meta = MetaStore(settings.data_dir)
    try:
        people = {**PEOPLE, "audrey": ("auditor", None)}
        return {u: meta.create_token(u, r, officer_id=o).secret for u, (r, o) in people.items()}
    finally:
        meta.close()


@pytest.fixture
def walk(store_settings: Settings, tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str], Settings]]:
    tokens = prepare(store_settings, tmp_path / "force")
    with TestClient(create_app(store_settings)) as c:
        yield c, tokens, store_settings


def ok(r: Any, status: int = 201) -> Any:
    assert r.status_code == status, r.text
    return r.json()


def pdf_text(content: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_walkthrough_through_the_api(walk: tuple[TestClient, dict[str, str], Settings]) -> None:
    c, t, settings = walk
    alias = masker(settings).officer(SUBJECT)
    assert re.fullmatch(r"Officer-[0-9A-Z]{4,}", alias)

    def h(
        user: str, case_ref: str | None = None, purpose: str = "PSD review of a rota flag"
    ) -> dict[str, str]:
        return auth(t[user], purpose, case_ref)

    # the reviewer finds the flag in the queue: under a pseudonym
    (flag,) = ok(c.get("/api/v1/flags", params={"detector": DETECTOR}, headers=h("riley")), 200)["items"]
    fid = flag["flag_id"]
    assert flag["officer_id"] == alias and not any(n in str(flag) for n in NAMES)

    # opened as a case, under pseudonyms
    case = ok(
        c.post(
            "/api/v1/cases",
            json={"flags": [fid], "notes": "overtime paid on a leave day"},
            headers=h("riley"),
        )
    )
    ref = case["case_ref"]
    assert case["subjects"] == [alias] and case["reviewer"] == "riley" and case["stage"] == "new"
    ok(c.get(f"/api/v1/flags/{fid}", headers=h("riley", ref)), 200)  # the evidence the reviewer opened

    # reviewed: moves with reasons (a move without one is refused, naming the field)
    r = c.post(f"/api/v1/cases/{ref}/transitions", json={"to": "triage"}, headers=h("riley", ref))
    assert r.status_code == 400 and r.json()["detail"].startswith("reason:")
    step = ok(
        c.post(
            f"/api/v1/cases/{ref}/transitions",
            json={"to": "triage", "reason": "pay and leave records disagree on 10 March"},
            headers=h("riley", ref),
        )
    )
    assert step["to_stage"] == "triage" and [o["what"] for o in step["opened"]] == [fid]

    # unmasked with a reason, by the assigned reviewer only
    r = c.post(f"/api/v1/cases/{ref}/unmask", json={"reason": "to see the roster"}, headers=h("pat", ref))
    assert r.status_code == 403 and "assigned reviewer" in r.json()["detail"]
    r = c.post(f"/api/v1/cases/{ref}/unmask", json={"reason": " "}, headers=h("riley", ref))
    assert r.status_code == 400 and r.json()["detail"].startswith("reason:")
    assert ok(c.get(f"/api/v1/cases/{ref}", headers=h("riley", ref)), 200)["subjects"] == [alias]
    (grant,) = ok(
        c.post(
            f"/api/v1/cases/{ref}/unmask",
            json={"reason": "to ask the duty sergeant about the day"},
            headers=h("riley", ref),
        )
    )
    assert grant["subject_id"] == SUBJECT
    seen = ok(c.get(f"/api/v1/cases/{ref}", headers=h("riley", ref)), 200)
    assert seen["subjects"] == [SUBJECT] and seen["unmasked_by"][0]["user"] == "riley"
    assert ok(c.get(f"/api/v1/cases/{ref}", headers=h("pat", ref)), 200)["subjects"] == [alias]  # per person

    ok(
        c.post(
            f"/api/v1/cases/{ref}/transitions",
            json={"to": "assessment", "reason": "no cancellation of the leave is on file"},
            headers=h("riley", ref),
        )
    )

    # a misconduct assessment: proposed by one, refused to a conflicted third, signed off by a second
    ok(
        c.post(
            f"/api/v1/cases/{ref}/decision",
            json={"outcome": "misconduct_meeting", "reason": "overtime claimed for a day of leave"},
            headers=h("riley", ref),
        )
    )
    proposed = ok(c.get(f"/api/v1/cases/{ref}", headers=h("pat", ref)), 200)
    assert proposed["outcome"] == "misconduct_meeting" and proposed["outcome_status"] == "proposed"
    assert proposed["stage"] == "assessment"
    r = c.post(f"/api/v1/cases/{ref}/signoff", json={"reason": "agreed"}, headers=h("riley", ref))
    assert r.status_code == 403  # the proposer's role may not sign off
    r = c.post(f"/api/v1/cases/{ref}/signoff", json={"reason": "agreed"}, headers=h("morgan", ref))
    assert r.status_code == 403, r.text
    refusal = r.json()["detail"]
    assert "conflict of interest" in refusal and "line-management chain" in refusal
    signed = ok(
        c.post(
            f"/api/v1/cases/{ref}/signoff",
            json={"approve": True, "reason": "the pay records support a meeting"},
            headers=h("pat", ref),
        )
    )
    assert signed["approved"] is True and signed["who"] == "pat"
    decided = ok(c.get(f"/api/v1/cases/{ref}", headers=h("riley", ref)), 200)
    assert decided["stage"] == "decided" and decided["outcome_status"] == "decided"

    # the subject's report is produced
    url = f"/api/v1/subjects/{SUBJECT}/report"
    sar = h("sam", purpose="subject access request SAR-2026-014")
    first = c.get(url, headers=sar)
    assert first.status_code == 200 and "Misconduct assessment (meeting) signed off" in first.text

    # the subject challenges a source fact; the reviewer and the line manager may not decide it
    challenge = ok(
        c.post(
            "/api/v1/challenges",
            json={
                "table": "shifts",
                "row_key": LEAVE_ROW,
                "field": "status",
                "claimed_value": "cancelled",
                "text": "I was recalled from leave that morning; the leave was never cancelled on the roster",
            },
            headers=h("alex", purpose="my challenge"),
        )
    )
    cid = challenge["challenge_id"]
    assert (
        challenge["subject_id"] == SUBJECT
        and challenge["held_value"] == "planned"
        and challenge["days_left"] == 30
    )
    decision = {"upheld": True, "reason": "the recall e-mail of 10 March shows it"}
    r = c.post(f"/api/v1/challenges/{cid}/decision", json=decision, headers=h("pat"))
    assert r.status_code == 403 and "independent of the case's reviewers" in r.json()["detail"]
    r = c.post(f"/api/v1/challenges/{cid}/decision", json=decision, headers=h("morgan"))
    assert r.status_code == 403 and "conflict of interest" in r.json()["detail"]

    # an independent person upholds it: the correction is applied, the detector re-runs, the flag retires
    upheld = ok(c.post(f"/api/v1/challenges/{cid}/decision", json=decision, headers=h("dana")))
    fix = upheld["correction"]
    assert upheld["state"] == "upheld" and fix["state"] == "applied" and fix["retired"] == [fid]
    n = fix["seq"]
    retired = ok(c.get(f"/api/v1/flags/{fid}", headers=h("riley", ref)), 200)
    assert retired["retired_at"] and retired["retired_reason"] == f"retired after correction {n}"
    assert ok(c.get("/api/v1/flags", params={"detector": DETECTOR}, headers=h("riley")), 200)["items"] == []
    after = ok(c.get(f"/api/v1/cases/{ref}", headers=h("riley", ref)), 200)
    assert after["retired_flags"] == {fid: f"retired after correction {n}"}  # the case shows it too
    ok(c.post("/ui/session", json={"token": t["riley"], "purpose": "PSD review", "case_ref": ref}), 200)
    for page in (c.get(f"/ui/flags/{fid}"), c.get(f"/ui/cases/{ref}")):
        assert page.status_code == 200 and f"retired after correction {n}" in page.text

    # every step is in the subject's report, HTML and PDF alike
    html = c.get(url, headers=sar)
    pdf = c.get(url, params={"format": "pdf"}, headers=sar)
    assert html.status_code == 200 and pdf.status_code == 200
    steps = (
        f"case opened about {SUBJECT} from flag(s) {fid}",
        "overtime paid on a leave day",
        "stage new -> triage",
        "pay and leave records disagree on 10 March",
        f"unmasked {SUBJECT}",
        "to ask the duty sergeant about the day",
        "stage triage -> assessment",
        "no cancellation of the leave is on file",
        "Misconduct assessment (meeting) proposed, then signed off",
        "overtime claimed for a day of leave",
        "pat (appropriate_authority)",
        "the pay records support a meeting",
        "line-management chain",  # the conflicted sign-off, refused
        cid,
        "I was recalled from leave that morning",
        "upheld",
        "dana (appropriate_authority)",
        "the recall e-mail of 10 March shows it",
        f"correction {n} applied to shifts row {LEAVE_ROW}, status (planned -> cancelled)",
        f"retired after correction {n}",
        "subject access request SAR-2026-014",  # the first report, among the looks
    )
    import html as htmllib

    text, printed = htmllib.unescape(re.sub(r"\s+", " ", html.text)), pdf_text(pdf.content)
    for s in steps:
        assert s in text, s
        assert squeeze(s) in squeeze(printed), s  # a PDF table cell breaks long words
    for doc in (text, printed):
        assert not any(name in doc for name in ("Manager", "Morgan", "Reviewer", "Riley Reviewer", "Casey"))

    # and in the audit log, which verifies
    recs = list(AuditLog(settings.data_dir).records())
    of_case = [(r["who"], r["action"]) for r in recs if r.get("case_ref") == ref]
    assert [a for a in of_case if a[1].startswith("case_")] == [
        ("riley", "case_open"),
        ("riley", "case_move"),
        ("riley", "case_unmask"),
        ("riley", "case_move"),
        ("riley", "case_decide"),
        ("pat", "case_signoff"),
    ]
    assert ("riley", "flag") in of_case
    failed = [r for r in recs if r["action"] == "failed"]
    assert any(r["who"] == "morgan" and r["what"].endswith(f"/cases/{ref}/signoff") for r in failed)
    assert {r["who"] for r in failed if r["what"].endswith(f"/challenges/{cid}/decision")} == {
        "pat",
        "morgan",
    }
    acts = {(r["who"], r["action"]) for r in recs}
    assert {
        ("sam", "subject_report"),
        ("alex", "challenge_lodge"),
        ("dana", "challenge_decide"),
        ("dana", "correction"),
        ("dana", "detect_after_correction"),
    } <= acts
    unmasked = next(r for r in recs if r["action"] == "case_unmask")
    assert unmasked["params"]["reason"] == "to ask the duty sergeant about the day"
    verified = ok(c.get("/api/v1/audit/verify", headers=h("audrey", purpose="audit check")), 200)
    assert verified["ok"] is True and verified["problems"] == []
    with Workspace(settings) as ws:
        assert ws.audit.verify().ok


def test_failed_case_and_challenge_commands_are_audited(tmp_path: Path) -> None:
    """A refused ``linkwatch case …`` / ``challenge …`` / ``subject-report`` is a look too:
    recorded as ``failed`` with the command, its case, its options and the error."""
    from typer.testing import CliRunner

    from api.cli import app
    from tests.conftest import embedded_settings

    s = embedded_settings(tmp_path)
    prepare(s, tmp_path / "force")
    common = ["--data-dir", str(s.data_dir), "--purpose", "weekly review"]
    runner = CliRunner()
    tries = [
        ["case", "move", "RC-2026-0042", "--to", "triage", "--reason", "x", "--officer-id", "R1"],
        ["case", "open", "--flag", "no-such-flag", "--officer-id", "R1"],
        ["case", "list", "--stage", "nowhere"],
        [
            "challenge",
            "lodge",
            "--subject",
            SUBJECT,
            "--table",
            "shifts",
            "--row",
            "SH99",
            "--field",
            "status",
            "--value",
            "cancelled",
            "--text",
            "not me",
        ],
        ["challenge", "decide", "CH-2026-0042", "--uphold", "--reason", "x", "--officer-id", "D1"],
        ["subject-report", "ZZ9"],
    ]
    for args in tries:
        r = runner.invoke(app, [*args, *common])
        assert r.exit_code == 2, (args, r.output)
    with Workspace(s) as ws:
        failed = [r for r in ws.audit.records() if r["action"] == "failed"]
        assert ws.audit.verify().ok
    assert [r["what"] for r in failed] == [
        "case move RC-2026-0042",
        "case open",
        "case list",
        "challenge lodge",
        "challenge decide CH-2026-0042",
        "subject-report ZZ9",
    ]
    move, opened, listed, lodged, decided, report = failed
    assert move["case_ref"] == "RC-2026-0042" and "no review case" in move["error"]
    assert move["params"]["officer_id"] == "R1" and move["params"]["reason"] == "x"
    assert opened["error"].startswith("flags: no flag") and listed["error"].startswith("stage:")
    assert "SH99" in lodged["error"] and lodged["params"]["row"] == "SH99"
    assert "CH-2026-0042" in decided["error"] and report["params"]["officer_id"] == "ZZ9"
    assert all(r["purpose"] == "weekly review" and r["status"] == "error" for r in failed)
