"""Evidence a reviewer can see: each flag's evidence graph draws the paths, groups, ties
and rows behind its explanation, and its evidence table has one row shape per kind of
evidence. On a small generated force, on both stores."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from api.ops import flags as ops
from api.ops.look import Look
from api.ops.pseudonyms import Masker
from graph.contract import TABLES
from graph.meta import Principal
from graph.settings import Settings
from graph.workspace import Workspace, open_store
from ingest.run import ingest_dir
from queries.detect import run_detectors
from synthetic import generate
from tests.conftest import embedded_settings, neo4j_settings, wipe_neo4j

LOOK = Look(Principal("ivy", "investigator"), "evidence test", "PSD-E1")


@pytest.fixture(scope="module")
def force_src(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(officers=150, seed=4, days=45).write(tmp_path_factory.mktemp("force") / "src")


@pytest.fixture(scope="module", params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def force(
    request: pytest.FixtureRequest, force_src: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Settings, pd.DataFrame]]:
    tmp = tmp_path_factory.mktemp(request.param)
    s = embedded_settings(tmp) if request.param == "embedded" else neo4j_settings(tmp)
    with open_store(s) as st:
        if st.name == "neo4j":
            wipe_neo4j(st)
        ingest_dir(st, force_src, s.data_dir)
        flags = run_detectors(st).flags
    yield s, flags


def _first(flags: pd.DataFrame, detector: str) -> Any:
    mine = flags[flags["detector"] == detector]
    assert len(mine), f"the generated force raised no {detector} flag"
    return mine.iloc[0]


def _graph(s: Settings, flag_id: str) -> tuple[dict[str, Any], Masker, list[dict[str, Any]]]:
    with Workspace(s) as ws:
        sg = ops.evidence(ws, LOOK, flag_id)
        mask = Masker.for_look(ws, LOOK)
        raw = ops.one(ws, flag_id)["evidence"]
        return sg.to_dict(), mask, raw


def _types(g: dict[str, Any]) -> set[str]:
    return {e["type"] for e in g["edges"]}


def _labels(g: dict[str, Any]) -> set[str]:
    return {n["labels"][0] for n in g["nodes"].values()}


def test_crew_flag_draws_the_whole_group_and_its_complaints(force: tuple[Settings, pd.DataFrame]) -> None:
    s, flags = force
    f = _first(flags, "network.crew")
    g, mask, ev = _graph(s, f.flag_id)
    group = next(i for i in ev if "group" in i)
    members = {mask.uid(f"Officer:{o}") for o in group["group"]}
    complaints = {f"Complaint:{c}" for c in group["complaints"]}
    assert len(members) >= 3 and members <= set(g["nodes"])
    assert complaints <= set(g["nodes"])
    named_in = [e for e in g["edges"] if e["type"] == "NAMED_IN"]
    # the ties: every member is drawn named in at least two of the group's complaints
    for m in members:
        assert len({e["target"] for e in named_in if e["source"] == m} & complaints) >= 2, m


def test_personal_link_draws_officer_identifier_person_record(force: tuple[Settings, pd.DataFrame]) -> None:
    s, flags = force
    f = _first(flags, "access.personal_link")
    g, mask, ev = _graph(s, f.flag_id)
    person = mask.uid(f"Person:{next(i['key'] for i in ev if i.get('table') == 'persons')}")
    assert {"Officer", "Identifier", "Person", "Record", "Lookup"} <= _labels(g)
    assert {"HAS_IDENTIFIER", "CONCERNS", "LOOKED_UP", "LOOKUP_BY"} <= _types(g)
    assert person in g["nodes"]
    # the records looked up concern that person; the lookups are the evidence's rows
    records = {e["source"] for e in g["edges"] if e["type"] == "CONCERNS" and e["target"] == person}
    looked_up = {e["target"] for e in g["edges"] if e["type"] == "LOOKED_UP"}
    assert records and records <= looked_up
    lookups = {f"Lookup:{i['key']}" for i in ev if i.get("table") == "system_access"}
    assert lookups and lookups <= set(g["nodes"])


def test_self_approval_draws_its_shifts_and_roster_changes(force: tuple[Settings, pd.DataFrame]) -> None:
    s, flags = force
    f = _first(flags, "roster.self_approval")
    g, mask, ev = _graph(s, f.flag_id)
    shifts = {f"Shift:{i['key']}" for i in ev if i.get("table") == "shifts"}
    changes = {f"RosterChange:{i['key']}" for i in ev if i.get("table") == "roster_changes"}
    assert shifts and shifts <= set(g["nodes"]) and changes <= set(g["nodes"])
    subject = mask.uid(f"Officer:{f.officer_id}")
    shift_of = {(e["source"], e["target"]) for e in g["edges"] if e["type"] == "SHIFT_OF"}
    assert {(sh, subject) for sh in shifts} <= shift_of
    # a shift row as drawn names its officers by pseudonym only
    for sh in shifts:
        assert g["nodes"][sh]["properties"]["officer_id"] == mask.officer(f.officer_id) != f.officer_id


def test_undeclared_membership_draws_membership_organisation(force: tuple[Settings, pd.DataFrame]) -> None:
    s, flags = force
    f = _first(flags, "association.undeclared_membership")
    g, _mask, ev = _graph(s, f.flag_id)
    m = next(i["key"] for i in ev if i.get("table") == "memberships")
    o = next(i["key"] for i in ev if i.get("table") == "organisations")
    assert {f"Membership:{m}", f"Organisation:{o}"} <= set(g["nodes"])
    assert {"MEMBER_OF", "LISTED_IN", "EVIDENCE", "FLAGS"} <= _types(g)
    member = g["nodes"][f"Membership:{m}"]["properties"]
    assert "member_surname" not in member and "member_forenames" not in member


def test_hidden_link_draws_every_node_of_its_path(force: tuple[Settings, pd.DataFrame]) -> None:
    s, flags = force
    f = _first(flags, "network.hidden_link")
    g, mask, ev = _graph(s, f.flag_id)
    path = next(i["path"] for i in ev if "path" in i)
    assert {mask.uid(x) for x in path} <= set(g["nodes"])
    assert "HAS_IDENTIFIER" in _types(g)


@pytest.mark.parametrize(
    ("detector", "table", "label"),
    [
        ("access.no_purpose", "system_access", "Lookup"),
        ("attendance.badge_only", "badge_events", "BadgeSwipe"),
        ("attendance.below_threshold", "shifts", "Shift"),
        ("roster.overtime_overlap", "shifts", "Shift"),
    ],
)
def test_event_detectors_draw_their_rows(
    force: tuple[Settings, pd.DataFrame], detector: str, table: str, label: str
) -> None:
    s, flags = force
    f = _first(flags, detector)
    g, _mask, ev = _graph(s, f.flag_id)
    rows = {f"{label}:{i['key']}" for i in ev if i.get("table") == table}
    assert rows and rows <= set(g["nodes"])
    key = TABLES[table].key_columns[0]
    assert all(g["nodes"][r]["properties"][key] == r.split(":", 1)[1] for r in rows)


def test_evidence_tables_have_one_row_shape_per_kind(force: tuple[Settings, pd.DataFrame]) -> None:
    s, flags = force
    seen: set[str] = set()
    with Workspace(s) as ws:
        for _, f in flags.groupby("detector").head(1).iterrows():
            shown = ops.show(ws, LOOK, f.flag_id)
            tables = shown["evidence_tables"]
            kinds = [t["kind"] for t in tables]
            assert len(kinds) == len(set(kinds)), f.detector
            # every evidence item is in the table of its kind
            raw = json.loads(f.evidence)
            assert sorted(kinds) == sorted({ops.evidence_kind(i) for i in raw}), f.detector
            for t in tables:
                assert t["rows"] and all(list(r) == t["columns"] for r in t["rows"]), (f.detector, t["kind"])
                if t["kind"] in TABLES:  # a source table's rows as held, with their provenance
                    assert TABLES[t["kind"]].key_columns[0] in t["columns"] and "source_line" in t["columns"]
                seen.add(t["kind"])
    assert {"shifts", "system_access", "complaints", "path", "group", "forms"} <= seen


@pytest.mark.parametrize("count", [1, 10, ops.EQUALITIES_MAX, ops.EQUALITIES_MAX + 1, 200])
def test_event_rows_are_the_rows_named_however_many(force: tuple[Settings, pd.DataFrame], count: int) -> None:
    """A flag's event rows are found by equalities (few keys) or one ``IN`` (many): both
    give every row named, once, in key order, and nothing else."""
    s, _ = force
    with Workspace(s) as ws:
        keys = [str(r[0]) for r in ws.events.con.execute("SELECT access_id FROM system_access").fetchall()]
        wanted = keys[:: max(1, len(keys) // count)][:count]
        items = [{"table": "system_access", "key": k} for k in [*wanted, wanted[0], "no-such-row"]]
        got = ops.event_rows(ws.events, items)["system_access"]
    assert [r["access_id"] for r in got] == sorted(wanted)
    assert all(r["source_line"] for r in got)
    with Workspace(s) as ws:  # none asked for: none, not a query without a condition
        assert ops.event_rows(ws.events, items, limit=0) == {}
