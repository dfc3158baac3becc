"""Read one source table and validate it against the contract, vectorised.

A file that cannot be read at all (not UTF-8, no header, a duplicated or missing
required column) raises :class:`SourceFileError` naming the file, the line and the
column and what is wrong. A row that breaks the contract is quarantined (file, line,
column, reason and the raw row) and the rest of the file still loads;
``rows_read == len(valid) + len(quarantine)`` always. A row whose field count differs
from the header's (an unquoted line break, a stray comma, a cut-off last row) is such a
row, as is a value longer than ``max_field_size`` characters.

Foreign keys: a required reference to no known key quarantines the row; an optional
one (an officer's ``line_manager_id``, a record's ``person_id``) keeps the row and
drops the link, and the dropped link is recorded beside the quarantine
(:attr:`TableRead.dropped`, ``action = "link dropped"`` in ``quarantine.csv``).
"""

from __future__ import annotations

import csv
import difflib
import gzip
import hashlib
import io
import json
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from graph.contract import TABLES, Table
from graph.errors import LinkwatchError

QUARANTINE_COLUMNS = ["file", "line", "column", "reason", "raw", "action"]
"""``action``: ``row quarantined`` (the row is not loaded), ``link dropped`` (the row is
loaded without that reference) or ``file refused`` / ``run refused`` (nothing loaded)."""
ROW_QUARANTINED, LINK_DROPPED, FILE_REFUSED, RUN_REFUSED = (
    "row quarantined",
    "link dropped",
    "file refused",
    "run refused",
)
SUFFIXES = (".csv", ".csv.gz", ".parquet")
MAX_FIELD_SIZE = 1 << 20
"""Values longer than this (characters) are quarantined as absurd: 1 MiB of text in one
cell is a broken export, not a surname."""
PREVIEW = 200
"""Characters of a long value kept in a quarantine record."""
NOT_TABLES = {
    "truth.csv": "the generator's planted cases (not a contract table)",
    "lookalikes.csv": "the generator's innocent look-alikes (not a contract table)",
}
"""Files ``linkwatch generate`` writes beside the tables: left alone without a warning."""

csv.field_size_limit(2**31 - 1)  # the default (131,072) crashes on a long quoted field


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
    dropped: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=QUARANTINE_COLUMNS))
    """Links dropped from loaded rows (an optional reference to no known key)."""
    released_rows: int | None = None
    """How many valid rows there were, once :meth:`release` let them go."""

    @property
    def rows_valid(self) -> int:
        return len(self.valid) if self.released_rows is None else self.released_rows

    def release(self) -> None:
        """Let the valid rows go once they are written (a 45k force's entity files are
        GiBs as frames): the manifest figures stay, ``valid`` keeps its columns only."""
        if self.released_rows is None:
            self.released_rows = len(self.valid)
            self.valid = self.valid.iloc[0:0].copy()

    @property
    def manifest(self) -> dict[str, object]:
        return file_manifest(self)


def file_manifest(read: TableRead | Any) -> dict[str, object]:
    """The manifest entry of one source file (entity or event table)."""
    dropped = getattr(read, "dropped", None)
    return {
        "table": read.table.name,
        "file": str(read.path),
        "sha256": read.sha256,
        "rows_read": read.rows_read,
        "rows_valid": read.rows_valid,
        "rows_quarantined": len(read.quarantine),
        "links_dropped": 0 if dropped is None else len(dropped),
        "extra_columns": read.extra_columns,
        "seconds": round(read.seconds, 3),
    }


# ---- which file is which table ---------------------------------------------------------


def table_of(name: str) -> str | None:
    """The contract table a file name stands for, ignoring case (``Officers.CSV``)."""
    lower = name.lower()
    for s in SUFFIXES:
        if lower.endswith(s) and lower[: -len(s)] in TABLES:
            return lower[: -len(s)]
    return None


