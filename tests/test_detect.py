"""association.undeclared_membership, end to end on both stores."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from graph.settings import Settings
from graph.store import GraphStore
from graph.workspace import open_store
from ingest.run import ingest_dir
from queries.detect import run_detectors, write_export
from queries.detectors import DETECTORS, DetectorError, get
from queries.detectors.base import FLAG_COLUMNS
from synthetic import generate
from tests.conftest import embedded_settings, neo4j_settings, wipe_neo4j

NAME = "association.undeclared_membership"


def ingest_force(store: GraphStore, settings: Settings, tmp: Path, seed: int = 5):
    force = generate(officers=250, seed=seed)
    ingest_dir(store, force.write(tmp / f"src{seed}"), settings.data_dir)
    return force


def test_finds_planted_cases_only(store: GraphStore, store_settings: Settings, tmp_path: Path) -> None:
    force = ingest_force(store, store_settings, tmp_path)
    flags = run_detectors(store, [NAME]).flags
    assert list(flags.columns) == FLAG_COLUMNS
    assert len(force.truth) > 0
    assert set(flags["officer_id"]) == set(force.truth["officer_id"])  # recall 1, precision 1
    decl = force.tables["declarations"]
    approved = set(decl.loc[decl["status"] == "approved", "officer_id"])
    assert not approved & set(flags["officer_id"])  # declared members are not flagged
    pending = set(decl.loc[decl["status"] == "pending", "officer_id"])
    pf = flags[flags["officer_id"].isin(pending)]
    assert len(pf) == len(pending) and (pf["severity"] == "medium").all() and (pf["score"] == 0.6).all()
    assert pf["explanation"].str.contains("pending approval").all()
    row = flags[~flags["officer_id"].isin(pending)].iloc[0]
    assert row["severity"] == "high" and row["score"] == 1.0
    assert row["explanation"].startswith("Listed as a member of ")
    assert "no approved declaration" in row["explanation"]
    ev = json.loads(row["evidence"])
    assert {e.get("table") for e in ev} >= {"memberships", "officers", "organisations"}
    assert any(e.get("path", [None])[0] == f"Officer:{row['officer_id']}" for e in ev)


def test_flags_are_stable_and_written_to_the_graph(
    store: GraphStore, store_settings: Settings, tmp_path: Path
) -> None:
    ingest_force(store, store_settings, tmp_path)
    first = run_detectors(store, [NAME])
    second = run_detectors(store, [NAME])
    assert first.flags["flag_id"].tolist() == second.flags["flag_id"].tolist()
    assert all(s.new == 0 and s.changed == 0 for s in second.loads)
    n = len(first.flags)
    assert store.counts()["Flag"] == n and store.counts()["FLAGS"] == n
    f = first.flags.iloc[0]
    linked = store.query(
        "MATCH (f:Flag {flag_id: $id})-[:FLAGS]->(o:Officer) RETURN o.officer_id AS o", {"id": f["flag_id"]}
    )
    assert linked == [{"o": f["officer_id"]}]
    ev = store.query(
        "MATCH (f:Flag {flag_id: $id})-[:EVIDENCE]->(x) RETURN x.uid AS xid ORDER BY xid",
        {"id": f["flag_id"]},
    )
    assert {r["xid"].split(":")[0] for r in ev} >= {"Membership", "Organisation"}


def test_flag_retired_when_declaration_approved(tmp_path: Path) -> None:
    s = embedded_settings(tmp_path)
    force = generate(officers=250, seed=5)
    src = force.write(tmp_path / "src")
    with open_store(s) as st:
        ingest_dir(st, src, s.data_dir)
        flags = run_detectors(st, [NAME]).flags
        target = flags[flags["severity"] == "high"].iloc[0]
        ev = json.loads(target["evidence"])
        org = next(e["key"] for e in ev if e.get("table") == "organisations")
        decl = force.tables["declarations"]
        decl = pd.concat(
            [
                decl,
                pd.DataFrame(
                    [
                        {
                            "declaration_id": "DNEW",
                            "officer_id": target["officer_id"],
                            "kind": "membership",
                            "org_id": org,
                            "declared_at": "2026-01-01",
                            "status": "approved",
                        }
                    ]
                ),
            ],
            ignore_index=True,
        )
        decl.to_csv(src / "declarations.csv", index=False)
        ingest_dir(st, src, s.data_dir)
        rep = run_detectors(st, [NAME])
        assert target["flag_id"] not in set(rep.flags["flag_id"])
        assert len(rep.flags) == len(flags) - 1
        node = st.node(f"Flag:{target['flag_id']}")["properties"]
        assert node["retired_at"] is not None  # kept as history, not deleted


def test_same_flags_on_both_stores(tmp_path: Path) -> None:
    results = []
    for settings in (embedded_settings(tmp_path / "e"), neo4j_settings(tmp_path / "n")):
        with open_store(settings) as st:
            if st.name == "neo4j":
                wipe_neo4j(st)
            ingest_force(st, settings, tmp_path / st.name, seed=9)
            results.append(run_detectors(st, [NAME]).flags)
    pd.testing.assert_frame_equal(results[0], results[1])
    assert len(results[0]) > 0


def test_export_formats(tmp_path: Path) -> None:
    s = embedded_settings(tmp_path)
    with open_store(s) as st:
        ingest_force(st, s, tmp_path)
        flags = run_detectors(st, write_graph=False).flags
    csv_file = write_export(flags, tmp_path / "out" / "flags.csv")
    back = pd.read_csv(csv_file, dtype=str, keep_default_na=False)
    assert list(back.columns) == FLAG_COLUMNS and len(back) == len(flags)
    assert back["window_start"].str.match(r"^\d{4}-\d\d-\d\dT00:00:00Z$").all()
    jl = write_export(flags, tmp_path / "out" / "flags.jsonl")
    recs = [json.loads(line) for line in jl.read_text().splitlines()]
    assert len(recs) == len(flags) and isinstance(recs[0]["evidence"], list)


def test_detector_declaration() -> None:
    d = get(NAME)
    assert d.family == "association" and d.name in DETECTORS
    assert {"gender", "ethnicity"} <= set(d.card.never_uses)
    assert not any(p in d.cypher for p in ("gender", "ethnicity"))
    assert d.resolve_params({"min_score": "0.5"})["min_score"] == 0.5
    with pytest.raises(DetectorError, match="unknown parameter"):
        d.resolve_params({"threshold": 1})
    with pytest.raises(DetectorError, match="unknown detector"):
        get("roster.nope")


def test_method_cards_doc_is_current() -> None:
    from pathlib import Path

    from queries.cards import render

    doc = Path(__file__).resolve().parents[1] / "docs" / "detectors.md"
    assert doc.read_text() == render(), "regenerate: python -m queries.cards > docs/detectors.md"
    assert "## `association.undeclared_membership`" in doc.read_text()


def test_detectors_say_what_they_could_not_see(tmp_path: Path) -> None:
    """On a force with the organisation tables only (no events, no complaints), every
    event detector reports the inputs it lacked and that it saw nothing, instead of a
    bare "0 flags"; the run's record keeps it, and the command line prints it."""
    from typer.testing import CliRunner

    from api.cli import app
    from graph.contract import TABLE_LIST

    event_tables = {t.name for t in TABLE_LIST if t.kind == "event"}
    s = embedded_settings(tmp_path)
    force = generate(officers=120, seed=2)  # no events
    with open_store(s) as st:
        ingest_dir(st, force.write(tmp_path / "src"), s.data_dir, resolver="exact")
        rep = run_detectors(st, write_graph=False)
    assert set(rep.coverage) == set(DETECTORS)
    for name, d in DETECTORS.items():
        assert d.inputs, f"{name} declares no inputs"
        cov = rep.coverage[name]
        assert set(cov.had) | set(cov.lacked) == {i.name for i in d.inputs}
        assert sorted(cov.forms_checked + cov.forms_unchecked) == sorted(f.name for f in d.card.forms)
        if d.reads_events:
            on_events = {i.name for i in d.inputs if any(f"FROM {t} " in f"{i.sql} " for t in event_tables)}
            assert on_events and on_events <= set(cov.lacked), (name, cov)
            assert cov.saw_nothing or any(not f.needs for f in d.card.forms), (name, cov)
            assert rep.flags[rep.flags["detector"] == name].empty
    assert not rep.coverage[NAME].saw_nothing  # memberships and declarations were there
    rec = rep.write_record(s.data_dir)
    kept = json.loads(rec.read_text())["detectors"]["access.off_duty"]
    assert kept["saw_nothing"] and kept["lacked"]

    res = CliRunner().invoke(
        app, ["detect", "--out", str(tmp_path / "f.csv"), "--data-dir", str(s.data_dir)], terminal_width=250
    )
    assert res.exit_code == 0, res.output
    assert "not checked" in res.output and "saw nothing" in res.output and "run record:" in res.output


