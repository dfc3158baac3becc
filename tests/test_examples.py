"""Worked examples per detector, the way detection-rule projects keep test data for each
rule: ``tests/examples/<detector>/<name>/`` is a tiny force of a few hand-written rows in
the source contract's CSV format, and ``expect.yaml`` beside them says what the detector
must make of it. Every example runs on both stores.

``expect.yaml``::

    detector: access.off_duty   # the detector the example is for (the parent folder)
    expect: flag                # flag | no flag
    officers: [A1]              # expect flag: exactly these officers are flagged
    form: no_duty_row           # expect flag: every flag names this form in its evidence
    params: {}                  # optional: detector parameters
    unchecked: [no_duty_row]    # optional: the forms the run must report it could not check
    saw_nothing: false          # optional: whether the run must report it saw nothing

A folder named after one of the card's forms must be a positive example of that form;
one named after a card's look-alike must expect no flag. Other folders (odd but valid
input, missing inputs) may expect either.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from graph.settings import Settings
from graph.workspace import open_store
from ingest.run import ingest_dir
from queries.detect import run_detectors
from queries.detectors import DETECTORS
from queries.detectors.base import flag_forms
from tests.conftest import wipe_neo4j

EXAMPLES = Path(__file__).parent / "examples"
KEYS = {"detector", "expect", "officers", "form", "params", "unchecked", "saw_nothing", "note"}
MAX_ROWS = 80  # hand-written: a person reads every row


def _examples() -> list[Path]:
    return sorted(p.parent for p in EXAMPLES.glob("*/*/expect.yaml"))


def _spec(folder: Path) -> dict[str, Any]:
    spec = yaml.safe_load((folder / "expect.yaml").read_text(encoding="utf-8"))
    assert isinstance(spec, dict), f"{folder}/expect.yaml: not a mapping"
    unknown = set(spec) - KEYS
    assert not unknown, f"{folder}/expect.yaml: unknown keys {sorted(unknown)}"
    assert spec.get("detector") == folder.parent.name, f"{folder}: detector is not the parent folder"
    assert spec.get("expect") in ("flag", "no flag"), f"{folder}: expect must be 'flag' or 'no flag'"
    if spec["expect"] == "flag":
        assert spec.get("officers") and spec.get("form"), f"{folder}: a flag example names officers and form"
    return spec


@pytest.mark.parametrize("folder", _examples(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_worked_example(folder: Path, store_settings: Settings) -> None:
    spec = _spec(folder)
    det = DETECTORS[spec["detector"]]
    with open_store(store_settings) as st:
        if st.name == "neo4j":
            wipe_neo4j(st)
        ingest_dir(st, folder, store_settings.data_dir)
        rep = run_detectors(st, [det.name], {det.name: spec.get("params") or {}}, write_graph=False)
    flags = rep.flags
    cov = rep.coverage[det.name]
    shown = flags[["officer_id", "explanation"]].values.tolist()
    if spec["expect"] == "flag":
        assert sorted(set(flags["officer_id"])) == sorted(map(str, spec["officers"])), shown
        for ev in flags["evidence"]:
            assert spec["form"] in flag_forms(ev), f"flag names forms {flag_forms(ev)}, not {spec['form']}"
        assert all(flags["explanation"].str.len() > 20)
    else:
        assert flags.empty, shown
    if "unchecked" in spec:
        assert sorted(cov.forms_unchecked) == sorted(spec["unchecked"]), cov
    if "saw_nothing" in spec:
        assert cov.saw_nothing is bool(spec["saw_nothing"]), cov


@pytest.mark.parametrize("name", sorted(DETECTORS))
def test_every_form_and_lookalike_has_a_worked_example(name: str) -> None:
    card = DETECTORS[name].card
    folder = EXAMPLES / name
    assert card.forms, f"{name}: the method card lists no forms"
    assert len(card.lookalikes) >= 3, f"{name}: fewer than three innocent look-alikes"
    looks = {la.name for la in card.lookalikes}
    for form in card.forms:
        assert form.lookalikes and set(form.lookalikes) <= looks, (
            f"{name}/{form.name}: pair it with look-alikes"
        )
        spec = _spec(folder / form.name)
        assert spec["expect"] == "flag" and spec["form"] == form.name, f"{name}/{form.name}"
    for la in card.lookalikes:
        assert _spec(folder / la.name)["expect"] == "no flag", f"{name}/{la.name}"
    inputs = {i.name for i in DETECTORS[name].inputs}
    for form in card.forms:
        assert set(form.needs) <= inputs, f"{name}/{form.name}: needs an undeclared input"


def test_examples_are_small_hand_written_forces() -> None:
    assert _examples()
    for folder in _examples():
        spec = _spec(folder)
        assert spec["detector"] in DETECTORS
        csvs = list(folder.glob("*.csv"))
        assert csvs, folder
        for f in csvs:
            rows = f.read_text(encoding="utf-8").count("\n") - 1
            assert rows <= MAX_ROWS, f"{f}: {rows} rows; a worked example is a few rows a person reads"
