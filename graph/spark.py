"""The event detectors on Apache Spark: a session (:func:`session`), the event tables
read from Parquet (:class:`SparkEngine`), and the detectors' DuckDB SQL transpiled to
Spark SQL with DuckDB's meaning (:func:`translate`) and run in steps (:func:`staged`).

pyspark is imported only when a session is made: transpiling needs sqlglot alone.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import sqlglot
from sqlglot import exp
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

from graph.contract import TABLE_LIST, Table
from graph.errors import LinkwatchError
from graph.events import SQL_TYPES

# ----------------------------------------------------------------------------- transpiling

Schema = Mapping[str, Mapping[str, str]]
"""Per table (or view) the queries read, its columns and their DuckDB types."""


def literal(value: Any) -> exp.Expr:
    """A Python parameter value as the SQL literal DuckDB would bind it as.

    >>> [literal(v).sql("spark") for v in (3, 0.5, "ab", [1, 2], True, None)]
    ['3', 'CAST(0.5 AS DOUBLE)', "'ab'", 'ARRAY(1, 2)', 'TRUE', 'NULL']
    """
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int):
        return exp.Literal.number(value)
    if isinstance(value, float):
        return exp.cast(exp.Literal.number(repr(value)), exp.DataType.build("double"))
    if isinstance(value, dt.datetime):
        return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.build("timestamptz"))
    if isinstance(value, dt.date):
        return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.build("date"))
    if isinstance(value, list | tuple):
        return exp.Array(expressions=[literal(v) for v in value])
    return exp.Literal.string(str(value))


def _tmpl(text: str, **subs: exp.Expr) -> exp.Expr:
    """Spark SQL ``text`` parsed, each column ``__name`` replaced by ``subs[name]``."""
    tree = sqlglot.parse_one(text, read="spark")

    def put(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column) and node.name.startswith("__") and not node.table:
            return subs[node.name[2:]].copy()
        return node

    return tree.transform(put)


def _int(node: exp.Expr) -> int | None:
    """The value of a constant integer expression (literals, casts, + - *, greatest and
    least), else None."""
    if isinstance(node, exp.Literal) and not node.is_string and node.this.lstrip("-").isdigit():
        return int(node.this)
    if isinstance(node, exp.Paren | exp.Cast):
        return _int(node.this)
    if isinstance(node, exp.Neg):
        v = _int(node.this)
        return None if v is None else -v
    if isinstance(node, exp.Add | exp.Sub | exp.Mul):
        a, b = _int(node.left), _int(node.right)
        if a is None or b is None:
            return None
        return a + b if isinstance(node, exp.Add) else a - b if isinstance(node, exp.Sub) else a * b
    if isinstance(node, exp.Greatest | exp.Least):
        vals = [_int(x) for x in (node.this, *node.expressions)]
        if any(v is None for v in vals):
            return None
        ints = [v for v in vals if v is not None]
        return max(ints) if isinstance(node, exp.Greatest) else min(ints)
    return None


def _is(node: exp.Expr, *types: exp.DType) -> bool:
    return node.type is not None and node.type.this in types


DATES = (exp.DType.DATE,)
INTERVAL_UNITS = {
    "to_weeks": ("7", "DAY"),
    "to_days": ("1", "DAY"),
    "to_hours": ("1", "HOUR"),
    "to_minutes": ("1", "MINUTE"),
    "to_seconds": ("1", "SECOND"),
    "to_milliseconds": ("0.001", "SECOND"),
    "to_microseconds": ("0.000001", "SECOND"),
}
"""DuckDB's interval constructors: the interval one of its units is."""
FUNC_KEYS = {"todays": "to_days", "tohours": "to_hours", "tominutes": "to_minutes", "toseconds": "to_seconds"}


def _interval(fn: str, arg: exp.Expr) -> exp.Expr:
    """DuckDB's ``to_minutes(n)`` and kin: an interval literal for a constant (a window
    frame's bound must be one), else ``INTERVAL '1' MINUTE * n``.

    >>> _interval("to_days", sqlglot.parse_one("greatest(CAST(7 AS INT), 1) - 1")).sql("spark")
    "INTERVAL '6' DAY"
    >>> _interval("to_microseconds", exp.column("n")).sql("spark")
    "INTERVAL '0.000001' SECOND * n"
    """
    step, unit = INTERVAL_UNITS[fn]
    n = _int(arg)
    if n is not None and step == "1":
        return exp.Interval(this=exp.Literal.string(str(n)), unit=exp.Var(this=unit))
    return exp.Mul(this=exp.Interval(this=exp.Literal.string(step), unit=exp.Var(this=unit)), expression=arg)


