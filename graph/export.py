"""Downloadable files of results, for case systems, spreadsheets, Gephi and i2-style tools.

Two kinds of result can be exported, each as ``json``, ``csv`` or ``graphml``:

- a :class:`~graph.subgraph.Subgraph` (:func:`subgraph_export`);
- a table, the rows of a Cypher query (:func:`table_export`).

Both return ``(content, media_type, suffix)``: the file's bytes, the HTTP media type
and the file-name suffix (with its dot).

**JSON** is the faithful form: a subgraph exactly as :meth:`Subgraph.to_dict` gives it, a
table as a list of objects; dates and times become ISO 8601 text, non-finite floats
``null``. UTF-8, non-ASCII characters written as they are.

**CSV** is for spreadsheets and importers. Every cell is text: ``None`` is empty,
booleans ``true``/``false``, dates ISO 8601, lists joined with ``"; "``, other dicts
JSON; in a table, a node is shown as its id, a relationship as ``TYPE source->target``
and a path as its node ids joined with ``" -> "``. Files are UTF-8 with a byte-order
mark (so that Excel reads names such as "Siân Ó Dálaigh" correctly; Gephi skips it)
and CRLF line ends. Text cells that start with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return get a leading apostrophe so that a spreadsheet does not run them as
formulas (CSV injection); numbers are never altered.

A subgraph's CSV is a ZIP holding ``nodes.csv`` and ``edges.csv`` in the shape of
Gephi's *Import spreadsheet* (Data Laboratory > Import Spreadsheet, one file as the
nodes table, the other as the edges table). Gephi recognises its special columns by
name, ignoring case, so the headers are:

- ``nodes.csv``: ``Id``, ``Label`` (the node's labels, joined with ``"; "``), then one
  column per property name (the union over all nodes, sorted);
- ``edges.csv``: ``Id`` (``TYPE:id``, as the relationship's key in
  :attr:`Subgraph.edges`: relationship ids are only unique within a type), ``Source``,
  ``Target``, ``Type`` (always ``Directed``: Gephi reads this column as the edge's
  direction, not its relationship type), ``Kind`` (the relationship type: Gephi's
  edge kind, which keeps parallel edges of different types apart), ``Label`` (the
  relationship type again, so that it shows as the edge label), then the properties.

A property whose name equals one of those columns, ignoring case (``label``, ``type``,
``kind``, ...), or an earlier property's, is written under ``prop_<name>``, because
Gephi would take it for its own column or refuse the repeated one. Gephi's CSV reader
treats a backslash as an escape character, so backslashes in the ZIP's files are
doubled (Gephi reads ``\\\\`` back as one; Python reads them with
``csv.reader(f, escapechar="\\\\")``). A table's CSV is a plain spreadsheet file,
backslashes as they are.

**GraphML** (via :func:`networkx.write_graphml`, a directed multigraph) keeps the graph
for yEd, Gephi, Cytoscape or an i2-style import: node ids as they are, node attributes
``label`` (first label) and ``labels`` (all, joined with ``"; "``), edge ids ``TYPE:id``
with the attribute ``type``, the ``truncated`` flag as a graph attribute, and one
attribute per property. GraphML holds only scalars, so lists, dicts and dates become
text as in CSV; ``None`` and non-finite floats are left out; a property that has
values of different types on different elements is written as text throughout (as
``double`` where they are all numbers) so that each attribute has one declared type;
the fixed attribute names are protected as in CSV (``prop_label``); characters that
XML cannot hold become U+FFFD. A table's GraphML is the graph of the nodes,
relationships and paths in its rows (:func:`subgraph_of_rows`).

>>> sg = Subgraph()
>>> sg.add_node({"id": "Officer:A", "labels": ["Officer"], "properties": {"surname": "Ash"}})
>>> content, media_type, suffix = subgraph_export(sg, "json")
>>> json.loads(content)["nodes"]["Officer:A"]["properties"]
{'surname': 'Ash'}
>>> media_type, suffix
('application/json', '.json')
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import networkx as nx

from graph.errors import QueryError
from graph.subgraph import Subgraph

FORMATS = ("json", "csv", "graphml")
MEDIA_TYPES: dict[str, str] = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "graphml": "application/graphml+xml",
}
SUFFIXES: dict[str, str] = {"json": ".json", "csv": ".csv", "graphml": ".graphml"}
ZIP_MEDIA_TYPE = "application/zip"  # a subgraph's CSV: nodes.csv + edges.csv
ZIP_SUFFIX = ".zip"

NODE_COLUMNS = ("Id", "Label")
EDGE_COLUMNS = ("Id", "Source", "Target", "Type", "Kind", "Label")
GRAPHML_NODE_ATTRS = ("label", "labels")
GRAPHML_EDGE_ATTRS = ("type",)
PROPERTY_PREFIX = "prop_"
LIST_SEPARATOR = "; "
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so that the same subgraph gives the same bytes


def _format(fmt: str) -> str:
    f = str(fmt).strip().lower()
    if f not in FORMATS:
        raise QueryError(f"unknown export format {fmt!r}; known formats: {', '.join(FORMATS)}")
    return f


def _is_node(v: Any) -> bool:
    return isinstance(v, Mapping) and "labels" in v and "id" in v


def _is_edge(v: Any) -> bool:
    return isinstance(v, Mapping) and "type" in v and "source" in v and "target" in v


def _is_path(v: Any) -> bool:
    return isinstance(v, Mapping) and "nodes" in v and "edges" in v


def subgraph_of_rows(rows: Iterable[Mapping[str, Any]]) -> Subgraph:
    """The nodes, relationships and paths found in query rows, as one graph.

    Values are scanned in each row, and inside lists: a node dict is added, a path
    adds its nodes and relationships; then a relationship dict (also inside lists, as
    ``collect(r)`` gives) is added when its source node is known from any row. Only the
    source is checked, as ``queries.saved.QueryResult.subgraph`` always did; a target the
    rows lack stays a bare end (GraphML and Gephi create it).

    Parameters
    ----------
    rows : iterable of mapping
        Query rows, column name to value (scalars, lists, node/edge/path dicts).

    Returns
    -------
    Subgraph
        The graph of the rows (not truncated).

    Examples
    --------
    >>> a = {"id": "Officer:A", "labels": ["Officer"], "properties": {}}
    >>> u = {"id": "Unit:U1", "labels": ["Unit"], "properties": {}}
    >>> r = {"id": "k1", "type": "IN_UNIT", "source": "Officer:A", "target": "Unit:U1",
    ...      "properties": {}}
    >>> sg = subgraph_of_rows([{"o": a, "r": r, "u": u, "n": 1}])
    >>> sorted(sg.nodes), list(sg.edges)
    (['Officer:A', 'Unit:U1'], ['IN_UNIT:k1'])
    """
    rows = list(rows)
    sg = Subgraph()

    def add(v: Any) -> None:
        if _is_node(v):
            sg.add_node(dict(v))
        elif _is_path(v):
            for n in v["nodes"]:
                sg.add_node(dict(n))
            for e in v["edges"]:
                sg.add_edge(dict(e))
        elif isinstance(v, list):
            for x in v:
                add(x)

    def add_edges(v: Any) -> None:
        if _is_edge(v) and not _is_node(v) and v.get("source") in sg.nodes:
            sg.add_edge(dict(v))
        elif isinstance(v, list):
            for x in v:
                add_edges(x)

    for r in rows:
        for v in r.values():
            add(v)
    for r in rows:  # relationships once their ends are known
        for v in r.values():
            add_edges(v)
    return sg


# -- values -------------------------------------------------------------------------------


def _jsonable(v: Any) -> Any:
    if v is None or isinstance(v, (str, bool, int)):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, (dt.date, dt.time)):  # datetime is a date
        return v.isoformat()
    if isinstance(v, Mapping):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, set, frozenset)):
        return [_jsonable(x) for x in v]
    return str(v)


def _json_bytes(obj: Any) -> bytes:
    return json.dumps(_jsonable(obj), ensure_ascii=False, allow_nan=False).encode("utf-8")


def _text(v: Any) -> str:
    """One value as text (CSV cells, GraphML attributes)."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v) if math.isfinite(v) else ""
    if isinstance(v, int):
        return str(v)
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    if _is_node(v):
        return _text(v["id"])
    if _is_path(v):
        return " -> ".join(_text(n.get("id")) for n in v["nodes"])
    if _is_edge(v):
        return f"{_text(v['type'])} {_text(v['source'])}->{_text(v['target'])}"
    if isinstance(v, Mapping):
        return json.dumps(_jsonable(v), ensure_ascii=False, allow_nan=False)
    if isinstance(v, (list, tuple, set, frozenset)):
        return LIST_SEPARATOR.join(_text(x) for x in v)
    return str(v)


