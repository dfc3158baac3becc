"""``linkwatch detect``: run detectors, write the flags export and the graph flags."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from graph.corrections import Corrections, reader
from graph.engines import EventEngine
from graph.errors import LinkwatchError
from graph.events import SPILL_RESERVE_MB
from graph.model import MODEL
from graph.settings import Settings
from graph.store import GraphStore, LoadStats, RunInfo
from graph.workspace import Workspace
from queries.detectors import DETECTORS, FLAG_COLUMNS, get
from queries.detectors.base import Coverage, DetectContext
from queries.incremental import open_state

NO_STAGE = (
    "runs whole: it declares no part local in time (whole-history baselines, peer comparisons or the graph)"
)

EVIDENCE_LABELS = {
    "memberships": "Membership",
    "organisations": "Organisation",
    "declarations": "Declaration",
    "officers": "Officer",
}


@dataclass
class DetectReport:
    run: RunInfo
    flags: pd.DataFrame
    seconds_by_detector: dict[str, float] = field(default_factory=dict)
    loads: list[LoadStats] = field(default_factory=list)
    coverage: dict[str, Coverage] = field(default_factory=dict)
    """Per detector: the inputs it had and lacked, and the forms it could not check."""
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per detector, where the detection state was used: whether it ran incrementally (from
    which time) or whole, and why (:class:`queries.incremental.StageRun`)."""

    def record(self) -> dict[str, Any]:
        """The run's record (``runs/<run_id>/detect.json``): per detector, its flags,
        seconds, the inputs it had and lacked and the forms it could not check."""
        counts = self.flags["detector"].value_counts().to_dict()
        return {
            "run_id": self.run.run_id,
            "kind": "detect",
            "flags": len(self.flags),
            "detectors": {
                name: {
                    "flags": int(counts.get(name, 0)),
                    "version": detector_version(name),
                    "seconds": round(secs, 3),
                    **(dataclasses.asdict(self.coverage[name]) if name in self.coverage else {}),
                    **({"run": self.stages[name]} if name in self.stages else {}),
                }
                for name, secs in sorted(self.seconds_by_detector.items())
            },
        }

    def write_record(self, data_dir: Path, failed: tuple[str, str] | None = None) -> Path:
        """Write :meth:`record`; for a run that stopped at a detector, ``failed`` is that
        detector and why (the record then lists the detectors that completed, whose flags
        were not written: a failed run writes no flags)."""
        d = Path(data_dir) / "runs" / self.run.run_id
        d.mkdir(parents=True, exist_ok=True)
        path = d / "detect.json"
        rec = self.record()
        rec["status"] = "succeeded" if failed is None else "failed"
        if failed is not None:
            rec["failed"] = {"detector": failed[0], "error": failed[1]}
            rec["completed"] = sorted(self.seconds_by_detector)
        path.write_text(json.dumps(rec, indent=2, default=str) + "\n", encoding="utf-8")
        return path


