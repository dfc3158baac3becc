"""``network.hidden_link``'s ties between colleagues: the scores of the work relations, the
``colleagues`` setting, and the free-text declarations that name a colleague."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from graph.settings import Settings
from graph.workspace import open_store
from ingest.run import ingest_dir
from queries.detect import run_detectors
from queries.detectors.network.hidden_link import declares

EXAMPLES = Path(__file__).parent / "examples" / "network.hidden_link"


def _flags(tmp_path: Path, example: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    settings = Settings(data_dir=tmp_path / "data")
    with open_store(settings) as st:
        ingest_dir(st, EXAMPLES / example, settings.data_dir)
        rep = run_detectors(
            st, ["network.hidden_link"], {"network.hidden_link": params or {}}, write_graph=False
        )
    return rep.flags.set_index("officer_id")


def test_a_tie_inside_one_unit_or_line_management_ranks_higher(tmp_path: Path) -> None:
    f = _flags(tmp_path, "colleague_contact")
    assert f.loc["O1", "score"] == f.loc["O2", "score"] == 0.55  # one unit
    assert f.loc["O3", "score"] == f.loc["O4", "score"] == 0.4  # two units
    ev = json.loads(f.loc["O1", "evidence"])
    assert {"table": "officers", "key": "O2"} in ev
    assert ev[-1] == {"forms": ["colleague_contact"]}
    assert "e-mail" in f.loc["O1", "explanation"] and "O2" in f.loc["O1", "explanation"]
    m = _flags(tmp_path / "m", "line_manager")
    assert m.loc["O1", "score"] == m.loc["S1", "score"] == 0.75
    assert m.loc["O1", "severity"] == "medium"
    assert json.loads(m.loc["S1", "evidence"])[-1] == {"forms": ["colleague_home", "line_manager"]}
    assert "S1 is the other's line manager" in m.loc["O1", "explanation"]


@pytest.mark.parametrize(
    ("setting", "flagged"),
    [("all", {"O1", "O2", "O3", "O4"}), ("work", {"O1", "O2"}), ("none", set())],
)
def test_which_colleagues_a_force_asks_about(tmp_path: Path, setting: str, flagged: set[str]) -> None:
    assert set(_flags(tmp_path, "colleague_contact", {"colleagues": setting}).index) == flagged


def test_a_declaration_names_the_colleague_as_whole_words() -> None:
    assert declares("Lives with PC Sample, Billie (O3)", "O3", "Billie", "Sample")
    assert declares("lives with billie SAMPLE", "O9", "Billie Jo", "Sample")
    assert not declares("Lives with Billie Samples", "O9", "Billie", "Sample")
    assert not declares("Sample Billiards Club", "O9", "Billie", "Sample")
    assert not declares("Officer O31", "O3", None, None)
    assert not declares("", "", None, None)
