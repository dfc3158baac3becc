"""Incremental detection: after a day's ingest, recompute only what the day can change.

An event detector may declare a :class:`~queries.detectors.base.Stage`: the part of its
query that is local in time (rows each about one time ``t``, depending only on event rows
within ``h`` seconds of ``t``, ``h`` its *horizon*). Its rows are kept between runs in the
detection state, ``<data_dir>/detect_state.duckdb`` (table ``stage_<detector>``), with what
they were computed from (:data:`META`). A run then:

1. finds the event rows that changed since the state was made: rows of the stage's tables
   whose run id the state has not seen (new rows, and rows a later ingest changed, which
   carry its run id), and the times those changed rows had before
   (:data:`graph.events.CHANGES`); ``T`` is the earliest of these times, or earlier where a
   stage declares a latest time per key that has moved back (``Stage.latest``: an
   officer's last duty row cancelled, so that the days after an older row count again);
2. recomputes the stage's rows about ``T - h`` on (and those without a time) from the event
   rows from ``T - 2h`` on (and those without a time), keeps the older rows, and
3. runs the rest of the detector's query (its flags, baselines, everything not local in
   time) whole, over the kept and recomputed stage rows.

Why it equals a whole run: an event row at time ``e`` affects only stage rows about
``[e - h, e + h]``, so every changed row (``e >= T``, old or new version) affects only rows
about ``T - h`` on, which are recomputed; a recomputed row about ``t >= T - h`` depends only
on event rows from ``t - h >= T - 2h`` on, all of which the restricted views hold. The rows
kept (about times before ``T - h``) depend on no changed row, and were themselves equal to
a whole run's (by the same argument, back to the state's first, whole, run). The detector's
flags are always computed whole from the stage rows, so every flag (id, score, window,
evidence) is the whole run's; only the stage's scan of the event tables is restricted.

The stage runs whole (and the state is made again) when there is no state, when asked
(``linkwatch detect --whole``), or when anything else it reads differs from the state's
run: the detector's code (its version), its parameters, the time zone, the corrections (a
correction may change any row, at any time), or a graph fact the stage reads. Detectors
with no stage (baselines over the whole history, the graph's association and network
detectors) always run whole.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from graph.contract import TABLE_LIST, TABLES
from graph.corrections import Corrections, reader
from graph.engines import as_engine
from graph.events import CHANGES, lit, month_column, q
from graph.workspace import Workspace
from queries.detectors.base import DetectContext, Detector, Stage

STATE_DB = "detect_state.duckdb"
"""The detection state's file, in the data folder."""
ALIAS = "lw_state"
"""The name the state is attached under, beside the event store."""
META = (
    f"CREATE TABLE IF NOT EXISTS {ALIAS}.main.meta (detector VARCHAR PRIMARY KEY, inputs VARCHAR, "
    "runs VARCHAR, made_at TIMESTAMPTZ)"
)
"""Per detector: what its stage rows were computed from (``inputs``: version, parameters,
time zone, corrections, graph facts) and the event runs they have seen (``runs``, per table)."""


@dataclass
class StageRun:
    """How one detector's stage was brought up to date (kept in the run's record)."""

    mode: str
    """``incremental``, ``unchanged`` (no event row it reads changed) or ``whole``."""
    reason: str = ""
    changed_from: str | None = None
    """``T``: the earliest time of a changed event row."""
    recomputed_from: str | None = None
    """``T - h``: stage rows about this time on were recomputed."""
    read_from: str | None = None
    """``T - 2h``: the event rows read, from this time on."""
    horizon_s: float | None = None
    rows_read: dict[str, int] = field(default_factory=dict)
    """Event rows the stage read, per table (all of them in a whole run)."""
    stage_rows: int = 0
    stage_rows_recomputed: int = 0
    stage_seconds: float = 0.0
    """Seconds spent finding the changes and bringing the stage up to date."""
    seconds: float = 0.0
    """Seconds in all, with the detector's query over the stage."""