def _list(agg: exp.ArrayAgg, where: exp.Expr | None) -> exp.Expr:
    """DuckDB's ``list([DISTINCT] x [ORDER BY ...]) [FILTER (WHERE ...)]``: NULLs kept, the
    order given, and NULL (not an empty list) when no row is aggregated.

    Spark's ``collect_list`` drops NULLs and has no ORDER BY: the values are collected as
    structs (a struct holding NULL is kept), sorted by a comparator of the ORDER BY keys
    (DuckDB's default: NULLs last), and unwrapped."""
    inner = agg.this
    order: list[exp.Ordered] = []
    if isinstance(inner, exp.Order):
        order = list(inner.expressions)
        inner = inner.this
    distinct = isinstance(inner, exp.Distinct)
    value = inner.expressions[0] if distinct else inner
    if distinct and any(o.this != value for o in order):
        raise NotImplementedError(
            f"list(DISTINCT ... ORDER BY another key) has no Spark form: {agg.sql('duckdb')}"
        )
    keys = [] if distinct else [o.this for o in order]
    fields = [exp.PropertyEQ(this=exp.to_identifier("v"), expression=value.copy())] + [
        exp.PropertyEQ(this=exp.to_identifier(f"k{i}"), expression=k.copy()) for i, k in enumerate(keys)
    ]
    collected: exp.Expr = exp.Anonymous(this="collect_list", expressions=[exp.Struct(expressions=fields)])
    counted: exp.Expr = exp.Count(this=exp.Literal.number(1))
    if where is not None:
        collected = exp.Filter(this=collected, expression=where.copy())
        counted = exp.Filter(this=counted, expression=where.copy())
    if distinct:
        collected = exp.Anonymous(this="array_distinct", expressions=[collected])
    if order:
        names = ["v"] if distinct else [f"k{i}" for i in range(len(keys))]
        cmp = "0"
        for name, o in reversed(list(zip(names, order, strict=True))):
            lt, gt = ("1", "-1") if o.args.get("desc") else ("-1", "1")
            first = "-1" if o.args.get("nulls_first") else "1"
            cmp = (
                f"CASE WHEN _l.{name} IS NULL AND _r.{name} IS NULL THEN {cmp} "
                f"WHEN _l.{name} IS NULL THEN {first} WHEN _r.{name} IS NULL THEN -({first}) "
                f"WHEN _l.{name} < _r.{name} THEN {lt} WHEN _l.{name} > _r.{name} THEN {gt} ELSE {cmp} END"
            )
        collected = _tmpl(f"ARRAY_SORT(__arr, (_l, _r) -> {cmp})", arr=collected)
    return _tmpl(
        "CASE WHEN __n = 0 THEN NULL ELSE TRANSFORM(__arr, _e -> _e.v) END", n=counted, arr=collected
    )


def _names(query: exp.Expr) -> list[str]:
    while isinstance(query, exp.SetOperation):
        query = query.this
    return list(query.named_selects) if isinstance(query, exp.Select) else []


def _add_nulls(query: exp.Expr, names: list[str]) -> None:
    if isinstance(query, exp.SetOperation):
        _add_nulls(query.this, names)
        _add_nulls(query.expression, names)
    elif isinstance(query, exp.Select):
        for n in names:
            query.select(exp.alias_(exp.Null(), n, quoted=True), copy=False)


def _by_name(union: exp.Union) -> exp.Expr:
    """``UNION ALL BY NAME``: the right side's columns put in the left side's order, a
    column either side lacks filled with NULL (the stars are expanded by then)."""
    left, right = union.this, union.expression
    names = _names(left)
    if not isinstance(right, exp.Select) or not names:
        raise NotImplementedError(
            f"UNION BY NAME of these queries has no Spark form: {union.sql('duckdb')[:200]}"
        )
    by = {e.alias_or_name: e for e in right.expressions}
    extra = [n for n in by if n not in names]
    _add_nulls(left, extra)
    right.set(
        "expressions",
        [by[n] if n in by else exp.alias_(exp.Null(), n, quoted=True) for n in names + extra],
    )
    union.set("by_name", None)
    return union


