"""What every command shares: the app, the store options (declared once), consoles,
progress, error handling (a failed look is audited too) and table printing."""

from __future__ import annotations

import csv
import functools
import inspect
import json
import os
import shlex
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.ops.look import Look, cli_look
from graph.audit import AuditLog
from graph.errors import LinkwatchError
from graph.settings import Settings, load_settings

app = typer.Typer(
    name="linkwatch",
    help=(
        "linkwatch: open, explainable link discovery for workforce-integrity "
        "(professional standards) investigations.\n\n"
        "Start with `linkwatch demo`: it generates a small synthetic force, ingests it, runs "
        "a detector and writes a flags file and an interactive page. Every flag is a prompt "
        "for a human assessment, never a verdict."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)
out = Console()


def group(name: str, help: str) -> typer.Typer:
    """A command group (``linkwatch NAME ...``)."""
    sub = typer.Typer(help=help, no_args_is_help=True)
    app.add_typer(sub, name=name)
    return sub


# ---- the store options, declared once ---------------------------------------------

DataDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Where the embedded store and run records live [default: ./linkwatch-data]",
        envvar="LINKWATCH_DATA_DIR",
        show_default=False,
    ),
]
STORE_OPTIONS: dict[str, Any] = {
    "store": Annotated[
        str | None,
        typer.Option(
            "--store",
            help="Graph store: 'embedded' (default, no server) or 'neo4j'.",
            envvar="LINKWATCH_STORE",
            show_default=False,
        ),
    ],
    "data_dir": DataDirOpt,
    "neo4j_uri": Annotated[
        str | None,
        typer.Option(
            "--neo4j-uri",
            envvar="LINKWATCH_NEO4J_URI",
            help="Neo4j address, e.g. bolt://127.0.0.1:7687",
            show_default=False,
        ),
    ],
    "neo4j_user": Annotated[
        str | None,
        typer.Option(
            "--neo4j-user",
            envvar="LINKWATCH_NEO4J_USER",
            help="Neo4j user (password from LINKWATCH_NEO4J_PASSWORD)",
            show_default=False,
        ),
    ],
    "neo4j_database": Annotated[
        str | None,
        typer.Option(
            "--neo4j-database",
            envvar="LINKWATCH_NEO4J_DATABASE",
            help="Neo4j database name [default: neo4j]",
            show_default=False,
        ),
    ],
}
"""``--store``, ``--data-dir`` and the Neo4j connection: every command that opens the
graph store takes them (see :func:`store_options`); the others take ``--data-dir``."""

PURPOSE_OPTIONS: dict[str, Any] = {
    "purpose": Annotated[
        str | None,
        typer.Option(
            "--purpose", help="Why you are looking (recorded in the audit log; or LINKWATCH_PURPOSE)."
        ),
    ],
    "case": Annotated[str | None, typer.Option("--case", help="Case reference the look is for (audit log).")],
}
"""``--purpose`` and ``--case``: every command that looks at people's data takes them."""


def settings_of(
    store: str | None = None,
    data_dir: Path | None = None,
    neo4j_uri: str | None = None,
    neo4j_user: str | None = None,
    neo4j_database: str | None = None,
) -> Settings:
    """Settings from the environment with the command's options applied."""
    if store is not None and store not in ("embedded", "neo4j"):
        raise LinkwatchError(f"--store must be 'embedded' or 'neo4j' (got {store!r})")
    return load_settings(
        store=store,
        data_dir=data_dir,
        neo4j_uri=neo4j_uri,
        neo4j_user=neo4j_user,
        neo4j_database=neo4j_database,
    )


