"""Ingest: validation, quarantine, idempotence, history, on a generated force."""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from graph.settings import Settings
from graph.store import GraphStore
from graph.workspace import open_store
from ingest.reader import SourceFileError
from ingest.run import ingest_dir
from synthetic import generate
from tests.conftest import embedded_settings


def write_force(d: Path, officers: int = 150, seed: int = 3) -> Path:
    return generate(officers=officers, seed=seed).write(d)


def test_generated_force_loads_everything(
    store: GraphStore, store_settings: Settings, tmp_path: Path
) -> None:
    src = write_force(tmp_path / "src")
    rep = ingest_dir(store, src, store_settings.data_dir)
    assert rep.rows_read == rep.rows_loaded + rep.rows_quarantined
    assert rep.rows_quarantined == 0
    counts = store.counts()
    n_officers = len(pd.read_csv(src / "officers.csv"))
    assert counts["Officer"] == n_officers and counts["IN_UNIT"] == n_officers
    assert counts["Membership"] == len(pd.read_csv(src / "memberships.csv"))
    manifest = json.loads(rep.manifest_file.read_text())
    assert {f["table"] for f in manifest["files"]} == {
        "sites",
        "units",
        "officers",
        "organisations",
        "memberships",
        "declarations",
    }
    assert all(len(f["sha256"]) == 64 for f in manifest["files"])
    assert store.counts()["IngestRun"] == 1
    # each stage is timed, in the order it ran, and the stages fit inside the run
    assert list(manifest["stages"])[:2] == ["read and validate entity tables", "graph load (entity tables)"]
    assert {"resolve membership lists", "link shared identifiers"} <= set(manifest["stages"])
    assert "merge event tables" not in manifest["stages"]  # no event tables in this force
    assert 0 < sum(rep.stages.values()) <= rep.seconds


def test_second_ingest_changes_nothing(store: GraphStore, store_settings: Settings, tmp_path: Path) -> None:
    src = write_force(tmp_path / "src")
    ingest_dir(store, src, store_settings.data_dir)
    q = "MATCH (o:Officer) RETURN o.uid AS uid, o.last_seen AS seen, o.run_id AS run ORDER BY uid"
    before = store.query(q)
    counts = store.counts()
    rep = ingest_dir(store, src, store_settings.data_dir)
    assert set(rep.unchanged) == {
        "sites",
        "units",
        "officers",
        "organisations",
        "memberships",
        "declarations",
    }
    assert store.query(q) == before
    after = store.counts()
    assert after.pop("IngestRun") == counts.pop("IngestRun") + 1
    assert after == counts


def test_newer_export_updates_and_retires(tmp_path: Path) -> None:
    s = embedded_settings(tmp_path)
    src = write_force(tmp_path / "src")
    with open_store(s) as st:
        ingest_dir(st, src, s.data_dir)
        first = st.node("Officer:100001")["properties"]
        off = pd.read_csv(src / "officers.csv", dtype=str)
        off.loc[off["officer_id"] == "100001", "rank"] = "CSUPT"
        gone = off.loc[off["line_manager_id"].isna() & (off["officer_id"] != "100001"), "officer_id"].iloc[0]
        off = off[off["officer_id"] != gone]
        newer = tmp_path / "newer"
        newer.mkdir()
        off.to_csv(newer / "officers.csv", index=False)
        time.sleep(1 - time.time() % 1)  # runs are timed to the second: the next one is later
        rep = ingest_dir(st, newer, s.data_dir)
        stats = {x.name: x for x in rep.loads}
        assert stats["Officer"].changed == 1 and stats["Officer"].retired == 1
        now = st.node("Officer:100001")["properties"]
        assert now["rank"] == "CSUPT" and now["first_seen"] == first["first_seen"]
        assert now["last_seen"] > first["last_seen"]
        assert st.node(f"Officer:{gone}")["properties"]["retired_at"] is not None


BAD_OFFICERS = """officer_id,surname,forenames,staff_type,unit_id,work_pattern,start_date,end_date,date_of_birth,shoe_size
1,Ash,Ann,officer,U1,office,2010-01-01,,1970-01-01,9
2,Birch,Bob,wizard,U1,office,2010-01-01,,1970-01-01,10
3,Cedar,Cy,officer,U9,hybrid,2010-01-01,,1970-01-01,
,Damson,Di,officer,U1,office,2010-01-01,,1970-01-01,
5,Elm,Ed,officer,U1,office,2010-13-45,,1970-01-01,
6,Fir,Flo,officer,U1,office,2015-01-01,2014-01-01,1970-01-01,
1,Ash,Again,officer,U1,office,2010-01-01,,1970-01-01,
7,"Gum, Jr","Gil
Gus",staff,U1,frontline,2010-01-01,,1971-02-03,11
"""


