"""A Met-sized force on one machine, default settings: ingest, detect and the next
day's export, timed with peak memory, at growing sizes.

    python benchmarks/met_scale.py --officers 5000 20000 45000 --days 365 --work /big/disk

For each size the synthetic force is generated once as Parquet (``WORK/<n>/full``) and
split in two with DuckDB, out of core: ``base`` holds every entity table and the events
of every day but the last, ``day`` holds the entity tables again, with a few HR changes
(three officers change rank and one changes unit), and the last day's events only, as a
force's daily export would. Then, each in a child process of its own so that its peak
RSS is its own, with linkwatch's default settings (nothing set in the environment):

1. ``linkwatch ingest base``: wall time, peak RSS, and the run's stage timings from its
   manifest (read and validate, merge, aggregate, graph load, resolution, ...);
2. ``linkwatch detect``: wall time, peak RSS, per-detector seconds from the run record;
   a detector that fails is reported with its message (the run record says which
   detectors completed);
3. ``linkwatch ingest day``: the incremental day on top of the Met-sized store;
4. ``linkwatch detect`` again: the flags after the day (incremental where a detector
   can be, see ``queries/incremental.py``), and how many changed;
5. ``linkwatch detect --whole``: every detector over every event, whose flags export must
   be the incremental run's, byte for byte.

Prints one table per size and, with ``--markdown FILE``, writes them as Markdown.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

EVENT_TIME = {
    "shifts": "start",
    "roster_changes": "changed_at",
    "badge_events": "ts",
    "remote_sessions": "start",
    "system_access": "ts",
}
ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import runpy, sys, json
from graph.memory import peak_resident_bytes
out = sys.argv.pop(1)
try:
    runpy.run_module("api.cli", run_name="__main__")
except SystemExit as e:
    code = e.code
else:
    code = 0
finally:
    open(out, "w").write(json.dumps({"maxrss_kb": peak_resident_bytes() // 1024}))
sys.exit(code)
"""


def run_cli(args: list[str], log: Path) -> dict[str, object]:
    """``linkwatch ARGS`` in a child process; wall seconds, peak RSS (GiB), exit code."""
    rss = log.with_suffix(".rss.json")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINKWATCH_")}  # the defaults
    t0 = time.perf_counter()
    with log.open("w") as f:
        rc = subprocess.run(
            [sys.executable, "-c", CHILD, str(rss), *args],
            stdout=f,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            env=env,
        ).returncode
    secs = time.perf_counter() - t0
    peak = json.loads(rss.read_text())["maxrss_kb"] / 2**20 if rss.exists() else float("nan")
    return {"seconds": secs, "peak_gib": peak, "rc": rc, "log": str(log)}