def test_a_detector_out_of_memory_says_which_setting_and_what_completed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import duckdb

    from queries.detect import DetectorResourceError
    from queries.detectors.base import DetectContext

    settings = embedded_settings(tmp_path)
    with open_store(settings) as store:
        ingest_force(store, settings, tmp_path)
        real_sql = DetectContext.sql

        def sql(self: DetectContext, text: str, params: dict) -> list:  # type: ignore[type-arg]
            if "n_win" in text:  # access.volume_outlier's query
                raise duckdb.OutOfMemoryException(
                    "Out of Memory Error: could not allocate block of size 256.0 KiB"
                )
            return real_sql(self, text, params)

        monkeypatch.setattr(DetectContext, "sql", sql)
        names = ["access.off_duty", "access.volume_outlier", "roster.retro_claim"]
        with pytest.raises(DetectorResourceError) as caught:
            run_detectors(store, names)
    msg = str(caught.value)
    assert "access.volume_outlier" in msg and "LINKWATCH_EVENT_MEMORY_MB" in msg
    assert "completed before it: access.off_duty;" in msg
    record = json.loads(Path(msg.rsplit("the run's record: ", 1)[1]).read_text())
    assert record["status"] == "failed" and record["failed"]["detector"] == "access.volume_outlier"
    assert record["completed"] == ["access.off_duty"]
    with open_store(settings) as store:  # a failed run writes no flags
        assert store.query("MATCH (f:Flag) RETURN count(f) AS n") == [{"n": 0}]


