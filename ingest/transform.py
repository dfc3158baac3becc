"""Pure transforms: validated source frames in, node and relationship frames out.

No I/O here, and nothing hand-written per table: :func:`transform` reads the model's
declarations (each node schema's ``source_table`` and its properties' source columns,
each relationship's :class:`~graph.model.Link`) and makes from one table's valid rows
(see :mod:`ingest.reader`) the frames ready for
:meth:`graph.store.GraphStore.load_nodes` / ``load_relationships``. Provenance columns
(``source_file``, ``source_line``, ``extra``) are carried through. The load order of the
tables follows from the model too (:data:`GRAPH_TABLES`).

>>> officers = pd.DataFrame({"officer_id": ["7"], "surname": ["Ash"], "unit_id": ["U1"], "line_manager_id": [None]})
>>> nodes, rels = transform("officers", officers)
>>> list(nodes), {t: f[["src", "dst"]].values.tolist() for t, f in rels.items()}
(['Officer'], {'IN_UNIT': [['Officer:7', 'Unit:U1']], 'REPORTS_TO': []})
"""

from __future__ import annotations

import pandas as pd

from graph.contract import TABLE_LIST
from graph.model import MODEL, RelSchema
from ingest.orgnames import match_org

PROV = ["source_file", "source_line"]


def uids(label: str, keys: pd.Series) -> pd.Series:
    """The uids of a label's nodes from their keys (:meth:`graph.model.NodeSchema.uids`)."""
    return MODEL.node(label).uids(keys)


def nodes_for(label: str, df: pd.DataFrame) -> pd.DataFrame:
    """The columns of ``df`` that the label's properties are loaded from (renamed to the
    properties), plus provenance."""
    node = MODEL.node(label)
    cols = {p.column: p.name for p in node.props if p.column in df.columns}
    out = df[[*cols, *(c for c in [*PROV, "extra"] if c in df.columns)]].rename(columns=cols)
    return out.copy()


def link(df: pd.DataFrame, rel: RelSchema) -> pd.DataFrame:
    """The relationships of a linked type from the rows of its source table that hold
    both ends (:class:`graph.model.Link`), with its properties and provenance."""
    assert rel.link is not None and len(rel.ends) == 1, rel.type
    (src_label, dst_label), ln = rel.ends[0], rel.link
    have = df[ln.src].notna() & df[ln.dst].notna()
    part = df[have]
    out = pd.DataFrame({"src": uids(src_label, part[ln.src]), "dst": uids(dst_label, part[ln.dst])})
    for p in rel.props:
        if p.column in part:
            out[p.name] = part[p.column].to_numpy()
    if ln.discriminator is not None:
        out["discriminator"] = part[ln.discriminator].to_numpy()
    for c in PROV:
        if c in part:
            out[c] = part[c].to_numpy()
    return out.reset_index(drop=True)


def transform(table: str, df: pd.DataFrame) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """Nodes by label and relationships by type that one table yields, as the model
    declares them: every node schema whose ``source_table`` is the table, and every
    relationship type with a :class:`~graph.model.Link` from it (the others are derived
    later: resolution, name matching, shared identifiers, aggregation)."""
    nodes = {n.label: nodes_for(n.label, df) for n in MODEL.nodes if n.source_table == table}
    rels = {r.type: link(df, r) for r in LINKED if r.source_table == table}
    if not nodes and not rels:
        raise KeyError(f"no graph transform for table {table!r}")
    return nodes, rels


LINKED: tuple[RelSchema, ...] = tuple(r for r in MODEL.relationships if r.link is not None)
"""Relationship types made straight from a table's rows."""


def _load_order() -> tuple[str, ...]:
    """The contract tables the model loads, each after the tables holding the end nodes
    of its relationships (ties in the contract's order)."""
    holds = {n.label: n.source_table for n in MODEL.nodes if n.source_table}
    tables = [
        t.name
        for t in TABLE_LIST
        if any(n.source_table == t.name for n in MODEL.nodes) or any(r.source_table == t.name for r in LINKED)
    ]
    needs = {
        t: {
            holds[lab]
            for r in LINKED
            if r.source_table == t
            for lab in r.ends[0]
            if holds.get(lab) not in (None, t)
        }
        for t in tables
    }
    order: list[str] = []
    while len(order) < len(tables):
        ready = [t for t in tables if t not in order and needs[t] <= set(order)]
        if not ready:
            raise ValueError(f"the model's tables need each other: {needs}")
        order.append(ready[0])
    return tuple(order)


GRAPH_TABLES = _load_order()
"""Tables this version loads into the graph, in load order (derived from the model)."""


def declaration_targets(declarations: pd.DataFrame, organisations: pd.DataFrame) -> pd.DataFrame:
    """``ABOUT`` links: by ``org_id``, else by the organisation's name
    (:func:`ingest.orgnames.match_org`: the exact cleaned name, then the normalised name,
    the same words in another order, or one word a letter off), with the step that found it
    as ``method``.

    A free-text ``org_name`` that matches no organisation, or two or more at the step that
    first finds any, gets no link (the declaration node still carries the text).

    >>> d = pd.DataFrame({"declaration_id": ["D1", "D2", "D3"], "org_id": [None, "O2", None],
    ...                   "org_name": ["The Rose Lodge", None, "Acme Limited"]})
    >>> o = pd.DataFrame({"org_id": ["O1", "O2"], "name": ["Rose lodge", "Acme Ltd"]})
    >>> declaration_targets(d, o)[["src", "dst", "matched_by", "method"]].values.tolist()
    [['Declaration:D1', 'Organisation:O1', 'org_name', 'exact_name'], ['Declaration:D2', 'Organisation:O2', 'org_id', 'org_id'], ['Declaration:D3', 'Organisation:O2', 'org_name', 'normalised_name']]
    """
    by_id = declarations[declarations["org_id"].notna()]
    out = [
        pd.DataFrame(
            {
                "src": uids("Declaration", by_id["declaration_id"]),
                "dst": uids("Organisation", by_id["org_id"]),
                "matched_by": "org_id",
                "method": "org_id",
            }
        )
    ]
    by_name = declarations[declarations["org_id"].isna() & declarations["org_name"].notna()]
    if len(by_name) and len(organisations):
        orgs = sorted(
            (str(i), str(n)) for i, n in zip(organisations["org_id"], organisations["name"], strict=True)
        )
        found = {v: match_org(v, orgs) for v in sorted(set(by_name["org_name"].astype(str)))}
        hits = [
            (d, *found[str(v)]) for d, v in zip(by_name["declaration_id"], by_name["org_name"], strict=True)
        ]
        hits = [(d, o, m) for d, o, m in hits if o is not None]
        out.append(
            pd.DataFrame(
                {
                    "src": uids("Declaration", pd.Series([d for d, _, _ in hits], dtype=object)),
                    "dst": uids("Organisation", pd.Series([o for _, o, _ in hits], dtype=object)),
                    "matched_by": "org_name",
                    "method": [m for _, _, m in hits],
                }
            )
        )
    return pd.concat(out, ignore_index=True).sort_values(["src", "dst"]).reset_index(drop=True)
