"""The synthetic force: contract-valid, deterministic, streamed equals in memory, and
planted cases (with innocent look-alikes) for every detector family that the data shows."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from graph.contract import TABLE_LIST, TABLES
from graph.facts import LINK_HOLDERS
from ingest.identifiers import address_keys
from ingest.reader import TableRead, find_source, read_table
from queries.detectors import DETECTORS as REGISTRY
from synthetic import (
    CODELESS_SYSTEM,
    DETECTORS,
    FORMS,
    LOOKALIKES,
    NO_CODE_SHARE,
    PLACEHOLDER_CODES,
    TRUTH_COLUMNS,
    Force,
    generate,
    write_force,
)
from synthetic.planting import PLANTING

DAYS = 60


@pytest.fixture(scope="module")
def force() -> Force:
    return generate(officers=400, seed=11, days=DAYS)


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
    a, b = first.tables["officers"][ident], full.tables["officers"][ident]
    assert a["officer_id"].tolist() == b["officer_id"].tolist()
    # an officer who moves in with a colleague, or into a namesake colleague's postcode
    # (network.hidden_link), takes that colleague's postcode
    moved = a["home_postcode"] != b["home_postcode"]
    hidden = full.truth[full.truth["detector"] == "network.hidden_link"]["officer_id"].tolist()
    hidden += full.lookalikes[full.lookalikes["detector"] == "network.hidden_link"]["officer_id"].tolist()
    assert set(b.loc[moved, "officer_id"]) <= set(hidden)
    assert set(b.loc[moved, "home_postcode"]) <= set(b.loc[~moved, "home_postcode"])
    # the events give some officers the name of another officer row: a second account of
    # one person (roster.self_approval second_account) or a namesake line manager (the same
    # surname and first forename; one of the two may have a middle name)
    differ = (a[ident[1:4]] != b[ident[1:4]]).any(axis=1)
    assert differ.sum() <= 0.05 * len(a)
    first_names = b[["surname", "forenames"]].assign(forenames=b["forenames"].str.split(" ").str[0])
    names = first_names.apply(tuple, axis=1)
    assert names[differ].map(names.value_counts()).ge(2).all()
    membership = full.truth[full.truth["detector"] == "association.undeclared_membership"]
    # the first version's cases are kept; the events add lapsed and rejected declarations
    first_ids = set(first.truth["officer_id"])
    assert first_ids <= set(membership["officer_id"])
    added = membership[~membership["officer_id"].isin(first_ids)]
    assert set(added["form"]) <= {"lapsed_declaration", "declaration_not_approved"}
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
    crew = truth[truth["detector"] == "network.crew"]
    crews = crew.groupby("group_id")["officer_id"].nunique()
    # groups of three or more, but for two officers approving each other's claims
    pairs = set(crew.loc[crew["form"] == "reciprocal_approval", "group_id"])
    assert len(crews) >= 2 and ((crews >= 3) | (crews.index.isin(pairs) & (crews == 2))).all()
    assert truth.loc[truth["detector"] != "network.crew", "group_id"].eq("").all()


def planted(force: Force, det: str, *forms: str) -> set[str]:
    t = force.truth[force.truth["detector"] == det]
    return set(t.loc[t["form"].isin(forms) if forms else slice(None), "officer_id"])


def looking(force: Force, det: str, *forms: str) -> set[str]:
    t = force.lookalikes[force.lookalikes["detector"] == det]
    return set(t.loc[t["form"].isin(forms) if forms else slice(None), "officer_id"])


NOT_YET_PLANTED: dict[tuple[str, str], str] = {
    # added to the method cards beside the simulator (roster.overtime_overlap at 85b0386;
    # access.no_purpose's closed cases in progress): worked examples measure them
}
"""Forms and look-alikes on a method card that the simulator cannot plant yet: each fails
:func:`test_every_registry_form_and_lookalike_is_planted` (an expected failure, strict: once
planted, take it off this list)."""
SIMULATOR_OWN: set[tuple[str, str]] = set()
"""Look-alikes the simulator plants that no method card lists."""


def card_items() -> list[tuple[str, str, str]]:
    """(detector, "form" or "look-alike", name) for every form and look-alike on every
    registered detector's method card."""
    out = []
    for det, d in REGISTRY.items():
        out += [(det, "form", f.name) for f in d.card.forms]
        out += [(det, "look-alike", la.name) for la in d.card.lookalikes]
    return out


