"""The review walk-through of issue 14 in a real browser (Playwright driving Debian's
Chromium, as tests/test_browser.py), against `linkwatch serve` over the hand-made force
of :mod:`synthetic.walkthrough`: each person signs in with their own token.

The reviewer opens the flag as a case from its page (the subject under a pseudonym),
moves it with reasons, unmasks the subject through the prompt that asks why, and
proposes a misconduct assessment; the subject's line manager is refused its sign-off, a
second person signs it off; the subject-access role produces the subject's report; the
subject challenges their leave row on the challenges page, an independent person upholds
it there (a decision without a reason is refused first), the correction retires the flag; every step is in the report (the page and its PDF) and the audit log,
which verifies.

``LINKWATCH_SCREENSHOTS=DIR`` keeps the README's pictures of the case page, the unmask
prompt and the subject's report there (``tools/screenshots.py`` does that).
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from graph.audit import AuditLog
from synthetic.walkthrough import DETECTOR, LEAVE_ROW, SUBJECT
from tests.conftest import embedded_settings, masker
from tests.test_browser import CHROMIUM, _free_port, _need_browser
from tests.test_walkthrough import prepare, squeeze

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("LINKWATCH_SCREENSHOTS")
WIDTH = 1000  # the README's pictures are this wide


@dataclass
class Server:
    url: str
    data: Path
    tokens: dict[str, str]
    alias: str


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    _need_browser()
    root = tmp_path_factory.mktemp("walkthrough")
    settings = embedded_settings(root)
    tokens = prepare(settings, root / "force")
    alias = masker(settings).officer(SUBJECT)
    exe = str(Path(sys.executable).with_name("linkwatch"))
    env = {**os.environ, "LINKWATCH_DATA_DIR": str(settings.data_dir), "LINKWATCH_BUFFER_POOL_MB": "256"}
    root_dir = str(
        Path(__file__).resolve().parents[1]
    )  # this checkout's code, wherever linkwatch is installed from
    env["PYTHONPATH"] = os.pathsep.join(x for x in (root_dir, os.environ.get("PYTHONPATH")) if x)
    for k in ("LINKWATCH_PURPOSE", "LINKWATCH_LAUNCHER", "LINKWATCH_ENVIRONMENT", "LINKWATCH_PSEUDONYM_KEY"):
        env.pop(k, None)
    port = _free_port()
    log = (root / "server.log").open("w")
    proc = subprocess.Popen(
        [exe, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2):
                break
        except OSError:
            assert proc.poll() is None and time.monotonic() < deadline, (root / "server.log").read_text()[
                -3000:
            ]
            time.sleep(0.3)
    try:
        yield Server(url, settings.data_dir, tokens, alias)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Any]:
    sync_playwright = _need_browser()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield b
        b.close()


def sign_in(browser: Any, server: Server, user: str, next_url: str, purpose: str, case_ref: str = "") -> Any:
    """A browser of its own for ``user``, signed in with their token, purpose and case, at ``next_url``."""
    ctx = browser.new_context(viewport={"width": WIDTH, "height": 720})
    page = ctx.new_page()
    page.goto(f"{server.url}/ui/login?next={next_url}")
    page.fill("input[name=token]", server.tokens[user])
    page.fill("input[name=purpose]", purpose)
    page.fill("input[name=case_ref]", case_ref)
    page.click("#login button[type=submit]")
    page.wait_for_url(f"{server.url}{next_url}")
    return page


def shot(page: Any, name: str, full_page: bool = False) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=full_page)


def submit(page: Any, form: str, fields: dict[str, str], button: str = "button[type=submit]") -> None:
    """Fill a case-page form and submit it; the page reloads when the API accepts it."""
    for name, value in fields.items():
        if page.locator(f"#{form} select[name={name}]").count():
            page.select_option(f"#{form} select[name={name}]", value)
        else:
            page.fill(f"#{form} textarea[name={name}]", value)
    with page.expect_navigation():
        page.click(f"#{form} {button}")


def text(page: Any, selector: str) -> str:
    return str(page.locator(selector).inner_text()).strip()


def test_walkthrough_in_the_browser(browser: Any, server: Server) -> None:
    url, alias = server.url, server.alias
    why = "PSD review of a rota flag"

    # the reviewer finds the flag, under a pseudonym, and opens a case from its page
    riley = sign_in(browser, server, "riley", f"/ui/flags?detector={DETECTOR}", why)
    queue = text(riley, "main")
    assert alias in queue and SUBJECT not in re.findall(r"\b\w+\b", queue) and "Example" not in queue
    riley.click(f"a[href^='/ui/flags/{DETECTOR}']")
    riley.wait_for_selector("#case-form")
    fid = riley.url.rsplit("/", 1)[1].replace("%3A", ":")
    assert alias in text(riley, "h1")
    riley.fill("#case-form textarea[name=notes]", "overtime paid on a leave day")
    with riley.expect_navigation(url=re.compile(r"/ui/cases/RC-")):
        riley.click("#case-form button[type=submit]")
    ref = riley.url.rsplit("/", 1)[1]
    assert text(riley, "#subjects") == alias and text(riley, "#stage") == "new"

    # reviewed: moved with reasons
    submit(riley, "move-form", {"to": "triage", "reason": "pay and leave records disagree on 10 March"})
    assert text(riley, "#stage") == "triage"

    # unmasked through the prompt, which asks why
    riley.click("#unmask-open")
    riley.wait_for_selector("#unmask-form textarea[name=reason]", state="visible")
    riley.fill("#unmask-form textarea[name=reason]", "to ask the duty sergeant about the day")
    shot(riley, "unmask-prompt")
    with riley.expect_navigation():
        riley.click("#unmask-form button[type=submit]")
    assert text(riley, "#subjects") == SUBJECT
    assert "unmasked A1" in text(riley, "#history")

    submit(riley, "move-form", {"to": "assessment", "reason": "no cancellation of the leave is on file"})
    submit(
        riley,
        "decide-form",
        {"outcome": "misconduct_meeting", "reason": "overtime claimed for a day of leave"},
    )
    assert text(riley, "#outcome-status") == "proposed"

    # the subject's line manager may not sign it off; a second, independent person does
    morgan = sign_in(browser, server, "morgan", f"/ui/cases/{ref}", "sign-off of a proposed outcome", ref)
    assert text(morgan, "#subjects") == alias  # no one else sees the name
    morgan.fill("#signoff-form textarea[name=reason]", "agreed")
    morgan.click("#signoff-form button[value='1']")
    morgan.wait_for_selector("#lw-error:not([hidden])")
    assert "line-management chain" in text(morgan, "#lw-error")
    morgan.reload()
    assert text(morgan, "#outcome-status") == "proposed"
    pat = sign_in(browser, server, "pat", f"/ui/cases/{ref}", "sign-off of a proposed outcome", ref)
    submit(pat, "signoff-form", {"reason": "the pay records support a meeting"}, "button[value='1']")
    assert text(pat, "#stage") == "decided" and text(pat, "#outcome-status") == "decided"

    # the subject's report is produced
    report = f"/api/v1/subjects/{SUBJECT}/report"
    sam = sign_in(browser, server, "sam", "/ui/", "subject access request SAR-2026-014")
    sam.goto(f"{url}{report}")  # the API's page, read with the session
    assert "Misconduct assessment (meeting) signed off" in text(sam, "body")

    # the subject challenges their leave row on the challenges page; an independent person upholds it there
    alex = sign_in(browser, server, "alex", "/ui/challenges", "my challenge")
    assert alex.locator("#fact-form input[name=subject_id]").count() == 0  # lodged about themselves
    alex.select_option("#fact-form select[name=table]", "shifts")
    for name, value in {"row_key": LEAVE_ROW, "field": "status", "claimed_value": "cancelled"}.items():
        alex.fill(f"#fact-form input[name={name}]", value)
    alex.fill(
        "#fact-form textarea[name=text]",
        "I was recalled from leave that morning; the leave was never cancelled on the roster",
    )
    with alex.expect_navigation():
        alex.click("#fact-form button[type=submit]")
    row = alex.locator("#challenges tbody tr[data-id]")
    assert row.count() == 1
    cid = str(row.get_attribute("data-id"))
    assert text(alex, f"tr[data-id='{cid}'] td:nth-child(2)") == SUBJECT  # their own id, to them
    assert text(alex, f"tr[data-id='{cid}'] .state") == "open" and "days left" in text(
        alex, f"tr[data-id='{cid}'] .due"
    )
    assert alex.locator(".decide-form").count() == 0  # the subject does not decide it
    dana = sign_in(browser, server, "dana", "/ui/challenges", "deciding a challenge")
    assert text(dana, f"tr[data-id='{cid}'] td:nth-child(2)") == alias  # the subject by pseudonym
    decide = f".decide-form[data-id='{cid}']"
    dana.click(f"{decide} button[value='1']")  # no reason: refused, naming the field
    dana.wait_for_selector("#lw-error:not([hidden])")
    assert text(dana, "#lw-error").startswith("reason:")
    dana.fill(f"{decide} textarea[name=reason]", "the recall e-mail of 10 March shows it")
    with dana.expect_navigation():
        dana.click(f"{decide} button[value='1']")
    assert text(dana, f"tr[data-id='{cid}'] .state") == "upheld"
    decision = text(dana, f"tr[data-id='{cid}'] .decision")
    applied = re.search(r"correction (\d+) applied; retired (\S+)", decision)
    assert applied and applied.group(2) == fid, decision
    n = int(applied.group(1))

    # the flag is retired after the correction: its page and its case say so
    riley.goto(f"{url}/ui/flags/{fid}")
    assert f"retired after correction {n}" in text(riley, "#retired")
    riley.goto(f"{url}/ui/cases/{ref}")
    assert f"retired after correction {n}" in text(riley, "main")
    shot(riley, "case-page", full_page=True)

    # every step is in the subject's report, the page and its PDF
    sam.reload()
    page_text = re.sub(r"\s+", " ", text(sam, "body"))
    pdf = sam.request.get(f"{url}{report}?format=pdf")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    printed = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    for step in (
        f"case opened about {SUBJECT} from flag(s) {fid}",
        "stage new -> triage",
        "pay and leave records disagree on 10 March",
        f"unmasked {SUBJECT}",
        "to ask the duty sergeant about the day",
        "stage triage -> assessment",
        "Misconduct assessment (meeting) proposed, then signed off",
        "the pay records support a meeting",
        "line-management chain",
        cid,
        "I was recalled from leave that morning",
        "the recall e-mail of 10 March shows it",
        f"retired after correction {n}",
    ):
        assert step in page_text, step
        assert squeeze(step) in squeeze(printed), step
    sam.evaluate(
        "[...document.querySelectorAll('h3')].find(h => h.textContent === 'Review cases').scrollIntoView()"
    )
    shot(sam, "subject-report")

    # and in the audit log, which verifies
    log = AuditLog(server.data)
    acts = [(r["who"], r["action"]) for r in log.records() if r.get("case_ref") == ref]
    assert [a for a in acts if a[1].startswith("case_")] == [
        ("riley", "case_open"),
        ("riley", "case_move"),
        ("riley", "case_unmask"),
        ("riley", "case_move"),
        ("riley", "case_decide"),
        ("pat", "case_signoff"),
    ]
    every = {(r["who"], r["action"]) for r in log.records()}
    assert {
        ("morgan", "failed"),
        ("sam", "subject_report"),
        ("alex", "challenge_lodge"),
        ("dana", "challenge_decide"),
        ("dana", "correction"),
    } <= every
    assert log.verify().ok
