"""Load rate of the ingest path on both stores, against a naive baseline.

    python benchmarks/load_rate.py --officers 1000 5000 [--neo4j bolt://127.0.0.1:7687]

For each size: generate a synthetic force, ingest it into a fresh store (read, validate,
transform, delta-load), and print graph rows written per second (nodes + relationships)
and the peak RSS of this process. The baseline writes the same officer nodes one
``MERGE`` per row through the same store, for the first ``--baseline-rows`` rows, so
the ratio of the bulk path to row-at-a-time loading is visible.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import pandas as pd

from graph.settings import Settings
from graph.workspace import open_store
from ingest.run import ingest_dir
from synthetic import generate


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fresh(settings: Settings):
    st = open_store(settings)
    if st.name == "neo4j":
        st.wipe()  # type: ignore[attr-defined]
    return st


def naive(settings: Settings, officers: pd.DataFrame, n: int) -> float:
    st = fresh(settings)
    rows = officers.head(n)
    t0 = time.perf_counter()
    for r in rows.itertuples(index=False):
        st._write(
            "MERGE (o:Officer {uid: $uid}) SET o.officer_id = $id, o.surname = $s, o.forenames = $f",
            {"uid": f"Officer:{r.officer_id}", "id": r.officer_id, "s": r.surname, "f": r.forenames},
        )
    dt = time.perf_counter() - t0
    st.close()
    return len(rows) / dt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--officers", type=int, nargs="+", default=[1000, 5000])
    ap.add_argument("--neo4j", help="bolt URI of a Neo4j to benchmark too (it is wiped)")
    ap.add_argument("--baseline-rows", type=int, default=1000)
    args = ap.parse_args()
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.officers:
            force = generate(officers=n, seed=1)
            src = force.write(Path(tmp) / f"src{n}")
            stores = [Settings(data_dir=Path(tmp) / f"emb{n}", buffer_pool_mb=512)]
            if args.neo4j:
                stores.append(Settings(store="neo4j", neo4j_uri=args.neo4j, data_dir=Path(tmp) / f"neo{n}"))
            for s in stores:
                st = fresh(s)
                t0 = time.perf_counter()
                rep = ingest_dir(st, src, s.data_dir)
                secs = time.perf_counter() - t0
                written = sum(x.new for x in rep.loads)
                nodes = sum(x.new for x in rep.loads if x.name[0].isupper() and not x.name.isupper())
                t1 = time.perf_counter()
                again = ingest_dir(st, src, s.data_dir)
                noop = time.perf_counter() - t1
                st.close()
                base = naive(
                    s.model_copy(update={"data_dir": Path(tmp) / f"naive{n}"}),
                    force.tables["officers"],
                    args.baseline_rows,
                )
                out.append(
                    {
                        "store": s.store,
                        "officers": n,
                        "source rows": rep.rows_read,
                        "graph rows": written,
                        "nodes": nodes,
                        "rels": written - nodes,
                        "ingest s": round(secs, 2),
                        "rows/s": round(written / secs),
                        "re-ingest s": round(noop, 2),
                        "naive MERGE rows/s": round(base),
                        "peak RSS MB": round(peak_rss_mb()),
                        "unchanged tables": len(again.unchanged),
                    }
                )
                print(out[-1], flush=True)
    print()
    print(
        pd.DataFrame(out).to_markdown(index=False)
        if _has_tabulate()
        else pd.DataFrame(out).to_string(index=False)
    )


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    main()
