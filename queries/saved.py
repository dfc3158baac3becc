"""Saved Cypher queries: the built-in library (one reviewed YAML file per query under
``queries/library/``, in the manner of BloodHound's query library) plus the detectors'
graph queries.

A file holds a stable ``id``, a ``name`` (what ``linkwatch query run NAME`` takes), a
``category``, a ``description``, a ``revision``, typed ``parameters`` (name, type,
default, example, description), the ``result`` kind (``table``, ``graph`` or
``count``), the Neo4j ``cypher`` and, only where the dialects differ, a
``cypher_embedded`` variant. :func:`validate` checks a query: the declared parameters
are exactly the ``$parameters`` used, the types are known, the text passes the
user-query guard (no writes, procedure calls, file or network access, unbounded
variable-length patterns).

>>> q = SavedQuery.from_dict({"id": "X-1", "name": "n", "category": "c", "description": "d",
...     "revision": 1, "result": "count", "parameters": [{"name": "k", "type": "integer", "default": 2}],
...     "cypher": "MATCH (o:Officer) RETURN count(*) AS count LIMIT $k"})
>>> validate(q)
[]
>>> q.bind({"k": "3"})
{'k': 3}
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from graph.errors import QueryError, UnknownName
from graph.guard import check_user_query
from graph.store import GraphStore, cypher_parameters
from graph.subgraph import Subgraph

LIBRARY = Path(__file__).parent / "library"
RESULT_KINDS = ("table", "graph", "count")
TYPES: dict[str, type] = {"string": str, "integer": int, "float": float, "boolean": bool, "list": list}


@dataclass(frozen=True)
class QueryParam:
    name: str
    type: str
    description: str = ""
    default: Any = None
    example: Any = None
    required: bool = True

    def coerce(self, value: Any) -> Any:
        """A value of this parameter's type (text from the command line is parsed).
        Null, and values of the wrong shape (a list for a string, ``true`` for a number,
        1.5 for an integer), are refused with a message naming the parameter; they are
        never turned into text such as ``"None"``.

        >>> QueryParam("officer_id", "string").coerce(100885)
        '100885'
        >>> QueryParam("officer_id", "string").coerce(None)
        Traceback (most recent call last):
        ...
        graph.errors.QueryError: parameter officer_id must be string, not null (give a value)
        """
        t = TYPES[self.type]
        if value is None:
            how = "leave it out to use its default" if not self.required else "give a value"
            raise QueryError(f"parameter {self.name} must be {self.type}, not null ({how})")
        if isinstance(value, t) and not (t is not bool and isinstance(value, bool)):
            if isinstance(value, float) and not math.isfinite(value):
                raise QueryError(f"parameter {self.name} must be a finite number (got {value!r})")
            return value
        if isinstance(value, dict) or (isinstance(value, list) and t is not list):
            raise QueryError(
                f"parameter {self.name} must be {self.type} (got {type(value).__name__} {value!r})"
            )
        if isinstance(value, bool) and t is not bool:
            raise QueryError(f"parameter {self.name} must be {self.type} (got {json.dumps(value)})")
        try:
            if t is bool:
                if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "yes", "no"):
                    return value.lower() in ("true", "1", "yes")
                raise ValueError(value)
            if t is list:
                parsed = json.loads(value) if isinstance(value, str) else list(value)
                if not isinstance(parsed, list):
                    raise ValueError(value)
                return parsed
            if t is int and isinstance(value, float):
                if not value.is_integer():
                    raise ValueError(value)
                return int(value)
            out = t(value)
            if t is float and not math.isfinite(out):
                raise ValueError(value)
            return out
        except (TypeError, ValueError, json.JSONDecodeError) as e:
            raise QueryError(f"parameter {self.name} must be {self.type} (got {value!r})") from e


@dataclass(frozen=True)
class SavedQuery:
    id: str
    name: str
    category: str
    description: str
    revision: int
    result: str
    cypher: str
    parameters: tuple[QueryParam, ...] = ()
    cypher_embedded: str | None = None
    status_of: str | None = None
    """A column of flag ids: the run adds each flag's live status beside it (``status``),
    joined from people's assessments, its one home."""
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @staticmethod
    def from_dict(d: Mapping[str, Any], source: str = "") -> SavedQuery:
        missing = [
            k for k in ("id", "name", "category", "description", "revision", "result", "cypher") if k not in d
        ]
        if missing:
            raise QueryError(f"{source or 'saved query'}: missing field(s) {', '.join(missing)}")
        params = []
        for p in d.get("parameters") or []:
            if "name" not in p or "type" not in p:
                raise QueryError(f"{source}: every parameter needs a name and a type")
            params.append(
                QueryParam(
                    name=str(p["name"]),
                    type=str(p["type"]),
                    description=str(p.get("description", "")),
                    default=p.get("default"),
                    example=p.get("example"),
                    required="default" not in p,
                )
            )
        known = {
            "id",
            "name",
            "category",
            "description",
            "revision",
            "result",
            "cypher",
            "cypher_embedded",
            "parameters",
            "status_of",
        }
        return SavedQuery(
            id=str(d["id"]),
            name=str(d["name"]),
            category=str(d["category"]),
            description=str(d["description"]).strip(),
            revision=int(d["revision"]),
            result=str(d["result"]),
            cypher=str(d["cypher"]).strip(),
            parameters=tuple(params),
            cypher_embedded=str(d["cypher_embedded"]).strip() if d.get("cypher_embedded") else None,
            status_of=str(d["status_of"]) if d.get("status_of") else None,
            source=source,
            extra={k: v for k, v in d.items() if k not in known},
        )

    def to_dict(self) -> dict[str, Any]:
        """The file format (for export)."""
        out: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "category": self.category,
            "description": self.description,
            "revision": self.revision,
            "result": self.result,
            "parameters": [
                {
                    "name": p.name,
                    "type": p.type,
                    **({} if p.required else {"default": p.default}),
                    **({"example": p.example} if p.example is not None else {}),
                    "description": p.description,
                }
                for p in self.parameters
            ],
            "cypher": self.cypher + "\n",
        }
        if self.cypher_embedded:
            out["cypher_embedded"] = self.cypher_embedded + "\n"
        if self.status_of:
            out["status_of"] = self.status_of
        return out

    def bind(self, given: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Parameters for a run: given values typed, defaults filled in, unknown or
        missing ones refused with a message that names them."""
        given = dict(given or {})
        names = {p.name for p in self.parameters}
        unknown = sorted(set(given) - names)
        if unknown:
            raise QueryError(
                f"{self.name}: unknown parameter(s) {', '.join(unknown)}; known: {', '.join(sorted(names)) or 'none'}"
            )
        out = {}
        for p in self.parameters:
            if p.name in given:
                out[p.name] = p.coerce(given[p.name])
            elif p.required:
                raise QueryError(
                    f"{self.name}: parameter {p.name} ({p.type}) is required, e.g. {p.example!r}"
                )
            else:
                out[p.name] = p.default
        return out

    def examples(self) -> dict[str, Any]:
        return {p.name: p.example if p.example is not None else p.default for p in self.parameters}


def validate(q: SavedQuery, max_hops: int = 6) -> list[str]:
    """Problems with a saved query (empty when it is fine)."""
    problems = []
    if q.result not in RESULT_KINDS:
        problems.append(f"result must be one of {', '.join(RESULT_KINDS)} (got {q.result!r})")
    for p in q.parameters:
        if p.type not in TYPES:
            problems.append(f"parameter {p.name}: unknown type {p.type!r} (known: {', '.join(TYPES)})")
    declared = {p.name for p in q.parameters}
    for label, text in (("cypher", q.cypher), ("cypher_embedded", q.cypher_embedded)):
        if text is None:
            continue
        used = cypher_parameters(text)
        if used - declared:
            problems.append(f"{label} uses undeclared parameter(s) {', '.join(sorted(used - declared))}")
        if declared - used:
            problems.append(
                f"{label} does not use declared parameter(s) {', '.join(sorted(declared - used))}"
            )
        try:
            check_user_query(text, max_hops)
        except QueryError as e:
            problems.append(f"{label}: {e}")
    return problems


def load_file(path: Path) -> SavedQuery:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise QueryError(f"{path}: not valid YAML ({e})") from e
    if not isinstance(data, dict):
        raise QueryError(f"{path}: expected a mapping of fields")
    return SavedQuery.from_dict(data, source=str(path))


def detector_queries() -> list[SavedQuery]:
    """The detectors' graph queries, as library entries (``detector.<name>``)."""
    from queries.detectors import DETECTORS

    out = []
    for d in DETECTORS.values():
        if d.cypher is None or d.python is not None:
            continue
        types = {str: "string", int: "integer", float: "float", bool: "boolean", list: "list"}
        used = cypher_parameters(d.cypher)
        out.append(
            SavedQuery(
                id=f"detector:{d.name}",
                name=f"detector.{d.name}",
                category="detector",
                description=d.card.purpose,
                revision=1,
                result="table",
                cypher=d.cypher,
                cypher_embedded=d.cypher_embedded,
                parameters=tuple(
                    QueryParam(p.name, types[p.type], p.description, p.default, p.default, required=False)
                    for p in d.params
                    if p.name in used
                ),
                source=f"{', '.join(d.files[1:]) or d.files[0]} ({d.name})",
            )
        )
    return out


def library(directory: Path = LIBRARY) -> dict[str, SavedQuery]:
    """Every built-in query by name: the files and the detectors' graph queries.

    Parsed once per set of files (names and modification times), not on every API
    request; a changed file is read again."""
    files = tuple((str(p), p.stat().st_mtime_ns) for p in sorted(Path(directory).glob("*.yaml")))
    return dict(_library(files))


@functools.lru_cache(maxsize=8)
def _library(files: tuple[tuple[str, int], ...]) -> dict[str, SavedQuery]:
    queries = [load_file(Path(p)) for p, _ in files] + detector_queries()
    by_name: dict[str, SavedQuery] = {}
    ids: dict[str, str] = {}
    for q in queries:
        if q.name in by_name:
            raise QueryError(
                f"saved query name {q.name!r} is used twice ({by_name[q.name].source}, {q.source})"
            )
        if q.id in ids:
            raise QueryError(f"saved query id {q.id!r} is used twice ({ids[q.id]}, {q.source})")
        by_name[q.name] = q
        ids[q.id] = q.source
    return by_name


def get(name: str, queries: Mapping[str, SavedQuery] | None = None) -> SavedQuery:
    queries = queries if queries is not None else library()
    if name in queries:
        return queries[name]
    by_id = {q.id: q for q in queries.values()}
    if name in by_id:
        return by_id[name]
    raise UnknownName(f"no saved query {name!r}; known: {', '.join(sorted(queries))}")


@dataclass
class QueryResult:
    query: SavedQuery
    params: dict[str, Any]
    rows: list[dict[str, Any]]
    truncated: bool = False

    @property
    def count(self) -> int:
        if self.query.result == "count":
            return int(next(iter(self.rows[0].values()))) if self.rows else 0
        return len(self.rows)

    def subgraph(self) -> Subgraph:
        """Nodes, relationships and paths in the rows, as one graph."""
        from graph.export import subgraph_of_rows

        return subgraph_of_rows(self.rows)


def run(
    store: GraphStore,
    query: SavedQuery,
    params: Mapping[str, Any] | None = None,
    *,
    max_rows: int = 10_000,
    statuses: Callable[[], Mapping[str, str]] | None = None,
) -> QueryResult:
    """Run a saved query with typed parameters, at most ``max_rows`` rows (the store's
    query timeout applies; Neo4j runs it in a read transaction).

    A query with ``status_of`` gets each flag's live status in a ``status`` column,
    joined from ``statuses()`` (flag id -> status, from the assessments; a flag no one
    assessed is ``open``): the graph keeps no copy of it to go stale."""
    problems = validate(query, store.settings.max_hops)
    if problems:
        raise QueryError(f"{query.name}: " + "; ".join(problems))
    bound = query.bind(params)
    rows = store.user_query(query.cypher, bound, embedded=query.cypher_embedded, max_rows=max_rows + 1)
    rows = rows[: max_rows + 1]
    if query.status_of:
        live = dict(statuses() if statuses is not None else {})
        col = query.status_of
        rows = [{**r, "status": live.get(str(r.get(col)), "open")} for r in rows]
    return QueryResult(query, bound, rows[:max_rows], truncated=len(rows) > max_rows)


def from_stored(stored: Any) -> SavedQuery:
    """A user-saved query (:class:`graph.meta.StoredQuery`) as a :class:`SavedQuery`."""
    return SavedQuery.from_dict(stored.body, source=f"user:{stored.owner}")


def check_new(body: Mapping[str, Any], max_hops: int = 6) -> SavedQuery:
    """A user's query body, parsed and validated (a :class:`QueryError` lists every
    problem); its name must not be a built-in query's."""
    q = SavedQuery.from_dict({"id": "U-new", "revision": 1, **body}, source="user query")
    problems = validate(q, max_hops)
    lib = library()
    if q.name in lib or q.id in {x.id for x in lib.values()}:
        problems.append(f"{q.name!r} is the name or id of a built-in query; pick another")
    if problems:
        raise QueryError(f"saved query {q.name!r}: " + "; ".join(problems))
    return q