def test_bad_rows_are_quarantined_with_reasons(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "units.csv").write_text("unit_id,name\nU1,Response\n")
    (src / "officers.csv").write_text(BAD_OFFICERS)
    s = embedded_settings(tmp_path)
    with open_store(s) as st:
        rep = ingest_dir(st, src, s.data_dir)
        q = pd.read_csv(rep.quarantine_file)
        # U9 is no unit: an optional reference, so officer 3 loads without the link (recorded)
        assert rep.rows_read == 9 and rep.rows_loaded == 4 and rep.rows_quarantined == 5
        assert rep.links_dropped == 1
        got = {(int(r.line), r.column): r.reason for r in q.itertuples()}
        assert set(got) == {
            (3, "staff_type"),
            (4, "unit_id"),
            (5, "officer_id"),
            (6, "start_date"),
            (7, "end_date"),
            (8, "officer_id"),
        }
        assert dict(zip(q["line"], q["action"], strict=True))[4] == "link dropped"
        assert "unknown value" in got[(3, "staff_type")] and "'wizard'" in got[(3, "staff_type")]
        assert "points to no units.unit_id" in got[(4, "unit_id")]
        assert "the link is dropped, the row kept" in got[(4, "unit_id")]
        assert st.node("Officer:3")["properties"]["surname"] == "Cedar"
        in_unit = "MATCH (o:Officer)-[:IN_UNIT]->() RETURN o.officer_id AS id ORDER BY id"
        assert st.query(in_unit) == [{"id": "1"}, {"id": "7"}]
        assert "missing required value" in got[(5, "officer_id")]
        assert "not a date" in got[(6, "start_date")]
        assert "end_date is before start_date" in got[(7, "end_date")]
        assert "duplicate key" in got[(8, "officer_id")]
        assert json.loads(q.loc[q["line"] == 3, "raw"].iloc[0])["surname"] == "Birch"
        assert set(q["file"]) == {"officers.csv"}
        gum = st.node("Officer:7")["properties"]  # quoted comma and newline survive
        assert gum["surname"] == "Gum, Jr" and gum["forenames"] == "Gil\nGus"
        assert json.loads(st.node("Officer:1")["properties"]["extra"]) == {"shoe_size": "9"}


def test_csv_gz_and_parquet(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    with gzip.open(src / "units.csv.gz", "wt") as f:
        f.write("unit_id,name\n007,Covert\n")
    pd.DataFrame(
        {
            "officer_id": ["01"],
            "staff_type": ["officer"],
            "unit_id": ["007"],
            "date_of_birth": [pd.Timestamp("1980-02-03").date()],
        }
    ).to_parquet(src / "officers.parquet")
    s = embedded_settings(tmp_path)
    with open_store(s) as st:
        rep = ingest_dir(st, src, s.data_dir)
        assert rep.rows_quarantined == 0
        o = st.node("Officer:01")["properties"]
        assert o["officer_id"] == "01" and str(o["date_of_birth"]) == "1980-02-03"
        assert st.query("MATCH (:Officer)-[:IN_UNIT]->(u:Unit) RETURN u.unit_id AS u") == [{"u": "007"}]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"officer_id,staff_type\n1,officer\n2,\xff\xfeofficer\n", "not UTF-8"),
        (b"1,Ash,officer\n2,Birch,staff\n", "no header row with the officers columns"),
        (b"officer_id,surname\n1,Ash\n", "required column(s) missing: staff_type"),
        (b"", "empty file"),
    ],
)
def test_unreadable_files_fail_clearly(tmp_path: Path, content: bytes, message: str) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "officers.csv").write_bytes(content)
    s = embedded_settings(tmp_path)
    with open_store(s) as st, pytest.raises(SourceFileError) as e:
        ingest_dir(st, src, s.data_dir)
    assert "officers.csv" in str(e.value) and message in str(e.value)


def test_folder_without_tables(tmp_path: Path) -> None:
    s = embedded_settings(tmp_path)
    with open_store(s) as st, pytest.raises(FileNotFoundError, match="no source tables"):
        ingest_dir(st, tmp_path, s.data_dir)


