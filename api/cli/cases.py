"""``linkwatch case`` and ``linkwatch challenge``: review cases (open, list, show, move,
decide, sign off, unmask) and challenges (lodge, list, decide).

The command line acts as its local user. Conflict checks need that user's own officer
id in the HR data: pass ``--officer-id`` (or set ``LINKWATCH_OFFICER_ID``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from typing import Annotated, Any

import typer

from api.cli.common import (
    FormatOpt,
    check_format,
    errors,
    group,
    out,
    print_rows,
    purpose_options,
    store_options,
)
from api.ops import cases as ops
from api.ops import challenges as challenge_ops
from api.ops.look import Look
from graph.settings import Settings
from graph.workspace import Workspace

case_app = group("case", "Review cases: open, list, show, move, decide, sign off, unmask.")
challenge_app = group("challenge", "Challenges of flags and source facts: lodge, list, decide.")

OfficerIdOpt = Annotated[
    str | None,
    typer.Option(
        "--officer-id",
        help="Your own officer id in the HR data, for the conflict checks (or LINKWATCH_OFFICER_ID).",
    ),
]
ReasonOpt = Annotated[str | None, typer.Option("--reason", help="Why (required; kept with your name).")]
QUEUE_COLUMNS = (
    "case_ref",
    "stage",
    "subjects",
    "flags",
    "reviewer",
    "due_date",
    "days_left",
    "outcome",
    "outcome_status",
)
CHALLENGE_COLUMNS = (
    *("challenge_id", "subject_id", "against", "flag_id", "source_table", "row_key", "field"),
    *("state", "due_date", "days_left", "overdue"),
)


def as_officer(look: Look, officer_id: str | None) -> Look:
    """The command line's look, naming the local user's officer id (for conflict checks)."""
    named = (officer_id or os.environ.get("LINKWATCH_OFFICER_ID") or "").strip() or None
    return dataclasses.replace(look, who=dataclasses.replace(look.who, officer_id=named))


def print_case(case: dict[str, Any]) -> None:
    outcome = f"{case['outcome_label']} ({case['outcome_status']})" if case["outcome"] else "none yet"
    out.print(
        f"[bold]{case['case_ref']}[/] stage {case['stage']}; subject(s) {', '.join(case['subjects'])}; "
        f"reviewer {case['reviewer']}; due {case['due_date']} ({case['days_left']} days left); outcome {outcome}",
        highlight=False,
    )
    out.print(f"flags: {', '.join(case['flags']) or '-'}; evidence: {', '.join(case['evidence']) or '-'}")
    if case["notes"]:
        out.print(f"notes: {case['notes']}", highlight=False)
    for t in case["transitions"]:
        out.print(
            f"  {t['at']} {t['who']} ({t['role']}): {t['from_stage']} → {t['to_stage']} — {t['reason']}"
            f" [opened {len(t['opened'])}]",
            highlight=False,
        )
    for d in case["decisions"]:
        out.print(
            f"  {d['at']} {d['who']} decided {d['outcome']} ({d['state']}) — {d['reason']}", highlight=False
        )
    for s in case["signoffs"]:
        verb = "signed off" if s["approved"] else "declined"
        out.print(f"  {s['at']} {s['who']} ({s['role']}) {verb} — {s['reason']}", highlight=False)
    for g in case["unmasked_by"]:
        out.print(f"  {g['at']} {g['user']} unmasked {g['subject_id']} — {g['reason']}", highlight=False)
    if case["open_challenges"]:
        out.print(f"[yellow]paused by open challenge(s):[/] {', '.join(case['open_challenges'])}")


@case_app.command("open")
@store_options
@purpose_options
def case_open(
    settings: Settings,
    look: Look,
    flag: Annotated[list[str] | None, typer.Option("--flag", help="A flag id (repeat for more).")] = None,
    subject: Annotated[
        list[str] | None,
        typer.Option("--subject", help="A subject officer id (default: the flags' officers)."),
    ] = None,
    reviewer: Annotated[
        str | None, typer.Option("--reviewer", help="The assigned reviewer (default: you).")
    ] = None,
    due: Annotated[str | None, typer.Option("--due", help="Due date, YYYY-MM-DD.")] = None,
    notes: Annotated[str | None, typer.Option("--notes", help="Notes.")] = None,
    evidence: Annotated[
        list[str] | None, typer.Option("--evidence", help="An evidence item (repeat).")
    ] = None,
    officer_id: OfficerIdOpt = None,
) -> None:
    """Open a review case about an officer or a group, from their flags (audited)."""
    with errors(), Workspace(settings) as ws:
        case = ops.open_case(
            ws,
            as_officer(look, officer_id),
            subjects=subject or [],
            flags=flag or [],
            reviewer=reviewer,
            due_date=dt.date.fromisoformat(due) if due else None,
            notes=notes,
            evidence=evidence or [],
        )
        print_case(case)


@case_app.command("list")
@store_options
@purpose_options
def case_list(
    settings: Settings,
    look: Look,
    stage: Annotated[str | None, typer.Option("--stage", help="Only cases in this stage.")] = None,
    reviewer: Annotated[
        str | None, typer.Option("--reviewer", help="Only cases assigned to this user.")
    ] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only cases past their due date.")] = False,
    fmt: FormatOpt = "table",
) -> None:
    """The review queue (audited)."""
    check_format(fmt)
    with errors(), Workspace(settings) as ws:
        found = ops.list_cases(ws, look, stage=stage, reviewer=reviewer, overdue=overdue)
        print_rows([{k: c[k] for k in QUEUE_COLUMNS} for c in found], fmt)


@case_app.command("show")
@store_options
@purpose_options
def case_show(
    case_ref: Annotated[str, typer.Argument(help="The case reference.")], settings: Settings, look: Look
) -> None:
    """A case with its history (audited)."""
    with errors(), Workspace(settings) as ws:
        print_case(ops.show(ws, look, case_ref))


@case_app.command("move")
@store_options
@purpose_options
def case_move(
    case_ref: Annotated[str, typer.Argument(help="The case reference.")],
    to: Annotated[str, typer.Option("--to", help="The stage to move it to.")],
    settings: Settings,
    look: Look,
    reason: ReasonOpt = None,
    officer_id: OfficerIdOpt = None,
) -> None:
    """Move a case to another stage, with a written reason (its reviewer; audited)."""
    with errors(), Workspace(settings) as ws:
        t = ops.move(ws, as_officer(look, officer_id), case_ref, to, reason)
        out.print(
            f"{case_ref}: {t['from_stage']} → {t['to_stage']} ({len(t['opened'])} item(s) opened since the last step)"
        )


@case_app.command("decide")
@store_options
@purpose_options
def case_decide(
    case_ref: Annotated[str, typer.Argument(help="The case reference.")],
    outcome: Annotated[str, typer.Option("--outcome", help="One of the outcomes of graph/review.yaml.")],
    settings: Settings,
    look: Look,
    reason: ReasonOpt = None,
    reason_kind: Annotated[
        str | None,
        typer.Option(
            "--reason-kind", help="No further action: innocent_explanation, source_data_wrong or other."
        ),
    ] = None,
    explanation: Annotated[
        str | None, typer.Option("--explanation", help="The detector's known innocent explanation.")
    ] = None,
    officer_id: OfficerIdOpt = None,
) -> None:
    """Record the case's outcome (serious ones are proposed until signed off; audited)."""
    with errors(), Workspace(settings) as ws:
        d = ops.decide(
            ws,
            as_officer(look, officer_id),
            case_ref,
            outcome=outcome,
            reason=reason,
            reason_kind=reason_kind,
            explanation=explanation,
        )
        out.print(f"{case_ref}: {d['outcome']} ({d['state']})")


