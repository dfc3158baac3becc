"""Challenges: lodged by the subject (or the subject-access role for them) against a flag
or a source fact, checked, pausing escalation, with a deadline, and decided by someone
independent; on both stores through the operations, and through the API."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.ops import cases, challenges
from api.ops.conflicts import Conflicted
from api.ops.corrections import list_corrections
from api.ops.look import MATRIX
from graph.contract import TABLES
from graph.errors import QueryError
from graph.events import EventStore
from graph.meta import ROLES, MetaStore, PermissionDenied
from graph.settings import Settings
from graph.workspace import Workspace
from tests.conftest import auth, embedded_settings
from tests.test_cases import ANN, CY, ED, load_review_fixture, person

BOB = person("bob", "investigator", "B")  # the subject of flag F-B1
SAR = person("sar", "subject_access", None)  # handles subject-access requests


def add_shift(data_dir: Path) -> None:
    """One worked overtime shift of officer B in the event store."""
    events = EventStore(data_dir, memory_mb=256)
    try:
        events.ensure(TABLES["shifts"])
        events.con.execute(
            'INSERT INTO shifts (shift_id, officer_id, start, "end", duty_type, pay_code, status) '
            "VALUES ('S1', 'B', TIMESTAMP '2026-03-04 08:00', TIMESTAMP '2026-03-04 16:00', 'day', 'overtime', 'worked')"
        )
    finally:
        events.close()


@pytest.fixture
def ws(store_settings: Settings) -> Iterator[Workspace]:
    add_shift(store_settings.data_dir)
    with Workspace(store_settings, write=True) as w:
        load_review_fixture(w.store)
        yield w


def lodge_flag(ws: Workspace, look=BOB, flag_id: str = "F-B1") -> dict:  # type: ignore[no-untyped-def]
    return challenges.lodge(ws, look, text="this is not what happened", flag_id=flag_id)


# ---- lodging (both stores) -------------------------------------------------------------


def test_the_subject_lodges_against_a_flag(ws: Workspace) -> None:
    c = lodge_flag(ws)
    assert (c["subject_id"], c["against"], c["flag_id"], c["state"], c["lodged_by"]) == (
        "B",
        "flag",
        "F-B1",
        "open",
        "bob",
    )
    assert c["days_left"] == ws.settings.challenge_days == 30 and not c["overdue"]
    assert c["due_date"] == (dt.date.today() + dt.timedelta(days=30)).isoformat()
    rec = [r for r in ws.audit.records() if r["action"] == "challenge_lodge"]
    assert rec[0]["what"] == c["challenge_id"] and rec[0]["officer_id"] == "B"


def test_lodging_refuses_what_is_not_theirs_or_not_there(ws: Workspace) -> None:
    with pytest.raises(QueryError, match="flag_id: no flag with id 'nope'"):
        lodge_flag(ws, flag_id="nope")
    with pytest.raises(
        PermissionDenied, match="subject_id: that flag is about officer D; you may challenge only"
    ):
        lodge_flag(ws, flag_id="F-D1")
    with pytest.raises(PermissionDenied, match="subject_id: a challenge is lodged by its subject"):
        lodge_flag(ws, person("nobody", "analyst", None))
    with pytest.raises(QueryError, match="subject_id: name the officer"):
        lodge_flag(ws, SAR)
    with pytest.raises(QueryError, match="text: "):
        challenges.lodge(ws, BOB, text=" ", flag_id="F-B1")
    with pytest.raises(QueryError, match=r"flag_id: a challenge is against a flag .* or a source fact"):
        challenges.lodge(ws, BOB, text="both", flag_id="F-B1", table="officers", row_key="B", field="rank")
    assert challenges.review(ws).challenges() == []


@pytest.mark.parametrize(
    ("table", "row_key", "field", "error"),
    [
        ("payroll", "B", "rank", "table: 'payroll' is not a source table"),
        ("officers", "B", "shoe_size", "field: officers has no column 'shoe_size'"),
        ("officers", "ZZ", "rank", "row_key: no current row 'ZZ' in officers"),
        ("shifts", "S9", "duty_type", "row_key: no current row 'S9' in shifts"),
        ("assignments", "B", "rank", "table: rows of assignments have a key of several columns"),
        ("officers", "D", "rank", "subject_id: that fact is about officer D, not B"),
    ],
)
def test_a_fact_challenge_names_a_real_row(
    ws: Workspace, table: str, row_key: str, field: str, error: str
) -> None:
    with pytest.raises(QueryError, match=error):
        challenges.lodge(ws, SAR, text="wrong", table=table, row_key=row_key, field=field, subject_id="B")


def test_the_subject_access_role_lodges_a_fact_for_the_subject(ws: Workspace) -> None:
    c = challenges.lodge(
        ws,
        SAR,
        text="I was on approved leave on 2026-03-04",
        table="shifts",
        row_key="S1",
        field="duty_type",
        claimed_value="annual_leave",
        subject_id="B",
    )
    assert (c["against"], c["source_table"], c["row_key"], c["held_value"], c["lodged_role"]) == (
        "fact",
        "shifts",
        "S1",
        "day",
        "subject_access",
    )
    c = challenges.lodge(
        ws, BOB, text="I am a sergeant", table="officers", row_key="B", field="rank", claimed_value="PS"
    )
    assert (c["subject_id"], c["held_value"]) == ("B", "PC")


# ---- pausing escalation and deciding (both stores) -------------------------------------


def case_in_assessment(ws: Workspace) -> str:
    ref = str(cases.open_case(ws, CY, subjects=[], flags=["F-B1"])["case_ref"])
    cases.move(ws, CY, ref, "triage", "worth a look")
    cases.move(ws, CY, ref, "assessment", "checked")
    return ref


def test_an_open_challenge_pauses_escalation(ws: Workspace) -> None:
    ref = case_in_assessment(ws)
    c = lodge_flag(ws)
    with pytest.raises(
        QueryError,
        match=f"outcome: proposing Misconduct .* paused while a challenge is open \\({c['challenge_id']}",
    ):
        cases.decide(ws, CY, ref, outcome="misconduct_meeting", reason="pattern")
    assert cases.show(ws, CY, ref)["open_challenges"] == [c["challenge_id"]]
    challenges.decide(ws, ED, c["challenge_id"], upheld=False, reason="the rota shows the approvals")
    assert cases.decide(ws, CY, ref, outcome="misconduct_meeting", reason="pattern")["state"] == "proposed"
    # a fact challenge lodged now pauses the sign-off (a decline is still possible)
    f = challenges.lodge(ws, BOB, text="I am a sergeant", table="officers", row_key="B", field="rank")
    with pytest.raises(QueryError, match=f"signing off .* \\({f['challenge_id']}"):
        cases.sign_off(ws, ED, ref, approve=True, reason="agreed")
    assert cases.sign_off(ws, ED, ref, approve=False, reason="wait for the challenge")["approved"] is False


def test_a_challenge_is_decided_by_someone_independent(ws: Workspace) -> None:
    case_in_assessment(ws)
    cid = lodge_flag(ws)["challenge_id"]
    with pytest.raises(
        PermissionDenied, match=r"who: cy reviews case RC-.*independent of the case's reviewers"
    ):
        challenges.decide(
            ws,
            dataclasses.replace(CY, who=dataclasses.replace(CY.who, role="appropriate_authority")),
            cid,
            upheld=True,
            reason="x",
        )
    with pytest.raises(Conflicted, match="ann may not decide this challenge: officer B is below you"):
        challenges.decide(ws, ANN, cid, upheld=True, reason="x")
    with pytest.raises(PermissionDenied, match="may not decide a challenge"):
        challenges.decide(ws, person("ivy", "investigator", "E"), cid, upheld=True, reason="x")
    with pytest.raises(QueryError, match="reason: "):
        challenges.decide(ws, ED, cid, upheld=True, reason="")
    assert challenges.get_challenge(ws, cid)["state"] == "open"
    done = challenges.decide(ws, ED, cid, upheld=False, reason="the rota shows the approvals")
    assert (done["state"], done["decided_by"], done["correction"]) == ("rejected", "ed", None)
    with pytest.raises(QueryError, match=r"state: challenge .* was rejected already"):
        challenges.decide(ws, ED, cid, upheld=True, reason="again")


def test_an_upheld_fact_challenge_is_corrected(ws: Workspace) -> None:
    """An upheld challenge of an event row's field becomes a correction: recorded against the
    row, never overwriting it, and read by the detectors through the corrected view."""
    cid = challenges.lodge(
        ws,
        BOB,
        text="on leave",
        table="shifts",
        row_key="S1",
        field="duty_type",
        claimed_value="annual_leave",
    )["challenge_id"]
    done = challenges.decide(ws, ED, cid, upheld=True, reason="leave record confirms it")
    fix = done["correction"]
    assert done["state"] == "upheld" and fix["state"] == "applied"
    assert (fix["tbl"], fix["row_key"], fix["field"], fix["value"]) == (
        "shifts",
        "S1",
        "duty_type",
        "annual_leave",
    )
    listed = list_corrections(ws, ED)
    assert [(c["row_key"], c["challenge_ref"]) for c in listed] == [("S1", cid)]


def test_an_upheld_challenge_of_hr_data_is_a_correction_to_make_at_the_source(ws: Workspace) -> None:
    """HR data lives in the graph, re-read from the source at each ingest: an upheld challenge
    of it is recorded as a correction to make there, saying why it was not applied here."""
    cid = challenges.lodge(
        ws, BOB, text="I was never a PC", table="officers", row_key="B", field="rank", claimed_value="PS"
    )["challenge_id"]
    done = challenges.decide(ws, ED, cid, upheld=True, reason="promotion letter seen")
    fix = done["correction"]
    assert (fix["state"], fix["table"], fix["value"]) == ("to_be_made", "officers", "PS")
    assert "corrections amend the event tables" in fix["why_not_applied"]


def test_deadline_and_overdue(ws: Workspace) -> None:
    late = lodge_flag(ws)["challenge_id"]
    lodge_flag(ws)
    with ws.meta.transaction() as con:
        con.execute(
            "UPDATE challenges SET due_date = ? WHERE challenge_id = ?",
            ((dt.date.today() - dt.timedelta(days=3)).isoformat(), late),
        )
    overdue = challenges.list_challenges(ws, ED, overdue=True)
    assert [(c["challenge_id"], c["days_left"]) for c in overdue] == [(late, -3)]
    assert len(challenges.list_challenges(ws, ED)) == 2
    assert [c["subject_id"] for c in challenges.list_challenges(ws, person("dot", "analyst", "D"))] == []


def test_the_deadline_is_configurable(tmp_path: Path) -> None:
    s = embedded_settings(tmp_path).model_copy(update={"challenge_days": 10})
    with Workspace(s, write=True) as w:
        load_review_fixture(w.store)
        assert lodge_flag(w)["days_left"] == 10


# ---- through the API (embedded store) ----------------------------------------------------


@pytest.fixture
def api(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    s = embedded_settings(tmp_path)
    add_shift(s.data_dir)
    with Workspace(s, write=True) as w:
        load_review_fixture(w.store)
    meta = MetaStore(s.data_dir)
    people = {
        "bob": ("investigator", "B"),
        "ed": ("appropriate_authority", "E"),
        "sar": ("subject_access", None),
    }
    tokens = {u: meta.create_token(u, r, officer_id=o).secret for u, (r, o) in people.items()}
    meta.close()
    with TestClient(create_app(s)) as c:
        yield c, tokens


def test_api_challenge_flow(api: tuple[TestClient, dict[str, str]]) -> None:
    c, tokens = api
    r = c.post("/api/v1/challenges", json={"flag_id": "nope", "text": "no"}, headers=auth(tokens["bob"]))
    assert r.status_code == 400 and r.json()["detail"].startswith("flag_id: no flag")
    r = c.post(
        "/api/v1/challenges",
        json={
            "table": "shifts",
            "row_key": "S1",
            "field": "duty_type",
            "claimed_value": "annual_leave",
            "text": "on leave",
            "subject_id": "B",
        },
        headers=auth(tokens["sar"]),
    )
    assert r.status_code == 201, r.text
    cid = r.json()["challenge_id"]
    mine = c.get("/api/v1/challenges", headers=auth(tokens["bob"])).json()  # the subject sees their own
    assert [x["challenge_id"] for x in mine] == [cid] and mine[0]["days_left"] == 30
    assert c.get("/api/v1/challenges?overdue=true", headers=auth(tokens["ed"])).json() == []
    r = c.post(
        f"/api/v1/challenges/{cid}/decision",
        json={"upheld": True, "reason": "leave record"},
        headers=auth(tokens["ed"]),
    )
    assert r.status_code == 201 and r.json()["state"] == "upheld" and r.json()["correction"]
    r = c.post(
        f"/api/v1/challenges/{cid}/decision",
        json={"upheld": True, "reason": "again"},
        headers=auth(tokens["ed"]),
    )
    assert r.status_code == 400 and r.json()["detail"].startswith("state: ")


@pytest.mark.parametrize("role", ROLES)
def test_api_challenge_permissions(api: tuple[TestClient, dict[str, str]], role: str, tmp_path: Path) -> None:
    """Lodging for someone else needs challenges.lodge; deciding needs challenges.decide (403 otherwise)."""
    c, _ = api
    meta = MetaStore(Path(c.app.state.settings.data_dir))  # type: ignore[attr-defined]
    token = meta.create_token(f"{role}-y", role).secret  # no officer id: not lodging for themselves
    meta.close()
    r = c.post(
        "/api/v1/challenges", json={"flag_id": "nope", "text": "x", "subject_id": "B"}, headers=auth(token)
    )
    assert r.status_code == (400 if "challenges.lodge" in MATRIX[role] else 403), r.text
    r = c.post(
        "/api/v1/challenges/CH-1999-0001/decision", json={"upheld": False, "reason": "x"}, headers=auth(token)
    )
    assert r.status_code == (404 if "challenges.decide" in MATRIX[role] else 403), r.text
