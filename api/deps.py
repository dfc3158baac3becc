"""Dependencies shared by the routers: the settings and a store to read from."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request

from graph.settings import Settings
from graph.store import GraphStore, open_store


class StoreProvider:
    """Hands out a store for reading.

    On the embedded store the server holds a *read-only* handle, so ``linkwatch ingest``
    and ``linkwatch detect`` (the only writers) can run beside it. A read-only handle sees
    the data as it was when opened, so before each request the provider checks the
    store's write stamp (one ``stat``) and reopens the handle if a writer has finished
    since. Requests are served one at a time on the embedded store.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # A plain Lock, not an RLock: FastAPI enters and exits a generator dependency in
        # possibly different worker threads, and an RLock released by another thread stays
        # held (it wedged the server under parallel requests).
        self._lock = threading.Lock()
        self._store: GraphStore | None = None
        self._stamp = -1.0

    def _current_stamp(self) -> float:
        if self.settings.store != "embedded":
            return 0.0
        from graph.embedded import changed_stamp

        return changed_stamp(self.settings.data_dir)

    @property
    def reopened(self) -> int:
        return self._reopens

    _reopens = 0

    def get(self) -> GraphStore:
        stamp = self._current_stamp()
        if self._store is None or stamp != self._stamp:
            if self._store is not None:
                self._store.close()
                self._reopens += 1
            self._store = open_store(self.settings, read_only=True)
            self._stamp = stamp
        return self._store

    @property
    def lock(self) -> threading.Lock:
        return self._lock

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_store(request: Request) -> Iterator[GraphStore]:
    provider: StoreProvider = request.app.state.stores
    with provider.lock:
        yield provider.get()


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[GraphStore, Depends(get_store)]