def _with_options(
    options: dict[str, Any], make: Callable[[dict[str, Any]], dict[str, Any]]
) -> Callable[..., Any]:
    """A decorator adding ``options`` to a command's parameters; the command receives
    what ``make`` builds from their values instead."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        sig = inspect.signature(func, eval_str=True)  # annotations as objects: Typer reads them
        given = [p for p in sig.parameters.values() if p.name not in ("settings", "look")]
        extra = [
            inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=t)
            for n, t in options.items()
        ]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            values = {n: kwargs.pop(n, None) for n in options}
            with errors():  # a bad setting is an error message, not a traceback
                kwargs.update(make(values))
            return func(*args, **kwargs)

        wrapper.__signature__ = sig.replace(parameters=[*given, *extra])  # type: ignore[attr-defined]
        wrapper.__annotations__ = {
            **{p.name: p.annotation for p in given},
            **options,
            **({"return": sig.return_annotation} if sig.return_annotation is not sig.empty else {}),
        }
        return wrapper

    return decorate


def store_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Give a command the store options; it receives ``settings``."""
    return _with_options(STORE_OPTIONS, lambda v: {"settings": settings_of(**v)})(func)


def data_dir_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """Give a command ``--data-dir`` only (the embedded data folder's metadata and audit
    log); it receives ``settings``."""
    return _with_options(
        {"data_dir": DataDirOpt}, lambda v: {"settings": settings_of("embedded", v["data_dir"])}
    )(func)


def purpose_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Give a command ``--purpose`` and ``--case``; it receives ``look``."""
    return _with_options(PURPOSE_OPTIONS, lambda v: {"look": cli_look(v["purpose"], v["case"])})(func)


# ---- errors: a failed look is a look -------------------------------------------------

LOOK_COMMANDS = (
    *("query cypher", "query run", "page", "flag show", "flag assess", "export"),
    *("case open", "case list", "case show", "case move", "case decide", "case signoff", "case unmask"),
    *("challenge lodge", "challenge list", "challenge decide"),
    *("subject-report", "correction apply", "correction list"),
)
"""Commands that look at the graph, or act on a review case, a challenge or a subject's
data: when one fails, the failure is audited too (a case command's with its case)."""
_OPTION_NAMES = (*STORE_OPTIONS, *PURPOSE_OPTIONS)


def _current_context() -> Any:
    """The command's (click) context: its name, arguments and options."""
    try:
        from typer.main import get_current_context  # typer's own click

        return get_current_context(silent=True)
    except ImportError:  # typer versions that use click itself
        import click

        return click.get_current_context(silent=True)


def _audit_failure(error: BaseException) -> None:
    """Record a look from the command line that failed (a failed look is still a look):
    the command and its main argument, its options, purpose and case, and the error."""
    ctx = _current_context()
    if ctx is None:
        return
    names = []
    c = ctx
    while c is not None and c.parent is not None:
        names.append(c.info_name or "")
        c = c.parent
    command = " ".join(reversed(names))
    if command not in LOOK_COMMANDS:
        return
    p = dict(ctx.params)
    args = [
        str(p[a.name])
        for a in ctx.command.params
        if type(a).__name__.endswith("Argument") and p.get(a.name) is not None
    ]
    try:
        s = settings_of(None, p.get("data_dir"))
        look = cli_look(p.get("purpose"), p.get("case") or p.get("case_ref"))
        look.record_failure(
            AuditLog.of(s),
            " ".join([command, *args]),
            params={k: v for k, v in p.items() if k not in _OPTION_NAMES and v is not None},
            status="error",
            error=f"{error}" if isinstance(error, LinkwatchError) else f"{type(error).__name__}: {error}",
        )
    except (LinkwatchError, OSError) as e:  # the failure itself may be the audit log's
        console.print(f"[yellow]warning:[/] the failure could not be recorded in the audit log: {e}")


@contextmanager
def errors() -> Iterator[None]:
    """A command's body: linkwatch's own errors are printed (exit 2), not tracebacks."""
    try:
        yield
    except (typer.Exit, typer.Abort):
        raise
    except (LinkwatchError, FileNotFoundError) as e:
        _audit_failure(e)
        console.print(f"[bold red]error:[/] {e}", highlight=False)
        raise typer.Exit(2) from None
    except Exception as e:
        _audit_failure(e)
        raise


@contextmanager
def progress(total: int | None = None) -> Iterator[Any]:
    """Progress of a long job; yields ``step(message)``.

    On a terminal, a live progress line. Elsewhere (a log file, a pipe, ``docker logs``)
    one plain line per step with the seconds since the start, so that a long job shows
    where it is wherever its output goes."""
    if not console.is_terminal:
        t0 = time.perf_counter()

        def line(msg: str) -> None:
            if "pytest" not in sys.modules:
                console.print(f"[{time.perf_counter() - t0:7.1f} s] {msg}", highlight=False, markup=False)

        yield line
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed} steps"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as p:
        task = p.add_task("starting", total=total)

        def step(msg: str) -> None:
            p.update(task, description=msg, advance=1)

        yield step


