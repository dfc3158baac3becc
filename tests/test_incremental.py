"""Incremental detection (:mod:`queries.incremental`): after the next day's ingest, a
detector with a stage local in time recomputes it from the changed time on only, and its
flags are those of a whole run on a fresh store of all the data.

The force is generated once (300 officers, 60 days) and split as a force's daily export
comes: ``base`` (every entity table, the events of all days but the last) and ``day``
(the entity tables again, the last day's events). Two pairs of duties are planted across
the cut so that a too-short horizon gives other flags: a paid overtime duty starting two
hours before the cut (in ``base``) that a duty in ``day`` overlaps."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from graph.contract import TABLES
from graph.corrections import Corrections, source_row
from graph.events import EventStore
from graph.settings import Settings
from graph.store import GraphStore
from graph.workspace import open_store
from ingest.run import ingest_dir
from queries.detect import run_detectors
from queries.detectors import DETECTORS
from synthetic import Force, generate
from tests.conftest import embedded_settings

NAME = "roster.overtime_overlap"
STAGED = [n for n, d in sorted(DETECTORS.items()) if d.stage is not None]
EVENT_TIME = {
    t: next(c.name for c in TABLES[t].columns if c.type == "ts") for t in TABLES if TABLES[t].kind == "event"
}


@pytest.fixture(scope="module")
def force() -> Force:
    return generate(officers=300, seed=3, days=60)


def _shift(
    like: pd.Series, shift_id: str, start: pd.Timestamp, hours: float, **values: Any
) -> dict[str, Any]:
    row: dict[str, Any] = {str(k): v for k, v in like.items()}
    row.update(shift_id=shift_id, start=start, end=start + pd.Timedelta(hours=hours), hours_claimed=hours)
    row.update(values)
    return row


def split(
    force: Force, tmp: Path, *, move: bool = False, cancel: bool = False
) -> tuple[Path, Path, Path, pd.Timestamp]:
    """Folders ``base``, ``day`` and ``all`` (base and day in one) and the cut. With
    ``move``, ``day`` also re-sends a paid overtime duty of ``base`` moved 30 days on
    (it was inside the officer's leave; where it is moved to, it is not); with ``cancel``, it
    cancels the last duty row of an officer whose row before it is fifty days earlier."""
    shifts = force.tables["shifts"]
    cut = shifts["start"].max().normalize()
    officers = sorted(shifts["officer_id"].unique())
    x, z = officers[0], officers[1]
    like = shifts[shifts["officer_id"] == x].iloc[0]
    planted_base = [  # overtime across the cut, overlapped by a duty of the next day
        _shift(
            like,
            "SHX1",
            cut - pd.Timedelta(hours=2),
            8,
            officer_id=x,
            duty_type="day",
            pay_code="overtime",
            status="worked",
        ),
    ]
    planted_day = [
        _shift(
            like,
            "SHX2",
            cut + pd.Timedelta(hours=1),
            8,
            officer_id=x,
            duty_type="early",
            pay_code="basic",
            status="worked",
        ),
    ]
    early = cut - pd.Timedelta(days=40)
    planted_base += [  # overtime inside the officer's own leave, forty days before the cut
        _shift(
            like, "SHZ1", early, 24, officer_id=z, duty_type="annual_leave", pay_code="basic", status="worked"
        ),
        _shift(
            like,
            "SHZ2",
            early + pd.Timedelta(hours=9),
            4,
            officer_id=z,
            duty_type="day",
            pay_code="overtime",
            status="worked",
        ),
    ]
    if move:
        planted_day.append(
            _shift(
                like,
                "SHZ2",
                early + pd.Timedelta(days=30, hours=9),
                4,
                officer_id=z,
                duty_type="day",
                pay_code="overtime",
                status="worked",
            )
        )
    # an officer off duty the day before the cut with no row (their last row two days before),
    # looking records up then and on another day with no row: the next day's duty makes the
    # day before the cut a day between duties (it was a day after their last row)
    w = officers[2]
    near = (shifts["officer_id"] == w) & (shifts["start"] >= cut - pd.Timedelta(days=4))
    shifts = shifts[~near]
    for k, into in ((4, planted_base), (2, planted_base), (0, planted_day)):
        start = cut - pd.Timedelta(days=k) + pd.Timedelta(hours=7)
        into.append(
            _shift(
                like, f"SHW{k}", start, 10, officer_id=w, duty_type="early", pay_code="basic", status="worked"
            )
        )
    # an officer whose rows stop fifty days before the cut but for one three days before it,
    # looking records up 45 and 40 days before it; with ``cancel`` the next day's export
    # cancels that late row: their last row is then the one fifty days back, and the
    # lookups fall in the days after it
    v = officers[3]
    shifts = shifts[~((shifts["officer_id"] == v) & (shifts["start"] >= cut - pd.Timedelta(days=50)))]
    late_row = dict(officer_id=v, duty_type="early", pay_code="basic")
    for k, sid in ((50, "SHV1"), (3, "SHV2")):
        start = cut - pd.Timedelta(days=k) + pd.Timedelta(hours=7)
        planted_base.append(_shift(like, sid, start, 10, status="worked", **late_row))
    if cancel:
        start = cut - pd.Timedelta(days=3) + pd.Timedelta(hours=7)
        planted_day.append(_shift(like, "SHV2", start, 10, status="cancelled", **late_row))
    access = force.tables["system_access"]

    def look(officer: str, access_id: str, ts: pd.Timestamp) -> dict[str, Any]:
        one = access[access["officer_id"] == officer].iloc[0]
        return {**{str(c): x for c, x in one.items()}, "access_id": access_id, "ts": ts}

    looks = pd.DataFrame(
        [look(w, f"AXW{k}", cut - pd.Timedelta(days=k, hours=-12)) for k in (3, 1)]
        + [look(v, f"AXV{k}", cut - pd.Timedelta(days=k, hours=-12)) for k in (45, 40)]
    )
    tables: dict[str, dict[str, pd.DataFrame]] = {"base": {}, "day": {}, "all": {}}
    for name, df in force.tables.items():
        if name not in EVENT_TIME:
            for each in tables.values():
                each[name] = df
            if name == "officers":  # the day's HR changes: three promotions
                promoted = df.copy()
                promoted.loc[promoted.index[:3], "rank"] = "Inspector"
                tables["day"][name] = tables["all"][name] = promoted
            continue
        if name == "shifts":
            df = shifts
        if name == "system_access":
            df = pd.concat([df, looks], ignore_index=True).astype(df.dtypes.to_dict())
        late = df[EVENT_TIME[name]] >= cut
        base, day = df[~late], df[late]
        if name == "shifts":
            base = pd.concat([base, pd.DataFrame(planted_base)], ignore_index=True).astype(
                df.dtypes.to_dict()
            )
            day = pd.concat([day, pd.DataFrame(planted_day)], ignore_index=True).astype(df.dtypes.to_dict())
        tables["base"][name], tables["day"][name] = base, day
        both = pd.concat([base, day], ignore_index=True)
        key = str(TABLES[name].key)
        tables["all"][name] = both.drop_duplicates(key, keep="last")  # a re-sent row replaces the old
    out = []
    for part, frames in tables.items():
        out.append(Force(frames, force.truth.iloc[0:0], force.lookalikes.iloc[0:0]).write(tmp / part))
    return out[0], out[1], out[2], cut


def _ingest(store: GraphStore, s: Settings, src: Path) -> None:
    ingest_dir(store, src, s.data_dir, resolver="exact")


def _graph_flags(store: GraphStore, names: list[str]) -> pd.DataFrame:
    rows = store.query(
        "MATCH (f:Flag) WHERE f.retired_at IS NULL AND f.detector IN $d "
        "RETURN f.flag_id AS flag_id, f.score AS score, f.evidence AS evidence, f.explanation AS explanation",
        {"d": names},
    )
    return (
        pd.DataFrame(rows, columns=["flag_id", "score", "evidence", "explanation"])
        .sort_values("flag_id")
        .reset_index(drop=True)
    )


def _record(s: Settings, run_id: str) -> dict[str, Any]:
    return json.loads((Path(s.data_dir) / "runs" / run_id / "detect.json").read_text())


def _whole(tmp: Path, src: Path, names: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The flags of a whole run on a fresh store of ``src``: the report's and the graph's."""
    s = embedded_settings(tmp)
    with open_store(s) as st:
        _ingest(st, s, src)
        rep = run_detectors(st, names)
        return rep.flags, _graph_flags(st, names)


def _incremental(tmp: Path, base: Path, day: Path, names: list[str]) -> tuple[Any, Any, Settings, GraphStore]:
    s = embedded_settings(tmp)
    st = open_store(s)
    _ingest(st, s, base)
    first = run_detectors(st, names, state="auto")
    first.write_record(s.data_dir)
    _ingest(st, s, day)
    second = run_detectors(st, names, state="auto")
    second.write_record(s.data_dir)
    return first, second, s, st


@pytest.mark.parametrize(
    ("move", "cancel"),
    [(False, False), (True, False), (False, True)],
    ids=["next-day", "and-a-moved-row", "and-a-cancelled-last-row"],
)
def test_incremental_equals_whole(force: Force, tmp_path: Path, move: bool, cancel: bool) -> None:
    base, day, both, cut = split(force, tmp_path / "src", move=move, cancel=cancel)
    names = [*STAGED, "roster.retro_claim"]
    whole, whole_graph = _whole(tmp_path / "whole", both, names)
    first, second, s, st = _incremental(tmp_path / "incr", base, day, names)
    try:
        pd.testing.assert_frame_equal(second.flags, whole)
        pd.testing.assert_frame_equal(_graph_flags(st, names), whole_graph)
        runs = _record(s, second.run.run_id)["detectors"]
        for n in STAGED:
            assert _record(s, first.run.run_id)["detectors"][n]["run"]["mode"] == "whole"
            how = runs[n]["run"]
            assert how["mode"] == "incremental", how
            changed = pd.Timestamp(how["changed_from"])
            if cancel and n == "access.off_duty":  # the officer's last row now, fifty days back
                assert changed == cut - pd.Timedelta(days=50)
            elif cancel:  # the cancelled row's time
                assert changed == cut - pd.Timedelta(days=3, hours=-7)
            elif move:  # the moved row's old time, from the event store's change log
                assert changed == cut - pd.Timedelta(days=40) + pd.Timedelta(hours=9)
            else:
                assert cut - pd.Timedelta(hours=2) < changed <= cut + pd.Timedelta(hours=1)
                # the stage read the last weeks only (the horizon twice over), not the two months
                full = _record(s, first.run.run_id)["detectors"][n]["run"]["rows_read"]
                assert set(how["rows_read"]) == set(full) == set(getattr(DETECTORS[n].stage, "reads", ()))
                assert all(0 < how["rows_read"][t] < full[t] for t in full), (how["rows_read"], full)
                span = pd.Timedelta(seconds=2 * how["horizon_s"])
                assert pd.Timestamp(how["read_from"]) == changed - span
            back = (move or cancel) and n == "access.off_duty"  # 40 or 50 days back: all again
            assert 0 < how["stage_rows_recomputed"] <= how["stage_rows"] if back else how["stage_rows"] - 1
        assert runs["roster.retro_claim"]["run"]["mode"] == "whole"  # it declares no stage
        mine = second.flags[
            second.flags["officer_id"] == sorted(force.tables["shifts"]["officer_id"].unique())[0]
        ]
        assert mine["evidence"].str.contains("SHX1").any()  # the duty across the cut is flagged
        assert second.flags["evidence"].str.contains("AXW1").any()  # the lookup the day before it
        # the lookups after the last row count once the late row is cancelled
        assert second.flags["evidence"].str.contains("AXV45").any() == cancel
    finally:
        st.close()


@pytest.mark.parametrize(
    ("name", "planted"),
    [("roster.overtime_overlap", "SHX1"), ("access.off_duty", "AXW1")],
    ids=["overtime_overlap", "off_duty"],
)
def test_too_short_a_horizon_gives_other_flags(
    force: Force, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, planted: str
) -> None:
    """The comparison can fail: with an hour for a horizon, the overtime duty begun before
    the cut is not recomputed and misses the next day's duty overlapping it; the lookup the
    day before the cut is not recomputed, and no longer counts once the next day's duty
    makes that day a day between duties (not one after the officer's last row)."""
    d = DETECTORS[name]
    assert d.stage is not None
    monkeypatch.setitem(
        DETECTORS, name, dataclasses.replace(d, stage=dataclasses.replace(d.stage, horizon="SELECT 3600"))
    )
    base, day, both, _cut = split(force, tmp_path / "src")
    whole, _ = _whole(tmp_path / "whole", both, [name])
    _first, second, _s, st = _incremental(tmp_path / "incr", base, day, [name])
    st.close()
    assert second.stages[name]["mode"] == "incremental"
    assert not second.flags.equals(whole)
    assert whole["evidence"].str.contains(planted).any()
    assert not second.flags["evidence"].str.contains(planted).any()


def test_whole_when_asked_corrected_or_reparametrised(force: Force, tmp_path: Path) -> None:
    base, day, _both, _cut = split(force, tmp_path / "src")
    s = embedded_settings(tmp_path / "incr")
    with open_store(s) as st:
        _ingest(st, s, base)
        first = run_detectors(st, [NAME], state="auto")
        again = run_detectors(st, [NAME], state="auto")  # nothing ingested since
        assert again.stages[NAME]["mode"] == "unchanged"
        pd.testing.assert_frame_equal(again.flags, first.flags)
        asked = run_detectors(st, [NAME], state="whole")
        assert (
            asked.stages[NAME]["mode"] == "whole" and asked.stages[NAME]["reason"] == "asked for a whole run"
        )
        other = run_detectors(st, [NAME], {NAME: {"min_overlap_minutes": 60}}, state="auto")
        assert other.stages[NAME]["mode"] == "whole" and "params" in other.stages[NAME]["reason"]
        # a correction may move any row to any time: the stage is made again
        ev = EventStore(s.data_dir, memory_mb=256, read_only=True)
        shift = force.tables["shifts"].iloc[5]
        row = source_row(ev.con, TABLES["shifts"], str(shift["shift_id"]), "status")
        ev.close()
        from graph.workspace import Workspace

        with Workspace.of_store(st) as ws:
            Corrections(ws.meta).add(
                "shifts",
                str(shift["shift_id"]),
                "status",
                "cancelled",
                row,
                reason="recalled",
                evidence="rota email",
                who="ann",
                role="appropriate_authority",
            )
        _ingest(st, s, day)
        corrected = run_detectors(st, [NAME], state="auto")
        assert corrected.stages[NAME]["mode"] == "whole" and "corrections" in corrected.stages[NAME]["reason"]
        after = run_detectors(st, [NAME], state="off")  # the state is neither read nor written
        assert NAME not in after.stages
        pd.testing.assert_frame_equal(after.flags, corrected.flags)


def test_cli_detect_is_incremental_unless_asked_whole(
    force: Force, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``linkwatch detect`` keeps the detection state and says per detector how it ran;
    ``--whole`` recomputes everything; the flags exports are the same."""
    from typer.testing import CliRunner

    from api.cli import app

    monkeypatch.chdir(tmp_path)
    for k in [k for k in __import__("os").environ if k.startswith("LINKWATCH_")]:
        monkeypatch.delenv(k)
    monkeypatch.setenv("LINKWATCH_BUFFER_POOL_MB", "256")
    monkeypatch.setenv("LINKWATCH_PURPOSE", "tests of incremental detection")
    base, day, _both, _cut = split(force, tmp_path / "src")
    runner = CliRunner()
    names = [a for n in (*STAGED, "roster.retro_claim") for a in ("--detector", n)]
    assert runner.invoke(app, ["ingest", str(base)]).exit_code == 0
    first = runner.invoke(app, ["detect", "--out", "f0.csv", *names])
    assert first.exit_code == 0, first.output
    assert runner.invoke(app, ["ingest", str(day)]).exit_code == 0
    res = runner.invoke(app, ["detect", "--out", "f1.csv", *names])
    assert res.exit_code == 0, res.output
    assert "incremental from" in res.output
    res = runner.invoke(app, ["detect", "--whole", "--out", "f2.csv", *names])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "f1.csv").read_text() == (tmp_path / "f2.csv").read_text()
    runs = sorted(
        (tmp_path / "linkwatch-data" / "runs").glob("*/detect.json"), key=lambda p: p.stat().st_mtime
    )
    modes = [
        {n: d.get("run", {}).get("mode") for n, d in json.loads(r.read_text())["detectors"].items()}
        for r in runs
    ]
    assert [m["roster.overtime_overlap"] for m in modes] == ["whole", "incremental", "whole"]
    last = json.loads(runs[-1].read_text())["detectors"]["roster.overtime_overlap"]["run"]
    assert last["reason"] == "asked for a whole run"
    assert {m["roster.retro_claim"] for m in modes} == {"whole"}