def test_membership_resolution_and_declaration_links(tmp_path: Path) -> None:
    s = embedded_settings(tmp_path)
    force = generate(officers=200, seed=11)
    src = force.write(tmp_path / "src")
    with open_store(s) as st:
        rep = ingest_dir(st, src, s.data_dir)
        res = pd.read_csv(rep.run_dir / "resolution.csv")
        mem = force.tables["memberships"]
        namesakes = set(mem.loc[mem["membership_id"].str.startswith("N"), "membership_id"])
        resolved = set(res.loc[res["status"] == "resolved", "membership_id"])
        assert not namesakes & resolved  # same name, other date of birth: never linked
        officers_entries = set(mem.loc[mem["membership_id"].str.startswith("M"), "membership_id"])
        assert resolved <= officers_entries  # members of the public are never linked
        assert resolved == officers_entries  # every officer's entry is found (name variants, no DOB)
        links = st.query(
            "MATCH (o:Officer)-[m:MEMBER_OF]->(g:Organisation) RETURN o.officer_id AS o, "
            "m.membership_id AS mid, m.score AS score, m.matched_on AS fields, m.match_weights AS w"
        )
        assert {r["mid"] for r in links} == resolved
        assert all(r["score"] >= 0.95 and {"surname", "forenames"} <= set(r["fields"]) for r in links)
        weights = json.loads(links[0]["w"])
        assert {w["field"] for w in weights} >= {"surname", "date_of_birth", "postcode"}
        decl = force.tables["declarations"]
        by_name = decl[decl["org_id"].isna()]
        about = st.query(
            "MATCH (d:Declaration)-[a:ABOUT]->(g:Organisation) RETURN d.declaration_id AS d, "
            "a.matched_by AS how"
        )
        assert len(about) == len(decl)
        assert {r["d"] for r in about if r["how"] == "org_name"} == set(by_name["declaration_id"])


def test_every_entity_table_and_shared_identifiers(store: GraphStore, store_settings: Settings) -> None:
    src = Path(__file__).parent / "data" / "entities"
    rep = ingest_dir(store, src, store_settings.data_dir)
    assert rep.rows_read == rep.rows_loaded + rep.rows_quarantined
    q = pd.read_csv(rep.quarantine_file)
    assert sorted(zip(q["file"], q["line"], q["column"], q["action"], strict=True)) == [
        ("assignments.csv", 5, "end_date", "row quarantined"),  # ends before it starts
        ("complaint_subjects.csv", 5, "officer_id", "row quarantined"),  # O4 is not an officer
        ("records.csv", 5, "person_id", "link dropped"),  # P9 is not a person: R4 loads unlinked
    ]
    c = store.counts()
    assert (c["Person"], c["CaseFile"], c["Record"], c["Complaint"]) == (3, 2, 4, 2)
    assert (c["ASSIGNED_TO"], c["ON_CASE"], c["CONCERNS"], c["IN_CASE"], c["NAMED_IN"]) == (3, 2, 2, 2, 3)
    assert store.query("MATCH (p:Person {person_id: 'P1'}) RETURN p.nominal_flags AS f") == [
        {"f": ["ocg", "firearms"]}
    ]
    # O1 shares postcode+surname with P1 and a phone with P3; O2 an address with P2
    links = store.query(
        "MATCH (o:Officer)-[:HAS_IDENTIFIER]->(i:Identifier)<-[:HAS_IDENTIFIER]-(p:Person) "
        "RETURN o.officer_id AS officer, i.kind AS kind, p.person_id AS person ORDER BY officer, kind, person"
    )
    assert links == [
        {"officer": "O1", "kind": "phone", "person": "P3"},
        {"officer": "O1", "kind": "postcode_surname", "person": "P1"},
        {"officer": "O2", "kind": "address", "person": "P2"},
    ]
    paths = store.shortest_paths("Officer:O1", "Person:P1", max_hops=4)
    assert [[n["id"] for n in p["nodes"]] for p in paths] == [
        ["Officer:O1", "Identifier:postcode_surname:AB12CD|ash", "Person:P1"]
    ]


