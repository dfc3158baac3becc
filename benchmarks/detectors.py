"""Detector accuracy and speed on generated forces.

    python benchmarks/detectors.py --officers 5000 --days 180 --seeds 1 2 3
    python benchmarks/detectors.py --officers 1000 5000 --days 365 --seeds 1

For each size and seed a force with planted cases and look-alikes is generated (Parquet),
ingested into the embedded store (Splink resolution, the default), and every detector is
run in a child process (so peak RSS is the detectors' own). Printed: precision, recall
and F1 per detector (``linkwatch evaluate``), the look-alikes flagged, and seconds per
detector; then a summary over seeds (min-max).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def child(src: str, data: str) -> dict[str, Any]:
    import os
    import threading

    import pandas as pd

    from graph.settings import Settings
    from graph.store import open_store
    from queries.detect import run_detectors
    from queries.evaluate import evaluate

    page_mb = os.sysconf("SC_PAGE_SIZE") / 2**20
    state: dict[str, Any] = {"cur": None, "peak": {}, "stop": False}

    def rss_mb() -> float:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * page_mb

    def sample() -> None:  # the peak RSS while each detector runs
        while not state["stop"]:
            cur = state["cur"]
            if cur:
                state["peak"][cur] = max(state["peak"].get(cur, 0.0), rss_mb())
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    s = Settings(data_dir=Path(data), buffer_pool_mb=2048)
    with open_store(s) as st:
        t0 = time.perf_counter()
        rep = run_detectors(st, write_graph=True, progress=lambda m: state.update(cur=m.removeprefix("run ")))
        total = time.perf_counter() - t0
    state["stop"] = True
    truth = pd.read_csv(Path(src) / "truth.csv", dtype=str)
    looks = pd.read_csv(Path(src) / "lookalikes.csv", dtype=str)
    ev = evaluate(truth, rep.flags)
    flagged = looks.merge(
        rep.flags[["detector", "officer_id"]].drop_duplicates(), on=["detector", "officer_id"]
    )
    return {
        "seconds": round(total, 1),
        "per detector s": {k: round(v, 2) for k, v in rep.seconds_by_detector.items()},
        "per detector peak MB": {
            k: round(v) for k, v in state["peak"].items() if k in rep.seconds_by_detector
        },
        "evaluation": ev.to_dict(orient="records"),
        "lookalikes": len(looks),
        "lookalikes flagged": flagged[["detector", "officer_id"]].values.tolist(),
        "peak RSS MB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--officers", type=int, nargs="+", default=[5000])
    ap.add_argument("--days", type=int, default=180)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(*args.child), default=str))
        return
    import pandas as pd

    from graph.settings import Settings
    from graph.store import open_store
    from ingest.generate import write_force
    from ingest.run import ingest_dir

    evals, times = [], []
    for n in args.officers:
        for seed in args.seeds:
            tmp = Path(tempfile.mkdtemp(prefix="lw-det-"))
            try:
                write_force(tmp / "src", officers=n, days=args.days, seed=seed, fmt="parquet")
                s = Settings(data_dir=tmp / "data", buffer_pool_mb=2048)
                t0 = time.perf_counter()
                with open_store(s) as st:
                    ingest_dir(st, tmp / "src", s.data_dir)
                ingest_s = time.perf_counter() - t0
                out = subprocess.run(
                    [sys.executable, __file__, "--child", str(tmp / "src"), str(tmp / "data")],
                    capture_output=True,
                    text=True,
                )
                if out.returncode != 0:
                    print(out.stderr[-3000:], file=sys.stderr)
                    raise SystemExit(out.returncode)
                res = json.loads(out.stdout.strip().splitlines()[-1])
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            print(
                f"\n## {n} officers x {args.days} days, seed {seed}: ingest {ingest_s:.0f} s, "
                f"detectors {res['seconds']} s, peak RSS {res['peak RSS MB']} MB"
            )
            ev = pd.DataFrame(res["evaluation"])
            print(ev.to_string(index=False))
            print(
                f"look-alikes flagged: {len(res['lookalikes flagged'])} of {res['lookalikes']} {res['lookalikes flagged'][:10]}"
            )
            for _, r in ev.iterrows():
                evals.append({"officers": n, "seed": seed, **r.to_dict()})
            for k, v in res["per detector s"].items():
                times.append(
                    {
                        "officers": n,
                        "seed": seed,
                        "detector": k,
                        "seconds": v,
                        "peak MB": res["per detector peak MB"].get(k),
                    }
                )
            sys.stdout.flush()
    e = pd.DataFrame(evals)

    def span(s: pd.Series) -> str:
        s = s.dropna()
        return "" if s.empty else (f"{s.min():.3f}" if s.min() == s.max() else f"{s.min():.3f}-{s.max():.3f}")

    print("\n## Summary over seeds")
    summary = e.groupby(["officers", "detector"]).agg(
        cases=("cases", "sum"),
        flags=("flags", "sum"),
        precision=("precision", span),
        recall=("recall", span),
        f1=("f1", span),
    )
    print(summary.to_string())
    t = pd.DataFrame(times)
    print(
        "\n## Seconds and peak RSS (MiB, whole process while the detector ran) per detector, mean over seeds"
    )
    print(
        t.pivot_table(index="detector", columns="officers", values=["seconds", "peak MB"], aggfunc="mean")
        .round(2)
        .to_string()
    )


if __name__ == "__main__":
    main()
