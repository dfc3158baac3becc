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
    """The Ladybug node table of a label, keyed by ``uid``.

    Parameters
    ----------
    node : NodeSchema
        A declared node label.

    Returns
    -------
    str
        ``CREATE NODE TABLE IF NOT EXISTS`` with every column of ``node.all_props``.

    Examples
    --------
    >>> from graph.model import MODEL
    >>> print(ladybug_node_ddl(MODEL.node("Unit")))  # doctest: +ELLIPSIS
    CREATE NODE TABLE IF NOT EXISTS Unit(uid STRING, unit_id STRING, ..., extra STRING, PRIMARY KEY(uid))
    """
    cols = ", ".join(f"{p.name} {LADYBUG_TYPES[p.type]}" for p in node.all_props)
    return f"CREATE NODE TABLE IF NOT EXISTS {node.label}({cols}, PRIMARY KEY(uid))"


def ladybug_rel_ddl(rel: RelSchema) -> str:
    """The Ladybug relationship table of a type, one ``FROM … TO …`` per pair of ends.

    Parameters
    ----------
    rel : RelSchema
        A declared relationship type.

    Returns
    -------
    str
        ``CREATE REL TABLE IF NOT EXISTS`` with every column of ``rel.all_props``.

    Examples
    --------
    >>> from graph.model import MODEL
    >>> print(ladybug_rel_ddl(MODEL.rel("MEMBER_OF")))  # doctest: +ELLIPSIS
    CREATE REL TABLE IF NOT EXISTS MEMBER_OF(FROM Officer TO Organisation, FROM Person TO ...
    """
    ends = ", ".join(f"FROM {a} TO {b}" for a, b in rel.ends)
    cols = ", ".join(f"{p.name} {LADYBUG_TYPES[p.type]}" for p in rel.all_props)
    return f"CREATE REL TABLE IF NOT EXISTS {rel.type}({ends}, {cols})"


def ladybug_ddl(model: GraphModel) -> list[str]:
    """Every Ladybug table of a model: node tables first (relationship tables need them).

    Parameters
    ----------
    model : GraphModel
        The data model.

    Returns
    -------
    list of str
        :func:`ladybug_node_ddl` of each label, then :func:`ladybug_rel_ddl` of each
        type, in declaration order.

    Examples
    --------
    >>> from graph.model import MODEL
    >>> stmts = ladybug_ddl(MODEL)
    >>> len(stmts) == len(MODEL.nodes) + len(MODEL.relationships)
    True
    >>> stmts[0][:48]
    'CREATE NODE TABLE IF NOT EXISTS Officer(uid STRI'
    """
    return [ladybug_node_ddl(n) for n in model.nodes] + [ladybug_rel_ddl(r) for r in model.relationships]