def test_running_out_of_spill_space_is_told_apart_from_memory(tmp_path: Path) -> None:
    """DuckDB reports a full spill cap as "Out of Memory": the message must send the user to
    the disk (where it spills, what it leaves free), not only to the memory setting."""
    import duckdb

    from graph.events import SPILL_RESERVE_MB
    from queries.detect import _resource_failure

    con = duckdb.connect()
    for setting in (
        "memory_limit='40MB'",
        f"temp_directory='{tmp_path / 'spill'}'",
        "max_temp_directory_size='2MB'",
        "threads=1",
    ):
        con.execute(f"SET {setting}")
    with pytest.raises(duckdb.OutOfMemoryException) as caught:
        con.execute(
            "SELECT count(*) FROM (SELECT i % 3000000 AS k, md5(i::VARCHAR) AS s FROM range(3000000) t(i) GROUP BY ALL)"
        ).fetchall()
    msg = _resource_failure(caught.value, "access.no_purpose", embedded_settings(tmp_path))
    assert msg is not None and "access.no_purpose ran out of disk to spill to" in msg
    assert (
        str(tmp_path / "data" / "tmp") in msg
        and f"{SPILL_RESERVE_MB:,} MiB" in msg
        and "LINKWATCH_EVENT_MEMORY_MB" in msg
    )
    memory = _resource_failure(
        duckdb.OutOfMemoryException("Out of Memory Error: could not allocate block of size 256.0 KiB"),
        "access.no_purpose",
        embedded_settings(tmp_path),
    )
    assert memory is not None and "ran out of memory in the event store" in memory
