"""Golden strings of the Cypher and DDL generated from the model."""

from __future__ import annotations

import pytest

from graph import cypher as cy
from graph.model import MODEL, GraphModel, NodeSchema, Prop, RelSchema


def test_ladybug_node_ddl() -> None:
    assert cy.ladybug_node_ddl(MODEL.node("Unit")) == (
        "CREATE NODE TABLE IF NOT EXISTS Unit(uid STRING, unit_id STRING, name STRING, "
        "parent_unit_id STRING, site_id STRING, first_seen TIMESTAMP, last_seen TIMESTAMP, "
        "run_id STRING, source_file STRING, source_line INT64, row_hash STRING, "
        "retired_at TIMESTAMP, extra STRING, PRIMARY KEY(uid))"
    )


def test_ladybug_rel_ddl_with_several_end_pairs() -> None:
    assert cy.ladybug_rel_ddl(MODEL.rel("EVIDENCE")) == (
        "CREATE REL TABLE IF NOT EXISTS EVIDENCE(FROM Flag TO Membership, FROM Flag TO Organisation, "
        "FROM Flag TO Declaration, FROM Flag TO Officer, FROM Flag TO Person, FROM Flag TO Record, "
        "FROM Flag TO Complaint, key STRING, src STRING, dst STRING, "
        "first_seen TIMESTAMP, last_seen TIMESTAMP, run_id STRING, source_file STRING, "
        "source_line INT64, row_hash STRING, retired_at TIMESTAMP, extra STRING)"
    )


def test_neo4j_ddl() -> None:
    ddl = cy.neo4j_ddl(MODEL)
    assert "CREATE CONSTRAINT officer_uid IF NOT EXISTS FOR (n:Officer) REQUIRE n.uid IS UNIQUE" in ddl
    assert "CREATE INDEX officer_surname IF NOT EXISTS FOR (n:Officer) ON (n.surname)" in ddl
    assert "CREATE CONSTRAINT ingest_run_uid IF NOT EXISTS FOR (n:IngestRun) REQUIRE n.uid IS UNIQUE" in ddl
    assert "CREATE INDEX member_of_key IF NOT EXISTS FOR ()-[r:MEMBER_OF]-() ON (r.key)" in ddl
    assert len([d for d in ddl if "CONSTRAINT" in d]) == len(MODEL.nodes)


def test_neo4j_upserts() -> None:
    assert cy.neo4j_node_upsert(MODEL.node("Site")) == (
        "UNWIND $rows AS row MERGE (n:Site {uid: row.uid}) ON CREATE SET n.first_seen = datetime(row.first_seen) "
        "SET n.site_id = row.site_id, n.name = row.name, n.kind = row.kind, n.postcode = row.postcode, "
        "n.last_seen = datetime(row.last_seen), n.run_id = row.run_id, n.source_file = row.source_file, "
        "n.source_line = row.source_line, n.row_hash = row.row_hash, n.retired_at = datetime(row.retired_at), "
        "n.extra = row.extra"
    )
    assert cy.neo4j_rel_upsert(MODEL.rel("LISTED_IN"), "Membership", "Organisation") == (
        "UNWIND $rows AS row MATCH (a:Membership {uid: row.src}) MATCH (b:Organisation {uid: row.dst}) "
        "MERGE (a)-[r:LISTED_IN {key: row.key}]->(b) ON CREATE SET r.first_seen = datetime(row.first_seen) "
        "SET r.src = row.src, r.dst = row.dst, r.since = date(row.since), r.until = date(row.until), "
        "r.last_seen = datetime(row.last_seen), r.run_id = row.run_id, "
        "r.source_file = row.source_file, r.source_line = row.source_line, r.row_hash = row.row_hash, "
        "r.retired_at = datetime(row.retired_at), r.extra = row.extra"
    )

    assert cy.neo4j_rel_create(MODEL.rel("LISTED_IN"), "Membership", "Organisation") == (
        "UNWIND $rows AS row MATCH (a:Membership {uid: row.src}) MATCH (b:Organisation {uid: row.dst}) "
        "CREATE (a)-[r:LISTED_IN {key: row.key, src: row.src, dst: row.dst, since: date(row.since), "
        "until: date(row.until), first_seen: datetime(row.first_seen), last_seen: datetime(row.last_seen), "
        "run_id: row.run_id, source_file: row.source_file, source_line: row.source_line, "
        "row_hash: row.row_hash, retired_at: datetime(row.retired_at), extra: row.extra}]->(b)"
    )
    assert cy.neo4j_node_create(MODEL.node("Site")).startswith(
        "UNWIND $rows AS row CREATE (n:Site {uid: row.uid, site_id: row.site_id, name: row.name, "
    )