@pytest.fixture(scope="module")
def whole_force() -> Force:
    """A force with everything the simulator can plant planted: a bank holiday in the period,
    rest-day rows (``access.off_duty`` ``rest_day_row``), new starters."""
    return generate(officers=400, seed=1, days=90, rest_day_rows=True)


@pytest.mark.parametrize(
    ("det", "kind", "name"),
    [
        pytest.param(
            det,
            kind,
            name,
            id=f"{det}:{kind}:{name}",
            marks=[pytest.mark.xfail(strict=True, reason=NOT_YET_PLANTED[(det, name)])]
            if (det, name) in NOT_YET_PLANTED
            else [],
        )
        for det, kind, name in card_items()
    ],
)
def test_every_registry_form_and_lookalike_is_planted(
    whole_force: Force, det: str, kind: str, name: str
) -> None:
    """The simulator reads the registry: a detector, form or look-alike added to a method card
    fails here until synthetic/<family>.py plants it (it is never skipped)."""
    planting = PLANTING.get(det)
    assert planting is not None, f"{det}: no PLANTING for this detector in its family's module of synthetic/"
    how = planting.forms if kind == "form" else planting.lookalikes
    assert name in how, f"{det}: the simulator cannot plant the {kind} {name!r} (see PLANTING in synthetic/)"
    frame = whole_force.truth if kind == "form" else whole_force.lookalikes
    assert name in planted_forms(frame, det), f"{det}: the {kind} {name!r} was not planted"


def test_the_simulator_plants_only_what_the_cards_list(whole_force: Force) -> None:
    assert set(DETECTORS) == set(REGISTRY) and set(PLANTING) <= set(REGISTRY)
    for det, planting in PLANTING.items():
        assert set(planting.forms) <= set(FORMS[det]), det
        assert set(planting.lookalikes) - set(LOOKALIKES[det]) == {la for d, la in SIMULATOR_OWN if d == det}
    truth, looks = whole_force.truth, whole_force.lookalikes
    assert {
        (d, f) for d, f in zip(truth["detector"], truth["form"], strict=True) if f not in FORMS[d]
    } == set()
    own = {(d, f) for d, f in zip(looks["detector"], looks["form"], strict=True) if f not in LOOKALIKES[d]}
    assert own == SIMULATOR_OWN


def test_every_case_names_a_known_form(force: Force) -> None:
    looks = {d: (*la, *(f for det, f in SIMULATOR_OWN if det == d)) for d, la in LOOKALIKES.items()}
    for frame, catalogue in ((force.truth, FORMS), (force.lookalikes, looks)):
        known = frame.apply(lambda r: r["form"] in catalogue[r["detector"]], axis=1)  # noqa: B023
        assert known.all(), frame.loc[~known, ["detector", "form"]].drop_duplicates().values.tolist()
    # every event form and look-alike of a smaller force is planted too (rest_day_row where
    # the duty system writes rest-day rows)
    for det, forms in FORMS.items():
        want = set(forms) - ({"rest_day_row"} if not force.styles["rest_day_rows"] else set())
        want -= {f for d, f in NOT_YET_PLANTED if d == det}
        assert want <= planted_forms(force.truth, det), det
    for det, forms in looks.items():
        # (rank_not_held_to_rule needs five office and hybrid workers free after every other plan)
        want = set(forms) - {"real_bank_holiday", "new_starter", "rank_not_held_to_rule"}
        want -= {f for d, f in NOT_YET_PLANTED if d == det}
        assert want <= planted_forms(force.lookalikes, det), det


def planted_forms(frame: pd.DataFrame, det: str) -> set[str]:
    return set(frame.loc[frame["detector"] == det, "form"])


