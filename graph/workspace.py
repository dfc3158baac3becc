"""The workspace: every store of one deployment, opened once and closed once.

A deployment keeps four things: the graph store (Ladybug embedded, or Neo4j), the event
store (DuckDB, :mod:`graph.events`), the metadata store (tokens, saved queries,
assessments: :mod:`graph.meta`) and the audit log (:mod:`graph.audit`). A
:class:`Workspace` built from :class:`~graph.settings.Settings` opens each when it is
first used and closes them all once. Every door (the command line, the HTTP API, the
pages) gets one and hands it to the operations; none opens a store of its own.

On the server the workspace is *shared*: requests read the embedded store through a
read-only handle that is reopened after each write (see :class:`StoreProvider`), and
each request pins one snapshot for its whole life (:meth:`Workspace.pinned`).

>>> import tempfile
>>> from pathlib import Path
>>> with Workspace(Settings(data_dir=Path(tempfile.mkdtemp()) / "data")) as ws:
...     ws.meta.tokens(), ws.events is None
([], True)
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.audit import AuditLog
from graph.events import EVENT_DB, EventStore
from graph.meta import MetaStore
from graph.settings import Settings
from graph.store import GraphStore


def open_store(settings: Settings, *, read_only: bool = False) -> GraphStore:
    """Open the graph store the settings name.

    ``read_only`` opens the embedded store read-only (it may then run beside a writer
    such as ``linkwatch ingest``); on Neo4j every ``query`` already runs in a read
    transaction.

    >>> import tempfile
    >>> from pathlib import Path
    >>> s = Settings(data_dir=Path(tempfile.mkdtemp()) / "data", buffer_pool_mb=256)
    >>> with open_store(s) as st:
    ...     st.name, st.query("MATCH (o:Officer) RETURN count(*) AS n")
    ('embedded', [{'n': 0}])
    """
    if settings.store == "neo4j":
        from graph.neo4j_store import Neo4jStore

        return Neo4jStore(settings)
    from graph.embedded import EmbeddedStore

    return EmbeddedStore(settings, read_only=read_only)


def open_events(settings: Settings, *, read_only: bool = True) -> EventStore | None:
    """The event store of the settings' data folder (``None`` when no events were ever
    ingested and it is opened read-only)."""
    if read_only and not (Path(settings.data_dir) / EVENT_DB).exists():
        return None
    return EventStore(
        Path(settings.data_dir),
        memory_mb=settings.event_memory_mb,
        timezone=settings.timezone,
        read_only=read_only,
    )


@dataclass
class _Generation:
    """One opened store and the requests using it."""

    store: GraphStore
    stamp: float
    users: int = 0
    retired: bool = False


class StoreProvider:
    """Hands out a graph store for reading, to any number of requests at once.

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


class Workspace:
    """The graph, event and metadata stores and the audit log of one deployment.

    Parameters
    ----------
    settings
        Where everything lives (data folder, store kind, Neo4j address, limits).
    write
        Open the graph store for writing (``ingest``, ``detect``); otherwise read-only,
        beside any writer.
    shared
        A server's workspace: requests read the graph through a :class:`StoreProvider`
        and each pins one snapshot with :meth:`pinned`.
    store
        An already open graph store to use (and not close): for callers that hold one.

    Each store is opened when first used and closed by :meth:`close` (or leaving a
    ``with`` block).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        write: bool = False,
        shared: bool = False,
        store: GraphStore | None = None,
    ) -> None:
        self.settings = settings
        self.write = write
        self._shared = StoreProvider(settings) if shared else None
        self._store = store
        self._owns_store = store is None
        self._events: EventStore | None = None
        self._events_opened = False
        self._meta: MetaStore | None = None
        self._audit: AuditLog | None = None
        self._lock = threading.Lock()
        self._parent: Workspace | None = None

    @classmethod
    def of_store(cls, store: GraphStore, *, write: bool = True) -> Workspace:
        """A workspace around an open graph store (its settings name the rest)."""
        return cls(store.settings, write=write, store=store)

    # -- the stores ------------------------------------------------------------------

    @property
    def store(self) -> GraphStore:
        """The graph store (opened on first use; on a shared workspace use :meth:`pinned`)."""
        if self._store is None:
            if self._shared is not None:
                raise RuntimeError("a shared workspace's graph is read through Workspace.pinned()")
            with self._lock:
                if self._store is None:
                    self._store = open_store(self.settings, read_only=not self.write)
        return self._store

    @property
    def events(self) -> EventStore | None:
        """The event store, read-only (``None`` when no events were ever ingested). Its
        one writer is ingest (:class:`ingest.events.EventLoader`)."""
        if self._parent is not None:
            return self._parent.events
        if not self._events_opened:
            with self._lock:
                if not self._events_opened:
                    self._events = open_events(self.settings, read_only=True)
                    self._events_opened = True
        return self._events

    @property
    def meta(self) -> MetaStore:
        """Tokens, saved queries and assessments (``meta.sqlite``)."""
        if self._parent is not None:
            return self._parent.meta
        if self._meta is None:
            with self._lock:
                if self._meta is None:
                    self._meta = MetaStore(Path(self.settings.data_dir))
        return self._meta

    @property
    def audit(self) -> AuditLog:
        """The audit log: the one writer of every look's record."""
        if self._parent is not None:
            return self._parent.audit
        if self._audit is None:
            self._audit = AuditLog.of(self.settings)
        return self._audit

    @property
    def provider(self) -> StoreProvider | None:
        """The snapshot provider of a shared workspace."""
        return self._shared

    @contextmanager
    def pinned(self) -> Iterator[Workspace]:
        """A view of this workspace whose graph store is one snapshot, held until the
        block ends (on a workspace that is not shared: this workspace itself)."""
        if self._shared is None:
            yield self
            return
        gen = self._shared.acquire()
        view = Workspace(self.settings, store=gen.store)
        view._parent = self
        try:
            yield view
        finally:
            self._shared.release(gen)

    # -- closing ---------------------------------------------------------------------

    def close(self) -> None:
        """Close every store this workspace opened."""
        if self._parent is not None:
            return
        if self._store is not None and self._owns_store:
            self._store.close()
            self._store = None
        if self._shared is not None:
            self._shared.close()
        if self._events is not None:
            self._events.close()
            self._events = None
        self._events_opened = False
        if self._meta is not None:
            self._meta.close()
            self._meta = None

    def abort(self) -> None:
        """Close without keeping the graph store's writes (the embedded store discards
        its working copy), as leaving a ``with`` block on an error does."""
        if self._store is not None and self._owns_store:
            self._store.abort()
            self._store = None
        self.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is not None:
            self.abort()
        else:
            self.close()