@case_app.command("signoff")
@store_options
@purpose_options
def case_signoff(
    case_ref: Annotated[str, typer.Argument(help="The case reference.")],
    settings: Settings,
    look: Look,
    reason: ReasonOpt = None,
    decline: Annotated[bool, typer.Option("--decline", help="Decline the proposed outcome instead.")] = False,
    officer_id: OfficerIdOpt = None,
) -> None:
    """Sign off (or decline) a proposed serious outcome: a second person (audited)."""
    with errors(), Workspace(settings) as ws:
        s = ops.sign_off(ws, as_officer(look, officer_id), case_ref, approve=not decline, reason=reason)
        out.print(f"{case_ref}: {'signed off' if s['approved'] else 'declined'} by {s['who']}")


@case_app.command("unmask")
@store_options
@purpose_options
def case_unmask(
    case_ref: Annotated[str, typer.Argument(help="The case reference.")],
    settings: Settings,
    look: Look,
    reason: ReasonOpt = None,
    subject: Annotated[str | None, typer.Option("--subject", help="One subject of a group case.")] = None,
    officer_id: OfficerIdOpt = None,
) -> None:
    """Unmask the case's subject for yourself, within this case (its reviewer; audited)."""
    with errors(), Workspace(settings) as ws:
        grants = ops.unmask(ws, as_officer(look, officer_id), case_ref, reason, subject)
        out.print(
            f"{case_ref}: unmasked {', '.join(g['subject_id'] for g in grants)} for {grants[0]['user']}"
        )


