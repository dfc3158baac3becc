"""The ``linkwatch`` command line.

Every command takes ``--store embedded|neo4j`` (default embedded) and ``--data-dir``
(default ``./linkwatch-data``, or ``LINKWATCH_DATA_DIR``); Neo4j settings come from
``LINKWATCH_NEO4J_URI``, ``_USER``, ``_PASSWORD``, ``_DATABASE`` or the flags.
"""

from __future__ import annotations

import csv
import json
import shlex
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from graph.errors import LinkwatchError
from graph.guard import check_user_query
from graph.settings import Settings, load_settings
from graph.store import GraphStore, open_store

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

StoreOpt = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="Graph store: 'embedded' (default, no server) or 'neo4j'.",
        envvar="LINKWATCH_STORE",
        show_default=False,
    ),
]
DataDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Where the embedded store and run records live [default: ./linkwatch-data]",
        envvar="LINKWATCH_DATA_DIR",
        show_default=False,
    ),
]
UriOpt = Annotated[
    str | None,
    typer.Option(
        "--neo4j-uri",
        envvar="LINKWATCH_NEO4J_URI",
        help="Neo4j address, e.g. bolt://127.0.0.1:7687",
        show_default=False,
    ),
]
UserOpt = Annotated[
    str | None,
    typer.Option(
        "--neo4j-user",
        envvar="LINKWATCH_NEO4J_USER",
        help="Neo4j user (password from LINKWATCH_NEO4J_PASSWORD)",
        show_default=False,
    ),
]
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--neo4j-database",
        envvar="LINKWATCH_NEO4J_DATABASE",
        help="Neo4j database name [default: neo4j]",
        show_default=False,
    ),
]


PurposeOpt = Annotated[
    str | None,
    typer.Option("--purpose", help="Why you are looking (recorded in the audit log; or LINKWATCH_PURPOSE)."),
]
CaseOpt = Annotated[str | None, typer.Option("--case", help="Case reference the look is for (audit log).")]
PERSON_LABELS = ("Officer:", "Person:")


def _audit(s: Settings, **record: Any) -> None:
    from graph.audit import AuditLog, current_user

    AuditLog.of(s).record(who=current_user(), role="cli", **record)


LOOK_COMMANDS = ("query cypher", "query run", "page", "flag show", "flag assess", "export")
"""Commands that look at the graph: when one fails, the failure is audited too."""
_STORE_OPTS = ("store", "data_dir", "neo4j_uri", "neo4j_user", "neo4j_database", "purpose", "case")


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
    import os

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
    purpose = p.get("purpose")
    try:
        s = _settings(None, p.get("data_dir"), None, None, None)
        _audit(
            s,
            action="failed",
            what=" ".join([command, *args]),
            purpose=(purpose or os.environ.get("LINKWATCH_PURPOSE") or "").strip() or None,
            case_ref=p.get("case"),
            params={k: v for k, v in p.items() if k not in _STORE_OPTS and v is not None},
            status="error",
            error=f"{error}" if isinstance(error, LinkwatchError) else f"{type(error).__name__}: {error}",
        )
    except (LinkwatchError, OSError) as e:  # the failure itself may be the audit log's
        console.print(f"[yellow]warning:[/] the failure could not be recorded in the audit log: {e}")


def _settings(
    store: str | None, data_dir: Path | None, uri: str | None, user: str | None, database: str | None
) -> Settings:
    if store is not None and store not in ("embedded", "neo4j"):
        raise LinkwatchError(f"--store must be 'embedded' or 'neo4j' (got {store!r})")
    return load_settings(
        store=store, data_dir=data_dir, neo4j_uri=uri, neo4j_user=user, neo4j_database=database
    )


@contextmanager
def _errors() -> Iterator[None]:
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
def _progress(total: int | None = None) -> Iterator[Any]:
    with Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed} steps"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
        disable=not console.is_terminal and "pytest" in sys.modules,
    ) as p:
        task = p.add_task("starting", total=total)

        def step(msg: str) -> None:
            p.update(task, description=msg, advance=1)

        yield step