def test_event_tables_go_to_the_event_store(store: GraphStore, store_settings: Settings) -> None:
    data = Path(__file__).parent / "data"
    ingest_dir(store, data / "entities", store_settings.data_dir)
    rep = ingest_dir(store, data / "events", store_settings.data_dir)
    assert rep.rows_read == rep.rows_loaded + rep.rows_quarantined
    q = pd.read_csv(rep.quarantine_file)
    got = sorted(zip(q["file"], q["line"], q["column"], strict=True))
    assert got == [
        ("badge_events.csv", 5, "direction"),
        ("badge_events.csv", 6, "ts"),
        ("roster_changes.csv", 4, "shift_id"),  # SH4 was quarantined, so it is no shift
        ("roster_changes.csv", 5, "shift_id"),  # SHX is no shift
        ("shifts.csv", 5, "end"),  # ends before it starts
        ("shifts.csv", 6, "pay_code"),  # double_time is not a pay code
        ("shifts.csv", 7, "shift_id"),  # SH1 twice
        ("shifts.csv", 8, "officer_id"),  # O9 is no officer
        ("system_access.csv", 6, "record_id"),  # R404 is no record
    ]
    assert q.loc[q["file"] == "shifts.csv", "reason"].iloc[0] == "end: end is not after start"
    from graph.events import EventStore

    ev = EventStore(store_settings.data_dir)
    try:
        assert {
            t: ev.count(t)
            for t in ("shifts", "roster_changes", "badge_events", "remote_sessions", "system_access")
        } == {"shifts": 3, "roster_changes": 2, "badge_events": 3, "remote_sessions": 2, "system_access": 5}
        naive = ev.con.execute("SELECT start FROM shifts WHERE shift_id = 'SH2'").fetchone()[0]
        assert naive.isoformat().startswith("2024-03-05T07:00:00")  # GMT in March: London = UTC
    finally:
        ev.close()
    acc = store.query(
        "MATCH (o:Officer)-[a:ACCESSED]->(r:Record) RETURN o.officer_id AS officer, r.record_id AS record, "
        "a.count AS n, a.no_purpose AS no_purpose, a.outside_case AS outside, a.systems AS systems, "
        "a.reasons AS reasons ORDER BY officer, record"
    )
    # O3's lookup of R2 is within O3's own case, with a purpose code: routine, so it is in the
    # event store (5 rows above) but not a graph link
    assert acc == [
        {
            "officer": "O1",
            "record": "R1",
            "n": 3,
            "no_purpose": 2,
            "outside": 3,  # C1 is O2's case, not O1's
            "systems": ["CRIS", "PNC"],
            "reasons": ["no_purpose", "personal_link"],  # R1 is about P1: same postcode and surname
        },
        {
            "officer": "O2",
            "record": "R2",
            "n": 1,
            "no_purpose": 0,
            "outside": 1,
            "systems": ["CRIS"],
            "reasons": ["sensitive_outside_case", "personal_link"],  # a victim; P2 lives at O2's address
        },
    ]
    selfie = store.query(
        "MATCH (a:Officer)-[r:APPROVED_SHIFTS_OF]->(b:Officer) WHERE a.uid = b.uid "
        "RETURN a.officer_id AS officer, r.count AS n, r.paid_extra AS extra"
    )
    assert selfie == [{"officer": "O1", "n": 1, "extra": 1}]
    att = store.query(
        "MATCH (o:Officer)-[a:ATTENDED]->(s:Site) RETURN o.officer_id AS officer, a.days AS days"
    )
    assert att == [{"officer": "O1", "days": 2}]
    # the same folder again: nothing to do
    again = ingest_dir(store, data / "events", store_settings.data_dir)
    assert {"shifts", "roster_changes", "badge_events", "remote_sessions", "system_access"} <= set(
        again.unchanged
    )


