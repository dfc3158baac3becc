"""A store holding a generated force, for the benchmarks: :func:`generated_store`."""

from __future__ import annotations

import time
from pathlib import Path

from graph.embedded import DB_FILE
from graph.settings import Settings
from graph.workspace import open_store
from ingest.run import ingest_dir
from synthetic.writer import write_force


def generated_store(
    data: Path, *, officers: int, days: int, seed: int, buffer_pool_mb: int = 2048
) -> Settings:
    """Settings of an embedded store in ``data`` holding a generated force (written to
    ``data``'s sibling ``src`` and ingested), made unless ``data`` already holds a store:
    benchmarks reuse one force across runs."""
    s = Settings.model_validate({"data_dir": data, "buffer_pool_mb": buffer_pool_mb})
    if not (data / DB_FILE).exists():
        src = data.parent / "src"
        t0 = time.perf_counter()
        write_force(src, officers=officers, days=days, seed=seed, fmt="parquet")
        with open_store(s) as st:
            ingest_dir(st, src, data)
        print(f"generated and ingested {officers} x {days} in {time.perf_counter() - t0:.0f} s")
    return s
