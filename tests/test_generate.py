"""The synthetic force: contract-valid, deterministic, streamed equals in memory, and
planted cases (with innocent look-alikes) for every detector family that the data shows."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from ingest.contract import TABLE_LIST, TABLES
from ingest.generate import DETECTORS, TRUTH_COLUMNS, Force, generate, write_force
from ingest.identifiers import identifier_links
from ingest.reader import TableRead, find_source, read_table

DAYS = 60


@pytest.fixture(scope="module")
def force() -> Force:
    return generate(officers=300, seed=11, days=DAYS)


def read_all(src: Path) -> dict[str, TableRead]:
    """Every contract table in ``src``, foreign keys checked against this folder (as ``ingest`` does)."""
    reads: dict[str, TableRead] = {}
    for t in TABLE_LIST:
        path = find_source(src, t.name)
        assert path is not None, f"{t.name} not written"
        known: dict[str, set[str] | None] = {}
        for c in t.columns:
            if c.ref:
                ref_table, ref_col = c.ref.split(".")
                known[c.ref] = set(reads[ref_table].valid[ref_col]) if ref_table in reads else set()
        reads[t.name] = read_table(path, t, known)
    return reads


def assert_clean(reads: dict[str, TableRead]) -> None:
    bad = {n: r.quarantine.head(3).to_dict("records") for n, r in reads.items() if len(r.quarantine)}
    assert not bad, bad
    assert all(not r.extra_columns for r in reads.values())


def test_every_table_passes_the_contract_as_csv(force: Force, tmp_path: Path) -> None:
    src = force.write(tmp_path / "csv")
    reads = read_all(src)
    assert set(reads) == set(TABLES) == set(force.tables)
    assert_clean(reads)
    for name, r in reads.items():
        assert r.rows_read == len(force.tables[name]) > 0, name
    # timestamps are written with their offset, in local time
    line = (src / "shifts.csv").read_text().splitlines()[1]
    assert re.search(r",\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[01]:00,", line)


def test_streamed_parquet_passes_the_contract(tmp_path: Path) -> None:
    summary = write_force(tmp_path / "pq", officers=300, days=DAYS, seed=11)
    reads = read_all(tmp_path / "pq")
    assert_clean(reads)
    assert {n: r.rows_read for n, r in reads.items()} == {n: t["rows"] for n, t in summary["tables"].items()}
    assert summary["bytes"] == sum(p.stat().st_size for p in (tmp_path / "pq").glob("*.parquet"))


def test_same_seed_same_files_other_seed_other_force(tmp_path: Path) -> None:
    for d, seed in (("a", 5), ("b", 5), ("c", 6)):
        write_force(tmp_path / d, officers=150, days=30, seed=seed, fmt="csv")
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert "truth.csv" in files and "lookalikes.csv" in files and len(files) == len(TABLES) + 2
    for f in files:
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f
    assert (tmp_path / "a" / "shifts.csv").read_bytes() != (tmp_path / "c" / "shifts.csv").read_bytes()


def test_streamed_equals_in_memory(tmp_path: Path) -> None:
    summary = write_force(tmp_path / "s", officers=2000, days=30, seed=4)
    mem = generate(officers=2000, seed=4, days=30)
    assert {n: t["rows"] for n, t in summary["tables"].items()} == {
        n: len(df) for n, df in mem.tables.items()
    }
    pd.testing.assert_frame_equal(
        pd.read_csv(tmp_path / "s" / "truth.csv", dtype=str).fillna(""), mem.truth.astype(str)
    )
    streamed = pd.read_parquet(tmp_path / "s" / "system_access.parquet")
    assert streamed["access_id"].tolist() == mem.tables["system_access"]["access_id"].tolist()


def test_days_zero_is_the_first_version_and_events_keep_it() -> None:
    first = generate(officers=150, seed=3)
    assert sorted(first.tables) == [
        "declarations",
        "memberships",
        "officers",
        "organisations",
        "sites",
        "units",
    ]
    assert set(first.truth["detector"]) == {"association.undeclared_membership"}
    full = generate(officers=150, seed=3, days=30)
    ident = ["officer_id", "surname", "forenames", "date_of_birth", "home_postcode"]
    pd.testing.assert_frame_equal(first.tables["officers"][ident], full.tables["officers"][ident])
    membership = full.truth[full.truth["detector"] == "association.undeclared_membership"]
    assert sorted(membership["officer_id"]) == sorted(first.truth["officer_id"])
    n = len(first.tables["memberships"])
    pd.testing.assert_frame_equal(first.tables["memberships"], full.tables["memberships"].head(n))


def test_truth_covers_every_detector_with_lookalikes(force: Force) -> None:
    truth, looks = force.truth, force.lookalikes
    assert list(truth.columns) == TRUTH_COLUMNS == list(looks.columns)
    assert set(truth["detector"]) == set(DETECTORS)
    assert set(looks["detector"]) == set(DETECTORS)
    counts = truth["detector"].value_counts()
    assert (counts >= 3).all(), counts
    officers = set(force.tables["officers"]["officer_id"])
    assert set(truth["officer_id"]) <= officers and set(looks["officer_id"]) <= officers
    for det in DETECTORS:  # an innocent look-alike is never also a planted case of that detector
        t = set(truth.loc[truth["detector"] == det, "officer_id"])
        assert not t & set(looks.loc[looks["detector"] == det, "officer_id"]), det
    dated = truth[truth["detector"] != "association.undeclared_membership"]
    assert (dated["window_start"] <= dated["window_end"]).all()
    crews = truth[truth["detector"] == "network.crew"].groupby("group_id")["officer_id"].nunique()
    assert len(crews) >= 2 and (crews >= 3).all()
    assert truth.loc[truth["detector"] != "network.crew", "group_id"].eq("").all()


def planted(force: Force, det: str) -> set[str]:
    return set(force.truth.loc[force.truth["detector"] == det, "officer_id"])


def test_roster_cases_are_what_the_data_shows(force: Force) -> None:
    sh, rc = force.tables["shifts"], force.tables["roster_changes"]
    self_approved = set(sh.loc[sh["approved_by"] == sh["officer_id"], "officer_id"])
    assert self_approved == planted(force, "roster.self_approval")
    m = rc.merge(sh[["shift_id", "officer_id", "end"]], on="shift_id")
    up = (m["field"] == "pay_code") & m["new_value"].isin(["overtime", "bank_holiday"])
    num = lambda c: pd.to_numeric(m[c], errors="coerce")  # noqa: E731
    up |= (m["field"] == "hours_claimed") & (num("new_value") > num("old_value"))
    own_after = m[up & (m["changed_at"] > m["end"]) & (m["changed_by"] == m["officer_id"])]
    assert set(own_after["officer_id"]) == planted(force, "roster.retro_claim")
    # look-alike: raised after the shift by the line manager, with a reason
    by_manager = m[up & (m["changed_at"] > m["end"]) & (m["changed_by"] != m["officer_id"])]
    assert by_manager["reason"].notna().all() and len(by_manager) > 0
    # overtime is approved, except shifts an officer turned into overtime afterwards
    ot = sh[sh["pay_code"].isin(["overtime", "rest_day_worked"]) & (sh["status"] == "worked")]
    assert set(ot.loc[ot["approved_by"].isna(), "officer_id"]) <= planted(force, "roster.retro_claim")


def test_attendance_below_policy_only_where_planted(force: Force) -> None:
    sh, be, off = force.tables["shifts"], force.tables["badge_events"], force.tables["officers"]
    day = lambda s: s.dt.tz_convert("Europe/London").dt.date  # noqa: E731
    office = sh[(sh["duty_type"] == "day") & sh["site_id"].notna() & (sh["pay_code"] == "basic")].assign(
        day=lambda d: day(d["start"])
    )
    office = office[office["officer_id"].isin(off.loc[off["work_pattern"] != "frontline", "officer_id"])]
    swiped = (
        be[be["direction"] == "in"]
        .assign(day=lambda d: day(d["ts"]))[["officer_id", "day"]]
        .drop_duplicates()
    )
    office = office.merge(swiped.assign(seen=True), on=["officer_id", "day"], how="left")
    share = office.groupby("officer_id")["seen"].apply(lambda s: s.fillna(False).mean())
    low = planted(force, "attendance.below_threshold")
    assert low and (share[sorted(low)] < 0.8).all()
    assert (share.drop(sorted(low)) > 0.8).all()


def test_access_and_link_cases_are_what_the_data_shows(force: Force) -> None:
    sa, rec, ca = force.tables["system_access"], force.tables["records"], force.tables["case_assignments"]
    acc = sa.merge(rec[["record_id", "case_ref", "person_id"]], on="record_id", suffixes=("", "_record"))
    assigned = set(zip(ca["case_ref"], ca["officer_id"], strict=True))
    nop = acc[acc["purpose_code"].isna()]
    unassigned = nop[
        [(c, o) not in assigned for c, o in zip(nop["case_ref_record"], nop["officer_id"], strict=True)]
    ]
    per_officer = unassigned.groupby("officer_id").size()
    no_purpose = sorted(planted(force, "access.no_purpose"))
    background = per_officer.drop(no_purpose, errors="ignore")
    assert per_officer[no_purpose].min() >= 10 > background.max()  # a forgotten code now and then
    # shared identifiers between officers and people in police records
    off, persons = force.tables["officers"], force.tables["persons"]
    _, rels = identifier_links(
        off[["officer_id", "surname", "home_postcode", "home_address", "phone"]],
        persons[["person_id", "surname", "postcode", "address", "phone"]],
    )
    pairs = rels.merge(rels, on="dst")
    pairs = pairs[pairs["src_x"].str.startswith("Officer:") & pairs["src_y"].str.startswith("Person:")]
    linked = pairs.assign(officer_id=pairs["src_x"].str[8:], person_id=pairs["src_y"].str[7:])
    looked_up = acc.merge(
        linked[["officer_id", "person_id"]].drop_duplicates(), on=["officer_id", "person_id"]
    )
    assert set(looked_up["officer_id"]) == planted(force, "access.personal_link")
    flagged = set(persons.loc[persons["nominal_flags"].fillna("").str.contains("ocg"), "person_id"])
    decl = force.tables["declarations"]
    declared = set(zip(decl["officer_id"], decl["person_id"], strict=True))
    direct = linked[linked["dst"].str.startswith(("Identifier:address:", "Identifier:phone:"))]
    undeclared = {
        o
        for o, p in zip(direct["officer_id"], direct["person_id"], strict=True)
        if p in flagged and (o, p) not in declared
    }
    assert undeclared == planted(force, "association.undeclared_link")
    declared_la = set(
        force.lookalikes.loc[force.lookalikes["detector"] == "association.undeclared_link", "officer_id"]
    )
    assert declared_la <= set(direct.loc[direct["person_id"].isin(flagged), "officer_id"])


def test_volumes_and_types(force: Force) -> None:
    n, t = len(force.tables["officers"]), force.tables
    per_day = {
        k: len(t[k]) / n / DAYS for k in ("shifts", "badge_events", "system_access", "remote_sessions")
    }
    assert 1.0 <= per_day["shifts"] <= 1.1  # one roster row a day, plus overtime
    assert 0.7 <= per_day["badge_events"] <= 1.6
    assert 2.0 <= per_day["system_access"] <= 8.0
    assert 0.03 <= per_day["remote_sessions"] <= 0.3
    assert str(t["shifts"]["start"].dt.tz) == "UTC"
    assert set(t["shifts"]["duty_type"]) >= {
        "early",
        "late",
        "night",
        "day",
        "rest_day",
        "annual_leave",
        "sick",
    }
    assert set(t["shifts"]["pay_code"]) >= {"basic", "overtime", "rest_day_worked", "on_call"}
    assert (t["shifts"]["end"] > t["shifts"]["start"]).all()
    hybrid = set(t["officers"].loc[t["officers"]["work_pattern"] == "hybrid", "officer_id"])
    remote_days = t["shifts"][(t["shifts"]["duty_type"] == "day") & t["shifts"]["site_id"].isna()]
    assert remote_days["officer_id"].isin(hybrid).mean() > 0.5