def test_event_export_updates_by_key_and_bad_event_files_fail_clearly(tmp_path: Path) -> None:
    s = embedded_settings(tmp_path)
    data = Path(__file__).parent / "data"
    with open_store(s) as st:
        ingest_dir(st, data / "entities", s.data_dir)
        ingest_dir(st, data / "events", s.data_dir)
        newer = tmp_path / "newer"
        newer.mkdir()
        shifts = pd.read_csv(data / "events" / "shifts.csv", dtype=str)
        shifts.loc[shifts["shift_id"] == "SH3", "hours_claimed"] = "12"
        extra = {
            "shift_id": "SH9",
            "officer_id": "O3",
            "start": "2024-04-01T09:00:00Z",
            "end": "2024-04-01T17:00:00Z",
            "duty_type": "day",
            "pay_code": "basic",
            "status": "planned",
        }
        pd.concat([shifts.iloc[[0, 2]], pd.DataFrame([extra])]).to_csv(newer / "shifts.csv", index=False)
        rep = ingest_dir(st, newer, s.data_dir)
        read = next(t for t in rep.tables if t.table.name == "shifts")
        assert (read.rows_read, read.new, read.changed) == (3, 1, 1)  # SH9 new, SH3 changed, SH1 same
        from graph.events import EventStore

        ev = EventStore(s.data_dir)
        try:
            assert ev.count("shifts") == 4  # SH2 is not in the newer export: events are kept
            assert ev.con.execute("SELECT hours_claimed FROM shifts WHERE shift_id = 'SH3'").fetchall() == [
                (12.0,)
            ]
        finally:
            ev.close()
        bad = tmp_path / "bad"
        bad.mkdir()
        (bad / "badge_events.csv").write_text("event_id,officer_id,ts\nB1,O1,2024-01-01T00:00:00Z\n")
        with pytest.raises(
            SourceFileError, match=r"badge_events.csv: required column\(s\) missing: site_id, direction"
        ):
            ingest_dir(st, bad, s.data_dir)
        (bad / "badge_events.csv").write_bytes(
            b"event_id,officer_id,site_id,ts,direction\nB1,O1,S1,\xff\xfe,in\n"
        )
        with pytest.raises(SourceFileError, match=r"badge_events\.csv"):
            ingest_dir(st, bad, s.data_dir)


def test_access_link_policy_all_and_repeat(tmp_path: Path) -> None:
    from graph.events import EventStore
    from ingest.events import aggregate_links, set_access_context
    from ingest.run import access_context

    s = embedded_settings(tmp_path)
    data = Path(__file__).parent / "data"
    with open_store(s) as st:
        ingest_dir(st, data / "entities", s.data_dir)
        ingest_dir(st, data / "events", s.data_dir, access_links="all")
        # every pair is a link in "all" mode, routine ones with no reason
        got = st.query(
            "MATCH (o:Officer)-[a:ACCESSED]->(r:Record) RETURN o.officer_id AS officer, r.record_id AS record, "
            "a.reasons AS reasons ORDER BY officer, record"
        )
        assert [(g["officer"], g["record"], g["reasons"]) for g in got] == [
            ("O1", "R1", ["no_purpose", "personal_link"]),
            ("O2", "R2", ["sensitive_outside_case", "personal_link"]),
            ("O3", "R2", []),
        ]
        ctx = access_context(st)
    ev = EventStore(s.data_dir)
    try:
        set_access_context(ev, ctx)
        links = aggregate_links(ev, "ACCESSED", access_repeat=3)
        assert links is not None
        assert links.loc[links["src"] == "Officer:O1", "reasons"].iloc[0] == [
            "no_purpose",
            "repeated",
            "personal_link",
        ]
        with pytest.raises(ValueError, match="notable"):
            aggregate_links(ev, "ACCESSED", access_links="some")
    finally:
        ev.close()


def test_event_parquet_with_native_timestamps_is_validated_the_same(tmp_path: Path) -> None:
    """Typed Parquet columns are read as they are; required values and time order are
    still checked, and the quarantined raw row shows the typed values."""
    data = Path(__file__).parent / "data"
    src = tmp_path / "ev"
    src.mkdir()
    shifts = pd.read_csv(data / "events" / "shifts.csv", dtype=str)
    for c in ("start", "end", "created_at", "approved_at"):
        shifts[c] = pd.to_datetime(shifts[c], utc=True, format="mixed")
    shifts["hours_claimed"] = shifts["hours_claimed"].astype(float)
    shifts.loc[shifts["shift_id"] == "SH5", "end"] = pd.NaT  # a missing required end
    shifts.to_parquet(src / "shifts.parquet")
    (src / "sites.csv").write_text((data / "events" / "sites.csv").read_text())
    s = embedded_settings(tmp_path)
    with open_store(s) as st:
        ingest_dir(st, data / "entities", s.data_dir)
        rep = ingest_dir(st, src, s.data_dir)
    q = pd.read_csv(rep.quarantine_file)
    got = {(int(r.line), r.column) for r in q.itertuples()}
    assert got == {
        (4, "end"),  # SH4 ends before it starts
        (5, "end;pay_code"),  # SH5: no end, and double_time is no pay code
        (6, "shift_id"),
        (7, "officer_id"),
    }
    read = next(t for t in rep.tables if t.table.name == "shifts")
    assert (read.rows_read, read.rows_valid) == (7, 3)
    raw = json.loads(q.loc[q["line"] == 4, "raw"].iloc[0])
    assert raw["end"].startswith("2024-03-07")


