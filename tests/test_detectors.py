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
from graph.store import open_store
from ingest.generate import generate
from ingest.run import ingest_dir
from queries.detect import run_detectors
from queries.detectors import DETECTORS, get
from queries.detectors.base import FLAG_COLUMNS
from queries.evaluate import evaluate
from tests.conftest import embedded_settings, neo4j_settings, wipe_neo4j

SEED, OFFICERS, DAYS = 3, 400, 120


@pytest.fixture(scope="module")
def force_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    tmp = tmp_path_factory.mktemp("force")
    force = generate(officers=OFFICERS, seed=SEED, days=DAYS)
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


def test_planted_cases_are_found_and_lookalikes_are_not(
    force_dir: tuple[Path, object], embedded_flags: pd.DataFrame
) -> None:
    truth = pd.read_csv(force_dir[0] / "truth.csv", dtype=str)
    looks = pd.read_csv(force_dir[0] / "lookalikes.csv", dtype=str)
    ev = evaluate(truth, embedded_flags).set_index("detector")
    for name in DETECTORS:
        row = ev.loc[name]
        assert row["recall"] >= 0.9, (name, row.to_dict())
        assert row["precision"] >= 0.8, (name, row.to_dict())
    flagged = looks.merge(embedded_flags[["detector", "officer_id"]], on=["detector", "officer_id"])
    assert flagged.empty, flagged[["detector", "officer_id", "note"]].values.tolist()


def test_every_flag_explains_itself(embedded_flags: pd.DataFrame) -> None:
    assert list(embedded_flags.columns) == FLAG_COLUMNS
    assert embedded_flags["flag_id"].is_unique
    for f in embedded_flags.itertuples():
        assert f.flag_id.startswith(f.detector + ":")
        assert 0 <= f.score <= 1 and f.severity in ("low", "medium", "high")
        assert f.explanation.endswith(".") and len(f.explanation) > 40
        ev = json.loads(f.evidence)
        assert ev and all("table" in e or "path" in e or "tie" in e for e in ev)
        assert any(e.get("table") for e in ev)
    crews = embedded_flags[embedded_flags["detector"] == "network.crew"]
    assert (crews.groupby("group_id").size() >= 3).all()


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