def _positional_names(op: exp.SetOperation) -> exp.SetOperation:
    """The right side's columns named as the left side's (a set operation matches them by
    position): qualifying names them after their sources, twice the same name at times,
    which Spark's optimiser trips on."""
    names, right = _names(op.this), op.expression
    if isinstance(right, exp.Select) and len(names) == len(right.expressions):
        right.set(
            "expressions",
            [
                exp.alias_(e.this if isinstance(e, exp.Alias) else e, n, quoted=True)
                for e, n in zip(right.expressions, names, strict=True)
            ],
        )
    return op


def _generator(e: exp.Expr) -> exp.Explode | None:
    body = e.this if isinstance(e, exp.Alias) else e
    return body if isinstance(body, exp.Explode) else None


def _unnests(select: exp.Select) -> exp.Select:
    """Spark allows one generator per SELECT, at the top of its expression: DuckDB's
    ``f(unnest(list))`` becomes ``unnest(transform(list, x -> f(x)))``, and several
    unnests side by side ``inline(arrays_zip(...)) AS (a, b)``."""
    projections = []
    for e in select.expressions:
        body = e.this if isinstance(e, exp.Alias) else e
        inner = [
            u for u in body.find_all(exp.Explode) if u is not body and u.find_ancestor(exp.Select) is select
        ]
        if len(inner) == 1:
            lam = exp.to_identifier("_u")
            arr = inner[0].this.copy()
            inner[0].replace(exp.column(lam))  # the expression, of the unnested value
            lifted = body.copy()
            new = exp.Explode(
                this=exp.Transform(this=arr, expression=exp.Lambda(this=lifted, expressions=[lam]))
            )
            e = exp.alias_(new, e.alias_or_name, quoted=True) if isinstance(e, exp.Alias) else new
        elif inner:
            raise NotImplementedError(f"several unnests in one expression: {e.sql('duckdb')[:200]}")
        projections.append(e)
    gens = [g for g in (_generator(e) for e in projections) if g is not None]  # at the top: here
    if len(gens) > 1:
        if len(gens) != len(projections):
            raise NotImplementedError(f"several unnests beside other columns: {select.sql('duckdb')[:200]}")
        zipped = exp.Inline(this=exp.ArraysZip(expressions=[g.this.copy() for g in gens]))
        projections = [
            exp.Aliases(
                this=zipped,
                expressions=[exp.to_identifier(e.alias_or_name, quoted=True) for e in projections],
            )
        ]
    select.set("expressions", projections)
    return select


