"""Crews on the Chicago co-complaint network (CPDP), and a comparison of methods.

    linkwatch ingest --format cpdp ../shared/data/cpdp --data-dir /tmp/cpdp
    python benchmarks/cpdp_crews.py --data-dir /tmp/cpdp [--since 2000-01-01 --until 2016-12-31]
    python benchmarks/cpdp_crews.py --data-dir DATA --since '' --until '' --truth SRC/truth.csv   # a generated force

Prints the network's figures (officers, ties, components, largest component), then what
each method makes of it: ties thresholded at 2..5 shared complaints (components), ties
beyond the unit baseline (the co-complaints expected of two officers of the same unit
given how often each is named), Louvain on the whole weighted network at several
resolutions, ego networks of repeated ties, and the ``network.crew`` detector's crews.
No officer data is printed beyond ids, counts and weights. With ``--truth`` (a generated
force's ``truth.csv``) each method also reports how many planted crews it recovers: all
members in one group of at most twice the crew's size.

Large crews: with ``--crew FILE`` (officer ids of a documented crew, one a line) the
detector's best-overlapping group is reported with its Jaccard overlap. The release names
no officers, so by default the reference crews are structural: the clique-percolation
communities (networkx k_clique_communities, k = 5, on ties of >= 3 shared complaints) of
9..15 officers tied at density >= 0.6, an independent method. For each, the best Jaccard
overlap with the detector's groups is reported, today's defaults beside ``max_size`` 8.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter
from pathlib import Path

import networkx as nx

from graph.settings import Settings
from graph.workspace import open_store
from queries.detectors.base import DetectContext
from queries.detectors.network.crew import CREW, CREW_COMPLAINTS

CREWS: list[set[str]] = []


def sizes(groups: list[set[str]]) -> str:
    s = sorted((len(g) for g in groups), reverse=True)
    if not s:
        return "none"
    out = f"{len(s)} groups; largest {s[:5]}; median {statistics.median(s):g}"
    if CREWS:
        found = sum(any(c <= g and len(g) <= 2 * len(c) for g in groups) for c in CREWS)
        out += f"; planted crews recovered: {found} of {len(CREWS)}"
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--since", default="2000-01-01")
    ap.add_argument("--until", default="2016-12-31")
    ap.add_argument("--truth", type=Path, help="truth.csv of a generated force, to score the methods")
    ap.add_argument("--crew", type=Path, help="officer ids of a documented crew, one a line")
    args = ap.parse_args()
    if args.truth:
        import pandas as pd

        t = pd.read_csv(args.truth, dtype=str)
        t = t[t["detector"] == "network.crew"]
        CREWS.extend(set(g["officer_id"]) for _, g in t.groupby("group_id"))
    st = open_store(Settings(data_dir=args.data_dir, buffer_pool_mb=1024), read_only=True)
    t0 = time.perf_counter()
    w: Counter[tuple[str, str]] = Counter()
    for r in st.query(CREW_COMPLAINTS):
        d = str(r["received"] or "")[:10]
        if not d or ((not args.since or args.since <= d) and (not args.until or d <= args.until)):
            w[(r["a"], r["b"])] += 1
    named = st.query(
        "MATCH (o:Officer)-[:NAMED_IN]->(c:Complaint) RETURN o.officer_id AS o, o.unit_id AS unit, "
        "c.received_date AS d"
    )
    unit = {r["o"]: r["unit"] for r in named}
    count: Counter[str] = Counter(
        r["o"]
        for r in named
        if r["d"] is None
        or (
            (not args.since or args.since <= str(r["d"])[:10])
            and (not args.until or str(r["d"])[:10] <= args.until)
        )
    )
    g = nx.Graph()
    for (a, b), n in w.items():
        g.add_edge(a, b, weight=n)
    comps = list(nx.connected_components(g))
    print(f"## Co-complaint network {args.since} .. {args.until} (built in {time.perf_counter() - t0:.1f} s)")
    print(
        f"officers named: {len(count):,}; officers with a tie: {g.number_of_nodes():,}; ties: "
        f"{g.number_of_edges():,}; components: {len(comps):,}; largest component: "
        f"{max(len(c) for c in comps):,} officers"
    )
    print(f"tie weights: {dict(sorted(Counter(w.values()).items())[:8])} ...; max {max(w.values())}")

    print("\n## Thresholded ties (components of >= 3 officers)")
    for k in (2, 3, 4, 5):
        h = nx.Graph([(a, b) for (a, b), n in w.items() if n >= k])
        print(
            f"weight >= {k}: {h.number_of_edges():,} ties; "
            + sizes([c for c in nx.connected_components(h) if len(c) >= 3])
        )

    print("\n## Ties beyond the unit baseline")
    # expected co-complaints of a pair = c_a * c_b * rate, the rate fitted separately for
    # pairs in the same unit and pairs in different units
    same = sum(n for (a, b), n in w.items() if unit.get(a) and unit.get(a) == unit.get(b))
    by_unit: Counter[str] = Counter()
    sq: Counter[str] = Counter()
    for o, c in count.items():
        by_unit[unit.get(o) or "?"] += c
        sq[unit.get(o) or "?"] += c * c
    same_mass = sum((by_unit[u] ** 2 - sq[u]) / 2 for u in by_unit)
    total_mass = (sum(count.values()) ** 2 - sum(c * c for c in count.values())) / 2
    r_same = same / same_mass if same_mass else 0.0
    r_other = (sum(w.values()) - same) / (total_mass - same_mass) if total_mass > same_mass else 0.0
    print(f"co-complaint rate per unit of c_a*c_b: same unit {r_same:.2e}, other units {r_other:.2e}")
    for k in (3, 5):
        kept = []
        for (a, b), n in w.items():
            rate = r_same if unit.get(a) and unit.get(a) == unit.get(b) else r_other
            expected = count[a] * count[b] * rate
            if n >= k and n >= 3 * expected:
                kept.append((a, b))
        h = nx.Graph(kept)
        print(
            f"weight >= {k} and >= 3x expected: {h.number_of_edges():,} ties; "
            + sizes([c for c in nx.connected_components(h) if len(c) >= 3])
        )

    print("\n## Louvain on the whole weighted network")
    for res in (0.5, 1.0, 2.0, 5.0):
        t1 = time.perf_counter()
        parts = nx.community.louvain_communities(g, weight="weight", resolution=res, seed=0)
        print(
            f"resolution {res}: {sizes([set(p) for p in parts if len(p) >= 3])} ({time.perf_counter() - t1:.1f} s)"
        )

    print("\n## Ego networks of repeated ties (weight >= 3)")
    h = nx.Graph([(a, b) for (a, b), n in w.items() if n >= 3])
    egos = [o for o in h if h.degree(o) >= 2]
    closed = [o for o in egos if any(h.has_edge(x, y) for x in h[o] for y in h[o] if x < y)]
    print(
        f"officers with >= 2 repeated ties: {len(egos):,}; of them in a closed triangle of repeated ties: {len(closed):,}"
    )

    print("\n## network.crew (defaults, complaints only)")
    t2 = time.perf_counter()
    flags = CREW.run(DetectContext(st), {"since": args.since, "until": args.until, "use_access": False})
    crews = flags.groupby("group_id")
    print(
        f"{crews.ngroups} crews, {len(flags)} officer flags, in {time.perf_counter() - t2:.1f} s; "
        + sizes([set(g["officer_id"]) for _, g in crews])
    )
    import json

    rows = []
    for gid, grp in crews:
        ev = json.loads(grp["evidence"].iloc[0])
        ties = [e for e in ev if "tie" in e]
        complaints = {e["key"] for e in ev if e.get("table") == "complaints"}
        rows.append(
            (len(grp), len(ties), sorted((t["weight"] for t in ties), reverse=True), len(complaints), gid)
        )
    rows.sort(key=lambda r: (-r[0], -r[3]))
    print(f"sizes: {dict(sorted(Counter(r[0] for r in rows).items()))}")
    for size, nties, weights, nc, gid in rows[:15]:
        print(f"  {gid}: {size} officers, {nties} ties (weights {weights[:8]}), {nc} complaints")

    print("\n## Large crews: best overlap (Jaccard) with reference crews")
    if args.crew:
        refs = [{x.strip() for x in args.crew.read_text(encoding="utf-8").split() if x.strip()}]
        print(f"reference: {args.crew} ({len(refs[0])} officers)")
    else:
        h3 = nx.Graph([(a, b) for (a, b), n in w.items() if n >= 3])
        refs = [
            set(c)
            for c in nx.community.k_clique_communities(h3, 5)
            if 9 <= len(c) <= 15 and nx.density(h3.subgraph(c)) >= 0.6
        ]
        print(
            f"reference: {len(refs)} clique-percolation communities (k = 5) of 9..15 officers, density >= 0.6"
        )
    for label, extra in (("max_size 8", {"max_size": 8}), ("defaults", {})):
        fl = CREW.run(
            DetectContext(st), {"since": args.since, "until": args.until, "use_access": False, **extra}
        )
        groups = [set(g["officer_id"]) for _, g in fl.groupby("group_id")]
        best = [max(((len(r & x) / len(r | x), len(x)) for x in groups), default=(0.0, 0)) for r in refs]
        js = [b[0] for b in best]
        print(
            f"{label}: {len(groups)} crews ({sum(len(x) >= 9 for x in groups)} of 9 or more); best Jaccard "
            f"mean {statistics.mean(js) if js else 0:.2f}, >= 0.5 for {sum(j >= 0.5 for j in js)} of {len(js)}; "
            f"per reference (Jaccard, size of the best group): {[(round(j, 2), n) for j, n in best]}"
        )
    st.close()


if __name__ == "__main__":
    main()
