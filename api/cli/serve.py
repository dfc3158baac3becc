"""``linkwatch serve`` and ``page``: the HTTP API and pages, and a standalone page of a
neighbourhood."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn
from uvicorn.supervisors.multiprocess import Multiprocess

from api.app import create_app
from api.cli.common import app, errors, out, purpose_options, store_options
from api.ops import network
from api.ops.look import Look
from graph.settings import Settings
from graph.workspace import Workspace
from viz.pages import render_subgraph, write_page


@app.command()
@store_options
@purpose_options
def page(
    node_id: Annotated[str, typer.Argument(help="Node id, e.g. Officer:100003")],
    out_file: Annotated[Path, typer.Option("--out", help="HTML file to write.")],
    settings: Settings,
    look: Look,
    depth: Annotated[int, typer.Option(help="Hops to expand.")] = 2,
    limit: Annotated[int, typer.Option(help="Most nodes to draw.")] = 300,
) -> None:
    """Write a self-contained interactive page of a node's neighbourhood (a page about an
    officer or a person needs a stated purpose; every page is in the audit log)."""
    with errors():
        with Workspace(settings) as ws:
            sg = network.page(ws, look, node_id, depth=depth, limit=limit)
        write_page(render_subgraph(sg, f"Neighbourhood of {node_id}", focus=node_id), out_file)
        out.print(f"page: {out_file} ({len(sg.nodes)} nodes, {len(sg.edges)} links)")


@app.command()
@store_options
def serve(
    settings: Settings,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(min=1, max=64, help="Server processes [default: LINKWATCH_SERVER_WORKERS, 2]."),
    ] = None,
) -> None:
    """Serve the HTTP API and pages. On the embedded store it reads through a read-only
    handle, reopened after each ingest or detect run, so `linkwatch ingest` can run beside it."""
    with errors():
        n = workers or settings.server_workers
        # keep-alive past uvicorn's 5 s: a client queued behind many others reuses its
        # connection after a wait, and a connection closed under it fails the request
        options: dict[str, Any] = {"host": host, "port": port, "log_level": "info", "timeout_keep_alive": 75}
        if n == 1:
            run_server(uvicorn.Config(create_app(settings), **options))
            return
        # Several processes share one listening socket; each builds its own app from the
        # settings this one resolved (the command's options go to them as the variables
        # they stand for; secrets stay in the environment they inherit).
        os.environ.update(settings_env(settings))
        config = uvicorn.Config("api.app:create_app", factory=True, workers=n, **options)
        sock = config.bind_socket()
        say_where(host, sock.getsockname()[1])
        Multiprocess(config, sockets=[sock]).run()


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment variables that give a process the store options of ``settings``.

    Parameters
    ----------
    settings : Settings
        Resolved settings (environment and command-line options).

    Returns
    -------
    dict of str to str
        ``LINKWATCH_STORE``, ``LINKWATCH_DATA_DIR`` and the Neo4j address, user and
        database: the settings ``serve``'s options can set (no secret).

    Examples
    --------
    >>> env = settings_env(Settings(data_dir="/srv/lw"))
    >>> env["LINKWATCH_STORE"], env["LINKWATCH_DATA_DIR"]
    ('embedded', '/srv/lw')
    """
    fields = ("store", "data_dir", "neo4j_uri", "neo4j_user", "neo4j_database")
    values = {f: getattr(settings, f) for f in fields}
    return {f"LINKWATCH_{f.upper()}": str(v) for f, v in values.items() if v is not None}


def pages_url(host: str, port: int) -> str:
    """The address to open in a browser (a wildcard address is opened as this machine)."""
    shown = "127.0.0.1" if host in ("", "0.0.0.0") else "[::1]" if host == "::" else host
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def say_where(host: str, port: int) -> None:
    """Print where the pages are, once the server listens."""
    url = pages_url(host, port)
    out.print(f"linkwatch pages: {url}/ui/  (sign in with a token; API docs: {url}/docs)", highlight=False)
    sys.stdout.flush()


def run_server(config: Any) -> None:
    """Run uvicorn in this process, saying where the pages are once it listens."""

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
            say_where(config.host, port)

    Server(config).run()
