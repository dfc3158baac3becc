"""Writing a synthetic force: the contract's tables as CSV or Parquet, and
:func:`write_force`, which streams the event tables block by block so memory stays flat at
any size."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from graph.contract import TABLES
from synthetic.common import BLOCK, Force, Progress, _innocent, _styles, _truth, arrow_schema
from synthetic.events import blocks
from synthetic.structure import structure
from synthetic.world import World, frames


def _csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Timestamps as local ISO 8601 with offset (``2025-06-01T07:00:00+01:00``)."""
    tz_cols = [c for c in df.columns if isinstance(df[c].dtype, pd.DatetimeTZDtype)]
    if not tz_cols:
        return df
    out = df.copy()
    for c in tz_cols:
        s = out[c].dt.tz_convert("Europe/London").dt.strftime("%Y-%m-%dT%H:%M:%S%z")
        out[c] = s.str[:-2] + ":" + s.str[-2:]
    return out


def _remove_other_formats(directory: Path, name: str, keep: str) -> None:
    for suffix in (".csv", ".csv.gz", ".parquet"):
        p = directory / f"{name}{suffix}"
        if suffix != keep and p.exists():
            p.unlink()


def write_tables(force: Force, directory: Path, fmt: str = "csv") -> Path:
    """:meth:`Force.write <synthetic.common.Force.write>`: every table of ``force`` as
    ``<table>.csv`` (or ``.parquet``), ``truth.csv`` and, when there are any, ``lookalikes.csv``."""
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"unknown format {fmt!r} (csv or parquet)")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name, df in force.tables.items():
        _remove_other_formats(directory, name, f".{fmt}")
        if fmt == "csv":
            _csv_frame(df).to_csv(directory / f"{name}.csv", index=False)
        else:
            schema = arrow_schema(TABLES[name], list(df.columns))
            table = pa.Table.from_pandas(df, schema=schema, preserve_index=False)
            pq.write_table(table, directory / f"{name}.parquet", compression="zstd")
    force.truth.to_csv(directory / "truth.csv", index=False)
    if len(force.lookalikes):
        force.lookalikes.to_csv(directory / "lookalikes.csv", index=False)
    return directory


def write_force(
    directory: Path,
    officers: int,
    days: int,
    seed: int = 7,
    fmt: str = "parquet",
    as_of: dt.date = dt.date(2026, 1, 1),
    progress: Progress | None = None,
    clean: bool = False,
    rest_day_rows: bool | None = None,
) -> dict[str, Any]:
    """Write a synthetic force to ``directory``, streaming the event tables.

    The force is the one :func:`generate` gives for the same arguments (same rows, same
    ids). Entity tables are written whole; the event tables (shifts, roster_changes,
    badge_events, remote_sessions, system_access) are written in blocks of
    :data:`~synthetic.common.BLOCK` officers (one Parquet row group per block, or CSV rows appended), so
    memory depends on the block size, not on the force. ``truth.csv`` and
    ``lookalikes.csv`` are written last.

    Parameters
    ----------
    directory
        Output folder (created). A file of a written table in the other format is removed.
    officers, days, seed, as_of
        As for :func:`generate`.
    fmt
        ``"parquet"`` (zstd-compressed, UTC timestamps) or ``"csv"`` (local timestamps
        with offset).
    progress
        Called with a short message after each step.
    clean
        No planted case (``truth.csv`` holds only its header): ordinary behaviour and
        every look-alike, for measuring false flags on a clean force.
    rest_day_rows
        Force-level style: whether the duty system writes rest-day rows (default: drawn
        from the seed; see :data:`~synthetic.common.STYLES`).

    Returns
    -------
    dict
        ``{"directory", "officers", "days", "seed", "format", "clean", "styles",
        "tables": {name: {"rows", "bytes"}}, "truth", "lookalikes", "bytes", "seconds"}``.
    """
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"unknown format {fmt!r} (csv or parquet)")
    t0 = time.perf_counter()
    step = progress or (lambda _m: None)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    ext = f".{fmt}"
    styles = _styles(seed, rest_day_rows)
    base = structure(officers, seed, as_of, clean)
    rows: dict[str, int] = {}
    if days <= 0:
        base.write(directory, fmt)
        rows = {k: len(v) for k, v in base.tables.items()}
        truth, looks = base.truth, base.lookalikes
    else:
        w = World(base, seed, as_of, days, styles, clean)
        step(f"entities built ({time.perf_counter() - t0:.1f} s)")
        for name, df in frames(w).items():
            _remove_other_formats(directory, name, ext)
            path = directory / f"{name}{ext}"
            if fmt == "csv":
                _csv_frame(df).to_csv(path, index=False)
            else:
                schema = arrow_schema(TABLES[name], list(df.columns))
                table = pa.Table.from_pandas(df, schema=schema, preserve_index=False)
                pq.write_table(table, path, compression="zstd")
            rows[name] = len(df)
        writers: dict[str, pq.ParquetWriter] = {}
        try:
            for bno, block in enumerate(blocks(w)):
                for name, table in block.items():
                    path = directory / f"{name}{ext}"
                    first = name not in rows
                    if first:
                        _remove_other_formats(directory, name, ext)
                        rows[name] = 0
                    if fmt == "parquet":
                        if first:
                            writers[name] = pq.ParquetWriter(path, table.schema, compression="zstd")
                        writers[name].write_table(table)
                    else:
                        _csv_frame(table.to_pandas()).to_csv(
                            path, mode="w" if first else "a", header=first, index=False
                        )
                    rows[name] += table.num_rows
                step(f"block {bno + 1}/{-(-w.n // BLOCK)} ({time.perf_counter() - t0:.1f} s)")
        finally:
            for wr in writers.values():
                wr.close()
        truth = _truth(w.truth_rows)
        looks = _innocent(_truth(w.look_rows), truth)
        truth.to_csv(directory / "truth.csv", index=False)
        looks.to_csv(directory / "lookalikes.csv", index=False)
    tables = {
        name: {"rows": n, "bytes": (directory / f"{name}{ext}").stat().st_size} for name, n in rows.items()
    }
    return {
        "directory": str(directory),
        "officers": officers,
        "days": days,
        "seed": seed,
        "format": fmt,
        "clean": clean,
        "styles": styles,
        "tables": tables,
        "truth": len(truth),
        "lookalikes": len(looks),
        "bytes": sum(t["bytes"] for t in tables.values()),
        "seconds": round(time.perf_counter() - t0, 2),
    }
