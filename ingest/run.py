"""``linkwatch ingest``: one run over a folder of source files.

A run is all or nothing. First every file is read and validated, entity tables
(:mod:`ingest.reader`) and event tables (:meth:`ingest.events.EventLoader.check`, into
temporary tables), and the snapshot is checked against mass retirement; only then is
anything written (the event store's writes in one transaction): for each entity table, in dependency order,
transform (:mod:`ingest.transform`, pure), load (delta-based, :mod:`graph.store`) and
retire what a newer export no longer has; the derived links (membership resolution,
declaration targets, shared identifiers) are recomputed from the store; the event files
are merged and their aggregated links loaded. The event store commits when the run
succeeds, just before :func:`ingest_dir` returns (the graph store commits when its
handle closes normally: run an ingest inside ``with open_store(...)``).

A run that fails raises, after rolling the event store back (and discarding the graph
handle's writes with ``store.abort()`` where the store has it, when writing had
begun). Since validation comes first, a data error never stops a run half-way.

Every run, failed or not, gets an id and a folder ``<data_dir>/runs/<run_id>/`` with
``manifest.json`` (``status``, and for a failed run ``failed_during`` and ``error``)
and ``quarantine.csv``; a run that succeeds also gets ``resolution.csv`` and an
``IngestRun`` node holding the manifest.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from graph.contract import TABLE_LIST, TABLES
from graph.errors import LinkwatchError
from graph.facts import HUB_HOLDERS, LINK_HOLDERS, graph_facts, graph_facts_of
from graph.model import MODEL
from graph.store import GraphStore, LoadStats, RunInfo, isin, relationship_keys, row_hashes
from ingest.events import (
    AGGREGATES,
    EventCheck,
    EventLoader,
    EventRead,
    aggregate_links,
    clear_access_context,
    set_access_context,
)
from ingest.identifiers import identifier_links
from ingest.reader import (
    FILE_REFUSED,
    MAX_FIELD_SIZE,
    QUARANTINE_COLUMNS,
    RUN_REFUSED,
    SourceFileError,
    TableRead,
    _sha256,
    file_manifest,
    read_table,
    survey,
)
from ingest.resolve import resolve_exact
from ingest.transform import GRAPH_TABLES, declaration_targets, transform, uids

MAX_RETIRE_SHARE = 0.2
"""Default share of a table's current rows one snapshot may retire (see
:class:`MassRetireError`)."""


class MassRetireError(LinkwatchError):
    """A snapshot would retire more than the allowed share of a table's current rows
    (an empty or partial export, most likely); nothing was written."""


Progress = Callable[[str], None]


@dataclass
class IngestReport:
    run: RunInfo
    run_dir: Path
    tables: list[TableRead | EventRead] = field(default_factory=list)
    pending: list[EventCheck] = field(default_factory=list)
    """Event files checked but not merged yet (only a failed run keeps any)."""
    loads: list[LoadStats] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    resolution: dict[str, int] = field(default_factory=dict)
    person_resolution: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    """Files that match no table (with the nearest table name), and other things to read."""
    ignored_files: list[str] = field(default_factory=list)
    status: str = "running"
    """``running``, ``succeeded`` or ``failed``."""
    phase: str = "validate"
    """``validate`` (nothing written yet) or ``write``: how far a failed run got."""
    error: str | None = None
    started_ns: int = 0
    """The clock at the start, in nanoseconds: orders runs that start in the same second."""
    stages: dict[str, float] = field(default_factory=dict)
    derived_inputs: dict[str, str] = field(default_factory=dict)
    """Fingerprints of the inputs of the steps derived from the entity tables (membership
    resolution, shared identifiers): a later run whose inputs are the same skips the step."""
    context_changed: bool = False
    """Whether a table the ``ACCESSED`` policy judges by was loaded."""
    last_run: dict[str, Any] = field(default_factory=dict)
    """The manifest of the run before this one (``{}`` for none)."""
    """Seconds per stage of the run (read and validate, merge, aggregate, graph load,
    resolution, ...), in the order they ran; printed by the command line and kept in the
    manifest."""

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time a stage of the run into :attr:`stages` (added up when it runs again)."""
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.stages[name] = self.stages.get(name, 0.0) + time.perf_counter() - t0

    @property
    def rows_read(self) -> int:
        return sum(t.rows_read for t in self.files)

    @property
    def rows_loaded(self) -> int:
        return sum(t.rows_valid for t in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(len(t.quarantine) for t in self.files)

    @property
    def links_dropped(self) -> int:
        """Optional references to no known key, dropped from rows that were loaded."""
        return sum(len(t.dropped) for t in self.files)

    @property
    def files(self) -> list[TableRead | EventRead | EventCheck]:
        """Every file read: loaded, or (in a failed run) checked and never merged."""
        return [*self.tables, *self.pending]

    @property
    def quarantine_file(self) -> Path:
        return self.run_dir / "quarantine.csv"

    @property
    def manifest_file(self) -> Path:
        return self.run_dir / "manifest.json"


def _store_keys(store: GraphStore, table: str, column: str) -> set[str] | None:
    """Keys already in the store for ``table.column``; ``None`` if the graph has no
    label for that table (the foreign key cannot be checked)."""
    for node in MODEL.nodes:
        if node.source_table == table and node.key == column:
            return set(current(store, node.label, [column])[column])
    return None


def _manifests(store: GraphStore) -> list[dict[str, Any]]:
    """Every ingest run's manifest, oldest first."""
    runs = store.query(
        "MATCH (r:IngestRun) RETURN r.run_id AS run_id, r.started_at AS started_at, "
        "r.manifest AS manifest ORDER BY started_at, run_id"
    )
    manifests = [json.loads(r["manifest"] or "{}") for r in runs]
    # runs of one second: their order from the clock's nanoseconds (run ids do not sort)
    order = sorted(
        range(len(runs)), key=lambda i: (str(runs[i]["started_at"]), manifests[i].get("started_ns", 0), i)
    )
    return [manifests[i] for i in order]


def _previous_checksums(manifests: list[dict[str, Any]]) -> dict[str, str]:
    """The checksum of the file each table was last loaded from (from run manifests)."""
    out: dict[str, str] = {}
    for m in manifests:
        skipped = set(m.get("unchanged_since_last_load", []))
        for f in m.get("files", []):
            if f["table"] not in skipped:
                out[f["table"]] = f["sha256"]
    return out


def plan(src: Path, warnings: list[str] | None = None, ignored: list[str] | None = None) -> dict[str, Path]:
    """The contract tables present in ``src`` (file names matched ignoring case), in
    dependency order. A warning for every other file, naming the nearest table, is
    added to ``warnings``; the generator's own files to ``ignored``."""
    src = Path(src)
    if not src.is_dir():
        raise FileNotFoundError(f"{src}: not a folder")
    found, warned, left = survey(src)
    if warnings is not None:
        warnings.extend(warned)
    if ignored is not None:
        ignored.extend(left)
    if not found:
        names = ", ".join(t.name for t in TABLE_LIST)
        hints = "".join(f"\n  {w}" for w in warned)
        raise FileNotFoundError(
            f"{src}: no source tables found (expected files such as officers.csv; tables: {names}){hints}"
        )
    return {t.name: found[t.name] for t in TABLE_LIST if t.name in found}


def ingest_dir(
    store: GraphStore,
    src: Path,
    data_dir: Path,
    *,
    timezone: str = "Europe/London",
    progress: Progress | None = None,
    event_memory_mb: int = 2048,
    resolver: str = "splink",
    match_threshold: float = 0.95,
    access_links: str = "notable",
    access_repeat: int = 5,
    max_retire_share: float = MAX_RETIRE_SHARE,
    allow_mass_retire: bool = False,
    max_field_size: int = MAX_FIELD_SIZE,
) -> IngestReport:
    """Ingest every contract table found in ``src`` into ``store``, all or nothing.

    ``access_links`` / ``access_repeat``: which officer-record pairs become ``ACCESSED``
    links (see :func:`ingest.events.aggregate_links`). A snapshot that would retire more
    than ``max_retire_share`` of a table's current rows is refused
    (:class:`MassRetireError`) unless ``allow_mass_retire``. Values longer than
    ``max_field_size`` characters are quarantined.

    On failure the run's manifest and quarantine are written (saying why), the event
    store is rolled back, and the error is raised: run this inside ``with
    open_store(...)`` so that the graph store discards the handle's writes too."""
    t0 = time.perf_counter()
    step = progress or (lambda _msg: None)
    run = RunInfo.new("ingest")
    report = IngestReport(run, Path(data_dir) / "runs" / run.run_id, started_ns=time.time_ns())
    report.run_dir.mkdir(parents=True, exist_ok=True)
    ev: EventLoader | None = None
    current_file: list[Path] = []  # the file being read when a run fails
    try:
        files = plan(Path(src), report.warnings, report.ignored_files)
        manifests = _manifests(store)
        report.last_run = manifests[-1] if manifests else {}
        previous = _previous_checksums(manifests)
        with report.stage("read and validate entity tables"):
            reads = _read_entities(
                store, files, previous, timezone, max_field_size, report, step, current_file
            )
        changed = {n for n in GRAPH_TABLES if n in reads and previous.get(n) != reads[n].sha256}
        shapes = {n: transform(n, reads[n].valid) for n in GRAPH_TABLES if n in changed}
        _check_retirement(store, reads, shapes, max_retire_share, allow_mass_retire)
        events = {n: p for n, p in files.items() if TABLES[n].kind == "event"}
        checks: dict[str, EventCheck] = {}
        if events:
            ev = EventLoader(Path(data_dir), memory_mb=event_memory_mb, timezone=timezone)
            with report.stage("read and validate event tables"):
                checks = _check_events(  # into temporary tables: the stored events are not touched
                    ev, store, events, reads, previous, report, step, max_field_size, current_file
                )
        current_file.clear()

        report.phase = "write"  # every file is valid: from here on only the stores can fail
        if ev is not None:
            ev.begin()  # the run's event writes: one transaction, committed at the end
        with (
            report.stage("graph load (entity tables)"),
            ev.memory_released() if ev is not None else contextlib.nullcontext(),
        ):
            loaded = _write_entities(store, reads, shapes, run, report, step)
        if {"officers", "memberships", "persons"} & loaded:
            step("resolve membership lists")
            with report.stage("resolve membership lists"):
                report.loads += _resolve_memberships(store, run, report, resolver, match_threshold, reads)
        if {"declarations", "organisations"} & loaded:
            step("link declarations")
            with report.stage("link declarations"):
                report.loads.append(_link_declarations(store, run))
        if {"officers", "persons"} & loaded:
            step("link shared identifiers")
            with report.stage("link shared identifiers"):
                report.loads += _link_identifiers(store, run, report, reads)
        report.context_changed = bool(loaded & ACCESS_CONTEXT_TABLES)
        if ev is not None:
            needs = AGGREGATES["ACCESSED"][0]
            judged = needs in checks or (report.context_changed and ev.has(needs))
            access_fp = (
                _fingerprint("access_context", *_context_inputs(store, reads, report)) if judged else ""
            )
            del shapes  # written: the entity rows are let go before the events' links are copied
            for read in reads.values():
                read.release()
            _merge_events(
                ev,
                store,
                checks,
                run,
                report,
                step,
                access_fp,
                access_links=access_links,
                access_repeat=access_repeat,
                context_changed=report.context_changed,
            )
        report.seconds = time.perf_counter() - t0
        report.status = "succeeded"
        manifest = _manifest(store, report, Path(src))
        _write_run_node(store, report, manifest)
        _write_files(report, manifest)
        if ev is not None:
            ev.commit()  # the last step: just before the graph store commits (its handle closes)
    except BaseException as e:
        report.status, report.error = "failed", f"{type(e).__name__}: {e}"
        report.seconds = time.perf_counter() - t0
        notes = _undo(store, ev, report)
        _write_failure(store, report, Path(src), e, current_file, notes)
        with contextlib.suppress(Exception):
            e.run_dir = report.run_dir  # type: ignore[attr-defined]  # for the command line
        raise
    finally:
        if ev is not None:
            ev.close()
    step("done")
    return report


def _read_entities(
    store: GraphStore,
    files: dict[str, Path],
    previous: dict[str, str],
    timezone: str,
    max_field_size: int,
    report: IngestReport,
    step: Progress,
    current_file: list[Path],
) -> dict[str, TableRead]:
    """Read and validate every entity file (nothing is written)."""
    reads: dict[str, TableRead] = {}
    for name, path in files.items():
        table = TABLES[name]
        if table.kind == "event":
            continue  # read by the event store
        known: dict[str, set[str] | None] = {}
        for col in table.columns:
            if col.ref:
                ref_table, ref_col = col.ref.split(".")
                if ref_table in reads:
                    # a table present in this run is a full export: it alone defines its keys
                    known[col.ref] = set(reads[ref_table].valid[ref_col])
                elif ref_table == name:
                    # the very file loaded last: the store's keys are its own (45k officers'
                    # ids read back over Bolt were 3 s of a day's run on Neo4j)
                    same = previous.get(name) == _sha256(path)
                    known[col.ref] = set() if same else (_store_keys(store, ref_table, ref_col) or set())
                else:
                    known[col.ref] = _store_keys(store, ref_table, ref_col)
        step(f"read {path.name}")
        current_file[:] = [path]
        reads[name] = read_table(path, table, known, timezone, max_field_size=max_field_size)
        report.tables.append(reads[name])
    return reads


Shapes = dict[str, tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]]


