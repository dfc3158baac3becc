"""Challenges: the subject (or the subject-access role on their behalf) disputes a flag
("this is not what happened") or a source fact ("I was on approved leave that day").

A challenge is checked before it is kept: the flag must exist; a fact names a table and
field of the source contract (:mod:`graph.contract`) and a row that exists (in the graph
for entity tables, in the event store for event tables) and is about the subject. It
has a deadline (the day it is lodged plus ``challenge_days``, 30 by default) and, while
open, pauses the escalation of every case it touches (:func:`api.ops.cases.decide`,
:func:`api.ops.cases.sign_off`). It is decided, upheld or rejected with a reason, by
someone holding ``challenges.decide`` who is not one of those cases' reviewers and
passes the conflict checks. An upheld fact challenge becomes a correction
(:func:`correct`: the corrections module applies it when it is there).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from api.ops import flags as flag_ops
from api.ops.cases import required, review, touches
from api.ops.conflicts import check_independent
from api.ops.corrections import apply_correction
from api.ops.look import CLI_ROLE, Look, allowed
from graph.contract import TABLES, Table
from graph.corrections import correctable
from graph.errors import NotFound, QueryError
from graph.events import q
from graph.meta import PermissionDenied
from graph.model import MODEL
from graph.workspace import Workspace

"""Where corrections are applied (``apply_correction(ws, look, challenge)``)."""
SEE_ALL = ("challenges.lodge", "challenges.decide", "cases.review")
"""Permissions whose holders list every challenge (others see those about themselves)."""


class ChallengeNotFound(NotFound):
    """No challenge has that id."""


def days_left(challenge: dict[str, Any], today: dt.date | None = None) -> int:
    """Days to a challenge's deadline (negative once it has passed)."""
    return (dt.date.fromisoformat(challenge["due_date"]) - (today or dt.date.today())).days


def challenge_out(challenge: dict[str, Any], today: dt.date | None = None) -> dict[str, Any]:
    """A challenge as people read it: with the days left and whether it is overdue."""
    left = days_left(challenge, today)
    return {**challenge, "days_left": left, "overdue": challenge["state"] == "open" and left < 0}


# ---- what a challenge is against -------------------------------------------------------


def _node_row(ws: Workspace, table: Table, key: str) -> dict[str, Any] | None:
    node = next((n for n in MODEL.nodes if n.source_table == table.name), None)
    if node is None:
        return None
    rows = ws.store.query(
        f"MATCH (n:{node.label}) WHERE n.{node.key} = $k AND n.retired_at IS NULL RETURN n", {"k": key}
    )
    return dict(rows[0]["n"]["properties"]) if rows else None


def _event_row(ws: Workspace, table: Table, key: str) -> dict[str, Any] | None:
    events = ws.events
    if events is None:
        return None
    assert isinstance(table.key, str)
    with contextlib.closing(events.con.cursor()) as cur:  # the server's threads ask at once
        if not events.has(table.name, con=cur):
            return None
        cur.execute(f"SELECT * FROM {q(table.name)} WHERE {q(table.key)} = ? LIMIT 1", [key])
        found = cur.fetchone()
        if found is None:
            return None
        return dict(zip([d[0] for d in cur.description], found, strict=True))


def source_row(ws: Workspace, table_name: str, row_key: str, field: str) -> dict[str, Any]:
    """The current source row a fact challenge names (:class:`QueryError` naming the field
    when the table, the field or the row is not there)."""
    table = TABLES.get(table_name)
    if table is None:
        raise QueryError(f"table: {table_name!r} is not a source table; one of {', '.join(TABLES)}")
    try:
        table.column(field)
    except KeyError:
        raise QueryError(
            f"field: {table_name} has no column {field!r}; one of {', '.join(table.names)}"
        ) from None
    if not isinstance(table.key, str):
        raise QueryError(
            f"table: rows of {table_name} have a key of several columns ({', '.join(table.key or ())}); "
            "challenge the flag instead, or a row of a table with a one-column key"
        )
    row = (_event_row if table.kind == "event" else _node_row)(ws, table, row_key)
    if row is None:
        raise QueryError(f"row_key: no current row {row_key!r} in {table_name}")
    return row


