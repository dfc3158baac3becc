"""Dependencies shared by the routers: the settings, and the workspace a request reads
(one snapshot of the graph store for the whole request; see
:meth:`graph.workspace.Workspace.pinned`)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import Depends, Request

from graph.settings import Settings
from graph.workspace import Workspace


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def server_workspace(request: Request) -> Workspace:
    """The server's shared workspace (opened once, at start-up)."""
    ws: Workspace = request.app.state.workspace
    return ws


def get_workspace(request: Request) -> Iterator[Workspace]:
    """The workspace with the graph store pinned to one snapshot until the request ends."""
    with server_workspace(request).pinned() as view:
        yield view


T = TypeVar("T")


class HeavyLane:
    """A server process's lane for heavy requests: at most ``LINKWATCH_SERVER_HEAVY_THREADS``
    of them run at once, so that the light requests share the interpreter lock with few.

    One that has waited ``LINKWATCH_SERVER_HEAVY_WAIT_MS`` for its turn runs anyway: a
    saved query that runs for seconds holds the lane no longer than that for the others
    (so in a burst longer than that, more heavy requests run at once, up to the server's
    threads, until the queue is gone). Heavy requests run on threads of their own (as
    many as the server's), never on those the light requests use."""

    def __init__(self, settings: Settings) -> None:
        self.turns = anyio.CapacityLimiter(settings.server_heavy_threads)
        self.threads = anyio.CapacityLimiter(settings.server_threads)
        self.wait_s = settings.server_heavy_wait_ms / 1000
        self.overtaken = 0
        """Heavy requests that ran without a turn, having waited too long for one."""

    async def run(self, fn: Callable[[], T]) -> T:
        turn = False
        try:  # a free turn is taken at once (a wait of 0 then still takes one)
            self.turns.acquire_nowait()
            turn = True
        except anyio.WouldBlock:
            with anyio.move_on_after(self.wait_s):
                await self.turns.acquire()
                turn = True
        if not turn:
            self.overtaken += 1
        try:
            return await anyio.to_thread.run_sync(fn, limiter=self.threads)
        finally:
            if turn:
                self.turns.release()


def heavy_lane(request: Request) -> HeavyLane:
    """The server process's :class:`HeavyLane`, made on first use in the event loop."""
    lane: HeavyLane | None = getattr(request.app.state, "heavy_lane", None)
    if lane is None:
        lane = request.app.state.heavy_lane = HeavyLane(request.app.state.settings)
    return lane


async def run_lane(request: Request, fn: Callable[[], T], *, heavy: bool) -> T:
    """Run ``fn`` in the heavy lane when ``heavy`` (:func:`run_heavy`), else on the
    process's threads as any light request (a neighbourhood of depth 1 or less)."""
    if not heavy:
        return await anyio.to_thread.run_sync(fn)
    return await heavy_lane(request).run(fn)


async def run_heavy(request: Request, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run ``fn`` in the heavy lane (:class:`HeavyLane`).

    A request that needs 50 ms or more of Python (a depth-2 neighbourhood, paths, a flag
    with its evidence, a saved query) waits for its turn holding no thread, instead of
    taking one of the process's threads beside the light requests. At 45k with 50 clients
    and one turn, the light requests' p95 fell from 310–390 ms to 91–150 ms, and the heavy
    ones' too (docs/measurements.md, stop 24).
    """
    return await heavy_lane(request).run(functools.partial(fn, *args, **kwargs))


SettingsDep = Annotated[Settings, Depends(get_settings)]
WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]