def _suggest(name: str) -> str:
    """What to say about a file that matches no table: the nearest table name."""
    lower = name.lower()
    suffix = next((s for s in sorted(SUFFIXES, key=len, reverse=True) if lower.endswith(s)), None)
    stem = lower[: -len(suffix)] if suffix else lower.split(".", 1)[0]
    norm = "".join(c if c.isalnum() else "_" for c in stem).strip("_")
    near = [norm] if norm in TABLES else difflib.get_close_matches(norm, list(TABLES), n=1, cutoff=0.6)
    hint = f"; did you mean {near[0]}{suffix or '.csv'}?" if near else ""
    if suffix is None:
        kinds = ", ".join(SUFFIXES)
        return f"{name}: not read (only {kinds} files named after a contract table are){hint}"
    return f"{name}: matches no contract table and is ignored{hint}"


def survey(directory: Path) -> tuple[dict[str, Path], list[str], list[str]]:
    """The table files in ``directory`` (case-insensitive names), warnings about every
    other file (each with the nearest table name), and the known non-table files left
    alone. Two files for one table is an error."""
    found: dict[str, list[Path]] = {}
    warnings: list[str] = []
    ignored: list[str] = []
    for p in sorted(directory.iterdir()):
        if p.name.startswith(".") or not p.is_file():
            continue
        t = table_of(p.name)
        if t is not None:
            found.setdefault(t, []).append(p)
        elif p.name.lower() in NOT_TABLES:
            ignored.append(f"{p.name}: {NOT_TABLES[p.name.lower()]}")
        else:
            warnings.append(_suggest(p.name))
    for t, paths in found.items():
        if len(paths) > 1:
            raise SourceFileError(
                f"{directory}: more than one file for table {t!r} "
                f"({', '.join(p.name for p in paths)}); keep one"
            )
    return {t: ps[0] for t, ps in found.items()}, warnings, ignored


def find_source(directory: Path, table: str) -> Path | None:
    """The file holding ``table`` in ``directory`` (name case ignored), or ``None``; two
    candidates is an error."""
    return survey(Path(directory))[0].get(table)


def is_parquet(path: Path) -> bool:
    return path.name.lower().endswith(".parquet")


def is_gzip(path: Path) -> bool:
    return path.name.lower().endswith(".gz")


# ---- bytes, lines and records ----------------------------------------------------------

CHUNK = 1 << 23


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _text_chunks(path: Path, sha: Any) -> Iterator[bytes]:
    """The file's (decompressed) bytes in chunks, feeding ``sha`` the bytes as stored."""
    d = zlib.decompressobj(wbits=47) if is_gzip(path) else None
    with path.open("rb") as f:
        for raw in iter(lambda: f.read(CHUNK), b""):
            sha.update(raw)
            if d is None:
                yield raw
                continue
            try:
                out = d.decompress(raw)
                while d.unused_data:  # a multi-member gzip file
                    rest = d.unused_data
                    d = zlib.decompressobj(wbits=47)
                    out += d.decompress(rest)
            except zlib.error as e:
                raise SourceFileError(f"{path}: not a readable gzip file ({e})") from e
            if out:
                yield out
    if d is not None and (tail := d.flush()):
        yield tail


@dataclass
class CsvScan:
    """Where the records of a CSV file start, from one vectorised pass over its bytes.

    Records are split at line breaks outside double quotes (RFC 4180); blank lines are
    not records (DuckDB and the csv module skip them too). ``breaks`` holds the few
    places where the line numbering shifts: record ``k`` (0 = the header) starts on line
    ``k + 1 + offset``, with ``offset`` from the last break at or before ``k``.
    """

    sha256: str
    records: int
    breaks: list[tuple[int, int]]
    located: np.ndarray
    """Record index holding each byte position asked for (``-1``: past the end)."""
    position_lines: np.ndarray
    """Physical line of each byte position asked for."""
    lines: int
    longest: int = 0
    """Bytes in the longest record (its line break included)."""
    longest_record: int = 0
    crlf_ends: int = 0
    lf_ends: int = 0
    """Records ending ``\\r\\n`` and ``\\n`` (both: line endings are mixed)."""

    def line(self, k: int) -> int:
        """The line record ``k`` starts on."""
        return int(self.lines_of(np.asarray([k]))[0])

    def lines_of(self, ks: np.ndarray) -> np.ndarray:
        """The lines records ``ks`` start on (vectorised :meth:`line`)."""
        ks = np.asarray(ks, dtype=np.int64)
        if not self.breaks:
            return ks + 1
        at = np.asarray([b[0] for b in self.breaks], dtype=np.int64)
        off = np.concatenate(([0], np.asarray([b[1] for b in self.breaks], dtype=np.int64)))
        return ks + 1 + off[np.searchsorted(at, ks, "right")]