@pytest.mark.parametrize("resolver", ["exact", "splink"])
def test_persons_are_resolved_on_membership_lists(tmp_path: Path, resolver: str) -> None:
    """A flagged person on a company register resolves to the Person node, so an officer
    who is a (declared) co-member is two hops from them."""
    force = generate(officers=300, seed=1, days=28)
    t = force.truth
    planted = t[(t["detector"] == "network.hidden_link") & t["note"].str.contains("co-member")]
    assert len(planted) == 1
    officer = planted["officer_id"].iloc[0]
    person = planted["note"].iloc[0].split(" with ")[1].split(" ")[0]
    s = embedded_settings(tmp_path)
    with open_store(s) as st:
        rep = ingest_dir(st, force.write(tmp_path / "src"), s.data_dir, resolver=resolver)
        assert rep.person_resolution.get("resolved", 0) >= 1
        res = pd.read_csv(rep.run_dir / "resolution-persons.csv")
        if resolver == "splink":
            assert res["candidates"].dropna().str.contains('"person_id"').any()
            assert not res["candidates"].dropna().str.contains('"officer_id"').any()
        mem = force.tables["memberships"]
        linked = st.query(
            "MATCH (m:Membership)-[:RESOLVED_TO]->(p:Person) RETURN m.membership_id AS mid, p.person_id AS pid"
        )
        assert {r["mid"] for r in linked} == set(res.loc[res["status"] == "resolved", "membership_id"])
        # the register entry of the flagged person is among them, and officers' entries are not
        entry = mem.loc[
            mem["member_surname"].str.upper()
            == force.tables["persons"].set_index("person_id").loc[person, "surname"].upper()
        ]
        assert {"pid": person} in [{"pid": r["pid"]} for r in linked]
        assert not entry.empty
        paths = st.shortest_paths(
            f"Officer:{officer}", f"Person:{person}", max_hops=2, rel_types=["MEMBER_OF"]
        )
        assert [[n["id"].split(":")[0] for n in p["nodes"]] for p in paths] == [
            ["Officer", "Organisation", "Person"]
        ]
        # officer links are still there: loading both kinds together retired neither
        assert (
            st.query("MATCH (:Officer)-[m:MEMBER_OF]->() WHERE m.retired_at IS NULL RETURN count(*) AS n")[0][
                "n"
            ]
            > 0
        )


LINK_COLUMNS = {
    "ACCESSED": "a.count AS count, a.first_at AS first_at, a.last_at AS last_at, a.systems AS systems, "
    "a.no_purpose AS no_purpose, a.outside_case AS outside_case, a.reasons AS reasons",
    "ATTENDED": "a.days AS days, a.first_at AS first_at, a.last_at AS last_at",
    "ROSTERED_AT": "a.shifts AS shifts, a.hours AS hours, a.first_at AS first_at, a.last_at AS last_at",
    "APPROVED_SHIFTS_OF": "a.count AS count, a.paid_extra AS paid_extra, a.first_at AS first_at, "
    "a.last_at AS last_at",
    "EDITED_ROSTER_OF": "a.count AS count, a.first_at AS first_at, a.last_at AS last_at",
}


def _links(st: GraphStore, rel_type: str) -> list[dict[str, object]]:
    return st.query(
        f"MATCH (o)-[a:{rel_type}]->(x) WHERE a.retired_at IS NULL RETURN o.uid AS src, x.uid AS dst, "
        f"{LINK_COLUMNS[rel_type]} ORDER BY src, dst"
    )