def _ingest(store: GraphStore, src: Path, settings: Settings, *, allow_mass_retire: bool = False) -> Any:
    """One ingest run; it raises on failure (run it inside ``with open_store(...)`` so the
    store discards the run's writes), after saying where the failed run's record is."""
    from ingest.run import ingest_dir

    try:
        with _progress() as step:
            report = ingest_dir(
                store,
                src,
                settings.data_dir,
                timezone=settings.timezone,
                progress=step,
                event_memory_mb=settings.event_memory_mb,
                resolver=settings.resolver,
                match_threshold=settings.match_threshold,
                access_links=settings.access_links,
                access_repeat=settings.access_repeat,
                max_retire_share=settings.max_retire_share,
                allow_mass_retire=allow_mass_retire,
            )
    except BaseException as e:
        run_dir = getattr(e, "run_dir", None)
        if run_dir is not None:
            console.print(
                f"ingest failed; what was read and why it stopped: {run_dir}/manifest.json "
                f"and {run_dir}/quarantine.csv",
                highlight=False,
            )
        raise
    for w in report.warnings:
        console.print(f"[bold yellow]warning:[/] {w}", highlight=False)
    t = Table(title=f"ingest run {report.run.run_id}")
    for c in ("table", "rows read", "loaded", "quarantined", "file"):
        t.add_column(c, justify="right" if c not in ("table", "file") else "left")
    for tr in report.tables:
        t.add_row(tr.table.name, str(tr.rows_read), str(tr.rows_valid), str(len(tr.quarantine)), tr.path.name)
    t.add_row(
        "[b]total", f"[b]{report.rows_read}", f"[b]{report.rows_loaded}", f"[b]{report.rows_quarantined}", ""
    )
    out.print(t)
    if report.unchanged:
        out.print(f"unchanged since they were last loaded (nothing to do): {', '.join(report.unchanged)}")
    if report.resolution:
        out.print(
            "membership lists resolved to officers: "
            + ", ".join(f"{k} {v}" for k, v in sorted(report.resolution.items()))
        )
    if report.person_resolution:
        out.print(
            "membership lists resolved to persons in police records: "
            + ", ".join(f"{k} {v}" for k, v in sorted(report.person_resolution.items()))
        )
    out.print(f"manifest:   {report.manifest_file}")
    dropped = f", {report.links_dropped} links dropped" if report.links_dropped else ""
    out.print(f"quarantine: {report.quarantine_file} ({report.rows_quarantined} rows{dropped})")
    return report


@app.command()
def ingest(
    directory: Annotated[
        Path,
        typer.Argument(
            help="Folder of source files named after the contract's tables (officers.csv, units.parquet, ...)."
        ),
    ],
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="'contract' (files named after the source contract's tables) or 'cpdp' (a Citizens "
            "Police Data Project release folder, mapped into the contract first).",
        ),
    ] = "contract",
    store: StoreOpt = None,
    data_dir: DataDirOpt = None,
    neo4j_uri: UriOpt = None,
    neo4j_user: UserOpt = None,
    neo4j_database: DbOpt = None,
    allow_mass_retire: Annotated[
        bool,
        typer.Option(
            "--allow-mass-retire",
            help="Load a snapshot even if it retires more than LINKWATCH_MAX_RETIRE_SHARE (default 20%) "
            "of a table's current rows (refused otherwise: an empty or partial export, most likely).",
        ),
    ] = False,
) -> None:
    """Validate and load a folder of source files into the graph.

    Bad rows are quarantined (file, line, column, reason) and the rest loads; running
    the same folder again changes nothing. Prints rows read = loaded + quarantined.
    Every file is validated before anything is written, and a run that fails leaves
    the stores as they were (its manifest and quarantine say why).
    """
    with _errors():
        if fmt not in ("contract", "cpdp"):
            raise LinkwatchError(f"--format must be 'contract' or 'cpdp' (got {fmt!r})")
        s = _settings(store, data_dir, neo4j_uri, neo4j_user, neo4j_database)
        if fmt == "cpdp":
            from ingest.cpdp import to_contract

            if not directory.is_dir():
                raise FileNotFoundError(f"{directory}: not a folder")
            mapped = Path(tempfile.mkdtemp(prefix="linkwatch-cpdp-"))
            console.print(f"mapping the CPDP release in {directory} to contract tables in {mapped}")
            directory = to_contract(directory, mapped)
        with open_store(s) as st:  # a run that raises leaves the store as it was
            _ingest(st, directory, s, allow_mass_retire=allow_mass_retire)


@app.command()
def export(
    kind: Annotated[str, typer.Argument(help="'neo4j-import': files for neo4j-admin database import full.")],
    folder: Annotated[Path, typer.Argument(help="Folder to write.")],
    data_dir: DataDirOpt = None,
    purpose: PurposeOpt = None,
    case: CaseOpt = None,
) -> None:
    """Export the embedded store's whole graph for a bulk load elsewhere.

    ``neo4j-import`` writes one CSV per label and relationship type and ``import.args``;
    load them into a stopped Neo4j with ``neo4j-admin database import full
    --overwrite-destination $(cat OUT/import.args) neo4j`` run in OUT (much faster than
    ``ingest --store neo4j`` for a first load of a large force; later ingests are deltas).
    It copies everyone's data, so it needs a stated purpose (--purpose; audited).
    """
    from graph.audit import require_purpose

    with _errors():
        if kind != "neo4j-import":
            raise LinkwatchError(f"export kind must be 'neo4j-import' (got {kind!r})")
        s = _settings("embedded", data_dir, None, None, None)
        why = require_purpose(purpose, "an export of the whole graph")
        from graph.bulk import write_neo4j_import
        from graph.embedded import EmbeddedStore

        with open_store(s, read_only=True) as st, _progress() as step:
            assert isinstance(st, EmbeddedStore)
            res = write_neo4j_import(st, folder, progress=step)
        _audit(
            s,
            action="export",
            what="neo4j-import",
            purpose=why,
            case_ref=case,
            params={"folder": str(folder)},
            result_size=sum(res.nodes.values()) + sum(res.relationships.values()),
        )
        out.print(
            f"{sum(res.nodes.values()):,} nodes and {sum(res.relationships.values()):,} relationships "
            f"written to {folder} in {res.seconds:.1f} s; importer arguments in {folder / 'import.args'}"
        )