def test_ladybug_bulk_update() -> None:
    assert cy.ladybug_node_update(MODEL.node("Site")).startswith(
        "LOAD FROM changed_rows MATCH (n:Site {uid: v_uid}) SET n.site_id = v_site_id, n.name = v_name"
    )


def test_model_rejects_unknown_end_label() -> None:
    with pytest.raises(ValueError, match="unknown end label"):
        GraphModel(
            nodes=(NodeSchema("A", "a", (Prop("a"),)),), relationships=(RelSchema("R", (("A", "B"),)),)
        )


def test_protected_characteristics_are_marked() -> None:
    protected = {p.name for p in MODEL.node("Officer").props if p.protected}
    assert protected == {"gender", "ethnicity"}


def test_data_model_doc_is_current() -> None:
    from pathlib import Path

    from graph.docs import render

    doc = Path(__file__).resolve().parents[1] / "docs" / "data-model.md"
    assert doc.read_text() == render(), "regenerate: python -m graph.docs > docs/data-model.md"


def test_a_store_made_by_an_older_model_is_brought_up_to_date(tmp_path: object) -> None:
    """A store whose tables an earlier model made (a property since added, one since
    removed) opens for writing, is altered to the model and is published; its rows stay."""
    from pathlib import Path

    import pandas as pd

    from graph.settings import Settings
    from graph.store import RunInfo
    from graph.workspace import open_store

    s = Settings(data_dir=Path(str(tmp_path)) / "data", buffer_pool_mb=256)
    with open_store(s) as st:
        ids = pd.DataFrame(
            {"identifier_id": ["phone:0123456789"], "kind": ["phone"], "value": ["0123456789"]}
        )
        st.load_nodes("Identifier", ids, RunInfo.new("t"))
        st._write("ALTER TABLE Identifier DROP holders", {})  # type: ignore[attr-defined]
        st._write("ALTER TABLE Flag ADD status STRING", {})  # type: ignore[attr-defined]
    with open_store(s) as st:  # the writer migrates
        cols = {r["name"] for r in st.query("CALL table_info('Identifier') RETURN name")}
        flag_cols = {r["name"] for r in st.query("CALL table_info('Flag') RETURN name")}
        assert "holders" in cols and "status" not in flag_cols
    with open_store(s, read_only=True) as st:  # published: readers see the new shape
        got = st.query("MATCH (i:Identifier) RETURN i.identifier_id AS id, i.holders AS h")
    assert got == [{"id": "phone:0123456789", "h": None}]


def test_every_contract_column_has_a_home_in_the_model() -> None:
    """Each column of a table the graph loads is a property of a node the table makes, an
    end or discriminator of a relationship it makes, or such a relationship's property;
    an event table's columns all live in the event store. And every source column the
    model names is a column of its table (no typo makes a property silently empty)."""
    from graph.contract import TABLE_LIST, TABLES
    from graph.events import ddl
    from ingest.transform import GRAPH_TABLES

    homeless = []
    for t in TABLE_LIST:
        if t.kind == "event":
            homeless += [f"{t.name}.{c}" for c in t.names if f'"{c}"' not in ddl(t)]
            continue
        assert t.name in GRAPH_TABLES, f"{t.name}: an entity table the graph does not load"
        homes = {p.column for n in MODEL.nodes if n.source_table == t.name for p in n.props}
        for r in MODEL.relationships:
            if r.source_table == t.name and r.link is not None:
                homes |= set(r.link.columns) | {p.column for p in r.props}
        homeless += [f"{t.name}.{c}" for c in t.names if c not in homes]
    assert homeless == []
    named = [(n.source_table, p.column) for n in MODEL.nodes if n.source_table for p in n.props]
    named += [(r.source_table, c) for r in MODEL.relationships if r.link for c in r.link.columns]
    named += [(r.source_table, p.column) for r in MODEL.relationships if r.link for p in r.props]
    assert [f"{t}.{c}" for t, c in named if c not in TABLES[str(t)].names] == []
