"""The event detectors on Apache Spark: the event store's tables exported as Parquet
(partitioned by table and month, with provenance and quarantine), and every event
detector run on DuckDB and on Spark (local mode) giving the same flags: the same ids,
scores, windows, explanations and evidence, from the same query rows.

The force crosses the end of British Summer Time (26 October 2025), so that local days
and day arithmetic are checked where they differ from UTC. The Spark tests skip, saying
why, where pyspark or Java is missing (``pip install -e '.[test]'`` installs pyspark;
Java 17 or later must be on the PATH).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from api.cli import app
from graph.contract import TABLE_LIST
from graph.engines import DuckDBEngine, EventEngine
from graph.events import EventStore, month_column
from graph.spark import to_spark
from graph.workspace import open_store
from ingest.run import ingest_dir
from queries.detect import run_detectors
from queries.detectors import DETECTORS
from queries.detectors.access.no_purpose import first_system
from synthetic import generate
from tests.conftest import embedded_settings

SEED, OFFICERS, DAYS, AS_OF = 5, 300, 60, dt.date(2025, 11, 10)
"""60 days to 9 November 2025: the clocks went back on 26 October."""
EVENT_TABLES = [t for t in TABLE_LIST if t.kind == "event"]
EVENT_DETECTORS = sorted(n for n, d in DETECTORS.items() if d.reads_events)
BAD_SWIPE = "BE-BAD-1,100001,S000,S000-R1,2025-10-20T08:00:00+01:00,sideways"
"""A swipe the contract refuses (direction is in or out): it goes to the quarantine."""


@pytest.fixture(scope="module")
def force(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated force ingested into the stores, its event tables exported as Parquet
    (``<tmp>/parquet``); the data folder is ``<tmp>/data``."""
    tmp = tmp_path_factory.mktemp("spark")
    src = generate(officers=OFFICERS, seed=SEED, days=DAYS, as_of=AS_OF, rest_day_rows=True).write(
        tmp / "src"
    )
    with (src / "badge_events.csv").open("a", encoding="utf-8") as f:
        f.write(BAD_SWIPE + "\n")
    settings = embedded_settings(tmp)
    with open_store(settings) as st:
        ingest_dir(st, src, settings.data_dir)
    events = EventStore(settings.data_dir, read_only=True, memory_mb=512)
    try:
        events.export_parquet(tmp / "parquet", EVENT_TABLES)
    finally:
        events.close()
    return tmp


def _java() -> bool:
    return shutil.which("java") is not None


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    pytest.importorskip(
        "pyspark", reason="pyspark is not installed: pip install -e '.[test]' (or '.[spark]')"
    )
    if not _java():
        pytest.skip("no java on the PATH: Spark needs Java 17 or later")
    from graph.spark import session

    s = session("local[2]")
    yield s
    s.stop()