def _cell(v: Any, gephi: bool = False) -> str:
    """A CSV cell: text, formula-guarded (numbers excepted), backslashes doubled for Gephi."""
    t = _text(v)
    if not isinstance(v, (int, float)) and t.startswith(FORMULA_PREFIXES):
        t = "'" + t
    return t.replace("\\", "\\\\") if gephi else t


def _property_columns(names: Iterable[Any], fixed: Sequence[str]) -> dict[Any, str]:
    """Property name -> column name, sorted by name; clashes (ignoring case) get ``prop_``."""
    taken = {c.lower() for c in fixed}
    out: dict[Any, str] = {}
    for name in sorted(set(names), key=str):
        col = str(name)
        while col.lower() in taken:
            col = PROPERTY_PREFIX + col
        taken.add(col.lower())
        out[name] = col
    return out


def _csv_text(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    if header:
        w.writerow(header)
        w.writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


# -- subgraph ------------------------------------------------------------------------------


def _props(x: Mapping[str, Any]) -> Mapping[str, Any]:
    return x.get("properties") or {}


def _labels(n: Mapping[str, Any]) -> list[str]:
    return [str(x) for x in n.get("labels") or []]


def _gephi_zip(sg: Subgraph) -> bytes:
    nodes = sorted(sg.nodes.items(), key=lambda kv: str(kv[0]))
    edges = sorted(sg.edges.items(), key=lambda kv: str(kv[0]))
    ncols = _property_columns((k for _, n in nodes for k in _props(n)), NODE_COLUMNS)
    ecols = _property_columns((k for _, e in edges for k in _props(e)), EDGE_COLUMNS)

    def cells(values: Iterable[Any]) -> list[str]:
        return [_cell(v, gephi=True) for v in values]

    node_rows = (
        cells([uid, LIST_SEPARATOR.join(_labels(n)), *(_props(n).get(k) for k in ncols)]) for uid, n in nodes
    )
    edge_rows = (
        cells(
            [
                key,
                e.get("source"),
                e.get("target"),
                "Directed",
                e.get("type"),
                e.get("type"),
                *(_props(e).get(k) for k in ecols),
            ]
        )
        for key, e in edges
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, header, rows in (
            ("nodes.csv", [*NODE_COLUMNS, *ncols.values()], node_rows),
            ("edges.csv", [*EDGE_COLUMNS, *ecols.values()], edge_rows),
        ):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, _csv_text(cells(header), rows))
    return buf.getvalue()


def _xml(s: str) -> str:
    return _XML_ILLEGAL.sub("\ufffd", s)


def _graphml_value(v: Any) -> Any:
    """A GraphML scalar (str, int, float, bool), or None to leave the attribute out."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return None
    if isinstance(v, (bool, int, float)):
        return v
    return _xml(_text(v))


def _one_type(elements: list[dict[str, Any]]) -> None:
    """Give each attribute one type across elements (GraphML declares one per name)."""
    types: dict[str, set[type]] = {}
    for attrs in elements:
        for k, v in attrs.items():
            types.setdefault(k, set()).add(type(v))
    for k, ts in types.items():
        if len(ts) < 2:
            continue
        numeric = ts <= {int, float}
        for attrs in elements:
            if k in attrs:
                attrs[k] = float(attrs[k]) if numeric else _xml(_text(attrs[k]))


def _graphml_bytes(sg: Subgraph) -> bytes:
    nodes = sorted(sg.nodes.items(), key=lambda kv: str(kv[0]))
    edges = sorted(sg.edges.items(), key=lambda kv: str(kv[0]))
    ncols = _property_columns((k for _, n in nodes for k in _props(n)), GRAPHML_NODE_ATTRS)
    ecols = _property_columns((k for _, e in edges for k in _props(e)), GRAPHML_EDGE_ATTRS)

    def attrs(x: Mapping[str, Any], cols: Mapping[Any, str], fixed: dict[str, Any]) -> dict[str, Any]:
        out = dict(fixed)
        for k, v in _props(x).items():
            gv = _graphml_value(v)
            if gv is not None:
                out[_xml(cols[k])] = gv
        return out

    node_attrs = [
        attrs(
            n,
            ncols,
            {"label": _xml(next(iter(_labels(n)), "")), "labels": _xml(LIST_SEPARATOR.join(_labels(n)))},
        )
        for _, n in nodes
    ]
    edge_attrs = [attrs(e, ecols, {"type": _xml(_text(e.get("type")))}) for _, e in edges]
    _one_type(node_attrs)
    _one_type(edge_attrs)

    g = nx.MultiDiGraph(truncated=bool(sg.truncated))
    for (uid, _), a in zip(nodes, node_attrs, strict=True):
        g.add_node(_xml(_text(uid)), **a)
    for (key, e), a in zip(edges, edge_attrs, strict=True):
        g.add_edge(_xml(_text(e.get("source"))), _xml(_text(e.get("target"))), key=_xml(str(key)), **a)
    buf = io.BytesIO()
    nx.write_graphml(g, buf, encoding="utf-8", prettyprint=True)
    return buf.getvalue()


def subgraph_export(sg: Subgraph, fmt: str) -> tuple[bytes, str, str]:
    """A subgraph as a downloadable file.

    Parameters
    ----------
    sg : Subgraph
        The nodes and relationships to export.
    fmt : {"json", "csv", "graphml"}
        ``json``: :meth:`Subgraph.to_dict` with ISO dates; ``csv``: a ZIP of Gephi
        spreadsheet files ``nodes.csv`` and ``edges.csv``; ``graphml``: GraphML (see the
        module notes for the exact shapes).

    Returns
    -------
    content : bytes
        The file.
    media_type : str
        Its media type (``application/zip`` for ``csv``).
    suffix : str
        Its file-name suffix, with the dot (``.zip`` for ``csv``).

    Raises
    ------
    QueryError
        If ``fmt`` is not one of :data:`FORMATS`.

    Examples
    --------
    >>> sg = Subgraph()
    >>> sg.add_node({"id": "Officer:A", "labels": ["Officer"], "properties": {"rank": "PC"}})
    >>> content, media_type, suffix = subgraph_export(sg, "csv")
    >>> media_type, suffix
    ('application/zip', '.zip')
    >>> zipfile.ZipFile(io.BytesIO(content)).read("nodes.csv").decode("utf-8-sig").splitlines()
    ['Id,Label,rank', 'Officer:A,Officer,PC']
    """
    f = _format(fmt)
    if f == "json":
        return _json_bytes(sg.to_dict()), MEDIA_TYPES["json"], SUFFIXES["json"]
    if f == "csv":
        return _gephi_zip(sg), ZIP_MEDIA_TYPE, ZIP_SUFFIX
    return _graphml_bytes(sg), MEDIA_TYPES["graphml"], SUFFIXES["graphml"]


def table_export(rows: Sequence[Mapping[str, Any]], fmt: str) -> tuple[bytes, str, str]:
    """Query rows as a downloadable file.

    Parameters
    ----------
    rows : sequence of mapping
        The rows, column name to value.
    fmt : {"json", "csv", "graphml"}
        ``json``: a list of objects (ISO dates); ``csv``: one header row (the union of
        the rows' keys, in first-seen order), then one line per row, a node shown as its
        id, a relationship as ``TYPE source->target``, a path as ``a -> b -> c``;
        ``graphml``: the graph of the nodes, relationships and paths in the rows
        (:func:`subgraph_of_rows`).

    Returns
    -------
    content : bytes
        The file.
    media_type : str
        Its media type.
    suffix : str
        Its file-name suffix, with the dot.

    Raises
    ------
    QueryError
        If ``fmt`` is not one of :data:`FORMATS`.

    Examples
    --------
    >>> rows = [{"officer_id": "A", "since": dt.date(2020, 1, 1)}, {"officer_id": "=B", "n": 2}]
    >>> content, media_type, suffix = table_export(rows, "csv")
    >>> content.decode("utf-8-sig").splitlines()
    ['officer_id,since,n', 'A,2020-01-01,', "'=B,,2"]
    >>> json.loads(table_export(rows, "json")[0])[0]
    {'officer_id': 'A', 'since': '2020-01-01'}
    """
    f = _format(fmt)
    if f == "json":
        return _json_bytes([dict(r) for r in rows]), MEDIA_TYPES["json"], SUFFIXES["json"]
    if f == "csv":
        keys = list(dict.fromkeys(k for r in rows for k in r))
        body = ([_cell(r.get(k)) for k in keys] for r in rows)
        return _csv_text([_cell(str(k)) for k in keys], body), MEDIA_TYPES["csv"], SUFFIXES["csv"]
    return _graphml_bytes(subgraph_of_rows(rows)), MEDIA_TYPES["graphml"], SUFFIXES["graphml"]
