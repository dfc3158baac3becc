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

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.audit import AuditLog
from graph.events import EVENT_DB, EventStore
from graph.meta import MetaStore
from graph.settings import Settings
from graph.store import GraphStore

log = logging.getLogger(__name__)


def open_store(settings: Settings, *, read_only: bool = False) -> GraphStore:
    """Open the graph store the settings name.

    ``read_only`` opens the embedded store read-only (it may then run beside a writer
    such as ``linkwatch ingest``); on Neo4j every ``query`` already runs in a read
    transaction.

    Parameters
    ----------
    settings : Settings
        ``store`` picks the kind; the rest say where it is and its limits.
    read_only : bool, default False
        Open the embedded store read-only.

    Returns
    -------
    GraphStore
        An :class:`~graph.embedded.EmbeddedStore` or a
        :class:`~graph.neo4j_store.Neo4jStore`, open; close it (or use ``with``).

    Raises
    ------
    StoreUnavailable
        If the store cannot be opened (the embedded store's writer lock is held, the
        Neo4j server cannot be reached).

    See Also
    --------
    Workspace : Opens it with the other stores of a deployment.

    Examples
    --------
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
    """The event store of the settings' data folder.

    ``None`` when no events were ever ingested and it is opened read-only.

    Parameters
    ----------
    settings : Settings
        ``data_dir``, ``event_memory_mb`` and ``timezone`` are read.
    read_only : bool, default True
        Open read-only (readers); ingest opens it for writing.

    Returns
    -------
    EventStore or None
        The event store, or ``None`` (read-only, no events yet).

    Raises
    ------
    StoreUnavailable
        If DuckDB cannot open the file (a writer holds it).

    Examples
    --------
    >>> import tempfile
    >>> s = Settings(data_dir=tempfile.mkdtemp(), event_memory_mb=256)
    >>> open_events(s) is None
    True
    >>> events = open_events(s, read_only=False)
    >>> events.path.name
    'events.duckdb'
    >>> events.close()
    """
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

    On Neo4j there are no snapshots: one handle serves every request.

    Parameters
    ----------
    settings : Settings
        The store to open.
    on_open : callable, optional
        Called with each snapshot's store once it opens, on a thread of its own, while
        requests already use it: a server builds its caches there (the search index,
        the pseudonyms), so its first users after a start or an ingest do not wait for
        them one request at a time.

    See Also
    --------
    Workspace.pinned : How a request uses it.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> from graph.store import RunInfo
    >>> s = Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256)
    >>> open_store(s).close()  # an empty store
    >>> provider = StoreProvider(s)
    >>> first = provider.acquire()  # a request starts
    >>> with open_store(s) as writer:  # an ingest finishes meanwhile
    ...     _ = writer.load_nodes("Officer", pd.DataFrame({"officer_id": ["A"]}), RunInfo.new("doc"))
    >>> second = provider.acquire()  # the next request reads the new snapshot
    >>> count = "MATCH (o:Officer) RETURN count(o) AS n"
    >>> first.store.query(count), second.store.query(count)
    ([{'n': 0}], [{'n': 1}])
    >>> provider.release(first)  # the old snapshot closes with its last request
    >>> provider.release(second)
    >>> provider.reopened
    1
    >>> provider.close()
    """

    def __init__(self, settings: Settings, on_open: Callable[[GraphStore], None] | None = None) -> None:
        self.settings = settings
        self._on_open = on_open
        self._warmers: list[threading.Thread] = []
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
        """How often a newer snapshot was opened.

        Returns
        -------
        int
            Snapshots opened after the first.

        Examples
        --------
        >>> StoreProvider(Settings()).reopened
        0
        """
        return self._reopens

    def acquire(self) -> _Generation:
        """Take the current snapshot for one request; give it back with :meth:`release`.

        Opens a newer snapshot first when a writer has finished since the last one
        was opened (the old one closes when its last user releases it).

        Returns
        -------
        _Generation
            The handle (``.store``, read-only) and the count of its users.

        Raises
        ------
        StoreUnavailable
            If the store cannot be opened.

        Examples
        --------
        >>> import tempfile
        >>> provider = StoreProvider(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256))
        >>> gen = provider.acquire()
        >>> gen.store.read_only, gen.users
        (True, 1)
        >>> provider.release(gen)
        >>> provider.close()
        """
        stamp = self._current_stamp()
        with self._lock:
            gen = self._gen
            if gen is None or stamp != gen.stamp:
                fresh = _Generation(open_store(self.settings, read_only=True), stamp)
                if gen is not None:
                    self._reopens += 1
                    self._retire(gen)
                self._gen = gen = fresh
                if self._on_open is not None:
                    fresh.users += 1  # held by the warm-up until it is done
                    warmer = threading.Thread(
                        target=self._warm, args=(fresh,), name="linkwatch-warm", daemon=True
                    )
                    self._warmers = [t for t in self._warmers if t.is_alive()] + [warmer]
                    warmer.start()
            gen.users += 1
            return gen

    def _warm(self, gen: _Generation) -> None:
        """Run ``on_open`` on a snapshot just opened, beside the requests using it; a
        failure is logged, never raised (the requests build what they need themselves)."""
        try:
            assert self._on_open is not None
            self._on_open(gen.store)
        except Exception as e:  # a warm-up that fails costs only time
            log.warning("warming the new snapshot failed: %s", e)
        finally:
            self.release(gen)

    def release(self, gen: _Generation) -> None:
        """Give back a snapshot :meth:`acquire` handed out.

        A retired one closes with its last user.

        Parameters
        ----------
        gen : _Generation
            What :meth:`acquire` returned.

        Examples
        --------
        >>> import tempfile
        >>> provider = StoreProvider(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256))
        >>> gen = provider.acquire()
        >>> provider.release(gen)
        >>> gen.users
        0
        >>> provider.close()
        """
        with self._lock:
            gen.users -= 1
            if gen.retired and gen.users == 0:
                gen.store.close()

    def _retire(self, gen: _Generation) -> None:
        gen.retired = True
        if gen.users == 0:
            gen.store.close()

    def close(self) -> None:
        """Close the current snapshot (when the server stops).

        Examples
        --------
        >>> import tempfile
        >>> provider = StoreProvider(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256))
        >>> provider.release(provider.acquire())
        >>> provider.close()
        >>> provider.close()  # again: nothing to close
        """
        for warmer in list(self._warmers):  # a store is never closed under a warm-up's query
            warmer.join()
        with self._lock:
            if self._gen is not None:
                self._gen.retired = True
                self._gen.store.close()
                self._gen = None


