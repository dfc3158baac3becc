"""What the association detectors share."""

from __future__ import annotations


def counted(cypher: str) -> str:
    """An input's count query: the rows ``cypher`` (a MATCH ... WHERE) matches, as ``n``."""
    return cypher + " RETURN count(*) AS n"
