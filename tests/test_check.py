"""``linkwatch check [--repair]``: links a Ladybug 0.22 defect damaged are found, mended
from what is whole, and what cannot be rebuilt is reported, never invented."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from api.cli import app
from graph import check as gcheck
from graph.model import MODEL
from graph.settings import Settings
from graph.store import GraphStore, RunInfo
from graph.workspace import open_store
from tests.conftest import embedded_settings
from tests.fixture_graph import load_fixture

runner = CliRunner()
D = dt.date


def _load(store: GraphStore) -> None:
    """Officers and persons resolved from membership-list entries: both label pairs of
    MEMBER_OF and of RESOLVED_TO, and a one-pair type beside them."""
    run = RunInfo.new("test")
    officers = [f"O{i}" for i in range(6)]
    persons = [f"P{i}" for i in range(4)]
    store.load_nodes("Officer", pd.DataFrame({"officer_id": officers, "surname": "Test"}), run)
    store.load_nodes("Person", pd.DataFrame({"person_id": persons, "surname": "Test"}), run)
    store.load_nodes(
        "Organisation", pd.DataFrame({"org_id": ["L1", "L2"], "name": ["Oak Lodge", "Elm Lodge"]}), run
    )
    ids = [f"M{i}" for i in range(10)]
    store.load_nodes("Membership", pd.DataFrame({"membership_id": ids, "org_id": ["L1", "L2"] * 5}), run)
    ends = [f"Officer:{o}" for o in officers] + [f"Person:{p}" for p in persons]
    member_of = pd.DataFrame(
        {
            "src": ends,
            "dst": [f"Organisation:{o}" for o in ["L1", "L2"] * 5],
            "discriminator": ids,
            "membership_id": ids,
            "score": [1.0, 0.97, 0.99, 1.0, 0.95, 1.0, 0.98, 1.0, 0.96, 1.0],
            "matched_on": [["surname", "date_of_birth"]] * 10,
            "method": "test",
            "since": [D(2020, 1, 1), None] * 5,
        }
    )
    store.load_relationships("MEMBER_OF", member_of, run)
    resolved = pd.DataFrame(
        {"src": [f"Membership:{m}" for m in ids], "dst": ends, "score": member_of["score"], "method": "test"}
    )
    store.load_relationships("RESOLVED_TO", resolved, run)
    store.load_relationships("REPORTS_TO", pd.DataFrame({"src": ["Officer:O1"], "dst": ["Officer:O0"]}), run)


def _all(store: GraphStore, rel_type: str) -> pd.DataFrame:
    rel = MODEL.rel(rel_type)
    ret = "a.uid AS a, b.uid AS b, " + ", ".join(f"r.{p} AS {p}" for p in rel.prop_names)
    df = store.frame(f"MATCH (a)-[r:{rel_type}]->(b) RETURN {ret}", ["a", "b", *rel.prop_names])
    return df.sort_values(["a", "b"]).reset_index(drop=True)


def _damage(store: GraphStore, rel_type: str, start: str, sets: str) -> None:
    """A ``SET`` straight through the engine on the links from ``start`` (both sides of
    the link are changed: the defect's one-sided damage is not reproducible small)."""
    store._write(f"MATCH (a {{uid: '{start}'}})-[r:{rel_type}]->() SET {sets}", {})


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for k in list(os.environ):
        if k.startswith("LINKWATCH_"):
            monkeypatch.delenv(k)
    monkeypatch.setenv("LINKWATCH_BUFFER_POOL_MB", "256")
    s = embedded_settings(tmp_path)
    with open_store(s) as st:
        _load(st)
    return s


def _cli(s: Settings, *args: str) -> Any:
    return runner.invoke(app, ["check", "--data-dir", str(s.data_dir), *args])


def test_a_clean_store_reports_nothing_and_exits_0(data: Settings) -> None:
    with open_store(data, read_only=True) as st:
        report = gcheck.check(st)
    assert report.ok and report.findings == []
    assert (
        report.rows["MEMBER_OF"] == 10 and report.rows["RESOLVED_TO"] == 10 and report.rows["REPORTS_TO"] == 1
    )
    assert set(report.rows) == {r.type for r in MODEL.relationships}
    res = _cli(data)
    assert res.exit_code == 0, res.output
    assert "no damaged link" in res.output


def test_damaged_links_are_found_and_repair_restores_the_originals(data: Settings) -> None:
    with open_store(data, read_only=True) as st:
        before = {t: _all(st, t) for t in ("MEMBER_OF", "RESOLVED_TO", "REPORTS_TO")}
    with open_store(data) as st:
        _damage(st, "MEMBER_OF", "Officer:O2", "r.key = NULL, r.src = NULL, r.dst = NULL")
        _damage(st, "MEMBER_OF", "Person:P1", "r.key = NULL")
        _damage(st, "RESOLVED_TO", "Membership:M3", "r.src = 'Membership:M4'")  # ends other than src
        _damage(st, "RESOLVED_TO", "Membership:M8", "r.key = NULL, r.dst = NULL")  # a Person end
    with open_store(data, read_only=True) as st:
        found = gcheck.check(st)
    assert found.damaged() == {"MEMBER_OF": 2, "RESOLVED_TO": 2}
    by = {(f.type, f.start, f.side): f for f in found.findings}
    assert set(by) == {
        (t, s, side)
        for t, s in (("MEMBER_OF", "Officer"), ("MEMBER_OF", "Person"), ("RESOLVED_TO", "Membership"))
        for side in ("forward", "backward")
    }
    mo = by[("MEMBER_OF", "Officer", "forward")]
    assert (mo.rows, mo.damaged, mo.missing) == (6, 1, {"key": 1, "src": 1, "dst": 1})
    assert [e["from_node"] for e in mo.examples] == ["Officer:O2"]
    rt = [f for f in found.findings if f.type == "RESOLVED_TO" and f.side == "forward"]
    assert sorted((f.end, f.damaged, f.wrong_ends) for f in rt) == [("Officer", 1, 1), ("Person", 1, 0)]
    res = _cli(data)
    assert res.exit_code == 1, res.output
    assert "MEMBER_OF: 2 damaged" in res.output and "Officer:O2" in res.output

    res = _cli(data, "--repair")
    assert res.exit_code == 0, res.output
    assert "after the repair: " in res.output and "no damaged link" in res.output
    with open_store(data, read_only=True) as st:
        assert gcheck.check(st).ok
        for t, df in before.items():
            pd.testing.assert_frame_equal(_all(st, t), df)
    assert _cli(data).exit_code == 0


def test_what_cannot_be_rebuilt_is_reported_and_left_null(data: Settings) -> None:
    with open_store(data, read_only=True) as st:
        before = _all(st, "MEMBER_OF")
    with open_store(data) as st:
        _damage(st, "MEMBER_OF", "Person:P0", "r.key = NULL, r.first_seen = NULL")
        done = gcheck.repair(st)
        assert not done.ok
        (mend,) = done.mends
        assert mend.derived == {"key": 1}
        assert any("first_seen" in u and "not guessed" in u for u in mend.unmended)
        assert [(f.type, f.missing) for f in done.after.findings] == [("MEMBER_OF", {"first_seen": 1})] * 2
    with open_store(data, read_only=True) as st:
        after = _all(st, "MEMBER_OF")
    lost = after["a"] == "Person:P0"
    assert after.loc[lost, "first_seen"].isna().all()
    pd.testing.assert_frame_equal(after.drop(columns="first_seen"), before.drop(columns="first_seen"))
    pd.testing.assert_frame_equal(after[~lost], before[~lost])
    res = _cli(data, "--repair")
    assert res.exit_code == 1 and "NOT mended" in res.output


def test_one_sided_damage_is_mended_from_the_other_side(
    data: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The defect's damage, read from one side: a link with every property the SET left
    out null and an end that is not its own, and a link whose properties are whole but
    whose start is a neighbour's. The other side reads them whole."""
    read_side = gcheck._read_side

    def damaged_forward(store: GraphStore, rel: Any, start: str, end: str, side: str) -> pd.DataFrame:
        df = read_side(store, rel, start, end, side)
        if rel.type == "RESOLVED_TO" and end == "Officer" and side == "forward":
            rows = df.sort_values("_a").to_dict("records")
            hollow = {c: (v if c in ("last_seen", "run_id") else None) for c, v in rows[0].items()}
            hollow.update(_a=rows[3]["_a"], _b="Officer:O0", _rid=0)  # the label's first node
            shifted = {**rows[1], "_a": rows[2]["_a"]}  # whole, but under a neighbour's start
            return pd.DataFrame([hollow, shifted, *rows[2:]], columns=df.columns)
        return df

    monkeypatch.setattr(gcheck, "_read_side", damaged_forward)
    with open_store(data, read_only=True) as st:
        before = _all(st, "RESOLVED_TO")
    report = gcheck.CheckReport(
        "embedded",
        {"RESOLVED_TO": 10},
        [gcheck.Finding("RESOLVED_TO", "Membership", "Officer", "forward", 6, 2, {}, 2)],
        0.0,
    )
    with open_store(data) as st:
        done = gcheck.repair(st, report)
        assert done.ok, done.lines()
        (mend,) = done.mends
        assert (mend.relationships, mend.damaged, mend.recovered, mend.derived, mend.rebuilt) == (
            10,
            2,
            2,
            {},
            True,
        )
    with open_store(data, read_only=True) as st:
        pd.testing.assert_frame_equal(_all(st, "RESOLVED_TO"), before)


def test_a_repair_that_fails_leaves_the_store_as_it_was(
    data: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from graph.embedded import EmbeddedStore

    with open_store(data) as st:
        _damage(st, "MEMBER_OF", "Officer:O3", "r.key = NULL")
    with open_store(data, read_only=True) as st:
        damaged = _all(st, "MEMBER_OF")

    def fail(self: Any, *a: Any) -> None:
        raise RuntimeError("copy failed midway")

    monkeypatch.setattr(EmbeddedStore, "_insert_rels", fail)
    with pytest.raises(RuntimeError, match="midway"), open_store(data) as st:
        gcheck.repair(st)
    with open_store(data, read_only=True) as st:
        pd.testing.assert_frame_equal(_all(st, "MEMBER_OF"), damaged)
        assert gcheck.check(st).damaged() == {"MEMBER_OF": 1}


def test_the_check_reads_both_stores(store: GraphStore) -> None:
    """On Neo4j (one copy of each link) the same portable check runs once per label pair;
    a clean graph reports nothing, a nulled key is found on either store."""
    load_fixture(store)
    clean = gcheck.check(store)
    assert clean.ok and clean.rows["MEMBER_OF"] == 3 and clean.rows["IN_UNIT"] == 4
    store._write("MATCH (a {uid: 'Officer:C'})-[r:MEMBER_OF]->() SET r.key = NULL", {})
    found = gcheck.check(store, ["MEMBER_OF", "IN_UNIT"])
    assert found.damaged() == {"MEMBER_OF": 1}
    sides = ("forward", "backward") if store.name == "embedded" else ("read",)
    assert sorted(f.side for f in found.findings) == sorted(sides)
    assert all(f.examples[0]["from_node"] == "Officer:C" and f.missing == {"key": 1} for f in found.findings)


def test_links_given_with_an_index_of_their_own_get_their_own_keys(tmp_path: Path) -> None:
    """A frame of links indexed otherwise than 0..n-1 (a slice, or what drop_duplicates
    leaves) is keyed row by row: each link's key is its own ends' (it was aligned by index
    before, giving links other rows' keys or none)."""
    from graph.store import relationship_keys

    with open_store(embedded_settings(tmp_path)) as st:
        st.load_nodes("Officer", pd.DataFrame({"officer_id": ["A", "B", "C", "D"]}), RunInfo.new("test"))
        links = pd.DataFrame(
            {"src": ["Officer:B", "Officer:C", "Officer:D"], "dst": "Officer:A"}, index=[7, 3, 5]
        )
        assert st.load_relationships("REPORTS_TO", links, RunInfo.new("test")).new == 3
        got = _all(st, "REPORTS_TO")
        assert (got["key"] == relationship_keys(got["a"], got["b"])).all() and gcheck.check(st).ok