def test_roster_cases_are_what_the_data_shows(force: Force) -> None:
    sh, rc, off = force.tables["shifts"], force.tables["roster_changes"], force.tables["officers"]
    det = "roster.self_approval"
    own = sh[sh["approved_by"] == sh["officer_id"]]
    assert set(own.loc[own["status"] != "cancelled", "officer_id"]) == planted(force, det, "own_account")
    assert looking(force, det, "cancelled_self_approved") <= set(
        own.loc[own["status"] == "cancelled", "officer_id"]
    )
    # second account: the approver is another officer row with the same surname, first forename
    # and date of birth (one of the two may have a middle name)
    first = off.assign(forenames=off["forenames"].str.split(" ").str[0])
    person = first.set_index("officer_id")[["surname", "forenames", "date_of_birth"]].apply(tuple, axis=1)
    appr = sh[sh["approved_by"].notna() & (sh["approved_by"] != sh["officer_id"])]
    same = appr[appr["officer_id"].map(person) == appr["approved_by"].map(person)]
    assert set(same["officer_id"]) == planted(force, det, "second_account")
    # namesake approver: same name, another date of birth
    name = off.set_index("officer_id")[["surname", "forenames"]].apply(tuple, axis=1)
    namesake = appr[(appr["officer_id"].map(name) == appr["approved_by"].map(name))]
    assert looking(force, det, "namesake_approver") <= set(namesake["officer_id"]) - set(same["officer_id"])
    m = rc.merge(sh[["shift_id", "officer_id", "end", "created_by", "created_at", "pay_code"]], on="shift_id")
    edit = m[
        (m["field"] == "approved_by")
        & (m["changed_by"] == m["officer_id"])
        & (m["new_value"] != m["officer_id"])
    ]
    assert set(edit["officer_id"]) == planted(force, det, "approved_by_edit")
    # retro claims: raised by the officer after the end (a real bank holiday put right is not)
    up = (m["field"] == "pay_code") & m["new_value"].isin(["overtime", "bank_holiday"])
    num = lambda c: pd.to_numeric(m[c], errors="coerce")  # noqa: E731
    up |= (m["field"] == "hours_claimed") & (num("new_value") > num("old_value"))
    after = up & (m["changed_at"] > m["end"])
    own_after = m[after & (m["changed_by"] == m["officer_id"]) & (m["reason"] != "bank holiday")]
    det = "roster.retro_claim"
    assert set(own_after["officer_id"]) == planted(force, det, "pay_code_raised", "hours_added")
    extra = sh[sh["pay_code"].isin(["overtime", "rest_day_worked", "bank_holiday"])]
    late = extra[(extra["created_by"] == extra["officer_id"]) & (extra["created_at"] > extra["end"])]
    ordinary = looking(force, det, "call_out_keyed_next_day", "one_late_claim", "claimed_extension")
    assert ordinary and set(late["officer_id"]) == planted(force, det, "created_after_worked") | ordinary
    # look-alike: raised after the shift by the line manager, with a reason
    by_manager = m[after & (m["changed_by"] != m["officer_id"])]
    assert by_manager["reason"].notna().all() and len(by_manager) > 0
    # overtime is approved, except rows an officer created for themselves afterwards
    ot = sh[sh["pay_code"].isin(["overtime", "rest_day_worked"]) & (sh["status"] == "worked")]
    assert set(ot.loc[ot["approved_by"].isna(), "officer_id"]) <= planted(force, det)
    # overtime on a day the audit trail shows as leave, changed back by the officer
    back = m[
        (m["field"] == "duty_type")
        & (m["old_value"] == "annual_leave")
        & (m["changed_by"] == m["officer_id"])
    ]
    det = "roster.overtime_overlap"
    assert set(back["officer_id"]) == planted(force, det, "leave_in_audit_trail")
    # paid extra approved by someone the claimant line-manages: only where planted, one claim
    # per approver (two would be network.crew's reciprocal approval with the manager)
    det = "roster.self_approval"
    manager = off.set_index("officer_id")["line_manager_id"]
    live = sh[(sh["status"] != "cancelled") & sh["approved_by"].notna()]
    by_report = live[live["approved_by"].map(manager) == live["officer_id"]]
    paid = by_report[by_report["pay_code"].isin(["overtime", "rest_day_worked", "bank_holiday"])]
    assert set(paid["officer_id"]) == planted(force, det, "approved_by_report")
    assert paid.groupby(["officer_id", "approved_by"]).size().max() == 1
    # a report confirming their manager's basic duty (look-alike): basic pay only
    basic = by_report[~by_report["officer_id"].isin(paid["officer_id"])]
    assert set(basic["officer_id"]) == looking(force, det, "report_confirms_basic_duty")
    assert set(basic["pay_code"]) == {"basic"}


