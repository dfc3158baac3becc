"""Review cases: open one about an officer (or a group) from their flags, move it through
its stages with written reasons, record a decision, have a serious one signed off by a
second person, and unmask the case's subject.

The stages, the moves between them, the outcomes and who may approve are the policy
declared in ``graph/review.yaml`` (:data:`graph.review.POLICY`); the records are in the
metadata store (:class:`graph.review.ReviewStore`). Every action is checked first and
then written in one transaction, then audited with the case's reference. Nothing moves
on its own: every move after opening is a person's, with a reason.

Each move and decision lists what its maker opened for the case since the move before:
the audit records they made with this case's reference (``X-Case-Ref`` / ``--case``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any

from api.ops import flags as flag_ops
from api.ops.conflicts import check_independent
from api.ops.look import CLI_ROLE, Look
from api.ops.pseudonyms import Masker
from graph.corrections import Corrections
from graph.errors import NodeNotFound, NotFound, QueryError
from graph.meta import PermissionDenied, Principal
from graph.model import MODEL
from graph.review import POLICY, ReviewStore
from graph.workspace import Workspace
from queries.detectors import DETECTORS

STEP_ACTIONS = ("case_open", "case_move", "case_decide", "case_signoff")
"""Audit actions that start a new stretch of a case's work (what is opened after one
belongs to the next move)."""


class CaseNotFound(NotFound):
    """No review case has that reference."""


def review(ws: Workspace) -> ReviewStore:
    """The review records of the workspace's metadata store."""
    return ReviewStore(ws.meta)


def required(value: str | None, field: str, what: str) -> str:
    """``value`` trimmed, or :class:`QueryError` naming ``field`` when it is blank."""
    text = (value or "").strip()
    if not text:
        raise QueryError(f"{field}: {what}")
    return text


def case_look(look: Look, case_ref: str) -> Look:
    """The look of an action on a case: recorded with the case's reference (and, when no
    purpose was stated, the review of the case as its purpose)."""
    return dataclasses.replace(look, case_ref=case_ref, purpose=look.purpose or f"review case {case_ref}")


def actor(look: Look) -> tuple[str, str, str | None]:
    """Who acts, as the records keep it: user name, role and officer id."""
    return look.who.user, look.who.role, look.who.officer_id


def may_approve(who: Principal) -> bool:
    """Whether ``who`` holds a role that may sign off a serious outcome (the command
    line's local user has every permission)."""
    return who.role in POLICY.approving_roles or who.role == CLI_ROLE


def get_case(ws: Workspace, case_ref: str) -> dict[str, Any]:
    """The case's record (:class:`CaseNotFound` for an unknown reference)."""
    found = review(ws).case(case_ref)
    if found is None:
        raise CaseNotFound(f"no review case {case_ref!r}")
    return found


# ---- reading ---------------------------------------------------------------------------


def pending(case: dict[str, Any]) -> dict[str, Any] | None:
    """The case's decision awaiting sign-off, if any."""
    return next((d for d in reversed(case["decisions"]) if d["state"] == "proposed"), None)


def touches(challenge: dict[str, Any], case: dict[str, Any]) -> bool:
    """Whether a challenge touches a case: it is of one of the case's flags, or of a
    source fact about one of its subjects."""
    if challenge["flag_id"] is not None:
        return challenge["flag_id"] in case["flags"]
    return challenge["subject_id"] in case["subjects"]


def next_moves(case: dict[str, Any]) -> list[str]:
    """The stages a person may move the case to now (by a move, not a decision; none
    while an outcome awaits sign-off)."""
    if pending(case):
        return []
    return [s for s in POLICY.moves(case["stage"]) if s != POLICY.decided_stage]


def open_challenges(ws: Workspace, case: dict[str, Any]) -> list[dict[str, Any]]:
    """The open challenges that touch a case (they pause its escalation)."""
    return [c for c in review(ws).challenges(state="open") if touches(c, case)]


