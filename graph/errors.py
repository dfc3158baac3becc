"""Typed exceptions that callers (the CLI, the API) can catch precisely.

Every error linkwatch raises on purpose derives from :class:`LinkwatchError`. The HTTP
API answers each with its own status (``api/app.py``): :class:`NotFound` 404,
:class:`QueryError` 400, :class:`QueryTimeout` 504, :class:`StoreUnavailable` 503,
:class:`ConfigError` 500.

Examples
--------
>>> issubclass(NodeNotFound, NotFound), issubclass(UnknownName, QueryError)
(True, True)
"""

from __future__ import annotations


class LinkwatchError(Exception):
    """Base class of every error linkwatch raises on purpose.

    Catch it to tell linkwatch's own refusals (with messages that say what to fix)
    from bugs.

    Examples
    --------
    >>> from graph.model import MODEL
    >>> try:
    ...     MODEL.node("Nope")
    ... except LinkwatchError as e:
    ...     type(e).__name__
    'UnknownName'
    """


class ConfigError(LinkwatchError):
    """A setting is missing or invalid; the message says which and how to fix it.

    Examples
    --------
    >>> from graph.settings import Settings
    >>> Settings(store="neo4j", neo4j_uri="").check()  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graph.errors.ConfigError: --store neo4j needs a server address: set LINKWATCH_NEO4J_URI (for ...
    """


class StoreUnavailable(LinkwatchError):
    """The store cannot be opened or reached (locked by another writer, server down).

    Examples
    --------
    A query sandbox that was closed answers no more queries:

    >>> from pathlib import Path
    >>> from graph.sandbox import QuerySandbox
    >>> from graph.settings import Settings
    >>> sandbox = QuerySandbox(Path("graph.lbdb"), Settings())
    >>> sandbox.close()
    >>> sandbox.run("RETURN 1 AS x", {}, None)
    Traceback (most recent call last):
    ...
    graph.errors.StoreUnavailable: the store was closed
    """


class QueryError(LinkwatchError):
    """A query is malformed, refers to unknown names, or misses a parameter.

    Examples
    --------
    >>> from graph.guard import check_user_query
    >>> check_user_query("MATCH (o) DELETE o", max_hops=6)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graph.errors.QueryError: DELETE is not allowed in a query here (writes are refused); to use the ...
    """


class QueryTimeout(LinkwatchError):
    """A query ran past the configured timeout.

    Examples
    --------
    >>> engine_error(RuntimeError("Interrupted."), 30)
    QueryTimeout('query ran past 30 s and was stopped')
    """


class NotFound(LinkwatchError):
    """No such thing: a node, a saved query, a token (the API answers 404).

    Examples
    --------
    >>> isinstance(NodeNotFound("no node with id 'Officer:Z'"), NotFound)
    True
    """


class NodeNotFound(NotFound):
    """No node has the given id.

    Raised by :meth:`graph.store.GraphStore.node`, ``neighbourhood`` and
    ``shortest_paths``.

    Examples
    --------
    >>> import tempfile
    >>> from graph.settings import Settings
    >>> from graph.workspace import open_store
    >>> with open_store(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256)) as store:
    ...     store.node("Officer:Z")
    Traceback (most recent call last):
    ...
    graph.errors.NodeNotFound: no node with id 'Officer:Z'
    """


class UnknownName(QueryError):
    """A label, relationship type or id that the data model does not know.

    Examples
    --------
    >>> from graph.model import MODEL
    >>> MODEL.label_of_uid("Dog:1")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graph.errors.UnknownName: unknown node label 'Dog'; known: ['CaseFile', ...]
    """


def engine_error(e: Exception, timeout_s: float) -> LinkwatchError:
    """The typed error for an embedded engine's error message.

    Parameters
    ----------
    e : Exception
        The engine's error (Ladybug raises ``RuntimeError`` with a message).
    timeout_s : float
        The query timeout in force, for the message of a :class:`QueryTimeout`.

    Returns
    -------
    LinkwatchError
        :class:`QueryTimeout` for an interrupted or timed-out query,
        :class:`QueryError` for anything else (a write refused on a read-only
        handle says so).

    Examples
    --------
    >>> engine_error(RuntimeError("Interrupted."), 60)
    QueryTimeout('query ran past 60 s and was stopped')
    >>> err = RuntimeError("Cannot execute write operations in a read-only database!")
    >>> engine_error(err, 60)  # doctest: +ELLIPSIS
    QueryError('the query tries to write, which is refused here: Cannot execute write operations in ...')
    >>> engine_error(RuntimeError("Binder exception: Table Dog does not exist."), 60)
    QueryError('Binder exception: Table Dog does not exist.')
    """
    msg = str(e)
    if "interrupt" in msg.lower() or "timeout" in msg.lower():
        return QueryTimeout(f"query ran past {timeout_s:g} s and was stopped")
    if "read-only" in msg.lower():
        return QueryError(f"the query tries to write, which is refused here: {msg}")
    return QueryError(msg)