class Workspace:
    """The graph, event and metadata stores and the audit log of one deployment.

    Each store is opened when first used and closed by :meth:`close` (or leaving a
    ``with`` block).

    Parameters
    ----------
    settings : Settings
        Where everything lives (data folder, store kind, Neo4j address, limits).
    write : bool, default False
        Open the graph store for writing (``ingest``, ``detect``); otherwise read-only,
        beside any writer.
    shared : bool, default False
        A server's workspace: requests read the graph through a :class:`StoreProvider`
        and each pins one snapshot with :meth:`pinned`.
    store : GraphStore, optional
        An already open graph store to use (and not close): for callers that hold one.
    warm : callable, optional
        With ``shared``: called with a workspace on each snapshot as it opens
        (:class:`StoreProvider`'s ``on_open``).

    See Also
    --------
    open_store : The graph store alone.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> from graph.store import RunInfo
    >>> s = Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256)
    >>> with Workspace(s, write=True) as ws:
    ...     _ = ws.store.load_nodes("Unit", pd.DataFrame({"unit_id": ["U1"]}), RunInfo.new("doc"))
    >>> with Workspace(s) as ws:
    ...     ws.store.read_only, ws.store.query("MATCH (u:Unit) RETURN u.uid AS uid")
    (True, [{'uid': 'Unit:U1'}])
    """

    def __init__(
        self,
        settings: Settings,
        *,
        write: bool = False,
        shared: bool = False,
        store: GraphStore | None = None,
        warm: Callable[[Workspace], None] | None = None,
    ) -> None:
        self.settings = settings
        self.write = write
        on_open = None if warm is None else (lambda st: warm(Workspace(settings, store=st)))
        self._shared = StoreProvider(settings, on_open) if shared else None
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
        """A workspace around an open graph store (its settings name the rest).

        Closing the workspace does not close that store.

        Parameters
        ----------
        store : GraphStore
            An open graph store.
        write : bool, default True
            Whether the workspace writes (the store is given, so this is only
            recorded).

        Returns
        -------
        Workspace

        Examples
        --------
        >>> import tempfile
        >>> store = open_store(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256))
        >>> ws = Workspace.of_store(store)
        >>> ws.store is store
        True
        >>> ws.close()
        >>> store.ping()  # still open
        >>> store.close()
        """
        return cls(store.settings, write=write, store=store)

    # -- the stores ------------------------------------------------------------------

    @property
    def store(self) -> GraphStore:
        """The graph store (opened on first use; on a shared workspace use :meth:`pinned`).

        Read-write when the workspace was made with ``write=True``, else read-only.

        Returns
        -------
        GraphStore

        Raises
        ------
        RuntimeError
            On a shared workspace (outside :meth:`pinned`).
        StoreUnavailable
            If the store cannot be opened.

        Examples
        --------
        >>> import tempfile
        >>> s = Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256)
        >>> with Workspace(s, write=True) as ws:
        ...     ws.store.name, ws.store.read_only
        ('embedded', False)
        >>> Workspace(s, shared=True).store
        Traceback (most recent call last):
        ...
        RuntimeError: a shared workspace's graph is read through Workspace.pinned()
        """
        if self._store is None:
            if self._shared is not None:
                raise RuntimeError("a shared workspace's graph is read through Workspace.pinned()")
            with self._lock:
                if self._store is None:
                    self._store = open_store(self.settings, read_only=not self.write)
        return self._store

    @property
    def events(self) -> EventStore | None:
        """The event store, read-only (``None`` when no events were ever ingested).

        Its one writer is ingest (:class:`ingest.events.EventLoader`).

        Returns
        -------
        EventStore or None

        Examples
        --------
        >>> import tempfile
        >>> with Workspace(Settings(data_dir=tempfile.mkdtemp())) as ws:
        ...     ws.events is None
        True
        """
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
        """Tokens, saved queries and assessments (``meta.sqlite``).

        Returns
        -------
        MetaStore

        Examples
        --------
        >>> import tempfile
        >>> with Workspace(Settings(data_dir=tempfile.mkdtemp())) as ws:
        ...     ws.meta.path.name, ws.meta.tokens()
        ('meta.sqlite', [])
        """
        if self._parent is not None:
            return self._parent.meta
        if self._meta is None:
            with self._lock:
                if self._meta is None:
                    self._meta = MetaStore(Path(self.settings.data_dir))
        return self._meta

    @property
    def audit(self) -> AuditLog:
        """The audit log: the one writer of every look's record.

        Returns
        -------
        AuditLog
            The log the settings name (:meth:`AuditLog.of`).

        Examples
        --------
        >>> import tempfile
        >>> with Workspace(Settings(data_dir=tempfile.mkdtemp())) as ws:
        ...     ws.audit.path.name, ws.audit.verify().ok
        ('audit.jsonl', True)
        """
        if self._parent is not None:
            return self._parent.audit
        if self._audit is None:
            self._audit = AuditLog.of(self.settings)
        return self._audit

    @property
    def provider(self) -> StoreProvider | None:
        """The snapshot provider of a shared workspace.

        Returns
        -------
        StoreProvider or None
            ``None`` on a workspace that is not shared.

        Examples
        --------
        >>> Workspace(Settings()).provider is None, Workspace(Settings(), shared=True).provider is None
        (True, False)
        """
        return self._shared

    @contextmanager
    def pinned(self) -> Iterator[Workspace]:
        """A view of this workspace whose graph store is one snapshot, held until the block ends.

        On a workspace that is not shared: this workspace itself.

        The view shares this workspace's event store, metadata store and audit log;
        closing it closes nothing.

        Yields
        ------
        Workspace
            The view.

        Raises
        ------
        StoreUnavailable
            If the snapshot cannot be opened.

        Examples
        --------
        >>> import tempfile
        >>> s = Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256)
        >>> ws = Workspace(s, shared=True)
        >>> with ws.pinned() as view:
        ...     view.store.query("MATCH (o:Officer) RETURN count(o) AS n"), view.meta is ws.meta
        ([{'n': 0}], True)
        >>> ws.close()
        """
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
        """Close every store this workspace opened.

        A view from :meth:`pinned` closes nothing; a store given to the workspace is
        left open. The stores open again if used after.

        Examples
        --------
        >>> import tempfile
        >>> ws = Workspace(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256))
        >>> store = ws.store
        >>> ws.close()
        >>> store.ping()  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        graph.errors.StoreUnavailable: the embedded store at ... is closed
        """
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
        """Close without keeping the graph store's writes.

        As leaving a ``with`` block on an error does: the embedded store discards its working
        copy.

        Examples
        --------
        >>> import tempfile
        >>> import pandas as pd
        >>> from graph.store import RunInfo
        >>> s = Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256)
        >>> ws = Workspace(s, write=True)
        >>> _ = ws.store.load_nodes("Unit", pd.DataFrame({"unit_id": ["U1"]}), RunInfo.new("doc"))
        >>> ws.abort()
        >>> with Workspace(s) as ws:
        ...     ws.store.query("MATCH (u:Unit) RETURN count(u) AS n")
        [{'n': 0}]
        """
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