def test_force_styles_and_clean_force(tmp_path: Path) -> None:
    summary = write_force(
        tmp_path / "c", officers=200, days=40, seed=2, fmt="csv", clean=True, rest_day_rows=False
    )
    assert summary["clean"] and summary["styles"] == {"rest_day_rows": False} and summary["truth"] == 0
    truth = pd.read_csv(tmp_path / "c" / "truth.csv")
    assert truth.empty and list(truth.columns) == TRUTH_COLUMNS
    looks = pd.read_csv(tmp_path / "c" / "lookalikes.csv")
    assert set(looks["detector"]) == set(DETECTORS)
    sh = pd.read_csv(tmp_path / "c" / "shifts.csv")
    assert set(sh.loc[sh["duty_type"] == "rest_day", "pay_code"]) == {"on_call"}
    sh = generate(officers=200, days=40, seed=2, rest_day_rows=True).tables["shifts"]
    assert (sh["duty_type"] == "rest_day").sum() > 0.2 * sh["officer_id"].nunique() * 40
    # both styles come from the seed
    assert len({generate(officers=60, days=0, seed=s).styles["rest_day_rows"] for s in range(8)}) == 2


def test_no_duty_row_and_no_shift_officers(force: Force) -> None:
    sh, off = force.tables["shifts"], force.tables["officers"]
    none = planted(force, "attendance.below_threshold", "unrostered_office_worker") | looking(
        force, "access.off_duty", "not_on_duty_system"
    )
    assert none and not none & set(sh["officer_id"]) and none <= set(off["officer_id"])
    t = force.truth[(force.truth["detector"] == "access.off_duty") & (force.truth["form"] == "no_duty_row")]
    day = lambda s: s.dt.tz_convert("Europe/London").dt.date  # noqa: E731
    for r in t.itertuples():
        rows = sh[sh["officer_id"] == r.officer_id]
        days = set(day(rows["start"]).astype(str))
        inside = pd.date_range(r.window_start, r.window_end).strftime("%Y-%m-%d")
        assert sum(d not in days for d in inside) > 0
        rest = rows[(rows["duty_type"] == "rest_day") & (rows["pay_code"] != "on_call")]
        assert not set(day(rest["start"]).astype(str)) & set(inside)


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
    det = "attendance.below_threshold"
    # below policy over the whole period; staff with no duty rows have no rostered days, and a
    # sustained stretch is below policy over some weeks only
    stretch = planted(force, det, "sustained_stretch")
    low = planted(force, det) - planted(force, det, "unrostered_office_worker", "off_system_absent") - stretch
    assert low and stretch and (share[sorted(low)] < 0.8).all()
    readerless = looking(force, det, "site_without_readers")
    assert readerless and (share[sorted(readerless)] == 0).all()
    units = force.tables["units"].set_index("unit_id")["site_id"]
    site = set(off.loc[off["officer_id"].isin(readerless), "unit_id"].map(units))
    at_site = set(off.loc[off["unit_id"].map(units).isin(site), "officer_id"])
    assert not set(be["officer_id"]) & at_site and not set(be["site_id"]) & site
    # a day or two under the policy (look-alike): under 80% but not by much
    short = looking(force, det, "small_shortfall")
    assert short and (share[sorted(short)] < 0.8).all() and (share[sorted(short)] >= 0.6).all()
    # a grade held by five to eight office and hybrid workers and no one else, every one of them
    # below the policy (look-alike: the force does not hold the grade to the rule); planted where
    # five are still free after every other plan (this small force's are all taken: whole_force has one)
    grade = looking(force, det, "rank_not_held_to_rule")
    assert not grade or (5 <= len(grade) <= 8 and (share[sorted(grade)] < 0.7).all())
    ranks = off.set_index("officer_id")["rank"]
    assert not grade or (
        ranks[sorted(grade)].nunique() == 1 and (ranks == ranks[sorted(grade)].iloc[0]).sum() == len(grade)
    )
    # everyone else with enough office days to judge (the detector needs 20) is at or above policy
    judged = office.groupby("officer_id").size() >= 10
    others = share[judged].drop(sorted(low | stretch | at_site | short | grade), errors="ignore")
    assert (others >= 0.8).all(), others[others < 0.8]