def split(full: Path, base: Path, day: Path) -> str:
    """``full`` into ``base`` (all but the last day of events) and ``day`` (the last day,
    with the entity tables and a few HR changes). Returns the last day."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    last = con.execute(f"SELECT max(CAST(\"start\" AS DATE)) FROM '{full}/shifts.parquet'").fetchone()[0]
    for d in (base, day):
        d.mkdir(parents=True, exist_ok=True)
    for f in sorted(full.glob("*.parquet")):
        name = f.stem
        if name in EVENT_TIME:
            col = EVENT_TIME[name]
            for d, op in ((base, "<"), (day, ">=")):
                con.execute(
                    f"COPY (SELECT * FROM '{f}' WHERE CAST(\"{col}\" AS DATE) {op} DATE '{last}') "
                    f"TO '{d / f.name}' (FORMAT PARQUET)"
                )
        else:
            (base / f.name).write_bytes(f.read_bytes())
            if name == "officers":  # three promotions, one move: the day's HR changes
                con.execute(
                    f"""COPY (
                        SELECT * REPLACE (
                            CASE WHEN row_number() OVER (ORDER BY officer_id) <= 3 THEN 'Inspector' ELSE "rank" END AS "rank"
                        ) FROM '{f}') TO '{day / f.name}' (FORMAT PARQUET)"""
                )
            else:
                (day / f.name).write_bytes(f.read_bytes())
    for extra in ("truth.csv", "lookalikes.csv"):
        if (full / extra).exists():
            (base / extra).write_bytes((full / extra).read_bytes())
    return str(last)


def last_record(data: Path, kind: str) -> dict[str, object]:
    runs = sorted(
        (data / "runs").glob(f"*/{'manifest' if kind == 'ingest' else 'detect'}.json"), key=os.path.getmtime
    )
    return json.loads(runs[-1].read_text()) if runs else {}


def one_size(n: int, days: int, work: Path) -> list[str]:
    full, base, day, data = (work / str(n) / p for p in ("full", "base", "day", "data"))
    work.mkdir(parents=True, exist_ok=True)
    lines = [f"### {n:,} officers × {days} days", ""]
    if not (full / "officers.parquet").exists():
        print(f"[{n}] generate", flush=True)
        r = run_cli(
            ["generate", str(full), "--officers", str(n), "--days", str(days), "--format", "parquet"],
            work / f"{n}-generate.log",
        )
        lines.append(f"generate: {r['seconds']:.0f} s, peak {r['peak_gib']:.1f} GiB")
    if not (day / "officers.parquet").exists():
        print(f"[{n}] split off the last day", flush=True)
        split(full, base, day)
    if data.exists():  # a store of an earlier run: the first ingest must start empty
        shutil.rmtree(data)
    rows = (
        duckdb.connect()
        .execute(
            "SELECT sum(num_rows) FROM ("
            + " UNION ALL ".join(f"SELECT count(*) AS num_rows FROM '{f}'" for f in full.glob("*.parquet"))
            + ")"
        )
        .fetchone()[0]
    )
    lines += [f"{rows:,} source rows", "", "| step | wall s | peak RSS GiB | notes |", "|---|---:|---:|---|"]
    steps = [
        ("ingest (all but the last day)", ["ingest", str(base), "--data-dir", str(data)]),
        ("detect", ["detect", "--data-dir", str(data), "--out", str(work / str(n) / "flags.csv")]),
        ("ingest the next day", ["ingest", str(day), "--data-dir", str(data)]),
        (
            "detect after the day",
            ["detect", "--data-dir", str(data), "--out", str(work / str(n) / "flags-day.csv")],
        ),
        (
            "detect after the day, whole (--whole)",
            [
                "detect",
                "--whole",
                "--data-dir",
                str(data),
                "--out",
                str(work / str(n) / "flags-day-whole.csv"),
            ],
        ),
    ]
    flags_before = None
    for label, args in steps:
        print(f"[{n}] {label}", flush=True)
        r = run_cli(args, work / f"{n}-{label.split()[0]}-{len(lines)}.log")
        note = "" if r["rc"] == 0 else f"**failed (exit {r['rc']})**, see {r['log']}"
        if args[0] == "ingest" and r["rc"] == 0:
            m = last_record(data, "ingest")
            note = ", ".join(f"{k} {v:.0f}" for k, v in dict(m.get("stages", {})).items())  # type: ignore[arg-type]
        if args[0] == "detect":
            rec = last_record(data, "detect")
            dets = dict(rec.get("detectors", {}))  # type: ignore[arg-type]
            slow = sorted(dets.items(), key=lambda kv: -kv[1]["seconds"])[:3]
            note = (
                (note + "; " if note else "")
                + f"{rec.get('flags')} flags, {len(dets)} detectors done; slowest: "
                + ", ".join(f"{k} {v['seconds']:.0f} s" for k, v in slow)
            )
            modes = [str(dict(v.get("run") or {}).get("mode", "whole")) for v in dets.values()]
            if "incremental" in modes:
                note += f"; {modes.count('incremental')} detectors incremental"
            if "--whole" in args:
                same = (work / str(n) / "flags-day.csv").read_bytes() == (
                    work / str(n) / "flags-day-whole.csv"
                ).read_bytes()
                note += (
                    f"; flags export {'identical to' if same else '**differs from**'} the incremental run's"
                )
            elif flags_before is not None:
                note += f" (flags before the day: {flags_before})"
            flags_before = rec.get("flags")
        lines.append(f"| {label} | {r['seconds']:.0f} | {r['peak_gib']:.2f} | {note} |")
        print(lines[-1], flush=True)
    return [*lines, ""]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--officers", type=int, nargs="+", default=[5000, 20000, 45000])
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument(
        "--work", type=Path, required=True, help="a folder with room (about 2 GB per 10k officers)"
    )
    ap.add_argument("--markdown", type=Path)
    args = ap.parse_args()
    out: list[str] = []
    for n in args.officers:
        out += one_size(n, args.days, args.work)
        print("\n".join(out[-12:]), flush=True)
    if args.markdown:
        args.markdown.write_text("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