def _rewrite(node: exp.Expr) -> exp.Expr:
    """One node of the DuckDB tree in a form Spark runs with DuckDB's meaning."""
    if isinstance(node, exp.CTE) and node.args.get("materialized") is not None:
        node.set("materialized", None)  # a hint only
        return node
    if isinstance(node, exp.Union) and node.args.get("by_name"):
        return _by_name(node)
    if isinstance(node, exp.SetOperation):
        return _positional_names(node)
    if isinstance(node, exp.Select):
        return _unnests(node)
    if isinstance(node, exp.Filter) and isinstance(node.this, exp.ArrayAgg):
        return _list(node.this, node.expression)
    if isinstance(node, exp.ArrayAgg) and not isinstance(node.parent, exp.Filter):
        return _list(node, None)
    if isinstance(node, exp.Flatten):  # DuckDB skips NULL lists; Spark's flatten would be NULL
        return _tmpl("FLATTEN(FILTER(__x, _e -> _e IS NOT NULL))", x=node.this)
    if isinstance(node, exp.ArrayDistinct):  # DuckDB's list_distinct drops NULLs
        return _tmpl("ARRAY_DISTINCT(FILTER(__x, _e -> _e IS NOT NULL))", x=node.this)
    if isinstance(node, exp.TimeToUnix):  # epoch(): seconds, with their fraction
        arg = node.this
        if isinstance(arg, exp.Sub):  # of an interval: the difference of two timestamps
            return _tmpl(
                "(UNIX_MICROS(__a) - UNIX_MICROS(__b)) / CAST(1000000 AS DOUBLE)", a=arg.left, b=arg.right
            )
        return _tmpl("UNIX_MICROS(__a) / CAST(1000000 AS DOUBLE)", a=arg)
    fn = node.name.lower() if isinstance(node, exp.Anonymous) else FUNC_KEYS.get(node.key, "")
    if fn in INTERVAL_UNITS:
        return _interval(fn, node.expressions[0] if isinstance(node, exp.Anonymous) else node.this)
    if isinstance(node, exp.Anonymous) and node.name.lower() == "epoch_us":  # microseconds, a whole number
        return _tmpl("UNIX_MICROS(__a)", a=node.expressions[0])
    if isinstance(node, exp.Anonymous) and node.name.lower() == "list_bool_or":
        return _tmpl("EXISTS(__x, _e -> _e)", x=node.expressions[0])
    if (
        isinstance(node, exp.Array)
        and len(node.expressions) == 1
        and isinstance(node.expressions[0], exp.Comprehension)
    ):
        c = node.expressions[0]  # [expr FOR x IN list IF cond]
        var = c.expression.this if isinstance(c.expression, exp.Column) else c.expression
        arr = c.args["iterator"]
        if c.args.get("condition") is not None:
            arr = exp.ArrayFilter(
                this=arr, expression=exp.Lambda(this=c.args["condition"], expressions=[var])
            )
        return exp.Transform(this=arr, expression=exp.Lambda(this=c.this, expressions=[var]))
    if isinstance(node, exp.RegexpFullMatch):
        pattern = node.expression
        if not isinstance(pattern, exp.Literal):
            raise NotImplementedError("regexp_full_match with a pattern that is not a literal")
        return exp.RegexpLike(this=node.this, expression=exp.Literal.string(f"^(?:{pattern.this})$"))
    if isinstance(node, exp.RegexpReplace):
        mods = node.args.get("modifiers")
        if mods is not None and "g" in mods.name:
            node.set("modifiers", None)
        elif not (isinstance(node.expression, exp.Literal) and node.expression.this.startswith("^")):
            raise NotImplementedError(
                "regexp_replace of the first match only (no 'g') needs an anchored pattern"
            )
        return node
    if isinstance(node, exp.PercentileCont):
        return exp.Anonymous(this="percentile", expressions=[node.this, node.expression])
    if isinstance(node, exp.DayOfWeekIso):
        return _tmpl("WEEKDAY(__x) + 1", x=node.this)
    if isinstance(node, exp.DateDiff):  # DuckDB counts the boundaries crossed
        unit = node.text("unit").upper()
        start, end = node.expression, node.this
        if unit == "DAY":
            return _tmpl("DATEDIFF(CAST(__e AS DATE), CAST(__s AS DATE))", e=end, s=start)
        if unit == "SECOND":
            return _tmpl("UNIX_SECONDS(__e) - UNIX_SECONDS(__s)", e=end, s=start)
        raise NotImplementedError(f"date_diff in {unit}")
    if (
        isinstance(node, exp.Length)
        and node.this.type is not None
        and node.this.type.is_type(exp.DType.ARRAY)
    ):
        return exp.Anonymous(this="array_size", expressions=[node.this])
    if isinstance(node, exp.Sub) and _is(node.left, *DATES) and _is(node.right, *DATES):
        return _tmpl("DATEDIFF(__a, __b)", a=node.left, b=node.right)  # DuckDB: days, an integer
    return node


