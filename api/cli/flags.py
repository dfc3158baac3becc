"""``linkwatch flag``: show one flag with its assessments; record an assessment."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from api.cli.common import errors, group, out, purpose_options, store_options
from api.ops import flags as ops
from api.ops.flags import MAX_LIMIT
from api.ops.look import Look
from graph.settings import Settings
from graph.workspace import Workspace

flag_app = group("flag", "Flags: list them, show one with its assessments; record an assessment.")


@flag_app.command("list")
@store_options
@purpose_options
def flag_list(
    settings: Settings,
    look: Look,
    detector: Annotated[str | None, typer.Option("--detector", help="Only this detector's flags.")] = None,
    officer_id: Annotated[
        str | None, typer.Option("--officer-id", help="Only this officer's (an id or a pseudonym).")
    ] = None,
    status: Annotated[str | None, typer.Option("--status", help="Only flags with this status.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=MAX_LIMIT, help="At most this many.")] = 50,
) -> None:
    """List current flags, highest score first, officers pseudonymised (audited)."""
    with errors(), Workspace(settings) as ws:
        page = ops.list_flags(
            ws,
            look,
            {"detector": detector, "officer_id": officer_id, "severity": None},
            status=status,
            limit=limit,
        )
        for f in page["items"]:
            out.print(
                f"{f['flag_id']}  {f['officer_id']}  {f['detector']}  {f['severity']} ({f['score']:.2f})  {f['status']}",
                highlight=False,
            )
            out.print(f"  {f['explanation']}", highlight=False)
        out.print(f"{page['total']} flags")


@flag_app.command("show")
@store_options
@purpose_options
def flag_show(
    flag_id: Annotated[str, typer.Argument(help="The flag's id.")], settings: Settings, look: Look
) -> None:
    """Print a flag: explanation, evidence, status and every assessment (audited)."""
    with errors(), Workspace(settings) as ws:
        f = ops.show(ws, look, flag_id)
        out.print(
            f"[bold]{f['detector']}[/] officer {f['officer_id']}: {f['severity']} ({f['score']:.2f}), status {f['status']}",
            soft_wrap=True,
        )
        out.print(f["explanation"], highlight=False)
        out.print(
            f"window {f['window_start'] or '?'} – {f['window_end'] or '?'}; evidence: {json.dumps(f['evidence'])}"
        )
        for a in f["assessments"]:
            out.print(
                f"  {a['at']} {a['who']} ({a['role']}): {a['status']}"
                + (f" — {a['note']}" if a["note"] else "")
            )


@flag_app.command("assess")
@store_options
@purpose_options
def flag_assess(
    flag_id: Annotated[str, typer.Argument(help="The flag's id.")],
    status: Annotated[
        str, typer.Option("--status", help="open, under_review, no_further_action, referred or challenged.")
    ],
    settings: Settings,
    look: Look,
    note: Annotated[str | None, typer.Option("--note", help="What you checked and why you decided.")] = None,
) -> None:
    """Record your assessment of a flag (kept beside it, never overwriting it; audited)."""
    with errors(), Workspace(settings) as ws:
        rec = ops.assess(ws, look, flag_id, status, note)
        out.print(f"flag {flag_id}: {rec['from']} → {rec['status']} (assessment {rec['seq']})")
