from __future__ import annotations

from typing import Any

import anyio
from fastapi import APIRouter, Request

from api.deps import server_workspace
from api.models import Health
from graph.workspace import StoreProvider

router = APIRouter(tags=["health"])

_LIMITER: Any = None


def _check(provider: StoreProvider) -> None:
    gen = provider.acquire()
    try:
        gen.store.ping()
    finally:
        provider.release(gen)


@router.get("/health", response_model=Health)
async def health(request: Request) -> Health:
    """Liveness and store reachability (Neo4j answers a trivial query; the embedded
    store's snapshot is open).

    It needs no thread of the pool the other endpoints share (not even for a
    dependency), so it answers while every worker thread is busy."""
    global _LIMITER
    settings = request.app.state.settings
    provider = server_workspace(request).provider
    assert provider is not None
    if settings.store == "embedded":  # a stat and a short lock: no thread needed
        _check(provider)
    else:
        if _LIMITER is None:
            _LIMITER = anyio.CapacityLimiter(4)
        await anyio.to_thread.run_sync(_check, provider, limiter=_LIMITER)
    return Health(status="ok", store=settings.store)
