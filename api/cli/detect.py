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
from graph.spark import spark_engine
from graph.workspace import Workspace
from queries.detect import NO_STAGE as NO_STAGE_REASON
from queries.evaluate import evaluate as run_evaluate


@app.command()
@store_options
def detect(
    out_file: Annotated[Path, typer.Option("--out", help="Flags export: .csv, or .jsonl for JSON lines.")],
    settings: Settings,
    detector: Annotated[
        list[str] | None, typer.Option("--detector", help="Run only this detector (repeatable).")
    ] = None,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            help="Where the event detectors' SQL runs: 'duckdb' (the event store) or 'spark' (the event "
            "tables as Parquet, from `export events-parquet`, at --events).",
        ),
    ] = "duckdb",
    events: Annotated[
        str | None,
        typer.Option(
            "--events",
            envvar="LINKWATCH_SPARK_EVENTS",
            help="With --engine spark: the folder or object-store URL (s3a://, abfss://, gs://, hdfs://) "
            "holding <table>/month=YYYY-MM/*.parquet.",
            show_default=False,
        ),
    ] = None,
    spark_master: Annotated[
        str | None,
        typer.Option(
            "--spark-master",
            envvar="LINKWATCH_SPARK_MASTER",
            help="With --engine spark: local[N] (default local[2]), spark://host:7077, yarn, k8s://..., "
            "or sc://host:15002 for Spark Connect.",
            show_default=False,
        ),
    ] = None,
    spark_conf: Annotated[
        list[str] | None,
        typer.Option("--spark-conf", help="With --engine spark: a Spark setting KEY=VALUE (repeatable)."),
    ] = None,
    whole: Annotated[
        bool,
        typer.Option(
            "--whole",
            help="Recompute every detector over all the events, and make the detection state again "
            "(by default the detectors that can are brought up to date from the earliest changed event).",
        ),
    ] = False,
) -> None:
    """Run detectors, write the flags export and store the flags in the graph.

    Incremental by default: a detector whose work is partly local in time keeps that part
    in the detection state (``detect_state.duckdb`` in the data folder) and recomputes it
    only from the earliest event that changed since (less its horizon); the rest of it, and
    the detectors that compare whole histories or read the graph, run whole. The flags are
    those a whole run gives. It runs whole after a correction, a new version or parameters,
    and with ``--whole``; the run record says per detector how it ran.

    With ``--engine spark`` the event detectors run on Apache Spark, reading the event
    tables as Parquet at ``--events``; the graph facts they need come from the graph
    store, and the flags are the ones the event store would give (always a whole run)."""
    with errors():
        if engine not in ("duckdb", "spark"):
            raise LinkwatchError(f"--engine must be 'duckdb' or 'spark' (got {engine!r})")
        if engine == "duckdb" and (events or spark_conf):
            raise LinkwatchError("--events and --spark-conf go with --engine spark")
        with Workspace(settings, write=True) as ws, progress() as step:
            eng = None
            if engine == "spark":
                if not events:
                    raise LinkwatchError(
                        "--engine spark needs --events: where the event tables are as Parquet"
                    )
                step("start Spark")
                eng = spark_engine(events, spark_master, _conf(spark_conf), settings.timezone)
            try:
                rep, record = runs.detect(
                    ws,
                    cli_look(),
                    detector,
                    out_file,
                    progress=step,
                    engine=eng,
                    state="whole" if whole else "auto",
                )
            finally:
                if eng is not None:
                    eng.close()
        out.print(flags_table(rep.flags))
        per = Table("detector", "flags", "seconds", "run", "inputs", title="per detector")
        counts = rep.flags["detector"].value_counts()
        for name, secs in sorted(rep.seconds_by_detector.items()):
            cov = rep.coverage.get(name)
            n = "not checked" if cov is not None and cov.saw_nothing else str(int(counts.get(name, 0)))
            per.add_row(
                name, n, f"{secs:.2f}", _how(rep.stages.get(name)), cov.summary() if cov is not None else ""
            )
        out.print(per)
        out.print(f"flags file: {out_file}")
        out.print(f"run record: {record}")


def _how(stage: dict[str, object] | None) -> str:
    """How a detector ran, in a few words: incremental from when, or whole."""
    if stage is None:
        return "whole"
    if stage["mode"] == "incremental":
        return f"incremental from {str(stage['recomputed_from'] or '')[:16]}"
    if stage["mode"] == "unchanged":
        return "incremental (no change)"
    return "whole" if stage["reason"] == NO_STAGE_REASON else f"whole: {stage['reason']}"


def _conf(pairs: list[str] | None) -> dict[str, str]:
    conf = {}
    for p in pairs or []:
        key, sep, value = p.partition("=")
        if not sep or not key.strip():
            raise LinkwatchError(f"--spark-conf takes KEY=VALUE (got {p!r})")
        conf[key.strip()] = value.strip()
    return conf


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
