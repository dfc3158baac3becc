"""The detector framework: a detector is declared once, with its method card.

A detector's declaration holds everything a reviewer needs (purpose, data read, logic
in plain words, parameters and defaults, known innocent explanations, protected
characteristics it never uses, how score and severity are set) next to its
implementation: Neo4j Cypher on the graph (with an embedded variant only where the
dialects differ) or SQL on the event store (DuckDB, vectorised, with ``$name``
parameters and the graph facts it needs as ``g_*`` tables, see :class:`DetectContext`),
plus a pure function that turns the query rows into flags.

Each detector is one module, ``queries/detectors/<family>/<detector>.py``, and its
queries are files beside it, read once at import by :func:`query_file`:
``<detector>.sql`` or ``<detector>.cypher`` (``<detector>.embedded.cypher`` where the
embedded store's dialect differs), or, for a detector that runs several queries,
``<detector>.<part>.sql`` / ``.cypher``. Text shared by several detectors of a family is
a fragment file, ``<family>/common.<part>.sql``, or a small constant of the family's
``common`` module, filled into the queries by ``{{name}}`` placeholders (see :func:`fill`).

Flags follow the source contract's flags export; ``flag_id`` is a hash of the detector
and the evidence keys, so the same inputs give the same ids.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from graph.contract import TABLE_LIST
from graph.engines import EventEngine, as_engine
from graph.errors import LinkwatchError
from graph.facts import GRAPH_FACTS, graph_facts
from graph.model import MODEL
from graph.store import GraphStore

FLAG_COLUMNS = [
    "flag_id",
    "detector",
    "officer_id",
    "group_id",
    "score",
    "severity",
    "window_start",
    "window_end",
    "explanation",
    "evidence",
]
PROTECTED: tuple[str, ...] = tuple(sorted(MODEL.protected))
"""The protected characteristics, from the model (:attr:`graph.model.GraphModel.protected`)."""


class DetectorError(LinkwatchError):
    """Unknown detector or bad detector parameters."""


# ---------------------------------------------------------------------------- query files

ROOT = Path(__file__).resolve().parents[2]
"""The folder that holds the ``queries`` package (the checkout, or site-packages)."""

PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
"""``{{name}}`` in a query file: text filled in at import (see :func:`fill`)."""

_READ: dict[str, list[str]] = {}
"""Per detector module (its path), the query files it read, in order."""


def fill(text: str, **values: str) -> str:
    """``text`` with each ``{{name}}`` replaced by ``values[name]``, in one pass (a value's
    own text is not searched again).

    The one placeholder of query files. A value is query text fixed at import: a fragment
    file several detectors share (itself read with :func:`query_file`), or a constant of
    the family's ``common`` module (a list of pay codes, the bank holidays). It is never a
    user's parameter: those stay ``$name`` parameters, bound by the store. A placeholder
    with no value, or a value with no placeholder, is an error.

    >>> fill("SELECT * FROM shifts WHERE pay_code IN ({{paid}})", paid="'overtime'")
    "SELECT * FROM shifts WHERE pay_code IN ('overtime')"
    >>> fill("{{a}} {{b}}", a="x")
    Traceback (most recent call last):
    ...
    ValueError: no value for {{b}}
    >>> fill("{{a}}", a="x", c="y")
    Traceback (most recent call last):
    ...
    ValueError: no placeholder {{c}}
    """
    names = PLACEHOLDER.findall(text)
    missing = sorted(set(names) - set(values))
    if missing:
        raise ValueError("no value for " + ", ".join("{{" + n + "}}" for n in missing))
    unused = sorted(set(values) - set(names))
    if unused:
        raise ValueError("no placeholder " + ", ".join("{{" + n + "}}" for n in unused))
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


@functools.cache
def _read(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return text[:-1] if text.endswith("\n") else text


def query_file(module_file: str, name: str, **values: str) -> str:
    """The query in the file ``name`` beside ``module_file`` (a detector module's
    ``__file__``), its final newline dropped and its ``{{placeholders}}`` filled with
    ``values`` (:func:`fill`). Read once, at import; the module is recorded as reading it
    (:attr:`Detector.files`)."""
    module = Path(module_file).resolve()
    path = module.parent / name
    text = fill(_read(path), **values)
    read = _READ.setdefault(str(module), [])
    if _relative(path) not in read:
        read.append(_relative(path))
    return text


def _relative(path: Path) -> str:
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:
        return path.as_posix()


@dataclass(frozen=True)
class Param:
    name: str
    type: type
    default: Any
    description: str


@dataclass(frozen=True)
class LookAlike:
    """An innocent pattern that resembles a form of the behaviour and must not be flagged.
    ``name`` is its worked example's folder, ``tests/examples/<detector>/<name>/``."""

    name: str
    description: str


