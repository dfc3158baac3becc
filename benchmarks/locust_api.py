"""50 concurrent API clients for 60 s against ``linkwatch serve``, driven by Locust
(headless), on 127.0.0.1 only: p50, p95 and p99 per endpoint and the error count.

    pip install -e '.[bench]'     # Locust
    python benchmarks/locust_api.py --data-dir DIR [--clients 50] [--seconds 60]
    python benchmarks/locust_api.py --officers 1000 --days 90       # builds a demo force first

``DIR`` is a data folder that already holds an ingested and detected force (e.g. the
45k × 365 one of ``benchmarks/ingest_scale.py``). The runner starts ``linkwatch serve``
over it as its own process, creates an investigator's token, and runs Locust with
``--clients`` users spawned at once for ``--seconds``, each pausing ``--think`` seconds
between requests (0.5 to 1.5 by default: people read what came back; ``--think 0 0`` is a
saturation test). The clients start once the server's processes have been idle for 3 s
(each warms its snapshot first; at most ``--settle`` seconds after the server answers),
all at once unless ``--spawn-rate`` starts them a few a second (then the figures count
from when all run). The memory of each server process is printed after the run. Every request carries the token
and a purpose; the mix is the one of ``benchmarks/load.py``: search, entity,
neighbourhood depth 1 and 2, paths, the flag list (deep pages too), one flag and a
saved query. Anything but a 200 counts as an error. Targets (issue 13): p95 under
100 ms for depth-1 neighbourhood, search and the flag list, under 500 ms for depth 2
and paths, and no errors.

This file is also the locustfile (Locust imports it with ``LW_LOCUST_PLAN`` set).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS_MS = {
    "search": 100,
    "neighbourhood depth 1": 100,
    "flags": 100,
    "neighbourhood depth 2": 500,
    "paths": 500,
}

if os.environ.get("LW_LOCUST_PLAN"):  # imported by Locust as the locustfile
    from locust import FastHttpUser, between, task

    PLAN = json.loads(Path(os.environ["LW_LOCUST_PLAN"]).read_text())
    SURNAMES = ["Smith", "Jones", "Taylor", "Brown", "Khan", "Patel", "Evans", "Wilson"]

    class Investigator(FastHttpUser):  # type: ignore[misc]
        wait_time = between(PLAN["think"][0], PLAN["think"][1])
        headers = PLAN["headers"]

        def _get(self, name: str, path: str, params: dict[str, object] | None = None) -> None:
            self.client.get(path, params=params, headers=self.headers, name=name)

        def _o(self) -> str:
            return random.choice(PLAN["officers"])

        @task(15)
        def search(self) -> None:
            self._get("search", "/api/v1/search", {"q": random.choice(SURNAMES)})

        @task(15)
        def entity(self) -> None:
            self._get("entity", f"/api/v1/entities/{self._o()}")

        @task(20)
        def depth1(self) -> None:
            self._get("neighbourhood depth 1", "/api/v1/neighbourhood", {"id": self._o(), "depth": 1})

        @task(8)
        def depth2(self) -> None:
            self._get("neighbourhood depth 2", "/api/v1/neighbourhood", {"id": self._o(), "depth": 2})

        @task(8)
        def paths(self) -> None:
            self._get("paths", "/api/v1/paths", {"from": self._o(), "to": self._o(), "max_hops": 4})

        @task(14)
        def flags(self) -> None:
            self._get("flags", "/api/v1/flags", {"limit": 50, "skip": random.choice([0, 50, 500])})

        @task(8)
        def flag(self) -> None:
            if PLAN["flags"]:
                self._get("flag", f"/api/v1/flags/{random.choice(PLAN['flags'])}")

        @task(12)
        def saved_query(self) -> None:
            body = {"params": {"officer_id": self._o().split(":", 1)[1]}}
            self.client.post(
                "/api/v1/queries/officer-profile/run", json=body, headers=self.headers, name="saved query"
            )


def _table(stats_csv: Path, seconds: float) -> tuple[str, int]:
    rows = list(csv.DictReader(stats_csv.open()))
    out = [
        "| endpoint | requests | errors | p50 ms | p95 ms | p99 ms | max ms | target p95 |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    errors = 0
    for r in rows:
        name = r["Name"] if r["Name"] != "Aggregated" else "**all**"
        n, fail = int(r["Request Count"]), int(r["Failure Count"])
        if r["Name"] != "Aggregated":
            errors += fail
        target = TARGETS_MS.get(r["Name"])
        ok = (
            ""
            if target is None
            else f"< {target} ms " + ("met" if float(r["95%"]) < target else "**missed**")
        )
        out.append(
            f"| {name} | {n:,} | {fail} | {float(r['50%']):.0f} | {float(r['95%']):.0f} | "
            f"{float(r['99%']):.0f} | {float(r['Max Response Time']):.0f} | {ok} |"
        )
    total = next((int(r["Request Count"]) for r in rows if r["Name"] == "Aggregated"), 0)
    out.append(f"\n{total:,} requests in {seconds:.0f} s ({total / seconds:.0f}/s), {errors} errors")
    return "\n".join(out), errors


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from load import investigator_headers, officers_and_flags, server_processes, serving, settle

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path)
    ap.add_argument("--officers", type=int, default=1000)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=(0.5, 1.5),
        metavar=("MIN", "MAX"),
        help="seconds each client pauses between requests, drawn between MIN and MAX (a person reads "
        "what came back; 0 0 makes every client send its next request at once: a saturation test)",
    )
    ap.add_argument(
        "--settle",
        type=float,
        default=120.0,
        help="most seconds to wait after the server answers before the clients start: it warms each new "
        "snapshot (pseudonyms, name index, hop index with every property; ~20 s of work per process at 45k) "
        "beside the first requests, once a day after an ingest, not in the steady state this measures; the "
        "clients start as soon as the server has been idle for 3 s (0: start at once)",
    )
    ap.add_argument(
        "--spawn-rate",
        type=float,
        help="clients started a second (default: all at once, so their first requests arrive together); "
        "with a rate, the figures count from when every client runs (Locust's --reset-stats) for --seconds",
    )
    ap.add_argument("--markdown", type=Path, help="also write the table to this file")
    args = ap.parse_args()
    if importlib.util.find_spec("locust") is None:
        raise SystemExit("Locust is not installed here: pip install -e '.[bench]' (or pip install 'locust>=2.40,<3')")
    data = args.data_dir or Path(tempfile.mkdtemp(prefix="lw-locust-")) / "data"
    if not (data / "graph.lbdb").exists():
        cmd = [sys.executable, "-m", "api.cli", "demo", "--officers", str(args.officers)]
        subprocess.run(
            [*cmd, "--days", str(args.days), "--data-dir", str(data)], check=True, stdout=subprocess.DEVNULL
        )
    officers, flags = officers_and_flags(data)
    rate = args.spawn_rate or float(args.clients)
    ramp = 0.0 if args.spawn_rate is None else args.clients / rate
    work = Path(tempfile.mkdtemp(prefix="lw-locust-run-"))
    plan = work / "plan.json"
    plan.write_text(
        json.dumps(
            {
                "officers": officers,
                "flags": flags,
                "headers": investigator_headers(data),
                "think": list(args.think),
            }
        )
    )
    print(
        f"{len(officers):,} officers, {len(flags)} flags sampled; {args.clients} clients for {args.seconds} s, "
        f"each pausing {args.think[0]:g}-{args.think[1]:g} s between requests, from {args.settle:g} s after "
        "the server answers"
        + ("" if args.spawn_rate is None else f"; {rate:g} clients started a second, counted once all run")
    )
    with serving(data, log=work / "server.log") as url:
        port = int(url.rsplit(":", 1)[1])
        settled = settle(server_processes(port), args.settle)
        print(f"the server's processes settled (each snapshot warmed) {settled:.0f} s after it answered")
        t0 = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                __file__,
                "--headless",
                "--host",
                url,
                "-u",
                str(args.clients),
                "-r",
                f"{rate:g}",
                "-t",
                f"{args.seconds + round(ramp)}s",
                *(["--reset-stats"] if args.spawn_rate is not None else []),
                "--csv",
                str(work / "run"),
                "--only-summary",
                "--stop-timeout",
                "10",
            ],
            env={**os.environ, "LW_LOCUST_PLAN": str(plan)},
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=open(work / "locust.log", "w"),  # noqa: SIM115
        )
        seconds = time.perf_counter() - t0
        rss = [p.memory_info().rss / 2**30 for p in server_processes(port)]
    table, errors = _table(work / "run_stats.csv", float(args.seconds))
    print("memory of the server's processes after the run: " + ", ".join(f"{r:.2f} GiB" for r in rss))
    print(table)
    print(f"(server log and Locust's CSVs in {work}; {seconds:.0f} s wall clock)")
    if args.markdown:
        args.markdown.write_text(table + "\n")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
