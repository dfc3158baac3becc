"""Time ``GraphStore.neighbourhood`` directly (no HTTP) on a generated force.

    python benchmarks/neighbourhood.py --officers 5000 --days 365 --data-dir /tmp/lw-nbh-5k/data
    python benchmarks/neighbourhood.py --data-dir /tmp/lw-nbh-5k/data --neo4j-uri bolt://127.0.0.1:7687

Generates the force and ingests it into the embedded store (skipped when ``--data-dir``
already holds one), then times ``neighbourhood`` of ``--seeds`` random officers at
depth 1 and 2 (default limit, 500 nodes) and prints p50, p95 and max per depth, with
the mean number of nodes and edges returned and how many results were truncated.

With ``--neo4j-uri`` the same force is timed on Neo4j too: it is loaded there from the
generated source files unless the server already holds exactly as many officers
(``--neo4j-reload`` wipes and reloads it).
"""

from __future__ import annotations

import argparse
import logging
import random
import statistics
import tempfile
import time
from pathlib import Path

from graph.settings import Settings
from graph.store import GraphStore
from graph.workspace import open_store


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]


def time_store(st: GraphStore, officers: list[str], args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    seeds = {d: [rng.choice(officers) for _ in range(args.seeds)] for d in (1, 2)}
    for uid in seeds[1][:3]:  # warm up
        st.neighbourhood([uid], depth=2, limit=args.limit)
    print(
        f"\n{st.name}: {len(officers):,} officers; {args.seeds} random officers per depth, limit {args.limit}"
    )
    print(
        f"{'depth':>5} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'nodes':>7} {'edges':>7} {'trunc':>6}"
    )
    for depth, uids in seeds.items():
        times, nodes, edges, trunc = [], [], [], 0
        for uid in uids:
            t0 = time.perf_counter()
            sg = st.neighbourhood([uid], depth=depth, limit=args.limit)
            times.append((time.perf_counter() - t0) * 1000)
            nodes.append(len(sg.nodes))
            edges.append(len(sg.edges))
            trunc += sg.truncated
        print(
            f"{depth:>5} {len(times):>5} {pct(times, 0.5):>8.1f} {pct(times, 0.95):>8.1f} "
            f"{max(times):>8.1f} {statistics.mean(nodes):>7.1f} {statistics.mean(edges):>7.1f} {trunc:>6}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--officers", type=int, default=5000)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--seeds", type=int, default=100, help="random officers per depth")
    ap.add_argument("--limit", type=int, default=500)
    ap.add_argument("--data-dir", type=Path, help="embedded store folder (reused when it holds one)")
    ap.add_argument("--neo4j-uri", help="also time Neo4j at this bolt address")
    ap.add_argument("--neo4j-reload", action="store_true", help="wipe Neo4j and load the force again")
    args = ap.parse_args()
    from ingest.run import ingest_dir
    from synthetic.store import generated_store

    data = args.data_dir or Path(tempfile.mkdtemp(prefix="lw-nbh-")) / "data"
    s = generated_store(data, officers=args.officers, days=args.days, seed=args.seed)
    with open_store(s, read_only=True) as st:
        officers = [r["id"] for r in st.query("MATCH (o:Officer) RETURN o.uid AS id ORDER BY id")]
        time_store(st, officers, args)
    if args.neo4j_uri:
        from graph.neo4j_store import Neo4jStore

        logging.getLogger("neo4j").setLevel(logging.ERROR)  # "property does not exist" notices

        ns = Settings(store="neo4j", neo4j_uri=args.neo4j_uri, data_dir=data.parent / "neo4j-data")
        with open_store(ns) as st:
            assert isinstance(st, Neo4jStore)
            have = int(st.query("MATCH (o:Officer) RETURN count(o) AS c")[0]["c"])
            if args.neo4j_reload or have != len(officers):
                t0 = time.perf_counter()
                st.wipe()
                ingest_dir(st, data.parent / "src", ns.data_dir)
                print(f"loaded the force into Neo4j in {time.perf_counter() - t0:.0f} s")
            time_store(st, officers, args)


if __name__ == "__main__":
    main()