def test_access_and_link_cases_are_what_the_data_shows(force: Force) -> None:
    sa, rec, ca = force.tables["system_access"], force.tables["records"], force.tables["case_assignments"]
    acc = sa.merge(rec[["record_id", "case_ref", "person_id"]], on="record_id", suffixes=("", "_record"))
    assigned = set(zip(ca["case_ref"], ca["officer_id"], strict=True))
    no_code = acc["purpose_code"].isna() | acc["purpose_code"].isin(PLACEHOLDER_CODES)
    nop = acc[no_code & (acc["system"] != CODELESS_SYSTEM)]
    unassigned = nop[
        [(c, o) not in assigned for c, o in zip(nop["case_ref_record"], nop["officer_id"], strict=True)]
    ]
    per_officer = unassigned.groupby("officer_id").size()
    no_purpose = sorted(planted(force, "access.no_purpose", "missing_code", "placeholder_code"))
    assert per_officer[no_purpose].min() >= 10
    # elsewhere a forgotten code now and then: about NO_CODE_SHARE of an officer's lookups
    coded = sa[sa["system"] != CODELESS_SYSTEM].groupby("officer_id").size()
    share = (per_officer.drop(sorted(planted(force, "access.no_purpose")), errors="ignore") / coded).dropna()
    team = sorted(looking(force, "access.no_purpose", "uncoded_tail"))  # a team that often leaves it out
    assert team and share.reindex(team).median() >= 4 * NO_CODE_SHARE
    share = share.drop(team, errors="ignore")
    assert share.median() < 2 * NO_CODE_SHARE and share.quantile(0.99) < 5 * NO_CODE_SHARE
    # shared identifiers between officers and people in police records
    off, persons = force.tables["officers"], force.tables["persons"]
    # an address is the cleaned address line together with the postcode (a flat may be written
    # without commas on a police record)
    pc = lambda v: v.fillna("").str.replace(" ", "").str.upper()  # noqa: E731
    o = off.assign(
        address=address_keys(off["home_address"], off["home_postcode"]),
        surname_postcode=off["surname"].str.casefold() + "|" + pc(off["home_postcode"]),
    )
    q = persons.assign(
        address=address_keys(persons["address"], persons["postcode"]),
        surname_postcode=persons["surname"].str.casefold() + "|" + pc(persons["postcode"]),
    )
    # a value held by more than LINK_HOLDERS officers and persons (the switchboard) links no one
    held = {k: pd.concat([o[k], q[k]]).value_counts() for k in ("address", "phone", "surname_postcode")}
    linked = pd.concat(
        [
            o[["officer_id", key]]
            .dropna()
            .merge(q[["person_id", key]].dropna(), on=key)
            .loc[lambda d, key=key: d[key].map(held[key]) <= LINK_HOLDERS]
            .assign(kind=key)[["officer_id", "person_id", "kind"]]
            for key in ("address", "phone", "surname_postcode")
        ]
    )
    # and the people officers declared an association with (a declaration naming the person, not
    # rejected): the ordinary force never looks its declared relatives up
    decl = force.tables["declarations"]
    named = decl.loc[decl["person_id"].notna() & (decl["status"] != "rejected"), ["officer_id", "person_id"]]
    looked_up = acc.merge(
        pd.concat([linked[["officer_id", "person_id"]], named]).drop_duplicates(),
        on=["officer_id", "person_id"],
    )
    assert set(looked_up["officer_id"]) == planted(force, "access.personal_link")
    by_declaration = set(acc.merge(named, on=["officer_id", "person_id"])["officer_id"])
    assert by_declaration == planted(force, "access.personal_link", "declared_associate")
    assert not by_declaration & set(linked["officer_id"])  # only the declaration links them
    # look-alikes: a namesake street in another postcode, another flat of the building
    assert not looking(force, "access.personal_link") & set(linked["officer_id"])
    # the namesake of a declared associate: same names, born 10 or more years apart, elsewhere
    namesakes = looking(force, "access.personal_link", "associate_namesake")
    assert namesakes
    who = persons.set_index("person_id")
    for oid in namesakes:
        (p1,) = named.loc[named["officer_id"] == oid, "person_id"]
        seen = set(acc.loc[acc["officer_id"] == oid, "person_id"].dropna())
        assert p1 not in seen
        same_name = who.loc[sorted(seen)]
        same_name = same_name[
            (same_name["surname"] == who.loc[p1, "surname"])
            & (same_name["forenames"] == who.loc[p1, "forenames"])
        ]
        years_apart = (
            pd.to_datetime(same_name["date_of_birth"]) - pd.Timestamp(who.loc[p1, "date_of_birth"])
        ).abs()
        elsewhere = (
            same_name[["address", "postcode", "phone"]] != who.loc[p1, ["address", "postcode", "phone"]]
        ).all(axis=1)
        assert ((years_apart >= pd.Timedelta(days=3650)) & elsewhere).any(), oid
    flagged = set(persons.loc[persons["nominal_flags"].fillna("").str.contains("ocg"), "person_id"])
    declared = set(zip(decl["officer_id"], decl["person_id"], strict=True))
    direct = linked[linked["kind"].isin(["address", "phone"])]
    undeclared = {
        o
        for o, p in zip(direct["officer_id"], direct["person_id"], strict=True)
        if p in flagged and (o, p) not in declared
    }
    assert undeclared == planted(force, "association.undeclared_link")
    declared_la = looking(force, "association.undeclared_link", "declared_association")
    assert declared_la and declared_la <= set(direct.loc[direct["person_id"].isin(flagged), "officer_id"])
    # namesakes share the address line but not the postcode; other flats share the postcode
    la = looking(force, "association.undeclared_link", "namesake_street", "different_flat")
    assert la and not la & set(direct["officer_id"])
    line = o[["officer_id", "home_address"]].merge(
        persons[["person_id", "address"]], left_on="home_address", right_on="address"
    )
    assert looking(force, "association.undeclared_link", "namesake_street") <= set(line["officer_id"])