def case_out(ws: Workspace, case: dict[str, Any], today: dt.date | None = None) -> dict[str, Any]:
    """A case as people read it: its record, the days left to its due date, whether it is
    overdue, its current outcome (``proposed`` until signed off), the open challenges that
    pause it, who unmasked its subject, and why any of its flags retired (``retired after
    correction N``)."""
    today = today or dt.date.today()
    out = dict(case)
    days = (dt.date.fromisoformat(case["due_date"]) - today).days
    decided = case["stage"] == POLICY.decided_stage
    out["days_left"] = days
    out["overdue"] = days < 0 and not decided
    current = next((d for d in reversed(case["decisions"]) if d["state"] != "declined"), None)
    out["outcome"] = current["outcome"] if current and (decided or current["state"] == "proposed") else None
    out["outcome_label"] = POLICY.outcome(out["outcome"]).label if out["outcome"] else None
    out["outcome_status"] = (
        ("proposed" if current and current["state"] == "proposed" else "decided") if out["outcome"] else None
    )
    out["open_challenges"] = [c["challenge_id"] for c in open_challenges(ws, case)]
    out["retired_flags"] = Corrections(ws.meta).retirements(case["flags"])
    out["unmasked_by"] = [
        {k: g[k] for k in ("user", "subject_id", "reason", "at")}
        for g in ws.meta.unmask_grants(case_ref=case["case_ref"])
    ]
    return out


def show(ws: Workspace, look: Look, case_ref: str) -> dict[str, Any]:
    """One case with its history (audited as ``case``), its officers pseudonymised for
    the looker (:mod:`api.ops.pseudonyms`)."""
    case = case_out(ws, get_case(ws, case_ref))
    case_look(look, case_ref).record(ws.audit, "case", case_ref, result_size=1)
    return Masker.for_look(ws, look).case(case)


def list_cases(
    ws: Workspace,
    look: Look,
    *,
    stage: str | None = None,
    reviewer: str | None = None,
    overdue: bool = False,
) -> list[dict[str, Any]]:
    """The review queue: cases by reference, filtered by stage, reviewer and whether they
    are past their due date (audited as ``cases``), officers pseudonymised for the looker."""
    if stage is not None and stage not in POLICY.stages:
        raise QueryError(f"stage: {stage!r} is not a stage; one of {', '.join(POLICY.stages)}")
    found = [case_out(ws, c) for c in review(ws).cases(stage=stage, reviewer=reviewer)]
    if overdue:
        found = [c for c in found if c["overdue"]]
    look.record(
        ws.audit,
        "cases",
        "review cases",
        params={"stage": stage, "reviewer": reviewer, "overdue": overdue},
        result_size=len(found),
    )
    mask = Masker.for_look(ws, look)
    return [mask.case(c) for c in found]


def opened_since(ws: Workspace, look: Look, case_ref: str) -> list[dict[str, Any]]:
    """What ``look``'s person opened for this case since its last step: their audit
    records with the case's reference after the case's last open, move, decision or
    sign-off (the case's own records left out)."""
    opened: list[dict[str, Any]] = []
    for rec in ws.audit.records():
        if rec.get("case_ref") != case_ref:
            continue
        action = str(rec.get("action", ""))
        if action in STEP_ACTIONS:
            opened = []
        elif (
            rec.get("who") == look.who.user
            and not action.startswith(("case", "challenge"))
            and action != "failed"  # a refused request opened nothing
        ):
            opened.append({"seq": rec["seq"], "action": action, "what": rec.get("what"), "at": rec.get("at")})
    return opened


# ---- opening ---------------------------------------------------------------------------


def _officers_exist(ws: Workspace, ids: Iterable[str]) -> None:
    for o in ids:
        try:
            ws.store.node(MODEL.uid("Officer", o))
        except NodeNotFound:
            raise QueryError(f"subjects: no officer {o!r} in the HR data") from None


def _flags_about(ws: Workspace, flag_ids: Iterable[str], subjects: list[str]) -> list[dict[str, Any]]:
    found = []
    for fid in flag_ids:
        try:
            flag = flag_ops.one(ws, fid)
        except NotFound:
            raise QueryError(f"flags: no flag with id {fid!r}") from None
        if subjects and flag["officer_id"] not in subjects:
            raise QueryError(
                f"flags: flag {fid} is about officer {flag['officer_id']}, not the case's subject(s) "
                f"{', '.join(subjects)}"
            )
        found.append(flag)
    return found


def _evidence_items(ws: Workspace, items: Iterable[str]) -> list[str]:
    """Evidence items, trimmed; one that names a graph node (``Label:key``) must exist."""
    out = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        label = item.split(":", 1)[0]
        if ":" in item and label in MODEL.labels:
            try:
                ws.store.node(item)
            except NodeNotFound:
                raise QueryError(f"evidence: no node {item!r} in the graph") from None
        out.append(item)
    return out


