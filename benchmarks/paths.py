"""Time ``GraphStore.shortest_paths`` directly (no HTTP) on a generated force.

    python benchmarks/paths.py --officers 5000 --days 365 --data-dir /tmp/lw-nbh-5k/data
    python benchmarks/paths.py --data-dir /tmp/lw-nbh-5k/data --neo4j-uri bolt://127.0.0.1:7687

Generates the force and ingests it into the embedded store (skipped when ``--data-dir``
already holds one), then times ``shortest_paths`` (at most 4 hops) on the pairs that
``benchmarks/api_latency.py --requests N`` picks with the same seed: random officer
pairs, and officers with persons that share an identifier with someone. Prints p50,
p95 and max per pair kind, for the current implementation and for the one it
replaced (one query for every shortest path with all properties, sorted and cut in
Python; kept below as :func:`before`), and counts the pairs whose results differ
(nodes, edges, properties, order). ``--only new`` / ``--only before`` times one.

With ``--neo4j-uri`` the same pairs (picked on the embedded store: Neo4j's MATCH never
binds ``x`` to ``o`` above, Ladybug's may) are timed on a Neo4j server that already holds
the force (``benchmarks/neighbourhood.py --neo4j-uri`` loads it).
"""

from __future__ import annotations

import argparse
import logging
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from graph.errors import NodeNotFound
from graph.settings import Settings
from graph.store import GraphStore
from graph.workspace import open_store

Paths = list[dict[str, Any]]


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]


def before(st: GraphStore, a: str, b: str, *, max_hops: int = 4, limit: int = 25) -> Paths:
    """``shortest_paths`` as it was (no ``rel_types``): every shortest path with every
    property in one query, sorted and cut in Python."""
    found = st.nodes([a, b])
    for u in (a, b):
        if u not in found:
            raise NodeNotFound(u)
    if a == b:
        return [{"nodes": [found[a]], "edges": []}]
    la, lb = st.model.label_of_uid(a), st.model.label_of_uid(b)
    if st.name == "embedded":
        text = f"MATCH p = (a:{la} {{uid: $a}})-[* ALL SHORTEST 1..{max_hops}]-(b:{lb} {{uid: $b}}) RETURN p"
    else:
        text = (
            f"MATCH (a:{la} {{uid: $a}}) MATCH (b:{lb} {{uid: $b}}) "
            f"MATCH p = allShortestPaths((a)-[*..{max_hops}]-(b)) RETURN p"
        )
    paths = [r["p"] for r in st.query(text, {"a": a, "b": b})]
    paths.sort(key=lambda p: [n["id"] for n in p["nodes"]] + [e["id"] for e in p["edges"]])
    return paths[:limit]


def pairs(st: GraphStore, n: int, seed: int) -> dict[str, list[tuple[str, str]]]:
    """The pairs ``api_latency.py --requests n --seed seed`` asks for."""
    from api_latency import officers_and_linked  # the script beside this one

    officers, linked = officers_and_linked(st)
    rng = random.Random(seed)
    for _ in range(2 * n):  # the two neighbourhood cases come first there
        rng.choice(officers)
    return {
        "officer-officer": [(rng.choice(officers), rng.choice(officers)) for _ in range(n)],
        "officer-person": rng.sample(linked, min(len(linked), n)),
    }


def time_impl(
    name: str, fn: Callable[[str, str], Paths], cases: dict[str, list[tuple[str, str]]]
) -> dict[str, list[Paths]]:
    out: dict[str, list[Paths]] = {}
    for kind, ps in cases.items():
        times, counts, results = [], [], []
        for a, b in ps:
            t0 = time.perf_counter()
            res = fn(a, b)
            times.append((time.perf_counter() - t0) * 1000)
            counts.append(len(res))
            results.append(res)
        out[kind] = results
        none = sum(1 for c in counts if c == 0)
        print(
            f"{name:8} {kind:16} {len(times):>5} {pct(times, 0.5):>8.1f} {pct(times, 0.95):>8.1f} "
            f"{max(times):>8.1f} {statistics.mean(counts):>7.1f} {none:>6}",
            flush=True,
        )
    return out


def time_store(st: GraphStore, cases: dict[str, list[tuple[str, str]]], args: argparse.Namespace) -> None:
    for a, b in cases["officer-officer"][:3]:  # warm up
        st.shortest_paths(a, b)
    print(f"\n{st.name}: {args.pairs} pairs per kind, max_hops 4, limit 25")
    print(
        f"{'impl':8} {'pairs':16} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'paths':>7} {'none':>6}"
    )
    results = {}
    if args.only in (None, "before"):
        results["before"] = time_impl("before", lambda a, b: before(st, a, b), cases)
    if args.only in (None, "new"):
        results["new"] = time_impl("new", lambda a, b: st.shortest_paths(a, b), cases)
    if len(results) == 2:
        diffs = [
            (kind, pair)
            for kind, ps in cases.items()
            for pair, old, new in zip(ps, results["before"][kind], results["new"][kind], strict=True)
            if old != new
        ]
        print(f"pairs whose results differ: {len(diffs)}" + "".join(f"\n  {k}: {p}" for k, p in diffs[:10]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--officers", type=int, default=5000)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--pairs", type=int, default=100, help="pairs per kind (api_latency's --requests)")
    ap.add_argument("--only", choices=["before", "new"])
    ap.add_argument("--data-dir", type=Path, help="embedded store folder (reused when it holds one)")
    ap.add_argument("--neo4j-uri", help="also time Neo4j at this bolt address (already loaded)")
    ap.add_argument("--neo4j-only", action="store_true", help="with --neo4j-uri: skip the embedded store")
    args = ap.parse_args()
    from synthetic.store import generated_store

    data = args.data_dir or Path(tempfile.mkdtemp(prefix="lw-paths-")) / "data"
    s = generated_store(data, officers=args.officers, days=args.days, seed=args.seed)
    with open_store(s, read_only=True) as st:
        cases = pairs(st, args.pairs, args.seed)
        if not (args.neo4j_uri and args.neo4j_only):
            time_store(st, cases, args)
    if args.neo4j_uri:
        logging.getLogger("neo4j").setLevel(logging.ERROR)
        ns = Settings(store="neo4j", neo4j_uri=args.neo4j_uri, data_dir=data.parent / "neo4j-data")
        with open_store(ns) as st:
            time_store(st, cases, args)


if __name__ == "__main__":
    main()