class Recorded:
    """An engine that keeps every query's rows (to compare engines row by row)."""

    def __init__(self, engine: EventEngine) -> None:
        self.engine, self.name = engine, engine.name
        self.rows: list[tuple[str, list[dict[str, Any]]]] = []

    def query(self, sql: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        rows = self.engine.query(sql, params)
        self.rows.append((" ".join(sql.split())[:80], rows))
        return rows

    def tables(self) -> set[str]:
        return self.engine.tables()

    def ensure_empty(self, table: Any) -> None:
        self.engine.ensure_empty(table)

    def put(self, name: str, data: Any) -> None:
        self.engine.put(name, data)

    def close(self) -> None:
        self.engine.close()


def _same(a: Any, b: Any, *, ordered: bool = True) -> bool:
    """Equal values; floats to 12 significant digits (the engines sum in other orders).
    With ``ordered`` false, lists compare as multisets: a list the SQL aggregates with no
    ORDER BY comes in any order (DuckDB's own order varies with its threads); the ordered
    ones are checked by :data:`SNIPPETS`, and the flags, which are compared exactly."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    if isinstance(a, list) and isinstance(b, list):
        if not ordered:
            a, b = sorted(a, key=repr), sorted(b, key=repr)
        return len(a) == len(b) and all(_same(x, y, ordered=ordered) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k], ordered=ordered) for k in a)
    return bool(a == b) and type(a) is type(b)


def _key(row: Mapping[str, Any]) -> str:
    """A row's sort key, the same on both engines (its lists sorted, its floats rounded)."""

    def canon(v: Any) -> Any:
        if isinstance(v, float):
            return f"{v:.9g}"
        if isinstance(v, list):
            return sorted((canon(x) for x in v), key=repr)
        if isinstance(v, dict):
            return {k: canon(x) for k, x in v.items()}
        return v

    return repr(canon(dict(row)))


def _duckdb_engine(data_dir: Path) -> tuple[EventStore, DuckDBEngine]:
    events = EventStore(data_dir, read_only=True, memory_mb=512)
    con = events.con.cursor()
    con.execute("SET TimeZone = 'Europe/London'")
    return events, DuckDBEngine(con)


def test_every_event_detector_gives_the_same_flags_on_spark(force: Path, spark: Any) -> None:
    """Every detector that reads the event store, on DuckDB and on Spark: identical flags
    (ids, scores, severities, windows, explanations, evidence), identical coverage, and
    the same rows from every query they run."""
    from graph.spark import SparkEngine

    settings = embedded_settings(force)
    events, duck = _duckdb_engine(settings.data_dir)
    on_duck, on_spark = Recorded(duck), Recorded(SparkEngine(spark, str(force / "parquet")))
    try:
        with open_store(settings) as st:
            a = run_detectors(st, EVENT_DETECTORS, write_graph=False, engine=on_duck)
            b = run_detectors(st, EVENT_DETECTORS, write_graph=False, engine=on_spark)
    finally:
        on_spark.close()
        events.close()
    assert len(EVENT_DETECTORS) >= 11
    per = a.flags["detector"].value_counts()
    assert {d: int(per.get(d, 0)) for d in EVENT_DETECTORS if not per.get(d, 0)} == {}, (
        "every event detector flags someone on this force (else the comparison proves little)"
    )
    pd.testing.assert_frame_equal(a.flags, b.flags, check_exact=True)
    assert {n: c.__dict__ for n, c in a.coverage.items()} == {n: c.__dict__ for n, c in b.coverage.items()}
    assert [q for q, _ in on_duck.rows] == [q for q, _ in on_spark.rows]
    for (q, rows_a), (_, rows_b) in zip(on_duck.rows, on_spark.rows, strict=True):
        assert len(rows_a) == len(rows_b), q
        rows_a, rows_b = sorted(rows_a, key=_key), sorted(rows_b, key=_key)  # no ORDER BY: any order
        for ra, rb in zip(rows_a, rows_b, strict=True):
            assert _same(ra, rb, ordered=False), (
                q,
                {k: (ra[k], rb.get(k)) for k in ra if ra[k] != rb.get(k)},
            )


# -------------------------------------------------- SQL whose meaning differs between the engines

SNIPPETS: dict[str, tuple[str, dict[str, Any]]] = {
    "list: NULLs kept, ORDER BY DESC with NULLs last, DISTINCT, none aggregated is NULL": (
        "SELECT list(x ORDER BY x DESC) AS l, list(DISTINCT x ORDER BY x) AS d, list(x) FILTER (WHERE x > 10) AS n "
        "FROM (VALUES (2), (NULL), (3), (2)) t(x)",
        {},
    ),
    "list ordered by other keys, per group": (
        "SELECT k, list(v ORDER BY o DESC, v) AS l FROM (VALUES ('a', 'x', 2), ('a', 'y', 3), ('a', 'w', 2), "
        "('b', 'z', NULL), ('b', 'q', 1)) t(k, v, o) GROUP BY k ORDER BY k",
        {},
    ),
    "dates: subtraction in days, plus days, day boundaries of local days, ISO weekday": (
        "SELECT DATE '2025-10-27' - DATE '2025-10-20' AS days, DATE '2025-10-20' + 3 AS later, "
        "date_diff('day', TIMESTAMPTZ '2025-10-25 23:30:00+01', TIMESTAMPTZ '2025-10-26 00:30:00+00') AS crossed, "
        "date_diff('second', TIMESTAMPTZ '2025-10-26 00:30:00+01', TIMESTAMPTZ '2025-10-26 01:30:00+00') AS secs, "
        "isodow(DATE '2025-10-26') AS sunday, isodow(TIMESTAMPTZ '2025-10-27 08:00:00+00') AS monday",
        {},
    ),
    "timestamps: epoch of a difference, a day later across the clock change, minutes": (
        "SELECT epoch(TIMESTAMPTZ '2025-10-26 03:00:00+00' - TIMESTAMPTZ '2025-10-25 23:00:00+01') AS secs, "
        "epoch(TIMESTAMPTZ '2025-10-26 03:00:00.5+00') AS at, "
        "TIMESTAMPTZ '2025-10-25 12:00:00+01' + INTERVAL 1 DAY AS next_day, "
        "TIMESTAMPTZ '2025-10-25 12:00:00+01' + to_minutes(CAST($m AS BIGINT)) AS later, "
        "CAST(CAST(DATE '2025-10-26' AS TIMESTAMPTZ) + INTERVAL 7 HOUR AS VARCHAR) IS NOT NULL AS ok",
        {"m": 90},
    ),
    "a series of local days over the clock change": (
        "SELECT list(d ORDER BY d) AS days FROM (SELECT unnest(generate_series("
        "CAST(CAST(TIMESTAMPTZ '2025-10-25 00:30:00+01' AS DATE) AS TIMESTAMP), "
        "CAST(CAST(TIMESTAMPTZ '2025-10-28 00:00:00+00' AS DATE) AS TIMESTAMP), INTERVAL 1 DAY))::DATE AS d)",
        {},
    ),
    "unnest inside an expression, and two side by side": (
        "SELECT (SELECT list(code ORDER BY code) FROM (SELECT DISTINCT upper(trim(unnest($codes))) AS code)) AS codes, "
        "(SELECT list(x || ':' || coalesce(y, '-') ORDER BY x) FROM "
        "(SELECT unnest(CAST($a AS VARCHAR[])) AS x, unnest(CAST($b AS VARCHAR[])) AS y)) AS pairs",
        {"codes": [" a", "b ", "A"], "a": ["u1", "u2"], "b": ["s1"]},
    ),
    "UNION ALL BY NAME and * EXCLUDE": (
        "SELECT * FROM (SELECT * EXCLUDE (r) FROM (SELECT 1 AS a, 'x' AS b, 0 AS r) "
        "UNION ALL BY NAME SELECT 'y' AS b, 2 AS a) ORDER BY a",
        {},
    ),
    "regular expressions and names": (
        "SELECT regexp_full_match('--', '[^A-Za-z0-9]*') AS blank, regexp_full_match('A1', '[^A-Za-z0-9]*') AS coded, "
        "strip_accents('Zoë Ó Súilleabháin') AS plain, regexp_replace('o''brien--smith', '[^a-z0-9]+', ' ', 'g') AS cleaned, "
        "regexp_replace('07700', '^0', '') AS phone, split_part('mary jane', ' ', 1) AS first",
        {},
    ),
    "list functions": (
        "SELECT list_distinct([1, NULL, 1]) AS d, flatten([NULL, [1, 2]]) AS f, list_sort([3, NULL, 1]) AS s, "
        "len([1, 2]) AS n, len($none) AS z, list_contains([1, 2], 2) AS c, [x * 2 FOR x IN [1, 2]] AS comp, "
        "list_bool_or([starts_with('10.1.2.3', p) FOR p IN ['10.', '192.']]) AS office",
        {"none": []},
    ),
    "arg_max by a struct, median, quantile": (
        "SELECT arg_max(v, struct_pack(a := k, b := -v)) AS best, median(k) AS med, quantile_cont(k, 0.75) AS q "
        "FROM (VALUES (1, 10), (3, 5), (3, 7)) t(k, v)",
        {},
    ),
    "QUALIFY over a star": (
        "SELECT * FROM (VALUES ('a', 1), ('a', 2), ('b', 3)) t(k, v) "
        "QUALIFY row_number() OVER (PARTITION BY k ORDER BY v DESC) = 1 ORDER BY k",
        {},
    ),
    "a window of days, and of rows": (
        "SELECT d, count(*) OVER (ORDER BY d RANGE BETWEEN to_days(greatest(CAST($n AS INTEGER), 1) - 1) "
        "PRECEDING AND CURRENT ROW) AS c, "
        "count(*) OVER (ORDER BY d ROWS BETWEEN CAST($n AS INTEGER) - 1 PRECEDING AND CURRENT ROW) AS r "
        "FROM (VALUES (DATE '2025-10-01'), (DATE '2025-10-02'), (DATE '2025-10-05')) t(d) ORDER BY d",
        {"n": 3},
    ),
    "microseconds of a time, and the first system of a group by one number (a tie, a time before 1970)": (
        "SELECT k, epoch_us(min(ts)) AS us, "
        + first_system(["CRIS", "PNC", "PND"], 1.8e9)
        + " AS first FROM (VALUES ('a', TIMESTAMPTZ '2025-10-26 01:30:00.000001+00', 'PND'), "
        "('a', TIMESTAMPTZ '2025-10-26 01:30:00.000001+00', 'PNC'), ('a', TIMESTAMPTZ '2025-10-26 01:31:00+00', 'CRIS'), "
        "('b', TIMESTAMPTZ '1969-12-31 23:59:59.5+00', 'PND'), ('b', TIMESTAMPTZ '1969-12-31 23:59:59.5+00', 'CRIS'), "
        "('c', TIMESTAMPTZ '2025-01-01 00:00:00+00', 'PNC')) t(k, ts, \"system\") GROUP BY k ORDER BY k",
        {},
    ),
    "a number of minutes from a column": (
        "SELECT TIMESTAMPTZ '2025-10-26 00:30:00+01' + to_minutes(m) AS t, "
        "TIMESTAMPTZ '2025-10-26 00:30:00+01' + to_microseconds(CAST(h * 3600000000 AS BIGINT)) AS u, "
        "TIMESTAMPTZ '2025-10-26 00:30:00+01' - to_hours(CAST($n AS BIGINT)) AS v "
        "FROM (VALUES (CAST(90 AS BIGINT), 1.25)) t(m, h)",
        {"n": 2},
    ),
}


@pytest.mark.parametrize("name", list(SNIPPETS))
def test_sql_means_the_same_on_both_engines(name: str, force: Path, spark: Any) -> None:
    """Constructs whose Spark spelling differs from DuckDB's, or whose meaning does (NULLs
    in lists, local days, day arithmetic): the same rows from both engines."""
    from graph.spark import SparkEngine

    sql, params = SNIPPETS[name]
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Europe/London'")
    want = DuckDBEngine(con).query(sql, params)
    eng = SparkEngine(spark, str(force / "parquet"))
    try:
        got = eng.query(sql, params)
    finally:
        eng.close()
    assert len(want) == len(got) and all(_same(a, b) for a, b in zip(want, got, strict=True)), (want, got)


def test_what_cannot_be_transpiled_is_refused() -> None:
    """A construct with no faithful Spark form is an error naming it, never a query with
    another meaning."""
    with pytest.raises(NotImplementedError, match="ORDER BY another key"):
        to_spark("SELECT list(DISTINCT a ORDER BY b) FROM t", {}, {"t": {"a": "VARCHAR", "b": "VARCHAR"}})
    with pytest.raises(NotImplementedError, match="anchored"):
        to_spark("SELECT regexp_replace(a, 'x', '') FROM t", {}, {"t": {"a": "VARCHAR"}})


# ----------------------------------------------------------------- the Parquet export, and the CLI

runner = CliRunner()


def test_parquet_export_holds_what_the_store_validated(force: Path) -> None:
    """By table and month (local months: the store's time zone), with every row and its
    provenance as the store holds them; the refused swipe is not there."""
    pq_dir, data = force / "parquet", force / "data"
    assert sorted(p.name for p in pq_dir.iterdir()) == sorted(t.name for t in EVENT_TABLES)
    months = sorted(p.name for p in (pq_dir / "badge_events").iterdir())
    assert months == ["month=2025-09", "month=2025-10", "month=2025-11"]
    con = duckdb.connect(str(data / "events.duckdb"), read_only=True)
    con.execute("SET TimeZone = 'Europe/London'")
    for t in EVENT_TABLES:
        cols = ", ".join(f'"{c.name}"' for c in t.columns)
        prov = "source_file, source_line, row_hash, run_id, first_seen, last_seen"
        stored = con.execute(
            f"SELECT {cols}, {prov} FROM {t.name} EXCEPT SELECT {cols}, {prov} FROM "
            f"read_parquet('{pq_dir / t.name}/*/*.parquet', hive_partitioning = true)"
        ).fetchall()
        assert stored == [], t.name
        month = f"strftime(\"{month_column(t)}\", '%Y-%m')"
        n, wrong_month = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE month <> {month}) "
            f"FROM read_parquet('{pq_dir / t.name}/*/*.parquet', hive_partitioning = true)"
        ).fetchall()[0]
        assert (n, wrong_month) == (con.execute(f"SELECT count(*) FROM {t.name}").fetchall()[0][0], 0), t.name
    assert con.execute(
        f"SELECT count(*) FROM read_parquet('{pq_dir}/badge_events/*/*.parquet') WHERE event_id = 'BE-BAD-1'"
    ).fetchall() == [(0,)]


