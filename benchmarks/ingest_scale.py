"""Ingest of generated forces of growing size into both stores, with a naive baseline.

    python benchmarks/ingest_scale.py --officers 1000 5000 20000 --days 365 [--neo4j bolt://127.0.0.1:7687] [--bulk]

For each size the synthetic force (every contract table) is written once as Parquet;
then, for each store, a child process ingests it into an empty store so that its peak
RSS is its own. Printed per run: rows/s per table (read + validate + load), event rows/s
(the event store), graph rows and relationships/s (nodes and relationships written),
the whole ingest's rows/s, peak RSS and store size. The naive baseline writes rows one
statement at a time through the same drivers (graph: one ``MERGE`` per officer node;
events: one ``INSERT`` per row) for a sample, so the ratio is visible. The Neo4j store
is wiped before each run.

``--bulk`` also times the bulk path into Neo4j: ``linkwatch export neo4j-import`` from the
embedded store just built, then Neo4j's offline importer (``tools/neo4j-test-server/
import.sh``) into a fresh database; its rels/s counts export and import together.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def du_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20 if path.exists() else 0.0


def child(src: str, data: str, store: str, neo4j: str | None) -> dict[str, Any]:
    import duckdb
    import pandas as pd

    from graph.settings import Settings
    from graph.workspace import open_store
    from ingest.run import ingest_dir

    s = Settings(store=store, neo4j_uri=neo4j, data_dir=Path(data), buffer_pool_mb=4096)  # type: ignore[arg-type]
    st = open_store(s)
    if st.name == "neo4j":
        st.wipe()  # type: ignore[attr-defined]
    t0 = time.perf_counter()
    rep = ingest_dir(st, Path(src), s.data_dir, event_memory_mb=2048)
    total = time.perf_counter() - t0
    out: dict[str, Any] = {
        "store": store,
        "ingest s": round(total, 1),
        "rows read": rep.rows_read,
        "quarantined": rep.rows_quarantined,
    }
    ev_rows = ev_secs = 0.0
    for t in rep.tables:
        out[f"{t.table.name} rows/s"] = round(t.rows_read / max(t.seconds, 1e-9))
        if t.table.kind == "event":
            ev_rows += t.rows_read
            ev_secs += t.seconds
    out["event rows/s"] = round(ev_rows / ev_secs) if ev_secs else None
    nodes = [x for x in rep.loads if not x.name.isupper()]
    rels = [x for x in rep.loads if x.name.isupper()]
    out["graph nodes"] = sum(x.new for x in nodes)
    out["graph rels"] = sum(x.new for x in rels)
    out["rels/s"] = round(sum(x.new for x in rels) / max(sum(x.seconds for x in rels), 1e-9))
    out["overall rows/s"] = round(rep.rows_read / total)
    # naive baselines on a sample, through the same drivers
    officers = pd.read_parquet(Path(src) / "officers.parquet").head(500)
    t1 = time.perf_counter()
    for r in officers.itertuples(index=False):
        st._write(
            "MERGE (o:Officer {uid: $uid}) SET o.surname = $s",
            {"uid": f"Officer:naive-{r.officer_id}", "s": r.surname},
        )
    out["naive MERGE rows/s"] = round(len(officers) / (time.perf_counter() - t1))
    st.close()
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE b (event_id VARCHAR, officer_id VARCHAR, site_id VARCHAR, ts TIMESTAMPTZ, direction VARCHAR)"
    )
    sample = pd.read_parquet(Path(src) / "badge_events.parquet").head(5000)
    t2 = time.perf_counter()
    for r in sample.itertuples(index=False):
        con.execute(
            "INSERT INTO b VALUES (?, ?, ?, ?, ?)",
            [r.event_id, r.officer_id, r.site_id, str(r.ts), r.direction],
        )
    out["naive INSERT rows/s"] = round(len(sample) / (time.perf_counter() - t2))
    out["peak RSS MB"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    out["store MB"] = round(du_mb(Path(data)))
    return out


def bulk(data: Path, tmp: Path) -> dict[str, Any]:
    """Export the embedded store as import files and load them with Neo4j's importer."""
    tools = Path(__file__).resolve().parents[1] / "tools" / "neo4j-test-server"
    t0 = time.perf_counter()
    exported = subprocess.run(
        [
            sys.executable,
            "-m",
            "api.cli",
            "export",
            "neo4j-import",
            str(tmp / "import"),
            "--data-dir",
            str(data),
            "--purpose",
            "bulk load benchmark",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    counts = re.search(
        r"([\d,]+) nodes and ([\d,]+) relationships", " ".join((exported.stdout + exported.stderr).split())
    )
    assert counts, exported.stdout
    nodes, rels = (int(x.replace(",", "")) for x in counts.groups())
    t1 = time.perf_counter()
    done = subprocess.run(
        [str(tools / "import.sh"), str(tmp / "neo4j-bulk"), str(tmp / "import")],
        check=True,
        capture_output=True,
        text=True,
    )
    t2 = time.perf_counter()
    assert "IMPORT DONE" in done.stdout, done.stdout[-2000:]
    took = re.search(r"IMPORT DONE in ((?:\d+m )?(?:\d+s )?\d+ms)", done.stdout)
    importer = 0.0
    if took:
        for value, unit in re.findall(r"(\d+)(ms|m|s)", took.group(1)):
            importer += int(value) * {"m": 60, "s": 1, "ms": 0.001}[unit]
    return {
        "store": "neo4j bulk",
        "ingest s": round(t2 - t0, 1),
        "export s": round(t1 - t0, 1),
        "import s": round(t2 - t1, 1),
        "importer s": round(importer, 1),
        "importer rels/s": round(rels / importer) if importer else None,
        "graph nodes": nodes,
        "graph rels": rels,
        "rels/s": round(rels / (t2 - t0)),
        "peak RSS MB": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "store MB": round(du_mb(tmp / "neo4j-bulk" / "data")),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--officers", type=int, nargs="+", default=[1000, 5000])
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--neo4j")
    ap.add_argument("--bulk", action="store_true", help="also time export + neo4j-admin import")
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        src, data, store, neo4j = args.child
        print(json.dumps(child(src, data, store, None if neo4j == "-" else neo4j)))
        return
    from synthetic import write_force

    rows = []
    for n in args.officers:
        tmp = Path(tempfile.mkdtemp(prefix="lw-bench-"))
        try:
            t0 = time.perf_counter()
            write_force(tmp / "src", officers=n, days=args.days, seed=1, fmt="parquet")
            gen_s = time.perf_counter() - t0
            for store in ["embedded"] + (["neo4j"] if args.neo4j else []):
                out = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--child",
                        str(tmp / "src"),
                        str(tmp / f"data-{store}"),
                        store,
                        args.neo4j or "-",
                    ],
                    capture_output=True,
                    text=True,
                )
                if out.returncode != 0:
                    print(out.stderr[-3000:], file=sys.stderr)
                    raise SystemExit(out.returncode)
                res = {
                    "officers": n,
                    "days": args.days,
                    "generate s": round(gen_s, 1),
                    "source MB": round(du_mb(tmp / "src")),
                    **json.loads(out.stdout.strip().splitlines()[-1]),
                }
                rows.append(res)
                print(json.dumps(res), flush=True)
            if args.bulk:
                res = bulk(tmp / "data-embedded", tmp)
                res = {"officers": n, "days": args.days, "source MB": round(du_mb(tmp / "src")), **res}
                rows.append(res)
                print(json.dumps(res), flush=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    import pandas as pd

    cols = [
        "officers",
        "store",
        "rows read",
        "ingest s",
        "overall rows/s",
        "event rows/s",
        "graph rels",
        "rels/s",
        "naive MERGE rows/s",
        "naive INSERT rows/s",
        "peak RSS MB",
        "store MB",
        "source MB",
    ]
    print()
    print(pd.DataFrame(rows)[cols].to_string(index=False))


if __name__ == "__main__":
    main()