def reviewer_officer_id(ws: Workspace, look: Look, reviewer: str) -> str | None:
    """The assigned reviewer's officer id: the caller's own when they assign themselves,
    else the one the reviewer's live tokens name (:class:`PermissionDenied` if none does,
    :class:`QueryError` if they name several)."""
    if reviewer == look.who.user:
        return look.who.officer_id
    named = {
        t["officer_id"]
        for t in ws.meta.tokens()
        if t["user"] == reviewer and t["officer_id"] and t["revoked_at"] is None
    }
    if not named:
        raise PermissionDenied(
            f"reviewer: {reviewer} has no token naming their officer id, so conflicts of interest cannot "
            "be checked; make their token with --officer-id"
        )
    if len(named) > 1:
        raise QueryError(
            f"reviewer: {reviewer}'s tokens name different officer ids ({', '.join(sorted(named))})"
        )
    return named.pop()


def open_case(
    ws: Workspace,
    look: Look,
    *,
    subjects: list[str],
    flags: list[str],
    reviewer: str | None = None,
    due_date: dt.date | None = None,
    notes: str | None = None,
    evidence: list[str] | None = None,
) -> dict[str, Any]:
    """Open a review case about one officer or a group, from their flags.

    ``subjects`` default to the flags' officers; every flag must exist and be about a
    subject. The reviewer (default: the caller) must be independent of every subject
    (:func:`api.ops.conflicts.check_independent`). The case opens in the first stage.
    A subject may be given by pseudonym; the case is returned pseudonymised for the
    looker, like every case (:mod:`api.ops.pseudonyms`)."""
    mask = Masker.for_look(ws, look)
    subjects = sorted({str(mask.resolve(s.strip())) for s in subjects if s.strip()})
    flag_ids = sorted({f.strip() for f in flags if f.strip()})
    if not subjects and not flag_ids:
        raise QueryError("subjects: a case needs a subject officer or a flag about one")
    found = _flags_about(ws, flag_ids, subjects)
    subjects = subjects or sorted({f["officer_id"] for f in found})
    _officers_exist(ws, subjects)
    items = _evidence_items(ws, evidence or [])
    reviewer = (reviewer or look.who.user).strip()
    officer = reviewer_officer_id(ws, look, reviewer)
    check_independent(ws.store, Principal(reviewer, "", officer_id=officer), subjects, "review this case")
    today = dt.date.today()
    due = due_date or today + dt.timedelta(days=POLICY.case_due_days)
    if due < today:
        raise QueryError(f"due_date: {due.isoformat()} is in the past")
    case = review(ws).open_case(
        subjects=subjects,
        flags=flag_ids,
        evidence=items,
        reviewer=reviewer,
        reviewer_officer_id=officer,
        due_date=due.isoformat(),
        notes=(notes or "").strip() or None,
        who=(look.who.user, look.who.role),
        year=today.year,
    )
    case_look(look, case["case_ref"]).record(
        ws.audit,
        "case_open",
        case["case_ref"],
        params={"subjects": subjects, "flags": flag_ids, "reviewer": reviewer, "due_date": case["due_date"]},
        result_size=1,
    )
    return mask.case(case_out(ws, case))


# ---- moving ----------------------------------------------------------------------------


def _check_reviewer(ws: Workspace, look: Look, case: dict[str, Any], acting: str) -> str:
    """The acting person's officer id, if they are the case's reviewer and independent."""
    if look.who.user != case["reviewer"]:
        raise PermissionDenied(
            f"reviewer: case {case['case_ref']} is assigned to {case['reviewer']}; only they may {acting}"
        )
    return check_independent(ws.store, look.who, case["subjects"], acting)


def _check_move(case: dict[str, Any], to: str) -> None:
    stage = case["stage"]
    if to not in POLICY.stages:
        raise QueryError(f"to: {to!r} is not a stage; one of {', '.join(POLICY.stages)}")
    if to == POLICY.decided_stage:
        raise QueryError(f"to: a case is {to} by recording a decision (its outcome), not by a move")
    if to not in POLICY.moves(stage):
        allowed = [s for s in POLICY.moves(stage) if s != POLICY.decided_stage]
        raise QueryError(
            f"to: case {case['case_ref']} is in stage {stage!r}, which moves to "
            f"{' or '.join(allowed) or 'nothing'} (not {to!r})"
        )
    if pending(case):
        raise QueryError(
            f"to: case {case['case_ref']} has an outcome awaiting sign-off; it is signed off or declined first"
        )