@dataclass(frozen=True)
class Form:
    """One real form of the behaviour a detector looks for.

    ``name`` is stable: it is the folder of its worked example
    (``tests/examples/<detector>/<name>/``), the value flags carry in their ``forms``
    evidence item, and the ``form`` column of a generated force's truth. ``lookalikes``
    names the card's :class:`LookAlike` entries it is paired with; ``needs`` names the
    detector's :class:`Input` entries without which this form cannot be checked."""

    name: str
    description: str
    lookalikes: tuple[str, ...]
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Input:
    """Something a detector reads, and a count query that says whether the data has it
    (``sql`` on the event store, where the ``g_*`` graph facts are tables too, or
    ``cypher`` on the graph; either returns one row with a column ``n``)."""

    name: str
    description: str
    sql: str | None = None
    cypher: str | None = None

    @staticmethod
    def rows(table: str, where: str = "", name: str | None = None, description: str = "") -> Input:
        """Rows of an event table (or a ``g_*`` fact), optionally those matching ``where``."""
        cond = f" WHERE {where}" if where else ""
        return Input(
            name or table,
            description or f"rows of {table}{cond}",
            sql=f"SELECT count(*) AS n FROM {table}{cond}",
        )

    @staticmethod
    def column(table: str, column: str, name: str | None = None, description: str = "") -> Input:
        """Non-empty values of ``table.column``."""
        return Input(
            name or f"{table}.{column}",
            description or f"values in {table}.{column}",
            sql=f"SELECT count(*) AS n FROM {table} WHERE NULLIF(trim(CAST({column} AS VARCHAR)), '') IS NOT NULL",
        )


@dataclass(frozen=True)
class MethodCard:
    purpose: str
    reads: tuple[str, ...]
    logic: str
    false_positives: tuple[str, ...]
    scoring: str
    never_uses: tuple[str, ...] = PROTECTED
    forms: tuple[Form, ...] = ()
    """The forms of the behaviour the detector recognises (*forms recognised*)."""
    lookalikes: tuple[LookAlike, ...] = ()
    """Named innocent look-alikes, each with a worked example (part of *known innocent
    explanations*, beside the free-text ``false_positives``)."""


GRAPH_CONTEXT = GRAPH_FACTS
"""Graph facts registered in the event store's connection for SQL detectors."""