def test_no_purpose_case_and_vip_forms_are_what_the_data_shows(force: Force, whole_force: Force) -> None:
    det = "access.no_purpose"
    for f in (force, whole_force):
        sa, ca, off = f.tables["system_access"], f.tables["case_assignments"], f.tables["officers"]
        enquiry = sa.assign(day=sa["ts"].dt.tz_convert("Europe/London").dt.date)
        # the case code quotes a case, but for the planted case_code_without_case
        crn = sa[sa["purpose_code"] == "CRN"]
        assert len(crn) > 100 and crn["case_ref"].notna().mean() >= 0.95
        odd = enquiry[(enquiry["purpose_code"] == "CRN") & enquiry["case_ref"].isna()]
        assert set(odd["officer_id"]) == planted(f, det, "case_code_without_case")
        assert odd.groupby("officer_id")["day"].nunique().between(6, 10).all()
        inv = sa[sa["purpose_code"] == "INV"]
        assert inv["case_ref"].isna().mean() >= 0.3  # INV goes without a case a large share of the time
        # a lookup quotes a case not the officer's only where planted (or a supervisor's team's)
        assigned = set(zip(ca["case_ref"], ca["officer_id"], strict=True))
        quoted = sa[sa["case_ref"].notna()]
        other = quoted[
            [(c, o) not in assigned for c, o in zip(quoted["case_ref"], quoted["officer_id"], strict=True)]
        ]
        closed_forms = ("closed_case_own_records", "quoted_while_closing")
        assert set(other["officer_id"]) == planted(f, det, "case_not_theirs", "closed_case") | looking(
            f, det, "team_case_review", *closed_forms
        )
        # closed cases quoted: not theirs (nor their unit's or team's); more than 7 days after the case
        # closed, of records not of it (closed_case) or of its own (closed_case_own_records); 1 to 7
        # days after it closed (quoted_while_closing)
        cases_t, rec_t = f.tables["cases"], f.tables["records"]
        closed_on = dict(zip(cases_t["case_ref"], pd.to_datetime(cases_t["closed"]).dt.date, strict=True))
        rec_case = dict(zip(rec_t["record_id"], rec_t["case_ref"], strict=True))
        for form, who in (
            ("closed_case", planted(f, det, "closed_case")),
            *((la, looking(f, det, la)) for la in closed_forms),
        ):
            for o in who:
                mine = enquiry[enquiry["officer_id"].eq(o) & enquiry["case_ref"].notna()]
                mine = mine[[(c, o) not in assigned for c in mine["case_ref"]]]  # not their own case work
                assert mine["case_ref"].nunique() == 1 and mine["purpose_code"].isin(["INV", "INT"]).all()
                (case,) = set(mine["case_ref"])
                assert not set(ca.loc[ca["case_ref"] == case, "officer_id"]) & {o}
                after = pd.Series([(d - closed_on[case]).days for d in mine["day"]])
                own = mine["record_id"].map(rec_case).eq(case)
                n = mine["day"].nunique()
                if form == "quoted_while_closing":
                    assert after.between(1, 7).all() and not own.any() and 3 <= n <= 4
                else:
                    assert (after > 7).all() and after.max() - after.min() <= 90
                    assert own.all() if form == "closed_case_own_records" else not own.any()
                    assert 4 <= n <= 5 if form == "closed_case" else 3 <= n <= 4
        units = pd.concat(
            [off[["officer_id", "unit_id"]], f.tables["assignments"][["officer_id", "unit_id"]]]
        )
        manager = dict(zip(off["officer_id"], off["line_manager_id"], strict=True))
        for o in planted(f, det, "case_not_theirs"):
            mine = set(units.loc[units["officer_id"] == o, "unit_id"])
            team = {x for x, m in manager.items() if m == o}
            team |= {x for x, m in manager.items() if m in team}
            near = set(units.loc[units["unit_id"].isin(mine), "officer_id"]) | team | {o}
            cases = set(other.loc[other["officer_id"] == o, "case_ref"])
            assert not set(ca.loc[ca["case_ref"].isin(cases), "officer_id"]) & near
            assert (
                6
                <= enquiry[enquiry["officer_id"].eq(o) & enquiry["case_ref"].isin(cases)]["day"].nunique()
                <= 10
            )
        for o in looking(f, det, "team_case_review"):
            cases = set(other.loc[other["officer_id"] == o, "case_ref"])
            team = {x for x, m in manager.items() if m == o}
            team |= {x for x, m in manager.items() if m in team}
            assert set(ca.loc[ca["case_ref"].isin(cases), "officer_id"]) & team
        # VIP records: looked up with no code only where planted (a slip once)
        rec = f.tables["records"]
        vip = sa[sa["record_id"].isin(rec.loc[rec["sensitivity"] == "vip", "record_id"])]
        blank = vip[vip["purpose_code"].isna()].groupby("officer_id")["record_id"].nunique()
        slips = looking(f, det, "one_sensitive_slip")
        assert set(blank.index) == planted(f, det, "sensitive_record") | slips
        assert blank.drop(sorted(slips)).between(3, 4).all() and (blank.reindex(sorted(slips)) == 1).all()
        coded_vip = vip[vip["purpose_code"].notna()].groupby("officer_id")["record_id"].nunique()
        assert (
            set(coded_vip.index) == looking(f, det, "sensitive_with_purpose")
            and coded_vip.between(3, 4).all()
        )
        assert vip.groupby("record_id")["officer_id"].nunique().max() == 1  # no VIP co-views
    # missing_code spread over 60-90 days, no 30 days holding ten (forces of 90 days or more)
    t = whole_force.truth
    spread = t[(t["detector"] == det) & (t["form"] == "missing_code") & t["note"].str.contains("spread")]
    assert len(spread) and len(spread) < len(t[(t["detector"] == det) & (t["form"] == "missing_code")])
    sa = whole_force.tables["system_access"]
    blank = sa[sa["purpose_code"].isna()].assign(day=sa["ts"].dt.tz_convert("Europe/London").dt.date)
    for o, start, end in zip(spread["officer_id"], spread["window_start"], spread["window_end"], strict=True):
        mine = blank[(blank["officer_id"] == o) & (blank["day"] >= pd.Timestamp(start).date())]
        days = pd.Series(sorted(mine.loc[mine["day"] <= pd.Timestamp(end).date(), "day"]))  # a lookup each
        assert len(days) >= 12
        assert max(((days >= d) & (days < d + pd.Timedelta(days=30))).sum() for d in days) < 10


