"""Every detector on a generated force with planted cases and innocent look-alikes, on
both stores: the planted cases are found, the look-alikes are not flagged, both stores
give the same flags, and every flag explains itself and points at its evidence."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from graph.settings import Settings
from graph.workspace import open_store
from ingest.run import ingest_dir
from queries.detect import run_detectors
from queries.detectors import DETECTORS, get
from queries.detectors.base import FLAG_COLUMNS
from queries.evaluate import evaluate
from synthetic import generate
from tests.conftest import embedded_settings, neo4j_settings, wipe_neo4j

SEED, OFFICERS, DAYS = 3, 400, 120


@pytest.fixture(scope="module")
def force_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    tmp = tmp_path_factory.mktemp("force")
    # rest-day rows written, so that the rest_day_row form is planted and asserted (the
    # forces without them are measured by the benchmark and the worked examples)
    force = generate(officers=OFFICERS, seed=SEED, days=DAYS, rest_day_rows=True)
    return force.write(tmp / "src"), force


def _flags(settings: Settings, src: Path) -> pd.DataFrame:
    with open_store(settings) as st:
        if st.name == "neo4j":
            wipe_neo4j(st)
        ingest_dir(st, src, settings.data_dir)
        return run_detectors(st).flags


@pytest.fixture(scope="module")
def embedded_flags(force_dir: tuple[Path, object], tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    return _flags(embedded_settings(tmp_path_factory.mktemp("emb")), force_dir[0])


def test_every_family_of_the_truth_has_a_detector(force_dir: tuple[Path, object]) -> None:
    truth = pd.read_csv(force_dir[0] / "truth.csv", dtype=str)
    assert set(truth["detector"]) <= set(DETECTORS)
    assert len(DETECTORS) == 14


OLD_FORMS = {
    "roster.self_approval": {"own_account"},
    "roster.retro_claim": {"pay_code_raised", "hours_added"},
    "roster.overtime_overlap": {"during_leave", "overlapping_duty", "no_attendance"},
    "attendance.below_threshold": {"absent_no_activity", "working_remotely_instead"},
    "attendance.badge_only": {"token_visit", "remote_while_badged_in", "swipe_during_absence"},
    "association.undeclared_membership": {"no_declaration", "declaration_not_approved"},
    "association.undeclared_link": {"shared_address", "shared_phone"},
    "access.no_purpose": {"missing_code"},
    "access.personal_link": {"same_address", "same_phone", "surname_postcode"},
    "access.sensitive_victims": {"repeated"},
    "access.off_duty": {"rest_day_row", "leave_or_sick"},
    "access.volume_outlier": {"spike"},
    "network.crew": {"co_complaints"},
    "network.hidden_link": {"relative_phone", "contact_address", "business"},
}
"""The forms the detectors recognised before issue 11: asserted strictly. The forms added
since (and their look-alikes) are measured and reported until every detector has them."""
OLD_LOOKALIKES = {
    "roster.self_approval": {"created_own_shift", "manager_approved"},
    "roster.retro_claim": {"supervisor_correction"},
    "roster.overtime_overlap": {"recall_from_leave"},
    "attendance.below_threshold": {"long_sickness", "agreed_remote_days"},
    "attendance.badge_only": {"office_vdi_session", "quick_visit_then_work"},
    "association.undeclared_membership": {"declared_approved", "namesake_other_dob", "club_membership"},
    "association.undeclared_link": {"declared_association"},
    "access.no_purpose": {"own_case_no_code"},
    "access.personal_link": {"same_surname_elsewhere"},
    "access.sensitive_victims": {"own_cases"},
    "access.off_duty": {"on_call", "within_grace"},
    "access.volume_outlier": {"busy_unit"},
    "network.crew": {"joint_operation_coviews"},
    "network.hidden_link": {"too_far"},
}


def per_form(truth: pd.DataFrame, flags: pd.DataFrame) -> pd.DataFrame:
    """Cases and found per detector and form (a group case is found through any member)."""
    rows = []
    for (det, form), t in truth.groupby(["detector", "form"]):
        ev = evaluate(t, flags[flags["detector"] == det]).set_index("detector").loc[det]
        rows.append((det, form, int(ev["cases"]), int(ev["found"])))
    return pd.DataFrame(rows, columns=["detector", "form", "cases", "found"])


def test_planted_cases_are_found_and_lookalikes_are_not(
    force_dir: tuple[Path, object], embedded_flags: pd.DataFrame
) -> None:
    truth = pd.read_csv(force_dir[0] / "truth.csv", dtype=str).fillna("")
    looks = pd.read_csv(force_dir[0] / "lookalikes.csv", dtype=str).fillna("")
    flags = embedded_flags
    old = truth[truth.apply(lambda r: r["form"] in OLD_FORMS[r["detector"]], axis=1)]
    forms = per_form(truth, flags)
    is_old = forms.apply(lambda r: r["form"] in OLD_FORMS[r["detector"]], axis=1)
    print("\nper-form recall (forms added in issue 11, not yet asserted):")
    print(forms[~is_old].assign(recall=lambda d: (d["found"] / d["cases"]).round(2)).to_string(index=False))
    # the forms the detectors always had: strictly
    ev = evaluate(old, flags[flags["detector"].isin(set(old["detector"]))]).set_index("detector")
    new_la = looks[~looks.apply(lambda r: r["form"] in OLD_LOOKALIKES[r["detector"]], axis=1)]
    # flags on officers of new forms (cases or look-alikes) do not count against precision yet
    other_cases = truth.loc[~truth.index.isin(old.index), ["detector", "officer_id"]]
    pending = pd.concat([other_cases, new_la[["detector", "officer_id"]]]).drop_duplicates()
    judged = flags.merge(pending.assign(_p=1), on=["detector", "officer_id"], how="left")
    judged = judged[judged["_p"].isna()].drop(columns="_p")
    prec = evaluate(old, judged).set_index("detector")
    for name in DETECTORS:
        assert ev.loc[name, "recall"] >= 0.9, (name, ev.loc[name].to_dict())
        assert prec.loc[name, "precision"] is None or prec.loc[name, "precision"] >= 0.8, (
            name,
            prec.loc[name].to_dict(),
        )
    old_la = looks[looks.apply(lambda r: r["form"] in OLD_LOOKALIKES[r["detector"]], axis=1)]
    flagged = old_la.merge(flags[["detector", "officer_id"]], on=["detector", "officer_id"])
    assert flagged.empty, flagged[["detector", "officer_id", "form", "note"]].values.tolist()
    new_flagged = new_la.merge(
        flags[["detector", "officer_id"]].drop_duplicates(), on=["detector", "officer_id"]
    )
    print("look-alikes added in issue 11 that are flagged (not yet asserted):")
    print(new_flagged.groupby(["detector", "form"]).size().to_string() if len(new_flagged) else "none")
    # every form and look-alike of the catalogue is planted on this force
    assert set(map(tuple, forms[["detector", "form"]].values)) >= {
        (d, f) for d, fs in OLD_FORMS.items() for f in fs if f != "rest_day_row" or rest_rows(force_dir)
    }


def rest_rows(force_dir: tuple[Path, object]) -> bool:
    return bool(getattr(force_dir[1], "styles", {}).get("rest_day_rows", True))


def test_every_flag_explains_itself(embedded_flags: pd.DataFrame) -> None:
    assert list(embedded_flags.columns) == FLAG_COLUMNS
    assert embedded_flags["flag_id"].is_unique
    for f in embedded_flags.itertuples():
        assert f.flag_id.startswith(f.detector + ":")
        assert 0 <= f.score <= 1 and f.severity in ("low", "medium", "high")
        assert f.explanation.endswith(".") and len(f.explanation) > 40
        ev = json.loads(f.evidence)
        # a row, a graph path, a tie of two officers, a group named together, an officer who
        # joined a crew, claims one officer approved of another's, or the forms
        keys = ("table", "path", "tie", "group", "joined", "approved", "forms")
        assert ev and all(any(k in e for k in keys) for e in ev)
        assert any(e.get("forms") for e in ev), f.flag_id  # every flag names its form(s)
        assert any(e.get("table") for e in ev)
    crews = embedded_flags[embedded_flags["detector"] == "network.crew"]
    # groups of three or more, but for two officers approving each other's claims
    pairs = set(crews.loc[crews["evidence"].str.contains('"reciprocal_approval"'), "group_id"])
    sizes = crews.groupby("group_id").size()
    assert ((sizes >= 3) | (sizes.index.isin(pairs) & (sizes == 2))).all()


def test_detectors_give_the_same_flags_on_both_stores(
    force_dir: tuple[Path, object], embedded_flags: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory
) -> None:
    neo = _flags(neo4j_settings(tmp_path_factory.mktemp("neo")), force_dir[0])
    cols = [c for c in FLAG_COLUMNS if c != "detector"]
    pd.testing.assert_frame_equal(
        neo[cols].reset_index(drop=True), embedded_flags[cols].reset_index(drop=True)
    )


def test_event_detectors_see_empty_tables_without_events(tmp_path: Path) -> None:
    s = embedded_settings(tmp_path)
    force = generate(officers=120, seed=2)  # no events
    with open_store(s) as st:
        ingest_dir(st, force.write(tmp_path / "src"), s.data_dir, resolver="exact")
        rep = run_detectors(st, ["roster.self_approval", "access.volume_outlier", "network.crew"])
    assert rep.flags.empty and set(rep.seconds_by_detector) == {
        "roster.self_approval",
        "access.volume_outlier",
        "network.crew",
    }


def test_parameters_change_what_is_flagged(force_dir: tuple[Path, object], tmp_path: Path) -> None:
    s = embedded_settings(tmp_path)
    with open_store(s) as st:
        ingest_dir(st, force_dir[0], s.data_dir, resolver="exact")
        base = run_detectors(st, ["attendance.below_threshold"], write_graph=False).flags
        strict = run_detectors(
            st,
            ["attendance.below_threshold"],
            {"attendance.below_threshold": {"threshold": 0.95}},
            write_graph=False,
        ).flags
    assert set(base["officer_id"]) < set(strict["officer_id"])
    assert get("attendance.below_threshold").resolve_params({"threshold": "0.5"})["threshold"] == 0.5


@pytest.fixture(autouse=True)
def _no_leak() -> Iterator[None]:
    yield


@pytest.mark.parametrize(
    ("systems", "year"),
    [(2, "2025"), (2, "99999"), (40, "9999")],
    ids=["near", "year-99999", "forty-systems-year-9999"],
)
def test_no_purpose_finds_its_case_beside_a_lookup_far_off(tmp_path: Path, systems: int, year: str) -> None:
    """The worked example of lookups with no purpose code, with more systems that ask for
    one and a lookup in a far year: the run still flags the officer (an enquiry's first
    system is found by one 64-bit number only while the times fit in one; a lookup in the
    year 99999 overflowed it and failed the whole run)."""
    import shutil

    src = tmp_path / "src"
    shutil.copytree(Path(__file__).parent / "examples" / "access.no_purpose" / "missing_code", src)
    (src / "expect.yaml").unlink(missing_ok=True)
    with open(src / "system_access.csv", "a") as f:
        for i in range(systems):  # another officer records a code on each system
            f.write(f"X{i:03d},B1,SYS{i:03d},search,R5,2025-03-10T09:{i % 60:02d}:00Z,INV\n")
        f.write(f"X999,C1,SYS000,view,R6,{year}-06-01T10:00:00Z,INV\n")
    s = embedded_settings(tmp_path)
    with open_store(s) as st:
        ingest_dir(st, src, s.data_dir)
        flags = run_detectors(st, ["access.no_purpose"], write_graph=False).flags
    assert list(flags["officer_id"]) == ["A1"]