def test_cli_exports_events_and_detects_on_spark(
    force: Path, spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`linkwatch export events-parquet` (a look at everyone's data: it needs a purpose)
    writes the tables, the quarantine and a manifest; `linkwatch detect --engine spark`
    reads them and writes the flags `detect` writes on the event store."""
    monkeypatch.setenv("LINKWATCH_BUFFER_POOL_MB", "256")
    monkeypatch.delenv("LINKWATCH_PURPOSE", raising=False)
    data, out = force / "data", tmp_path / "events"
    res = runner.invoke(app, ["export", "events-parquet", str(out), "--data-dir", str(data)])
    assert res.exit_code == 2 and "needs a stated purpose" in res.output, res.output
    assert not out.exists()
    res = runner.invoke(
        app,
        ["export", "events-parquet", str(out), "--data-dir", str(data), "--purpose", "detectors on Spark"],
    )
    assert res.exit_code == 0, res.output
    manifest = json.loads((out / "_linkwatch.json").read_text())
    assert manifest["timezone"] == "Europe/London"
    assert manifest["tables"]["system_access"]["partitioned_by"] == "month of ts"
    quarantine = pq.read_table(out / "quarantine").to_pandas()
    bad = quarantine[quarantine["file"].str.endswith("badge_events.csv")]
    assert len(bad) == 1 and "direction" in bad["column"].iloc[0] and "sideways" in bad["raw"].iloc[0]
    assert list(bad["action"]) == ["row quarantined"]

    det = ["roster.retro_claim", "access.off_duty"]
    common = ["--data-dir", str(data), *[x for d in det for x in ("--detector", d)]]
    res = runner.invoke(app, ["detect", "--out", str(tmp_path / "duck.csv"), *common])
    assert res.exit_code == 0, res.output
    res = runner.invoke(
        app,
        ["detect", "--out", str(tmp_path / "spark.csv"), "--engine", "spark", "--events", str(out), *common],
    )
    assert res.exit_code == 0, res.output
    duck, sparked = (pd.read_csv(tmp_path / f, dtype=str) for f in ("duck.csv", "spark.csv"))
    assert len(duck) >= 2 and set(duck["detector"]) == set(det)
    pd.testing.assert_frame_equal(duck, sparked)
    res = runner.invoke(app, ["detect", "--out", str(tmp_path / "x.csv"), "--engine", "spark", *common])
    assert res.exit_code != 0 and "--engine spark needs --events" in res.output
