"""Detector runs: every detector (or some) over the workspace, the flags export and the
run's record; audited as ``detect``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from api.ops.look import Look
from graph.engines import EventEngine
from graph.workspace import Workspace
from queries.detect import DetectReport, run_detectors, write_export


def detect(
    ws: Workspace,
    look: Look,
    names: Sequence[str] | None,
    out_file: Path,
    *,
    progress: Callable[[str], None] | None = None,
    engine: EventEngine | None = None,
    state: str = "off",
) -> tuple[DetectReport, Path]:
    """Run the detectors, write the flags export to ``out_file`` and the run's record
    (``runs/<run_id>/detect.json``); the flags are stored in the graph. ``engine``: where
    the event detectors' SQL runs (default: the event store's DuckDB). ``state``: whether
    to detect incrementally (:func:`queries.detect.run_detectors`)."""
    rep = run_detectors(ws, names, progress=progress, engine=engine, state=state)
    write_export(rep.flags, out_file)
    flag_load = next((x for x in rep.loads if x.name == "Flag"), None)
    look.record(
        ws.audit,
        "detect",
        ",".join(sorted(rep.seconds_by_detector)),
        params={"out": str(out_file), "engine": engine.name if engine is not None else "duckdb"},
        result_size=len(rep.flags),
        flag_changes={"new": flag_load.new, "changed": flag_load.changed, "retired": flag_load.retired}
        if flag_load
        else None,
    )
    return rep, rep.write_record(ws.settings.data_dir)
