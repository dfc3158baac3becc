"""``linkwatch audit``: who looked at what, why, and how much came back."""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli.common import FormatOpt, check_format, data_dir_option, errors, group, out, print_rows
from api.ops import audit_log
from api.ops.look import cli_look
from graph.settings import Settings
from graph.workspace import Workspace

audit_app = group("audit", "The audit trail: who looked at what, why, and how much came back.")


@audit_app.command("verify")
@data_dir_option
def audit_verify(settings: Settings) -> None:
    """Check the audit log's hash chain, its signatures and the head published in the
    metadata store; any edited, deleted, cut-off or re-hashed record is named."""
    with errors(), Workspace(settings) as ws:
        v = audit_log.verify(ws)
        if v.ok:
            out.print(
                f"audit log intact: {v.records} records, hash chain unbroken, signed, "
                "and its head matches the one published in the metadata store"
            )
            if v.head:
                out.print(f"head: record {v.head['seq']} {v.head['hash']}", highlight=False)
            return
        for problem in v.problems:
            out.print(f"[bold red]broken:[/] {problem}", highlight=False)
        raise typer.Exit(1)


@audit_app.command("show")
@data_dir_option
def audit_show(
    settings: Settings,
    limit: Annotated[int, typer.Option(help="Most recent records to print.")] = 50,
    fmt: FormatOpt = "table",
    redacted: Annotated[
        bool,
        typer.Option(
            "--redacted", help="For a wider audience: ad-hoc queries without their literals and values."
        ),
    ] = False,
) -> None:
    """Print the most recent audit records (in full: ad-hoc queries with their literals)."""
    with errors():
        check_format(fmt)
        with Workspace(settings) as ws:
            recs = audit_log.recent(ws, cli_look(), limit=limit, redacted=redacted)
        cols = ["seq", "at", "who", "role", "action", "what", "purpose", "case_ref", "result_size"]
        print_rows([{c: r.get(c) for c in cols} if fmt == "table" else r for r in recs], fmt)
