"""Exports as files: subgraphs (JSON, CSV as a ZIP of nodes and edges, GraphML), flags
in the contract's export format, and the whole graph for Neo4j's bulk importer. Each is
audited as ``export``. Subgraph and flag exports are pseudonymised for the looker
(:mod:`api.ops.pseudonyms`); the bulk exports of the whole store (an administrator's
copy for a migration) are not."""

from __future__ import annotations

import datetime as dt
import io
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from api.ops import flags as flag_ops
from api.ops import network
from api.ops.look import Look
from api.ops.pseudonyms import Masker
from graph.bulk import ImportFiles, write_neo4j_import
from graph.contract import TABLE_LIST, TABLES
from graph.corrections import reader
from graph.embedded import EmbeddedStore
from graph.errors import LinkwatchError
from graph.events import month_column
from graph.export import subgraph_export, subgraph_of_rows, table_export
from graph.subgraph import Subgraph
from graph.workspace import Workspace
from queries.detectors.base import FLAG_COLUMNS


class File:
    """A file to hand over: its bytes, media type and name."""

    def __init__(self, data: bytes, media_type: str, filename: str) -> None:
        self.data, self.media_type, self.filename = data, media_type, filename


def _name(stem: str, suffix: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in stem)[:80] or "export"
    return safe + suffix


def subgraph_file(sg: Subgraph, fmt: str, stem: str) -> File:
    """A subgraph as a file of ``fmt`` (``json``, ``csv`` or ``graphml``)."""
    data, media, suffix = subgraph_export(sg, fmt)
    return File(data, media, _name(stem, suffix))


def rows_file(rows: list[dict[str, Any]], fmt: str, stem: str, *, graph: bool = False) -> File:
    """Rows as a file: a table as JSON or CSV; GraphML (or any format when ``graph``) of
    the nodes, relationships and paths in the rows."""
    if graph:
        data, media, suffix = subgraph_export(subgraph_of_rows(rows), fmt)
    else:
        data, media, suffix = table_export(rows, fmt)
    return File(data, media, _name(stem, suffix))


def neighbourhood(ws: Workspace, look: Look, node_ids: list[str], fmt: str, **kw: Any) -> File:
    """A neighbourhood (as :func:`api.ops.network.neighbourhood` gives it) as a file."""
    mask = Masker.for_look(ws, look)
    node_ids = [mask.resolve_uid(u) for u in node_ids]
    sg = network.neighbourhood(ws, look, node_ids, action="export", note={"format": fmt}, **kw)
    return subgraph_file(mask.subgraph(sg), fmt, f"neighbourhood-{mask.uid(node_ids[0])}")


def paths(ws: Workspace, look: Look, source: str, target: str, fmt: str, **kw: Any) -> File:
    """Every shortest path between two nodes, merged into one graph, as a file."""
    mask = Masker.for_look(ws, look)
    source, target = mask.resolve_uid(source), mask.resolve_uid(target)
    found = network.paths(ws, look, source, target, action="export", note={"format": fmt}, **kw)
    sg = Subgraph()
    for p in found:
        for n in p.nodes.values():
            sg.add_node(n)
        for e in p.edges.values():
            sg.add_edge(e)
    return subgraph_file(mask.subgraph(sg), fmt, f"paths-{mask.uid(source)}-{mask.uid(target)}")


