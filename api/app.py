"""The FastAPI application (``linkwatch serve``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from api.deps import StoreProvider
from api.routes import flags, graph, health, queries
from graph.errors import ConfigError, NodeNotFound, QueryError, QueryTimeout, StoreUnavailable
from graph.settings import Settings, load_settings

ERROR_STATUS: dict[type[Exception], int] = {
    NodeNotFound: 404,
    QueryError: 400,
    QueryTimeout: 504,
    StoreUnavailable: 503,
    ConfigError: 500,
}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings()
    provider = StoreProvider(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        provider.close()

    app = FastAPI(
        title="linkwatch",
        version="0.1.0",
        description="Open, explainable link discovery for workforce-integrity investigations. "
        "Every flag is a prompt for a human assessment, never a verdict.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.stores = provider
    for router in (health.router, graph.router, graph.pages, flags.router, queries.router):
        app.include_router(router)

    for exc_type, status in ERROR_STATUS.items():

        def handler(_req: Request, exc: Exception, status: int = status) -> JSONResponse:
            return JSONResponse({"detail": str(exc)}, status_code=status)

        app.add_exception_handler(exc_type, handler)
    return app