def _flags_table(flags: Any, limit: int = 15) -> Table:
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


@app.command()
def detect(
    out_file: Annotated[Path, typer.Option("--out", help="Flags export: .csv, or .jsonl for JSON lines.")],
    detector: Annotated[
        list[str] | None, typer.Option("--detector", help="Run only this detector (repeatable).")
    ] = None,
    store: StoreOpt = None,
    data_dir: DataDirOpt = None,
    neo4j_uri: UriOpt = None,
    neo4j_user: UserOpt = None,
    neo4j_database: DbOpt = None,
) -> None:
    """Run detectors, write the flags export and store the flags in the graph."""
    from queries.detect import run_detectors, write_export

    with _errors():
        s = _settings(store, data_dir, neo4j_uri, neo4j_user, neo4j_database)
        with open_store(s) as st, _progress() as step:
            rep = run_detectors(st, detector, progress=step)
        write_export(rep.flags, out_file)
        flag_load = next((x for x in rep.loads if x.name == "Flag"), None)
        _audit(
            s,
            action="detect",
            what=",".join(sorted(rep.seconds_by_detector)),
            params={"out": str(out_file)},
            result_size=len(rep.flags),
            flag_changes={"new": flag_load.new, "changed": flag_load.changed, "retired": flag_load.retired}
            if flag_load
            else None,
        )
        record = rep.write_record(s.data_dir)
        out.print(_flags_table(rep.flags))
        per = Table("detector", "flags", "seconds", "inputs", title="per detector")
        counts = rep.flags["detector"].value_counts()
        for name, secs in sorted(rep.seconds_by_detector.items()):
            cov = rep.coverage.get(name)
            n = "not checked" if cov is not None and cov.saw_nothing else str(int(counts.get(name, 0)))
            per.add_row(name, n, f"{secs:.2f}", cov.summary() if cov is not None else "")
        out.print(per)
        out.print(f"flags file: {out_file}")
        out.print(f"run record: {record}")


query_app = typer.Typer(
    help="Read-only Cypher: ad hoc (query cypher) or from the saved-query library (query list / show / run).",
    no_args_is_help=True,
)
app.add_typer(query_app, name="query")


audit_app = typer.Typer(
    help="The audit trail: who looked at what, why, and how much came back.", no_args_is_help=True
)
app.add_typer(audit_app, name="audit")

token_app = typer.Typer(
    help="API tokens for `linkwatch serve`: create (shown once, stored hashed), list, revoke.",
    no_args_is_help=True,
)
app.add_typer(token_app, name="token")


def _meta(data_dir: Path | None) -> Any:
    from graph.meta import MetaStore

    return MetaStore(_settings("embedded", data_dir, None, None, None).data_dir)


def _cli_principal() -> Any:
    """The command line speaks for the local user, with an admin's reach: it has the
    data folder anyway. Its actions are audited as role ``cli``."""
    from graph.audit import current_user
    from graph.meta import Principal

    return Principal(current_user(), "admin")


flag_app = typer.Typer(
    help="Flags: show one with its assessments; record an assessment.", no_args_is_help=True
)
app.add_typer(flag_app, name="flag")


def _flag_look(
    flag_id: str, purpose: str | None, what: str, *store_opts: Any
) -> tuple[Settings, str, Any, dict[str, Any]]:
    """Settings, the stated purpose, the metadata and the flag's node (or a clear error)."""
    from graph.audit import require_purpose
    from graph.errors import NodeNotFound

    s = _settings(*store_opts)
    why = require_purpose(purpose, f"{what} flag {flag_id}")
    with open_store(s, read_only=True) as st:
        try:
            node = st.node(f"Flag:{flag_id}")
        except NodeNotFound:
            raise NodeNotFound(f"no flag with id {flag_id!r}") from None
    return s, why, _meta(s.data_dir), node


@flag_app.command("show")
def flag_show(
    flag_id: Annotated[str, typer.Argument(help="The flag's id.")],
    store: StoreOpt = None,
    data_dir: DataDirOpt = None,
    neo4j_uri: UriOpt = None,
    neo4j_user: UserOpt = None,
    neo4j_database: DbOpt = None,
    purpose: PurposeOpt = None,
    case: CaseOpt = None,
) -> None:
    """Print a flag: explanation, evidence, status and every assessment (audited)."""
    from api.routes.flags import flag_out

    with _errors():
        s, why, meta, node = _flag_look(
            flag_id, purpose, "a view of", store, data_dir, neo4j_uri, neo4j_user, neo4j_database
        )
        f = flag_out(node, meta.statuses())
        _audit(s, action="flag", what=flag_id, purpose=why, case_ref=case, result_size=1)
        out.print(
            f"[bold]{f['detector']}[/] officer {f['officer_id']}: {f['severity']} ({f['score']:.2f}), status {f['status']}"
        )
        out.print(f["explanation"], highlight=False)
        out.print(
            f"window {f['window_start'] or '?'} – {f['window_end'] or '?'}; evidence: {json.dumps(f['evidence'])}"
        )
        for a in meta.assessments(flag_id):
            out.print(
                f"  {a['at']} {a['who']} ({a['role']}): {a['status']}"
                + (f" — {a['note']}" if a["note"] else "")
            )