def translate(sql: str, params: Mapping[str, Any] | None = None, schema: Schema | None = None) -> exp.Expr:
    """``sql`` (DuckDB dialect, ``$name`` parameters) as Spark SQL with the same meaning,
    the parameters filled in as literals.

    sqlglot transpiles it; first the query is qualified against ``schema`` (stars
    expanded, so that ``* EXCLUDE`` and ``UNION ALL BY NAME`` can be spelled out) and
    typed, and the constructs whose Spark spelling depends on types or on DuckDB's
    semantics are rewritten (:func:`_rewrite`).

    >>> to_spark("SELECT list(x ORDER BY x DESC) AS l FROM t WHERE d - e > $n", {"n": 2},
    ...          {"t": {"x": "VARCHAR", "d": "DATE", "e": "DATE"}})  # doctest: +ELLIPSIS
    'SELECT CASE WHEN COUNT(1) = 0 THEN NULL ELSE TRANSFORM(ARRAY_SORT(...) END AS `l` FROM `t` AS `t` WHERE DATEDIFF(`t`.`d`, `t`.`e`) > 2'
    """
    params = params or {}
    tree = sqlglot.parse_one(sql, read="duckdb")

    def fill(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Placeholder) and node.name in params:
            return literal(params[node.name])
        return node

    tree = tree.transform(fill)
    tree = qualify(tree, schema=dict(schema or {}), dialect="duckdb", validate_qualify_columns=False)
    tree = annotate_types(tree, schema=dict(schema or {}), dialect="duckdb")
    for node in reversed(list(tree.dfs())):  # children before their parents
        new = _rewrite(node)
        if new is not node:
            if new.type is None or new.type.this == exp.DType.UNKNOWN:
                new.type = node.type
            if node is tree:
                tree = new
            else:
                node.replace(new)
    return tree


def to_spark(sql: str, params: Mapping[str, Any] | None = None, schema: Schema | None = None) -> str:
    """:func:`translate`, as Spark SQL text."""
    return translate(sql, params, schema).sql(dialect="spark")


def _with(node: exp.Expr, ctes: list[exp.CTE] | None) -> exp.Expr:
    node.set("with_", exp.With(expressions=ctes) if ctes else None)
    return node


def staged(tree: exp.Expr, prefix: str) -> tuple[list[tuple[str, str]], str]:
    """The query as steps: each CTE that is read more than once becomes a view of its
    own (``prefix`` + its name), computed once; then the query, reading those views.

    DuckDB computes such a CTE once; Spark would inline it at every reference, and the
    plans of the larger detectors then take minutes to optimise.

    >>> steps, last = staged(sqlglot.parse_one(
    ...     "WITH a AS (SELECT 1 AS x), b AS (SELECT x FROM a), c AS (SELECT x FROM b) "
    ...     "SELECT * FROM b JOIN c USING (x)"), "_q_")
    >>> steps
    [('_q_b', 'WITH a AS (SELECT 1 AS x) SELECT x FROM a')]
    >>> last
    'WITH c AS (SELECT x FROM _q_b AS b) SELECT * FROM _q_b AS b JOIN c USING (x)'
    """
    with_ = tree.args.get("with_")
    if with_ is None:
        return [], tree.sql(dialect="spark")
    ctes = list(with_.expressions)
    names = {c.alias for c in ctes}
    refs: dict[str, int] = {}
    for t in tree.find_all(exp.Table):
        if t.name in names and not t.db:
            refs[t.name] = refs.get(t.name, 0) + 1
    views: dict[str, str] = {}

    def renamed(node: exp.Expr) -> exp.Expr:
        node = node.copy()
        for t in list(node.find_all(exp.Table)):
            if t.name in views and not t.db:
                alias = t.alias or t.name
                t.set("this", exp.to_identifier(views[t.name]))
                t.set("alias", exp.TableAlias(this=exp.to_identifier(alias)))
        return node

    def needed(body: exp.Expr, pending: list[exp.CTE]) -> list[exp.CTE]:
        """The pending CTEs ``body`` reads, directly or through each other."""
        by_name = {c.alias: c for c in pending}
        need: set[str] = set()
        todo = [body]
        while todo:
            for t in todo.pop().find_all(exp.Table):
                if t.name in by_name and t.name not in need and not t.db:
                    need.add(t.name)
                    todo.append(by_name[t.name].this)
        return [renamed(c) for c in pending if c.alias in need]  # type: ignore[misc]

    steps: list[tuple[str, str]] = []
    pending: list[exp.CTE] = []
    for c in ctes:
        if refs.get(c.alias, 0) >= 2:
            body = renamed(c.this)
            body = _with(body, needed(body, pending))
            views[c.alias] = prefix + c.alias
            steps.append((views[c.alias], body.sql(dialect="spark")))
        else:
            pending.append(c)
    last = renamed(_with(tree.copy(), None))
    return steps, _with(last, needed(last, pending)).sql(dialect="spark")


# ----------------------------------------------------------------------------- the engine


