"""A Met-sized force into Neo4j: the first load through ``neo4j-admin database import``,
the next day through Bolt as a delta, timed with peak memory.

    python benchmarks/neo4j_scale.py --data-dir DIR --day DAY --work WORK [--more-days N] [--port 7697]

``DIR`` is a data folder whose embedded store holds an ingested force (e.g. the 45k × 365
one of ``benchmarks/met_scale.py``: ``WORK/45000/data``), ``DAY`` the next day's export
(``WORK/45000/day``). Steps, each timed with its peak RSS (``/usr/bin/time``):

1. ``linkwatch export neo4j-import`` of the embedded store's graph (``WORK/bulk``);
2. ``neo4j-admin database import full`` into a fresh Neo4j 5.26 data folder
   (``tools/neo4j-test-server/import.sh``: the importer from the Maven jars);
3. start that server (``tools/neo4j-test-server/start.sh``, 127.0.0.1 only) and count its
   nodes and relationships against the embedded store's;
4. ``linkwatch ingest DAY`` with ``LINKWATCH_STORE=neo4j``: the graph on the server, the
   event store a copy of ``DIR``'s (the events both stores share), so the day is a delta
   through Bolt exactly as on a force that went to Neo4j with its first load; the first
   connection to an imported graph also creates the model's constraints and indexes;
5. with ``--more-days N``, N days after it, one at a time: ``DAY``'s events moved on by
   one day each time, with new ids (a roster change keeps its shift unless that shift is
   the day's own), and the entity files unchanged; these are a force's ordinary days.

The server is stopped at the end. Prints one Markdown table.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "tools" / "neo4j-test-server"


def timed(label: str, cmd: list[str], log: Path, env: dict[str, str] | None = None) -> dict[str, object]:
    """Run ``cmd`` under ``/usr/bin/time``: wall seconds, peak RSS (GiB), its log's tail."""
    print(f"[{label}] {' '.join(cmd)}", flush=True)
    t0 = time.perf_counter()
    with log.open("w") as out:
        rc = subprocess.run(
            ["/usr/bin/time", "-f", "maxrss_kb=%M", *cmd], stdout=out, stderr=subprocess.STDOUT, env=env
        ).returncode
    wall = time.perf_counter() - t0
    text = log.read_text(errors="replace")
    m = re.findall(r"maxrss_kb=(\d+)", text)
    if rc != 0:
        raise SystemExit(f"{label} failed (exit {rc}); see {log}:\n{text[-3000:]}")
    return {"step": label, "wall s": round(wall, 1), "peak GiB": round(int(m[-1]) / 2**20, 2) if m else None}


EVENT_IDS = {  # table: (its id, its time columns)
    "shifts": ("shift_id", ("start", "end", "created_at", "approved_at")),
    "roster_changes": ("change_id", ("changed_at",)),
    "badge_events": ("event_id", ("ts",)),
    "remote_sessions": ("session_id", ("start", "end")),
    "system_access": ("access_id", ("ts",)),
}


def later_day(day: Path, out: Path, k: int) -> Path:
    """``day``'s export moved on by ``k`` days: event times plus ``k`` days and event ids
    with ``-d{k}`` appended; every other file copied as it is."""
    import duckdb

    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for f in sorted(day.iterdir()):
        if f.suffix != ".parquet" or f.stem not in EVENT_IDS:
            if f.is_file():
                shutil.copy2(f, out / f.name)
            continue
        key, times = EVENT_IDS[f.stem]
        cols = {str(r[0]) for r in con.execute(f"DESCRIBE SELECT * FROM '{f}'").fetchall()}
        repl = [f'"{key}" || \'-d{k}\' AS "{key}"']
        repl += [f'"{t}" + INTERVAL {k} DAY AS "{t}"' for t in times if t in cols]
        if f.stem == "roster_changes":
            own = f"(SELECT shift_id FROM '{day / 'shifts.parquet'}')"
            repl.append(f"CASE WHEN shift_id IN {own} THEN shift_id || '-d{k}' ELSE shift_id END AS shift_id")
        con.execute(
            f"COPY (SELECT * REPLACE ({', '.join(repl)}) FROM '{f}') TO '{out / f.name}' (FORMAT PARQUET)"
        )
    return out


