"""DDL and load Cypher generated from the data model (:mod:`graph.model`).

Nothing here formats a value into Cypher text: labels, types and property names come
from the declared model only, values always travel as parameters.

Examples
--------
>>> from graph.model import MODEL
>>> print(neo4j_ddl(MODEL)[0])
CREATE CONSTRAINT officer_uid IF NOT EXISTS FOR (n:Officer) REQUIRE n.uid IS UNIQUE
"""

from __future__ import annotations

import re

from graph.model import LADYBUG_TYPES, GraphModel, NodeSchema, Prop, RelSchema


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


# --- Ladybug (embedded) --------------------------------------------------------------


def ladybug_node_ddl(node: NodeSchema) -> str:
    cols = ", ".join(f"{p.name} {LADYBUG_TYPES[p.type]}" for p in node.all_props)
    return f"CREATE NODE TABLE IF NOT EXISTS {node.label}({cols}, PRIMARY KEY(uid))"


def ladybug_rel_ddl(rel: RelSchema) -> str:
    ends = ", ".join(f"FROM {a} TO {b}" for a, b in rel.ends)
    cols = ", ".join(f"{p.name} {LADYBUG_TYPES[p.type]}" for p in rel.all_props)
    return f"CREATE REL TABLE IF NOT EXISTS {rel.type}({ends}, {cols})"


def ladybug_ddl(model: GraphModel) -> list[str]:
    return [ladybug_node_ddl(n) for n in model.nodes] + [ladybug_rel_ddl(r) for r in model.relationships]


def ladybug_migration(table: str, declared: tuple[Prop, ...], existing: dict[str, str]) -> list[str]:
    """``ALTER TABLE`` statements that bring a table made by an older model to the
    declared properties: new properties added (empty), properties the model no longer
    declares dropped. ``existing`` maps the table's column names to their types.

    >>> ladybug_migration("Identifier", (Prop("uid"), Prop("holders", "int")), {"uid": "STRING", "old": "STRING"})
    ['ALTER TABLE Identifier ADD holders INT64', 'ALTER TABLE Identifier DROP old']
    """
    names = {p.name for p in declared}
    add = [
        f"ALTER TABLE {table} ADD {p.name} {LADYBUG_TYPES[p.type]}"
        for p in declared
        if p.name not in existing
    ]
    drop = [f"ALTER TABLE {table} DROP {c}" for c in existing if c not in names]
    return add + drop


def ladybug_node_update(node: NodeSchema) -> str:
    """Update changed nodes in bulk from an Arrow table bound as ``changed_rows``
    (columns ``v_<property>``; ``LOAD FROM`` keeps each column's declared type, where
    ``UNWIND $rows`` would type an all-null column as STRING). New nodes go through
    ``COPY``."""
    sets = ", ".join(f"n.{p} = v_{p}" for p in node.prop_names if p not in ("uid", "first_seen"))
    return f"LOAD FROM changed_rows MATCH (n:{node.label} {{uid: v_uid}}) SET {sets}"


def ladybug_rel_update(rel: RelSchema, start: str, end: str) -> str:
    sets = ", ".join(f"r.{p} = v_{p}" for p in rel.prop_names if p not in ("key", "first_seen", "src", "dst"))
    return (
        f"LOAD FROM changed_rows MATCH (a:{start} {{uid: v_src}})-[r:{rel.type} {{key: v_key}}]->"
        f"(b:{end} {{uid: v_dst}}) SET {sets}"
    )


# --- Neo4j ---------------------------------------------------------------------------


def neo4j_ddl(model: GraphModel) -> list[str]:
    """Uniqueness constraints on ``uid``, indexes on declared lookup properties and on
    every relationship's ``key``."""
    out: list[str] = []
    for n in model.nodes:
        s = _snake(n.label)
        out.append(f"CREATE CONSTRAINT {s}_uid IF NOT EXISTS FOR (n:{n.label}) REQUIRE n.uid IS UNIQUE")
        for p in n.props:
            if p.index:
                out.append(f"CREATE INDEX {s}_{p.name} IF NOT EXISTS FOR (n:{n.label}) ON (n.{p.name})")
    for r in model.relationships:
        s = r.type.lower()
        out.append(f"CREATE INDEX {s}_key IF NOT EXISTS FOR ()-[r:{r.type}]-() ON (r.key)")
    return out