# ---- challenges ------------------------------------------------------------------------


@challenge_app.command("lodge")
@store_options
@purpose_options
def challenge_lodge(
    settings: Settings,
    look: Look,
    text: Annotated[str | None, typer.Option("--text", help="What is wrong, in the subject's words.")] = None,
    flag: Annotated[str | None, typer.Option("--flag", help="The flag challenged.")] = None,
    table: Annotated[
        str | None, typer.Option("--table", help="The source table of the fact challenged.")
    ] = None,
    row: Annotated[str | None, typer.Option("--row", help="The row's key.")] = None,
    field: Annotated[str | None, typer.Option("--field", help="The field (column).")] = None,
    value: Annotated[str | None, typer.Option("--value", help="The value the subject says is right.")] = None,
    subject: Annotated[str | None, typer.Option("--subject", help="The subject's officer id.")] = None,
) -> None:
    """Lodge a challenge against a flag or a source fact for a subject (audited)."""
    with errors(), Workspace(settings) as ws:
        c = challenge_ops.lodge(
            ws,
            look,
            text=text,
            flag_id=flag,
            table=table,
            row_key=row,
            field=field,
            claimed_value=value,
            subject_id=subject,
        )
        out.print(
            f"{c['challenge_id']} lodged for {c['subject_id']}; to be decided by {c['due_date']} ({c['days_left']} days)"
        )


@challenge_app.command("list")
@store_options
@purpose_options
def challenge_list(
    settings: Settings,
    look: Look,
    state: Annotated[str | None, typer.Option("--state", help="open, upheld or rejected.")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only open ones past their deadline.")] = False,
    fmt: FormatOpt = "table",
) -> None:
    """Challenges with the days left to decide them (audited)."""
    check_format(fmt)
    with errors(), Workspace(settings) as ws:
        found = challenge_ops.list_challenges(ws, look, state=state, overdue=overdue)
        print_rows([{k: c[k] for k in CHALLENGE_COLUMNS} for c in found], fmt)


@challenge_app.command("decide")
@store_options
@purpose_options
def challenge_decide(
    challenge_id: Annotated[str, typer.Argument(help="The challenge's id.")],
    settings: Settings,
    look: Look,
    uphold: Annotated[bool, typer.Option("--uphold/--reject", help="Uphold or reject it.")],
    reason: ReasonOpt = None,
    officer_id: OfficerIdOpt = None,
) -> None:
    """Uphold or reject a challenge (someone independent of its cases' reviewers; audited)."""
    with errors(), Workspace(settings) as ws:
        c = challenge_ops.decide(ws, as_officer(look, officer_id), challenge_id, upheld=uphold, reason=reason)
        out.print(
            f"{challenge_id}: {c['state']}" + (f"; correction {c['correction']}" if c["correction"] else "")
        )
