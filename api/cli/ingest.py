"""``linkwatch ingest``, ``export`` and ``generate``: loading sources, exporting the whole
graph for a bulk load, and writing a synthetic force."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from api.cli.common import (
    app,
    console,
    data_dir_option,
    errors,
    out,
    progress,
    purpose_options,
    store_options,
)
from api.ops import exports
from api.ops.look import Look
from graph.errors import LinkwatchError
from graph.settings import Settings
from graph.store import GraphStore
from graph.workspace import Workspace
from ingest.cpdp import to_contract
from ingest.run import ingest_dir


def run_ingest(store: GraphStore, src: Path, settings: Settings, *, allow_mass_retire: bool = False) -> Any:
    """One ingest run, with progress and its report printed; it raises on failure (run
    it in a workspace's ``with`` block so that the store discards the run's writes),
    after saying where the failed run's record is."""
    try:
        with progress() as step:
            report = ingest_dir(
                store,
                src,
                settings.data_dir,
                timezone=settings.timezone,
                progress=step,
                event_memory_mb=settings.event_memory_mb,
                resolver=settings.resolver,
                match_threshold=settings.match_threshold,
                access_links=settings.access_links,
                access_repeat=settings.access_repeat,
                max_retire_share=settings.max_retire_share,
                allow_mass_retire=allow_mass_retire,
            )
    except BaseException as e:
        run_dir = getattr(e, "run_dir", None)
        if run_dir is not None:
            console.print(
                f"ingest failed; what was read and why it stopped: {run_dir}/manifest.json "
                f"and {run_dir}/quarantine.csv",
                highlight=False,
            )
        raise
    for w in report.warnings:
        console.print(f"[bold yellow]warning:[/] {w}", highlight=False)
    t = Table(title=f"ingest run {report.run.run_id}")
    for c in ("table", "rows read", "loaded", "quarantined", "file"):
        t.add_column(c, justify="right" if c not in ("table", "file") else "left")
    for tr in report.tables:
        t.add_row(tr.table.name, str(tr.rows_read), str(tr.rows_valid), str(len(tr.quarantine)), tr.path.name)
    t.add_row(
        "[b]total", f"[b]{report.rows_read}", f"[b]{report.rows_loaded}", f"[b]{report.rows_quarantined}", ""
    )
    out.print(t)
    if report.unchanged:
        out.print(f"unchanged since they were last loaded (nothing to do): {', '.join(report.unchanged)}")
    if report.resolution:
        out.print(
            "membership lists resolved to officers: "
            + ", ".join(f"{k} {v}" for k, v in sorted(report.resolution.items()))
        )
    if report.person_resolution:
        out.print(
            "membership lists resolved to persons in police records: "
            + ", ".join(f"{k} {v}" for k, v in sorted(report.person_resolution.items()))
        )
    if report.stages:
        out.print(
            f"took {report.seconds:.1f} s: " + ", ".join(f"{k} {v:.1f} s" for k, v in report.stages.items()),
            highlight=False,
        )
    out.print(f"manifest:   {report.manifest_file}")
    dropped = f", {report.links_dropped} links dropped" if report.links_dropped else ""
    out.print(f"quarantine: {report.quarantine_file} ({report.rows_quarantined} rows{dropped})")
    return report


@app.command()
@store_options
def ingest(
    directory: Annotated[
        Path,
        typer.Argument(
            help="Folder of source files named after the contract's tables (officers.csv, units.parquet, ...)."
        ),
    ],
    settings: Settings,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="'contract' (files named after the source contract's tables) or 'cpdp' (a Citizens "
            "Police Data Project release folder, mapped into the contract first).",
        ),
    ] = "contract",
    allow_mass_retire: Annotated[
        bool,
        typer.Option(
            "--allow-mass-retire",
            help="Load a snapshot even if it retires more than LINKWATCH_MAX_RETIRE_SHARE (default 20%) "
            "of a table's current rows (refused otherwise: an empty or partial export, most likely).",
        ),
    ] = False,
) -> None:
    """Validate and load a folder of source files into the graph.

    Bad rows are quarantined (file, line, column, reason) and the rest loads; running
    the same folder again changes nothing. Prints rows read = loaded + quarantined.
    Every file is validated before anything is written, and a run that fails leaves
    the stores as they were (its manifest and quarantine say why).
    """
    with errors():
        if fmt not in ("contract", "cpdp"):
            raise LinkwatchError(f"--format must be 'contract' or 'cpdp' (got {fmt!r})")
        if fmt == "cpdp":
            if not directory.is_dir():
                raise FileNotFoundError(f"{directory}: not a folder")
            mapped = Path(tempfile.mkdtemp(prefix="linkwatch-cpdp-"))
            console.print(f"mapping the CPDP release in {directory} to contract tables in {mapped}")
            directory = to_contract(directory, mapped)
        with Workspace(settings, write=True) as ws:  # a run that raises leaves the store as it was
            run_ingest(ws.store, directory, settings, allow_mass_retire=allow_mass_retire)


