"""Scale of the synthetic force generator (``synthetic.write_force``).

    python benchmarks/generate_scale.py --officers 5000 50000 --days 365 [--format parquet] [--keep DIR]

Each size runs in its own child process, so the peak resident memory reported
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``) is that run's alone. For each size it
prints the seconds, peak MiB, total bytes written, and rows, bytes and rows per officer
per day for every table, then the planted cases and look-alikes. Output goes to a
temporary folder (deleted) unless ``--keep`` names one.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def one(officers: int, days: int, fmt: str, out: Path, seed: int) -> dict[str, Any]:
    """Write one force and measure it (run in the child process)."""
    sys.path.insert(0, str(ROOT))
    from synthetic import write_force

    summary = write_force(out, officers=officers, days=days, seed=seed, fmt=fmt)
    summary["peak_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return summary


def show(s: dict[str, Any]) -> None:
    n, d = s["officers"], max(1, s["days"])
    print(
        f"\n{n} officers x {s['days']} days ({s['format']}): {s['seconds']:.1f} s, "
        f"peak {s['peak_mib']:.0f} MiB, {s['bytes'] / 2**20:.1f} MiB written"
    )
    print(f"  {'table':18} {'rows':>12} {'MiB':>9} {'rows/officer/day':>17}")
    for name, t in s["tables"].items():
        print(f"  {name:18} {t['rows']:>12,} {t['bytes'] / 2**20:>9.1f} {t['rows'] / n / d:>17.3f}")
    rows = sum(t["rows"] for t in s["tables"].values())
    print(f"  {'total':18} {rows:>12,}   ({rows / s['seconds']:,.0f} rows/s)")
    print(f"  truth.csv: {s['truth']} planted cases; lookalikes.csv: {s['lookalikes']} innocent look-alikes")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--officers", type=int, nargs="+", default=[5000, 50000])
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", type=Path, help="write the forces under this folder and keep them")
    ap.add_argument("--child", nargs=2, metavar=("OFFICERS", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        s = one(int(args.child[0]), args.days, args.format, Path(args.child[1]), args.seed)
        print(json.dumps(s))
        return
    with tempfile.TemporaryDirectory() as tmp:
        base = args.keep or Path(tmp)
        results = []
        for n in args.officers:
            out = base / f"force-{n}x{args.days}"
            cmd = [sys.executable, __file__, "--days", str(args.days), "--format", args.format]
            cmd += ["--seed", str(args.seed), "--child", str(n), str(out)]
            res = subprocess.run(cmd, capture_output=True, text=True, check=True)
            results.append(json.loads(res.stdout.strip().splitlines()[-1]))
            show(results[-1])
        if len(results) > 1:
            a, b = results[0], results[-1]
            print(
                f"\nscaling {a['officers']} -> {b['officers']} officers: time x{b['seconds'] / a['seconds']:.1f}, "
                f"bytes x{b['bytes'] / a['bytes']:.1f}, peak memory x{b['peak_mib'] / a['peak_mib']:.1f}"
            )


if __name__ == "__main__":
    main()