def _row_subject(table_name: str, row_key: str, row: dict[str, Any]) -> str | None:
    """The officer a source row is about (``None``: a row of no one in particular)."""
    if table_name == "officers":
        return row_key
    found = row.get("officer_id")
    return None if found is None else str(found)


def _lodger_subject(look: Look, subject_id: str | None) -> str:
    """The officer a challenge is lodged for: the caller's own officer id, or, for the
    subject-access role, the one they name."""
    named = (subject_id or "").strip() or None
    own = look.who.officer_id
    if allowed(look.who.role, "challenges.lodge"):
        if named is None and own is None:
            raise QueryError("subject_id: name the officer the challenge is lodged for")
        return named or str(own)
    if own is None:
        raise PermissionDenied(
            "subject_id: a challenge is lodged by its subject (a token naming their officer id) "
            "or by the subject-access role on their behalf"
        )
    if named is not None and named != own:
        raise PermissionDenied(f"subject_id: you may lodge challenges about yourself ({own}) only")
    return own


# ---- lodging ---------------------------------------------------------------------------


def lodge(
    ws: Workspace,
    look: Look,
    *,
    text: str | None,
    flag_id: str | None = None,
    table: str | None = None,
    row_key: str | None = None,
    field: str | None = None,
    claimed_value: str | None = None,
    subject_id: str | None = None,
) -> dict[str, Any]:
    """Lodge a challenge against a flag or a source fact (table, row key, field, the
    value claimed) with the subject's words. Its deadline is today plus the
    ``challenge_days`` setting. Audited as ``challenge_lodge``."""
    subject = _lodger_subject(look, subject_id)
    words = required(text, "text", "say what is wrong (the subject's words)")
    fact = any(v is not None for v in (table, row_key, field))
    if bool(flag_id) == fact:
        raise QueryError(
            "flag_id: a challenge is against a flag (flag_id) or a source fact (table, row_key, field)"
        )
    if flag_id:
        try:
            flag = flag_ops.one(ws, flag_id)
        except NotFound:
            raise QueryError(f"flag_id: no flag with id {flag_id!r}") from None
        about = flag["officer_id"]
        record: dict[str, str | None] = {"against": "flag", "flag_id": flag_id}
    else:
        tname = required(table, "table", "name the source table of the fact")
        key = required(row_key, "row_key", "name the row (its key) of the fact")
        col = required(field, "field", "name the field (column) of the fact")
        row = source_row(ws, tname, key, col)
        about = _row_subject(tname, key, row) or subject
        held = row.get(col)
        record = {
            "against": "fact",
            "source_table": tname,
            "row_key": key,
            "field": col,
            "claimed_value": claimed_value,
            "held_value": None if held is None else str(held),
        }
    if about != subject:
        if allowed(look.who.role, "challenges.lodge"):
            raise QueryError(f"subject_id: that {record['against']} is about officer {about}, not {subject}")
        raise PermissionDenied(
            f"subject_id: that {record['against']} is about officer {about}; you may challenge only what is "
            f"about you ({subject})"
        )
    today = dt.date.today()
    due = today + dt.timedelta(days=ws.settings.challenge_days)
    found = review(ws).lodge(
        {**record, "subject_id": subject, "text": words},
        who=(look.who.user, look.who.role),
        due_date=due.isoformat(),
        year=today.year,
    )
    look.record(
        ws.audit,
        "challenge_lodge",
        found["challenge_id"],
        params={k: v for k, v in record.items() if v is not None} | {"subject_id": subject},
        result_size=1,
        officer_id=subject,
    )
    return challenge_out(found)


# ---- reading ---------------------------------------------------------------------------


def get_challenge(ws: Workspace, challenge_id: str) -> dict[str, Any]:
    """The challenge's record (:class:`ChallengeNotFound` for an unknown id)."""
    found = review(ws).challenge(challenge_id)
    if found is None:
        raise ChallengeNotFound(f"no challenge {challenge_id!r}")
    return found


