"""Corrections: an upheld fact amends a source row without overwriting it; the detectors
read the corrected view, run again, and retire the flags that no longer fire with the
reason ``retired after correction N``; a later ingest keeps the correction applied; a
changed source row flags it for review. On both stores."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from api.ops.corrections import apply_correction, detectors_reading, list_corrections
from api.ops.exports import events_parquet
from api.ops.flags import one
from api.ops.look import cli_look
from graph.corrections import Corrections, reader
from graph.errors import NotFound, QueryError
from graph.settings import Settings
from graph.workspace import Workspace
from ingest.run import ingest_dir
from queries.detect import run_detectors
from tests.conftest import wipe_neo4j

DETECTOR = "roster.overtime_overlap"
SHIFTS = """shift_id,officer_id,start,end,duty_type,pay_code,site_id,status,created_by,created_at,approved_by,approved_at,hours_claimed
SH1,A1,2025-03-10T00:00:00Z,2025-03-11T00:00:00Z,annual_leave,basic,,planned,M1,2025-02-10T10:00:00Z,,,
SH3,A1,2025-03-10T09:00:00Z,2025-03-10T15:00:00Z,day,overtime,S1,worked,M1,2025-02-10T10:00:00Z,M1,2025-03-05T09:00:00Z,
SH11,C1,2025-03-17T00:00:00Z,2025-03-18T00:00:00Z,annual_leave,basic,,planned,M1,2025-02-10T10:00:00Z,,,
SH13,C1,2025-03-17T09:00:00Z,2025-03-17T15:00:00Z,day,overtime,S1,worked,M1,2025-02-10T10:00:00Z,M1,2025-03-05T09:00:00Z,
"""
FILES = {
    "officers.csv": "officer_id,surname,forenames,rank,staff_type,unit_id,work_pattern,line_manager_id\n"
    "M1,Manager,Morgan,PS,officer,U1,frontline,\nA1,Example,Alex,PC,officer,U1,frontline,M1\n"
    "C1,Sample,Casey,PC,officer,U1,frontline,M1\n",
    "units.csv": "unit_id,name,site_id\nU1,Response Team A,S1\n",
    "sites.csv": "site_id,name,kind,postcode\nS1,Central Police Station,station,ZZ1 1AA\n",
    "shifts.csv": SHIFTS,
}
LOOK = cli_look("correction test")


def tiny_force(folder: Path, shifts: str = SHIFTS) -> Path:
    """A force of three officers: A1 and C1 each paid overtime inside their own leave."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in {**FILES, "shifts.csv": shifts}.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def ingest(settings: Settings, folder: Path) -> None:
    with Workspace(settings, write=True) as ws:
        ingest_dir(ws.store, folder, settings.data_dir)


def current_flags(ws: Workspace) -> dict[str, str]:
    rows = ws.store.query(
        "MATCH (f:Flag) WHERE f.retired_at IS NULL RETURN f.flag_id AS id, f.officer_id AS o"
    )
    return {r["o"]: r["id"] for r in rows}


@pytest.fixture
def force(store_settings: Settings, tmp_path: Path) -> Settings:
    with Workspace(store_settings, write=True) as ws:
        if ws.store.name == "neo4j":
            wipe_neo4j(ws.store)
    ingest(store_settings, tiny_force(tmp_path / "src"))
    with Workspace(store_settings, write=True) as ws:
        run_detectors(ws, [DETECTOR])
    return store_settings


def correct_leave(ws: Workspace) -> dict:
    return apply_correction(
        ws,
        LOOK,
        table="shifts",
        row_key="SH1",
        field="status",
        value="cancelled",
        reason="A1 was recalled from leave on 10 March; the leave row was never cancelled",
        evidence="duty inspector's recall email of 9 March",
        challenge_ref="CH-1",
    )