def _check_retirement(
    store: GraphStore, reads: dict[str, TableRead], shapes: Shapes, max_share: float, allowed: bool
) -> None:
    """Refuse a snapshot that would retire more than ``max_share`` of a table's current
    nodes (or, for a table of links, its current relationships)."""
    refused = []
    for name, (nodes, rels) in shapes.items():
        kind = "nodes" if nodes else "relationships"
        if nodes:
            gone_of = []
            for label, frame in nodes.items():
                key = MODEL.node(label).key
                now = set(current(store, label, [key])[key])
                gone_of.append((label, len(now - set(frame[key])), len(now)))
        else:
            gone_of = []
            for rel_type, frame in rels.items():
                rows = store.query(
                    f"MATCH ()-[r:{rel_type}]->() WHERE r.retired_at IS NULL RETURN r.key AS k"
                )
                now = {r["k"] for r in rows}
                df = frame if "discriminator" in frame else frame.assign(discriminator="")
                keys = set(row_hashes(df, ["src", "dst", "discriminator"])) if len(df) else set()
                gone_of.append((rel_type, len(now - keys), len(now)))
        for what, gone, total in gone_of:
            if total and gone > max_share * total:
                refused.append(
                    f"{reads[name].path.name} would retire {gone:,} of the {total:,} current {what} {kind} "
                    f"({gone / total:.0%})"
                )
    if refused and not allowed:
        raise MassRetireError(
            "refused: " + "; ".join(refused) + f", more than the {max_share:.0%} of a table one snapshot may "
            "retire (an empty or partial export?). Nothing was written. If the export really "
            "replaces them, run again with --allow-mass-retire (or raise LINKWATCH_MAX_RETIRE_SHARE)."
        )