class DetectContext:
    """What detectors run against: the graph store and, when there is one, the event
    store (opened read-only; the graph facts of :data:`GRAPH_CONTEXT` are registered as
    temporary tables the first time an SQL detector runs)."""

    def __init__(self, store: GraphStore, events: Any | None = None) -> None:
        self.store = store
        self.events: EventEngine | None = None if events is None else as_engine(events)
        """The engine the SQL runs on: DuckDB (the event store; a connection is wrapped)
        or Spark (:mod:`graph.engines`)."""
        self._registered = False

    def sql(self, text: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        if self.events is None:
            raise DetectorError(
                "this detector reads the event store, and there is none: ingest the event tables first"
            )
        if not self._registered:
            self._register()
        return self.events.query(text, params)

    def _register(self) -> None:
        assert self.events is not None
        present = self.events.tables()
        for t in TABLE_LIST:  # an event table never ingested reads as empty
            if t.kind == "event" and t.name not in present:
                self.events.ensure_empty(t)

        for name, frame in graph_facts(self.store).items():
            data = pa.table(
                {
                    c: pa.array(
                        _dates(frame[c])
                        if _is_date(c)
                        else [
                            None if v is None else str(v)
                            for v in frame[c].astype(object).where(frame[c].notna(), None).tolist()
                        ],
                        type=pa.date32() if _is_date(c) else pa.string(),
                    )
                    for c in frame.columns
                }
            )
            self.events.put(name, data)
        self._registered = True


def _is_date(column: str) -> bool:
    return column.endswith("_date") or column == "date_of_birth"


def _dates(s: pd.Series) -> list[Any]:
    """Dates (from date objects or ISO strings, as either store returns them); None for none."""
    v = pd.to_datetime(s.astype(object).where(s.notna(), None), errors="coerce", format="mixed")
    return [None if pd.isna(x) else x.date() for x in v]


@dataclass(frozen=True)
class Stage:
    """The part of an event detector's query that can be brought up to date by time
    (incremental detection, :mod:`queries.incremental`).

    ``ctes`` is a list of CTEs (no ``WITH``), the last one named ``stage``: rows computed
    from the event tables ``reads`` (and the graph facts ``facts``), each about one time,
    its column ``time``. ``horizon`` is an SQL query over the event tables giving one
    number, ``h`` seconds, such that a row about time ``t`` depends only on event rows
    whose time (:func:`graph.events.month_column`) lies in ``[t - h, t + h]``, and rows
    without a time depend on no row with one (``horizon`` may use the detector's
    parameters). ``main`` is the detector's query, starting ``WITH {{stage}},``: the
    stage's CTEs go there for a whole run (the detector's ``sql``, one query as before),
    the kept rows, as the CTE ``stage``, for an incremental one. Everything else in
    ``main`` is run whole each time."""

    ctes: str
    main: str
    time: str
    horizon: str
    reads: tuple[str, ...]
    facts: tuple[str, ...] = ()
    latest: str | None = None
    """For a stage whose rows depend on something's latest time however far back it lies
    (the days after an officer's last duty row): SQL giving that time ``t`` per ``key``.
    It is kept with the state; where a key's time is now earlier than kept (its latest row
    was cancelled or moved back), an incremental run recomputes from that time."""
    own: str | None = None
    """The table of ``reads`` whose rows the stage's rows are made of, each about its own
    row's time and reading no other row of that table: an incremental run reads it from
    ``T - h`` only (the other tables from ``T - 2h``)."""

    @property
    def sql(self) -> str:
        """The stage's rows, as one query."""
        return f"WITH {self.ctes}\nSELECT * FROM stage"

    def query(self, source: str | None = None) -> str:
        """The detector's query, its stage read from ``source`` (a table), or computed."""
        return fill(self.main, stage=f"stage AS (SELECT * FROM {source})" if source else self.ctes)


@dataclass(frozen=True)
class Detector:
    name: str
    card: MethodCard
    params: tuple[Param, ...]
    to_flags: Callable[[list[dict[str, Any]], Mapping[str, Any]], list[dict[str, Any]]]
    cypher: str | None = None
    cypher_embedded: str | None = None
    sql: str | None = None
    python: Callable[[DetectContext, Mapping[str, Any]], list[dict[str, Any]]] | None = None
    """A function of the context for detectors that combine queries with NetworkX;
    ``cypher``/``sql`` then hold the queries it runs (shown on the method card)."""
    uses_events: bool = False
    evidence_labels: tuple[str, ...] = field(default=())
    inputs: tuple[Input, ...] = ()
    """What the detector reads, checked before each run (see :meth:`coverage`)."""
    stage: Stage | None = None
    """The part of ``sql`` an incremental run recomputes only from the changed time on
    (:mod:`queries.incremental`); ``None``: the detector always runs whole."""

    def __post_init__(self) -> None:
        if self.python is None and (self.cypher is None) == (self.sql is None):
            raise ValueError(
                f"{self.name}: give exactly one of cypher (graph) or sql (event store), or python"
            )

    @property
    def reads_events(self) -> bool:
        return (
            self.uses_events
            or (self.sql is not None and self.python is None)
            or any(i.sql is not None for i in self.inputs)
        )

    def coverage(self, ctx: DetectContext | GraphStore) -> Coverage:
        """Which inputs the data has, which it lacks, and so which forms could not be
        checked. A detector whose every form lacks an input saw nothing."""
        if not isinstance(ctx, DetectContext):
            ctx = DetectContext(ctx)
        counts: dict[str, int] = {}
        for i in self.inputs:
            if i.sql is not None:
                rows = ctx.sql(i.sql, {}) if ctx.events is not None else [{"n": 0}]
            else:
                rows = ctx.store.query(str(i.cypher))
            counts[i.name] = int(rows[0]["n"] or 0) if rows else 0
        lacked = [n for n, c in counts.items() if c == 0]
        unchecked = [f.name for f in self.card.forms if any(n in lacked for n in f.needs)]
        forms = [f.name for f in self.card.forms]
        return Coverage(
            detector=self.name,
            had={n: c for n, c in counts.items() if c},
            lacked=lacked,
            forms_checked=[f for f in forms if f not in unchecked],
            forms_unchecked=unchecked,
            saw_nothing=bool(forms) and len(unchecked) == len(forms),
        )

    @property
    def family(self) -> str:
        return self.name.split(".")[0]

    @property
    def files(self) -> tuple[str, ...]:
        """The detector's module and the query files it reads (its own, ``<module>.*``,
        then the family's fragments), relative to the folder that holds ``queries``."""
        module = Path(str(sys.modules[self.to_flags.__module__].__file__)).resolve()
        read = _READ.get(str(module), [])
        own = [f for f in read if f.rsplit("/", 1)[-1].startswith(module.stem + ".")]
        return (_relative(module), *own, *(f for f in read if f not in own))

    def resolve_params(self, given: Mapping[str, Any] | None = None) -> dict[str, Any]:
        given = dict(given or {})
        unknown = set(given) - {p.name for p in self.params}
        if unknown:
            raise DetectorError(
                f"{self.name}: unknown parameter(s) {', '.join(sorted(unknown))}; "
                f"known: {', '.join(p.name for p in self.params)}"
            )
        out = {}
        for p in self.params:
            v = given.get(p.name, p.default)
            try:
                out[p.name] = p.type(v) if not isinstance(v, p.type) else v
            except (TypeError, ValueError) as e:
                raise DetectorError(f"{self.name}: parameter {p.name} must be {p.type.__name__}") from e
        return out

    def run(self, ctx: DetectContext | GraphStore, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """Run on a store (or a context with the event store); flags as a frame with
        :data:`FLAG_COLUMNS` (sorted by id)."""
        if not isinstance(ctx, DetectContext):
            ctx = DetectContext(ctx)
        p = self.resolve_params(params)
        if self.python is not None:
            rows = self.python(ctx, p)
        elif self.sql is not None:
            rows = ctx.sql(self.sql, p)
        else:
            assert self.cypher is not None
            rows = ctx.store.query(self.cypher, p, embedded=self.cypher_embedded)
        return self.frame(rows, p)

    def frame(self, rows: list[dict[str, Any]], p: Mapping[str, Any]) -> pd.DataFrame:
        """The flags of query rows, as :meth:`run` returns them."""
        flags = self.to_flags(rows, p)
        df = pd.DataFrame(flags, columns=FLAG_COLUMNS)
        return df.sort_values("flag_id").reset_index(drop=True)


@dataclass
class Coverage:
    """What one detector could see in one run (kept in the run's record)."""

    detector: str
    had: dict[str, int]
    lacked: list[str]
    forms_checked: list[str]
    forms_unchecked: list[str]
    saw_nothing: bool

    def summary(self) -> str:
        """One line for people: what was missing and what could therefore not be checked."""
        if self.saw_nothing:
            return f"saw nothing: no {', '.join(self.lacked)}; checked no form"
        if not self.lacked:
            return "all inputs present"
        return f"no {', '.join(self.lacked)}; could not check " + (
            ", ".join(self.forms_unchecked) if self.forms_unchecked else "(no form depends on it)"
        )


def forms_item(forms: list[str] | tuple[str, ...] | set[str]) -> dict[str, Any]:
    """The evidence item that names the forms of the behaviour a flag shows."""
    return {"forms": sorted(set(forms))}


def flag_forms(evidence: str | list[dict[str, Any]]) -> list[str]:
    """The forms a flag's evidence names (empty when it names none).

    >>> flag_forms('[{"table": "shifts", "key": "S1"}, {"forms": ["no_duty_row"]}]')
    ['no_duty_row']
    """
    items = json.loads(evidence) if isinstance(evidence, str) else evidence
    return sorted({f for i in items if isinstance(i, dict) for f in i.get("forms", [])})


def flag_id(detector: str, *parts: object) -> str:
    """Stable id: the detector name and a hash of the evidence keys.

    >>> flag_id("association.undeclared_membership", "100001", "M1")
    'association.undeclared_membership:2922f880ee28ae9f'
    """
    h = hashlib.sha256("\x1f".join([detector, *map(str, parts)]).encode()).hexdigest()[:16]
    return f"{detector}:{h}"


def severity_of(score: float) -> str:
    return "high" if score >= 0.8 else "medium" if score >= 0.5 else "low"


def ts(v: dt.date | dt.datetime | None) -> str:
    """ISO 8601 timestamp (UTC, ``Z``) for the flags export; empty for none."""
    if v is None:
        return ""
    if not isinstance(v, dt.datetime):
        v = dt.datetime.combine(v, dt.time(), dt.UTC)
    return v.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def evidence_json(items: list[dict[str, Any]]) -> str:
    return json.dumps(items, sort_keys=True, separators=(",", ":"))