def list_challenges(
    ws: Workspace,
    look: Look,
    *,
    state: str | None = None,
    overdue: bool = False,
    subject_id: str | None = None,
) -> list[dict[str, Any]]:
    """Challenges, oldest first, with their days left; ``overdue``: only open ones past
    their deadline. Those who lodge, decide or review see all; anyone else only those
    about themselves. Audited as ``challenges``."""
    if state is not None and state not in ("open", "upheld", "rejected"):
        raise QueryError(f"state: {state!r} is not a challenge state; one of open, upheld, rejected")
    if not any(allowed(look.who.role, p) for p in SEE_ALL):
        if look.who.officer_id is None:
            raise PermissionDenied(
                f"role {look.who.role!r} may see only challenges about themselves, and their token names no officer id"
            )
        subject_id = look.who.officer_id
    found = [challenge_out(c) for c in review(ws).challenges(state=state, subject_id=subject_id)]
    if overdue:
        found = [c for c in found if c["overdue"]]
    look.record(
        ws.audit,
        "challenges",
        "challenges",
        params={"state": state, "overdue": overdue, "subject_id": subject_id},
        result_size=len(found),
    )
    return found


# ---- deciding --------------------------------------------------------------------------


def touched_cases(ws: Workspace, challenge: dict[str, Any]) -> list[dict[str, Any]]:
    """The cases a challenge touches (those whose escalation it pauses while open)."""
    return [c for c in review(ws).cases(subject=challenge["subject_id"]) if touches(challenge, c)]


def reviewers(case: dict[str, Any]) -> set[str]:
    """Everyone who reviewed a case: its reviewer, and whoever moved, decided or signed it off."""
    people = {case["reviewer"]}
    for key in ("transitions", "decisions", "signoffs"):
        people |= {r["who"] for r in case[key]}
    return people


def correct(ws: Workspace, look: Look, challenge: dict[str, Any], reason: str) -> dict[str, Any]:
    """The correction an upheld fact challenge makes (:func:`api.ops.corrections.apply_correction`:
    recorded, detectors re-run, flags that no longer fire retired). A fact the corrections
    cannot amend (an entity table's field: HR and records data live in the graph) is recorded
    as a correction to be made at the source, with the reason it was not applied here."""
    todo = {
        "table": challenge["source_table"],
        "row_key": challenge["row_key"],
        "field": challenge["field"],
        "value": challenge["claimed_value"],
        "was": challenge["held_value"],
    }
    try:
        correctable(challenge["source_table"], challenge["field"])
    except QueryError as e:
        return {"state": "to_be_made", **todo, "why_not_applied": str(e)}
    applied: dict[str, Any] = apply_correction(
        ws,
        look,
        table=challenge["source_table"],
        row_key=challenge["row_key"],
        field=challenge["field"],
        value=challenge["claimed_value"],
        reason=f"challenge {challenge['challenge_id']} upheld: {reason}",
        evidence=challenge.get("text") or reason,
        challenge_ref=challenge["challenge_id"],
    )
    return {"state": "applied", **applied}


def decide(
    ws: Workspace, look: Look, challenge_id: str, *, upheld: bool, reason: str | None
) -> dict[str, Any]:
    """Uphold or reject an open challenge, with a reason, by someone independent: not a
    reviewer of any case it touches, and clear of the conflict checks about its subject.
    An upheld fact challenge becomes a correction (:func:`correct`). Audited as
    ``challenge_decide``."""
    challenge = get_challenge(ws, challenge_id)
    text = required(reason, "reason", "a challenge's decision needs a written reason")
    if challenge["state"] != "open":
        raise QueryError(f"state: challenge {challenge_id} was {challenge['state']} already")
    if look.who.role != CLI_ROLE and not allowed(look.who.role, "challenges.decide"):
        raise PermissionDenied(f"role {look.who.role!r} may not decide a challenge")
    for case in touched_cases(ws, challenge):
        if look.who.user in reviewers(case):
            raise PermissionDenied(
                f"who: {look.who.user} reviews case {case['case_ref']}, which this challenge touches; "
                "a challenge is decided by someone independent of the case's reviewers"
            )
    check_independent(ws.store, look.who, [challenge["subject_id"]], "decide this challenge")
    correction = correct(ws, look, challenge, text) if upheld and challenge["against"] == "fact" else None
    found = review(ws).decide_challenge(
        challenge_id, upheld=upheld, reason=text, who=(look.who.user, look.who.role), correction=correction
    )
    look.record(
        ws.audit,
        "challenge_decide",
        challenge_id,
        params={"upheld": upheld, "reason": text, "correction": correction},
        result_size=1,
        officer_id=challenge["subject_id"],
    )
    return challenge_out(found)
