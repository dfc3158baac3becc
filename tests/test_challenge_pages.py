"""The challenge pages (``/ui/challenges`` and the flag page's "Challenge this flag"),
rendered for each person of the walk-through force: who sees which form, subjects by
pseudonym, overdue challenges marked, and the refusals. (The forms themselves are
driven in a browser by tests/test_browser_walkthrough.py.)"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.ops.cases import review
from graph.settings import Settings
from graph.workspace import Workspace
from synthetic.walkthrough import DETECTOR, SUBJECT
from tests.conftest import embedded_settings, masker
from tests.test_walkthrough import prepare


@pytest.fixture
def pages(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str], Settings]]:
    settings = embedded_settings(tmp_path)
    tokens = prepare(settings, tmp_path / "force")
    with TestClient(create_app(settings)) as c:
        yield c, tokens, settings


def as_user(c: TestClient, token: str, purpose: str = "testing the challenge pages") -> None:
    r = c.post("/ui/session", json={"token": token, "purpose": purpose})
    assert r.status_code == 200, r.text


def row(html: str, cid: str) -> str:
    found = re.search(rf'<tr data-id="{cid}">(.*?)</tr>', html, re.S)
    assert found, html
    return found.group(1)


def test_challenge_pages(pages: tuple[TestClient, dict[str, str], Settings]) -> None:
    c, t, settings = pages
    alias = masker(settings).officer(SUBJECT)
    bearer: dict[str, Any] = {"Authorization": f"Bearer {t['riley']}", "X-Purpose": "finding the flag"}
    fid = c.get("/api/v1/flags", params={"detector": DETECTOR}, headers=bearer).json()["items"][0]["flag_id"]

    # the flag page offers the challenge to its subject (no subject to name) and not to a reviewer
    as_user(c, t["alex"])
    mine = c.get(f"/ui/flags/{fid}")
    assert mine.status_code == 200 and 'id="challenge-form"' in mine.text
    assert 'name="subject_id"' not in mine.text
    as_user(c, t["riley"])
    assert 'id="challenge-form"' not in c.get(f"/ui/flags/{fid}").text

    # lodged (as the page's form does), then one more made overdue
    subject = {"Authorization": f"Bearer {t['alex']}", "X-Purpose": "my challenge"}
    lodged = c.post("/api/v1/challenges", json={"flag_id": fid, "text": "not what happened"}, headers=subject)
    assert lodged.status_code == 201, lodged.text
    cid = lodged.json()["challenge_id"]
    with Workspace(settings) as ws:
        late = review(ws).lodge(
            {"subject_id": SUBJECT, "against": "flag", "flag_id": fid, "text": "an old one"},
            who=("alex", "investigator"),
            due_date="2020-01-31",
            year=2020,
        )["challenge_id"]

    # the deciding role sees the subject by pseudonym, a decide form, and the late one marked
    as_user(c, t["dana"])
    page = c.get("/ui/challenges")
    assert page.status_code == 200
    assert f"<td>{alias}</td>" in row(page.text, cid) and SUBJECT not in re.findall(r"\b\w+\b", page.text)
    assert 'class="decide-form"' in row(page.text, cid) and "days left" in row(page.text, cid)
    assert "<strong>overdue</strong>" in row(page.text, late) and "overdue" not in row(page.text, cid)
    overdue = c.get("/ui/challenges", params={"overdue": "true"}).text
    assert late in overdue and cid not in overdue

    # the subject sees their own, by their id, and no decide form; the reviewer sees no form either
    as_user(c, t["alex"])
    own = c.get("/ui/challenges").text
    assert f"<td>{SUBJECT}</td>" in row(own, cid) and 'class="decide-form"' not in own
    as_user(c, t["riley"])
    assert 'class="decide-form"' not in c.get("/ui/challenges").text

    # a role that sees only its own, with no officer id on its token, is refused with the reason
    as_user(c, t["audrey"])
    refused = c.get("/ui/challenges")
    assert refused.status_code == 403 and "names no officer id" in refused.text

    # a decision with no reason is refused naming the field, and nothing changes
    decider = {"Authorization": f"Bearer {t['dana']}", "X-Purpose": "deciding"}
    r = c.post(f"/api/v1/challenges/{cid}/decision", json={"upheld": False, "reason": " "}, headers=decider)
    assert r.status_code in (400, 422) and r.json()["detail"].startswith("reason:")
    as_user(c, t["dana"])
    assert '<span class="status state">open</span>' in row(c.get("/ui/challenges").text, cid)