class State:
    """The detection state of a data folder, attached to the detectors' event store
    connection for one run (:func:`open_state`)."""

    def __init__(self, ws: Workspace, con: Any) -> None:
        self.ws = ws
        self.con = con
        path = Path(ws.settings.data_dir) / STATE_DB
        con.execute(f"ATTACH {lit(str(path))} AS {ALIAS} (READ_WRITE)")
        con.execute(META)
        self._corrections: str | None = None

    def close(self) -> None:
        self.con.execute(f"DETACH {ALIAS}")

    def corrections(self) -> str:
        """A digest of the corrections as the event store's readers apply them."""
        if self._corrections is None:
            rows = Corrections(self.ws.meta).rows()
            keys = [[r["seq"], r["tbl"], r["row_key"], r["field"], r["value"]] for r in rows]
            self._corrections = _digest(keys)
        return self._corrections

    def run(
        self, d: Detector, ctx: DetectContext, params: Mapping[str, Any], version: str, *, whole: bool
    ) -> tuple[pd.DataFrame, StageRun]:
        """Bring ``d``'s stage up to date (incrementally where it can) and run the detector
        over it: its flags, as :meth:`Detector.run` gives them, and how the stage was made."""
        stage = d.stage
        assert stage is not None
        t0 = time.perf_counter()
        con = self.con
        table = f"{ALIAS}.main.{_table(d.name)}"
        if stage.facts:
            ctx.sql("SELECT 1 AS registered", {})  # the graph facts, as tables of this connection
        inputs = {
            "version": version,
            "params": {k: params[k] for k in sorted(params)},
            "timezone": self.ws.settings.timezone,
            "corrections": self.corrections(),
            "facts": {f: _digest(_rows(con, f"SELECT * FROM {f} ORDER BY ALL")) for f in stage.facts},
        }
        present = _present(con)
        runs = {
            t: sorted(str(r[0]) for r in con.execute(f"SELECT DISTINCT run_id FROM {t}").fetchall())
            for t in stage.reads
            if t in present
        }
        row = con.execute(
            f"SELECT inputs, runs FROM {ALIAS}.main.meta WHERE detector = ?", [d.name]
        ).fetchone()
        has_table = bool(
            con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_catalog = ? AND table_name = ?",
                [ALIAS, _table(d.name)],
            ).fetchone()[0]  # type: ignore[index]
        )
        why = ""
        if whole:
            why = "asked for a whole run"
        elif row is None or not has_table:
            why = "no earlier detection state"
        else:
            before = json.loads(row[0])
            changed = [k for k in inputs if before.get(k) != inputs[k]]
            if changed:
                why = "changed since the state was made: " + ", ".join(changed)
        p = dict(params)
        info: StageRun | str = why
        if not why:
            assert row is not None
            info = self._update(stage, table, json.loads(row[1]), runs, p)
        if isinstance(info, str):
            con.execute(f"CREATE OR REPLACE TABLE {table} AS {stage.sql}", _used(stage.sql, p))
            info = StageRun("whole", info, rows_read={t: _count(con, t) for t in runs})
            info.stage_rows = info.stage_rows_recomputed = _count(con, table)
        if stage.latest is not None:
            con.execute(f"CREATE OR REPLACE TABLE {_latest(table)} AS {stage.latest}", _used(stage.latest, p))
        con.execute(
            f"INSERT OR REPLACE INTO {ALIAS}.main.meta VALUES (?, ?, ?, now())",
            [d.name, json.dumps(inputs, sort_keys=True, default=str), json.dumps(runs)],
        )
        info.stage_seconds = round(time.perf_counter() - t0, 3)
        rows = ctx.sql(stage.query(table), p)
        info.seconds = round(time.perf_counter() - t0, 3)
        return d.frame(rows, p), info

    def _update(
        self,
        stage: Stage,
        table: str,
        seen: Mapping[str, list[str]],
        runs: Mapping[str, list[str]],
        p: Mapping[str, Any],
    ) -> StageRun | str:
        """Recompute the stage rows the event runs not seen yet can change (or say why the
        stage must run whole)."""
        con = self.con
        new = {t: sorted(set(ids) - set(seen.get(t, []))) for t, ids in runs.items()}
        new = {t: ids for t, ids in new.items() if ids}
        if not new:
            n = _count(con, table)
            return StageRun("unchanged", "no event row it reads changed", stage_rows=n)
        has_log = CHANGES in _present(con)
        times = []
        if stage.latest is not None:  # a latest time moved back: from there
            if _latest(table) not in _present_in(con, ALIAS):
                return "no earlier detection state"
            times.append(
                _one(
                    con,
                    f"SELECT min(c.t) FROM ({stage.latest}) c JOIN {_latest(table)} k USING (key) WHERE c.t < k.t",
                    _used(stage.latest, p),
                )
            )
        for t, ids in new.items():
            col = q(month_column(TABLES[t]))
            times.append(_one(con, f"SELECT min({col}) FROM {t} WHERE run_id IN (SELECT unnest(?))", [ids]))
            if has_log:
                times.append(
                    _one(
                        con,
                        f"SELECT min(earliest) FROM {CHANGES} WHERE tbl = ? AND run_id IN (SELECT unnest(?))",
                        [t, ids],
                    )
                )
        found = [x for x in times if x is not None]
        h = float(_one(con, stage.horizon, _used(stage.horizon, p)) or 0.0)
        if found:
            first: dt.datetime = min(found)
            keep, read = first - dt.timedelta(seconds=h), first - dt.timedelta(seconds=2 * h)
            keep_sql, read_sql = _ts(keep), _ts(read)
        else:  # the changed rows have no time: only the rows without one are recomputed
            first = keep = read = None  # type: ignore[assignment]
            keep_sql = read_sql = "CAST('infinity' AS TIMESTAMPTZ)"
        part = f"{q(stage.time)} >= {keep_sql} OR {q(stage.time)} IS NULL"
        since = {t: keep_sql if t == stage.own else read_sql for t in stage.reads}
        cur = reader(self.ws.events, self.ws.meta, self.ws.settings.timezone, since)
        try:
            if stage.facts:
                DetectContext(self.ws.store, cur)._register()
            else:  # an event table never ingested reads as empty, as in the detectors' own context
                eng = as_engine(cur)
                there = eng.tables()
                for empty in TABLE_LIST:
                    if empty.kind == "event" and empty.name not in there:
                        eng.ensure_empty(empty)
            rows_read = {t: _count(cur, t) for t in runs}
            cur.execute("BEGIN TRANSACTION")
            try:
                cur.execute(f"DELETE FROM {table} WHERE {part}")
                got = cur.execute(
                    f"INSERT INTO {table} SELECT * FROM ({stage.sql}) WHERE {part}", _used(stage.sql, p)
                ).fetchone()
                cur.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(Exception):
                    cur.execute("ROLLBACK")
                raise
        finally:
            cur.close()
        return StageRun(
            "incremental",
            "event rows changed from "
            + (first.isoformat() if first is not None else "(rows without a time)"),
            changed_from=None if first is None else first.isoformat(),
            recomputed_from=None if keep is None else keep.isoformat(),
            read_from=None if read is None else read.isoformat(),
            horizon_s=h,
            rows_read=rows_read,
            stage_rows=_count(con, table),
            stage_rows_recomputed=int(got[0]) if got else 0,
        )