SPARK_TYPES = {
    "VARCHAR": "string",
    "DATE": "date",
    "TIMESTAMPTZ": "timestamp",
    "DOUBLE": "double",
    "VARCHAR[]": "array<string>",
}
PROVENANCE = (
    ("extra", "string"),
    ("source_file", "string"),
    ("source_line", "bigint"),
    ("row_hash", "decimal(20,0)"),
    ("run_id", "string"),
    ("first_seen", "timestamp"),
    ("last_seen", "timestamp"),
)


ARROW_TYPES = {"string": "VARCHAR", "date32[day]": "DATE", "int64": "BIGINT", "double": "DOUBLE"}


def _duck_schema(table: Table) -> dict[str, str]:
    return {c.name: SQL_TYPES[c.type] for c in table.columns} | {
        "extra": "VARCHAR",
        "source_file": "VARCHAR",
        "source_line": "BIGINT",
        "row_hash": "UBIGINT",
        "run_id": "VARCHAR",
        "first_seen": "TIMESTAMPTZ",
        "last_seen": "TIMESTAMPTZ",
    }


def _strip_accents_udf() -> Any:
    """DuckDB's ``strip_accents`` for Spark: letters without their combining marks.

    Made here (not a module-level function) so that Spark ships it to the workers by
    value: they need no linkwatch installed.

    >>> _strip_accents_udf()("Zoë Ó Súilleabháin")
    'Zoe O Suilleabhain'
    """

    def strip_accents(text: str | None) -> str | None:
        import unicodedata

        if text is None:
            return None
        return unicodedata.normalize(
            "NFC", "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
        )

    return strip_accents


def _spark_columns(table: Table) -> list[tuple[str, str]]:
    """An event table's columns and their Spark types: the contract's, then provenance.

    >>> from graph.contract import TABLES
    >>> _spark_columns(TABLES["badge_events"])[4:6]
    [('ts', 'timestamp'), ('direction', 'string')]
    """
    return [(c.name, SPARK_TYPES[SQL_TYPES[c.type]]) for c in table.columns] + list(PROVENANCE)


LOCAL_CONF = {
    "spark.sql.shuffle.partitions": "4",
    "spark.driver.memory": "1g",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.warehouse.dir": str(Path(tempfile.gettempdir()) / "linkwatch-spark-warehouse"),
}
"""Settings of a local Spark (``local[...]``): small, no web UI."""


def session(
    master: str | None = None, conf: Mapping[str, str] | None = None, timezone: str = "Europe/London"
) -> Any:
    """A Spark session: ``master`` (``local[2]`` by default, or ``LINKWATCH_SPARK_MASTER``;
    ``spark://host:7077``, ``yarn``, ``k8s://...``; ``sc://host:15002`` for Spark
    Connect) with ``conf`` on top of the defaults (:data:`LOCAL_CONF` for a local one).

    The session's time zone is ``timezone``: local days are counted there, as the event
    store counts them."""
    from pyspark.sql import SparkSession

    master = master or os.environ.get("LINKWATCH_SPARK_MASTER") or "local[2]"
    if master.startswith("sc://"):
        builder = SparkSession.builder.remote(master)
    else:
        if master.startswith("local"):  # the Python workers: this interpreter
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        builder = SparkSession.builder.master(master)
    settings = {**(LOCAL_CONF if master.startswith("local") else {}), **(conf or {})}
    settings["spark.sql.session.timeZone"] = timezone
    for k, v in settings.items():
        builder = builder.config(k, v)
    spark = builder.appName("linkwatch").getOrCreate()
    if not master.startswith("sc://"):
        spark.sparkContext.setLogLevel("ERROR")
    return spark