def _neo4j_value(p: Prop) -> str:
    """Dates and timestamps travel as ISO strings (packing Python temporal values in the
    driver was ~40% of load time here) and are typed by Cypher's ``date()`` and
    ``datetime()``, which map null to null."""
    if p.type == "date":
        return f"date(row.{p.name})"
    if p.type == "timestamp":
        return f"datetime(row.{p.name})"
    return f"row.{p.name}"


def neo4j_node_upsert(node: NodeSchema) -> str:
    """``MERGE`` on the uid; ``first_seen`` only on create; every other column set."""
    sets = ", ".join(
        f"n.{p.name} = {_neo4j_value(p)}" for p in node.all_props if p.name not in ("uid", "first_seen")
    )
    return (
        f"UNWIND $rows AS row MERGE (n:{node.label} {{uid: row.uid}}) "
        f"ON CREATE SET n.first_seen = datetime(row.first_seen) SET {sets}"
    )


def neo4j_rel_upsert(rel: RelSchema, start: str, end: str) -> str:
    sets = ", ".join(
        f"r.{p.name} = {_neo4j_value(p)}" for p in rel.all_props if p.name not in ("key", "first_seen")
    )
    return (
        f"UNWIND $rows AS row MATCH (a:{start} {{uid: row.src}}) MATCH (b:{end} {{uid: row.dst}}) "
        f"MERGE (a)-[r:{rel.type} {{key: row.key}}]->(b) "
        f"ON CREATE SET r.first_seen = datetime(row.first_seen) SET {sets}"
    )


def neo4j_node_create(node: NodeSchema) -> str:
    """``CREATE`` for nodes the delta knows to be new: every property in the pattern,
    no read side to plan (``MERGE`` planned on a fresh store with no statistics once ran
    ~100x slower than its re-plan)."""
    props = ", ".join(f"{p.name}: {_neo4j_value(p)}" for p in node.all_props)
    return f"UNWIND $rows AS row CREATE (n:{node.label} {{{props}}})"


def neo4j_rel_create(rel: RelSchema, start: str, end: str) -> str:
    """``CREATE`` for relationships the delta knows to be new (see :func:`neo4j_node_create`)."""
    props = ", ".join(f"{p.name}: {_neo4j_value(p)}" for p in rel.all_props)
    return (
        f"UNWIND $rows AS row MATCH (a:{start} {{uid: row.src}}) MATCH (b:{end} {{uid: row.dst}}) "
        f"CREATE (a)-[r:{rel.type} {{{props}}}]->(b)"
    )


# --- both dialects -------------------------------------------------------------------


def node_state_query(node: NodeSchema) -> str:
    """Current key, hash and retirement of every node of a label (same text on both)."""
    return f"MATCH (n:{node.label}) RETURN n.uid AS uid, n.row_hash AS row_hash, n.retired_at AS retired_at"


def rel_state_query(rel: RelSchema) -> str:
    return (
        f"MATCH (a)-[r:{rel.type}]->(b) RETURN r.key AS key, r.row_hash AS row_hash, "
        f"r.retired_at AS retired_at, a.uid AS src, b.uid AS dst"
    )


def node_retire(node: NodeSchema) -> str:
    return f"UNWIND $uids AS u MATCH (n:{node.label} {{uid: u}}) SET n.retired_at = $ts, n.run_id = $run_id"


def rel_retire(rel: RelSchema) -> str:
    return (
        f"UNWIND $keys AS k MATCH ()-[r:{rel.type} {{key: k}}]->() SET r.retired_at = $ts, r.run_id = $run_id"
    )
