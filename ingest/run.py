"""``linkwatch ingest``: one run over a folder of source files.

For each table present, in dependency order: read and validate (:mod:`ingest.reader`),
transform (:mod:`ingest.transform`, pure), load (delta-based, :mod:`graph.store`), and
retire what a newer export no longer has. Then the derived links (membership
resolution, declaration targets) are recomputed from the store. Every run gets an id, a
folder ``<data_dir>/runs/<run_id>/`` with ``manifest.json``, ``quarantine.csv`` and
``resolution.csv``, and an ``IngestRun`` node holding the manifest.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from graph.facts import graph_facts
from graph.model import MODEL
from graph.settings import Settings
from graph.store import GraphStore, LoadStats, RunInfo
from ingest.contract import TABLE_LIST, TABLES
from ingest.events import AGGREGATES, EventRead, EventStore, aggregate_links, set_access_context
from ingest.identifiers import identifier_links
from ingest.reader import QUARANTINE_COLUMNS, TableRead, _sha256, find_source, read_table
from ingest.resolve import resolve_exact
from ingest.transform import GRAPH_TABLES, declaration_targets, transform, uids

Progress = Callable[[str], None]


@dataclass
class IngestReport:
    run: RunInfo
    run_dir: Path
    tables: list[TableRead | EventRead] = field(default_factory=list)
    loads: list[LoadStats] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    resolution: dict[str, int] = field(default_factory=dict)
    person_resolution: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def rows_read(self) -> int:
        return sum(t.rows_read for t in self.tables)

    @property
    def rows_loaded(self) -> int:
        return sum(t.rows_valid for t in self.tables)

    @property
    def rows_quarantined(self) -> int:
        return sum(len(t.quarantine) for t in self.tables)

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


def _previous_checksums(store: GraphStore) -> dict[str, str]:
    """The checksum of the file each table was last loaded from (from run manifests)."""
    runs = store.query(
        "MATCH (r:IngestRun) RETURN r.run_id AS run_id, r.started_at AS started_at, "
        "r.manifest AS manifest ORDER BY started_at, run_id"
    )
    out: dict[str, str] = {}
    for r in runs:
        m = json.loads(r["manifest"] or "{}")
        skipped = set(m.get("unchanged_since_last_load", []))
        for f in m.get("files", []):
            if f["table"] not in skipped:
                out[f["table"]] = f["sha256"]
    return out


def plan(src: Path) -> dict[str, Path]:
    """The contract tables present in ``src``, in dependency order."""
    if not src.is_dir():
        raise FileNotFoundError(f"{src}: not a folder")
    found = {t.name: p for t in TABLE_LIST if (p := find_source(src, t.name)) is not None}
    if not found:
        names = ", ".join(t.name for t in TABLE_LIST)
        raise FileNotFoundError(
            f"{src}: no source tables found (expected files such as officers.csv; tables: {names})"
        )
    return found


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
) -> IngestReport:
    """Ingest every contract table found in ``src`` into ``store``.

    ``access_links`` / ``access_repeat``: which officer-record pairs become ``ACCESSED``
    links (see :func:`ingest.events.aggregate_links`)."""
    t0 = time.perf_counter()
    step = progress or (lambda _msg: None)
    files = plan(Path(src))
    run = RunInfo.new("ingest")
    report = IngestReport(run, Path(data_dir) / "runs" / run.run_id)
    report.run_dir.mkdir(parents=True, exist_ok=True)

    previous = _previous_checksums(store)
    reads: dict[str, TableRead] = {}
    for name, path in files.items():
        table = TABLES[name]
        if table.kind == "event":
            continue  # read by the event store, after the entities they point to are loaded
        known: dict[str, set[str] | None] = {}
        for col in table.columns:
            if col.ref:
                ref_table, ref_col = col.ref.split(".")
                in_store = _store_keys(store, ref_table, ref_col)
                if ref_table in reads:
                    this_run = set(reads[ref_table].valid[ref_col])
                    # a table present in this run is a full export: it alone defines its keys
                    known[col.ref] = this_run
                elif ref_table == name:
                    known[col.ref] = in_store or set()
                else:
                    known[col.ref] = in_store
        step(f"read {path.name}")
        reads[name] = read_table(path, table, known, timezone)
        report.tables.append(reads[name])

    loaded: set[str] = set()
    for name in GRAPH_TABLES:
        if name not in reads:
            continue
        if previous.get(name) == reads[name].sha256:
            report.unchanged.append(name)  # the very file loaded last time: nothing to do
            continue
        loaded.add(name)
        nodes, rels = transform(name, reads[name].valid)
        for label, frame in nodes.items():
            step(f"load {label}")
            report.loads.append(store.load_nodes(label, frame, run))
        for rel_type, frame in rels.items():
            step(f"load {rel_type}")
            report.loads.append(store.load_relationships(rel_type, frame, run))

    if {"officers", "memberships", "persons"} & loaded:
        step("resolve membership lists")
        report.loads += _resolve_memberships(store, run, report, resolver, match_threshold)
    if {"declarations", "organisations"} & loaded:
        step("link declarations")
        report.loads.append(_link_declarations(store, run))
    if {"officers", "persons"} & loaded:
        step("link shared identifiers")
        report.loads += _link_identifiers(store, run)

    events = {n: p for n, p in files.items() if TABLES[n].kind == "event"}
    if events:
        _ingest_events(
            store,
            events,
            reads,
            previous,
            data_dir,
            timezone,
            event_memory_mb,
            run,
            report,
            step,
            access_links=access_links,
            access_repeat=access_repeat,
        )

    report.seconds = time.perf_counter() - t0
    _write_outputs(store, report, Path(src))
    step("done")
    return report


def _ingest_events(
    store: GraphStore,
    events: dict[str, Path],
    reads: dict[str, TableRead],
    previous: dict[str, str],
    data_dir: Path,
    timezone: str,
    memory_mb: int,
    run: RunInfo,
    report: IngestReport,
    step: Progress,
    *,
    access_links: str = "notable",
    access_repeat: int = 5,
) -> None:
    """Event tables into the event store, then their aggregated links into the graph."""
    ev = EventStore(Path(data_dir), memory_mb=memory_mb, timezone=timezone)
    try:
        loaded: set[str] = set()
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
                    fk[col.ref] = ev.keys(ref_table, ref_col)
                    continue
                keys = (
                    set(reads[ref_table].valid[ref_col])
                    if ref_table in reads
                    else _store_keys(store, ref_table, ref_col)
                )
                fk[col.ref] = None if keys is None else ev.register_keys(f"{ref_table}_{ref_col}", keys)
            step(f"load {path.name} into the event store")
            report.tables.append(ev.load(path, table, fk, run))
            loaded.add(name)
        for rel_type, (needs, _sql) in AGGREGATES.items():
            if needs in loaded or (rel_type == "EDITED_ROSTER_OF" and "shifts" in loaded):
                if rel_type == "ACCESSED":
                    step("read records, case assignments and shared identifiers for ACCESSED")
                    set_access_context(ev, access_context(store))
                frame = aggregate_links(ev, rel_type, access_links=access_links, access_repeat=access_repeat)
                if frame is not None:
                    step(f"load {rel_type} (aggregated from {needs})")
                    report.loads.append(store.load_relationships(rel_type, frame, run))
    finally:
        ev.close()


def access_context(store: GraphStore) -> dict[str, pd.DataFrame]:
    """What the ``ACCESSED`` link policy needs from the graph (the detectors' graph
    facts, :mod:`graph.facts`): current records, officers' case assignments, and
    officer-person pairs that share an identifier."""
    facts = graph_facts(store, ["g_records", "g_case_assignments", "g_linked"])
    return {
        "ctx_records": facts["g_records"][["record_id", "sensitivity", "case_ref", "person_id"]],
        "ctx_own_cases": facts["g_case_assignments"][["officer_id", "case_ref"]],
        "ctx_linked": facts["g_linked"][["officer_id", "person_id"]].drop_duplicates().reset_index(drop=True),
    }


def current(store: GraphStore, label: str, columns: list[str]) -> pd.DataFrame:
    """The current (not retired) nodes of ``label`` as a frame of ``columns``."""
    ret = ", ".join(f"n.{c} AS {c}" for c in columns)
    rows = store.query(f"MATCH (n:{label}) WHERE n.retired_at IS NULL RETURN {ret}")
    return pd.DataFrame(rows, columns=columns)


def _resolve(members: pd.DataFrame, people: pd.DataFrame, resolver: str, match_threshold: float) -> Any:
    if resolver == "exact":
        return resolve_exact(members, people)
    from ingest.resolve import resolve_splink

    return resolve_splink(members, people, threshold=match_threshold)


def _resolve_memberships(
    store: GraphStore, run: RunInfo, report: IngestReport, resolver: str, match_threshold: float
) -> list[LoadStats]:
    """Resolve membership-list entries to officers and, the same way, to persons in
    police records (so an officer and a flagged person on one company register are two
    hops apart). Both kinds of link are loaded together, so neither retires the other."""
    officers = current(
        store, "Officer", ["officer_id", "surname", "forenames", "date_of_birth", "home_postcode"]
    )
    persons = current(store, "Person", ["person_id", "surname", "forenames", "date_of_birth", "postcode"])
    members = current(
        store,
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
    )
    members = members.sort_values("membership_id").reset_index(drop=True)
    officers = officers.sort_values("officer_id").reset_index(drop=True)
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


def _link_identifiers(store: GraphStore, run: RunInfo) -> list[LoadStats]:
    officers = current(store, "Officer", ["officer_id", "surname", "home_postcode", "home_address", "phone"])
    persons = current(store, "Person", ["person_id", "surname", "postcode", "address", "phone"])
    nodes, rels = identifier_links(officers, persons)
    return [
        store.load_nodes("Identifier", nodes, run),
        store.load_relationships("HAS_IDENTIFIER", rels, run),
    ]


def _write_outputs(store: GraphStore, report: IngestReport, src: Path) -> None:
    q = [t.quarantine for t in report.tables if len(t.quarantine)]
    (pd.concat(q, ignore_index=True) if q else pd.DataFrame(columns=QUARANTINE_COLUMNS)).to_csv(
        report.quarantine_file, index=False
    )
    finished = dt.datetime.now(dt.UTC).replace(microsecond=0)
    manifest: dict[str, Any] = {
        "run_id": report.run.run_id,
        "started_at": report.run.ts.isoformat(),
        "finished_at": finished.isoformat(),
        "source_dir": str(src.resolve()),
        "store": store.name,
        "files": [t.manifest for t in report.tables],
        "loads": [s.as_dict() for s in report.loads],
        "unchanged_since_last_load": report.unchanged,
        "membership_resolution": report.resolution,
        "membership_resolution_persons": report.person_resolution,
        "rows_read": report.rows_read,
        "rows_loaded": report.rows_loaded,
        "rows_quarantined": report.rows_quarantined,
        "quarantine_file": str(report.quarantine_file),
        "seconds": round(report.seconds, 3),
    }
    report.manifest_file.write_text(json.dumps(manifest, indent=2, default=str))
    store.load_nodes(
        "IngestRun",
        pd.DataFrame(
            [
                {
                    "run_id": report.run.run_id,
                    "started_at": report.run.ts,
                    "finished_at": finished,
                    "source_dir": manifest["source_dir"],
                    "manifest": json.dumps(manifest, default=str),
                }
            ]
        ),
        report.run,
        retire_scope=False,
    )


def generated_store(
    data: Path, *, officers: int, days: int, seed: int, buffer_pool_mb: int = 2048
) -> Settings:
    """Settings of an embedded store in ``data`` holding a generated force (written to
    ``data``'s sibling ``src`` and ingested), made unless ``data`` already holds a store:
    benchmarks reuse one force across runs."""
    from graph.embedded import DB_FILE
    from graph.store import open_store
    from ingest.generate import write_force

    s = Settings.model_validate({"data_dir": data, "buffer_pool_mb": buffer_pool_mb})
    if not (data / DB_FILE).exists():
        src = data.parent / "src"
        t0 = time.perf_counter()
        write_force(src, officers=officers, days=days, seed=seed, fmt="parquet")
        with open_store(s) as st:
            ingest_dir(st, src, data)
        print(f"generated and ingested {officers} x {days} in {time.perf_counter() - t0:.0f} s")
    return s