def ladybug_migration(table: str, declared: tuple[Prop, ...], existing: dict[str, str]) -> list[str]:
    """``ALTER TABLE`` statements that bring a table made by an older model to the declared properties.

    New properties are added (empty), properties the model no longer declares are
    dropped. Types of existing columns are not compared.

    Parameters
    ----------
    table : str
        The table (a node label or relationship type).
    declared : tuple of Prop
        The properties the model declares for it (``all_props``).
    existing : dict of str to str
        The table's column names mapped to their types (``CALL table_info``).

    Returns
    -------
    list of str
        The ``ADD`` statements, then the ``DROP`` statements (empty when the table
        matches).

    See Also
    --------
    graph.embedded.EmbeddedStore.ensure_schema : Runs them.

    Examples
    --------
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
    """Update changed nodes in bulk from an Arrow table bound as ``changed_rows``.

    The table has columns ``v_<property>``; ``LOAD FROM`` keeps each column's declared
    type, where ``UNWIND $rows`` would type an all-null column as STRING. New nodes go
    through ``COPY``. Every property but ``uid`` and ``first_seen`` is set.

    Parameters
    ----------
    node : NodeSchema
        A declared node label.

    Returns
    -------
    str
        Ladybug Cypher.

    Examples
    --------
    >>> from graph.model import MODEL
    >>> print(ladybug_node_update(MODEL.node("Unit")))  # doctest: +ELLIPSIS
    LOAD FROM changed_rows MATCH (n:Unit {uid: v_uid}) SET n.unit_id = v_unit_id, ..., n.extra = v_extra
    """
    sets = ", ".join(f"n.{p} = v_{p}" for p in node.prop_names if p not in ("uid", "first_seen"))
    return f"LOAD FROM changed_rows MATCH (n:{node.label} {{uid: v_uid}}) SET {sets}"


def ladybug_rel_update(rel: RelSchema, start: str, end: str) -> str:
    """Update changed relationships between two labels in bulk, as :func:`ladybug_node_update`.

    The relationship is found by its ends' uids and its ``key``; every property is set:
    the changed ones to the row's values, and ``key``, ``src``, ``dst`` and
    ``first_seen`` to what they are. Only types joining one pair of labels are updated
    so: Ladybug 0.22 damages a table joining several pairs when a ``SET`` on it is
    checkpointed (properties nulled, or ends not the relationship's own, even when every
    property is set), so those are deleted and copied again
    (:meth:`graph.embedded.EmbeddedStore._rewrite_rels`).

    Parameters
    ----------
    rel : RelSchema
        A declared relationship type.
    start, end : str
        The labels of its start and end nodes (one of ``rel.ends``).

    Returns
    -------
    str
        Ladybug Cypher reading ``changed_rows``.

    Examples
    --------
    >>> from graph.model import MODEL
    >>> print(ladybug_rel_update(MODEL.rel("PART_OF"), "Unit", "Unit"))  # doctest: +ELLIPSIS
    LOAD FROM changed_rows MATCH (a:Unit {uid: v_src})-[r:PART_OF {key: v_key}]->(b:Unit {uid: v_dst}) SET ...
    """
    sets = ", ".join(
        f"r.{p} = r.first_seen" if p == "first_seen" else f"r.{p} = v_{p}" for p in rel.prop_names
    )
    return (
        f"LOAD FROM changed_rows MATCH (a:{start} {{uid: v_src}})-[r:{rel.type} {{key: v_key}}]->"
        f"(b:{end} {{uid: v_dst}}) SET {sets}"
    )


# --- Neo4j ---------------------------------------------------------------------------


def neo4j_ddl(model: GraphModel) -> list[str]:
    """The Neo4j schema of a model.

    Uniqueness constraints on ``uid``, indexes on declared lookup properties
    (``Prop(index=True)``) and on every relationship's ``key``; each ``IF NOT EXISTS``.

    Parameters
    ----------
    model : GraphModel
        The data model.

    Returns
    -------
    list of str
        Cypher schema statements, per label then per relationship type.

    Examples
    --------
    >>> from graph.model import MODEL
    >>> stmts = neo4j_ddl(MODEL)
    >>> print(stmts[1])
    CREATE INDEX officer_officer_id IF NOT EXISTS FOR (n:Officer) ON (n.officer_id)
    >>> print(stmts[-1])
    CREATE INDEX evidence_key IF NOT EXISTS FOR ()-[r:EVIDENCE]-() ON (r.key)
    """
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
    """Upsert nodes from ``$rows``, merging on the uid.

    ``first_seen`` is set only on create; every other column is set.

    Dates and timestamps travel as ISO text and are typed by ``date()`` and
    ``datetime()``.

    Parameters
    ----------
    node : NodeSchema
        A declared node label.

    Returns
    -------
    str
        Neo4j Cypher taking ``$rows`` (one map per node, every column).

    See Also
    --------
    neo4j_node_create : For nodes known to be new.

    Examples
    --------
    >>> from graph.model import MODEL
    >>> print(neo4j_node_upsert(MODEL.node("Unit")))  # doctest: +ELLIPSIS
    UNWIND $rows AS row MERGE (n:Unit {uid: row.uid}) ON CREATE SET n.first_seen = ...
    """
    sets = ", ".join(
        f"n.{p.name} = {_neo4j_value(p)}" for p in node.all_props if p.name not in ("uid", "first_seen")
    )
    return (
        f"UNWIND $rows AS row MERGE (n:{node.label} {{uid: row.uid}}) "
        f"ON CREATE SET n.first_seen = datetime(row.first_seen) SET {sets}"
    )


def neo4j_rel_upsert(rel: RelSchema, start: str, end: str) -> str:
    """Upsert relationships between two labels from ``$rows``, as :func:`neo4j_node_upsert`.

    The ends are matched by uid (``row.src``, ``row.dst``), the relationship merged on
    its ``key``; ``first_seen`` only on create, every other column set.

    Parameters
    ----------
    rel : RelSchema
        A declared relationship type.
    start, end : str
        The labels of its start and end nodes (one of ``rel.ends``).

    Returns
    -------
    str
        Neo4j Cypher taking ``$rows``.

    Examples
    --------
    >>> from graph.model import MODEL
    >>> print(neo4j_rel_upsert(MODEL.rel("PART_OF"), "Unit", "Unit"))  # doctest: +ELLIPSIS
    UNWIND $rows AS row MATCH (a:Unit {uid: row.src}) MATCH (b:Unit {uid: row.dst}) MERGE ...
    """
    sets = ", ".join(
        f"r.{p.name} = {_neo4j_value(p)}" for p in rel.all_props if p.name not in ("key", "first_seen")
    )
    return (
        f"UNWIND $rows AS row MATCH (a:{start} {{uid: row.src}}) MATCH (b:{end} {{uid: row.dst}}) "
        f"MERGE (a)-[r:{rel.type} {{key: row.key}}]->(b) "
        f"ON CREATE SET r.first_seen = datetime(row.first_seen) SET {sets}"
    )


def neo4j_node_create(node: NodeSchema) -> str:
    """``CREATE`` for nodes the delta knows to be new.

    Every property is in the pattern and there is no read side to plan (``MERGE``
    planned on a fresh store with no statistics once ran ~100x slower than its
    re-plan).

    Parameters
    ----------
    node : NodeSchema
        A declared node label.

    Returns
    -------
    str
        Neo4j Cypher taking ``$rows``.

    Examples
    --------
    >>> from graph.model import MODEL
    >>> print(neo4j_node_create(MODEL.node("Unit")))  # doctest: +ELLIPSIS
    UNWIND $rows AS row CREATE (n:Unit {uid: row.uid, unit_id: row.unit_id, ..., extra: row.extra})
    """
    props = ", ".join(f"{p.name}: {_neo4j_value(p)}" for p in node.all_props)
    return f"UNWIND $rows AS row CREATE (n:{node.label} {{{props}}})"


def neo4j_rel_create(rel: RelSchema, start: str, end: str) -> str:
    """``CREATE`` for relationships the delta knows to be new (see :func:`neo4j_node_create`).

    Parameters
    ----------
    rel : RelSchema
        A declared relationship type.
    start, end : str
        The labels of its start and end nodes (one of ``rel.ends``).

    Returns
    -------
    str
        Neo4j Cypher taking ``$rows``; the ends are matched by uid.

    Examples
    --------
    >>> from graph.model import MODEL
    >>> print(neo4j_rel_create(MODEL.rel("PART_OF"), "Unit", "Unit"))  # doctest: +ELLIPSIS
    UNWIND $rows AS row MATCH (a:Unit {uid: row.src}) MATCH (b:Unit {uid: row.dst}) CREATE ...
    """
    props = ", ".join(f"{p.name}: {_neo4j_value(p)}" for p in rel.all_props)
    return (
        f"UNWIND $rows AS row MATCH (a:{start} {{uid: row.src}}) MATCH (b:{end} {{uid: row.dst}}) "
        f"CREATE (a)-[r:{rel.type} {{{props}}}]->(b)"
    )


# --- both dialects -------------------------------------------------------------------


def node_state_query(node: NodeSchema) -> str:
    """Current key, hash and retirement of every node of a label (same text on both).

    The delta of :meth:`graph.store.GraphStore.load_nodes` compares incoming rows with
    this.

    Parameters
    ----------
    node : NodeSchema
        A declared node label.

    Returns
    -------
    str
        Cypher returning ``uid``, ``row_hash``, ``retired_at``.

    Examples
    --------
    >>> from graph.model import MODEL
    >>> print(node_state_query(MODEL.node("Unit")))
    MATCH (n:Unit) RETURN n.uid AS uid, n.row_hash AS row_hash, n.retired_at AS retired_at
    """
    return f"MATCH (n:{node.label}) RETURN n.uid AS uid, n.row_hash AS row_hash, n.retired_at AS retired_at"


def rel_state_query(rel: RelSchema, *, keyed: bool = False) -> str:
    """Current key, hash, retirement and ends of every relationship of a type.

    The same text on both stores, as :func:`node_state_query`.

    Parameters
    ----------
    rel : RelSchema
        A declared relationship type.
    keyed : bool, default False
        Only those whose key is in ``$keys`` (a day's few links against millions).

    Returns
    -------
    str
        Cypher returning ``key``, ``row_hash``, ``retired_at``, ``src``, ``dst``.

    Examples
    --------
    >>> from graph.model import MODEL
    >>> print(rel_state_query(MODEL.rel("PART_OF")))  # doctest: +NORMALIZE_WHITESPACE
    MATCH (a)-[r:PART_OF]->(b) RETURN r.key AS key, r.row_hash AS row_hash,
    r.retired_at AS retired_at, a.uid AS src, b.uid AS dst
    >>> print(rel_state_query(MODEL.rel("PART_OF"), keyed=True))  # doctest: +NORMALIZE_WHITESPACE
    UNWIND $keys AS k MATCH (a)-[r:PART_OF {key: k}]->(b) RETURN r.key AS key,
    r.row_hash AS row_hash, r.retired_at AS retired_at, a.uid AS src, b.uid AS dst
    """
    head = (
        f"UNWIND $keys AS k MATCH (a)-[r:{rel.type} {{key: k}}]->(b)"
        if keyed
        else f"MATCH (a)-[r:{rel.type}]->(b)"
    )
    return (
        f"{head} RETURN r.key AS key, r.row_hash AS row_hash, "
        f"r.retired_at AS retired_at, a.uid AS src, b.uid AS dst"
    )


def node_retire(node: NodeSchema) -> str:
    """Mark nodes retired: ``retired_at`` and ``run_id`` set, nothing deleted.

    The same text on both stores.

    Parameters
    ----------
    node : NodeSchema
        A declared node label.

    Returns
    -------
    str
        Cypher taking ``$uids``, ``$ts`` and ``$run_id``.

    Examples
    --------
    >>> from graph.model import MODEL
    >>> print(node_retire(MODEL.node("Unit")))
    UNWIND $uids AS u MATCH (n:Unit {uid: u}) SET n.retired_at = $ts, n.run_id = $run_id
    """
    return f"UNWIND $uids AS u MATCH (n:{node.label} {{uid: u}}) SET n.retired_at = $ts, n.run_id = $run_id"


def rel_retire(rel: RelSchema) -> str:
    """Mark relationships retired, as :func:`node_retire`.

    Parameters
    ----------
    rel : RelSchema
        A declared relationship type.

    Returns
    -------
    str
        Cypher taking ``$keys``, ``$ts`` and ``$run_id``.

    Examples
    --------
    >>> from graph.model import MODEL
    >>> print(rel_retire(MODEL.rel("PART_OF")))
    UNWIND $keys AS k MATCH ()-[r:PART_OF {key: k}]->() SET r.retired_at = $ts, r.run_id = $run_id
    """
    return (
        f"UNWIND $keys AS k MATCH ()-[r:{rel.type} {{key: k}}]->() SET r.retired_at = $ts, r.run_id = $run_id"
    )
