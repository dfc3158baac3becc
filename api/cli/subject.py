"""``linkwatch subject-report`` (the subject's access report) and ``linkwatch correction``
(list and apply corrections of source rows)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import (
    FormatOpt,
    app,
    check_format,
    errors,
    group,
    out,
    print_rows,
    purpose_options,
    store_options,
)
from api.ops import corrections as fixes
from api.ops import subject_report as ops
from api.ops.look import Look
from graph.errors import LinkwatchError
from graph.settings import Settings
from graph.workspace import Workspace

correction_app = group(
    "correction", "Corrections of source rows: list them; apply one (detectors run again)."
)


@app.command("subject-report")
@store_options
@purpose_options
def subject_report(
    officer_id: Annotated[str, typer.Argument(help="The officer the report is about.")],
    settings: Settings,
    look: Look,
    fmt: Annotated[str, typer.Option("--format", help="html or pdf.")] = "html",
    dest: Annotated[Path, typer.Option("--out", help="The file to write.")] = Path("subject-report.html"),
) -> None:
    """Write the subject's access report of one officer as HTML or PDF (audited)."""
    with errors(), Workspace(settings) as ws:
        if fmt not in ("html", "pdf"):
            raise LinkwatchError(f"--format must be html or pdf (got {fmt!r})")
        report = ops.build_report(ws, look, officer_id)
        if fmt == "pdf":
            dest.write_bytes(ops.to_pdf(report))
        else:
            dest.write_text(ops.to_html(report), encoding="utf-8")
        out.print(f"the subject access report of {officer_id} is in {dest}")


@correction_app.command("list")
@store_options
@purpose_options
def correction_list(
    settings: Settings,
    look: Look,
    status: Annotated[str | None, typer.Option("--status", help="applied or needs_review.")] = None,
    officer_id: Annotated[str | None, typer.Option("--officer-id", help="Only this officer's rows.")] = None,
    fmt: FormatOpt = "table",
) -> None:
    """List corrections (those whose source row changed since are marked needs_review)."""
    check_format(fmt)
    with errors(), Workspace(settings) as ws:
        print_rows(fixes.list_corrections(ws, look, status=status, officer_id=officer_id), fmt)


@correction_app.command("apply")
@store_options
@purpose_options
def correction_apply(
    table: Annotated[str, typer.Argument(help="The event table (e.g. shifts).")],
    row_key: Annotated[str, typer.Argument(help="The row's key (e.g. a shift_id).")],
    field: Annotated[str, typer.Argument(help="The field corrected.")],
    value: Annotated[str, typer.Argument(help="The corrected value ('' clears an optional field).")],
    settings: Settings,
    look: Look,
    reason: Annotated[str, typer.Option("--reason", help="Why the source is wrong.")],
    evidence: Annotated[str, typer.Option("--evidence", help="What shows it.")],
    challenge: Annotated[str | None, typer.Option("--challenge", help="The challenge upheld.")] = None,
) -> None:
    """Apply a correction (the source row is kept), run the detectors reading its table
    again and retire the flags that no longer fire."""
    with errors(), Workspace(settings, write=True) as ws:
        rec = fixes.apply_correction(
            ws,
            look,
            table=table,
            row_key=row_key,
            field=field,
            value=value,
            reason=reason,
            evidence=evidence,
            challenge_ref=challenge,
        )
        out.print(
            f"correction {rec['seq']}: {table} {row_key} {field} {rec['old_value']!r} → {rec['value']!r}; "
            f"detectors run again: {', '.join(rec['detectors']) or 'none'}; retired: {', '.join(rec['retired']) or 'none'}"
        )