def test_correction_retires_the_flag_it_rests_on(force: Settings, tmp_path: Path) -> None:
    with Workspace(force, write=True) as ws:
        before = current_flags(ws)
        assert sorted(before) == ["A1", "C1"]
        rec = correct_leave(ws)
        assert rec["old_value"] == "planned" and rec["value"] == "cancelled"
        assert rec["officer_id"] == "A1" and rec["who"] == LOOK.who.user
        assert DETECTOR in rec["detectors"]
        assert rec["retired"] == [before["A1"]]
        after = current_flags(ws)
        assert after == {"C1": before["C1"]}  # the uncorrected flag stays
        flag = one(ws, before["A1"])
        assert flag["retired_at"] and flag["retired_reason"] == f"retired after correction {rec['seq']}"
        assert "retired_reason" not in one(ws, before["C1"])
        # the source row is as it was: only the corrected view changed
        stored = ws.events.con.execute("SELECT status FROM shifts WHERE shift_id = 'SH1'").fetchall()
        assert stored == [("planned",)]
        con = reader(ws.events, ws.meta, ws.settings.timezone)
        assert con.execute("SELECT status FROM shifts WHERE shift_id = 'SH1'").fetchall() == [("cancelled",)]
        con.close()
        audit = [r for r in ws.audit.records() if r["action"] == "correction"]
        assert audit[-1]["what"] == "shifts:SH1" and audit[-1]["officer_id"] == "A1"
        # Spark (or any engine) reads the event tables as exported: the corrected view too
        out = events_parquet(ws, LOOK, tmp_path / "pq")
        exported = pd.read_parquet(tmp_path / "pq" / "shifts")
        assert out.rows["shifts"] == len(exported)
        assert exported.set_index("shift_id").loc["SH1", "status"] == "cancelled"

    ingest(force, tiny_force(tmp_path / "src"))  # the same files again: still corrected
    with Workspace(force, write=True) as ws:
        run_detectors(ws, [DETECTOR])
        assert sorted(current_flags(ws)) == ["C1"]
        assert [c["status"] for c in list_corrections(ws, LOOK)] == ["applied"]

    changed = SHIFTS.replace(
        "annual_leave,basic,,planned,M1,2025-02-10T10:00:00Z,,,\nSH3",
        "annual_leave,basic,,planned,M1,2025-02-10T10:00:00Z,,,7.5\nSH3",
    )
    assert changed != SHIFTS
    ingest(force, tiny_force(tmp_path / "src2", changed))  # the source row itself changed
    with Workspace(force) as ws:
        listed = list_corrections(ws, LOOK, status="needs_review")
        assert [(c["tbl"], c["row_key"]) for c in listed] == [("shifts", "SH1")]


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        ({"row_key": "SH99"}, NotFound, ["shifts", "SH99", "status"]),
        ({"field": "mood"}, QueryError, ["field", "mood"]),
        ({"field": "shift_id"}, QueryError, ["field", "key"]),
        ({"value": "on leave"}, QueryError, ["value", "shifts.status"]),
        ({"field": "start", "value": "10 March"}, QueryError, ["value", "shifts.start"]),
        ({"table": "officers"}, QueryError, ["table"]),
        ({"reason": " "}, QueryError, ["reason"]),
    ],
)
def test_bad_corrections_are_refused_and_leave_nothing(
    force: Settings, change: dict, error: type, words: list[str]
) -> None:
    args = {
        "table": "shifts",
        "row_key": "SH1",
        "field": "status",
        "value": "cancelled",
        "reason": "recalled",
        "evidence": "email",
        **change,
    }
    with Workspace(force, write=True) as ws:
        flags = current_flags(ws)
        with pytest.raises(error) as e:
            apply_correction(ws, LOOK, **args)
        for w in words:
            assert w in str(e.value)
        assert Corrections(ws.meta).rows() == []
        assert current_flags(ws) == flags


def test_detectors_reading_a_table() -> None:
    assert DETECTOR in detectors_reading("shifts")
    assert "access.no_purpose" in detectors_reading("system_access")
    assert "access.no_purpose" not in detectors_reading("shifts")