def open_state(ws: Workspace, events: Any) -> State | None:
    """The detection state attached to ``events`` (the detectors' connection), or ``None``
    where there is no event store to detect incrementally on."""
    if ws.events is None or events is None:
        return None
    return State(ws, events)


def _table(detector: str) -> str:
    """The state table of a detector's stage.

    >>> _table("roster.overtime_overlap")
    'stage_roster_overtime_overlap'
    """
    return "stage_" + detector.replace(".", "_")


def _latest(table: str) -> str:
    """The state table of a stage's latest times, beside its rows.

    >>> _latest("lw_state.main.stage_access_off_duty")
    'lw_state.main.latest_access_off_duty'
    """
    schema, _, name = table.rpartition(".")
    return f"{schema}.latest_{name.removeprefix('stage_')}"


def _present_in(con: Any, catalog: str) -> set[str]:
    rows = con.execute("SELECT table_name FROM information_schema.tables WHERE table_catalog = ?", [catalog])
    return {f"{catalog}.main.{r[0]}" for r in rows.fetchall()}


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _rows(con: Any, sql: str) -> list[Any]:
    return [list(r) for r in con.execute(sql).fetchall()]


def _one(con: Any, sql: str, params: list[Any] | dict[str, Any] | None = None) -> Any:
    got = con.execute(sql, params or []).fetchone()
    return None if got is None else got[0]


def _count(con: Any, table: str) -> int:
    return int(_one(con, f"SELECT count(*) FROM {table}") or 0)


def _present(con: Any) -> set[str]:
    db = _one(con, "SELECT current_database()")
    return {
        str(r[0])
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog IN (?, 'temp')", [db]
        ).fetchall()
    }


def _used(sql: str, params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if f"${k}" in sql}


def _ts(v: dt.datetime) -> str:
    return f"CAST({lit(v.isoformat())} AS TIMESTAMPTZ)"