def move(ws: Workspace, look: Look, case_ref: str, to: str, reason: str | None) -> dict[str, Any]:
    """Move a case to another stage, with a written reason, by its reviewer (or, to reopen
    a decided case, by someone holding an approving role). Records who, role, when, the
    reason and what the mover opened since the last step."""
    case = get_case(ws, case_ref)
    text = required(reason, "reason", "a move needs a written reason")
    _check_move(case, to)
    if case["stage"] == POLICY.decided_stage and may_approve(look.who) and look.who.user != case["reviewer"]:
        check_independent(ws.store, look.who, case["subjects"], "reopen this case")
    else:
        _check_reviewer(ws, look, case, "move this case")
    step = review(ws).move(
        case_ref,
        from_stage=case["stage"],
        to_stage=to,
        who=actor(look),
        reason=text,
        opened=opened_since(ws, look, case_ref),
    )
    case_look(look, case_ref).record(
        ws.audit,
        "case_move",
        case_ref,
        params={
            "from": case["stage"],
            "to": to,
            "reason": text,
            "opened": [o["seq"] for o in step["opened"]],
        },
        result_size=1,
    )
    return step


# ---- deciding --------------------------------------------------------------------------


def innocent_explanations(ws: Workspace, case: dict[str, Any]) -> dict[str, str]:
    """The known innocent explanations (method-card look-alikes) of the case's flags'
    detectors: name to description."""
    out: dict[str, str] = {}
    for fid in case["flags"]:
        d = DETECTORS.get(flag_ops.one(ws, fid)["detector"])
        if d is not None:
            out.update({la.name: la.description for la in d.card.lookalikes})
    return out


def _decision(
    ws: Workspace,
    case: dict[str, Any],
    outcome: str,
    reason: str,
    reason_kind: str | None,
    explanation: str | None,
) -> dict[str, Any]:
    """The decision to record, checked against the policy (:class:`QueryError` naming the field)."""
    o = POLICY.outcome(outcome)
    kind = (reason_kind or "").strip() or None
    explanation = (explanation or "").strip() or None
    if o.reason_kinds and kind not in o.reason_kinds:
        raise QueryError(f"reason_kind: {o.label} needs one of {', '.join(o.reason_kinds)}")
    if not o.reason_kinds and kind is not None:
        raise QueryError(f"reason_kind: {o.label} takes no reason kind")
    if kind == "innocent_explanation":
        known = innocent_explanations(ws, case)
        if explanation not in known:
            raise QueryError(
                f"explanation: {explanation!r} is not a known innocent explanation of the case's detectors; "
                f"one of {', '.join(sorted(known)) or '(none: their method cards name none)'}"
            )
    return {
        "outcome": o.key,
        "reason_kind": kind,
        "explanation": explanation,
        "reason": reason,
        "correction_needed": kind == "source_data_wrong",
        "state": "proposed" if o.sign_off else "final",
    }


def _not_paused(ws: Workspace, case: dict[str, Any], what: str) -> None:
    found = open_challenges(ws, case)
    if found:
        raise QueryError(
            f"outcome: {what} is paused while a challenge is open ({', '.join(c['challenge_id'] for c in found)}, "
            "by the subject, of one of the case's flags or of a fact about them); it is decided first"
        )


def decide(
    ws: Workspace,
    look: Look,
    case_ref: str,
    *,
    outcome: str,
    reason: str | None,
    reason_kind: str | None = None,
    explanation: str | None = None,
) -> dict[str, Any]:
    """Record the case's outcome, by its reviewer, from the assessment stage.

    A serious outcome (``sign_off`` in the policy) is *proposed* and the case stays in
    assessment until a second person signs it off (:func:`sign_off`); it cannot be
    proposed while a challenge touching the case is open. Any other outcome decides the
    case. No further action names its reason kind (a detector's known innocent
    explanation, source data wrong, which records that a correction is needed, or other)."""
    case = get_case(ws, case_ref)
    text = required(reason, "reason", "a decision needs a written reason")
    if case["stage"] != POLICY.decision_from:
        raise QueryError(
            f"stage: case {case_ref} is in stage {case['stage']!r}; a decision is recorded from {POLICY.decision_from!r}"
        )
    if pending(case):
        raise QueryError(f"outcome: case {case_ref} already has an outcome awaiting sign-off")
    decision = _decision(ws, case, outcome, text, reason_kind, explanation)
    if decision["state"] == "proposed":
        _not_paused(ws, case, f"proposing {POLICY.outcome(outcome).label}")
    _check_reviewer(ws, look, case, "decide this case")
    rec = review(ws).decide(
        case_ref,
        decision=decision,
        who=actor(look),
        opened=opened_since(ws, look, case_ref),
        move_to=None if decision["state"] == "proposed" else POLICY.decided_stage,
    )
    case_look(look, case_ref).record(
        ws.audit,
        "case_decide",
        case_ref,
        params={k: decision[k] for k in ("outcome", "reason_kind", "explanation", "reason", "state")},
        result_size=1,
    )
    return rec


