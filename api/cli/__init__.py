"""The ``linkwatch`` command line: a thin door over the operations (:mod:`api.ops`).

One module per command group; each command parses its options, calls one operation and
prints its result. Every command that opens the graph store takes ``--store
embedded|neo4j`` (default embedded), ``--data-dir`` (default ``./linkwatch-data``, or
``LINKWATCH_DATA_DIR``) and the Neo4j connection (``LINKWATCH_NEO4J_URI``, ``_USER``,
``_PASSWORD``, ``_DATABASE`` or the flags), declared once in :mod:`api.cli.common`.
"""

from __future__ import annotations

from api.cli import audit, cases, check, demo, detect, flags, ingest, queries, serve, subject, tokens  # noqa: F401 (commands)
from api.cli.common import app


def main() -> None:
    app()


__all__ = ["app", "main"]
