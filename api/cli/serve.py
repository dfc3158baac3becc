"""``linkwatch serve`` and ``page``: the HTTP API and pages, and a standalone page of a
neighbourhood."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn

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
) -> None:
    """Serve the HTTP API and pages. On the embedded store it reads through a read-only
    handle, reopened after each ingest or detect run, so `linkwatch ingest` can run beside it."""
    with errors():
        # keep-alive past uvicorn's 5 s: a client queued behind many others reuses its
        # connection after a wait, and a connection closed under it fails the request
        config = uvicorn.Config(
            create_app(settings), host=host, port=port, log_level="info", timeout_keep_alive=75
        )
        run_server(config)


def pages_url(host: str, port: int) -> str:
    """The address to open in a browser (a wildcard address is opened as this machine)."""
    shown = "127.0.0.1" if host in ("", "0.0.0.0") else "[::1]" if host == "::" else host
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def run_server(config: Any) -> None:
    """Run uvicorn, saying where the pages are once it listens."""

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
            url = pages_url(config.host, port)
            out.print(
                f"linkwatch pages: {url}/ui/  (sign in with a token; API docs: {url}/docs)", highlight=False
            )
            sys.stdout.flush()

    Server(config).run()