def run_detectors(
    target: Workspace | GraphStore,
    names: Sequence[str] | None = None,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    write_graph: bool = True,
    progress: Callable[[str], None] | None = None,
    engine: EventEngine | None = None,
    after_correction: int | None = None,
    state: str = "off",
) -> DetectReport:
    """Run detectors (default: all) and, unless ``write_graph`` is false, store the flags
    as ``(:Flag)`` nodes linked to their subject (``FLAGS``) and evidence (``EVIDENCE``).
    Flags of these detectors that no longer fire are marked retired, never deleted.
    ``target`` is the workspace (or just its graph store: the event store is then the one
    of its settings' data folder). ``engine`` runs the event detectors' SQL instead of
    the event store's DuckDB (:class:`graph.spark.SparkEngine`: the event tables as
    Parquet, on Spark); the caller closes it. The event store is read through the
    corrected view (:func:`graph.corrections.reader`); a run made ``after_correction`` N
    keeps ``retired after correction N`` as the reason of each flag it retires.

    ``state``: ``"auto"`` keeps the detection state (:mod:`queries.incremental`) and brings
    the detectors that declare a stage up to date incrementally where it can (the flags are
    the same as a whole run's); ``"whole"`` runs everything whole and makes the state
    again; ``"off"`` (the default) neither reads nor writes it. With an ``engine`` the
    state is not used."""
    ws = target if isinstance(target, Workspace) else Workspace.of_store(target)
    store = ws.store
    step = progress or (lambda _m: None)
    detectors = [get(n) for n in (names or sorted(DETECTORS))]
    run = RunInfo.new("detect")
    frames: list[pd.DataFrame] = []
    seconds: dict[str, float] = {}
    coverage: dict[str, Coverage] = {}
    events = None if engine is not None else _events(ws) if any(d.reads_events for d in detectors) else None
    ctx = DetectContext(store, engine if engine is not None else events)
    if state not in ("off", "auto", "whole"):
        raise ValueError(f"state must be 'off', 'auto' or 'whole' (got {state!r})")
    kept = open_state(ws, events) if state != "off" and engine is None else None
    stages: dict[str, dict[str, Any]] = {}
    try:
        for d in detectors:
            step(f"run {d.name}")
            t0 = time.perf_counter()
            try:
                coverage[d.name] = d.coverage(ctx)
                if kept is not None and d.stage is not None:
                    frame, how = kept.run(
                        d,
                        ctx,
                        d.resolve_params((params or {}).get(d.name)),
                        detector_version(d.name),
                        whole=state == "whole",
                    )
                    stages[d.name] = dataclasses.asdict(how)
                    step(f"{d.name}: {how.mode} ({how.reason})")
                    frames.append(frame)
                else:
                    if kept is not None:
                        stages[d.name] = {"mode": "whole", "reason": NO_STAGE}
                    frames.append(d.run(ctx, (params or {}).get(d.name)))
            except Exception as e:
                failure = _resource_failure(e, d.name, ws.settings)
                if failure is None:
                    raise
                partial = DetectReport(run, pd.DataFrame(columns=FLAG_COLUMNS), seconds, coverage=coverage)
                path = partial.write_record(ws.settings.data_dir, failed=(d.name, failure))
                done = ", ".join(sorted(seconds)) or "none"
                raise DetectorResourceError(
                    f"{failure} No flags were written. Detectors that completed before it: {done}; "
                    f"the run's record: {path}"
                ) from e
            seconds[d.name] = time.perf_counter() - t0
    finally:
        if kept is not None:
            kept.close()
        if events is not None:
            events.close()
        if not isinstance(target, Workspace):
            ws.close()
    flags = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=FLAG_COLUMNS)
    report = DetectReport(
        run, flags.sort_values("flag_id").reset_index(drop=True), seconds, coverage=coverage, stages=stages
    )
    if write_graph:
        step("write flags to the graph")
        before = _current_flags(store, [d.name for d in detectors]) if after_correction is not None else set()
        report.loads = write_flags(store, report.flags, [d.name for d in detectors], run)
        if after_correction is not None:
            Corrections(ws.meta).retire(sorted(before - set(report.flags["flag_id"])), after_correction)
    return report


def _current_flags(store: GraphStore, detectors: Sequence[str]) -> set[str]:
    """The ids of the flags of these detectors that are not retired."""
    rows = store.query(
        "MATCH (f:Flag) WHERE f.retired_at IS NULL AND f.detector IN $d RETURN f.flag_id AS id",
        {"d": list(detectors)},
    )
    return {str(r["id"]) for r in rows}


def detector_version(name: str) -> str:
    """A detector's version: the first 12 hex digits of the SHA-256 of its module and
    query files, so a flag's run record says which code raised it."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for f in get(name).files:
        digest.update((root / f).read_bytes())
    return digest.hexdigest()[:12]


class DetectorResourceError(LinkwatchError):
    """A detector ran out of memory or of disk to spill to: says which detector, which
    setting to change, and where the run's record (the detectors that completed) is."""