# ---- printing -------------------------------------------------------------------------

FormatOpt = Annotated[str, typer.Option("--format", help="table, csv or json (JSON lines).")]


def check_format(fmt: str) -> None:
    if fmt not in ("table", "csv", "json"):
        raise LinkwatchError(f"--format must be table, csv or json (got {fmt!r})")


def parse_params(items: list[str]) -> dict[str, Any]:
    """``name=value`` options (values parsed as JSON when they can be)."""
    params: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise LinkwatchError(f"--param takes name=value (got {item!r})")
        try:
            params[name] = json.loads(value)
        except json.JSONDecodeError:
            params[name] = value
    return params


def _cell(v: Any) -> str:
    if isinstance(v, dict) and "labels" in v and "id" in v:
        return str(v["id"])
    if isinstance(v, dict) and "type" in v and "source" in v:
        return f"{v['source']}-[{v['type']}]->{v['target']}"
    if isinstance(v, (dict, list)):
        return json.dumps(v, default=str)
    return "" if v is None else str(v)


def print_rows(rows: list[dict[str, Any]], fmt: str) -> None:
    """Rows as a table, CSV or JSON lines on stdout."""
    cols = list(rows[0]) if rows else []
    if fmt == "json":
        for r in rows:
            sys.stdout.write(json.dumps(r, default=str) + "\n")
    elif fmt == "csv":
        w = csv.writer(sys.stdout)
        w.writerow(cols)
        for r in rows:
            w.writerow([_cell(r[c]) for c in cols])
    else:
        t = Table(*cols, title=f"{len(rows)} row(s)")
        for r in rows:
            t.add_row(*(_cell(r[c]) for c in cols))
        out.print(t)


def flags_table(flags: Any, limit: int = 15) -> Table:
    """The top flags, highest score first (then by officer and detector)."""
    t = Table(title=f"{len(flags)} flag(s), highest score first")
    for c in ("officer", "detector", "severity", "score", "explanation"):
        t.add_column(c, overflow="fold")
    top = flags.sort_values(["score", "officer_id", "detector"], ascending=[False, True, True], kind="stable")
    for f in top.head(limit).itertuples(index=False):
        t.add_row(f.officer_id, f.detector, f.severity, f"{f.score:.2f}", f.explanation)
    if len(flags) > limit:
        t.caption = f"the {limit} highest-scoring of {len(flags)}; all are in the flags file"
    return t


def launcher() -> str:
    """How to run linkwatch again from where the user is, as they started it: ``./dev``
    (which says so in ``LINKWATCH_LAUNCHER``), ``linkwatch`` when that is on the PATH,
    else the path they typed (e.g. ``.venv/bin/linkwatch``)."""
    import shutil

    via = os.environ.get("LINKWATCH_LAUNCHER", "").strip()
    if via:
        return via
    argv0 = sys.argv[0] if sys.argv else ""
    if Path(argv0).name == "linkwatch":
        on_path = shutil.which("linkwatch")
        if on_path and Path(on_path).resolve() == Path(argv0).resolve():
            return "linkwatch"
        return shlex.quote(argv0 if ("/" in argv0) else str(Path(argv0).resolve()))
    return f"{shlex.quote(sys.executable)} -m api.cli"


__all__ = ["Look", "app", "console", "errors", "out", "progress", "store_options"]
