"""Incremental against whole detection after the next day's ingest.

    python benchmarks/incremental_detect.py --officers 2000 --days 120 --work /big/disk

The force is generated and split as :mod:`benchmarks.met_scale` does (``base``: all but
the last day of events; ``day``: the last day's events, the entity tables with three
promotions). Each step is a ``linkwatch`` command in a child process of its own, with the
default settings:

1. ``ingest base``, then ``detect`` (the first run: whole, it makes the detection state);
2. ``ingest day``, then ``detect`` (incremental where a detector can be), then
   ``detect --whole`` on the same store (everything recomputed).

Prints the wall seconds of both detect runs after the day, the seconds per detector of
each, how each detector ran (incremental from when, reading how many event rows, or whole),
and whether the two flag exports are identical.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from met_scale import last_record, run_cli, split


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--officers", type=int, default=2000)
    ap.add_argument("--days", type=int, default=120)
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--markdown", type=Path)
    args = ap.parse_args()
    root = args.work / f"{args.officers}x{args.days}"
    full, base, day, data = (root / p for p in ("full", "base", "day", "data"))
    root.mkdir(parents=True, exist_ok=True)
    if not (full / "officers.parquet").exists():
        n, d = str(args.officers), str(args.days)
        r = run_cli(
            ["generate", str(full), "--officers", n, "--days", d, "--format", "parquet"], root / "gen.log"
        )
        assert r["rc"] == 0, r
    if not (day / "officers.parquet").exists():
        split(full, base, day)
    if data.exists():
        shutil.rmtree(data)
    steps: list[tuple[str, list[str]]] = [
        ("ingest base", ["ingest", str(base), "--data-dir", str(data)]),
        (
            "detect (first: whole, makes the state)",
            ["detect", "--data-dir", str(data), "--out", str(root / "f0.csv")],
        ),
        ("ingest the next day", ["ingest", str(day), "--data-dir", str(data)]),
        (
            "detect after the day (incremental)",
            ["detect", "--data-dir", str(data), "--out", str(root / "f1.csv")],
        ),
        (
            "detect --whole on the same store",
            ["detect", "--whole", "--data-dir", str(data), "--out", str(root / "f2.csv")],
        ),
    ]
    lines = [
        f"### {args.officers:,} officers × {args.days} days: detect after the next day",
        "",
        "| step | wall s | peak RSS GiB |",
        "|---|---:|---:|",
    ]
    records: dict[str, dict[str, Any]] = {}
    for label, cli in steps:
        print(label, flush=True)
        r = run_cli(cli, root / f"{len(lines)}.log")
        if r["rc"] != 0:
            raise SystemExit(f"{label} failed: see {r['log']}")
        lines.append(f"| {label} | {r['seconds']:.1f} | {r['peak_gib']:.2f} |")
        if cli[0] == "detect":
            records[label] = last_record(data, "detect")
    inc, whole = records[steps[3][0]]["detectors"], records[steps[4][0]]["detectors"]
    lines += [
        "",
        "| detector | incremental s | whole s | how it ran | event rows read (incremental / whole) |",
    ]
    lines.append("|---|---:|---:|---|---|")
    for name in sorted(whole):
        how = inc[name].get("run", {})
        mode = how.get("mode", "whole")
        if mode == "incremental":
            mode = (
                f"incremental from {str(how.get('recomputed_from'))[:16]} (h = {how.get('horizon_s', 0) / 3600:.0f} h; "
                f"stage {how.get('stage_seconds', 0):.2f} s)"
            )
        read = whole[name].get("run", {}).get("rows_read", {})
        rows = (
            ", ".join(f"{t} {how['rows_read'][t]:,} / {read.get(t, 0):,}" for t in how.get("rows_read", {}))
            if how.get("mode") == "incremental"
            else ""
        )
        lines.append(
            f"| {name} | {inc[name]['seconds']:.2f} | {whole[name]['seconds']:.2f} | {mode} | {rows} |"
        )
    same = (root / "f1.csv").read_bytes() == (root / "f2.csv").read_bytes()
    lines += ["", f"flag exports of the incremental and the whole run identical: {same}", ""]
    print("\n".join(lines))
    if args.markdown:
        args.markdown.write_text("\n".join(lines) + "\n")
    print(json.dumps({"identical": same}))


if __name__ == "__main__":
    main()