def _resource_failure(e: Exception, name: str, settings: Settings) -> str | None:
    """What to tell the user when an engine ran out of memory or spill space, else ``None``."""
    text = str(e)
    mb = settings.event_memory_mb
    if "failed to offload" in text or "No space left on device" in text or "max_temp_directory_size" in text:
        return (
            f"detector {name} ran out of disk to spill to under {Path(settings.data_dir) / 'tmp'} (the event "
            f"store spills beyond LINKWATCH_EVENT_MEMORY_MB = {mb:,} MiB, onto the free disk but "
            f"{SPILL_RESERVE_MB:,} MiB): free disk there, or set LINKWATCH_EVENT_MEMORY_MB higher. The engine "
            f"said: {text.splitlines()[0][:300]}"
        )
    if type(e).__name__ == "OutOfMemoryException" or "Out of Memory" in text:
        return (
            f"detector {name} ran out of memory in the event store (limit {mb:,} MiB, "
            f"LINKWATCH_EVENT_MEMORY_MB): set LINKWATCH_EVENT_MEMORY_MB higher (e.g. {mb * 2:,}) or run "
            f"the other detectors with --detector. The engine said: {text.splitlines()[0][:300]}"
        )
    return None


def _events(ws: Workspace) -> Any:
    """A connection of its own to the event store, reading the corrected view (the
    detectors register their graph facts in it as temporary tables), or an empty
    in-memory one when no events were ingested: the event detectors then see empty
    tables."""
    return reader(ws.events, ws.meta, ws.settings.timezone)


def write_flags(
    store: GraphStore, flags: pd.DataFrame, detectors: Sequence[str], run: RunInfo
) -> list[LoadStats]:
    nodes = flags.copy()
    for c in ("window_start", "window_end"):
        nodes[c] = pd.to_datetime(nodes[c].replace("", None), utc=True)
    nodes["group_id"] = nodes["group_id"].replace("", None)
    prefixes = tuple(f"{MODEL.node('Flag').label}:{d}:" for d in detectors)

    def in_scope(uids: pd.Series) -> pd.Series:
        return uids.str.startswith(prefixes)

    def rel_scope(keys: pd.Series) -> pd.Series:  # relationship keys carry no detector:
        return pd.Series(True, index=keys.index)  # flags of other detectors are re-sent below

    # Relationships of flags from detectors not run now are re-sent unchanged, so that the
    # retire step only touches this run's detectors.
    ev_rows: list[dict[str, str]] = []
    subj_rows: list[dict[str, str]] = []
    for f in nodes.itertuples(index=False):
        uid = MODEL.uid("Flag", f.flag_id)
        subj_rows.append({"src": uid, "dst": MODEL.uid("Officer", f.officer_id)})
        for item in json.loads(str(f.evidence)):
            label = EVIDENCE_LABELS.get(item.get("table", ""))
            if label:
                ev_rows.append({"src": uid, "dst": MODEL.uid(label, item["key"])})
    others = _other_flag_links(store, prefixes)
    subj = pd.concat([pd.DataFrame(subj_rows, columns=["src", "dst"]), others["FLAGS"]], ignore_index=True)
    ev = pd.concat([pd.DataFrame(ev_rows, columns=["src", "dst"]), others["EVIDENCE"]], ignore_index=True)
    ev = ev.drop_duplicates().reset_index(drop=True)
    return [
        store.load_nodes("Flag", nodes, run, retire_scope=in_scope),
        store.load_relationships("FLAGS", subj.drop_duplicates(), run, retire_scope=rel_scope),
        store.load_relationships("EVIDENCE", ev, run, retire_scope=rel_scope),
    ]


def _other_flag_links(store: GraphStore, prefixes: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    out = {}
    for t in ("FLAGS", "EVIDENCE"):
        rows = store.query(
            f"MATCH (f:Flag)-[r:{t}]->(x) WHERE r.retired_at IS NULL RETURN f.uid AS src, x.uid AS dst"
        )
        df = pd.DataFrame(rows, columns=["src", "dst"])
        out[t] = df[~df["src"].str.startswith(prefixes)] if len(df) else df
    return out


def write_export(flags: pd.DataFrame, path: Path) -> Path:
    """The contract's flags export: CSV with header, or JSON lines for ``.jsonl``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    out = flags[FLAG_COLUMNS]
    if path.suffix == ".jsonl":
        with path.open("w", encoding="utf-8") as f:
            for rec in out.to_dict(orient="records"):
                rec["evidence"] = json.loads(rec["evidence"])
                f.write(json.dumps(rec, ensure_ascii=False, default=str) + "\n")
    else:
        out.to_csv(path, index=False)
    return path
