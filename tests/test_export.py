"""Exports (graph/export.py): every file is parsed back the way another tool would read
it (json.loads, the csv module on the ZIP's members, networkx.read_graphml) and checked
for ids, labels, property values, escaping and the formula-injection guard. All data
is synthetic."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from graph.errors import QueryError
from graph.export import (
    EDGE_COLUMNS,
    FORMATS,
    MEDIA_TYPES,
    NODE_COLUMNS,
    SUFFIXES,
    ZIP_MEDIA_TYPE,
    ZIP_SUFFIX,
    subgraph_export,
    subgraph_of_rows,
    table_export,
)
from graph.subgraph import Subgraph

NAME = "Siân Ó Dálaigh"
NOTE = 'said "no comment", then\nleft; later, returned'
UTC = dt.UTC
SEEN = dt.datetime(2024, 3, 5, 7, 0, tzinfo=UTC)
NAIVE = dt.datetime(2024, 3, 5, 7, 30)
GRAPHML_NS = "{http://graphml.graphdrawing.org/xmlns}"


def node(uid: str, **props: Any) -> dict[str, Any]:
    return {"id": uid, "labels": [uid.split(":")[0]], "properties": props}


def edge(key: str, rel_type: str, src: str, dst: str, **props: Any) -> dict[str, Any]:
    return {"id": key, "type": rel_type, "source": src, "target": dst, "properties": props}


OFFICER = node(
    "Officer:A",
    surname=NAME,
    note=NOTE,
    rank='=HYPERLINK("http://example.invalid","x")',
    date_of_birth=dt.date(1970, 1, 2),
    first_seen=SEEN,
    noted_at=NAIVE,
    aliases=["A. Ash", "+Ash"],
    extra={"k": "v", "n": 1},
    score=0.97,
    delta=-3,
    active=True,
    label="clashes with the fixed label column",
    level=3,
    weight=2,
    share_path="C:\\cases\\",
)
UNIT = node("Unit:U1", name="-Response, North", ID="case clash", level="three", weight=2.5)
ORG = node("Organisation:L1", name="@Oak Lodge", missing=None)
IN_UNIT = edge("k1", "IN_UNIT", "Officer:A", "Unit:U1", since=dt.date(2020, 1, 1), type="x", note="@risk")
MEMBER_OF = edge(  # same id as IN_UNIT: relationship ids are only unique within a type
    "k1", "MEMBER_OF", "Officer:A", "Organisation:L1", matched_on=["surname", "date_of_birth"], score=-0.5
)
ALSO_IN_UNIT = edge("k2", "MEMBER_OF", "Officer:A", "Unit:U1", kind="parallel")


def sample() -> Subgraph:
    sg = Subgraph()
    for n in (OFFICER, UNIT, ORG):
        sg.add_node(n)
    for e in (IN_UNIT, MEMBER_OF, ALSO_IN_UNIT):
        sg.add_edge(e)
    return sg


def unzip(content: bytes) -> dict[str, tuple[list[str], list[dict[str, str]]]]:
    """The ZIP's CSV files read as Gephi reads them (UTF-8 BOM skipped, backslash as the
    escape character): ``{name: (header, rows)}``."""
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        assert sorted(z.namelist()) == ["edges.csv", "nodes.csv"]
        out = {}
        for name in z.namelist():
            raw = z.read(name)
            assert raw.startswith(b"\xef\xbb\xbf")  # BOM, for Excel
            text = raw.decode("utf-8-sig")
            header = next(csv.reader(io.StringIO(text, newline="")))
            lower = [h.lower() for h in header]
            assert len(set(lower)) == len(lower), header  # Gephi refuses repeated columns
            rows = list(csv.DictReader(io.StringIO(text, newline=""), escapechar="\\"))
            out[name] = (header, rows)
        return out


def read_graphml(content: bytes) -> nx.MultiDiGraph:
    return nx.read_graphml(io.BytesIO(content), force_multigraph=True)


def iso(v: Any) -> Any:
    return v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else str(v)


# -- subgraph -------------------------------------------------------------------------------


def test_subgraph_json_is_to_dict_with_iso_dates() -> None:
    sg = sample()
    sg.truncated = True
    content, media_type, suffix = subgraph_export(sg, "json")
    assert (media_type, suffix) == ("application/json", ".json")
    assert NAME.encode() in content  # UTF-8 as it is, not \u escapes
    got = json.loads(content)
    assert got == json.loads(json.dumps(sg.to_dict(), default=iso))
    assert list(got) == ["nodes", "edges", "truncated"] and got["truncated"] is True
    a = got["nodes"]["Officer:A"]
    assert a["labels"] == ["Officer"]
    p = a["properties"]
    assert p["surname"] == NAME and p["note"] == NOTE and p["rank"].startswith("=")  # JSON is faithful
    assert p["date_of_birth"] == "1970-01-02"
    assert p["first_seen"] == "2024-03-05T07:00:00+00:00" and p["noted_at"] == "2024-03-05T07:30:00"
    assert p["aliases"] == ["A. Ash", "+Ash"] and p["extra"] == {"k": "v", "n": 1}
    assert p["score"] == 0.97 and p["delta"] == -3 and p["active"] is True
    assert [(e["type"], e["id"]) for e in got["edges"]] == [
        ("IN_UNIT", "k1"),
        ("MEMBER_OF", "k1"),
        ("MEMBER_OF", "k2"),
    ]
    assert got["edges"][0]["properties"]["since"] == "2020-01-01"


def test_subgraph_json_non_finite_floats_become_null() -> None:
    sg = Subgraph()
    sg.add_node(node("Officer:N", score=float("nan"), top=float("inf")))
    got = json.loads(subgraph_export(sg, "json")[0])  # strict JSON: no NaN tokens
    assert got["nodes"]["Officer:N"]["properties"] == {"score": None, "top": None}


def test_subgraph_csv_is_a_gephi_spreadsheet_zip() -> None:
    content, media_type, suffix = subgraph_export(sample(), "csv")
    assert (media_type, suffix) == (ZIP_MEDIA_TYPE, ZIP_SUFFIX) == ("application/zip", ".zip")
    files = unzip(content)
    node_header = files["nodes.csv"][0]
    props = sorted({*OFFICER["properties"], *UNIT["properties"], *ORG["properties"]})
    props = ["prop_label" if p == "label" else "prop_ID" if p == "ID" else p for p in props]
    assert node_header[:2] == list(NODE_COLUMNS) == ["Id", "Label"]
    assert sorted(node_header[2:], key=str.lower) == sorted(props, key=str.lower)
    assert files["edges.csv"][0][:6] == list(EDGE_COLUMNS)
    assert files["edges.csv"][0][6:] == [  # by property name
        "prop_kind",
        "matched_on",
        "note",
        "score",
        "since",
        "prop_type",
    ]

    nodes = {r["Id"]: r for r in files["nodes.csv"][1]}
    assert list(nodes) == ["Officer:A", "Organisation:L1", "Unit:U1"]
    a, u, o = nodes["Officer:A"], nodes["Unit:U1"], nodes["Organisation:L1"]
    assert (a["Label"], u["Label"], o["Label"]) == ("Officer", "Unit", "Organisation")
    assert a["surname"] == NAME  # non-ASCII
    assert a["note"] == NOTE  # quotes, comma, semicolon, newline
    assert a["share_path"] == "C:\\cases\\"  # backslashes survive Gephi's escape character
    assert a["rank"] == "'" + OFFICER["properties"]["rank"]  # formula guard
    assert a["aliases"] == "A. Ash; +Ash"  # a list: guard only at the start of the cell
    assert json.loads(a["extra"]) == {"k": "v", "n": 1}
    assert a["date_of_birth"] == "1970-01-02" and a["first_seen"] == "2024-03-05T07:00:00+00:00"
    assert a["noted_at"] == "2024-03-05T07:30:00"
    assert (a["score"], a["delta"], a["active"]) == ("0.97", "-3", "true")  # numbers are not guarded
    assert a["prop_label"] == "clashes with the fixed label column" and u["prop_ID"] == "case clash"
    assert (a["level"], u["level"]) == ("3", "three")
    assert u["name"] == "'-Response, North" and o["name"] == "'@Oak Lodge"
    assert o["missing"] == "" and u["surname"] == ""  # None and absent: empty cells

    edges = {r["Id"]: r for r in files["edges.csv"][1]}
    assert list(edges) == ["IN_UNIT:k1", "MEMBER_OF:k1", "MEMBER_OF:k2"]  # unique ids
    i = edges["IN_UNIT:k1"]
    assert (i["Source"], i["Target"], i["Type"], i["Kind"], i["Label"]) == (
        "Officer:A",
        "Unit:U1",
        "Directed",
        "IN_UNIT",
        "IN_UNIT",
    )
    assert i["since"] == "2020-01-01" and i["prop_type"] == "x" and i["note"] == "'@risk"
    m = edges["MEMBER_OF:k1"]
    assert m["matched_on"] == "surname; date_of_birth" and m["score"] == "-0.5"
    assert edges["MEMBER_OF:k2"]["prop_kind"] == "parallel"
    assert {r["Source"] for r in edges.values()} | {r["Target"] for r in edges.values()} <= set(nodes)


def test_subgraph_csv_without_backslashes_reads_as_plain_csv() -> None:
    """What Excel or a case system sees: the same cells, with the default csv dialect."""
    sg = Subgraph()
    sg.add_node(node("Officer:B", surname=NAME, note=NOTE))
    with zipfile.ZipFile(io.BytesIO(subgraph_export(sg, "csv")[0])) as z:
        text = z.read("nodes.csv").decode("utf-8-sig")
    assert "\r\n" in text
    assert list(csv.DictReader(io.StringIO(text, newline=""))) == [
        {"Id": "Officer:B", "Label": "Officer", "note": NOTE, "surname": NAME}
    ]


def test_properties_differing_only_in_case_get_distinct_columns() -> None:
    sg = Subgraph()
    sg.add_node(node("Officer:A", name="lower", Name="upper"))
    header, rows = unzip(subgraph_export(sg, "csv")[0])["nodes.csv"]
    assert header == ["Id", "Label", "Name", "prop_name"]
    assert rows == [{"Id": "Officer:A", "Label": "Officer", "Name": "upper", "prop_name": "lower"}]
    g = read_graphml(subgraph_export(sg, "graphml")[0])
    assert g.nodes["Officer:A"]["prop_name"] == "lower" and g.nodes["Officer:A"]["Name"] == "upper"


def test_guarded_ids_stay_consistent_between_nodes_and_edges() -> None:
    sg = Subgraph()
    sg.add_node(node("Officer:A"))
    sg.add_node({"id": "-1", "labels": ["Officer"], "properties": {}})
    sg.add_edge(edge("k", "REPORTS_TO", "-1", "Officer:A"))
    files = unzip(subgraph_export(sg, "csv")[0])
    ids = {r["Id"] for r in files["nodes.csv"][1]}
    assert ids == {"'-1", "Officer:A"} and files["edges.csv"][1][0]["Source"] in ids


def test_subgraph_graphml_round_trips() -> None:
    sg = sample()
    content, media_type, suffix = subgraph_export(sg, "graphml")
    assert (media_type, suffix) == ("application/graphml+xml", ".graphml")
    g = read_graphml(content)
    assert set(g.nodes) == set(sg.nodes)
    assert g.number_of_edges() == len(sg.edges) == 3
    assert sorted((u, v, k, d["type"]) for u, v, k, d in g.edges(keys=True, data=True)) == [
        ("Officer:A", "Organisation:L1", "MEMBER_OF:k1", "MEMBER_OF"),
        ("Officer:A", "Unit:U1", "IN_UNIT:k1", "IN_UNIT"),
        ("Officer:A", "Unit:U1", "MEMBER_OF:k2", "MEMBER_OF"),
    ]
    assert g.graph["truncated"] is False
    a = g.nodes["Officer:A"]
    assert a["label"] == a["labels"] == "Officer"
    assert a["surname"] == NAME and a["note"] == NOTE and a["rank"] == OFFICER["properties"]["rank"]
    assert a["date_of_birth"] == "1970-01-02" and a["first_seen"] == "2024-03-05T07:00:00+00:00"
    assert a["aliases"] == "A. Ash; +Ash" and json.loads(a["extra"]) == {"k": "v", "n": 1}
    assert (a["score"], a["delta"], a["active"]) == (0.97, -3, True)  # scalars keep their types
    assert a["prop_label"] == OFFICER["properties"]["label"] and a["share_path"] == "C:\\cases\\"
    assert (a["level"], g.nodes["Unit:U1"]["level"]) == ("3", "three")  # mixed types: text
    assert (a["weight"], g.nodes["Unit:U1"]["weight"]) == (2.0, 2.5)  # int and float: double
    assert "missing" not in g.nodes["Organisation:L1"]  # None left out
    assert g.nodes["Unit:U1"]["ID"] == "case clash"  # GraphML ids are not attributes
    i = g.edges["Officer:A", "Unit:U1", "IN_UNIT:k1"]
    assert i == {"type": "IN_UNIT", "since": "2020-01-01", "prop_type": "x", "note": "@risk"}
    assert g.edges["Officer:A", "Organisation:L1", "MEMBER_OF:k1"]["matched_on"] == "surname; date_of_birth"

    keys = ET.fromstring(content).findall(f"{GRAPHML_NS}key")  # one declared type per attribute
    names = [(k.get("for"), k.get("attr.name")) for k in keys]
    assert len(names) == len(set(names))


def test_graphml_replaces_characters_xml_cannot_hold() -> None:
    sg = Subgraph()
    sg.add_node(node("Officer:C", note="bell\x07 and nul\x00", tab="a\tb"))
    g = read_graphml(subgraph_export(sg, "graphml")[0])
    assert g.nodes["Officer:C"]["note"] == "bell\ufffd and nul\ufffd"
    assert g.nodes["Officer:C"]["tab"] == "a\tb"


def test_edge_to_a_node_outside_the_subgraph_still_exports() -> None:
    sg = Subgraph()
    sg.add_node(node("Officer:A"))
    sg.add_edge(edge("k", "IN_UNIT", "Officer:A", "Unit:X"))
    g = read_graphml(subgraph_export(sg, "graphml")[0])
    assert set(g.nodes) == {"Officer:A", "Unit:X"} and g.number_of_edges() == 1
    assert unzip(subgraph_export(sg, "csv")[0])["edges.csv"][1][0]["Target"] == "Unit:X"


def test_empty_subgraph() -> None:
    sg = Subgraph()
    assert json.loads(subgraph_export(sg, "json")[0]) == {"nodes": {}, "edges": [], "truncated": False}
    files = unzip(subgraph_export(sg, "csv")[0])
    assert files["nodes.csv"][1] == [] and files["edges.csv"][1] == []
    assert files["nodes.csv"][0] == list(NODE_COLUMNS)
    assert files["edges.csv"][0] == list(EDGE_COLUMNS)
    g = read_graphml(subgraph_export(sg, "graphml")[0])
    assert g.number_of_nodes() == 0 and g.number_of_edges() == 0


def test_exports_are_deterministic() -> None:
    for fmt in FORMATS:
        assert subgraph_export(sample(), fmt)[0] == subgraph_export(sample(), fmt)[0]


# -- table ----------------------------------------------------------------------------------

PATH = {"nodes": [OFFICER, UNIT], "edges": [IN_UNIT]}
ROWS: list[dict[str, Any]] = [
    {"officer": OFFICER, "surname": NAME, "since": dt.date(2020, 1, 1), "r": IN_UNIT, "p": PATH},
    {"officer": OFFICER, "note": NOTE, "formula": "+1+1", "n": -2, "ok": False, "seen": SEEN},
    {"members": [OFFICER, ORG], "tags": ["x", "y, z"], "extra": {"a": [1, 2]}, "none": None},
]


def test_table_json_is_a_list_of_objects() -> None:
    content, media_type, suffix = table_export(ROWS, "json")
    assert (media_type, suffix) == ("application/json", ".json")
    got = json.loads(content)
    assert isinstance(got, list) and len(got) == 3
    assert got[0]["officer"]["id"] == "Officer:A" and got[0]["surname"] == NAME
    assert got[0]["since"] == "2020-01-01" and got[1]["seen"] == "2024-03-05T07:00:00+00:00"
    assert got[0]["officer"]["properties"]["date_of_birth"] == "1970-01-02"
    assert got[0]["p"]["nodes"][1]["id"] == "Unit:U1" and got[1]["formula"] == "+1+1"
    assert got[2] == {
        "members": json.loads(json.dumps([OFFICER, ORG], default=iso)),
        "tags": ["x", "y, z"],
        "extra": {"a": [1, 2]},
        "none": None,
    }


def test_table_csv() -> None:
    content, media_type, suffix = table_export(ROWS, "csv")
    assert (
        (media_type, suffix) == (MEDIA_TYPES["csv"], SUFFIXES["csv"]) == ("text/csv; charset=utf-8", ".csv")
    )
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(text, newline="")))
    assert header == [
        "officer",
        "surname",
        "since",
        "r",
        "p",
        "note",
        "formula",
        "n",
        "ok",
        "seen",
        "members",
        "tags",
        "extra",
        "none",
    ]
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == 3
    r0, r1, r2 = rows
    assert r0["officer"] == "Officer:A" and r0["surname"] == NAME and r0["since"] == "2020-01-01"
    assert r0["r"] == "IN_UNIT Officer:A->Unit:U1"
    assert r0["p"] == "Officer:A -> Unit:U1"
    assert r0["note"] == "" and r1["surname"] == ""  # keys missing from a row: empty
    assert r1["note"] == NOTE and r1["formula"] == "'+1+1" and r1["n"] == "-2" and r1["ok"] == "false"
    assert r1["seen"] == "2024-03-05T07:00:00+00:00"
    assert r2["members"] == "Officer:A; Organisation:L1" and r2["tags"] == "x; y, z"
    assert json.loads(r2["extra"]) == {"a": [1, 2]} and r2["none"] == ""


def test_table_csv_guards_header_cells() -> None:
    text = table_export([{"=cmd": 1, "ok": "@x"}], "csv")[0].decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text, newline=""))) == [["'=cmd", "ok"], ["1", "'@x"]]


def test_table_graphml_is_the_graph_of_the_rows() -> None:
    content, media_type, suffix = table_export(ROWS, "graphml")
    assert (media_type, suffix) == ("application/graphml+xml", ".graphml")
    g = read_graphml(content)
    assert set(g.nodes) == {"Officer:A", "Unit:U1", "Organisation:L1"}
    assert list(g.edges(keys=True)) == [("Officer:A", "Unit:U1", "IN_UNIT:k1")]
    assert g.nodes["Organisation:L1"]["name"] == "@Oak Lodge" and g.nodes["Officer:A"]["surname"] == NAME


def test_empty_table() -> None:
    assert json.loads(table_export([], "json")[0]) == []
    text = table_export([], "csv")[0].decode("utf-8-sig")
    assert text == "" and list(csv.reader(io.StringIO(text))) == []
    g = read_graphml(table_export([], "graphml")[0])
    assert g.number_of_nodes() == 0
    assert table_export([{}], "csv")[0].decode("utf-8-sig") == ""


# -- rows to graph, formats -----------------------------------------------------------------


def test_subgraph_of_rows() -> None:
    b = node("Officer:B")
    rows = [
        {"o": OFFICER, "rels": [IN_UNIT, MEMBER_OF], "u": UNIT},  # collect(r): edges in a list
        {"dangling": edge("k9", "REPORTS_TO", "Officer:Z", "Officer:A"), "b": b, "n": 3},
        {"p": {"nodes": [b, ORG], "edges": [edge("k3", "MEMBER_OF", "Officer:B", "Organisation:L1")]}},
    ]
    sg = subgraph_of_rows(iter(rows))  # any iterable, scanned twice
    assert set(sg.nodes) == {"Officer:A", "Unit:U1", "Officer:B", "Organisation:L1"}
    assert sorted(sg.edges) == ["IN_UNIT:k1", "MEMBER_OF:k1", "MEMBER_OF:k3"]  # source unknown: left out
    assert sg.truncated is False
    assert subgraph_of_rows([]).to_dict() == Subgraph().to_dict()


def test_subgraph_of_rows_matches_saved_query_results(tmp_path: Path) -> None:
    """The same graph as ``QueryResult.subgraph`` on the fixture store (the logic moved here)."""
    from graph.workspace import open_store
    from queries.saved import library, run
    from tests.conftest import embedded_settings
    from tests.fixture_graph import load_fixture

    with open_store(embedded_settings(tmp_path)) as st:
        load_fixture(st)
        for q in library().values():
            res = run(st, q, q.examples())
            assert subgraph_of_rows(res.rows).to_dict() == res.subgraph().to_dict(), q.name
        res = run(st, library()["officer-unit-network"], {"officer_id": "A"})
        g = read_graphml(table_export(res.rows, "graphml")[0])
        assert set(g.nodes) == {"Officer:A", "Unit:U1", "Organisation:L1"}
        assert {d["type"] for _, _, d in g.edges(data=True)} == {"IN_UNIT", "MEMBER_OF"}
        assert g.nodes["Officer:A"]["date_of_birth"] == "1970-01-02"


@pytest.mark.parametrize("fmt", ["xlsx", "", "gexf"])
def test_unknown_format_names_the_known_ones(fmt: str) -> None:
    for export in (lambda: subgraph_export(Subgraph(), fmt), lambda: table_export([], fmt)):
        with pytest.raises(QueryError, match="known formats: json, csv, graphml"):
            export()


def test_format_names_ignore_case() -> None:
    assert subgraph_export(Subgraph(), " JSON ")[1:] == ("application/json", ".json")
    assert table_export([], "GraphML")[2] == ".graphml"