@app.command()
@data_dir_option
@purpose_options
def export(
    kind: Annotated[
        str,
        typer.Argument(
            help="'neo4j-import': files for neo4j-admin database import full; 'events-parquet': the "
            "event tables as Parquet partitioned by table and month (for Spark or any engine)."
        ),
    ],
    folder: Annotated[Path, typer.Argument(help="Folder to write.")],
    settings: Settings,
    look: Look,
) -> None:
    """Export the embedded store's whole graph, or the event tables, for use elsewhere.

    ``neo4j-import`` writes one CSV per label and relationship type and ``import.args``;
    load them into a stopped Neo4j with ``neo4j-admin database import full
    --overwrite-destination $(cat OUT/import.args) neo4j`` run in OUT (much faster than
    ``ingest --store neo4j`` for a first load of a large force; later ingests are deltas).

    ``events-parquet`` writes the validated, merged event tables with their provenance
    columns as OUT/<table>/month=YYYY-MM/*.parquet, the ingest runs' quarantine as
    OUT/quarantine/run_id=<run>/, and OUT/_linkwatch.json; ``detect --engine spark
    --events OUT`` (or any Parquet reader) reads them.

    Either copies everyone's data, so it needs a stated purpose (--purpose; audited).
    """
    with errors():
        if kind not in ("neo4j-import", "events-parquet"):
            raise LinkwatchError(f"export kind must be 'neo4j-import' or 'events-parquet' (got {kind!r})")
        if kind == "events-parquet":
            with Workspace(settings) as ws:
                ev = exports.events_parquet(ws, look, folder)
            for name, n in ev.rows.items():
                out.print(f"{name:20} {n:>12,} rows")
            q = sum(ev.quarantined.values())
            out.print(
                f"{sum(ev.rows.values()):,} event rows written to {folder} in {ev.seconds:.1f} s "
                f"(and {q:,} quarantine records of {len(ev.quarantined)} ingest runs)"
            )
            return
        with Workspace(settings) as ws, progress() as step:
            res = exports.neo4j_import(ws, look, folder, progress=step)
        out.print(
            f"{sum(res.nodes.values()):,} nodes and {sum(res.relationships.values()):,} relationships "
            f"written to {folder} in {res.seconds:.1f} s; importer arguments in {folder / 'import.args'}"
        )


@app.command()
def generate(
    directory: Annotated[Path, typer.Argument(help="Folder to write the source files and truth.csv into.")],
    officers: Annotated[int, typer.Option(help="Number of officers.")] = 300,
    days: Annotated[
        int,
        typer.Option(
            help="Days of events (shifts, swipes, remote sessions, system access) to simulate; 0: none."
        ),
    ] = 0,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same force).")] = 7,
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "csv",
    clean: Annotated[
        bool,
        typer.Option(
            "--clean",
            help="Plant no cases (truth.csv holds only its header): ordinary behaviour and the "
            "innocent look-alikes only, to measure false flags.",
        ),
    ] = False,
) -> None:
    """Generate a synthetic force in the source-contract format, with planted cases in
    truth.csv and innocent look-alikes in lookalikes.csv (all invented data)."""
    from synthetic import generate as gen
    from synthetic import write_force

    with errors():
        if fmt not in ("csv", "parquet"):
            raise LinkwatchError(f"--format must be csv or parquet (got {fmt!r})")
        if days > 0:
            with progress() as step:
                summary = write_force(directory, officers, days, seed, fmt=fmt, progress=step, clean=clean)
            for name, info in summary["tables"].items():
                out.print(f"{name:20} {info['rows']:>12,} rows")
        else:
            force = gen(officers=officers, seed=seed, clean=clean)
            force.write(directory, fmt=fmt)
            for name, df in force.tables.items():
                out.print(f"{name:20} {len(df):>12,} rows")
        what = "no planted cases (clean)" if clean else "the planted cases"
        out.print(f"truth.csv and lookalikes.csv with {what}; written to {directory}")