def test_a_days_events_update_only_the_links_they_touch(store_settings: Settings, tmp_path: Path) -> None:
    """An export of one more day's events (lookups, swipes and shifts, some correcting
    earlier rows) re-aggregates only the pairs those rows touch (and, for a corrected row,
    the pair it was in before); the links come out exactly as an ingest of everything at
    once makes them, on both stores."""
    from graph.workspace import open_store

    src = generate(officers=60, seed=5, days=20).write(tmp_path / "all")
    sa = pd.read_csv(src / "system_access.csv", dtype=str, keep_default_na=False)
    be = pd.read_csv(src / "badge_events.csv", dtype=str, keep_default_na=False)
    sh = pd.read_csv(src / "shifts.csv", dtype=str, keep_default_na=False)
    rc = pd.read_csv(src / "roster_changes.csv", dtype=str, keep_default_na=False)
    last = sorted(sa["ts"].str[:10].unique())[-1]
    day1 = tmp_path / "day1"
    day1.mkdir()
    events = ("system_access.csv", "badge_events.csv", "shifts.csv", "roster_changes.csv")
    for f in src.glob("*.csv"):
        if f.name not in events:
            (day1 / f.name).write_bytes(f.read_bytes())
    late = sh["start"].str[:10] == sh["start"].str[:10].max()  # the shifts of the last rostered day
    sa[sa["ts"].str[:10] < last].to_csv(day1 / "system_access.csv", index=False)
    be[be["ts"].str[:10] < last].to_csv(day1 / "badge_events.csv", index=False)
    sh[~late].to_csv(day1 / "shifts.csv", index=False)
    on_late = rc["shift_id"].isin(sh.loc[late, "shift_id"])
    rc[~on_late].to_csv(day1 / "roster_changes.csv", index=False)
    day2 = tmp_path / "day2"
    day2.mkdir()
    new_sa = sa[sa["ts"].str[:10] == last].copy()
    fix = sa[sa["ts"].str[:10] < last].head(3).copy()  # three corrected earlier lookups
    fix["purpose_code"] = ""
    pd.concat([new_sa, fix]).to_csv(day2 / "system_access.csv", index=False)
    be[be["ts"].str[:10] == last].to_csv(day2 / "badge_events.csv", index=False)
    # two corrected earlier shifts: one moved to another site, one approved by someone else
    worked = sh[~late & (sh["status"] == "worked") & (sh["site_id"] != "") & (sh["approved_by"] != "")]
    moved = worked.head(2).copy()
    sites = pd.read_csv(src / "sites.csv", dtype=str)["site_id"]
    assert len(moved) == 2
    moved.iloc[0, moved.columns.get_loc("site_id")] = next(x for x in sites if x != moved.iloc[0]["site_id"])
    moved.iloc[1, moved.columns.get_loc("approved_by")] = next(
        x
        for x in sh["officer_id"].unique()
        if x not in (moved.iloc[1]["approved_by"], moved.iloc[1]["officer_id"])
    )
    # a shift with edits on it given to another officer (who edited whose roster moves with
    # it), and an earlier edit corrected to another editor
    edited = sh[
        ~late & sh["shift_id"].isin(rc.loc[~on_late, "shift_id"]) & ~sh["shift_id"].isin(moved["shift_id"])
    ]
    given = edited.head(1).copy()
    assert len(given) == 1
    given.iloc[0, given.columns.get_loc("officer_id")] = next(
        x for x in sh["officer_id"].unique() if x != given.iloc[0]["officer_id"]
    )
    moved = pd.concat([moved, given])
    fixed_edit = rc[~on_late & ~rc["shift_id"].isin(moved["shift_id"])].head(1).copy()
    fixed_edit.iloc[0, fixed_edit.columns.get_loc("changed_by")] = next(
        x for x in sh["officer_id"].unique() if x != fixed_edit.iloc[0]["changed_by"]
    )
    assert late.any()
    pd.concat([sh[late], moved]).to_csv(day2 / "shifts.csv", index=False)
    pd.concat([rc[on_late], fixed_edit]).to_csv(day2 / "roster_changes.csv", index=False)

    whole = tmp_path / "whole"
    whole.mkdir()
    for f in day1.glob("*.csv"):
        (whole / f.name).write_bytes(f.read_bytes())
    fixed = sa.set_index("access_id")
    fixed.loc[fix["access_id"], "purpose_code"] = ""
    fixed.reset_index().to_csv(whole / "system_access.csv", index=False)
    be.to_csv(whole / "badge_events.csv", index=False)
    shifts = sh.set_index("shift_id")
    shifts.loc[moved["shift_id"]] = moved.set_index("shift_id")
    shifts.reset_index().to_csv(whole / "shifts.csv", index=False)
    edits = rc.set_index("change_id")
    edits.loc[fixed_edit["change_id"]] = fixed_edit.set_index("change_id")
    edits.reset_index().to_csv(whole / "roster_changes.csv", index=False)

    with open_store(store_settings) as st:
        ingest_dir(st, day1, store_settings.data_dir)
        rep = ingest_dir(st, day2, store_settings.data_dir)
        steps = {ld.name: ld for ld in rep.loads}
        for rel_type in (
            "ACCESSED",
            "ROSTERED_AT",
            "APPROVED_SHIFTS_OF",
            "EDITED_ROSTER_OF",
        ):  # touched pairs
            assert steps[rel_type].read < len(_links(st, rel_type))
        got = {t: _links(st, t) for t in LINK_COLUMNS}
        if st.name == "neo4j":
            st.wipe()  # type: ignore[attr-defined]
    other = Settings(**{**store_settings.model_dump(), "data_dir": tmp_path / "other"})
    with open_store(other) as st:
        ingest_dir(st, whole, other.data_dir)
        want = {t: _links(st, t) for t in LINK_COLUMNS}
    assert got == want
    assert len(want["ACCESSED"]) > 50 and len(want["ATTENDED"]) > 20


