"""``linkwatch serve`` and ``page``: the HTTP API and pages, and a standalone page of a
neighbourhood."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors.multiprocess import Multiprocess, logger

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
        # Several processes, each building its own app from the settings this one resolved
        # (the command's options go to them as the variables they stand for; secrets stay
        # in the environment they inherit).
        os.environ.update(settings_env(settings))
        config = uvicorn.Config("api.app:create_app", factory=True, workers=n, **options)
        if not REUSE_PORT:
            sock = config.bind_socket()  # one listening socket, shared
            say_where(host, sock.getsockname()[1])
            Multiprocess(config, sockets=[sock]).run()
            return
        supervisor = OwnSockets(config)
        say_where(host, supervisor.port)
        supervisor.run()


REUSE_PORT = sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")
"""Whether each server process can listen on a socket of its own on the same port, the
kernel spreading new connections evenly across them (Linux ``SO_REUSEPORT``)."""


class OwnSockets(Multiprocess):
    """uvicorn's supervisor, each worker listening on a socket of its own (``SO_REUSEPORT``).

    On one shared socket, whichever process woke first took the connection: with 50
    clients keeping their connections, one of two processes held most of them and ran at
    a full core while the other idled (37 % of the two cores unused, every p95 several
    hundred ms). Here the kernel spreads connections across the sockets evenly.

    Parameters
    ----------
    config : uvicorn.Config
        The server's configuration (``host``, ``port``, ``workers``).

    Raises
    ------
    SystemExit
        With uvicorn's start failure, if the port is taken (checked without
        ``SO_REUSEPORT`` first, so that another server's sockets on it are never
        joined), or another linkwatch server is starting on it (its workers' sockets are
        bound, not yet listening: the check cannot see them, so each server claims its
        port on this machine while it runs).
    """

    def __init__(self, config: uvicorn.Config) -> None:
        probe = config.bind_socket()  # fails when the port is taken, whoever holds it
        self.port = int(probe.getsockname()[1])  # port 0: the one the system chose
        self._family = probe.family
        # A name in Linux's abstract socket namespace, held while this process lives: a
        # second server started while this one's workers start (minutes at a large
        # force) would otherwise pass the check and share its connections.
        self._claim = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self._claim.bind(f"\0linkwatch-serve:{self.port}")
        except OSError as e:
            self._claim.close()
            probe.close()
            logger.error("port %d: another linkwatch server is starting on it (%s)", self.port, e)
            sys.exit(STARTUP_FAILURE)
        probe.close()
        self._parent_copy: socket.socket | None = None
        super().__init__(config, sockets=[])

    def _started(self) -> None:
        """The workers asked for are started, each holding its own socket: the copy this
        process kept of the last one is closed (left, it would still listen after that
        worker ended, taking connections no one answers until the worker is replaced)."""
        if self._parent_copy is not None:
            self._parent_copy.close()
            self._parent_copy = None

    def init_processes(self) -> None:
        super().init_processes()
        self._started()

    def keep_subprocess_alive(self) -> None:
        super().keep_subprocess_alive()
        self._started()

    def restart_all(self) -> None:
        super().restart_all()
        self._started()

    def handle_ttin(self) -> None:
        super().handle_ttin()
        self._started()

    @property  # type: ignore[override]
    def sockets(self) -> list[socket.socket]:
        """A new listening socket, each time a worker is started (uvicorn asks for the
        sockets as it makes each one). The copy this process kept of the one before is
        closed (:meth:`_started`): that worker holds its own since it started."""
        self._started()
        sock = socket.socket(self._family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((self.config.host, self.port))
        sock.set_inheritable(True)
        self._parent_copy = sock
        return [sock]

    @sockets.setter
    def sockets(self, value: list[socket.socket]) -> None:
        pass  # uvicorn's __init__ stores the list it was given: each worker gets a new one


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