def scan_csv(path: Path, positions: Sequence[int] | np.ndarray = ()) -> CsvScan:
    """Scan ``path`` (plain or gzip) once: its SHA-256, its records' start lines and the
    records holding ``positions`` (byte offsets, e.g. DuckDB's rejected lines)."""
    sha = hashlib.sha256()
    order = np.argsort(np.asarray(positions, dtype=np.int64), kind="stable")
    pos = np.asarray(positions, dtype=np.int64)[order]
    located = np.full(len(pos), -1, dtype=np.int64)
    pos_lines = np.zeros(len(pos), dtype=np.int64)
    pi = li = 0
    base = nl_before = parity = 0
    start, start_line, last_byte = 0, 1, -1
    nonblank = offset = 0
    longest = longest_k = crlf = lf = 0
    breaks: list[tuple[int, int]] = []
    for chunk in _text_chunks(path, sha):
        a = np.frombuffer(chunk, dtype=np.uint8)
        nl_idx = np.flatnonzero(a == 10)
        while li < len(pos) and pos[li] < base + len(a):  # physical lines of the positions
            hi = int(np.searchsorted(pos, base + len(a), "left"))
            pos_lines[li:hi] = nl_before + np.searchsorted(nl_idx, pos[li:hi] - base, "left") + 1
            li = hi
        if len(nl_idx):
            q_idx = np.flatnonzero(a == 34)
            if len(q_idx):
                at_end = ((np.searchsorted(q_idx, nl_idx) + parity) & 1) == 0
                parity = (parity + len(q_idx)) & 1
            else:
                at_end = np.full(len(nl_idx), parity == 0)
            end_local = nl_idx[at_end]
            if len(end_local):
                ends = end_local + base
                cum = nl_before + np.flatnonzero(at_end) + 1
                starts = np.concatenate(([start], ends[:-1] + 1))
                start_lines = np.concatenate(([start_line], cum[:-1] + 1))
                before_end = np.where(end_local > 0, a[np.maximum(end_local - 1, 0)], last_byte)
                lengths = ends - starts
                keep = ~((lengths == 0) | ((lengths == 1) & (before_end == 13)))
                n_cr = int(np.count_nonzero(before_end[keep] == 13))
                crlf, lf = crlf + n_cr, lf + int(keep.sum()) - n_cr
                k = nonblank + np.cumsum(keep) - 1
                if int(lengths.max()) + 1 > longest:
                    longest, longest_k = int(lengths.max()) + 1, int(k[int(np.argmax(lengths))])
                ko, oo = k[keep], (start_lines - (k + 1))[keep]
                if len(oo):
                    ch = np.flatnonzero(oo != np.concatenate(([offset], oo[:-1])))
                    breaks.extend(zip(ko[ch].tolist(), oo[ch].tolist(), strict=True))
                    offset = int(oo[-1])
                if pi < len(pos):
                    hi = int(np.searchsorted(pos, ends[-1], "right"))
                    if hi > pi:
                        located[pi:hi] = k[np.searchsorted(ends, pos[pi:hi], "left")]
                        pi = hi
                nonblank += int(keep.sum())
                start, start_line = int(ends[-1]) + 1, int(cum[-1]) + 1
            nl_before += len(nl_idx)
        else:
            parity = (parity + chunk.count(b'"')) & 1
        if len(a):
            last_byte = int(a[-1])
        base += len(a)
    lines = nl_before + (1 if base and last_byte != 10 else 0)
    if base > start and not (base - start == 1 and last_byte == 13):  # a last record without a break
        if start_line - (nonblank + 1) != offset:
            breaks.append((nonblank, start_line - (nonblank + 1)))
        located[pi:] = np.where(pos[pi:] >= start, nonblank, -1)
        if base - start > longest:
            longest, longest_k = base - start, nonblank
        nonblank += 1
    out_located = np.empty_like(located)
    out_located[order] = located
    out_lines = np.empty_like(pos_lines)
    out_lines[order] = pos_lines
    return CsvScan(
        sha.hexdigest(), nonblank, breaks, out_located, out_lines, lines, longest, longest_k, crlf, lf
    )


