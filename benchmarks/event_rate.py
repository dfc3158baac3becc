"""Event ingest rate of the event store (DuckDB), and whether memory stays flat.

    python benchmarks/event_rate.py --rows 1000000 5000000 20000000 [--format parquet|csv]

Writes synthetic ``system_access`` and ``badge_events`` files of each size (officers,
records and sites referenced exist), then times ``EventLoader.load`` end to end: read,
validate every contract rule in SQL (types, enums, required values, duplicate keys,
foreign keys), quarantine, merge into the store. Each size runs in a child process so
its peak RSS is its own. Prints rows/s and peak RSS per size.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

OFFICERS, RECORDS, SITES = 50_000, 2_000_000, 200


def write_events(directory: Path, rows: int, fmt: str, seed: int = 1) -> dict[str, Path]:
    rng = np.random.default_rng(seed)
    out = {}
    chunk = 2_000_000
    start = np.datetime64("2025-01-01T00:00:00", "s")
    for table in ("system_access", "badge_events"):
        path = directory / f"{table}.{fmt}"
        writer = None
        for lo in range(0, rows, chunk):
            n = min(chunk, rows - lo)
            ids = np.char.add("E", np.arange(lo, lo + n).astype(str))
            officer = np.char.add("O", rng.integers(0, OFFICERS, n).astype(str))
            ts = (start + rng.integers(0, 365 * 86400, n).astype("timedelta64[s]")).astype(str)
            ts = np.char.add(ts, "Z")
            if table == "system_access":
                t = pa.table(
                    {
                        "access_id": ids,
                        "officer_id": officer,
                        "system": rng.choice(["PNC", "CRIS", "CRIMINT"], n),
                        "action": rng.choice(["search", "view", "view", "print"], n),
                        "record_id": np.char.add("R", rng.integers(0, RECORDS, n).astype(str)),
                        "ts": ts,
                        "site_id": np.char.add("S", rng.integers(0, SITES, n).astype(str)),
                        "purpose_code": rng.choice(["INV", "INT", ""], n),
                    }
                )
            else:
                t = pa.table(
                    {
                        "event_id": ids,
                        "officer_id": officer,
                        "site_id": np.char.add("S", rng.integers(0, SITES, n).astype(str)),
                        "reader_id": np.char.add("RD", rng.integers(0, 999, n).astype(str)),
                        "ts": ts,
                        "direction": rng.choice(["in", "out"], n),
                    }
                )
            if fmt == "parquet":
                writer = writer or pq.ParquetWriter(path, t.schema)
                writer.write_table(t)
            else:
                if writer is None:
                    writer = pacsv.CSVWriter(path, t.schema)
                writer.write_table(t)
        if writer is not None:
            writer.close()
        out[table] = path
    return out


def child(rows: int, fmt: str, tmp: str) -> dict[str, object]:
    from graph.contract import TABLES
    from graph.store import RunInfo
    from ingest.events import EventLoader

    d = Path(tmp)
    files = write_events(d, rows, fmt)
    ev = EventLoader(d / "store", memory_mb=2048)
    fk = {
        "officers.officer_id": ev.register_keys("officers", {f"O{i}" for i in range(OFFICERS)}),
        "records.record_id": ev.register_keys("records", {f"R{i}" for i in range(RECORDS)}),
        "sites.site_id": ev.register_keys("sites", {f"S{i}" for i in range(SITES)}),
        "cases.case_ref": None,
    }
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    res: dict[str, object] = {"rows per table": rows, "format": fmt}
    total, secs = 0, 0.0
    for table, path in files.items():
        t0 = time.perf_counter()
        r = ev.load(path, TABLES[table], fk, RunInfo.new("bench"))
        dt = time.perf_counter() - t0
        total += r.rows_read
        secs += dt
        res[f"{table} rows/s"] = round(r.rows_read / dt)
        assert r.rows_valid == r.rows_read, r.quarantine.head()
    t0 = time.perf_counter()
    again = ev.load(files["system_access"], TABLES["system_access"], fk, RunInfo.new("bench"))
    res["reload unchanged s"] = round(time.perf_counter() - t0, 1)
    assert again.new == 0 and again.changed == 0
    ev.close()
    res["overall rows/s"] = round(total / secs)
    res["file MB"] = round(sum(p.stat().st_size for p in files.values()) / 2**20)
    res["store MB"] = round((d / "store" / "events.duckdb").stat().st_size / 2**20)
    res["peak RSS MB (writing files)"] = round(rss_before)
    res["peak RSS MB"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 5_000_000])
    ap.add_argument("--format", default="parquet", choices=["parquet", "csv"])
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(int(args.child[0]), args.child[1], args.child[2])))
        return
    for n in args.rows:
        with tempfile.TemporaryDirectory() as tmp:
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(n), args.format, tmp],
                capture_output=True,
                text=True,
                check=True,
            )
            print(out.stdout.strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    main()