def test_volume_days_are_what_the_data_shows(force: Force, whole_force: Force) -> None:
    """``access.volume_outlier``'s one-day forms: a day of lookups (or of exports and prints)
    far beyond the officer's usual day; a team's operation day, on which the members of the
    unit and role on duty all make scores; staff who export every day as their work."""
    det = "access.volume_outlier"
    for f in (force, whole_force):
        sa, sh, off = f.tables["system_access"], f.tables["shifts"], f.tables["officers"]
        local = lambda s: s.dt.tz_convert("Europe/London").dt.date.astype(str)  # noqa: E731
        acts = sa.assign(day=local(sa["ts"]), x=sa["action"].isin(["export", "print"]))
        daily = acts.groupby(["officer_id", "day"]).agg(n=("x", "size"), x=("x", "sum")).reset_index()
        duty = sh[
            (sh["status"] != "cancelled")
            & ~sh["duty_type"].isin(["rest_day", "annual_leave", "sick"])
            & (sh["pay_code"] != "on_call")
        ]
        duty_days = duty.assign(day=local(duty["start"])).groupby("officer_id")["day"].nunique()
        totals = daily.groupby("officer_id")[["n", "x"]].sum()
        t = f.truth[f.truth["detector"] == det]
        for form, col, beyond in (("heavy_day", "n", 50), ("bulk_export", "x", 20)):
            cases = t[t["form"] == form]
            assert len(cases) >= 2, form
            for o, d in zip(cases["officer_id"], cases["window_start"], strict=True):
                got = daily[(daily["officer_id"] == o) & (daily["day"] == d)][col].sum()
                usual = (totals.loc[o, col] - got) / (duty_days[o] - 1)
                assert got >= 5 * max(usual, 0.5) and got - usual >= beyond, (form, o, got, usual)
        # a team's operation: one day, the members of one unit and role, each making scores
        la = f.lookalikes[f.lookalikes["detector"] == det]
        team = la[la["form"] == "team_operation"]
        assert len(team) >= 3
        asg = f.tables["assignments"]
        role = asg[asg["end_date"].isna()].set_index("officer_id")["role"].str.lower()
        for d, members in team.groupby("window_start")["officer_id"]:
            assert off.set_index("officer_id").loc[members, "unit_id"].nunique() == 1
            assert role[members].nunique() == 1
            n = daily[daily["officer_id"].isin(members) & (daily["day"] == d)].set_index("officer_id")["n"]
            assert len(n) == len(members) and n.min() >= 40 and n.max() <= 5 * n.median()
        # staff who export every day: five to seven holders of one role, one to a unit, at most
        # three times their usual day's exports on any day
        staff = sorted(la.loc[la["form"] == "export_role", "officer_id"])
        assert 5 <= len(staff) <= 7
        assert role[staff].str.replace(r"\s+", " ", regex=True).str.strip().nunique() == 1
        assert off.set_index("officer_id").loc[staff, "unit_id"].nunique() == len(staff)
        exports = daily[daily["officer_id"].isin(staff)].groupby("officer_id")["x"]
        assert (exports.median() >= 3).all()
        assert (exports.max() < 5 * totals.loc[staff, "x"] / duty_days[staff]).all()
        # elsewhere nobody exports or prints twenty records in a day
        planted_x = set(staff) | set(t.loc[t["form"] == "bulk_export", "officer_id"])
        assert daily.loc[~daily["officer_id"].isin(planted_x), "x"].max() < 20


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