def _check_events(
    ev: EventLoader,
    store: GraphStore,
    events: dict[str, Path],
    reads: dict[str, TableRead],
    previous: dict[str, str],
    report: IngestReport,
    step: Progress,
    max_field_size: int,
    current_file: list[Path],
) -> dict[str, EventCheck]:
    """Read and validate every event file into the event store's temporary tables,
    merging nothing; foreign keys to event tables see this run's checked rows too."""
    checks: dict[str, EventCheck] = {}
    for name, path in events.items():
        table = TABLES[name]
        if previous.get(name) == _sha256(path):
            report.unchanged.append(name)
            continue
        fk: dict[str, str | None] = {}
        for col in table.columns:
            if not col.ref or col.ref in fk:
                continue
            ref_table, ref_col = col.ref.split(".")
            if TABLES[ref_table].kind == "event":
                fk[col.ref] = ev.keys(ref_table, ref_col, checks.get(ref_table))
                continue
            keys = (
                set(reads[ref_table].valid[ref_col])
                if ref_table in reads
                else _store_keys(store, ref_table, ref_col)
            )
            fk[col.ref] = None if keys is None else ev.register_keys(f"{ref_table}_{ref_col}", keys)
        step(f"read {path.name}")
        current_file[:] = [path]
        checks[name] = ev.check(path, table, fk, max_field_size=max_field_size)
        report.pending.append(checks[name])
        report.warnings.extend(checks[name].notes)
    return checks