@flag_app.command("assess")
def flag_assess(
    flag_id: Annotated[str, typer.Argument(help="The flag's id.")],
    status: Annotated[
        str, typer.Option("--status", help="open, under_review, no_further_action, referred or challenged.")
    ],
    note: Annotated[str | None, typer.Option("--note", help="What you checked and why you decided.")] = None,
    store: StoreOpt = None,
    data_dir: DataDirOpt = None,
    neo4j_uri: UriOpt = None,
    neo4j_user: UserOpt = None,
    neo4j_database: DbOpt = None,
    purpose: PurposeOpt = None,
    case: CaseOpt = None,
) -> None:
    """Record your assessment of a flag (kept beside it, never overwriting it; audited)."""
    with _errors():
        s, why, meta, node = _flag_look(
            flag_id, purpose, "an assessment of", store, data_dir, neo4j_uri, neo4j_user, neo4j_database
        )
        before = meta.statuses().get(flag_id, "open")
        who = _cli_principal()
        rec = meta.assess(flag_id, status, note, type(who)(who.user, "cli"))
        _audit(
            s,
            action="flag_change",
            what=flag_id,
            purpose=why,
            case_ref=case,
            params={"status": status, "from": before},
            result_size=1,
            officer_id=node["properties"].get("officer_id"),
        )
        out.print(f"flag {flag_id}: {before} → {rec['status']} (assessment {rec['seq']})")


