"""Dependencies shared by the routers: the settings and a store to read from."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from graph.settings import Settings
from graph.store import GraphStore, open_store


@dataclass
class _Generation:
    """One opened store and the requests using it."""

    store: GraphStore
    stamp: float
    users: int = 0
    retired: bool = False


class StoreProvider:
    """Hands out a store for reading, to any number of requests at once.

    On the embedded store the server holds a *read-only* handle (a pool of connections
    over one snapshot), so ``linkwatch ingest`` and ``linkwatch detect`` (the only
    writers) can run beside it. Before each request the provider checks the store's
    write stamp (one ``stat``); when a writer has finished since, it opens the new
    snapshot for the requests that come next, and closes the old one once the last
    request using it is done. So every request reads one snapshot from start to end,
    old or new, never a mix, and no request waits for another: the provider's lock is
    held only to swap or count, never during a query. (At stop 8 one lock was held for
    a whole request; with every worker thread waiting for it, 41 parallel requests
    hung the server for good.)
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._gen: _Generation | None = None
        self._reopens = 0

    def _current_stamp(self) -> float:
        if self.settings.store != "embedded":
            return 0.0
        from graph.embedded import changed_stamp

        return changed_stamp(self.settings.data_dir)

    @property
    def reopened(self) -> int:
        """How often a newer snapshot was opened."""
        return self._reopens

    def acquire(self) -> _Generation:
        stamp = self._current_stamp()
        with self._lock:
            gen = self._gen
            if gen is None or stamp != gen.stamp:
                fresh = _Generation(open_store(self.settings, read_only=True), stamp)
                if gen is not None:
                    self._reopens += 1
                    self._retire(gen)
                self._gen = gen = fresh
            gen.users += 1
            return gen

    def release(self, gen: _Generation) -> None:
        with self._lock:
            gen.users -= 1
            if gen.retired and gen.users == 0:
                gen.store.close()

    def _retire(self, gen: _Generation) -> None:
        gen.retired = True
        if gen.users == 0:
            gen.store.close()

    def close(self) -> None:
        with self._lock:
            if self._gen is not None:
                self._gen.retired = True
                self._gen.store.close()
                self._gen = None


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_store(request: Request) -> Iterator[GraphStore]:
    provider: StoreProvider = request.app.state.stores
    gen = provider.acquire()
    try:
        yield gen.store
    finally:
        provider.release(gen)


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[GraphStore, Depends(get_store)]