def csv_records(lines: Iterable[str]) -> Iterator[tuple[int, int, list[str] | None, str | None]]:
    """``(first line, last line, fields, error)`` per record of CSV text (blank lines
    skipped); ``fields`` is ``None`` where the record breaks the quoting rules (an
    unterminated quote, text after a closing quote), with ``error`` saying how."""
    reader = csv.reader(lines, strict=True)
    prev = 0
    while True:
        try:
            rec = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            yield prev + 1, reader.line_num, None, _quoting(str(e))
            prev = reader.line_num
            continue
        if rec:
            yield prev + 1, reader.line_num, rec, None
        prev = reader.line_num


def _bad_quote_field(text: str) -> int:
    """The index of the field where a record's quoting goes wrong (a quote never
    closed, or text after a closing quote); the last field if none is found.

    >>> _bad_quote_field('1,"Ash" Jr,x'), _bad_quote_field('1,2,"never closed')
    (1, 2)
    """
    field_no, state, opened = 0, "start", 0
    for ch in text:
        if state == "quoted":
            if ch == '"':
                state = "closed"
        elif state == "closed":
            if ch == '"':
                state = "quoted"  # a doubled quote inside the value
            elif ch == ",":
                field_no, state = field_no + 1, "start"
            elif ch in "\r\n":
                return field_no
            else:
                return field_no  # text after the closing quote
        elif ch == ",":
            field_no, state = field_no + 1, "start"
        elif ch == '"' and state == "start":
            state, opened = "quoted", field_no
        else:
            state = "plain"
    return opened if state == "quoted" else field_no


def _quoting(msg: str) -> str:
    if "unexpected end of data" in msg:
        return "a quoted value is never closed (unterminated quote): the rest of the file is part of it"
    return f"bad quoting ({msg}): a quote inside a quoted value must be doubled"


# ---- reading ---------------------------------------------------------------------------


@dataclass
class RawRows:
    """A file's rows as text (empty = null), each row's line, and the rows that could not
    be split into the header's fields (already as quarantine records)."""

    frame: pd.DataFrame
    lines: np.ndarray
    broken: list[dict[str, Any]]
    sha256: str


def check_header(path: Path, names: Sequence[str]) -> list[str]:
    """Header names, stripped; empty or duplicated names refuse the file."""
    cols = [str(c).strip() for c in names]
    if not cols or any(c == "" for c in cols):
        raise SourceFileError(f"{path}: line 1: the header row has empty column names")
    seen: dict[str, list[int]] = {}
    for i, c in enumerate(cols, start=1):
        seen.setdefault(c, []).append(i)
    dups = {c: ix for c, ix in seen.items() if len(ix) > 1}
    if dups:
        what = "; ".join(f"{c!r} (columns {', '.join(map(str, ix))})" for c, ix in dups.items())
        raise SourceFileError(
            f"{path}: line 1: duplicate column name(s) in the header: {what}; each column needs "
            "its own name (was one renamed by mistake?)"
        )
    return cols


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        start = data.rfind(b"\n", 0, e.start) + 1
        before = data[start : e.start].decode("utf-8", errors="replace")
        header_end = data.find(b"\n")
        header = data[: header_end if header_end >= 0 else len(data)].decode("utf-8", errors="replace")
        names = next(csv.reader([header]), [])
        idx = len(next(csv.reader([before]), [""])) - 1 if before else 0
        col = f", column {names[idx].strip()}" if line > 1 and 0 <= idx < len(names) else ""
        raise SourceFileError(
            f"{path}: not UTF-8 text: line {line}{col} has byte 0x{e.object[e.start]:02x} "
            "(encoding: Latin-1 or Windows-1252?); re-export the file as UTF-8"
        ) from e


