"""The guard for queries people write (ad-hoc Cypher, saved queries): read clauses and
functions from an explicit list, bounded patterns, one statement.

The guard does not pattern-match the text. It tokenises the query the way a Cypher
lexer does (strings with their escapes, ``backtick`` names, comments, numbers,
parameters, operators), checks the tokens, and **re-emits** the text the engine runs:

- every string literal becomes a parameter (``$lw_s0``, ``$lw_s1`` …), so no quoting
  or escaping trick can make the engine read a string differently from the guard;
- comments are dropped (a comment inside a word splits it, as in every Cypher lexer);
- a ``backtick`` name is written back in canonical form.

Then:

- every bare word that is a keyword of Cypher (Neo4j 5) or of Ladybug must be one of
  the read keywords (:data:`READ_KEYWORDS`); any other keyword (``CALL``, ``LOAD``,
  ``COPY``, ``CHECKPOINT``, ``BEGIN`` …) is refused wherever it stands. A word used as a
  name may be quoted in backticks; a property key after ``.`` is always a name;
- every function called must be in :data:`FUNCTIONS` (no procedures, no namespaced
  functions but a few temporal ones);
- variable-length relationships need an upper bound of at most ``max_hops``, and
  Neo4j's quantified path patterns are refused;
- one statement (a trailing ``;`` is allowed), no ``EXPLAIN`` / ``PROFILE``;
- characters outside ASCII are allowed only in strings and quoted names.

The store adds what a guard cannot give: the embedded store runs a user query in a
worker process killed at the query timeout or memory cap (:mod:`graph.sandbox`), Neo4j
in a read transaction with a server-side timeout.

>>> q = prepare_user_query("MATCH (o:Officer {surname: 'O''Neil'}) RETURN o.uid", max_hops=6)
>>> q.text
'MATCH (o:Officer {surname: $lw_s0 }) RETURN o.uid'
>>> q.params
{'lw_s0': "O'Neil"}
>>> check_user_query("MATCH (o)-[*]-(x) RETURN x", max_hops=6)
Traceback (most recent call last):
...
graph.errors.QueryError: variable-length patterns need an upper bound of at most 6 hops (e.g. -[*1..3]-)
>>> check_user_query("WITH 1 AS `x` LOAD FROM '/etc/passwd' RETURN *", max_hops=6)
Traceback (most recent call last):
...
graph.errors.QueryError: LOAD is not allowed in a query here (file and network access are refused); to use the word as a name, quote it in backticks
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from graph.errors import QueryError

PARAM_PREFIX = "lw_s"
"""Names of the parameters string literals become (a user's own may not start so)."""

READ_KEYWORDS = frozenset(
    """MATCH OPTIONAL WHERE WITH RETURN UNWIND ORDER BY SKIP LIMIT UNION ALL DISTINCT AS
    AND OR XOR NOT IN IS NULL TRUE FALSE CASE WHEN THEN ELSE END STARTS ENDS CONTAINS
    ASC ASCENDING DESC DESCENDING EXISTS COUNT COLLECT ANY NONE SINGLE SHORTEST CAST
    TRAIL ACYCLIC""".split()
)
"""Keywords a read query may use."""

_REASONS = {
    "writes": "CREATE MERGE SET DELETE DETACH REMOVE FOREACH INSERT UPDATE ADD RENAME INCREMENT "
    "SEQUENCE MACRO",
    "file and network access": "LOAD COPY IMPORT EXPORT FROM CSV HEADERS GLOB",
    "procedure calls": "CALL YIELD STANDALONE",
    "schema changes": "DROP ALTER TABLE NODE REL INDEX CONSTRAINT COMMENT PRIMARY KEY TYPE COLUMN "
    "DEFAULT REQUIRE UNIQUE ASSERT MANDATORY SCALAR",
    "transactions and checkpoints": "BEGIN COMMIT ROLLBACK TRANSACTION TRANSACTIONS CHECKPOINT "
    "COMMIT_SKIP_CHECKPOINT ROLLBACK_SKIP_CHECKPOINT READ WRITE ONLY",
    "extensions": "INSTALL UNINSTALL EXTENSION FORCE",
    "other databases and graphs": "USE ATTACH DATABASE DATABASES DBTYPE GRAPH GRAPHS PROJECT COMPOSITE ALIAS",
    "administration": "SHOW TERMINATE GRANT DENY REVOKE USER USERS ROLE ROLES PASSWORD PRIVILEGE "
    "PRIVILEGES SERVER SERVERS ENABLE DISABLE START STOP SUSPENDED",
    "query plans and hints": "EXPLAIN PROFILE HINT JOIN MULTI_JOIN USING ANALYZE CSR SORTED PARTITION "
    "PARTITIONS DECIMAL",
    "other clauses": "ON TO IF CYCLE NO MAXVALUE MINVALUE LOGICAL STRUCT MAP GROUP WSHORTEST "
    "FINISH FILTER LET NEXT OF FOR DO WHILE PATH PATHS WALK REPEATABLE DIFFERENT ELEMENT "
    "ELEMENTS KEEP GROUPS OPTIONS SOURCE DESTINATION",
}
RESERVED: dict[str, str] = {w: reason for reason, words in _REASONS.items() for w in words.split()}
"""Every other keyword of Ladybug's grammar and of Neo4j 5's, with why it is refused."""

FUNCTIONS = frozenset(
    """
    abs acos asin atan atan2 avg ceil ceiling coalesce collect cos cot count degrees e exp
    floor haversin head id elementid endnode startnode keys labels last left right length
    log log10 log2 ln ltrim rtrim trim btrim max min nodes relationships rels percentilecont
    percentiledisc pi properties radians range replace reverse round sign sin sqrt cbrt tan
    size split substring substr sum tail stdev stdevp tolower toupper lower upper lcase ucase
    tostring tointeger tofloat toboolean tostringornull tointegerornull tofloatornull
    tobooleanornull isempty isnan valuetype char_length character_length normalize
    date datetime localdatetime localtime time duration timestamp
    date.truncate datetime.truncate localdatetime.truncate duration.between duration.indays
    duration.inmonths duration.inseconds
    shortestpath allshortestpaths exists type
    label offset is_trail is_acyclic list_contains list_has list_extract list_element
    list_concat list_cat list_append list_prepend list_sort list_reverse_sort list_distinct
    list_unique list_sum list_product list_min list_max list_filter list_transform
    list_has_all list_has_any list_slice list_reverse list_position list_indexof
    list_to_string list_any_value array_contains array_has array_extract array_slice
    starts_with ends_with contains regexp_matches regexp_replace regexp_extract
    regexp_extract_all regexp_full_match regexp_split_to_array lpad rpad concat concat_ws
    string_split str_split split_part string_to_array initcap levenshtein prefix suffix
    date_part datepart date_trunc datetrunc dayname monthname last_day make_date century
    current_date current_timestamp epoch_ms to_epoch_ms to_date to_timestamp interval
    to_days to_hours to_minutes to_seconds to_months to_years to_milliseconds
    to_microseconds greatest least ifnull nullif typeof cardinality element_at map_keys
    map_values map_extract struct_extract to_int64 to_int32 to_int16 to_int8 to_double
    to_float to_string to_bool count_if md5 sha256 hash pow power factorial even negate
    """.split()
)
"""Functions a user query may call (lower case): Neo4j's and Ladybug's scalar,
aggregate and list functions, with nothing that reads files, calls procedures, changes
sequences or settings, or projects graphs."""

_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_OPERATORS = ("->", "<-", "<>", "<=", ">=", "=~", "..", "::", "!=", "+=", "||")
_SINGLE = set("()[]{},.:;|+-*/%^=<>&!?")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"0[xX][0-9A-Fa-f]+|0[oO][0-7]+|(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?")
_DIGITS = re.compile(r"\d+")
_SPACE = " \t\n\r\f\v"
MAX_CHARS = 100_000
"""Longest query the guard reads (the engine's parser slows sharply on long, deep texts)."""
MAX_TOKENS = 20_000
MAX_DEPTH = 64
"""Deepest nesting of brackets."""


