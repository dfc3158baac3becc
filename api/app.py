"""The FastAPI application (``linkwatch serve``)."""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.auth import failure_recorder
from api.limits import BodyLimit
from api.models import ErrorOut
from api.ops.pseudonyms import officer_pseudonyms
from api.ops.search import SEARCH_FIELDS
from api.routes import (
    audit,
    cases,
    challenges,
    cypher,
    exports,
    flags,
    graph,
    health,
    pages,
    queries,
    subject,
    tokens,
)
from graph.audit import AuditKeyError, PurposeRequired
from graph.errors import ConfigError, NotFound, QueryError, QueryTimeout, StoreUnavailable
from graph.meta import PermissionDenied
from graph.settings import Settings, load_settings
from graph.workspace import Workspace

log = logging.getLogger(__name__)

ERROR_STATUS: dict[type[Exception], int] = {
    NotFound: 404,
    QueryError: 400,
    PurposeRequired: 400,
    PermissionDenied: 403,
    QueryTimeout: 504,
    StoreUnavailable: 503,
    ConfigError: 500,
    AuditKeyError: 500,  # the audit log's key cannot be used: no look without its record
}

DESCRIPTION = """Open, explainable link discovery for workforce-integrity investigations.
Every flag is a prompt for a human assessment, never a verdict.

**Sign in**: every endpoint but `/health` needs an API token, sent as
`Authorization: Bearer lw_…` (make one with `linkwatch token create --user NAME --role ROLE`).
Roles: investigator, analyst, auditor, admin, appropriate_authority, subject_access.

**Purpose**: looks at the graph, flags and query results need a stated purpose, sent as
the `X-Purpose` header (and `X-Case-Ref`); it is recorded in the audit log with who looked,
what, and how much came back.

**Errors** are JSON `{"detail": "..."}`: 400 bad query or parameters, 401 no or bad token,
403 role lacks the permission, 404 unknown id, 413 result too large, 504 query timeout.
"""


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": text}
    for status, text in (
        (400, "Bad query or parameters (the message names the field), or no stated purpose"),
        (401, "No API token, or an unknown, revoked or expired one"),
        (403, "The token's role lacks the permission this endpoint needs"),
        (404, "Unknown id or name"),
        (413, "The result has more rows than max_rows"),
        (504, "The query ran past the configured timeout"),
    )
}


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err.get("loc", ()) if x not in ("query", "body", "path"))
        parts.append(f"{loc or 'request'}: {err.get('msg')}")
    return "bad parameters: " + "; ".join(parts)


def warm_caches(ws: Workspace) -> None:
    """Build what a snapshot's first requests would otherwise wait for: the officers'
    pseudonyms (every officer id read and keyed: ~1 s at 45,000 officers), the name
    index of the labels searched by name (~1 s) and, on the embedded store, the
    relationships' ends for hops (:class:`graph.adjacency.Adjacency`, ~4 s). Run by the
    server as each snapshot opens.

    Parameters
    ----------
    ws : Workspace
        A workspace on the new snapshot.

    Examples
    --------
    >>> import tempfile
    >>> with Workspace(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256)) as ws:
    ...     warm_caches(ws)
    """
    officer_pseudonyms(ws)
    ws.store.warm({label: fields for label, fields in SEARCH_FIELDS.items() if len(fields) > 1})
    # What the caches hold lives as long as the snapshot: out of the collector's sight, a
    # full collection of the server at 45,000 officers takes 0.2 ms instead of 177 ms
    # (every request of the process stood still for it, every few seconds under load).
    # What the last warm-up set aside comes back first: the snapshot it warmed has been
    # retired since, and its cycles (store, hop index, name index) are garbage now.
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _open_now(workspace: Workspace) -> None:
    with workspace.pinned():
        pass


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings()
    workspace = Workspace(settings, shared=True, warm=warm_caches)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Few worker threads: on a small machine forty threads fighting for the GIL starved
        # the event loop (/health took 7 s under 200 clients); requests beyond them wait
        # in the event loop, holding no thread and no store connection.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.server_threads
        # A thread that gives up the GIL for the engine, a file or the audit log waits for it
        # again behind threads computing: up to the switch interval (Python's 5 ms) each
        # time, a dozen times a request. At 1 ms, 50 clients at 45k: p50 82 -> 52 ms.
        switch = sys.getswitchinterval()
        sys.setswitchinterval(settings.server_switch_interval_ms / 1000)
        try:  # the process's own interval back however the server ends, a failed start too
            try:  # open the snapshot now, so its caches are built before the first users come
                await anyio.to_thread.run_sync(_open_now, workspace)
            except StoreUnavailable as e:  # requests will say so; /health too
                log.warning("the store did not open at start: %s", e)
            yield
        finally:
            workspace.close()
            sys.setswitchinterval(switch)

    app = FastAPI(
        title="linkwatch",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # /docs and /redoc are added by the pages' door with their assets from this server
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.workspace = workspace
    app.include_router(health.router)
    for router in (
        graph.router,
        flags.router,
        queries.router,
        cypher.router,
        exports.router,
        audit.router,
        tokens.router,
        subject.router,
        cases.router,
        challenges.router,
    ):
        app.include_router(router, responses=ERROR_RESPONSES)
    for exc_type, status in ERROR_STATUS.items():

        def handler(_req: Request, exc: Exception, status: int = status) -> JSONResponse:
            return JSONResponse({"detail": str(exc)}, status_code=status)

        app.add_exception_handler(exc_type, failure_recorder(handler))

    def invalid(_req: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return JSONResponse({"detail": _validation_message(exc)}, status_code=400)

    def server_error(_req: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(
            {"detail": "internal server error: the failure is recorded in the audit log and the server log"},
            status_code=500,
        )

    # Every failure once the caller is known is recorded in the audit log (a failed look
    # is still a look): errors of the store and the routes, bad parameters, refusals and
    # unexpected errors (500).
    app.add_exception_handler(RequestValidationError, failure_recorder(invalid))
    app.add_exception_handler(StarletteHTTPException, failure_recorder(http_exception_handler))
    app.add_exception_handler(Exception, failure_recorder(server_error))
    pages.mount(app)  # after the handlers above: its not-found page wraps the API's 404
    app.add_middleware(BodyLimit, max_bytes=settings.max_request_kb * 1024)
    return app
