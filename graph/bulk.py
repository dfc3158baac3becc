"""Bulk export of a graph for ``neo4j-admin database import full``.

Loading millions of relationships through Bolt transactions runs at about 8,000
relationships/s with full provenance on a 2-core machine (measured: the property writes
dominate, not the network). A first load of a large force therefore goes through Neo4j's
offline bulk importer instead: ingest into the embedded store (the staging area), write
its graph as import files with :func:`write_neo4j_import`, and run the importer on the
stopped server::

    linkwatch export neo4j-import OUT          # from the embedded store
    neo4j-admin database import full --overwrite-destination \\
        $(cat OUT/import.args) neo4j           # on the (stopped) Neo4j server

Later ingests are deltas and go through Bolt as usual: the imported graph carries the
same ``uid``/``key``, ``row_hash`` and provenance, so the delta logic sees it as its own.
The next ``linkwatch`` connection creates the constraints and indexes.

One file per label and per relationship type, CSV with typed headers (``uid:ID``,
``count:long``, ``first_at:datetime``, ``systems:string[]`` with ``;`` between items).
Empty strings and empty lists are absent properties in the import, as missing values.

>>> neo4j_header(Prop("first_at", "timestamp")), neo4j_header(Prop("systems", "string[]"))
('first_at:datetime', 'systems:string[]')
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from graph.model import MODEL, GraphModel, Prop

if TYPE_CHECKING:
    from graph.embedded import EmbeddedStore

NEO4J_IMPORT_TYPES = {
    "string": "string",
    "int": "long",
    "float": "double",
    "bool": "boolean",
    "date": "date",
    "timestamp": "datetime",
    "string[]": "string[]",
}
ARRAY_DELIMITER = ";"


def neo4j_header(p: Prop) -> str:
    """A property's column header in the importer's CSV.

    ``name:type``, or the bare name for a string.

    Parameters
    ----------
    p : Prop
        A declared property.

    Returns
    -------
    str
        The header, typed by :data:`NEO4J_IMPORT_TYPES`.

    Examples
    --------
    >>> neo4j_header(Prop("surname")), neo4j_header(Prop("count", "int"))
    ('surname', 'count:long')
    """
    t = NEO4J_IMPORT_TYPES[p.type]
    return p.name if t == "string" else f"{p.name}:{t}"


@dataclass
class ImportFiles:
    """What :func:`write_neo4j_import` wrote.

    Parameters
    ----------
    out : Path
        The folder written.
    nodes : dict of str to int
        Nodes written per label.
    relationships : dict of str to int
        Relationships written per type.
    args : list of str
        The importer's arguments (also in ``out/import.args``).
    seconds : float
        How long it took.

    Examples
    --------
    >>> ImportFiles(Path("out"), nodes={"Officer": 2}).nodes
    {'Officer': 2}
    """

    out: Path
    nodes: dict[str, int] = field(default_factory=dict)
    relationships: dict[str, int] = field(default_factory=dict)
    args: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _text(col: pa.ChunkedArray | pa.Array, p: Prop) -> pa.ChunkedArray | pa.Array:
    """A column as the importer's text: ISO 8601 temporals (UTC), ``;``-joined lists."""
    if p.type == "timestamp":
        return pc.binary_join_element_wise(pc.strftime(col, format="%Y-%m-%dT%H:%M:%S"), "Z", "")
    if p.type == "date":
        return pc.strftime(col, format="%Y-%m-%d")
    if p.type == "string[]":
        return pc.binary_join(col, ARRAY_DELIMITER)
    return col


def _write(table: pa.Table, path: Path) -> None:
    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))


PAGE_ROWS = 100_000
"""About how many relationships one read of the export takes: the embedded engine holds a
read's whole result in its buffer pool (2 M ``ACCESSED`` links at once overflow the
default 1 GiB, and so did pages of 250,000 after the 45k force's other tables), so a type
is read in pages of its relationships' offsets."""


def _rel_pages(store: EmbeddedStore, rel_type: str, starts: list[str], ret: str) -> Iterator[pa.Table]:
    """A relationship type's rows, page by page: windows of the relationships' own
    offsets (per start label), each of at most :data:`PAGE_ROWS`. Windows of the start
    nodes' offsets were tried first: Ladybug 0.22 then read some relationships' ``key``
    and ``first_seen`` as null (seen on a 45k store's ``MEMBER_OF`` from persons), which a
    filter on the relationship itself does not."""
    for label in starts:
        head = f"MATCH (a:{label})-[r:{rel_type}]->(b)"
        stats = store.arrow(
            f"{head} RETURN count(r) AS n, max(offset(id(r))) AS hi, min(offset(id(r))) AS lo"
        )
        n, hi, lo = (stats.column(c)[0].as_py() for c in ("n", "hi", "lo"))
        if not n:
            continue
        for first in range(lo, hi + 1, PAGE_ROWS):
            yield store.arrow(
                f"{head} WHERE offset(id(r)) >= $lo AND offset(id(r)) < $hi RETURN {ret}",
                {"lo": first, "hi": first + PAGE_ROWS},
            )