def test_derived_links_are_kept_when_their_inputs_are_unchanged(tmp_path: Path) -> None:
    """A day's export re-sends the officers with a promotion: membership resolution and the
    shared identifiers read nothing that changed, so they are not computed again; a changed
    surname or phone is an input of both, and they are."""
    s = embedded_settings(tmp_path)
    src = generate(officers=150, seed=3, days=20).write(tmp_path / "src")
    off = pd.read_csv(src / "officers.csv", dtype=str)
    with open_store(s) as st:
        first = ingest_dir(st, src, s.data_dir)
        assert set(first.derived_inputs) == {"resolution", "identifiers", "access_context"}
        n_ids = st.counts().get("Identifier", 0)

        def again(name: str, frame: pd.DataFrame) -> Any:
            d = tmp_path / name
            d.mkdir()
            frame.to_csv(d / "officers.csv", index=False)
            (d / "system_access.csv").write_bytes((src / "system_access.csv").read_bytes())
            time.sleep(1 - time.time() % 1)  # runs are timed to the second: the next one is later
            return ingest_dir(st, d, s.data_dir)

        promoted = off.copy()
        promoted.loc[promoted["officer_id"] == "100001", "rank"] = "CSUPT"
        rep = again("promoted", promoted)
        kept = [w for w in rep.warnings if "are as the last run's" in w]
        assert sorted(w.split(":")[0] for w in kept) == ["access_context", "identifiers", "resolution"]
        assert rep.resolution == first.resolution
        # officers.csv is one of the tables the ACCESSED policy judges by, but a promotion
        # changes nothing it reads: no pair is judged again
        loaded = {x.name for x in rep.loads}
        assert not loaded & {"Identifier", "HAS_IDENTIFIER", "MEMBER_OF", "ACCESSED"}

        renamed = promoted.copy()
        renamed.loc[renamed["officer_id"] == "100002", ["surname", "phone"]] = ["Zed-Newname", "07700 900999"]
        rep = again("renamed", renamed)
        assert not [w for w in rep.warnings if "are as the last run's" in w and "access_context" not in w]
        assert {"Identifier", "HAS_IDENTIFIER", "MEMBER_OF"} <= {x.name for x in rep.loads}
        assert st.counts().get("Identifier", 0) >= n_ids


def test_facts_of_some_officers_and_records_are_those_of_all(
    store_settings: Settings, tmp_path: Path
) -> None:
    """The ACCESSED policy reads a day's context for the pairs it judges only: the facts of
    some officers and records are exactly the rows of all the facts about them."""
    from graph.facts import SCOPED, graph_facts, graph_facts_of
    from graph.workspace import open_store

    src = generate(officers=80, seed=7, days=15).write(tmp_path / "src")
    with open_store(store_settings) as st:
        ingest_dir(st, src, store_settings.data_dir)
        whole = graph_facts(st, list(SCOPED))
        linked = whole["g_linked"]["officer_id"].drop_duplicates().head(3).tolist()
        officers = sorted({*linked, *whole["g_case_assignments"]["officer_id"].head(5)})
        records = whole["g_records"]["record_id"].sample(40, random_state=1).tolist()
        assert linked and officers and records
        some = graph_facts_of(st, [f"Officer:{o}" for o in officers], [f"Record:{r}" for r in records])
        if st.name == "neo4j":
            st.wipe()  # type: ignore[attr-defined]
    key = {"g_records": ("record_id", records), "g_case_assignments": ("officer_id", officers)}
    key["g_linked"] = ("officer_id", officers)
    for name, (col, ids) in key.items():
        want = whole[name][whole[name][col].isin(ids)]
        got = some[name]
        assert len(want) > 0
        assert sorted(map(repr, got.itertuples(index=False))) == sorted(
            map(repr, want.itertuples(index=False))
        )