def sign_off(
    ws: Workspace, look: Look, case_ref: str, *, approve: bool, reason: str | None
) -> dict[str, Any]:
    """A second person signs off (or declines) the outcome proposed for a case: someone
    other than its proposer, holding an approving role, independent of its subjects, and
    not while a challenge touching the case is open. Signed off, the case is decided;
    declined, it stays in assessment for a new decision."""
    case = get_case(ws, case_ref)
    text = required(reason, "reason", "a sign-off needs a written reason")
    proposed = pending(case)
    if proposed is None:
        raise QueryError(f"decision: case {case_ref} has no outcome awaiting sign-off")
    if not may_approve(look.who):
        raise PermissionDenied(
            f"role: {look.who.role!r} may not sign off an outcome; approving roles: {', '.join(POLICY.approving_roles)}"
        )
    if look.who.user == proposed["who"]:
        raise PermissionDenied(
            f"who: {look.who.user} proposed this outcome; a second person signs it off (two-person rule)"
        )
    if approve:
        _not_paused(ws, case, f"signing off {POLICY.outcome(proposed['outcome']).label}")
    check_independent(ws.store, look.who, case["subjects"], "sign off this case")
    rec = review(ws).sign_off(
        case_ref,
        decision_seq=proposed["seq"],
        approved=approve,
        reason=text,
        who=actor(look),
        move=(case["stage"], POLICY.decided_stage) if approve else None,
    )
    case_look(look, case_ref).record(
        ws.audit,
        "case_signoff",
        case_ref,
        params={
            "decision": proposed["seq"],
            "outcome": proposed["outcome"],
            "approved": approve,
            "reason": text,
        },
        result_size=1,
    )
    return rec


# ---- unmasking -------------------------------------------------------------------------


def _may_unmask(look: Look, case: dict[str, Any]) -> bool:
    """The case's reviewer may; so may the person signing off its proposed outcome."""
    if look.who.user == case["reviewer"]:
        return True
    proposed = pending(case)
    return proposed is not None and may_approve(look.who) and look.who.user != proposed["who"]


def unmask(
    ws: Workspace, look: Look, case_ref: str, reason: str | None, subject_id: str | None = None
) -> list[dict[str, Any]]:
    """Unmask a case's subject (or each of a group's, or the one named) for the caller,
    within this case only: the assigned reviewer, or the person signing off its proposed
    outcome, with a reason. Kept as an unmasking grant and audited; an admin has no way
    round it."""
    case = get_case(ws, case_ref)
    text = required(reason, "reason", "unmasking needs a reason (it is kept with your name)")
    if subject_id is not None:  # given by its pseudonym, most likely
        subject_id = Masker.for_look(ws, look).resolve(subject_id)
    if subject_id is not None and subject_id not in case["subjects"]:
        raise QueryError(f"subject_id: officer {subject_id!r} is not a subject of case {case_ref}")
    if not _may_unmask(look, case):
        raise PermissionDenied(
            f"reviewer: only case {case_ref}'s assigned reviewer ({case['reviewer']}), or the person signing off "
            "its proposed outcome, may unmask its subject"
        )
    check_independent(ws.store, look.who, case["subjects"], "unmask this case's subject")
    grants = [
        ws.meta.grant_unmask(case_ref, look.who, s, text)
        for s in ([subject_id] if subject_id else case["subjects"])
    ]
    case_look(look, case_ref).record(
        ws.audit,
        "case_unmask",
        case_ref,
        params={"subjects": [g["subject_id"] for g in grants], "reason": text},
        result_size=len(grants),
    )
    return grants
