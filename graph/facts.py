"""Graph facts that event-store SQL reads: one definition, used by the detectors (as
their ``g_*`` tables) and by ingest (the ``ACCESSED`` link policy).

>>> sorted(GRAPH_FACTS)
['g_assignments', 'g_case_assignments', 'g_cases', 'g_declared', 'g_linked', 'g_officers', 'g_records', 'g_units']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from graph.store import GraphStore

HUB_HOLDERS = 100
"""``g_linked`` leaves out identifiers held by more officers and persons than this (every
pair through a switchboard number would be listed): no detector counts them as a link."""

LINK_HOLDERS = 10
"""The default most holders of an identifier that still links its holders as people
(detectors' ``max_holders``, and the ``ACCESSED`` link policy's personal links)."""

GRAPH_FACTS: dict[str, tuple[str, list[str]]] = {
    # name: (Cypher over current graph records, its columns)
    "g_officers": (
        "MATCH (o:Officer) WHERE o.retired_at IS NULL RETURN o.officer_id AS officer_id, o.unit_id AS unit_id, "
        "o.rank AS rank, o.staff_type AS staff_type, o.work_pattern AS work_pattern, "
        "o.line_manager_id AS line_manager_id, o.surname AS surname, o.forenames AS forenames, "
        "o.date_of_birth AS date_of_birth, o.email AS email, o.phone AS phone, "
        "o.start_date AS start_date, o.end_date AS end_date, o.home_postcode AS home_postcode",
        [
            "officer_id",
            "unit_id",
            "rank",
            "staff_type",
            "work_pattern",
            "line_manager_id",
            "surname",
            "forenames",
            "date_of_birth",
            "email",
            "phone",
            "start_date",
            "end_date",
            "home_postcode",
        ],
    ),
    "g_assignments": (  # posting history: the role an officer holds (peers doing the same job)
        "MATCH (o:Officer)-[a:ASSIGNED_TO]->(u:Unit) WHERE a.retired_at IS NULL RETURN o.officer_id AS officer_id, "
        "u.unit_id AS unit_id, a.rank AS rank, a.role AS role, a.start_date AS start_date, a.end_date AS end_date",
        ["officer_id", "unit_id", "rank", "role", "start_date", "end_date"],
    ),
    "g_units": (  # unit names: the kind of work a unit does (custody, public protection), for peer groups
        "MATCH (u:Unit) WHERE u.retired_at IS NULL RETURN u.unit_id AS unit_id, u.name AS name, "
        "u.parent_unit_id AS parent_unit_id",
        ["unit_id", "name", "parent_unit_id"],
    ),
    "g_case_assignments": (
        "MATCH (o:Officer)-[r:ON_CASE]->(c:CaseFile) WHERE r.retired_at IS NULL RETURN o.officer_id AS officer_id, "
        "c.case_ref AS case_ref, r.role AS role, r.start_date AS start_date, r.end_date AS end_date",
        ["officer_id", "case_ref", "role", "start_date", "end_date"],
    ),
    "g_cases": (  # when cases were opened and closed (a case quoted long after it closed)
        "MATCH (c:CaseFile) WHERE c.retired_at IS NULL RETURN c.case_ref AS case_ref, c.opened AS opened_date, "
        "c.closed AS closed_date, c.case_type AS case_type",
        ["case_ref", "opened_date", "closed_date", "case_type"],
    ),
    "g_records": (
        "MATCH (r:Record) WHERE r.retired_at IS NULL RETURN r.record_id AS record_id, r.record_type AS record_type, "
        "r.person_id AS person_id, r.case_ref AS case_ref, r.sensitivity AS sensitivity, "
        "r.offence_category AS offence_category",
        ["record_id", "record_type", "person_id", "case_ref", "sensitivity", "offence_category"],
    ),
    "g_linked": (
        "MATCH (o:Officer)-[a:HAS_IDENTIFIER]->(i:Identifier)<-[b:HAS_IDENTIFIER]-(p:Person) "
        "WHERE a.retired_at IS NULL AND b.retired_at IS NULL "
        f"AND (i.holders IS NULL OR i.holders <= {HUB_HOLDERS}) "
        "RETURN o.officer_id AS officer_id, p.person_id AS person_id, i.kind AS kind, i.value AS value, "
        "i.holders AS holders",
        ["officer_id", "person_id", "kind", "value", "holders"],
    ),
    "g_declared": (  # the people officers have declared an association with (not rejected)
        "MATCH (o:Officer)-[:DECLARED]->(d:Declaration) WHERE d.retired_at IS NULL AND o.retired_at IS NULL "
        "AND d.person_id IS NOT NULL AND (d.status IS NULL OR d.status <> 'rejected') "
        "RETURN o.officer_id AS officer_id, d.person_id AS person_id, d.declaration_id AS declaration_id, "
        "d.status AS status",
        ["officer_id", "person_id", "declaration_id", "status"],
    ),
}


def graph_facts(store: GraphStore, names: Iterable[str] | None = None) -> dict[str, pd.DataFrame]:
    """The named facts (all by default) as frames with their declared columns.

    Each fact is one query of :data:`GRAPH_FACTS` over current (not retired) graph
    records.

    Parameters
    ----------
    store : GraphStore
        The graph store to read.
    names : iterable of str, optional
        Which facts (keys of :data:`GRAPH_FACTS`); default: all.

    Returns
    -------
    dict of str to pandas.DataFrame
        Name to frame, with the fact's declared columns even when empty.

    Raises
    ------
    KeyError
        If a name is not a fact.

    Examples
    --------
    >>> import tempfile
    >>> from graph.settings import Settings
    >>> from graph.store import RunInfo
    >>> from graph.workspace import open_store
    >>> store = open_store(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256))
    >>> officers = pd.DataFrame({"officer_id": ["A", "B"], "rank": ["PC", "PS"]})
    >>> _ = store.load_nodes("Officer", officers, RunInfo.new("doc"))
    >>> facts = graph_facts(store)
    >>> {name: len(df) for name, df in facts.items()}["g_officers"]
    2
    >>> sorted(facts["g_officers"][["officer_id", "rank"]].itertuples(index=False, name=None))
    [('A', 'PC'), ('B', 'PS')]
    >>> list(graph_facts(store, ["g_linked"])["g_linked"].columns)
    ['officer_id', 'person_id', 'kind', 'value', 'holders']
    >>> store.close()
    """
    out = {}
    for name in names or GRAPH_FACTS:
        cypher, cols = GRAPH_FACTS[name]
        out[name] = store.frame(cypher, cols)
    return out


SCOPED: dict[str, tuple[str, str]] = {
    # fact: (the node its rows hang from, as GRAPH_FACTS matches it; whose ids scope it)
    "g_records": ("(r:Record)", "records"),
    "g_case_assignments": ("(o:Officer)", "officers"),
    "g_linked": ("(o:Officer)", "officers"),
}
"""The facts :func:`graph_facts_of` can read for some officers or records only."""


def graph_facts_of(
    store: GraphStore, officers: Sequence[str], records: Sequence[str]
) -> dict[str, pd.DataFrame]:
    """The facts of :data:`SCOPED`, for these officers' and records' uids only: the same
    queries as :func:`graph_facts`, each started from the given nodes (a day's lookups
    need the context of a few thousand records, not of a million).

    Parameters
    ----------
    store : GraphStore
        The graph store to read.
    officers, records : sequence of str
        Uids of the officers and records whose facts to read.

    Returns
    -------
    dict of str to pandas.DataFrame
        Name to frame, as :func:`graph_facts` gives them, with only those rows.

    Examples
    --------
    >>> import tempfile
    >>> from graph.settings import Settings
    >>> from graph.store import RunInfo
    >>> from graph.workspace import open_store
    >>> store = open_store(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256))
    >>> recs = pd.DataFrame({"record_id": ["R1", "R2"], "sensitivity": ["victim", "none"]})
    >>> _ = store.load_nodes("Record", recs, RunInfo.new("doc"))
    >>> got = graph_facts_of(store, [], ["Record:R2"])
    >>> got["g_records"][["record_id", "sensitivity"]].values.tolist(), len(got["g_linked"])
    ([['R2', 'none']], 0)
    >>> store.close()
    """
    ids = {"officers": list(officers), "records": list(records)}
    out = {}
    for name, (node, scope) in SCOPED.items():
        cypher, cols = GRAPH_FACTS[name]
        anchored = node[:-1] + " {uid: u})"
        if not cypher.startswith("MATCH " + node):
            raise AssertionError(f"{name} no longer starts from {node}")  # pragma: no cover
        text = "UNWIND $ids AS u " + cypher.replace(node, anchored, 1)
        out[name] = store.frame(text, cols, {"ids": ids[scope]}) if ids[scope] else pd.DataFrame(columns=cols)
    return out
