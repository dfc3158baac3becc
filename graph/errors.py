"""Typed exceptions that callers (the CLI, the API) can catch precisely."""

from __future__ import annotations


class LinkwatchError(Exception):
    """Base class of every error linkwatch raises on purpose."""


class ConfigError(LinkwatchError):
    """A setting is missing or invalid; the message says which and how to fix it."""


class StoreUnavailable(LinkwatchError):
    """The store cannot be opened or reached (locked by another writer, server down)."""


class QueryError(LinkwatchError):
    """A query is malformed, refers to unknown names, or misses a parameter."""


class QueryTimeout(LinkwatchError):
    """A query ran past the configured timeout."""


class NotFound(LinkwatchError):
    """No such thing: a node, a saved query, a token (the API answers 404)."""


class NodeNotFound(NotFound):
    """No node has the given id."""


class UnknownName(QueryError):
    """A label, relationship type or id that the data model does not know."""


def engine_error(e: Exception, timeout_s: float) -> LinkwatchError:
    """The typed error for an embedded engine's error message."""
    msg = str(e)
    if "interrupt" in msg.lower() or "timeout" in msg.lower():
        return QueryTimeout(f"query ran past {timeout_s:g} s and was stopped")
    if "read-only" in msg.lower():
        return QueryError(f"the query tries to write, which is refused here: {msg}")
    return QueryError(msg)
