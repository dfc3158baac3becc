"""Ad-hoc read-only Cypher for analysts: guarded, timed out, row-limited, audited."""

from __future__ import annotations

from typing import Any

from api.ops.look import Look
from graph.audit import strip_literals
from graph.workspace import Workspace


def adhoc(
    ws: Workspace,
    look: Look,
    cypher: str,
    params: dict[str, Any] | None = None,
    *,
    max_rows: int = 10_000,
    action: str = "query",
) -> tuple[list[dict[str, Any]], bool]:
    """Run a read-only Cypher query (Neo4j dialect) with parameters: at most
    ``max_rows`` rows, and whether there were more.

    Writes, procedure calls, file and network access (``LOAD CSV``, ``LOAD FROM``,
    ``COPY``) and variable-length patterns without a small upper bound are refused by
    the store's guard; the store's query timeout applies. Audited as ``action``
    (``query``, or ``export``) with the query as sent, literals and all (auditors see
    what was looked up), and a redacted copy for views meant for a wider audience."""
    look.need_purpose("an ad-hoc query")
    rows = ws.store.user_query(cypher, params or {}, max_rows=max_rows + 1)
    look.record(
        ws.audit,
        action,
        cypher,
        params=params or {},
        result_size=len(rows[:max_rows]),
        what_redacted=strip_literals(cypher),
    )
    return rows[:max_rows], len(rows) > max_rows