def _write_entities(
    store: GraphStore,
    reads: dict[str, TableRead],
    shapes: Shapes,
    run: RunInfo,
    report: IngestReport,
    step: Progress,
) -> set[str]:
    loaded: set[str] = set()
    for name in GRAPH_TABLES:
        if name not in reads:
            continue
        if name not in shapes:
            report.unchanged.append(name)  # the very file loaded last time: nothing to do
            continue
        loaded.add(name)
        nodes, rels = shapes[name]
        for label, frame in nodes.items():
            step(f"load {label}")
            report.loads.append(store.load_nodes(label, frame, run))
        for rel_type, frame in rels.items():
            step(f"load {rel_type}")
            report.loads.append(store.load_relationships(rel_type, frame, run))
    return loaded


def _merge_events(
    ev: EventLoader,
    store: GraphStore,
    checks: dict[str, EventCheck],
    run: RunInfo,
    report: IngestReport,
    step: Progress,
    access_fp: str,
    *,
    access_links: str = "notable",
    access_repeat: int = 5,
    context_changed: bool = False,
) -> None:
    """The checked event files into the event store, then their aggregated links into
    the graph.

    A link type is aggregated again when its event table was merged (or, for
    ``ACCESSED``, when the records, case assignments or people it judges by changed).
    Where only new or corrected event rows came in, only the pairs they touch are
    aggregated and loaded (a day's export on a year of events); otherwise every pair."""
    loaded: set[str] = set()
    for name, chk in checks.items():
        step(f"load {chk.path.name} into the event store")
        with report.stage("merge event tables"):
            report.tables.append(ev.merge(chk, run))
        report.pending.remove(chk)
        loaded.add(name)
    for rel_type, (needs, _sql) in AGGREGATES.items():
        whole_again = rel_type == "ACCESSED" and context_changed and ev.has(needs)
        if not (needs in loaded or whole_again or (rel_type == "EDITED_ROSTER_OF" and "shifts" in loaded)):
            continue
        with report.stage("aggregate links from events"):
            if rel_type == "ACCESSED":
                # a change of the context tables that leaves what the policy reads as it was (a
                # promotion in officers.csv) is no reason to judge every pair again
                same = _unchanged(report, "access_context", access_fp)
                if same and whole_again:
                    whole_again = False
                    if needs not in loaded:
                        continue
            if whole_again:
                scope = None
            elif rel_type == "EDITED_ROSTER_OF":
                scope = ev.edited_scope()
            else:
                scope = ev.touched.get(rel_type)
            # the (start, end) pairs this run's rows touched, in the event table's columns
            touched = None if scope is None else ev.con.execute(f"SELECT * FROM {scope}").df()
            if rel_type == "ACCESSED":
                step("read records, case assignments and shared identifiers for ACCESSED")
                if touched is None:
                    context = access_context(store)
                else:  # the context of the pairs to judge, not of every record
                    context = access_context(
                        store, touched["officer_id"].drop_duplicates(), touched["record_id"].drop_duplicates()
                    )
                set_access_context(ev, context)
                del context  # in the event store now
            frame = aggregate_links(
                ev, rel_type, access_links=access_links, access_repeat=access_repeat, scope=scope
            )
            if rel_type == "ACCESSED":
                clear_access_context(ev)  # judged: the graph load gets the room
        if frame is None:
            continue
        retire: Any = True
        state_keys: list[str] | None = None
        if touched is not None:  # links of pairs no new row touched stay as they are
            src_label, dst_label = AGGREGATE_ENDS[rel_type]
            keys = relationship_keys(
                MODEL.node(src_label).uids(touched.iloc[:, 0]), MODEL.node(dst_label).uids(touched.iloc[:, 1])
            )
            retire = _within(set(keys))
            state_keys = list(keys)  # only those links are read and compared, not all of the type
        step(f"load {rel_type} (aggregated from {needs}{', the pairs it touched' if scope else ''})")
        with report.stage("graph load (aggregated links)"), ev.memory_released():
            if touched is None and len(frame) >= RELEASE_ROWS:
                store.release_memory()  # the pages earlier loads cached make room for the copy
            handed = [frame]  # the load is the frame's last holder: it lets it go before the copy
            del frame
            report.loads.append(
                store.load_relationships(
                    rel_type, handed.pop(), run, retire_scope=retire, state_keys=state_keys
                )
            )


