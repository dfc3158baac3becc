"""A first guard for user-written Cypher (``linkwatch query``): read-only, no file or
network access, bounded variable-length patterns.

The store also runs user queries read-only (a read-only embedded handle, a Neo4j read
transaction), but read-only is not enough: a read-only handle can still read files
(``LOAD FROM``) and an unbounded ``-[*]-`` can take all memory. This check refuses those
before the query is sent.

>>> check_user_query("MATCH (o:Officer)-[*1..3]-(x) RETURN count(x)", max_hops=6)
>>> check_user_query("MATCH (o)-[*]-(x) RETURN x", max_hops=6)
Traceback (most recent call last):
...
graph.errors.QueryError: variable-length patterns need an upper bound of at most 6 hops (e.g. -[*1..3]-)
"""

from __future__ import annotations

import re

from graph.errors import QueryError

_STRINGS_AND_COMMENTS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|//[^\n]*|/\*.*?\*/", re.S)
_FORBIDDEN = {
    "CREATE": "writes",
    "MERGE": "writes",
    "SET": "writes",
    "DELETE": "writes",
    "REMOVE": "writes",
    "DROP": "schema changes",
    "ALTER": "schema changes",
    "COPY": "file access",
    "LOAD": "file and network access",
    "CALL": "procedure calls",
    "FOREACH": "writes",
    "INSTALL": "extensions",
    "ATTACH": "other databases",
    "EXPORT": "file access",
    "IMPORT": "file access",
    "USE": "other databases",
}
_WORD = re.compile(r"\b([A-Za-z_]+)\b")
_VARLEN = re.compile(r"\[[^\]]*\*([^\]]*)\]")


def check_user_query(cypher: str, max_hops: int) -> None:
    """Raise :class:`QueryError` if a user query may write, touch files or other
    databases, call procedures, or expand an unbounded variable-length pattern."""
    code = _STRINGS_AND_COMMENTS.sub("''", cypher)
    for m in _WORD.finditer(code):
        word = m.group(1).upper()
        if word in _FORBIDDEN and not _is_property_or_label(code, m.start(), m.end()):
            raise QueryError(f"{word} is not allowed in a query here ({_FORBIDDEN[word]} are refused)")
    for m in _VARLEN.finditer(code):
        spec = m.group(1)
        bounds = re.search(r"(\d*)\s*\.\.\s*(\d+)\s*$", spec.split("(")[0].strip())
        exact = re.fullmatch(r"\s*(\d+)\s*", spec.split("(")[0]) if spec.strip() else None
        hops = int(bounds.group(2)) if bounds else int(exact.group(1)) if exact else None
        if hops is None or hops > max_hops:
            raise QueryError(
                f"variable-length patterns need an upper bound of at most {max_hops} hops (e.g. -[*1..3]-)"
            )


def _is_property_or_label(code: str, start: int, end: int) -> bool:
    """``n.set``, ``:Copy`` or ``{load: 1}`` use the word as a name, not a clause."""
    before = code[:start].rstrip()
    after = code[end:].lstrip()
    return before.endswith((".", ":", "`")) or (after.startswith(":") and not after.startswith("::"))
