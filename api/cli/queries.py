"""``linkwatch query``: read-only Cypher, ad hoc or from the saved-query library."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from api.cli.common import (
    FormatOpt,
    check_format,
    console,
    data_dir_option,
    errors,
    group,
    out,
    parse_params,
    print_rows,
    purpose_options,
    store_options,
)
from api.ops import cypher
from api.ops import saved_queries as ops
from api.ops.look import Look, cli_look
from graph.errors import LinkwatchError
from graph.settings import Settings
from graph.workspace import Workspace

query_app = group(
    "query",
    "Read-only Cypher: ad hoc (query cypher) or from the saved-query library (query list / show / run).",
)


@query_app.command("cypher")
@store_options
@purpose_options
def query_cypher(
    cypher_text: Annotated[
        str, typer.Argument(metavar="CYPHER", help="A read-only Cypher query (Neo4j dialect).")
    ],
    settings: Settings,
    look: Look,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="Parameter as name=value (value parsed as JSON when it can be)."),
    ] = None,
    fmt: FormatOpt = "table",
    max_rows: Annotated[int, typer.Option("--max-rows", help="Most rows to read and print.")] = 10_000,
) -> None:
    """Run an ad-hoc read-only Cypher query and print the rows.

    Writes, procedure calls, file and network access (LOAD CSV, LOAD FROM, COPY) and
    variable-length patterns without a small upper bound are refused.

    Example: linkwatch query cypher 'MATCH (o:Officer) RETURN o.officer_id AS id LIMIT $n' -p n=5
    """
    with errors():
        check_format(fmt)
        params = parse_params(param or [])
        with Workspace(settings) as ws:
            rows, more = cypher.adhoc(ws, look, cypher_text, params, max_rows=max_rows)
        print_rows(rows, fmt)
        if more:
            console.print(f"[yellow]only the first {max_rows} rows were read (--max-rows)[/]")


@query_app.command("list")
@data_dir_option
def query_list(settings: Settings, fmt: FormatOpt = "table") -> None:
    """List the saved queries: the library's files, the detectors' graph queries and the
    queries users saved (owner and sharing shown)."""
    with errors():
        check_format(fmt)
        rows = []
        with Workspace(settings) as ws:
            found = ops.list_queries(ws, cli_look())
        for q, stored in found:
            owner = "library"
            if stored is not None:
                shared = [*stored.share_users, *(f"role:{r}" for r in stored.share_roles)]
                owner = stored.owner + (f" (shared: {', '.join(shared)})" if shared else "")
            rows.append(
                {
                    "name": q.name,
                    "id": q.id,
                    "category": q.category,
                    "result": q.result,
                    "parameters": ", ".join(f"{p.name}:{p.type}" for p in q.parameters),
                    "owner": owner,
                }
            )
        print_rows(rows, fmt)


@query_app.command("show")
@data_dir_option
def query_show(
    name: Annotated[str, typer.Argument(help="A saved query's name or id.")],
    settings: Settings,
    output: Annotated[
        Path | None, typer.Option("--out", help="Write the file here instead of printing it.")
    ] = None,
) -> None:
    """Print (or write) a saved query in the library's file format (YAML): the export
    format that `query save` imports."""
    with errors(), Workspace(settings) as ws:
        q, _ = ops.find(ws, cli_look(), name)
        text = ops.file_text(q)
        if output is None:
            print(text, end="")
        else:
            output.write_text(text, encoding="utf-8")
            out.print(f"wrote {output}")


@query_app.command("save")
@data_dir_option
def query_save(
    file: Annotated[Path, typer.Argument(help="A query file in the library's format (YAML).")],
    settings: Settings,
    share_user: Annotated[
        list[str] | None, typer.Option("--share-user", help="Share with this user.")
    ] = None,
    share_role: Annotated[
        list[str] | None, typer.Option("--share-role", help="Share with this role.")
    ] = None,
) -> None:
    """Import a query file as a user-saved query (owned by you; a new revision if you
    saved one by that name before). It is validated like the library's files."""
    with errors(), Workspace(settings) as ws:
        body = ops.parse_file(file.read_text(encoding="utf-8"), str(file))
        stored = ops.save(ws, cli_look(), body, share_users=share_user, share_roles=share_role)
        out.print(f"saved {stored.name} ({stored.query_id}) revision {stored.revision}, owner {stored.owner}")


@query_app.command("history")
@data_dir_option
def query_history(
    name: Annotated[str, typer.Argument(help="A user-saved query's name.")], settings: Settings
) -> None:
    """Every revision of a user-saved query."""
    with errors(), Workspace(settings) as ws:
        rows = ws.meta.history(name)
        if not rows:
            raise LinkwatchError(f"no user-saved query {name!r}")
        print_rows(
            [
                {k: r[k] for k in ("revision", "saved_at", "saved_by", "deleted_at")}
                | {"description": r["body"].get("description")}
                for r in rows
            ],
            "table",
        )


@query_app.command("delete")
@data_dir_option
def query_delete(
    name: Annotated[str, typer.Argument(help="A user-saved query's name.")], settings: Settings
) -> None:
    """Delete a user-saved query (its revisions stay in the history)."""
    with errors(), Workspace(settings) as ws:
        ops.delete(ws, cli_look(), name)
        out.print(f"deleted {name}")


@query_app.command("run")
@store_options
@purpose_options
def query_run(
    name: Annotated[str, typer.Argument(help="A saved query's name or id (see: linkwatch query list).")],
    settings: Settings,
    look: Look,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="Parameter as name=value, typed as the query declares."),
    ] = None,
    fmt: FormatOpt = "table",
    max_rows: Annotated[int, typer.Option("--max-rows", help="Most rows to return.")] = 10_000,
) -> None:
    """Run a saved query with parameters (typed as the query declares; `null` is refused):
    linkwatch query run officer-flags -p officer_id=100001 --purpose 'complaint PSD-7'"""
    with errors():
        check_format(fmt)
        bad = [item for item in (param or []) if "=" not in item]
        if bad:
            raise LinkwatchError(f"--param must be name=value (got {bad[0]!r})")
        given: dict[str, Any] = dict(item.split("=", 1) for item in (param or []))
        given = {k: None if v == "null" else v for k, v in given.items()}  # refused by the typing
        with Workspace(settings) as ws:
            q, _ = ops.find(ws, look, name)
            res = ops.run_query(ws, look, q, given, max_rows=max_rows)
        if q.result == "count" and fmt == "table":
            out.print(f"{q.name}: {res.count}")
            return
        print_rows(res.rows, fmt)
        if res.truncated:
            console.print(f"[yellow]only the first {max_rows} rows are shown (--max-rows)[/]")