@dataclass(frozen=True)
class Token:
    """One token of a Cypher text, as :func:`tokenize` reads it.

    Parameters
    ----------
    kind : {"word", "name", "string", "number", "param", "op"}
        A bare identifier or keyword, a backtick-quoted name, a string literal, a
        number, a ``$`` parameter or an operator.
    text : str
        Its canonical text (for a string: the decoded value; for a parameter: its
        name).
    pos : int
        Its offset in the query.
    gap : bool, default False
        Whether whitespace or a comment stood before it.

    Examples
    --------
    >>> tokenize("RETURN 'a'")[1]
    Token(kind='string', text='a', pos=7, gap=True)
    """

    kind: str
    """``word`` (bare identifier or keyword), ``name`` (backtick-quoted), ``string``,
    ``number``, ``param`` or ``op``."""
    text: str
    """Canonical text (for a string: the decoded value)."""
    pos: int
    """Offset in the query (for messages)."""
    gap: bool = False
    """Whitespace or a comment stood before it."""

    @property
    def upper(self) -> str:
        """A bare word's text in upper case, to compare with keywords.

        ``""`` for every other kind, so a quoted name or a string is never a keyword.

        Returns
        -------
        str

        Examples
        --------
        >>> [t.upper for t in tokenize("match `match` 'match'")]
        ['MATCH', '', '']
        """
        return self.text.upper() if self.kind == "word" else ""


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed the guard: the text to run and its string literals' parameters.

    The parameters are what its string literals became (add the caller's own parameters
    to them).

    Parameters
    ----------
    text : str
        The re-emitted query, for the engine.
    params : dict, optional
        ``lw_s0``, ``lw_s1`` … to the string literals' values.

    Examples
    --------
    >>> prepare_user_query("RETURN 'a' AS x", max_hops=6)
    CheckedQuery(text='RETURN $lw_s0 AS x', params={'lw_s0': 'a'})
    """

    text: str
    params: dict[str, Any] = field(default_factory=dict)


def _where(q: str, pos: int) -> str:
    line = q.count("\n", 0, pos) + 1
    col = pos - (q.rfind("\n", 0, pos) + 1) + 1
    return f"line {line}, column {col}"


def tokenize(q: str) -> list[Token]:
    """The tokens of a Cypher text (comments and whitespace dropped).

    Read the way a Cypher lexer reads: strings with their escapes (and Ladybug's
    ``''``), ``backtick`` names, ``//`` and ``/* */`` comments, numbers, ``$``
    parameters and operators.

    Parameters
    ----------
    q : str
        The query text.

    Returns
    -------
    list of Token
        In order; a string's token holds its decoded value.

    Raises
    ------
    QueryError
        If a string, quoted name or comment is not closed, an escape or a parameter
        name is malformed, or a character outside ASCII stands outside strings and
        quoted names (the message says where).

    Examples
    --------
    >>> [t.text for t in tokenize("MATCH (n) /* c */ RETURN n.`a``b` // end")]
    ['MATCH', '(', 'n', ')', 'RETURN', 'n', '.', 'a`b']
    >>> tokenize("RETURN 'abc")
    Traceback (most recent call last):
    ...
    graph.errors.QueryError: a string is not closed (' at line 1, column 8)
    """
    out: list[Token] = []
    i, n, gap = 0, len(q), False
    while i < n:
        c = q[i]
        if c in _SPACE:
            i, gap = i + 1, True
            continue
        if q.startswith("//", i):
            j = q.find("\n", i)
            i, gap = (n if j < 0 else j + 1), True
            continue
        if q.startswith("/*", i):
            j = q.find("*/", i + 2)
            if j < 0:
                raise QueryError(f"a comment is not closed (/* at {_where(q, i)})")
            i, gap = j + 2, True
            continue
        start = i
        if c in "'\"":
            value, i = _string(q, i)
            out.append(Token("string", value, start, gap))
        elif c == "`":
            name, i = _quoted(q, i)
            out.append(Token("name", name, start, gap))
        elif c == "$":
            i += 1
            if m := (_WORD.match(q, i) or _DIGITS.match(q, i)):
                name, i = m.group(), m.end()
            else:
                raise QueryError(
                    f"a parameter needs a plain name after $ (letters, digits, _; {_where(q, start)})"
                )
            out.append(Token("param", name, start, gap))
        elif m := _NUMBER.match(q, i):
            out.append(Token("number", m.group(), start, gap))
            i = m.end()
        elif m := _WORD.match(q, i):
            out.append(Token("word", m.group(), start, gap))
            i = m.end()
        elif op := next((o for o in _OPERATORS if q.startswith(o, i)), None):
            out.append(Token("op", op, start, gap))
            i += len(op)
        elif c in _SINGLE:
            out.append(Token("op", c, start, gap))
            i += 1
        else:
            what = f"character U+{ord(c):04X}" + (f" {c!r}" if c.isprintable() else "")
            raise QueryError(f"{what} is not allowed outside strings and `quoted names` ({_where(q, start)})")
        gap = False
    return out


def _string(q: str, i: int) -> tuple[str, int]:
    quote, start, chars = q[i], i, []
    i += 1
    while i < len(q):
        c = q[i]
        if c == "\\":
            e = q[i + 1 : i + 2]
            if e in _ESCAPES:
                chars.append(_ESCAPES[e])
                i += 2
            elif e in ("u", "U", "x", "X"):
                width = {"x": 2, "u": 4}.get(e.lower(), 8) if e != "U" else 8
                if e == "U" and not re.fullmatch(r"[0-9A-Fa-f]{8}", q[i + 2 : i + 10]):
                    width = 4
                digits = q[i + 2 : i + 2 + width]
                if not re.fullmatch(rf"[0-9A-Fa-f]{{{width}}}", digits):
                    raise QueryError(f"a bad \\{e} escape in a string ({_where(q, i)})")
                chars.append(chr(int(digits, 16)))
                i += 2 + width
            else:
                raise QueryError(f"an unknown escape \\{e} in a string ({_where(q, i)})")
        elif c == quote:
            if quote == "'" and q[i + 1 : i + 2] == "'":  # Ladybug: '' is a quote
                chars.append("'")
                i += 2
                continue
            return "".join(chars), i + 1
        else:
            chars.append(c)
            i += 1
    raise QueryError(f"a string is not closed ({quote} at {_where(q, start)})")


def _quoted(q: str, i: int) -> tuple[str, int]:
    start, chars = i, []
    i += 1
    while i < len(q):
        if q[i] == "`":
            if q[i + 1 : i + 2] == "`":
                chars.append("`")
                i += 2
                continue
            if not chars:
                raise QueryError(f"an empty `` name ({_where(q, start)})")
            return "".join(chars), i + 1
        chars.append(q[i])
        i += 1
    raise QueryError(f"a `quoted name` is not closed ({_where(q, start)})")


def prepare_user_query(cypher: str, max_hops: int) -> CheckedQuery:
    """Check a query a person wrote and return the text to run.

    See the module's text; raise :class:`QueryError` saying what is refused and where.

    The re-emitted text is checked again on its own and must come back unchanged, so
    what the engine runs is exactly what passed.

    Parameters
    ----------
    cypher : str
        The query (at most :data:`MAX_CHARS` characters).
    max_hops : int
        The largest upper bound a variable-length relationship may have.

    Returns
    -------
    CheckedQuery
        The text to run and the parameters its string literals became.

    Raises
    ------
    QueryError
        If the query is too long, cannot be read, uses a keyword or function outside
        the read-only lists, holds an unbounded or too long variable-length pattern or
        a quantified path pattern, more than one statement, a parameter name starting
        with :data:`PARAM_PREFIX`, or does not start with a read clause.

    See Also
    --------
    check_user_query : The same check, without the result.
    graph.store.GraphStore.user_query : Runs a query through it.

    Examples
    --------
    >>> q = prepare_user_query("MATCH (a)-[*1..3]-(b) WHERE a.uid = $id RETURN b // note", max_hops=6)
    >>> q.text, q.params
    ('MATCH (a)-[*1..3]-(b) WHERE a.uid = $id RETURN b', {})
    >>> prepare_user_query("CALL db.labels()", max_hops=6)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graph.errors.QueryError: CALL is not allowed in a query here (procedure calls are refused); to ...
    """
    if len(cypher) > MAX_CHARS:
        raise QueryError(f"the query is {len(cypher):,} characters long; at most {MAX_CHARS:,} are read")
    try:
        cypher.encode("utf-8")
    except UnicodeEncodeError as e:  # "\ud800" in a JSON body: no engine can read it
        raise QueryError(
            f"the query holds a character that is not text (a lone surrogate) at {_where(cypher, e.start)}"
        ) from None
    text, params = _passed(cypher, max_hops)
    return CheckedQuery(text, dict(params))  # a copy: callers add their own parameters


@lru_cache(maxsize=256)
def _passed(cypher: str, max_hops: int) -> tuple[str, tuple[tuple[str, Any], ...]]:
    """:func:`prepare_user_query`'s work, kept for the texts most recently passed: a saved
    query runs the same text with new parameters, checked twice a run (``officer-profile``:
    1.6 ms a check, 2 µs kept). A refused text is never kept (an exception is not cached)."""
    checked = _check(cypher, max_hops)
    again = _check(checked.text, max_hops, rerun=True)  # what the engine gets must pass on its own
    if again.params or again.text != checked.text:
        raise QueryError("the query could not be written back unchanged; simplify it")
    return checked.text, tuple(checked.params.items())


def _check(cypher: str, max_hops: int, rerun: bool = False) -> CheckedQuery:
    toks = tokenize(cypher)
    if len(toks) > MAX_TOKENS:
        raise QueryError(f"the query has {len(toks):,} tokens; at most {MAX_TOKENS:,} are allowed")
    if toks and toks[-1].text == ";" and toks[-1].kind == "op":
        toks = toks[:-1]
    if not toks:
        raise QueryError("the query is empty")
    for t in toks:
        if t.kind == "op" and t.text == ";":
            raise QueryError(f"one statement at a time: a ';' stands at {_where(cypher, t.pos)}")
        if t.kind == "param" and t.text.lower().startswith(PARAM_PREFIX) and not rerun:
            raise QueryError(f"parameter names starting with {PARAM_PREFIX!r} are reserved (${t.text})")
    pairs = _pairs(cypher, toks)
    _check_words(cypher, toks)
    _check_starts(cypher, toks)
    _check_functions(cypher, toks)
    _check_patterns(cypher, toks, pairs, max_hops)
    return _emit(toks)


def parameters_used(cypher: str) -> set[str]:
    """Names of the parameters a query uses, read from its tokens.

    Strings, comments and quoted names hold none.

    Parameters
    ----------
    cypher : str
        The query text.

    Returns
    -------
    set of str
        Parameter names, without the ``$``.

    Raises
    ------
    QueryError
        If the text cannot be tokenised (:func:`tokenize`).

    Examples
    --------
    >>> sorted(parameters_used("MATCH (n {uid: $id}) WHERE n.x = '$no' RETURN $limit // $c"))
    ['id', 'limit']
    """
    return {t.text for t in tokenize(cypher) if t.kind == "param"}


MAX_PARAM_DEPTH = 32
MAX_PARAM_ITEMS = 100_000


def check_parameters(params: dict[str, Any]) -> None:
    """Refuse parameters nested too deep or holding too many values.

    Parameters nested deeper than :data:`MAX_PARAM_DEPTH` or holding more than
    :data:`MAX_PARAM_ITEMS` values would exhaust the reader before the query ran.

    Parameter names must be letters, digits and ``_``.

    Parameters
    ----------
    params : dict
        The caller's parameters, name to value.

    Raises
    ------
    QueryError
        If the parameters nest too deep, hold too many values, or a name is not a
        plain name.

    Examples
    --------
    >>> check_parameters({"ids": ["a", "b"], "m": {"k": [1]}})
    >>> check_parameters({"p": [[[[1]]]] * 1})
    >>> check_parameters({"bad name": 1})
    Traceback (most recent call last):
    ...
    graph.errors.QueryError: parameter name 'bad name' must be letters, digits and _
    """
    count = 0
    todo: list[tuple[Any, int]] = [(v, 1) for v in params.values()]
    while todo:
        v, depth = todo.pop()
        count += 1
        if count > MAX_PARAM_ITEMS:
            raise QueryError(f"the parameters hold more than {MAX_PARAM_ITEMS:,} values")
        if isinstance(v, (list, tuple, dict)):
            if depth >= MAX_PARAM_DEPTH:
                raise QueryError(f"parameters nest deeper than {MAX_PARAM_DEPTH} levels")
            items = v.values() if isinstance(v, dict) else v
            todo.extend((x, depth + 1) for x in items)
    for name in params:
        if not (_WORD.fullmatch(name) or _DIGITS.fullmatch(name)):
            raise QueryError(f"parameter name {name!r} must be letters, digits and _")


def _pairs(q: str, toks: list[Token]) -> dict[int, int]:
    """Each bracket's partner, both ways, in one pass (and the nesting depth bounded)."""
    closers = {")": "(", "]": "[", "}": "{"}
    stack: list[int] = []
    out: dict[int, int] = {}
    for i, t in enumerate(toks):
        if t.kind != "op":
            continue
        if t.text in "([{":
            stack.append(i)
            if len(stack) > MAX_DEPTH:
                raise QueryError(f"brackets nest deeper than {MAX_DEPTH} levels ({_where(q, t.pos)})")
        elif t.text in closers:
            if not stack or toks[stack[-1]].text != closers[t.text]:
                raise QueryError(f"a {t.text!r} closes nothing ({_where(q, t.pos)})")
            j = stack.pop()
            out[i], out[j] = j, i
    if stack:
        raise QueryError(f"a {toks[stack[-1]].text!r} is not closed ({_where(q, toks[stack[-1]].pos)})")
    return out


def check_user_query(cypher: str, max_hops: int) -> None:
    """Raise :class:`QueryError` if :func:`prepare_user_query` refuses the query.

    Parameters
    ----------
    cypher : str
        The query text.
    max_hops : int
        The largest upper bound a variable-length relationship may have.

    Raises
    ------
    QueryError
        Saying what is refused and where.

    Examples
    --------
    >>> check_user_query("MATCH (o:Officer) RETURN count(o)", max_hops=6)
    >>> check_user_query("MATCH (o) RETURN o; MATCH (x) RETURN x", max_hops=6)
    Traceback (most recent call last):
    ...
    graph.errors.QueryError: one statement at a time: a ';' stands at line 1, column 19
    """
    prepare_user_query(cypher, max_hops)


def _name_positions(toks: list[Token]) -> list[bool]:
    """Where the grammar takes only a name, so that no keyword there can start a clause:
    a property key or namespace part (after ``.``), an alias (after a keyword ``AS``,
    not a name ``AS`` such as ``m.AS``), a map key (``{key: …}``), a listed function
    (``type(r)``)."""
    out: list[bool] = []
    for i, t in enumerate(toks):
        prev = toks[i - 1] if i > 0 else None
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        named = False
        if (
            (prev is not None and _is_op(prev, "."))
            or (prev is not None and prev.upper == "AS" and not out[i - 1])
            or (nxt is not None and _is_op(nxt, ":") and prev is not None and _is_op(prev, "{", ","))
            or (nxt is not None and _is_op(nxt, "(") and t.text.lower() in FUNCTIONS)
        ):
            named = True
        out.append(named and t.kind == "word")
    return out


def _check_words(q: str, toks: list[Token]) -> None:
    names = _name_positions(toks)
    for i, t in enumerate(toks):
        if t.kind != "word" or names[i]:
            continue
        w = t.upper
        if w in READ_KEYWORDS:
            continue
        if w in RESERVED:
            raise QueryError(
                f"{w} is not allowed in a query here ({RESERVED[w]} are refused); "
                "to use the word as a name, quote it in backticks"
            )


STATEMENT_STARTS = frozenset({"MATCH", "OPTIONAL", "UNWIND", "WITH", "RETURN"})
"""A read query (and each part after ``UNION``) starts with one of these: no other
statement of either engine (``ANALYZE``, ``CHECKPOINT`` …) can run, listed or not."""


def _check_starts(q: str, toks: list[Token]) -> None:
    starts = [0] + [
        i + (2 if i + 1 < len(toks) and toks[i + 1].upper == "ALL" else 1)
        for i, t in enumerate(toks)
        if t.upper == "UNION"
    ]
    for i in starts:
        t = toks[i] if i < len(toks) else None
        if t is None or t.upper not in STATEMENT_STARTS:
            what = t.text if t is not None else "nothing"
            raise QueryError(
                f"a query starts with MATCH, OPTIONAL MATCH, UNWIND, WITH or RETURN, not {what!r}"
                + (f" ({_where(q, t.pos)})" if t is not None else "")
            )


def _check_functions(q: str, toks: list[Token]) -> None:
    for i, t in enumerate(toks):
        if not (t.kind == "op" and t.text == "(" and i > 0):
            continue
        prev = toks[i - 1]
        if prev.kind not in ("word", "name") or (prev.kind == "word" and prev.upper in READ_KEYWORDS):
            continue
        parts, j = [prev.text], i - 1
        while j >= 2 and toks[j - 1].text == "." and toks[j - 1].kind == "op" and toks[j - 2].kind == "word":
            parts.insert(0, toks[j - 2].text)
            j -= 2
        name = ".".join(parts)
        if name.lower() not in FUNCTIONS:
            raise QueryError(
                f"function {name}() is not allowed in a query here ({_where(q, toks[j].pos)}); "
                "procedures and functions outside the read-only list are refused"
            )


def _is_op(t: Token, *texts: str) -> bool:
    return t.kind == "op" and t.text in texts


def _check_patterns(q: str, toks: list[Token], pairs: dict[int, int], max_hops: int) -> None:
    bound_msg = f"variable-length patterns need an upper bound of at most {max_hops} hops (e.g. -[*1..3]-)"
    qpp = "quantified path patterns are refused here; write a bounded -[*1..3]- instead"
    rel_closers: set[int] = set()
    for i, t in enumerate(toks):
        if not (_is_op(t, "[") and i > 0 and _is_op(toks[i - 1], "-", "<-")):
            continue
        end = pairs[i]
        rel_closers.add(end)
        j = i + 1
        while j < end:
            u = toks[j]
            if _is_op(u, "(", "[", "{"):
                j = pairs[j]  # inner brackets are checked on their own
            elif _is_op(u, "*"):
                _check_bound(toks, j + 1, end, max_hops, bound_msg)
            j += 1
    for i in range(len(toks) - 1):
        t, nxt = toks[i], toks[i + 1]
        if _is_op(t, ")") and _is_op(nxt, "{"):
            raise QueryError(qpp)
        closes_rel = _is_op(t, "->") or (
            _is_op(t, "-") and i > 0 and (i - 1 in rel_closers or _is_op(toks[i - 1], "-", "<-", ")"))
        )
        if closes_rel and _is_op(nxt, "+", "*", "{"):
            raise QueryError(qpp)
        if _is_op(t, ")") and _is_op(nxt, "+", "*"):
            inner = toks[pairs[i] : i]
            if any(_is_op(u, "->", "<-") for u in inner) or any(
                _is_op(a, "-") and _is_op(b, "-", "[") for a, b in itertools.pairwise(inner)
            ):
                raise QueryError(qpp)


def _check_bound(toks: list[Token], j: int, end: int, max_hops: int, msg: str) -> None:
    while j < end and toks[j].kind == "word" and toks[j].upper in ("SHORTEST", "ALL", "TRAIL", "ACYCLIC"):
        j += 1
    nums: list[int | None] = []
    ranged = False
    while j < end:
        t = toks[j]
        if t.kind == "number" and re.fullmatch(r"\d+", t.text):
            nums.append(int(t.text))
        elif _is_op(t, ".."):
            ranged = True
            if not nums:
                nums.append(None)
        elif t.kind in ("param", "number"):
            raise QueryError(msg + ": the bounds must be whole numbers written in the query")
        else:
            break
        j += 1
    upper = (nums[1] if len(nums) > 1 else None) if ranged else (nums[0] if nums else None)
    if upper is None or upper > max_hops:
        raise QueryError(msg)


def _emit(toks: list[Token]) -> CheckedQuery:
    parts: list[str] = []
    params: dict[str, Any] = {}
    for t in toks:
        if t.kind == "string":
            name = f"{PARAM_PREFIX}{len(params)}"
            params[name] = t.text
            text = f" ${name} "
        elif t.kind == "name":
            text = "`" + t.text.replace("`", "``") + "`"
        elif t.kind == "param":
            text = "$" + t.text
        else:
            text = t.text
        if t.gap and parts and not parts[-1].endswith(" "):
            parts.append(" ")
        parts.append(text.lstrip() if parts and parts[-1].endswith(" ") else text)
    return CheckedQuery("".join(parts).strip(), params)