class SparkEngine:
    """The event detectors' SQL on Apache Spark: the event tables read as Parquet,
    the queries transpiled (:func:`translate`) and run in steps (:func:`staged`).

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
        The session (:func:`session`); its time zone is set to ``timezone``.
    events : str
        A folder or object-store URL holding ``<table>/month=YYYY-MM/*.parquet``
        (``linkwatch export events-parquet``). A table that is not there reads as empty.
    timezone : str, default "Europe/London"
        The time zone local days are counted in (the event store's).

    Raises
    ------
    LinkwatchError
        If no event table is there at all.
    """

    name = "spark"

    def __init__(self, spark: Any, events: str, timezone: str = "Europe/London") -> None:
        self.spark = spark
        self.events = str(events).rstrip("/")
        self.timezone = timezone
        spark.conf.set("spark.sql.session.timeZone", timezone)
        self._views: set[str] = set()
        self.schema: dict[str, dict[str, str]] = {}
        """Per view, its columns' DuckDB types (what :func:`translate` qualifies against)."""
        self._queries = 0
        spark.udf.register("strip_accents", _strip_accents_udf(), "string")
        found = [t.name for t in TABLE_LIST if t.kind == "event" and self._read(t)]
        if not found:
            raise LinkwatchError(
                f"no event tables as Parquet at {self.events} (write them with "
                "`linkwatch export events-parquet DIR`: DIR/<table>/month=YYYY-MM/*.parquet)"
            )

    def _read(self, table: Table) -> bool:
        """Register the table's Parquet as a view of its contract and provenance columns
        (a column the files lack reads as NULL); False where there is none."""
        try:
            df = self.spark.read.parquet(f"{self.events}/{table.name}")
        except Exception as e:  # no such folder: the table was never exported
            if "PATH_NOT_FOUND" in str(e) or "does not exist" in str(e):
                return False
            raise
        have = set(df.columns)
        cols = [f"`{n}`" if n in have else f"CAST(NULL AS {t}) AS `{n}`" for n, t in _spark_columns(table)]
        df.selectExpr(*cols).createOrReplaceTempView(table.name)
        self._views.add(table.name)
        self.schema[table.name] = _duck_schema(table)
        return True

    def query(self, sql: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Rows of ``sql`` (DuckDB dialect) as dicts of the Python values DuckDB gives."""
        self._queries += 1
        steps, last = staged(translate(sql, params, self.schema), f"_lw{self._queries}_")
        frames = []
        try:
            for view, text in steps:  # computed once, its plan cut off: later plans stay small
                df = self.spark.sql(text).localCheckpoint(eager=True)
                df.createOrReplaceTempView(view)
                frames.append((view, df))
            arrow = self.spark.sql(last).toArrow()
        finally:
            for view, df in frames:
                self.spark.catalog.dropTempView(view)
                df.unpersist()
        return _local(arrow, self.timezone).to_pylist()

    def tables(self) -> set[str]:
        return set(self._views)

    def ensure_empty(self, table: Table) -> None:
        schema = ", ".join(f"`{n}` {t}" for n, t in _spark_columns(table))
        self.spark.createDataFrame([], schema).createOrReplaceTempView(table.name)
        self._views.add(table.name)
        self.schema[table.name] = _duck_schema(table)

    def put(self, name: str, data: pa.Table) -> None:
        self.spark.createDataFrame(data).createOrReplaceTempView(name)
        self._views.add(name)
        self.schema[name] = {f.name: ARROW_TYPES.get(str(f.type), "VARCHAR") for f in data.schema}

    def close(self) -> None:
        """Drop the views it made (the session goes on: it may be the caller's)."""
        for v in self._views:
            self.spark.catalog.dropTempView(v)
        self._views.clear()


def _local(table: pa.Table, timezone: str) -> pa.Table:
    """Timestamps in the session's time zone (as DuckDB returns TIMESTAMPTZ)."""

    def conv(t: pa.DataType) -> pa.DataType:
        if pa.types.is_timestamp(t):
            return pa.timestamp("us", tz=timezone)
        if pa.types.is_list(t) or pa.types.is_large_list(t):
            return pa.list_(conv(t.value_type))
        if pa.types.is_struct(t):
            return pa.struct([pa.field(f.name, conv(f.type)) for f in t])
        return t

    schema = pa.schema([pa.field(f.name, conv(f.type)) for f in table.schema])
    return table.cast(schema)


def spark_engine(
    events: str,
    master: str | None = None,
    conf: Mapping[str, str] | None = None,
    timezone: str = "Europe/London",
) -> SparkEngine:
    """A :class:`SparkEngine` on a new (or the running) Spark session (:func:`session`).

    Raises
    ------
    LinkwatchError
        If pyspark is not installed.
    """
    try:
        import pyspark  # noqa: F401
    except ImportError as e:
        raise LinkwatchError(
            "--engine spark needs pyspark (pip install 'linkwatch[spark]') and Java 17 or later"
        ) from e
    return SparkEngine(session(master, conf, timezone), events, timezone)