def preview(v: object) -> object:
    """A value short enough for a quarantine record."""
    if isinstance(v, str) and len(v) > PREVIEW:
        return f"{v[:PREVIEW]}… ({len(v):,} characters)"
    return v


def _read_raw(path: Path) -> RawRows:
    """All cells as strings (empty = null), the line of each row, and the broken rows."""
    if is_parquet(path):
        try:
            t = pq.read_table(path)
        except Exception as e:  # pyarrow raises several types for a bad file
            raise SourceFileError(f"{path}: not a readable Parquet file ({e})") from e
        names = check_header(path, t.column_names)
        df = pd.DataFrame({name: _parquet_cells(col) for name, col in zip(names, t.columns, strict=True)})
        return RawRows(df, np.arange(1, len(df) + 1), [], _sha256(path))
    try:
        stored = path.read_bytes()
        data = gzip.decompress(stored) if is_gzip(path) else stored
    except (OSError, EOFError, zlib.error) as e:
        raise SourceFileError(f"{path}: cannot read ({e})") from e
    text = _decode(path, data).removeprefix("\ufeff")
    if not text.strip():
        raise SourceFileError(f"{path}: empty file (no header row)")
    records = csv_records(io.StringIO(text, newline=""))
    first, _last, header, error = next(records)
    if header is None:
        raise SourceFileError(f"{path}: line {first}: the header row cannot be read: {error}")
    names = check_header(path, header)
    width = len(names)
    fast = _split_fast(path, text, width)
    if fast is not None:
        rows, lines_arr, bad, sha = fast
        if not bad:
            df = pd.DataFrame(rows, columns=names, dtype=object)
            return RawRows(df.where(df != "", None), lines_arr, [], sha)
    rows, lines, broken = [], [], []
    text_lines: list[str] | None = None
    for first, last, rec, error in records:
        if rec is not None and len(rec) == width:
            rows.append(rec)
            lines.append(first)
            continue
        if rec is None:
            if text_lines is None:
                text_lines = text.split("\n")
            record_text = "\n".join(text_lines[first - 1 : last])
            raw = {"_text": preview(record_text)}
            at = _bad_quote_field(record_text)
            column, reason = (names[at] if at < width else f"(after {names[-1]})"), str(error)
            if last > first:
                reason += f" (lines {first}-{last})"
        else:
            raw = {"_fields": [preview(v) for v in rec]}
            column = names[len(rec)] if len(rec) < width else f"(after {names[-1]})"
            reason = f"the row has {len(rec)} field(s), the header {width}: " + (
                "a line break outside quotes, or a cut-off row" if len(rec) < width else "a stray comma"
            )
        broken.append(
            {
                "file": path.name,
                "line": first,
                "column": column,
                "reason": reason,
                "raw": json.dumps(raw, default=str),
                "action": ROW_QUARANTINED,
            }
        )
    df = pd.DataFrame(rows, columns=names, dtype=object)
    df = df.where(df != "", None)
    return RawRows(df, np.asarray(lines, dtype=np.int64), broken, hashlib.sha256(stored).hexdigest())


def _split_fast(path: Path, text: str, width: int) -> tuple[list[list[str]], np.ndarray, bool, str] | None:
    """The data rows of a well-quoted file at C speed: every record parsed by the csv
    module in one call, the lines from the byte scan (:func:`scan_csv`); whether any row
    has the wrong field count; the file's SHA-256. ``None`` when the quoting is bad or
    the two disagree on where records start (the caller then walks record by record)."""
    try:
        recs = [r for r in csv.reader(io.StringIO(text, newline=""), strict=True) if r]
    except csv.Error:
        return None
    scan = scan_csv(path)
    if scan.records != len(recs) or not recs:
        return None
    lines = scan.lines_of(np.arange(1, len(recs)))
    sizes = np.fromiter(map(len, recs), dtype=np.int64, count=len(recs))[1:]
    return recs[1:], lines, bool((sizes != width).any()), scan.sha256


