"""Latency of the neighbourhood and path endpoints over HTTP, on a generated force.

    python benchmarks/api_latency.py --officers 5000 --days 365 [--data-dir DIR] [--requests 200]

Generates the force and ingests it into the embedded store (skipped when ``--data-dir``
already holds one), starts ``linkwatch serve`` on 127.0.0.1 as a separate process, and
times requests from one client: neighbourhoods of random officers at depth 1 and 2, and
shortest paths (at most 4 hops) between random officers and between officers and the
persons that share an identifier with someone. Prints p50, p95 and max per endpoint.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx


def officers_and_linked(st: Any) -> tuple[list[str], list[tuple[str, str]]]:
    """Every officer's id, and up to 500 (officer, person) pairs linked through an
    officer who shares an identifier with both (the path benchmarks' pairs)."""
    officers = [r["id"] for r in st.query("MATCH (o:Officer) RETURN o.uid AS id ORDER BY id")]
    linked = [
        (r["o"], r["p"])
        for r in st.query(
            "MATCH (o:Officer)-[:HAS_IDENTIFIER]->(:Identifier)<-[:HAS_IDENTIFIER]-(x:Officer) "
            "MATCH (x)-[:HAS_IDENTIFIER]->(:Identifier)<-[:HAS_IDENTIFIER]-(p:Person) "
            "RETURN DISTINCT o.uid AS o, p.uid AS p ORDER BY o, p LIMIT 500"
        )
    ]
    return officers, linked


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--officers", type=int, default=5000)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--data-dir", type=Path)
    args = ap.parse_args()
    from graph.workspace import open_store
    from synthetic.store import generated_store

    data = args.data_dir or Path(tempfile.mkdtemp(prefix="lw-api-")) / "data"
    s = generated_store(data, officers=args.officers, days=args.days, seed=args.seed)
    with open_store(s, read_only=True) as st:
        officers, linked = officers_and_linked(st)
    from load import investigator_headers, pct, serving  # the script beside this one

    headers = investigator_headers(data, "api_latency.py", "latency benchmark", "BENCH")
    rng = random.Random(args.seed)
    with (
        serving(data, {"LINKWATCH_BUFFER_POOL_MB": "2048"}) as base,
        httpx.Client(base_url=base, timeout=120, headers=headers) as c,
    ):
        cases: dict[str, list[dict[str, object]]] = {
            "neighbourhood depth 1": [{"id": rng.choice(officers), "depth": 1} for _ in range(args.requests)],
            "neighbourhood depth 2": [{"id": rng.choice(officers), "depth": 2} for _ in range(args.requests)],
            "paths officer-officer (<= 4 hops)": [
                {"from": rng.choice(officers), "to": rng.choice(officers), "max_hops": 4}
                for _ in range(args.requests)
            ],
            "paths officer-person (<= 4 hops)": [
                {"from": o, "to": p, "max_hops": 4}
                for o, p in rng.sample(linked, min(len(linked), args.requests))
            ],
        }
        print(f"\n{len(officers):,} officers; {args.requests} requests per endpoint, one client, over HTTP\n")
        print(f"{'endpoint':36} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'mean nodes':>10}")
        for name, reqs in cases.items():
            path = "/api/v1/neighbourhood" if name.startswith("neigh") else "/api/v1/paths"
            times, sizes = [], []
            for q in reqs:
                t0 = time.perf_counter()
                r = c.get(path, params=q)
                times.append((time.perf_counter() - t0) * 1000)
                r.raise_for_status()
                body = r.json()
                sizes.append(
                    len(body["nodes"]) if "nodes" in body else sum(len(p["nodes"]) for p in body["paths"])
                )
            print(
                f"{name:36} {len(times):>5} {pct(times, 0.5):>8.1f} {pct(times, 0.95):>8.1f} "
                f"{max(times):>8.1f} {statistics.mean(sizes):>10.1f}"
            )


if __name__ == "__main__":
    main()