def test_short_attendance_is_what_the_data_shows(force: Force, whole_force: Force) -> None:
    """``roster.overtime_overlap``'s ``short_attendance``: rest-day working swiped into, then out
    4+ h before the claimed end with nothing of the officer after it; ``out_on_patrol`` leaves
    most basic duties as early; ``works_on_after_leaving`` looks things up until near the end."""
    det = "roster.overtime_overlap"
    for f in (force, whole_force):
        sh, be, sa = f.tables["shifts"], f.tables["badge_events"], f.tables["system_access"]
        for form in ("short_attendance", "out_on_patrol", "works_on_after_leaving"):
            who = planted(f, det, form) if form == "short_attendance" else looking(f, det, form)
            assert who, form
            for o in who:
                rdw = sh[
                    sh["officer_id"].eq(o) & sh["pay_code"].eq("rest_day_worked") & sh["status"].eq("worked")
                ]
                early = 0
                for start, end in zip(rdw["start"], rdw["end"], strict=True):
                    b = be[be["officer_id"].eq(o) & be["ts"].between(start - pd.Timedelta(hours=1), end)]
                    s = sa[sa["officer_id"].eq(o) & sa["ts"].between(start, end)]
                    if b.empty or b["ts"].max() > end - pd.Timedelta(hours=4):
                        continue
                    out = b.loc[b["ts"].idxmax()]
                    if out["direction"] != "out":  # a reader missed the out swipe: not this
                        continue
                    assert (b["direction"] == "in").any()
                    after = s[s["ts"] > out["ts"]]
                    if form == "works_on_after_leaving":
                        assert after["ts"].max() >= end - pd.Timedelta(minutes=35)
                    else:
                        assert after.empty
                    early += 1
                assert early >= 2, (form, o)
                basic = sh[sh["officer_id"].eq(o) & sh["pay_code"].eq("basic") & sh["status"].eq("worked")]
                basic = basic[basic["duty_type"].isin(["early", "late", "night", "day"])]
                last = [
                    be.loc[
                        be["officer_id"].eq(o) & be["ts"].between(s0, e0 + pd.Timedelta(hours=1)), "ts"
                    ].max()
                    for s0, e0 in zip(basic["start"], basic["end"], strict=True)
                ]
                gone = pd.Series(last, dtype="datetime64[ns, UTC]") < basic["end"].reset_index(
                    drop=True
                ) - pd.Timedelta(hours=4)
                assert (gone.mean() > 0.4) if form == "out_on_patrol" else (gone.mean() < 0.2), (form, o)