RELEASE_ROWS = 500_000
"""A whole load of at least this many aggregated links first hands back the graph
store's cached pages (:meth:`GraphStore.release_memory`): Ladybug's bulk copy of 1.9 M
``ACCESSED`` links needs about 3 GiB of its own."""

ACCESS_CONTEXT_TABLES = {"records", "case_assignments", "officers", "persons"}
"""Tables the ``ACCESSED`` link policy judges by (sensitivity, own cases, personal
links): when one changes, every pair is aggregated again."""

AGGREGATE_ENDS = {
    "ACCESSED": ("Officer", "Record"),
    "ATTENDED": ("Officer", "Site"),
    "ROSTERED_AT": ("Officer", "Site"),
    "APPROVED_SHIFTS_OF": ("Officer", "Officer"),
    "EDITED_ROSTER_OF": ("Officer", "Officer"),
}
"""The labels of the start and end of each link type aggregated pair by pair."""


def _within(keys: set[str]) -> Callable[[pd.Series], pd.Series]:
    """A retire scope: only these relationship keys may be retired."""
    return lambda existing: pd.Series(isin(existing, keys), index=existing.index)


def _undo(store: GraphStore, ev: EventLoader | None, report: IngestReport) -> list[str]:
    """Roll the event store back and, once writing had begun, discard the graph handle's
    writes where the store can (``abort``); say what was done."""
    notes = []
    if ev is not None:
        ev.rollback()
        notes.append("the event store was rolled back: it is as before the run")
    if report.phase == "validate":
        notes.append("the run failed before anything was written to the graph store")
        return notes
    if store.name != "embedded":
        notes.append(
            f"the {store.name} store keeps what was written before the failure (each load batch is its "
            "own transaction); loads are deltas, so running the same folder again completes it"
        )
        return notes
    abort = getattr(store, "abort", None)
    if callable(abort):
        try:
            abort()
            notes.append("the graph store's writes from this handle were discarded (abort)")
        except Exception as e:  # the original error is the one to raise
            notes.append(f"discarding the graph store's writes failed: {type(e).__name__}: {e}")
    else:
        notes.append(
            "the graph store's writes are discarded when its handle closes after the error "
            "(where the store keeps them apart until then)"
        )
    return notes


