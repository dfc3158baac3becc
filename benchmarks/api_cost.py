"""What each API request costs the server, one client at a time: wall time (p50, p95)
and the server's CPU time a request, per endpoint, over ``linkwatch serve``.

    python benchmarks/api_cost.py --data-dir DIR [--requests 60] [--workers 1]

``DIR`` holds an ingested and detected force (e.g. the 45k × 365 one of
``benchmarks/met_scale.py``). The server runs as its own process (one worker by
default, so that every request lands on the process measured); once it has warmed its
snapshot (idle for 3 s), each endpoint of the load tests' mix (``benchmarks/load.py``:
search, entity, neighbourhood depth 1 and 2, paths, the flag list, one flag, a saved
query) is asked ``--requests`` times in a row, with an investigator's token and a
purpose. CPU time is read from ``/proc`` for the server's processes and their children
(the saved query runs in a query worker of its own) before and after each endpoint's
requests. CPU a request is what bounds how many requests a second the cores serve; the
wall time is what one user waits on an idle server.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx


def _cpu(procs: list[Any]) -> float:
    """CPU seconds (user and system) of these processes and every child they have now."""
    import psutil

    seen: dict[int, float] = {}
    for p in procs:
        try:
            for q in [p, *p.children(recursive=True)]:
                t = q.cpu_times()
                seen[q.pid] = t.user + t.system
        except psutil.NoSuchProcess:
            continue
    return sum(seen.values())


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from load import investigator_headers, officers_and_flags, pct, server_processes, serving, settle, targets

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--requests", type=int, default=60, help="requests per endpoint")
    ap.add_argument("--workers", type=int, default=1, help="server processes (1: every request measured)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    officers, flags = officers_and_flags(args.data_dir)
    by_name: dict[str, list[Any]] = defaultdict(list)
    for t in itertools.islice(targets(officers, flags, random.Random(args.seed)), 100 * args.requests):
        if len(by_name[t[0]]) < args.requests + 3:
            by_name[t[0]].append(t)
    env = {"LINKWATCH_SERVER_WORKERS": str(args.workers)}
    rows = []
    with serving(args.data_dir, env=env) as url:
        port = int(url.rsplit(":", 1)[1])
        settled = settle(server_processes(port), 300)
        procs = server_processes(port)
        with httpx.Client(base_url=url, headers=investigator_headers(args.data_dir), timeout=120) as c:
            for name, todo in sorted(by_name.items()):
                times = []
                for i, (_, what, params, body) in enumerate(todo):
                    if i == 3:  # the first three warm the endpoint's path
                        before = _cpu(procs)
                    method, path = what.split(" ", 1)
                    t0 = time.perf_counter()
                    r = c.request(method, path, params=params, json=body)
                    if i >= 3:
                        times.append((time.perf_counter() - t0) * 1000)
                    if r.status_code != 200:
                        raise SystemExit(f"{name}: {r.status_code} {r.text[:300]}")
                cpu = (_cpu(procs) - before) * 1000 / len(times)
                rows.append((name, len(times), pct(times, 0.5), pct(times, 0.95), cpu, len(r.content)))
    print(f"{len(officers):,} officers; the server settled {settled:.0f} s after it answered; one client")
    print()
    print("| endpoint | requests | p50 ms | p95 ms | server CPU ms a request | last answer |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, n, p50, p95, cpu, size in rows:
        print(f"| {name} | {n} | {p50:.0f} | {p95:.0f} | {cpu:.1f} | {size / 1000:,.0f} kB |")


if __name__ == "__main__":
    main()
