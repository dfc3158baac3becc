"""Review cases: opening, the stage machine, decisions and two-person sign-off, conflict
checks and unmasking; on both stores through the operations, and through the API (the
main flow, the refusals and the 403s)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.ops import cases, conflicts
from api.ops import flags as flag_ops
from api.ops.look import Look
from api.ops.pseudonyms import Masker
from graph.errors import QueryError
from graph.meta import MetaStore, PermissionDenied, Principal
from graph.review import POLICY, load_policy
from graph.settings import Settings
from graph.store import GraphStore, RunInfo
from graph.workspace import Workspace
from tests import fixture_graph
from tests.conftest import auth, embedded_settings, masker

# Beside the shared fixture (A manages B, C manages D; A and B in U1, C and D in U2; A and
# C listed in lodge L1, D in business B1; E alone): F in U1 managing no one, G who
# declared an interest in L1, H reporting to B (so A is two above H).
EXTRA_OFFICERS = pd.DataFrame(
    {
        "officer_id": ["F", "G", "H"],
        "surname": ["Fir", "Gum", "Hazel"],
        "forenames": ["Flo", "Gil", "Hal"],
        "rank": ["PC", "PC", "PC"],
        "source_file": "officers.csv",
        "source_line": [7, 8, 9],
    }
)
DECLARATIONS = pd.DataFrame(
    {
        "declaration_id": ["DC1"],
        "officer_id": ["G"],
        "kind": ["membership"],
        "org_id": ["L1"],
        "status": ["approved"],
    }
)
WINDOW = pd.Timestamp("2026-03-01", tz="UTC")
FLAGS = pd.DataFrame(
    {
        "flag_id": ["F-B1", "F-D1"],
        "detector": "roster.self_approval",
        "officer_id": ["B", "D"],
        "group_id": None,
        "score": [0.9, 0.5],
        "severity": ["high", "low"],
        "window_start": WINDOW,
        "window_end": WINDOW,
        "explanation": "approved their own overtime",
        "evidence": "[]",
    }
)


def load_review_fixture(store: GraphStore) -> None:
    """The shared fixture graph with the officers above and two flags (B's and D's). A
    load is a snapshot of its label or type, so each is loaded whole, once."""
    run = RunInfo.new("review")
    fx = fixture_graph

    def ends(*pairs: tuple[str, str]) -> pd.DataFrame:
        return pd.DataFrame({"src": [a for a, _ in pairs], "dst": [b for _, b in pairs]})

    store.load_nodes("Officer", pd.concat([fx.OFFICERS, EXTRA_OFFICERS], ignore_index=True), run)
    store.load_nodes("Unit", fx.UNITS, run)
    store.load_nodes("Organisation", fx.ORGS, run)
    store.load_nodes("Declaration", DECLARATIONS, run)
    store.load_nodes("Flag", FLAGS, run)
    store.load_relationships(
        "IN_UNIT", pd.concat([fx.IN_UNIT, ends(("Officer:F", "Unit:U1"))], ignore_index=True), run
    )
    store.load_relationships(
        "REPORTS_TO", pd.concat([fx.REPORTS_TO, ends(("Officer:H", "Officer:B"))], ignore_index=True), run
    )
    store.load_relationships("PART_OF", fx.PART_OF, run)
    store.load_relationships("MEMBER_OF", fx.MEMBER_OF, run)
    store.load_relationships("DECLARED", ends(("Officer:G", "Declaration:DC1")), run)
    store.load_relationships("ABOUT", ends(("Declaration:DC1", "Organisation:L1")), run)
    store.load_relationships("FLAGS", ends(("Flag:F-B1", "Officer:B"), ("Flag:F-D1", "Officer:D")), run)


def person(user: str, role: str, officer_id: str | None, case_ref: str | None = None) -> Look:
    return Look(Principal(user, role, officer_id=officer_id), "unit test", case_ref)


CY = person("cy", "investigator", "C")  # independent of B: reviews B's case
ANN = person("ann", "appropriate_authority", "A")  # B's line manager: conflicted
ED = person("ed", "appropriate_authority", "E")  # independent: signs off


@pytest.fixture
def ws(store_settings: Settings) -> Iterator[Workspace]:
    with Workspace(store_settings, write=True) as w:
        load_review_fixture(w.store)
        yield w


# ---- the policy ------------------------------------------------------------------------


def test_policy_is_declared_data() -> None:
    assert POLICY.moves("new") == ("triage",)
    assert POLICY.moves("decided") == ("reopened",)
    serious = {k for k, o in POLICY.outcomes.items() if o.sign_off}
    assert {"misconduct_meeting", "gross_misconduct_hearing", "criminal_referral"} <= serious
    assert not POLICY.outcome("management_advice").sign_off
    assert POLICY.approving_roles == ("appropriate_authority",)


def test_policy_refuses_a_move_to_an_undeclared_stage(tmp_path: Path) -> None:
    from graph.errors import ConfigError
    from graph.review import POLICY_FILE

    bad = tmp_path / "review.yaml"
    bad.write_text(POLICY_FILE.read_text().replace("new: [triage]", "new: [triage, limbo]"))
    with pytest.raises(ConfigError, match="limbo"):
        load_policy(bad)


# ---- conflict checks (both stores) -----------------------------------------------------


@pytest.mark.parametrize(
    ("me", "subject", "why"),
    [
        ("B", "B", "yourself"),
        ("A", "B", "below you in the line-management chain"),
        ("B", "A", "above you in the line-management chain"),
        ("A", "H", "below you in the line-management chain"),  # two levels down
        ("H", "A", "above you in the line-management chain"),
        ("F", "B", "in your unit (U1)"),
        ("G", "A", "same organisation (L1)"),  # declared interest vs listed member
        ("A", "C", "same organisation (L1)"),  # both listed
        ("C", "B", None),
        ("E", "A", None),
        ("D", "G", None),
    ],
)
def test_conflicts(ws: Workspace, me: str, subject: str, why: str | None) -> None:
    found = conflicts.conflicts(ws.store, me, subject)
    if why is None:
        assert found == []
    else:
        assert any(why in r for r in found), found


def test_same_unit_conflict_can_be_turned_off(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    assert conflicts.conflicts(ws.store, "F", "B")
    monkeypatch.setattr(conflicts, "POLICY", dataclasses.replace(POLICY, same_unit_conflict=False))
    assert conflicts.conflicts(ws.store, "F", "B") == []


def test_a_person_without_an_officer_id_cannot_be_checked(ws: Workspace) -> None:
    with pytest.raises(PermissionDenied, match=r"officer_id: .*--officer-id"):
        conflicts.check_independent(ws.store, Principal("x", "investigator"), ["B"], "review this case")
    with pytest.raises(PermissionDenied, match="not in the HR data"):
        conflicts.check_independent(
            ws.store, Principal("x", "investigator", officer_id="ZZ"), ["B"], "review"
        )
    assert conflicts.check_independent(ws.store, CY.who, ["B"], "review this case") == "C"


# ---- the operations (both stores) ------------------------------------------------------


def open_b(ws: Workspace, look: Look = CY, **kw: Any) -> dict[str, Any]:
    return cases.open_case(ws, look, subjects=kw.pop("subjects", []), flags=kw.pop("flags", ["F-B1"]), **kw)


def to_assessment(ws: Workspace, ref: str, look: Look = CY) -> None:
    cases.move(ws, look, ref, "triage", "self-approvals worth a look")
    cases.move(ws, look, ref, "assessment", "rota and approvals checked")


def test_a_case_from_flag_to_signed_off_decision(ws: Workspace) -> None:
    case = open_b(ws, notes="from the weekly flags")
    ref = case["case_ref"]
    assert ref == f"RC-{dt.date.today().year}-0001"
    assert (case["stage"], case["subjects"], case["flags"], case["reviewer"]) == (
        "new",
        [Masker.for_look(ws, CY).officer("B")],  # pseudonymised review
        ["F-B1"],
        "cy",
    )
    assert case["reviewer_officer_id"] == "C" and case["days_left"] == POLICY.case_due_days

    # what the reviewer opens for the case is linked to the move that follows
    flag_ops.show(ws, dataclasses.replace(CY, case_ref=ref), "F-B1")
    flag_ops.show(ws, CY, "F-D1")  # not for this case: not linked
    step = cases.move(ws, CY, ref, "triage", "self-approvals worth a look")
    assert [(o["action"], o["what"]) for o in step["opened"]] == [("flag", "F-B1")]
    assert (step["who"], step["role"], step["from_stage"], step["to_stage"]) == (
        "cy",
        "investigator",
        "new",
        "triage",
    )
    step = cases.move(ws, CY, ref, "assessment", "rota checked")
    assert step["opened"] == []  # nothing opened since the last move

    d = cases.decide(ws, CY, ref, outcome="misconduct_meeting", reason="approved own overtime 9 times")
    assert d["state"] == "proposed"
    shown = cases.show(ws, CY, ref)
    assert (shown["stage"], shown["outcome"], shown["outcome_status"]) == (
        "assessment",
        "misconduct_meeting",
        "proposed",
    )

    with pytest.raises(PermissionDenied, match="second person"):
        cases.sign_off(
            ws,
            dataclasses.replace(CY, who=Principal("cy", "appropriate_authority", officer_id="C")),
            ref,
            approve=True,
            reason="fine",
        )
    with pytest.raises(conflicts.Conflicted, match="ann may not sign off this case: officer B is below you"):
        cases.sign_off(ws, ANN, ref, approve=True, reason="agreed")
    s = cases.sign_off(ws, ED, ref, approve=True, reason="agreed: a meeting")
    assert (s["who"], s["approved"]) == ("ed", True)
    shown = cases.show(ws, ED, ref)
    assert (shown["stage"], shown["outcome_status"]) == ("decided", "decided")
    assert [t["to_stage"] for t in shown["transitions"]] == ["triage", "assessment", "decided"]
    assert shown["transitions"][-1]["who"] == "ed"

    actions = [(r["action"], r["case_ref"]) for r in ws.audit.records() if r["action"].startswith("case_")]
    assert actions == [
        ("case_open", ref),
        ("case_move", ref),
        ("case_move", ref),
        ("case_decide", ref),
        ("case_signoff", ref),
    ]
    assert ws.audit.verify().ok


def test_moves_out_of_order_and_without_reason_are_refused(ws: Workspace) -> None:
    ref = open_b(ws)["case_ref"]
    with pytest.raises(QueryError, match=r"to: .* in stage 'new', which moves to triage"):
        cases.move(ws, CY, ref, "assessment", "skip ahead")
    with pytest.raises(QueryError, match="to: a case is decided by recording a decision"):
        cases.move(ws, CY, ref, "decided", "done")
    with pytest.raises(QueryError, match="to: 'closed' is not a stage"):
        cases.move(ws, CY, ref, "closed", "done")
    with pytest.raises(QueryError, match="reason: "):
        cases.move(ws, CY, ref, "triage", "  ")
    with pytest.raises(QueryError, match=r"stage: .* a decision is recorded from 'assessment'"):
        cases.decide(ws, CY, ref, outcome="management_advice", reason="words")
    with pytest.raises(PermissionDenied, match=r"reviewer: .* assigned to cy"):
        cases.move(ws, ED, ref, "triage", "I'll take it")
    case = cases.get_case(ws, ref)
    assert case["stage"] == "new" and case["transitions"] == []  # nothing half-written


def test_opening_refuses_what_is_not_there_or_not_about_the_subject(ws: Workspace) -> None:
    with pytest.raises(QueryError, match="flags: no flag with id 'nope'"):
        open_b(ws, flags=["nope"])
    with pytest.raises(QueryError, match="flags: flag F-D1 is about officer D"):
        open_b(ws, subjects=["B"], flags=["F-D1"])
    with pytest.raises(QueryError, match="subjects: no officer 'ZZ'"):
        open_b(ws, subjects=["ZZ"], flags=[])
    with pytest.raises(QueryError, match="evidence: no node 'Record:none'"):
        open_b(ws, evidence=["Record:none"])
    with pytest.raises(conflicts.Conflicted, match="review this case: officer B is below you"):
        open_b(ws, ANN)
    with pytest.raises(PermissionDenied, match="reviewer: dora has no token naming their officer id"):
        open_b(ws, reviewer="dora")
    assert cases.review(ws).cases() == []
    ws.meta.create_token("dora", "investigator", officer_id="D")
    mask = Masker.for_look(ws, CY)  # cases are shown pseudonymised
    assert open_b(ws, reviewer="dora")["reviewer_officer_id"] == mask.officer("D")
    group = open_b(ws, ED, subjects=["B", mask.officer("D")], flags=["F-B1", "F-D1"])  # a pseudonym works too
    assert (group["subjects"], group["reviewer"]) == ([mask.officer("B"), mask.officer("D")], "ed")
    with pytest.raises(conflicts.Conflicted, match="officer D is below you"):  # C manages D
        open_b(ws, subjects=["B", "D"], flags=["F-B1", "F-D1"])


def test_no_further_action_needs_its_reason_kind(ws: Workspace) -> None:
    ref = open_b(ws)["case_ref"]
    to_assessment(ws, ref)
    with pytest.raises(QueryError, match="reason_kind: No further action needs one of innocent_explanation"):
        cases.decide(ws, CY, ref, outcome="no_further_action", reason="fine")
    with pytest.raises(
        QueryError, match=r"explanation: 'busy' is not a known innocent explanation.*manager_approved"
    ):
        cases.decide(
            ws,
            CY,
            ref,
            outcome="no_further_action",
            reason="fine",
            reason_kind="innocent_explanation",
            explanation="busy",
        )
    with pytest.raises(QueryError, match="outcome: 'sacked' is not an outcome"):
        cases.decide(ws, CY, ref, outcome="sacked", reason="x")
    d = cases.decide(
        ws,
        CY,
        ref,
        outcome="no_further_action",
        reason="the rota shows the sergeant approved",
        reason_kind="innocent_explanation",
        explanation="manager_approved",
    )
    assert (d["state"], d["explanation"], d["correction_needed"]) == ("final", "manager_approved", False)
    assert cases.get_case(ws, ref)["stage"] == "decided"
    # reopening: by the reviewer, with a reason, then back to assessment
    cases.move(ws, CY, ref, "reopened", "new evidence")
    cases.move(ws, CY, ref, "assessment", "look again")
    d = cases.decide(
        ws, CY, ref, outcome="no_further_action", reason="shift row wrong", reason_kind="source_data_wrong"
    )
    assert d["correction_needed"] is True


def test_unmasking_is_the_reviewers_act_per_case(ws: Workspace) -> None:
    ref = open_b(ws)["case_ref"]
    admin = person("root", "admin", None)
    with pytest.raises(PermissionDenied, match=r"reviewer: only case .* assigned reviewer"):
        cases.unmask(ws, admin, ref, "curious")
    with pytest.raises(QueryError, match="reason: unmasking needs a reason"):
        cases.unmask(ws, CY, ref, " ")
    assert ws.meta.unmask_grants() == []
    grants = cases.unmask(ws, CY, ref, "to check the rota with the unit")
    assert [(g["user"], g["subject_id"], g["case_ref"]) for g in grants] == [("cy", "B", ref)]
    assert (
        ws.meta.unmasked("cy", case_ref=ref) == {"B"} and ws.meta.unmasked("cy", case_ref="RC-other") == set()
    )
    assert cases.show(ws, CY, ref)["unmasked_by"][0]["reason"] == "to check the rota with the unit"
    rec = [r for r in ws.audit.records() if r["action"] == "case_unmask"]
    assert rec[0]["who"] == "cy" and rec[0]["case_ref"] == ref


# ---- through the API (embedded store) ---------------------------------------------------

USERS = {
    "cy": ("investigator", "C"),
    "ed": ("appropriate_authority", "E"),
    "ann": ("appropriate_authority", "A"),
    "root": ("admin", None),
    "noid": ("investigator", None),
    "bob": ("investigator", "B"),
    "sar": ("subject_access", None),
    "dee": ("appropriate_authority", "D"),
}
"""API users: name to role and officer id (see the fixture's officers above)."""


@pytest.fixture
def api_settings(tmp_path: Path) -> Settings:
    s = embedded_settings(tmp_path)
    with Workspace(s, write=True) as w:
        load_review_fixture(w.store)
    return s


@pytest.fixture
def api_tokens(api_settings: Settings) -> dict[str, str]:
    meta = MetaStore(api_settings.data_dir)
    try:
        return {u: meta.create_token(u, role, officer_id=o).secret for u, (role, o) in USERS.items()}
    finally:
        meta.close()


@pytest.fixture
def client(api_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(api_settings)) as c:
        yield c


def as_user(tokens: dict[str, str], user: str, case_ref: str | None = None) -> dict[str, str]:
    return auth(tokens[user], "case review", case_ref)


def api_case_to_assessment(c: TestClient, tokens: dict[str, str]) -> str:
    r = c.post(
        "/api/v1/cases", json={"flags": ["F-B1"], "notes": "weekly flags"}, headers=as_user(tokens, "cy")
    )
    assert r.status_code == 201, r.text
    ref = str(r.json()["case_ref"])
    for to in ("triage", "assessment"):
        r = c.post(
            f"/api/v1/cases/{ref}/transitions",
            json={"to": to, "reason": f"on to {to}"},
            headers=as_user(tokens, "cy"),
        )
        assert r.status_code == 201, r.text
    return ref


def test_api_case_flow(client: TestClient, api_tokens: dict[str, str], api_settings: Settings) -> None:
    r = client.post("/api/v1/cases", json={"flags": ["F-B1"]}, headers=as_user(api_tokens, "cy"))
    assert r.status_code == 201, r.text
    ref = r.json()["case_ref"]
    assert (r.json()["subjects"], r.json()["stage"]) == ([masker(api_settings).officer("B")], "new")
    # the reviewer looks at the flag for this case, then moves it on
    assert client.get("/api/v1/flags/F-B1", headers=as_user(api_tokens, "cy", ref)).status_code == 200
    r = client.post(
        f"/api/v1/cases/{ref}/transitions",
        json={"to": "triage", "reason": "worth a look"},
        headers=as_user(api_tokens, "cy"),
    )
    assert r.status_code == 201 and [o["what"] for o in r.json()["opened"]] == ["F-B1"]
    client.post(
        f"/api/v1/cases/{ref}/transitions",
        json={"to": "assessment", "reason": "checked"},
        headers=as_user(api_tokens, "cy"),
    )
    r = client.post(
        f"/api/v1/cases/{ref}/unmask",
        json={"reason": "to speak to the unit"},
        headers=as_user(api_tokens, "cy"),
    )
    assert r.status_code == 201 and r.json()[0]["subject_id"] == "B"
    r = client.post(
        f"/api/v1/cases/{ref}/decision",
        json={"outcome": "misconduct_meeting", "reason": "9 self-approvals"},
        headers=as_user(api_tokens, "cy"),
    )
    assert r.status_code == 201 and r.json()["state"] == "proposed"
    got = client.get(f"/api/v1/cases/{ref}", headers=as_user(api_tokens, "cy")).json()
    assert (got["outcome"], got["outcome_status"]) == ("misconduct_meeting", "proposed")

    signoff = {"approve": True, "reason": "agreed: a misconduct meeting"}
    r = client.post(f"/api/v1/cases/{ref}/signoff", json=signoff, headers=as_user(api_tokens, "cy"))
    assert r.status_code == 403 and "may not sign off" in r.json()["detail"]  # investigators cannot
    r = client.post(f"/api/v1/cases/{ref}/signoff", json=signoff, headers=as_user(api_tokens, "ann"))
    assert r.status_code == 403 and "conflict of interest" in r.json()["detail"]  # B's manager
    r = client.post(f"/api/v1/cases/{ref}/signoff", json=signoff, headers=as_user(api_tokens, "ed"))
    assert r.status_code == 201, r.text
    got = client.get(f"/api/v1/cases/{ref}", headers=as_user(api_tokens, "ed")).json()
    assert (got["stage"], got["outcome_status"], got["signoffs"][0]["who"]) == ("decided", "decided", "ed")
    assert got["unmasked_by"][0]["user"] == "cy"

    queue = client.get("/api/v1/cases", params={"stage": "decided"}, headers=as_user(api_tokens, "ed")).json()
    assert [c["case_ref"] for c in queue] == [ref]
    assert (
        client.get("/api/v1/cases", params={"reviewer": "ed"}, headers=as_user(api_tokens, "ed")).json() == []
    )
    r = client.get("/api/v1/audit/verify", headers=as_user(api_tokens, "root"))
    assert r.json()["ok"] is True
    meta = MetaStore(api_settings.data_dir)
    try:
        assert meta.unmasked("cy", case_ref=ref) == {"B"} and meta.unmasked("root") == set()
    finally:
        meta.close()


def test_api_refusals_name_the_field(client: TestClient, api_tokens: dict[str, str]) -> None:
    h = as_user(api_tokens, "cy")
    r = client.post("/api/v1/cases", json={"flags": ["nope"]}, headers=h)
    assert r.status_code == 400 and r.json()["detail"].startswith("flags: no flag with id 'nope'")
    r = client.post("/api/v1/cases", json={"flags": ["F-B1"]}, headers=as_user(api_tokens, "noid"))
    assert r.status_code == 403 and "--officer-id" in r.json()["detail"]
    ref = client.post("/api/v1/cases", json={"flags": ["F-B1"]}, headers=h).json()["case_ref"]
    r = client.post(f"/api/v1/cases/{ref}/transitions", json={"to": "assessment", "reason": "x"}, headers=h)
    assert r.status_code == 400 and r.json()["detail"].startswith("to: ")
    r = client.post(f"/api/v1/cases/{ref}/transitions", json={"to": "triage"}, headers=h)
    assert r.status_code == 400 and r.json()["detail"].startswith("reason: ")
    r = client.post(f"/api/v1/cases/{ref}/unmask", json={}, headers=h)
    assert r.status_code == 400 and r.json()["detail"].startswith("reason: ")
    r = client.post(
        f"/api/v1/cases/{ref}/unmask",
        json={"reason": "admin's curiosity"},
        headers=as_user(api_tokens, "root"),
    )
    assert r.status_code == 403 and r.json()["detail"].startswith("reviewer: ")
    assert client.get("/api/v1/cases/RC-1999-0001", headers=h).status_code == 404
    r = client.post(f"/api/v1/cases/{ref}/signoff", json={"reason": "x"}, headers=as_user(api_tokens, "ed"))
    assert r.status_code == 400 and r.json()["detail"].startswith("decision: ")
    r = client.get("/api/v1/cases", params={"stage": "limbo"}, headers=h)
    assert r.status_code == 400 and r.json()["detail"].startswith("stage: ")
    got = client.get(f"/api/v1/cases/{ref}", headers=h).json()
    assert (got["stage"], got["transitions"], got["unmasked_by"]) == ("new", [], [])


def test_api_overdue_queue(client: TestClient, api_tokens: dict[str, str], api_settings: Settings) -> None:
    h = as_user(api_tokens, "cy")
    late = client.post("/api/v1/cases", json={"flags": ["F-B1"]}, headers=h).json()["case_ref"]
    client.post("/api/v1/cases", json={"flags": ["F-B1"]}, headers=h)
    meta = MetaStore(api_settings.data_dir)
    try:
        with meta.transaction() as con:
            con.execute("UPDATE review_cases SET due_date = '2020-01-01' WHERE case_ref = ?", (late,))
    finally:
        meta.close()
    got = client.get("/api/v1/cases", params={"overdue": "true"}, headers=h).json()
    assert [(c["case_ref"], c["overdue"]) for c in got] == [(late, True)]
    assert got[0]["days_left"] < 0


@pytest.mark.parametrize("role", sorted({r for r, _ in USERS.values()} | {"analyst", "auditor"}))
def test_api_case_permissions(client: TestClient, api_settings: Settings, role: str) -> None:
    """Each role reaches the case endpoints its permissions allow (403 otherwise)."""
    from api.ops.look import MATRIX

    meta = MetaStore(api_settings.data_dir)
    try:
        token = meta.create_token(f"{role}-x", role, officer_id="E").secret
    finally:
        meta.close()
    h = auth(token, "case review")
    r = client.get("/api/v1/cases", headers=h)
    assert r.status_code == (200 if "cases.review" in MATRIX[role] else 403), r.text
    r = client.post("/api/v1/cases/RC-1999-0001/signoff", json={"reason": "x"}, headers=h)
    assert r.status_code == (404 if "cases.signoff" in MATRIX[role] else 403), r.text
    r = client.post("/api/v1/cases/RC-1999-0001/transitions", json={"to": "triage", "reason": "x"}, headers=h)
    assert r.status_code == (404 if "cases.review" in MATRIX[role] else 403), r.text


# ---- the command line (embedded store) ---------------------------------------------------


def test_cli_case_and_challenge(api_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from api.cli import app

    for k in [k for k in os.environ if k.startswith("LINKWATCH_")]:
        monkeypatch.delenv(k)
    monkeypatch.setenv("LINKWATCH_DATA_DIR", str(api_settings.data_dir))
    monkeypatch.setenv("LINKWATCH_BUFFER_POOL_MB", "256")
    monkeypatch.setenv("LINKWATCH_PURPOSE", "tests of the command line")
    runner = CliRunner()

    def run(*args: str) -> Any:
        return runner.invoke(app, list(args))

    res = run("case", "open", "--flag", "F-B1")
    assert res.exit_code == 2 and "--officer-id" in res.output  # the local user's officer id is needed
    res = run("case", "open", "--flag", "F-B1", "--officer-id", "C", "--notes", "weekly flags")
    assert res.exit_code == 0, res.output
    ref = res.output.split()[0]
    assert ref.startswith("RC-") and "stage new" in res.output
    for to in ("triage", "assessment"):
        res = run("case", "move", ref, "--to", to, "--reason", f"on to {to}", "--officer-id", "C")
        assert res.exit_code == 0 and f"→ {to}" in res.output, res.output
    res = run("case", "move", ref, "--to", "new", "--reason", "back", "--officer-id", "C")
    assert res.exit_code == 2 and "to: " in res.output
    res = run("case", "unmask", ref, "--officer-id", "C")
    assert res.exit_code == 2 and "reason: " in res.output
    res = run("case", "unmask", ref, "--reason", "to call the unit", "--officer-id", "C")
    assert res.exit_code == 0 and "unmasked B" in res.output
    res = run(
        "case", "decide", ref, "--outcome", "misconduct_meeting", "--reason", "pattern", "--officer-id", "C"
    )
    assert res.exit_code == 0 and "(proposed)" in res.output, res.output
    res = run("case", "signoff", ref, "--reason", "mine", "--officer-id", "C")
    assert res.exit_code == 2 and "second person" in res.output
    res = run("case", "list", "--format", "json")
    assert json.loads(res.output.splitlines()[0])["outcome_status"] == "proposed"
    res = run("case", "show", ref)
    assert "Misconduct assessment (meeting) (proposed)" in res.output

    res = run("challenge", "lodge", "--flag", "F-B1", "--text", "not what happened", "--subject", "B")
    assert res.exit_code == 0 and "lodged for B" in res.output, res.output
    cid = res.output.split()[0]
    res = run("challenge", "decide", cid, "--reject", "--reason", "rota", "--officer-id", "C")
    assert res.exit_code == 2 and "independent of the case's reviewers" in res.output
    res = run("challenge", "list", "--format", "json")
    assert json.loads(res.output.splitlines()[0])["days_left"] == 30


def test_case_pages_and_the_unmask_prompt(client: TestClient, api_tokens: dict[str, str]) -> None:
    ref = api_case_to_assessment(client, api_tokens)
    r = client.post(
        "/ui/session", json={"token": api_tokens["cy"], "purpose": "case review", "case_ref": ref}
    )
    assert r.status_code == 200
    page = client.get("/ui/cases")
    assert page.status_code == 200 and f'href="/ui/cases/{ref}"' in page.text and "Cases</a>" in page.text
    page = client.get(f"/ui/cases/{ref}")
    assert page.status_code == 200
    assert 'id="unmask-form"' in page.text and "Why do you need the name?" in page.text
    assert 'id="decide-form"' in page.text and "manager_approved" in page.text  # the detector's look-alikes
    # the prompt posts the reason with the page's cookies; without one it is refused
    r = client.post(f"/api/v1/cases/{ref}/unmask", json={"reason": ""})
    assert r.status_code == 400 and r.json()["detail"].startswith("reason: ")
    r = client.post(f"/api/v1/cases/{ref}/unmask", json={"reason": "to call the unit"})
    assert r.status_code == 201
    page = client.get(f"/ui/cases/{ref}")
    assert "unmasked B" in page.text and "to call the unit" in page.text
    client.post("/ui/session", json={"token": api_tokens["sar"], "purpose": "x"})
    assert client.get(f"/ui/cases/{ref}").status_code == 403