def _empty_rels(props: list[Prop]) -> pa.Table:
    cols = {h: pa.array([], pa.string()) for h in (":START_ID", ":END_ID", ":TYPE")}
    cols.update({neo4j_header(p): pa.array([], pa.string()) for p in props})
    return pa.table(cols)


def write_neo4j_import(
    store: EmbeddedStore,
    out: Path,
    *,
    model: GraphModel = MODEL,
    progress: Callable[[str], None] | None = None,
) -> ImportFiles:
    """Write the embedded store's graph as ``neo4j-admin database import`` files.

    Returns the files and counts; ``out/import.args`` holds the importer arguments
    (one per line, paths relative to ``out``, run from ``out``).

    Writes ``nodes-<Label>.csv`` for every label and ``rels-<TYPE>.csv`` for every
    relationship type of the model, empty ones included, with every property and the
    provenance columns.

    Parameters
    ----------
    store : EmbeddedStore
        The embedded store to export (a read-only handle will do).
    out : Path
        The folder to write (made if missing; files there are replaced).
    model : GraphModel, default MODEL
        The data model.
    progress : callable, optional
        Called with a short message before each label and type.

    Returns
    -------
    ImportFiles
        The folder, the counts per label and type, the importer's arguments.

    Raises
    ------
    QueryError
        If the store refuses a read.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> from graph.settings import Settings
    >>> from graph.store import RunInfo
    >>> from graph.workspace import open_store
    >>> store = open_store(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256))
    >>> _ = store.load_nodes("Officer", pd.DataFrame({"officer_id": ["A", "B"]}), RunInfo.new("doc"))
    >>> out = Path(tempfile.mkdtemp())
    >>> files = write_neo4j_import(store, out)
    >>> files.nodes["Officer"], files.relationships["REPORTS_TO"]
    (2, 0)
    >>> (out / "import.args").read_text().splitlines()[0]
    '--nodes=nodes-Officer.csv'
    >>> store.close()
    """
    t0 = time.perf_counter()
    step = progress or (lambda _m: None)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    res = ImportFiles(out)
    for node in model.nodes:
        step(f"export {node.label}")
        props = [p for p in node.all_props if p.name != "uid"]
        ret = ", ".join(["n.uid AS uid"] + [f"n.{p.name} AS {p.name}" for p in props])
        tbl = store.arrow(f"MATCH (n:{node.label}) RETURN {ret}")
        cols = {"uid:ID": tbl.column("uid"), ":LABEL": pa.array([node.label] * tbl.num_rows, pa.string())}
        for p in props:
            cols[neo4j_header(p)] = _text(tbl.column(p.name), p)
        name = f"nodes-{node.label}.csv"
        _write(pa.table(cols), out / name)
        res.nodes[node.label] = tbl.num_rows
        res.args.append(f"--nodes={name}")
    for rel in model.relationships:
        step(f"export {rel.type}")
        props = list(rel.all_props)
        ret = ", ".join(
            ["a.uid AS start_uid", "b.uid AS end_uid"] + [f"r.{p.name} AS {p.name}" for p in props]
        )
        name = f"rels-{rel.type}.csv"
        writer: pacsv.CSVWriter | None = None
        schema: pa.Schema | None = None
        res.relationships[rel.type] = 0
        for tbl in _rel_pages(store, rel.type, sorted({a for a, _b in rel.ends}), ret):
            cols = {
                ":START_ID": tbl.column("start_uid"),
                ":END_ID": tbl.column("end_uid"),
                ":TYPE": pa.array([rel.type] * tbl.num_rows, pa.string()),
            }
            for p in props:
                cols[neo4j_header(p)] = _text(tbl.column(p.name), p)
            page = pa.table(cols)
            if writer is None:
                schema = page.schema
                writer = pacsv.CSVWriter(
                    out / name, schema, write_options=pacsv.WriteOptions(quoting_style="needed")
                )
            writer.write_table(page.cast(schema))
            res.relationships[rel.type] += page.num_rows
        if writer is None:  # no relationship of the type: the header alone
            _write(_empty_rels(props), out / name)
        else:
            writer.close()
        res.args.append(f"--relationships={name}")
    res.args += [f"--array-delimiter={ARRAY_DELIMITER}", "--multiline-fields=true"]
    (out / "import.args").write_text("\n".join(res.args) + "\n")
    res.seconds = time.perf_counter() - t0
    return res