def _parquet_cells(col: pa.ChunkedArray) -> pd.Series:
    """A Parquet column as contract text (:func:`_parquet_text`). Text columns, most of a
    force's entity tables, are taken as they are (1 M records: 10 s a value at a time)."""
    if pa.types.is_dictionary(col.type) and pa.types.is_string(col.type.value_type):
        col = col.cast(pa.string())
    if pa.types.is_date32(col.type):
        col = col.cast(pa.string())  # ISO 8601, as date.isoformat()
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        return pd.Series(col.to_numpy(zero_copy_only=False), dtype=object)
    return pd.Series(col.to_pandas(), dtype=object).map(_parquet_text)


def _parquet_text(v: object) -> str | None:
    """A Parquet cell as contract text: nulls (None, NaN, NaT) to None, dates and times
    in ISO 8601, everything else as ``str``."""
    if v is None or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
        return None
    iso = getattr(v, "isoformat", None)
    return iso() if iso is not None else str(v)


def read_table(
    path: Path,
    table: Table,
    known_keys: Mapping[str, set[str] | None],
    timezone: str = "Europe/London",
    *,
    max_field_size: int = MAX_FIELD_SIZE,
) -> TableRead:
    """Read and validate one table.

    ``known_keys`` maps ``"table.column"`` to the set of existing keys that foreign keys
    may point to (this run's valid rows and the store's); ``None`` means unknown (the
    check is skipped and reported by the caller).
    """
    t0 = time.perf_counter()
    rr = _read_raw(path)
    raw, lines = rr.frame, rr.lines
    missing = [c for c in table.required if c not in raw.columns]
    if missing:
        if not set(table.names) & set(raw.columns):
            raise SourceFileError(
                f"{path}: no header row with the {table.name} columns on line 1 "
                f"(expected e.g. {', '.join(table.required)})"
            )
        raise SourceFileError(f"{path}: required column(s) missing: {', '.join(missing)} (header, line 1)")
    rel = path.name
    n = len(raw)
    problems: list[tuple[np.ndarray, str, str]] = []  # (mask, column, reason)
    typed: dict[str, pd.Series] = {}

    wanted = {col.name for col in table.columns}
    text: dict[str, pa.Array] = {}  # each cell column once as Arrow text: lengths and trimming
    for c in raw.columns:  # absurd values first: a megabyte in one cell is a broken export
        arr = _arrow_text(raw[c])
        if c in wanted:
            text[c] = arr
        size = pc.fill_null(pc.utf8_length(arr), 0).to_numpy(zero_copy_only=False)
        if (size > max_field_size).any():
            problems.append(
                (
                    size > max_field_size,
                    c,
                    f"value longer than {max_field_size:,} characters (a broken export?)",
                )
            )

    for col in table.columns:
        if col.name not in raw:
            typed[col.name] = pd.Series([None] * n, dtype=object)
            continue
        s = _stripped(text.pop(col.name), raw.index)
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
            finite = np.isfinite(num.to_numpy(dtype=float, na_value=np.nan))
            problems.append((present & ~finite, col.name, "not a (finite) number"))
            typed[col.name] = num.astype(object).where(pd.Series(finite, index=num.index), None)
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

    optional: list[tuple[np.ndarray, str, str]] = []  # dangling optional references
    for col in table.columns:
        if not col.ref or col.name not in raw or col.ref.split(".")[0] == table.name:
            continue  # self-references are checked once the good rows are known (below)
        keys = known_keys.get(col.ref)
        if keys is None:
            continue
        s = typed[col.name]
        bad = (s.notna() & ~s.isin(keys)).to_numpy()
        (problems if col.required else optional).append((bad, col.name, f"points to no {col.ref}"))

    bad_any = np.zeros(n, dtype=bool)
    for mask, _, _ in problems:
        bad_any |= mask
    if table.key_columns:  # among otherwise good rows, the first keeps the key
        kdf = pd.DataFrame({k: typed[k] for k in table.key_columns})
        dup = np.zeros(n, dtype=bool)
        dup[~bad_any] = kdf[~bad_any].duplicated(keep="first").to_numpy()
        problems.append((dup, ",".join(table.key_columns), "duplicate key (an earlier row has it)"))
        bad_any |= dup

    # self references: the key must be among this file's good rows (or the store's); a
    # required one that is not quarantines the row, which may strand others: repeat
    selfrefs = [c for c in table.columns if c.ref and c.ref.split(".")[0] == table.name and c.name in raw]
    while True:
        more = np.zeros(n, dtype=bool)
        for col in selfrefs:
            if not col.required or col.ref is None:
                continue
            own = set(pd.Series(typed[col.ref.split(".")[1]])[~bad_any]) | (known_keys.get(col.ref) or set())
            s = typed[col.name]
            bad = (s.notna() & ~s.isin(own)).to_numpy() & ~bad_any
            problems.append((bad, col.name, f"points to no {col.ref}"))
            more |= bad
        if not more.any():
            break
        bad_any |= more
    for col in selfrefs:
        if not col.required and col.ref is not None:
            own = set(pd.Series(typed[col.ref.split(".")[1]])[~bad_any]) | (known_keys.get(col.ref) or set())
            s = typed[col.name]
            optional.append(((s.notna() & ~s.isin(own)).to_numpy(), col.name, f"points to no {col.ref}"))

    dropped_parts = []
    for mask, name, reason in optional:
        drop = mask & ~bad_any
        if drop.any():
            dropped_parts.append(
                _quarantine(
                    raw,
                    lines,
                    rel,
                    [(drop, name, reason + ": the link is dropped, the row kept")],
                    drop,
                    action=LINK_DROPPED,
                )
            )
            typed[name] = typed[name].where(~pd.Series(drop, index=typed[name].index), None)

    quarantine = _quarantine(raw, lines, rel, problems, bad_any)
    if rr.broken:
        quarantine = (
            pd.concat([quarantine, pd.DataFrame(rr.broken, columns=QUARANTINE_COLUMNS)], ignore_index=True)
            .sort_values("line", kind="stable")
            .reset_index(drop=True)
        )
    dropped = (
        pd.concat(dropped_parts, ignore_index=True).sort_values(["line", "column"], kind="stable")
        if dropped_parts
        else pd.DataFrame(columns=QUARANTINE_COLUMNS)
    ).reset_index(drop=True)
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
    return TableRead(
        table,
        path,
        valid,
        quarantine,
        n + len(rr.broken),
        rr.sha256,
        time.perf_counter() - t0,
        extra_cols,
        dropped,
    )