def access_context(
    store: GraphStore, officers: pd.Series | None = None, records: pd.Series | None = None
) -> dict[str, pd.DataFrame]:
    """What the ``ACCESSED`` link policy needs from the graph (the detectors' graph
    facts, :mod:`graph.facts`): current records, officers' case assignments, and
    officer-person pairs that share an identifier; with ``officers`` and ``records``
    (ids), only what judging pairs of those needs (a day's lookups: a few thousand of
    each, not the whole force's records)."""
    if officers is None or records is None:
        facts = graph_facts(store, ["g_records", "g_case_assignments", "g_linked"])
    else:
        facts = graph_facts_of(
            store, MODEL.node("Officer").uids(officers), MODEL.node("Record").uids(records)
        )
    linked = facts["g_linked"]
    linked = linked[pd.to_numeric(linked["holders"]).fillna(0) <= LINK_HOLDERS]
    return {
        "ctx_records": facts["g_records"][["record_id", "sensitivity", "case_ref", "person_id"]],
        "ctx_own_cases": facts["g_case_assignments"][["officer_id", "case_ref"]],
        "ctx_linked": linked[["officer_id", "person_id"]].drop_duplicates().reset_index(drop=True),
    }


def _inputs(
    store: GraphStore, reads: dict[str, TableRead], table: str, label: str, columns: list[str]
) -> pd.DataFrame:
    """A table's columns as a derived step's fingerprint reads them: from this run's
    validated file where it has them (a table in a run is a full export, which the graph
    holds once the run is written; reading it back from a 45k force's graph costs seconds
    over Bolt), else from the graph. Either way as the same text (:func:`_canonical`), so a
    run that sends a table and one that does not compare equal when its rows are."""
    read = reads.get(table)
    if read is not None and set(columns) <= set(read.valid.columns):
        return _canonical(read.valid[columns])
    return _canonical(current(store, label, columns))


