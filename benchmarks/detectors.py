"""Detector accuracy and speed on generated forces, beside a plain-rules baseline.

    python benchmarks/detectors.py --officers 5000 --days 180 --seeds 1 2 3
    python benchmarks/detectors.py --officers 1000 --days 120 --seeds 1 --markdown out.md
    python benchmarks/detectors.py --officers 5000 --days 365 --seeds 1 --no-clean

For each size and seed a force with planted cases and look-alikes is generated (Parquet),
ingested into the embedded store (Splink resolution, the default), and every detector is
run in a child process (so peak RSS is the detectors' own); the plain-rules baseline
(``benchmarks/baseline.py``) runs on the same force. Printed per force:

* per detector, ours and the baseline's precision, recall and F1 (``linkwatch
  evaluate``), the look-alikes each flags, and whether ours is at or above the baseline
  (F1, a detector with no cases and no flags counts as level);
* recall per detector and form (the truth's ``form`` column), ours and the baseline's;
* look-alikes flagged per detector and look-alike form;
* seconds and peak RSS per detector.

Then a summary over seeds. The clean pass (``--clean``, the default) generates forces
with no planted cases (``write_force(..., clean=True)``: ordinary behaviour and
look-alikes only) and prints flags per 1,000 officers per detector (target ≤ 1), ours
and the baseline's. ``--markdown FILE`` writes the summary tables as Markdown (for
``docs/measurements.md``).
"""

from __future__ import annotations

import argparse
import inspect
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: the project's packages and benchmarks.baseline
    sys.path.insert(0, str(ROOT))


def child(src: str, data: str, out: str) -> dict[str, Any]:
    """Run every detector on the ingested force; write the flags to ``out`` (CSV)."""
    import os
    import threading

    from graph.memory import peak_resident_bytes
    from graph.settings import Settings
    from graph.workspace import open_store
    from queries.detect import run_detectors

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
    rep.flags.to_csv(out, index=False)
    return {
        "seconds": round(total, 1),
        "per detector s": {k: round(v, 2) for k, v in rep.seconds_by_detector.items()},
        "per detector peak MB": {
            k: round(v) for k, v in state["peak"].items() if k in rep.seconds_by_detector
        },
        "peak RSS MB": round(peak_resident_bytes() / 2**20),
    }


def has_clean() -> bool:
    """Whether the generator can write a clean force (``clean=True``)."""
    from synthetic import write_force

    return "clean" in inspect.signature(write_force).parameters


def run_force(n: int, days: int, seed: int, *, clean: bool = False) -> dict[str, Any]:
    """Generate, ingest, run ours (child process) and the baseline; the flags and timings."""
    from benchmarks.baseline import run_baseline
    from graph.settings import Settings
    from graph.workspace import open_store
    from ingest.run import ingest_dir
    from synthetic import write_force

    tmp = Path(tempfile.mkdtemp(prefix="lw-det-"))
    try:
        src = tmp / "src"
        extra: dict[str, Any] = {"clean": True} if clean else {}  # clean=: only newer generators
        write_force(src, officers=n, days=days, seed=seed, fmt="parquet", **extra)
        s = Settings(data_dir=tmp / "data", buffer_pool_mb=2048)
        t0 = time.perf_counter()
        with open_store(s) as st:
            ingest_dir(st, src, s.data_dir)
        ingest_s = time.perf_counter() - t0
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(src), str(s.data_dir), str(tmp / "flags.csv")],
            capture_output=True,
            text=True,
        )
        if out.returncode != 0:
            print(out.stderr[-3000:], file=sys.stderr)
            raise SystemExit(out.returncode)
        res = json.loads(out.stdout.strip().splitlines()[-1])
        t0 = time.perf_counter()
        base = run_baseline(src, s.data_dir)
        res["baseline s"] = round(time.perf_counter() - t0, 1)
        res["ingest s"] = round(ingest_s)
        res["ours"] = pd.read_csv(tmp / "flags.csv", dtype=str, keep_default_na=False)
        res["baseline"] = base
        res["truth"] = pd.read_csv(src / "truth.csv", dtype=str, keep_default_na=False)
        res["lookalikes"] = pd.read_csv(src / "lookalikes.csv", dtype=str, keep_default_na=False)
        return res
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _num(v: Any) -> float:
    return 0.0 if v is None or pd.isna(v) else float(v)


