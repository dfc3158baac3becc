"""``linkwatch detect`` and ``evaluate``: running the detectors, and scoring flags
against planted truth."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from api.cli.common import FormatOpt, app, errors, flags_table, out, print_rows, progress, store_options
from api.ops import runs
from api.ops.look import cli_look
from graph.errors import LinkwatchError
from graph.settings import Settings
from graph.workspace import Workspace
from queries.evaluate import evaluate as run_evaluate


@app.command()
@store_options
def detect(
    out_file: Annotated[Path, typer.Option("--out", help="Flags export: .csv, or .jsonl for JSON lines.")],
    settings: Settings,
    detector: Annotated[
        list[str] | None, typer.Option("--detector", help="Run only this detector (repeatable).")
    ] = None,
) -> None:
    """Run detectors, write the flags export and store the flags in the graph."""
    with errors():
        with Workspace(settings, write=True) as ws, progress() as step:
            rep, record = runs.detect(ws, cli_look(), detector, out_file, progress=step)
        out.print(flags_table(rep.flags))
        per = Table("detector", "flags", "seconds", "inputs", title="per detector")
        counts = rep.flags["detector"].value_counts()
        for name, secs in sorted(rep.seconds_by_detector.items()):
            cov = rep.coverage.get(name)
            n = "not checked" if cov is not None and cov.saw_nothing else str(int(counts.get(name, 0)))
            per.add_row(name, n, f"{secs:.2f}", cov.summary() if cov is not None else "")
        out.print(per)
        out.print(f"flags file: {out_file}")
        out.print(f"run record: {record}")


@app.command()
def evaluate(
    truth: Annotated[Path, typer.Argument(help="truth.csv of planted cases (from `linkwatch generate`).")],
    flags: Annotated[Path, typer.Argument(help="A flags export (.csv or .jsonl) from `linkwatch detect`.")],
    fmt: FormatOpt = "table",
) -> None:
    """Precision, recall and F1 per detector and overall, against planted truth."""
    with errors():
        for p in (truth, flags):
            if not p.exists():
                raise FileNotFoundError(f"{p}: no such file")
        t = pd.read_csv(truth, dtype=str, keep_default_na=False)
        if flags.suffix == ".jsonl":
            f = pd.read_json(flags, lines=True, dtype=False).astype(str)
        else:
            f = pd.read_csv(flags, dtype=str, keep_default_na=False)
        for name, df, need in (
            ("truth", t, {"officer_id", "detector", "window_start", "window_end"}),
            ("flags", f, {"officer_id", "detector", "window_start", "window_end"}),
        ):
            missing = need - set(df.columns)
            if missing:
                raise LinkwatchError(f"{name} file lacks column(s): {', '.join(sorted(missing))}")
        for df in (t, f):
            if "group_id" not in df:
                df["group_id"] = ""
        res = run_evaluate(t, f)
        if fmt != "table":
            print_rows([{str(k): v for k, v in r.items()} for r in res.to_dict(orient="records")], fmt)
            return
        table = Table(*res.columns, title="accuracy against planted truth")
        for row in res.itertuples(index=False):
            table.add_row(*("—" if v is None else str(v) for v in row))
        out.print(table)