def _arrow_text(s: pd.Series) -> pa.Array:
    """A column of cells (text or missing) as one Arrow text array."""
    return pa.array(s.to_numpy(dtype=object), type=pa.string(), from_pandas=True)


def _stripped(arr: pa.Array, index: pd.Index) -> pd.Series:
    """Text with surrounding whitespace removed, empty as ``None`` (vectorised, Arrow).

    >>> _stripped(_arrow_text(pd.Series([" a ", "", None, "b"])), pd.RangeIndex(4)).tolist()
    ['a', None, None, 'b']
    """
    arr = pc.utf8_trim_whitespace(arr)
    arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
    return pd.Series(arr.to_numpy(zero_copy_only=False), index=index, dtype=object)


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
    *,
    action: str = ROW_QUARANTINED,
) -> pd.DataFrame:
    idx = np.flatnonzero(bad_any)
    if not len(idx):
        return pd.DataFrame(columns=QUARANTINE_COLUMNS)
    cols: dict[int, list[str]] = {int(i): [] for i in idx}
    reasons: dict[int, list[str]] = {int(i): [] for i in idx}
    for mask, col, reason in problems:
        for pos in np.flatnonzero(mask & bad_any):
            i = int(pos)
            v = raw.iloc[i].get(col) if col in raw else None
            cols[i].append(col)
            reasons[i].append(f"{col}: {reason}" + (f" (got {preview(v)!r})" if v is not None else ""))
    return pd.DataFrame(
        {
            "file": file,
            "line": [int(lines[i]) for i in idx],
            "column": [";".join(cols[int(i)]) for i in idx],
            "reason": ["; ".join(reasons[int(i)]) for i in idx],
            "raw": [
                json.dumps({k: preview(v) for k, v in raw.iloc[int(i)].items() if v is not None}, default=str)
                for i in idx
            ],
            "action": action,
        },
        columns=QUARANTINE_COLUMNS,
    )