def compare(res: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Per detector (ours beside the baseline), per form recall, per look-alike form flagged."""
    from queries.evaluate import evaluate, evaluate_forms, lookalikes_flagged

    truth, looks = res["truth"], res["lookalikes"]
    ev = {k: evaluate(truth, res[k]).set_index("detector") for k in ("ours", "baseline")}
    lk = {k: lookalikes_flagged(looks, res[k]) for k in ("ours", "baseline")}
    dets = sorted((set(ev["ours"].index) | set(ev["baseline"].index)) - {"overall"})
    rows = []
    for d in dets:
        o = ev["ours"].loc[d] if d in ev["ours"].index else None
        b = ev["baseline"].loc[d] if d in ev["baseline"].index else None
        row: dict[str, Any] = {"detector": d, "cases": int(o["cases"] if o is not None else b["cases"])}  # type: ignore[index]
        for who, e in (("ours", o), ("base", b)):
            row[f"{who} flags"] = 0 if e is None else int(e["flags"])
            for m in ("precision", "recall", "f1"):
                row[f"{who} {m[0].upper()}"] = None if e is None else e[m]
            flagged = lk["ours" if who == "ours" else "baseline"]
            row[f"{who} look-alikes"] = int(flagged.loc[flagged["detector"] == d, "flagged"].sum())
        level = row["cases"] == 0 and row["ours flags"] == 0 and row["base flags"] == 0
        row["ours >= base"] = level or _num(row["ours F"]) >= _num(row["base F"])
        rows.append(row)
    per_det = pd.DataFrame(rows)
    fo = evaluate_forms(truth, res["ours"]).rename(columns={"found": "ours found", "recall": "ours recall"})
    fb = evaluate_forms(truth, res["baseline"])[["detector", "form", "found", "recall"]]
    forms = fo.merge(
        fb.rename(columns={"found": "base found", "recall": "base recall"}), on=["detector", "form"]
    )
    lo = lk["ours"].rename(columns={"flagged": "ours flagged", "officers": "ours officers"})
    lb = lk["baseline"][["detector", "form", "flagged"]].rename(columns={"flagged": "base flagged"})
    return per_det, forms, lo.merge(lb, on=["detector", "form"])


def clean_rates(res: dict[str, Any], n: int) -> pd.DataFrame:
    """Flags (rows; a group flag counts once per member) per 1,000 officers per detector."""
    from queries.detectors import DETECTORS

    rows = []
    for d in sorted(set(DETECTORS) | set(res["baseline"]["detector"])):
        o = int((res["ours"]["detector"] == d).sum())
        b = int((res["baseline"]["detector"] == d).sum())
        rows.append(
            {
                "detector": d,
                "ours flags": o,
                "ours per 1k": round(1000 * o / n, 2),
                "base flags": b,
                "base per 1k": round(1000 * b / n, 2),
                "ours <= 1 per 1k": 1000 * o / n <= 1,
            }
        )
    return pd.DataFrame(rows)


def timings(res: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"detector": k, "seconds": v, "peak MB": res["per detector peak MB"].get(k)}
            for k, v in sorted(res["per detector s"].items())
        ]
    )


def markdown(df: pd.DataFrame) -> str:
    """A pandas frame as a Markdown table (no extra dependency)."""

    def cell(v: Any) -> str:
        if isinstance(v, bool):
            return "yes" if v else "**no**"
        if v is None or (isinstance(v, float) and pd.isna(v)):
            return "–"
        return str(v).replace("|", "\\|")

    head = "| " + " | ".join(map(str, df.columns)) + " |"
    sep = "|" + "|".join("---" for _ in df.columns) + "|"
    body = ["| " + " | ".join(cell(v) for v in r) + " |" for r in df.itertuples(index=False)]
    return "\n".join([head, sep, *body])


def span(s: pd.Series) -> str:
    s = pd.to_numeric(s, errors="coerce").dropna()
    if s.empty:
        return "–"
    return f"{s.min():.3f}" if s.min() == s.max() else f"{s.min():.3f}-{s.max():.3f}"


def show(title: str, df: pd.DataFrame, md: list[str]) -> None:
    print(f"\n## {title}")
    print(df.to_string(index=False) if len(df) else "(none)")
    md += [f"\n### {title}\n", markdown(df) if len(df) else "(none)"]
    sys.stdout.flush()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--officers", type=int, nargs="+", default=[5000])
    ap.add_argument("--days", type=int, default=180)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument(
        "--clean",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also run the clean pass: forces with no planted cases (default: on)",
    )
    ap.add_argument("--clean-only", action="store_true", help="run only the clean pass")
    ap.add_argument("--markdown", type=Path, help="write the summary tables as Markdown to this file")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(*args.child), default=str))
        return
    md: list[str] = [
        f"## Detector benchmark: {', '.join(map(str, args.officers))} officers x {args.days} days, "
        f"seeds {' '.join(map(str, args.seeds))}"
    ]
    dets: list[pd.DataFrame] = []
    forms: list[pd.DataFrame] = []
    looks: list[pd.DataFrame] = []
    times: list[pd.DataFrame] = []
    for n in args.officers if not args.clean_only else []:
        for seed in args.seeds:
            res = run_force(n, args.days, seed)
            d, f, lk = compare(res)
            t = timings(res)
            print(
                f"\n# {n} officers x {args.days} days, seed {seed}: ingest {res['ingest s']} s, detectors "
                f"{res['seconds']} s (baseline {res['baseline s']} s), peak RSS {res['peak RSS MB']} MB"
            )
            if "form" not in res["truth"].columns:
                print("(this generator writes no form column: per-form rows read '(none)')")
            for title, df, acc in (
                ("per detector: ours beside the baseline", d, dets),
                ("recall per form", f, forms),
                ("look-alikes flagged per look-alike form", lk, looks),
                ("seconds and peak RSS (MiB, whole process while the detector ran)", t, times),
            ):
                print(f"\n## {title}")
                print(df.to_string(index=False))
                acc.append(
                    df.assign(officers=n, seed=seed, total_s=res["seconds"], peak_rss=res["peak RSS MB"])
                )
            sys.stdout.flush()
    if dets:
        e = pd.concat(dets)
        g = e.groupby(["officers", "detector"])
        summary = g.agg(
            cases=("cases", "sum"),
            **{f"{w} {m}": (f"{w} {m}", span) for w in ("ours", "base") for m in "PRF"},
            **{
                "ours look-alikes": ("ours look-alikes", "sum"),
                "base look-alikes": ("base look-alikes", "sum"),
            },
            **{"ours >= base, every seed": ("ours >= base", "all")},
        ).reset_index()
        show("Summary over seeds: per detector, ours beside the baseline", summary, md)
        fo = pd.concat(forms).groupby(["officers", "detector", "form"])
        fs = fo[["cases", "ours found", "base found"]].sum().reset_index()
        fs["ours recall"] = (fs["ours found"] / fs["cases"]).round(3)
        fs["base recall"] = (fs["base found"] / fs["cases"]).round(3)
        show("Summary over seeds: recall per form", fs, md)
        ls = pd.concat(looks).groupby(["officers", "detector", "form"])
        lsum = ls[["lookalikes", "ours flagged", "base flagged"]].sum().reset_index()
        show("Summary over seeds: look-alikes flagged per look-alike form", lsum, md)
        t = pd.concat(times)
        ts = t.groupby(["officers", "detector"]).agg(seconds=("seconds", "mean"), peak_mb=("peak MB", "max"))
        tot = (
            t.drop_duplicates(["officers", "seed"])
            .groupby("officers")
            .agg(seconds=("total_s", "mean"), peak_mb=("peak_rss", "max"))
        )
        tot["detector"] = "all detectors (total; peak RSS of the process)"
        perf = pd.concat([ts.reset_index(), tot.reset_index()]).round(2)
        perf = perf.rename(columns={"peak_mb": "peak MB"})
        show("Seconds (mean over seeds) and peak RSS (MiB, max over seeds) per detector", perf, md)
    if args.clean or args.clean_only:
        from queries.evaluate import lookalikes_flagged

        if not has_clean():
            print("\n(the clean pass is skipped: this generator has no clean=True yet)")
        else:
            rates, clean_looks = [], []
            for n in args.officers:
                for seed in args.seeds:
                    res = run_force(n, args.days, seed, clean=True)
                    r = clean_rates(res, n)
                    lo = lookalikes_flagged(res["lookalikes"], res["ours"])
                    lb = lookalikes_flagged(res["lookalikes"], res["baseline"])
                    planted = len(res["truth"])
                    print(
                        f"\n# clean force, {n} officers x {args.days} days, seed {seed}: "
                        f"{planted} planted cases (should be 0), detectors {res['seconds']} s"
                    )
                    print(r.to_string(index=False))
                    print(
                        f"look-alikes flagged: ours {int(lo['flagged'].sum())}, baseline "
                        f"{int(lb['flagged'].sum())} of {len(res['lookalikes'])}"
                    )
                    both = lo.rename(columns={"flagged": "ours flagged", "officers": "ours officers"}).merge(
                        lb[["detector", "form", "flagged"]].rename(columns={"flagged": "base flagged"}),
                        on=["detector", "form"],
                    )
                    hit = both[(both["ours flagged"] > 0) | (both["base flagged"] > 0)]
                    if len(hit):
                        print(hit.to_string(index=False))
                    rates.append(r.assign(officers=n, seed=seed))
                    clean_looks.append(both.assign(officers=n, seed=seed))
            c = pd.concat(rates).groupby(["officers", "detector"])
            cs = c.agg(
                **{
                    "ours flags": ("ours flags", "sum"),
                    "ours per 1k (max over seeds)": ("ours per 1k", "max"),
                    "base flags": ("base flags", "sum"),
                    "base per 1k (max over seeds)": ("base per 1k", "max"),
                    "ours <= 1 per 1k, every seed": ("ours <= 1 per 1k", "all"),
                }
            ).reset_index()
            show("Clean forces: flags per 1,000 officers per detector", cs, md)
            cl = pd.concat(clean_looks).groupby(["officers", "detector", "form"])
            cls = cl[["lookalikes", "ours flagged", "base flagged"]].sum().reset_index()
            show("Clean forces: look-alikes flagged per look-alike form", cls, md)
    if args.markdown:
        args.markdown.write_text("\n".join(md) + "\n", encoding="utf-8")
        print(f"\nwrote {args.markdown}")


if __name__ == "__main__":
    main()
