"""The event detectors on DuckDB and on Spark, on the same generated force: seconds per
detector, and whether the flags are the same.

    python benchmarks/spark_vs_duckdb.py --officers 2000 --days 120 --seed 1
    python benchmarks/spark_vs_duckdb.py --officers 20000 --days 365 --master local[8] \\
        --conf spark.driver.memory=16g --keep /data/bench

A force with planted cases is generated (Parquet), ingested into the embedded store, and
its event tables exported as Parquet partitioned by table and month (``linkwatch export
events-parquet``). Then every detector that reads the event store runs on DuckDB (the
event store) and on Spark (``--master``, local[2] by default, reading the export), each
timed on its own; the flags of the two are compared (ids, scores, explanations,
evidence). Printed: the force's size, the time to export, Spark's start-up, and per
detector the seconds on each engine, their ratio and the flags.

The first Spark query pays for the JVM's warm-up; ``--warm`` runs the detectors once on
Spark before timing them.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: the project's packages
    sys.path.insert(0, str(ROOT))


def _step(message: str) -> None:
    print(f"  spark: {message} ({time.strftime('%H:%M:%S')})", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--officers", type=int, default=2000)
    ap.add_argument("--days", type=int, default=120)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--master", default="local[2]", help="Spark master (default local[2])")
    ap.add_argument("--conf", action="append", default=[], help="a Spark setting KEY=VALUE (repeatable)")
    ap.add_argument("--detector", action="append", help="only this detector (repeatable)")
    ap.add_argument("--warm", action="store_true", help="run the detectors once on Spark before timing")
    ap.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    args = ap.parse_args()

    from graph.contract import TABLE_LIST
    from graph.engines import DuckDBEngine
    from graph.events import EventStore
    from graph.settings import Settings
    from graph.spark import SparkEngine, session
    from graph.workspace import open_store
    from ingest.run import ingest_dir
    from queries.detect import run_detectors
    from queries.detectors import DETECTORS
    from synthetic import write_force

    work = args.keep or Path(tempfile.mkdtemp(prefix="lw-spark-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    names = sorted(args.detector or [n for n, d in DETECTORS.items() if d.reads_events])
    settings = Settings(data_dir=work / "data", buffer_pool_mb=2048)
    try:
        if not (work / "data" / "events.duckdb").exists():
            t0 = time.perf_counter()
            write_force(work / "src", officers=args.officers, days=args.days, seed=args.seed, fmt="parquet")
            with open_store(settings) as st:
                ingest_dir(st, work / "src", settings.data_dir)
            print(f"generated and ingested in {time.perf_counter() - t0:.0f} s")
        events = EventStore(settings.data_dir, read_only=True, memory_mb=settings.event_memory_mb)
        t0 = time.perf_counter()
        rows = events.export_parquet(work / "parquet", [t for t in TABLE_LIST if t.kind == "event"])
        export_s = time.perf_counter() - t0
        size = sum(f.stat().st_size for f in (work / "parquet").rglob("*.parquet"))
        print(
            f"force: {args.officers:,} officers x {args.days} days, seed {args.seed}: "
            + ", ".join(f"{t} {n:,}" for t, n in rows.items())
        )
        print(f"export to Parquet: {export_s:.1f} s, {size / 2**20:.0f} MiB")

        con = events.con.cursor()
        con.execute(f"SET TimeZone = '{settings.timezone}'")
        duck = DuckDBEngine(con)
        t0 = time.perf_counter()
        conf = dict(c.split("=", 1) for c in args.conf)
        spark = session(args.master, conf, settings.timezone)
        spark_eng = SparkEngine(spark, str(work / "parquet"), settings.timezone)
        print(f"Spark ({args.master}) started in {time.perf_counter() - t0:.1f} s")

        with open_store(settings) as st:
            if args.warm:
                run_detectors(st, names, write_graph=False, engine=spark_eng)
            a = run_detectors(st, names, write_graph=False, engine=duck)
            b = run_detectors(st, names, write_graph=False, engine=spark_eng, progress=_step)
        t0 = time.perf_counter()
        spark_eng.close()
        events.close()
        print(f"closed in {time.perf_counter() - t0:.1f} s", flush=True)

        table = []
        for n in names:
            fa, fb = (r.flags[r.flags["detector"] == n].reset_index(drop=True) for r in (a, b))
            ds, ss = a.seconds_by_detector[n], b.seconds_by_detector[n]
            table.append(
                {
                    "detector": n,
                    "duckdb s": round(ds, 2),
                    "spark s": round(ss, 1),
                    "spark/duckdb": round(ss / max(ds, 1e-3), 1),
                    "flags": len(fa),
                    "same flags": fa.equals(fb),
                }
            )
        df = pd.DataFrame(table)
        total = {
            "detector": "total",
            "duckdb s": round(df["duckdb s"].sum(), 2),
            "spark s": round(df["spark s"].sum(), 1),
            "spark/duckdb": round(df["spark s"].sum() / max(df["duckdb s"].sum(), 1e-3), 1),
            "flags": int(df["flags"].sum()),
            "same flags": bool(df["same flags"].all()),
        }
        df = pd.concat([df, pd.DataFrame([total])], ignore_index=True)
        print(df.to_string(index=False))
        if not total["same flags"]:
            sys.exit("the engines gave different flags")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