def wait_ready(uri: str, seconds: float = 300) -> float:
    from neo4j import GraphDatabase

    t0 = time.perf_counter()
    while True:
        try:
            with GraphDatabase.driver(uri) as d:
                d.verify_connectivity()
            return time.perf_counter() - t0
        except Exception:
            if time.perf_counter() - t0 > seconds:
                raise
            time.sleep(1)


def counts(uri: str) -> tuple[int, int]:
    from neo4j import GraphDatabase

    with GraphDatabase.driver(uri) as d:
        n = d.execute_query("MATCH (n) RETURN count(n) AS c").records[0]["c"]
        r = d.execute_query("MATCH ()-[r]->() RETURN count(r) AS c").records[0]["c"]
    return int(n), int(r)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--day", type=Path, required=True)
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--more-days", type=int, default=0, help="days after DAY to ingest, one at a time")
    ap.add_argument("--port", type=int, default=7697)
    ap.add_argument("--heap", default="3g", help="the server's and the importer's JVM heap")
    ap.add_argument("--pagecache-mb", type=int, default=2048)
    ap.add_argument("--markdown", type=Path)
    args = ap.parse_args()
    work = args.work.resolve()
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    lw = [sys.executable, "-m", "api.cli"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINKWATCH_")}
    rows = []
    bulk, ndata, events = work / "bulk", work / "neo4j", work / "data"
    rows.append(
        timed(
            "export neo4j-import",
            [
                *lw,
                "export",
                "neo4j-import",
                str(bulk),
                "--data-dir",
                str(args.data_dir),
                "--purpose",
                "benchmark",
            ],
            work / "export.log",
            env,
        )
    )
    rows.append(
        timed(
            "neo4j-admin database import full",
            ["bash", str(TOOLS / "import.sh"), str(ndata), str(bulk)],
            work / "import.log",
            {**env, "NEO4J_IMPORT_HEAP": args.heap},
        )
    )
    uri = f"bolt://127.0.0.1:{args.port}"
    started = time.perf_counter()
    subprocess.run(
        ["bash", str(TOOLS / "start.sh"), str(args.port), str(ndata)],
        check=True,
        env={**env, "NEO4J_TEST_HEAP": args.heap, "NEO4J_TEST_PAGECACHE_MB": str(args.pagecache_mb)},
    )
    try:
        wait_ready(uri)
        rows.append(
            {"step": "server start on the imported store", "wall s": round(time.perf_counter() - started, 1)}
        )
        n, r = counts(uri)
        rows.append({"step": f"imported: {n:,} nodes, {r:,} relationships", "wall s": None})
        events.mkdir()
        for f in args.data_dir.iterdir():  # the event store the graph's runs wrote beside it
            if f.name.startswith("events.duckdb") or f.name == "pseudonym.key":
                shutil.copy2(f, events / f.name)
        neo_env = {**env, "LINKWATCH_STORE": "neo4j", "LINKWATCH_NEO4J_URI": uri}
        days = [args.day] + [later_day(args.day, work / f"day+{k}", k) for k in range(1, args.more_days + 1)]
        for k, day in enumerate(days):
            label = "ingest the next day through Bolt (delta)" if k == 0 else f"ingest day +{k} through Bolt"
            rows.append(
                timed(
                    label, [*lw, "ingest", str(day), "--data-dir", str(events)], work / f"day{k}.log", neo_env
                )
            )
            took = re.findall(r"took [\d.]+ s:.*?(?=\nmanifest|\Z)", (work / f"day{k}.log").read_text(), re.S)
            if took:
                rows[-1]["notes"] = " ".join(took[-1].split())
        n2, r2 = counts(uri)
        rows.append({"step": f"after the day: {n2:,} nodes, {r2:,} relationships", "wall s": None})
    finally:
        subprocess.run(["bash", str(TOOLS / "stop.sh"), str(ndata)], check=False)
    head = "| step | wall s | peak RSS GiB | notes |\n|---|---:|---:|---|\n"
    table = head + "".join(
        f"| {r['step']} | {r.get('wall s') or ''} | {r.get('peak GiB') or ''} | {r.get('notes', '')} |\n"
        for r in rows
    )
    print(table)
    if args.markdown:
        args.markdown.write_text(table)


if __name__ == "__main__":
    main()