@token_app.command("create")
def token_create(
    user: Annotated[str, typer.Option("--user", help="Who the token speaks for.")],
    role: Annotated[str, typer.Option("--role", help="investigator, analyst, auditor or admin.")],
    expires_days: Annotated[int | None, typer.Option("--expires-days", help="Days until it expires.")] = None,
    note: Annotated[str | None, typer.Option("--note", help="What it is for.")] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Make an API token. The token is printed once (on stdout, alone); only its hash is kept."""
    with _errors():
        s = _settings("embedded", data_dir, None, None, None)
        t = _meta(data_dir).create_token(
            user, role, note=note, expires_days=expires_days, created_by=_cli_principal().user
        )
        _audit(s, action="token_create", what=t.token_id, params={"user": t.user, "role": t.role})
        console.print(
            f"token {t.token_id} for {t.user} ({t.role})"
            + (f", expires {t.expires_at}" if t.expires_at else "")
            + ": keep it secret; it is not shown again"
        )
        print(t.secret)


@token_app.command("list")
def token_list(data_dir: DataDirOpt = None) -> None:
    """List tokens (never the secrets)."""
    with _errors():
        rows = _meta(data_dir).tokens()
        cols = ["token_id", "user", "role", "created_at", "expires_at", "revoked_at", "last_used_at", "note"]
        _print_rows([{c: r.get(c) for c in cols} for r in rows], "table")


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[str, typer.Argument(help="The token's id.")], data_dir: DataDirOpt = None
) -> None:
    """Revoke a token at once."""
    with _errors():
        s = _settings("embedded", data_dir, None, None, None)
        _meta(data_dir).revoke_token(token_id)
        _audit(s, action="token_revoke", what=token_id)
        out.print(f"token {token_id} revoked")


@audit_app.command("verify")
def audit_verify(data_dir: DataDirOpt = None) -> None:
    """Check the audit log's hash chain, its signatures and the head published in the
    metadata store; any edited, deleted, cut-off or re-hashed record is named."""
    from graph.audit import AuditLog

    with _errors():
        s = _settings("embedded", data_dir, None, None, None)
        v = AuditLog.of(s).verify()
        if v.ok:
            out.print(
                f"audit log intact: {v.records} records, hash chain unbroken, signed, "
                "and its head matches the one published in the metadata store"
            )
            if v.head:
                out.print(f"head: record {v.head['seq']} {v.head['hash']}", highlight=False)
            return
        for problem in v.problems:
            out.print(f"[bold red]broken:[/] {problem}", highlight=False)
        raise typer.Exit(1)


@audit_app.command("show")
def audit_show(
    data_dir: DataDirOpt = None,
    limit: Annotated[int, typer.Option(help="Most recent records to print.")] = 50,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json (JSON lines).")] = "table",
    redacted: Annotated[
        bool,
        typer.Option(
            "--redacted", help="For a wider audience: ad-hoc queries without their literals and values."
        ),
    ] = False,
) -> None:
    """Print the most recent audit records (in full: ad-hoc queries with their literals)."""
    from graph.audit import AuditLog, redact

    with _errors():
        _check_format(fmt)
        s = _settings("embedded", data_dir, None, None, None)
        recs = list(AuditLog.of(s).records())[-limit:]
        if redacted:
            recs = [redact(r) for r in recs]
        cols = ["seq", "at", "who", "role", "action", "what", "purpose", "case_ref", "result_size"]
        _print_rows([{c: r.get(c) for c in cols} if fmt == "table" else r for r in recs], fmt)


@query_app.command("cypher")
def query_cypher(
    cypher: Annotated[str, typer.Argument(help="A read-only Cypher query (Neo4j dialect).")],
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="Parameter as name=value (value parsed as JSON when it can be)."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json (JSON lines).")] = "table",
    max_rows: Annotated[int, typer.Option("--max-rows", help="Most rows to read and print.")] = 10_000,
    store: StoreOpt = None,
    data_dir: DataDirOpt = None,
    neo4j_uri: UriOpt = None,
    neo4j_user: UserOpt = None,
    neo4j_database: DbOpt = None,
    purpose: PurposeOpt = None,
    case: CaseOpt = None,
) -> None:
    """Run an ad-hoc read-only Cypher query and print the rows.

    Writes, procedure calls, file and network access (LOAD CSV, LOAD FROM, COPY) and
    variable-length patterns without a small upper bound are refused.

    Example: linkwatch query cypher 'MATCH (o:Officer) RETURN o.officer_id AS id LIMIT $n' -p n=5
    """
    with _errors():
        _check_format(fmt)
        params = _parse_params(param or [])
        from graph.audit import require_purpose, strip_literals

        s = _settings(store, data_dir, neo4j_uri, neo4j_user, neo4j_database)
        check_user_query(cypher, s.max_hops)
        why = require_purpose(purpose, "an ad-hoc query")
        with open_store(s, read_only=True) as st:
            rows = st.user_query(cypher, params, max_rows=max_rows + 1)
        more = len(rows) > max_rows
        rows = rows[:max_rows]
        _audit(
            s,
            action="query",
            what=cypher,
            what_redacted=strip_literals(cypher),
            purpose=why,
            case_ref=case,
            params=params,
            result_size=len(rows),
        )
        _print_rows(rows, fmt)
        if more:
            console.print(f"[yellow]only the first {max_rows} rows were read (--max-rows)[/]")


def _find_query(name: str, data_dir: Path | None) -> Any:
    """A built-in query or a user-saved one (from the data folder's metadata)."""
    from graph.errors import UnknownName
    from queries.saved import from_stored, get

    try:
        return get(name)
    except UnknownName:
        stored = _meta(data_dir).get_query(name)
        if stored is None:
            raise
        return from_stored(stored)


@query_app.command("list")
def query_list(
    data_dir: DataDirOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json (JSON lines).")] = "table",
) -> None:
    """List the saved queries: the library's files, the detectors' graph queries and the
    queries users saved (owner and sharing shown)."""
    from graph.meta import META_FILE
    from queries.saved import from_stored, library

    with _errors():
        _check_format(fmt)
        rows = []

        def row(q: Any, owner: str) -> dict[str, Any]:
            params = ", ".join(f"{p.name}:{p.type}" for p in q.parameters)
            return {
                "name": q.name,
                "id": q.id,
                "category": q.category,
                "result": q.result,
                "parameters": params,
                "owner": owner,
            }

        for q in sorted(library().values(), key=lambda q: (q.category, q.name)):
            rows.append(row(q, "library"))
        s = _settings("embedded", data_dir, None, None, None)
        for st in _meta(data_dir).queries() if (s.data_dir / META_FILE).exists() else []:
            shared = [*st.share_users, *(f"role:{r}" for r in st.share_roles)]
            rows.append(
                row(from_stored(st), st.owner + (f" (shared: {', '.join(shared)})" if shared else ""))
            )
        _print_rows(rows, fmt)


@query_app.command("show")
def query_show(
    name: Annotated[str, typer.Argument(help="A saved query's name or id.")],
    output: Annotated[
        Path | None, typer.Option("--out", help="Write the file here instead of printing it.")
    ] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Print (or write) a saved query in the library's file format (YAML): the export
    format that `query save` imports."""
    import yaml

    with _errors():
        text = yaml.safe_dump(_find_query(name, data_dir).to_dict(), sort_keys=False, allow_unicode=True)
        if output is None:
            print(text, end="")
        else:
            output.write_text(text, encoding="utf-8")
            out.print(f"wrote {output}")


@query_app.command("save")
def query_save(
    file: Annotated[Path, typer.Argument(help="A query file in the library's format (YAML).")],
    share_user: Annotated[
        list[str] | None, typer.Option("--share-user", help="Share with this user.")
    ] = None,
    share_role: Annotated[
        list[str] | None, typer.Option("--share-role", help="Share with this role.")
    ] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Import a query file as a user-saved query (owned by you; a new revision if you
    saved one by that name before). It is validated like the library's files."""
    import yaml

    from graph.meta import PermissionDenied
    from queries.saved import check_new

    with _errors():
        s = _settings("embedded", data_dir, None, None, None)
        try:
            body = yaml.safe_load(file.read_text(encoding="utf-8"))
        except yaml.YAMLError as e:
            raise LinkwatchError(f"{file}: not valid YAML ({e})") from e
        if not isinstance(body, dict):
            raise LinkwatchError(f"{file}: expected a mapping of fields")
        body = {k: v for k, v in body.items() if k not in ("revision",)}
        check_new(body, s.max_hops)
        meta = _meta(data_dir)
        who = _cli_principal()
        exists = meta.get_query(str(body.get("name"))) is not None
        try:
            stored = meta.save_query(body, who, share_users=share_user, share_roles=share_role, update=exists)
        except PermissionDenied as e:
            raise LinkwatchError(str(e)) from e
        _audit(
            s,
            action="query_update" if exists else "query_save",
            what=f"{stored.query_id} {stored.name} r{stored.revision}",
        )
        out.print(f"saved {stored.name} ({stored.query_id}) revision {stored.revision}, owner {stored.owner}")


@query_app.command("history")
def query_history(
    name: Annotated[str, typer.Argument(help="A user-saved query's name.")], data_dir: DataDirOpt = None
) -> None:
    """Every revision of a user-saved query."""
    with _errors():
        rows = _meta(data_dir).history(name)
        if not rows:
            raise LinkwatchError(f"no user-saved query {name!r}")
        _print_rows(
            [
                {k: r[k] for k in ("revision", "saved_at", "saved_by", "deleted_at")}
                | {"description": r["body"].get("description")}
                for r in rows
            ],
            "table",
        )


@query_app.command("delete")
def query_delete(
    name: Annotated[str, typer.Argument(help="A user-saved query's name.")], data_dir: DataDirOpt = None
) -> None:
    """Delete a user-saved query (its revisions stay in the history)."""
    with _errors():
        s = _settings("embedded", data_dir, None, None, None)
        stored = _meta(data_dir).delete_query(name, _cli_principal())
        _audit(s, action="query_delete", what=f"{stored.query_id} {stored.name} r{stored.revision}")
        out.print(f"deleted {name}")


@query_app.command("run")
def query_run(
    name: Annotated[str, typer.Argument(help="A saved query's name or id (see: linkwatch query list).")],
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="Parameter as name=value, typed as the query declares."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json (JSON lines).")] = "table",
    max_rows: Annotated[int, typer.Option("--max-rows", help="Most rows to return.")] = 10_000,
    store: StoreOpt = None,
    data_dir: DataDirOpt = None,
    neo4j_uri: UriOpt = None,
    neo4j_user: UserOpt = None,
    neo4j_database: DbOpt = None,
    purpose: PurposeOpt = None,
    case: CaseOpt = None,
) -> None:
    """Run a saved query with parameters (typed as the query declares; `null` is refused):
    linkwatch query run officer-flags -p officer_id=100001 --purpose 'complaint PSD-7'"""
    from graph.audit import require_purpose
    from queries.saved import run

    with _errors():
        _check_format(fmt)
        q = _find_query(name, data_dir)
        given: dict[str, Any] = dict(item.split("=", 1) for item in (param or []) if "=" in item)
        bad = [item for item in (param or []) if "=" not in item]
        if bad:
            raise LinkwatchError(f"--param must be name=value (got {bad[0]!r})")
        given = {k: None if v == "null" else v for k, v in given.items()}  # refused by the typing
        s = _settings(store, data_dir, neo4j_uri, neo4j_user, neo4j_database)
        why = require_purpose(purpose, f"saved query {q.name}")
        with open_store(s, read_only=True) as st:
            res = run(st, q, given, max_rows=max_rows)
        _audit(
            s,
            action="saved_query",
            what=f"{q.id} {q.name} r{q.revision}",
            purpose=why,
            case_ref=case,
            params=res.params,
            result_size=len(res.rows),
        )
        if q.result == "count" and fmt == "table":
            out.print(f"{q.name}: {res.count}")
            return
        _print_rows(res.rows, fmt)
        if res.truncated:
            console.print(f"[yellow]only the first {max_rows} rows are shown (--max-rows)[/]")


def _check_format(fmt: str) -> None:
    if fmt not in ("table", "csv", "json"):
        raise LinkwatchError(f"--format must be table, csv or json (got {fmt!r})")


def _parse_params(items: list[str]) -> dict[str, Any]:
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


def _print_rows(rows: list[dict[str, Any]], fmt: str) -> None:
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


@app.command()
def generate(
    directory: Annotated[Path, typer.Argument(help="Folder to write the source files and truth.csv into.")],
    officers: Annotated[int, typer.Option(help="Number of officers.")] = 300,
    days: Annotated[
        int,
        typer.Option(
            help="Days of events (shifts, swipes, remote sessions, system access) to simulate; 0: none."
        ),
    ] = 0,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same force).")] = 7,
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "csv",
    clean: Annotated[
        bool,
        typer.Option(
            "--clean",
            help="Plant no cases (truth.csv holds only its header): ordinary behaviour and the "
            "innocent look-alikes only, to measure false flags.",
        ),
    ] = False,
) -> None:
    """Generate a synthetic force in the source-contract format, with planted cases in
    truth.csv and innocent look-alikes in lookalikes.csv (all invented data)."""
    from ingest.generate import generate as gen
    from ingest.generate import write_force

    with _errors():
        if fmt not in ("csv", "parquet"):
            raise LinkwatchError(f"--format must be csv or parquet (got {fmt!r})")
        if days > 0:
            with _progress() as step:
                summary = write_force(directory, officers, days, seed, fmt=fmt, progress=step, clean=clean)
            for name, info in summary["tables"].items():
                out.print(f"{name:20} {info['rows']:>12,} rows")
        else:
            force = gen(officers=officers, seed=seed, clean=clean)
            force.write(directory, fmt=fmt)
            for name, df in force.tables.items():
                out.print(f"{name:20} {len(df):>12,} rows")
        what = "no planted cases (clean)" if clean else "the planted cases"
        out.print(f"truth.csv and lookalikes.csv with {what}; written to {directory}")


@app.command()
def page(
    node_id: Annotated[str, typer.Argument(help="Node id, e.g. Officer:100003")],
    out_file: Annotated[Path, typer.Option("--out", help="HTML file to write.")],
    depth: Annotated[int, typer.Option(help="Hops to expand.")] = 2,
    limit: Annotated[int, typer.Option(help="Most nodes to draw.")] = 300,
    store: StoreOpt = None,
    data_dir: DataDirOpt = None,
    neo4j_uri: UriOpt = None,
    neo4j_user: UserOpt = None,
    neo4j_database: DbOpt = None,
    purpose: PurposeOpt = None,
    case: CaseOpt = None,
) -> None:
    """Write a self-contained interactive page of a node's neighbourhood (a page about an
    officer or a person needs a stated purpose; every page is in the audit log)."""
    from graph.audit import require_purpose
    from viz.pages import render_subgraph, write_page

    with _errors():
        s = _settings(store, data_dir, neo4j_uri, neo4j_user, neo4j_database)
        why = (
            require_purpose(purpose, f"a page about {node_id}")
            if node_id.startswith(PERSON_LABELS)
            else purpose
        )
        with open_store(s, read_only=True) as st:
            sg = st.neighbourhood([node_id], depth=depth, limit=limit)
        _audit(
            s,
            action="page",
            what=node_id,
            purpose=why,
            case_ref=case,
            params={"depth": depth, "limit": limit},
            result_size=len(sg.nodes),
        )
        write_page(render_subgraph(sg, f"Neighbourhood of {node_id}", focus=node_id), out_file)
        out.print(f"page: {out_file} ({len(sg.nodes)} nodes, {len(sg.edges)} links)")


def _launcher() -> str:
    """How to run linkwatch again from where the user is, as they started it: ``./dev``
    (which says so in ``LINKWATCH_LAUNCHER``), ``linkwatch`` when that is on the PATH,
    else the path they typed (e.g. ``.venv/bin/linkwatch``)."""
    import os
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


@app.command()
def demo(
    officers: Annotated[int, typer.Option(help="Officers in the synthetic force.")] = 300,
    days: Annotated[int, typer.Option(help="Days of events (shifts, swipes, lookups) to simulate.")] = 90,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
    store: StoreOpt = None,
    data_dir: DataDirOpt = None,
    neo4j_uri: UriOpt = None,
    neo4j_user: UserOpt = None,
    neo4j_database: DbOpt = None,
) -> None:
    """The whole path once: generate a synthetic force with planted cases, ingest it, run
    every detector, score them against the planted truth, and write the flags file and an
    interactive page of the top flag's neighbourhood."""
    from ingest.generate import generate as gen
    from queries.detect import run_detectors, write_export
    from queries.evaluate import evaluate
    from viz.pages import render_subgraph, write_page

    with _errors():
        t0 = time.perf_counter()
        s = _settings(store, data_dir, neo4j_uri, neo4j_user, neo4j_database)
        src = Path(tempfile.mkdtemp(prefix="linkwatch-demo-"))
        force = gen(officers=officers, seed=seed, days=days)
        force.write(src)
        out.print(
            f"synthetic force ({len(force.tables['officers'])} officers, {days} days of events, "
            f"{len(force.truth)} planted cases, {len(force.lookalikes)} innocent look-alikes) written to {src}"
        )
        with open_store(s) as st:
            _ingest(st, src, s)
            with _progress() as step:
                rep = run_detectors(st, progress=step)
            flags = rep.flags
            out_dir = Path(s.data_dir) / "demo"
            flags_file = write_export(flags, out_dir / "flags.csv")
            out.print(_flags_table(flags, limit=10))
            page_file = None
            if len(flags):
                top = flags.sort_values(["score", "officer_id"], ascending=[False, True]).iloc[0]
                uid = f"Officer:{top.officer_id}"
                sg = st.neighbourhood([uid], depth=2, limit=300)
                html = render_subgraph(
                    sg,
                    f"Officer {top.officer_id}: neighbourhood",
                    subtitle=f"{top.detector} — score {top.score:.2f} ({top.severity})",
                    focus=uid,
                    notices=[top.explanation],
                )
                page_file = write_page(html, out_dir / f"officer-{top.officer_id}.html")
                _audit(s, action="page", what=uid, purpose="demo (synthetic data)", result_size=len(sg.nodes))
        ev = evaluate(force.truth, flags)
        t = Table(
            "detector", "planted", "found", "flags", "precision", "recall", title="against the planted truth"
        )
        for r in ev.to_dict(orient="records"):
            prec = r["precision"]
            t.add_row(
                str(r["detector"]),
                str(r["cases"]),
                str(r["found"]),
                str(r["flags"]),
                "" if prec is None or prec != prec else f"{float(prec):.2f}",
                f"{float(r['recall']):.2f}",
            )
        out.print(t)
        total = ev[ev["detector"] == "overall"].iloc[0]
        out.print(
            f"planted cases found: {total['found']} of {total['cases']}; "
            f"flags naming a planted case: {total['correct']} of {total['flags']}"
        )
        looks = force.lookalikes.merge(flags[["detector", "officer_id"]], on=["detector", "officer_id"])
        out.print(f"innocent look-alikes flagged: {len(looks)} of {len(force.lookalikes)}")
        out.print(f"flags file: {flags_file}")
        if page_file:
            out.print(f"page:       {page_file}  (open it in a browser; it needs no network)")
        out.print(f"store:      {s.store} ({s.data_dir if s.store == 'embedded' else s.neo4j_uri})")
        if len(flags) and s.store == "embedded":
            me, data = _launcher(), shlex.quote(str(s.data_dir))
            out.print("explore it in a browser (see the README's walkthrough):", highlight=False)
            # whole lines, never wrapped at the terminal's width: they are to be copied
            out.print(
                f"  {me} token create --user YOU --role investigator --data-dir {data}",
                highlight=False,
                soft_wrap=True,
            )
            out.print(f"  {me} serve --data-dir {data}", highlight=False, soft_wrap=True)
            out.print(
                f"  then open http://127.0.0.1:8000/ui/entity/Officer:{top.officer_id} and sign in with the token"
            )
        out.print(f"done in {time.perf_counter() - t0:.1f} s")


@app.command()
def evaluate(
    truth: Annotated[Path, typer.Argument(help="truth.csv of planted cases (from `linkwatch generate`).")],
    flags: Annotated[Path, typer.Argument(help="A flags export (.csv or .jsonl) from `linkwatch detect`.")],
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json (JSON lines).")] = "table",
) -> None:
    """Precision, recall and F1 per detector and overall, against planted truth."""
    import pandas as pd

    from queries.evaluate import evaluate as run_evaluate

    with _errors():
        for p in (truth, flags):
            if not p.exists():
                raise FileNotFoundError(f"{p}: no such file")
        t = pd.read_csv(truth, dtype=str, keep_default_na=False)
        if flags.suffix == ".jsonl":
            f = pd.read_json(flags, lines=True, dtype=False).astype(str)
        else:
            f = pd.read_csv(flags, dtype=str, keep_default_na=False)
        for name, df, need in (
            ("truth", t, {"officer_id", "detector", "window_start", "window_end"}),
            ("flags", f, {"officer_id", "detector", "window_start", "window_end"}),
        ):
            missing = need - set(df.columns)
            if missing:
                raise LinkwatchError(f"{name} file lacks column(s): {', '.join(sorted(missing))}")
        for df in (t, f):
            if "group_id" not in df:
                df["group_id"] = ""
        res = run_evaluate(t, f)
        if fmt != "table":
            _print_rows([{str(k): v for k, v in r.items()} for r in res.to_dict(orient="records")], fmt)
            return
        table = Table(*res.columns, title="accuracy against planted truth")
        for row in res.itertuples(index=False):
            table.add_row(*("—" if v is None else str(v) for v in row))
        out.print(table)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    store: StoreOpt = None,
    data_dir: DataDirOpt = None,
    neo4j_uri: UriOpt = None,
    neo4j_user: UserOpt = None,
    neo4j_database: DbOpt = None,
) -> None:
    """Serve the HTTP API and pages. On the embedded store it reads through a read-only
    handle, reopened after each ingest or detect run, so `linkwatch ingest` can run beside it."""
    import uvicorn

    from api.app import create_app

    with _errors():
        s = _settings(store, data_dir, neo4j_uri, neo4j_user, neo4j_database)
        # keep-alive past uvicorn's 5 s: a client queued behind many others reuses its
        # connection after a wait, and a connection closed under it fails the request
        config = uvicorn.Config(create_app(s), host=host, port=port, log_level="info", timeout_keep_alive=75)
        _run_server(config)


def _pages_url(host: str, port: int) -> str:
    """The address to open in a browser (a wildcard address is opened as this machine)."""
    shown = "127.0.0.1" if host in ("", "0.0.0.0") else "[::1]" if host == "::" else host
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def _run_server(config: Any) -> None:
    """Run uvicorn, saying where the pages are once it listens."""
    import uvicorn

    class Server(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets=sockets)
            if not self.started:
                return
            port = config.port
            for server in getattr(self, "servers", []):
                for sock in server.sockets or []:
                    port = sock.getsockname()[1]
                    break
            url = _pages_url(config.host, port)
            out.print(
                f"linkwatch pages: {url}/ui/  (sign in with a token; API docs: {url}/docs)", highlight=False
            )
            sys.stdout.flush()

    Server(config).run()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