def flags(
    ws: Workspace,
    look: Look,
    fmt: str,
    filters: dict[str, str | None],
    *,
    status: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> File:
    """Flags in the contract's export format (CSV, or JSON lines), plus their status."""
    look.need_purpose("an export of flags")
    mask = Masker.for_look(ws, look)
    filters = {**filters, "officer_id": mask.resolve(filters.get("officer_id"))}
    items = mask.flags(flag_ops.all_flags(ws.store, ws.meta, filters, status, since, until))
    cols = [*FLAG_COLUMNS, "status"]
    if fmt == "csv":
        df = pd.DataFrame(items, columns=cols)
        df["evidence"] = [json.dumps(e, ensure_ascii=False) for e in df["evidence"]]
        df["group_id"] = df["group_id"].fillna("")
        buf = io.StringIO()
        df.to_csv(buf, index=False)
        data, media = buf.getvalue().encode("utf-8"), "text/csv"
    else:
        lines = [json.dumps({c: f.get(c) for c in cols}, ensure_ascii=False, default=str) for f in items]
        data, media = ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8"), "application/x-ndjson"
    look.record(
        ws.audit,
        "export",
        "flags",
        params={**filters, "status": status, "since": since, "until": until, "format": fmt},
        result_size=len(items),
    )
    return File(data, media, f"flags.{fmt}")


def neo4j_import(ws: Workspace, look: Look, folder: Path, progress: Any = None) -> ImportFiles:
    """The embedded store's whole graph as files for ``neo4j-admin database import full``
    (it copies everyone's data, so it needs a stated purpose)."""
    look.need_purpose("an export of the whole graph")
    store = ws.store
    if not isinstance(store, EmbeddedStore):
        raise LinkwatchError("the bulk export reads the embedded store (--store embedded)")
    res = write_neo4j_import(store, folder, progress=progress)
    look.record(
        ws.audit,
        "export",
        "neo4j-import",
        params={"folder": str(folder)},
        result_size=sum(res.nodes.values()) + sum(res.relationships.values()),
    )
    return res


@dataclass
class EventsExport:
    """What ``export events-parquet`` wrote."""

    folder: Path
    rows: dict[str, int]
    """Rows per event table."""
    quarantined: dict[str, int]
    """Quarantine records per ingest run."""
    seconds: float


def events_parquet(ws: Workspace, look: Look, folder: Path) -> EventsExport:
    """The event store's tables, as corrected (:mod:`graph.corrections`), as Parquet
    partitioned by table and month, for Spark or
    any engine (:meth:`graph.events.EventStore.export_parquet`), beside the ingest runs'
    quarantine records (``quarantine/run_id=<run>/part-0.parquet``: file, line, column,
    reason, raw row, action) and ``_linkwatch.json`` (what was written, when, in which
    time zone). It copies everyone's data, so it needs a stated purpose."""
    look.need_purpose("an export of the event tables")
    events = ws.events
    if events is None:
        raise LinkwatchError("no event tables were ingested: there is nothing to export")
    t0 = time.perf_counter()
    folder = Path(folder)
    tables = [t for t in TABLE_LIST if t.kind == "event"]
    # the corrected view (corrections laid over the rows they amend), as the detectors read it:
    # Spark, or any engine, reads what linkwatch's detectors would
    con = reader(events, ws.meta, ws.settings.timezone)
    try:
        rows = events.export_parquet(folder, tables, con=con)
    finally:
        con.close()
    quarantined = _quarantine_parquet(Path(ws.settings.data_dir) / "runs", folder / "quarantine")
    (folder / "_linkwatch.json").write_text(
        json.dumps(
            {
                "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "timezone": ws.settings.timezone,
                "tables": {
                    name: {"rows": n, "partitioned_by": f"month of {month_column(TABLES[name])}"}
                    for name, n in rows.items()
                },
                "quarantine": quarantined,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    look.record(
        ws.audit, "export", "events-parquet", params={"folder": str(folder)}, result_size=sum(rows.values())
    )
    return EventsExport(folder, rows, quarantined, time.perf_counter() - t0)


def _quarantine_parquet(runs: Path, dest: Path) -> dict[str, int]:
    """Each ingest run's quarantine records (``runs/<run>/quarantine.csv``) as Parquet."""
    written = {}
    for csv in sorted(runs.glob("*/quarantine.csv")):
        df = pd.read_csv(csv, dtype=str, keep_default_na=False)
        if not len(df):
            continue
        out = dest / f"run_id={csv.parent.name}"
        out.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pandas(df, preserve_index=False), out / "part-0.parquet")
        written[csv.parent.name] = len(df)
    return written
