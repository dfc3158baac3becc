"""Normalise values coming back from either store into the same Python types.

Both stores hand back plain Python: ``str``, ``int``, ``float``, ``bool``, ``None``,
``datetime.date``, timezone-aware ``datetime.datetime`` (UTC), lists, dicts, and three
graph shapes:

- node: ``{"id": uid, "labels": [label], "properties": {...}}``
- edge: ``{"id": key, "type": T, "source": uid, "target": uid, "properties": {...}}``
- path: ``{"nodes": [node, ...], "edges": [edge, ...]}``

Properties that are null are left out (Neo4j has no null properties; Ladybug returns
every column of the table).

>>> to_plain(__import__("decimal").Decimal("3"))
3
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from typing import Any

import numpy as np
import pandas as pd
from neo4j.graph import Node, Path, Relationship

UTC = dt.UTC


PLAIN_TYPES = frozenset({str, bool, int, dt.date})
"""Types :func:`to_plain` returns as they are (exactly these, not subclasses: a
``datetime`` is a ``date``): tested before calling it, a node's properties are made
plain at a third of the cost."""


def _props(items: dict[str, Any], skip: tuple[str, ...]) -> dict[str, Any]:
    return {
        k: v if type(v) in PLAIN_TYPES else to_plain(v)
        for k, v in items.items()
        if k not in skip and v is not None
    }


def make_node(uid: Any, label: str, props: dict[str, Any]) -> dict[str, Any]:
    """A node in the shared shape, from a store's raw properties.

    Parameters
    ----------
    uid : str
        The node's id, ``Label:key``.
    label : str
        Its label.
    props : dict
        Its properties as the store gave them (``uid`` among them or not).

    Returns
    -------
    dict
        ``{"id", "labels", "properties"}``; ``uid`` and null properties are left out
        of ``properties``, the rest made plain (:func:`to_plain`).

    Examples
    --------
    >>> make_node("Officer:A", "Officer", {"uid": "Officer:A", "surname": "Ash", "rank": None})
    {'id': 'Officer:A', 'labels': ['Officer'], 'properties': {'surname': 'Ash'}}
    """
    return {"id": uid, "labels": [label], "properties": _props(props, ("uid",))}


def make_edge(rel_type: str, props: dict[str, Any]) -> dict[str, Any]:
    """An edge in the shared shape, from a relationship's type and raw properties.

    Parameters
    ----------
    rel_type : str
        The relationship type.
    props : dict
        Its properties as the store gave them: ``key``, ``src`` and ``dst`` become
        the edge's ``id``, ``source`` and ``target``.

    Returns
    -------
    dict
        ``{"id", "type", "source", "target", "properties"}``; null properties are
        left out, the rest made plain (:func:`to_plain`).

    Examples
    --------
    >>> make_edge("IN_UNIT", {"key": "k1", "src": "Officer:A", "dst": "Unit:U1", "run_id": None})
    {'id': 'k1', 'type': 'IN_UNIT', 'source': 'Officer:A', 'target': 'Unit:U1', 'properties': {}}
    """
    return {
        "id": props.get("key"),
        "type": rel_type,
        "source": props.get("src"),
        "target": props.get("dst"),
        "properties": _props(props, ("key", "src", "dst")),
    }


def to_plain(v: Any) -> Any:
    """Convert one value from either driver (or pandas) into plain Python.

    Parameters
    ----------
    v : object
        A value as Ladybug, the Neo4j driver, NumPy or pandas gives it: scalars,
        temporal values, lists, maps, and graph nodes, relationships and paths.

    Returns
    -------
    object
        The value in the types of the module's text: NumPy scalars become ``int`` or
        ``float``, NaN and NaT ``None``, a whole ``Decimal`` an ``int``, naive
        date-times UTC (aware ones converted to UTC), nodes, relationships and paths
        the shared shapes; anything else is returned as it is.

    Examples
    --------
    >>> import datetime as dt
    >>> import numpy as np
    >>> to_plain(np.int64(3)), to_plain(float("nan"))
    (3, None)
    >>> to_plain(dt.datetime(2026, 1, 2, 9, 30))
    datetime.datetime(2026, 1, 2, 9, 30, tzinfo=datetime.timezone.utc)
    >>> to_plain({"_LABEL": "Unit", "_ID": {"offset": 0, "table": 1}, "uid": "Unit:U1", "name": "CID"})
    {'id': 'Unit:U1', 'labels': ['Unit'], 'properties': {'name': 'CID'}}
    """
    if v is None or isinstance(v, (str, bool)):
        return v
    if type(v) is float:
        return None if v != v else v  # NaN
    if v is pd.NaT:  # NaT is a datetime instance: catch it first
        return None
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return None if math.isnan(f) else f
    if isinstance(v, decimal.Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    if isinstance(v, pd.Timestamp):
        if pd.isna(v):
            return None
        v = v.to_pydatetime()
    if isinstance(v, dt.datetime):
        return v.replace(tzinfo=UTC) if v.tzinfo is None else v.astimezone(UTC)
    if isinstance(v, dt.date):
        return v
    if isinstance(v, dict):
        if "_LABEL" in v and "_SRC" in v:  # Ladybug relationship
            return make_edge(v["_LABEL"], {k: x for k, x in v.items() if not k.startswith("_")})
        if "_LABEL" in v and "_ID" in v:  # Ladybug node
            props = {k: x for k, x in v.items() if not k.startswith("_")}
            return make_node(props.get("uid"), v["_LABEL"], props)
        if "_NODES" in v:  # Ladybug path
            return {
                "nodes": [to_plain(n) for n in v["_NODES"]],
                "edges": [to_plain(r) for r in v["_RELS"]],
            }
        return {k: to_plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, np.ndarray)):
        return [to_plain(x) for x in v]
    if isinstance(v, (Node, Relationship, Path)) or hasattr(v, "to_native"):
        return _neo4j_plain(v)
    return v


def _neo4j_plain(v: Any) -> Any:
    if isinstance(v, Node):
        label = sorted(v.labels)[0] if v.labels else ""
        return make_node(v.get("uid"), label, dict(v.items()))
    if isinstance(v, Relationship):
        return make_edge(v.type, dict(v.items()))
    if isinstance(v, Path):
        return {
            "nodes": [_neo4j_plain(n) for n in v.nodes],
            "edges": [_neo4j_plain(r) for r in v.relationships],
        }
    if hasattr(v, "to_native"):
        return to_plain(v.to_native())
    return v


def frame_records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """DataFrame rows as dicts of plain Python values (NaN/NaT become ``None``).

    Parameters
    ----------
    df : pandas.DataFrame
        Any frame (its index is ignored).

    Returns
    -------
    list of dict
        One dict per row, column name to :func:`to_plain` value.

    Examples
    --------
    >>> df = pd.DataFrame({"officer_id": ["A", "B"], "score": [0.5, None]})
    >>> frame_records(df)
    [{'officer_id': 'A', 'score': 0.5}, {'officer_id': 'B', 'score': None}]
    """
    cols = list(df.columns)
    return [
        {c: to_plain(x) for c, x in zip(cols, row, strict=True)}
        for row in df.itertuples(index=False, name=None)
    ]
