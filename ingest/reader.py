"""Read one source table and validate it against the contract, vectorised.

A file that cannot be read at all (not UTF-8, no header, a required column missing)
raises :class:`SourceFileError` naming the file and what is wrong. A row that breaks
the contract is quarantined — file, line, column, reason and the raw row — and the rest
of the file still loads; ``rows_read == len(valid) + len(quarantine)`` always.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from graph.errors import LinkwatchError
from ingest.contract import Table

QUARANTINE_COLUMNS = ["file", "line", "column", "reason", "raw"]
SUFFIXES = (".csv", ".csv.gz", ".parquet")


class SourceFileError(LinkwatchError):
    """A source file that cannot be read at all."""


@dataclass
class TableRead:
    """A validated table: typed valid rows, the quarantine, and the manifest figures."""

    table: Table
    path: Path
    valid: pd.DataFrame
    quarantine: pd.DataFrame
    rows_read: int
    sha256: str
    seconds: float
    extra_columns: list[str] = field(default_factory=list)

    @property
    def rows_valid(self) -> int:
        return len(self.valid)

    @property
    def manifest(self) -> dict[str, object]:
        return file_manifest(self)


def file_manifest(read: TableRead | Any) -> dict[str, object]:
    """The manifest entry of one source file (entity or event table)."""
    return {
        "table": read.table.name,
        "file": str(read.path),
        "sha256": read.sha256,
        "rows_read": read.rows_read,
        "rows_valid": read.rows_valid,
        "rows_quarantined": len(read.quarantine),
        "extra_columns": read.extra_columns,
        "seconds": round(read.seconds, 3),
    }


def find_source(directory: Path, table: str) -> Path | None:
    """The file holding ``table`` in ``directory``, or ``None``; two candidates is an error."""
    found = [directory / f"{table}{s}" for s in SUFFIXES if (directory / f"{table}{s}").exists()]
    if len(found) > 1:
        raise SourceFileError(
            f"{directory}: more than one file for table {table!r} "
            f"({', '.join(p.name for p in found)}); keep one"
        )
    return found[0] if found else None


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _parquet_text(v: object) -> str | None:
    """A Parquet cell as contract text: nulls (None, NaN, NaT) to None, dates and times
    in ISO 8601, everything else as ``str``."""
    if v is None or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
        return None
    iso = getattr(v, "isoformat", None)
    return iso() if iso is not None else str(v)


def _read_raw(path: Path) -> tuple[pd.DataFrame, np.ndarray]:
    """All cells as strings (empty = null) and the 1-based line number of each row."""
    if path.suffix == ".parquet":
        try:
            t = pq.read_table(path)
        except Exception as e:  # pyarrow raises several types for a bad file
            raise SourceFileError(f"{path}: not a readable Parquet file ({e})") from e
        df = pd.DataFrame(
            {
                name: pd.Series(col.to_pandas(), dtype=object).map(_parquet_text)
                for name, col in zip(t.column_names, t.columns, strict=True)
            }
        )
        return df, np.arange(1, len(df) + 1)
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8", newline="") as f:  # type: ignore[operator]
            text = f.read()
    except UnicodeDecodeError as e:
        raise SourceFileError(
            f"{path}: not UTF-8 text (byte 0x{e.object[e.start]:02x} at offset {e.start}); "
            "re-export the file as UTF-8"
        ) from e
    except (OSError, EOFError) as e:
        raise SourceFileError(f"{path}: cannot read ({e})") from e
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise SourceFileError(f"{path}: empty file (no header row)")
    try:
        df = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=True,
        )
    except (pd.errors.ParserError, ValueError) as e:
        raise SourceFileError(f"{path}: not valid CSV ({e})") from e
    df = df.astype(object).where(df.notna(), None)
    physical = text.count("\n") + (0 if text.endswith("\n") else 1)
    if '"' not in text and physical == len(df) + 1:
        lines = np.arange(2, len(df) + 2)
    else:  # quoted newlines or blank lines: ask the csv module where each record starts
        starts = []
        reader = csv.reader(io.StringIO(text))
        next(reader, None)
        prev = reader.line_num
        for rec in reader:
            if rec:
                starts.append(prev + 1)
            prev = reader.line_num
        lines = np.array(starts[: len(df)])
    return df, lines


def read_table(
    path: Path,
    table: Table,
    known_keys: Mapping[str, set[str] | None],
    timezone: str = "Europe/London",
) -> TableRead:
    """Read and validate one table.

    ``known_keys`` maps ``"table.column"`` to the set of existing keys that foreign keys
    may point to (this run's valid rows and the store's); ``None`` means unknown (the
    check is skipped and reported by the caller).
    """
    t0 = time.perf_counter()
    raw, lines = _read_raw(path)
    raw.columns = [str(c).strip() for c in raw.columns]
    if any(c.startswith("Unnamed:") for c in raw.columns) or not len(raw.columns):
        raise SourceFileError(f"{path}: the header row has empty column names")
    missing = [c for c in table.required if c not in raw.columns]
    if missing:
        if not set(table.names) & set(raw.columns):
            raise SourceFileError(
                f"{path}: no header row with the {table.name} columns "
                f"(expected e.g. {', '.join(table.required)})"
            )
        raise SourceFileError(f"{path}: required column(s) missing: {', '.join(missing)}")
    rel = path.name
    n = len(raw)
    problems: list[tuple[np.ndarray, str, str]] = []  # (mask, column, reason)
    typed: dict[str, pd.Series] = {}

    for col in table.columns:
        if col.name not in raw:
            typed[col.name] = pd.Series([None] * n, dtype=object)
            continue
        s = raw[col.name].map(lambda v: v.strip() if isinstance(v, str) else v)
        s = s.where(s != "", None)
        present = s.notna().to_numpy()
        if col.required:
            problems.append((~present, col.name, "missing required value"))
        if col.type == "date":
            parsed = pd.to_datetime(s, format="%Y-%m-%d", errors="coerce")
            bad = present & parsed.isna().to_numpy()
            problems.append((bad, col.name, "not a date (YYYY-MM-DD)"))
            typed[col.name] = parsed.dt.date.astype(object).where(parsed.notna(), None)
        elif col.type == "ts":
            typed[col.name], bad = _parse_ts(s, timezone)
            problems.append((present & bad, col.name, "not an ISO 8601 date-time"))
        elif col.type == "enum":
            ok = s.isin(col.enum).to_numpy()
            problems.append((present & ~ok, col.name, f"unknown value (allowed: {'|'.join(col.enum)})"))
            typed[col.name] = s
        elif col.type == "number":
            num = pd.to_numeric(s, errors="coerce")
            problems.append((present & num.isna().to_numpy(), col.name, "not a number"))
            typed[col.name] = num.astype(object).where(num.notna(), None)
        elif col.type == "list":
            typed[col.name] = s.map(
                lambda v: [x.strip() for x in v.split(";") if x.strip()] if isinstance(v, str) else None
            )
        else:
            typed[col.name] = s

    if table.time_order:
        a, b = table.time_order
        ta, tb = pd.Series(typed[a]), pd.Series(typed[b])
        both = (ta.notna() & tb.notna()).to_numpy()
        if table.column(a).type == "ts":
            bad = (
                both & (pd.to_datetime(tb, utc=True) <= pd.to_datetime(ta, utc=True)).fillna(False).to_numpy()
            )
            problems.append((bad, b, f"{b} is not after {a}"))
        else:
            bad = both & (pd.to_datetime(tb) < pd.to_datetime(ta)).fillna(False).to_numpy()
            problems.append((bad, b, f"{b} is before {a}"))

    for col in table.columns:
        if not col.ref or col.name not in raw:
            continue
        s = typed[col.name]
        if col.ref.split(".")[0] == table.name:
            continue  # self-references are checked after the keys are known (below)
        keys = known_keys.get(col.ref)
        if keys is None:
            continue
        bad = (s.notna() & ~s.isin(keys)).to_numpy()
        problems.append((bad, col.name, f"points to no {col.ref}"))

    bad_any = np.zeros(n, dtype=bool)
    for mask, _, _ in problems:
        bad_any |= mask
    if table.key_columns:
        kdf = pd.DataFrame({k: typed[k] for k in table.key_columns})
        dup = kdf.duplicated(keep="first").to_numpy() & ~bad_any
        problems.append((dup, ",".join(table.key_columns), "duplicate key (an earlier row has it)"))
        bad_any |= dup

    for col in table.columns:  # self references: the key must be among this file's good rows
        if col.ref and col.ref.split(".")[0] == table.name and col.name in raw:
            own = set(pd.Series(typed[col.ref.split(".")[1]])[~bad_any]) | (known_keys.get(col.ref) or set())
            s = typed[col.name]
            bad = (s.notna() & ~s.isin(own)).to_numpy() & ~bad_any
            problems.append((bad, col.name, f"points to no {col.ref}"))
            bad_any |= bad

    quarantine = _quarantine(raw, lines, rel, problems, bad_any)
    extra_cols = [c for c in raw.columns if c not in table.names]
    valid = pd.DataFrame(typed)[~bad_any].copy()
    valid["source_file"] = rel
    valid["source_line"] = lines[~bad_any]
    if extra_cols:
        ex = raw.loc[~bad_any, extra_cols]
        valid["extra"] = [
            json.dumps({k: v for k, v in zip(extra_cols, row, strict=True) if v is not None}, sort_keys=True)
            for row in ex.itertuples(index=False, name=None)
        ]
    else:
        valid["extra"] = None
    valid = valid.reset_index(drop=True)
    return TableRead(table, path, valid, quarantine, n, _sha256(path), time.perf_counter() - t0, extra_cols)


def _parse_ts(s: pd.Series, timezone: str) -> tuple[pd.Series, np.ndarray]:
    """ISO 8601 with offset/Z (kept) or naive (read as ``timezone``) → UTC timestamps."""
    has_offset = s.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True, na=False)
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[us, UTC]")
    if has_offset.any():
        out[has_offset] = pd.to_datetime(s[has_offset], format="ISO8601", utc=True, errors="coerce")
    naive = s.notna() & ~has_offset
    if naive.any():
        local = pd.to_datetime(s[naive], format="ISO8601", errors="coerce")
        out[naive] = local.dt.tz_localize(
            timezone, ambiguous=np.ones(len(local), dtype=bool), nonexistent="shift_forward"
        ).dt.tz_convert("UTC")
    return out, out.isna().to_numpy()


def _quarantine(
    raw: pd.DataFrame,
    lines: np.ndarray,
    file: str,
    problems: list[tuple[np.ndarray, str, str]],
    bad_any: np.ndarray,
) -> pd.DataFrame:
    idx = np.flatnonzero(bad_any)
    if not len(idx):
        return pd.DataFrame(columns=QUARANTINE_COLUMNS)
    cols: dict[int, list[str]] = {int(i): [] for i in idx}
    reasons: dict[int, list[str]] = {int(i): [] for i in idx}
    for mask, col, reason in problems:
        for pos in np.flatnonzero(mask):
            i = int(pos)
            if i in cols:
                v = raw.iloc[i].get(col) if col in raw else None
                cols[i].append(col)
                reasons[i].append(f"{col}: {reason}" + (f" (got {v!r})" if v is not None else ""))
    return pd.DataFrame(
        {
            "file": file,
            "line": [int(lines[i]) for i in idx],
            "column": [";".join(cols[int(i)]) for i in idx],
            "reason": ["; ".join(reasons[int(i)]) for i in idx],
            "raw": [
                json.dumps({k: v for k, v in raw.iloc[int(i)].items() if v is not None}, default=str)
                for i in idx
            ],
        }
    )