def _canonical(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows as text in a fixed order, nulls as one value (a file's None, the graph's NaN)."""
    cols = list(frame.columns)
    text = frame.astype(object).where(frame.notna(), None).astype(str)
    return text.sort_values(cols).reset_index(drop=True)


def _context_inputs(store: GraphStore, reads: dict[str, TableRead], report: IngestReport) -> list[Any]:
    """What the ``ACCESSED`` policy's judgement depends on: the records' sensitivity, case
    and person, the officers' cases, and the shared identifiers' inputs (whose links give
    the personal ties), with the limits that apply."""
    pair = ["officer_id", "case_ref"]
    if "case_assignments" in reads and set(pair) <= set(reads["case_assignments"].valid.columns):
        cases = reads["case_assignments"].valid[pair]
    else:
        cases = graph_facts(store, ["g_case_assignments"])["g_case_assignments"][pair]
    identifiers = report.derived_inputs.get("identifiers") or _carried(report).get("identifiers")
    return [
        _inputs(store, reads, "records", "Record", ["record_id", "sensitivity", "case_ref", "person_id"]),
        _canonical(cases),
        f"identifiers={identifiers}",
        f"holders={LINK_HOLDERS},{HUB_HOLDERS}",
    ]


def current(store: GraphStore, label: str, columns: list[str]) -> pd.DataFrame:
    """The current (not retired) nodes of ``label`` as a frame of ``columns``."""
    ret = ", ".join(f"n.{c} AS {c}" for c in columns)
    return store.frame(f"MATCH (n:{label}) WHERE n.retired_at IS NULL RETURN {ret}", columns)


def _resolve(members: pd.DataFrame, people: pd.DataFrame, resolver: str, match_threshold: float) -> Any:
    if resolver == "exact":
        return resolve_exact(members, people)
    from ingest.resolve import resolve_splink

    return resolve_splink(members, people, threshold=match_threshold)


RESOLUTION_INPUTS = {
    "officers": ("Officer", ["officer_id", "surname", "forenames", "date_of_birth", "home_postcode"]),
    "persons": ("Person", ["person_id", "surname", "forenames", "date_of_birth", "postcode"]),
    "memberships": (
        "Membership",
        [
            "membership_id",
            "org_id",
            "member_surname",
            "member_forenames",
            "member_date_of_birth",
            "member_postcode",
            "since",
            "until",
        ],
    ),
}
IDENTIFIER_INPUTS = {
    "officers": ("Officer", ["officer_id", "surname", "home_postcode", "home_address", "phone", "email"]),
    "persons": ("Person", ["person_id", "surname", "postcode", "address", "phone"]),
}


def _resolve_memberships(
    store: GraphStore,
    run: RunInfo,
    report: IngestReport,
    resolver: str,
    match_threshold: float,
    reads: dict[str, TableRead],
) -> list[LoadStats]:
    """Resolve membership-list entries to officers and, the same way, to persons in
    police records (so an officer and a flagged person on one company register are two
    hops apart). Both kinds of link are loaded together, so neither retires the other."""
    fingerprint = [_inputs(store, reads, t, label, cols) for t, (label, cols) in RESOLUTION_INPUTS.items()]
    if _unchanged_inputs(report, "resolution", *fingerprint, resolver, match_threshold):
        report.resolution = dict(report.last_run.get("membership_resolution") or {})
        report.person_resolution = dict(report.last_run.get("membership_resolution_persons") or {})
        return []
    officers, persons, members = (
        current(store, label, cols).sort_values(cols[0]).reset_index(drop=True)
        for label, cols in RESOLUTION_INPUTS.values()
    )
    res = _resolve(members, officers, resolver, match_threshold)
    res.report.to_csv(report.run_dir / "resolution.csv", index=False)
    report.resolution = {str(k): int(v) for k, v in res.report["status"].value_counts().items()}
    parts = [("Officer", res.links)]
    if len(persons) and len(members):
        # the resolver speaks of officers; persons go through it under the same column names
        people = (
            persons.rename(columns={"person_id": "officer_id", "postcode": "home_postcode"})
            .sort_values("officer_id")
            .reset_index(drop=True)
        )
        pres = _resolve(members, people, resolver, match_threshold)
        for frame in (pres.links, pres.report):  # the candidates (JSON) name persons
            if "candidates" in frame:
                frame["candidates"] = frame["candidates"].str.replace(
                    '"officer_id":', '"person_id":', regex=False
                )
        pres.report.to_csv(report.run_dir / "resolution-persons.csv", index=False)
        report.person_resolution = {str(k): int(v) for k, v in pres.report["status"].value_counts().items()}
        parts.append(("Person", pres.links))
    member_of, resolved_to = [], []
    for label, links in parts:
        member_of.append(
            pd.DataFrame(
                {
                    "src": uids(label, links["officer_id"]),
                    "dst": uids("Organisation", links["org_id"]),
                    "discriminator": links["membership_id"],
                    **{
                        c: links[c]
                        for c in ("membership_id", "score", "matched_on", "method", "since", "until")
                    },
                    **{c: links[c] for c in ("match_weights", "candidates") if c in links},
                }
            )
        )
        resolved_to.append(
            pd.DataFrame(
                {
                    "src": uids("Membership", links["membership_id"]),
                    "dst": uids(label, links["officer_id"]),
                    **{c: links[c] for c in ("score", "matched_on", "method")},
                    **{c: links[c] for c in ("match_weights",) if c in links},
                }
            )
        )
    return [
        store.load_relationships("MEMBER_OF", pd.concat(member_of, ignore_index=True), run),
        store.load_relationships("RESOLVED_TO", pd.concat(resolved_to, ignore_index=True), run),
    ]


def _link_declarations(store: GraphStore, run: RunInfo) -> LoadStats:
    decl = current(store, "Declaration", ["declaration_id", "org_id", "org_name"])
    orgs = current(store, "Organisation", ["org_id", "name"])
    return store.load_relationships("ABOUT", declaration_targets(decl, orgs), run)


def _unchanged_inputs(report: IngestReport, step: str, *inputs: Any) -> bool:
    """Record the fingerprint of a derived step's inputs (frames and settings); whether the
    run before, which succeeded, had the same (its output is then in the store already, and
    computing it again would load the same rows: the step is skipped, and the run's warnings
    say so)."""
    return _unchanged(report, step, _fingerprint(step, *inputs))


def _fingerprint(step: str, *inputs: Any) -> str:
    """The fingerprint of a derived step's inputs (frames and settings)."""
    h = hashlib.sha256(f"{step}:{DERIVED_VERSION}".encode())
    for x in inputs:
        if isinstance(x, pd.DataFrame):
            h.update(",".join(map(str, x.columns)).encode())
            h.update(pd.util.hash_pandas_object(x.astype(str), index=False).to_numpy().tobytes())
        else:
            h.update(repr(x).encode())
        h.update(b"|")
    return h.hexdigest()


def _unchanged(report: IngestReport, step: str, fp: str) -> bool:
    """Record a derived step's fingerprint; whether the last run, which succeeded, had it."""
    report.derived_inputs[step] = fp
    last = report.last_run
    same = last.get("status") == "succeeded" and (last.get("derived_inputs") or {}).get(step) == fp
    if same:
        report.warnings.append(f"{step}: the inputs are as the last run's; its links are kept as they are")
    return bool(same)


def _carried(report: IngestReport) -> dict[str, str]:
    """The last run's fingerprints of derived steps this run did not run because none of their
    inputs changed (so they still hold)."""
    last = report.last_run
    if last.get("status") != "succeeded":
        return {}
    keep = dict(last.get("derived_inputs") or {})
    if report.context_changed:  # ACCESSED's context changed and was not judged again: unknown now
        keep.pop("access_context", None)
    return keep


DERIVED_VERSION = 3
"""Bump when membership resolution or identifier linking changes what it makes: the next run
computes them again whatever its inputs."""


def _link_identifiers(
    store: GraphStore, run: RunInfo, report: IngestReport, reads: dict[str, TableRead]
) -> list[LoadStats]:
    fingerprint = [_inputs(store, reads, t, label, cols) for t, (label, cols) in IDENTIFIER_INPUTS.items()]
    if _unchanged_inputs(report, "identifiers", *fingerprint):
        return []
    officers, persons = (
        current(store, label, cols).sort_values(cols[0]).reset_index(drop=True)
        for label, cols in IDENTIFIER_INPUTS.values()
    )
    nodes, rels = identifier_links(officers, persons)
    return [
        store.load_nodes("Identifier", nodes, run),
        store.load_relationships("HAS_IDENTIFIER", rels, run),
    ]


def _quarantine_frame(report: IngestReport, extra: list[dict[str, Any]] | None = None) -> pd.DataFrame:
    parts = []
    for t in report.files:
        both = [x for x in (t.quarantine, t.dropped) if len(x)]
        if both:
            parts.append(pd.concat(both, ignore_index=True).sort_values("line", kind="stable"))
    if extra:
        parts.append(pd.DataFrame(extra))
    if not parts:
        return pd.DataFrame(columns=QUARANTINE_COLUMNS)
    return pd.concat(parts, ignore_index=True).reindex(columns=QUARANTINE_COLUMNS)


def _manifest(store: GraphStore, report: IngestReport, src: Path) -> dict[str, Any]:
    finished = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return {
        "run_id": report.run.run_id,
        "status": report.status,
        "started_at": report.run.ts.isoformat(),
        "started_ns": report.started_ns,
        "finished_at": finished.isoformat(),
        "source_dir": str(src.resolve()),
        "store": store.name,
        "warnings": report.warnings,
        "ignored_files": report.ignored_files,
        "files": [file_manifest(t) for t in report.files],
        "loads": [s.as_dict() for s in report.loads],
        "unchanged_since_last_load": report.unchanged,
        "membership_resolution": report.resolution,
        "membership_resolution_persons": report.person_resolution,
        "rows_read": report.rows_read,
        "rows_loaded": report.rows_loaded,
        "rows_quarantined": report.rows_quarantined,
        "links_dropped": report.links_dropped,
        "quarantine_file": str(report.quarantine_file),
        "seconds": round(report.seconds, 3),
        "stages": {k: round(v, 3) for k, v in report.stages.items()},
        "derived_inputs": {**_carried(report), **report.derived_inputs},
    }


def _write_run_node(store: GraphStore, report: IngestReport, manifest: dict[str, Any]) -> None:
    store.load_nodes(
        "IngestRun",
        pd.DataFrame(
            [
                {
                    "run_id": report.run.run_id,
                    "started_at": report.run.ts,
                    "finished_at": dt.datetime.fromisoformat(manifest["finished_at"]),
                    "source_dir": manifest["source_dir"],
                    "manifest": json.dumps(manifest, default=str),
                }
            ]
        ),
        report.run,
        retire_scope=False,
    )


def _write_files(
    report: IngestReport, manifest: dict[str, Any], extra: list[dict[str, Any]] | None = None
) -> None:
    _quarantine_frame(report, extra).to_csv(report.quarantine_file, index=False)
    tmp = report.manifest_file.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, default=str))
    tmp.replace(report.manifest_file)


def _write_failure(
    store: GraphStore,
    report: IngestReport,
    src: Path,
    e: BaseException,
    current_file: list[Path],
    notes: list[str],
) -> None:
    """The manifest and quarantine of a failed run: what was read, and why it stopped."""
    manifest = _manifest(store, report, src)
    manifest.update(
        {
            "failed_during": "validation" if report.phase == "validate" else "writing",
            "error": report.error,
            "what_happened": notes,
        }
    )
    refusal: list[dict[str, Any]] = []
    if isinstance(e, (SourceFileError, FileNotFoundError)):
        refusal.append(
            {
                "file": current_file[0].name if current_file else "",
                "line": None,
                "column": "",
                "reason": str(e),
                "raw": "",
                "action": FILE_REFUSED,
            }
        )
    elif isinstance(e, MassRetireError):
        refusal.append(
            {"file": "", "line": None, "column": "", "reason": str(e), "raw": "", "action": RUN_REFUSED}
        )
    try:
        _write_files(report, manifest, refusal)
    except Exception as w:  # never hide the run's own error behind this one
        e.add_note(f"the failed run's manifest could not be written: {w}")
