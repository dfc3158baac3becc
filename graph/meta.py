"""The store's metadata: API tokens, user-saved queries and flag assessments.

Kept in one SQLite file beside the graph and the audit log, ``<data_dir>/meta.sqlite``,
for both stores: it is written by the API server, which holds the embedded graph
read-only, and it is small. Three kinds of record:

- **tokens**: an API token is shown once when made; only its SHA-256 is stored, with
  the user it speaks for, a role, when it was made, when it expires and whether it was
  revoked. A token reads ``lw_<id>_<secret>``: the id finds the row, the hash of the
  whole token is compared in constant time.
- **saved queries**: user-saved queries in the library's file format (see
  :mod:`queries.saved`), with an owner, sharing with users and with roles, and every
  revision kept (an update adds a revision, a delete marks the query deleted).
- **assessments**: a human's assessment of a flag (status and note, who and when);
  every one is kept and the newest is the flag's status.
- **review cases and challenges**: their tables are declared in :mod:`graph.review`
  and made here with the others.
- **the audit log's head**: the sequence number, hash and signature of the audit log's
  last record, published here at every append (:func:`publish_audit_head`) so that
  ``verify`` can compare the log with a copy kept outside its folder.

>>> import tempfile
>>> meta = MetaStore(Path(tempfile.mkdtemp()))
>>> token = meta.create_token("ann", "analyst")
>>> meta.authenticate(token.secret).user
'ann'
>>> meta.authenticate("lw_nope_nope") is None
True
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.errors import LinkwatchError, QueryError, UnknownName
from graph.review import REVIEW_SCHEMA

META_FILE = "meta.sqlite"
ROLES = (
    "investigator",
    "analyst",
    "auditor",
    "admin",
    "appropriate_authority",
    "subject_access",
)
"""Roles a token may hold. ``appropriate_authority``: reviews cases and signs off the
serious outcomes and decides challenges; ``subject_access``: handles subject-access
requests (the subject's report) and lodges challenges for a subject."""
FLAG_STATUSES = ("open", "under_review", "no_further_action", "referred", "challenged")
"""A flag's status: new flags are ``open``; the rest are set by a person's assessment
(``challenged`` records that the subject disputes the flag)."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    token_id TEXT PRIMARY KEY,
    hash TEXT NOT NULL,
    user TEXT NOT NULL,
    role TEXT NOT NULL,
    note TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT,
    expires_at TEXT,
    revoked_at TEXT,
    last_used_at TEXT,
    officer_id TEXT
);
CREATE TABLE IF NOT EXISTS saved_queries (
    name TEXT NOT NULL,
    revision INTEGER NOT NULL,
    query_id TEXT NOT NULL,
    owner TEXT NOT NULL,
    share_users TEXT NOT NULL DEFAULT '[]',
    share_roles TEXT NOT NULL DEFAULT '[]',
    body TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    saved_by TEXT NOT NULL,
    deleted_at TEXT,
    PRIMARY KEY (name, revision)
);
CREATE TABLE IF NOT EXISTS assessments (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    flag_id TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT,
    who TEXT NOT NULL,
    role TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS assessments_flag ON assessments (flag_id, seq);
CREATE TABLE IF NOT EXISTS unmask_grants (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    case_ref TEXT NOT NULL,
    user TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS unmask_grants_user ON unmask_grants (user, case_ref);
"""
MIGRATIONS = (("tokens", "officer_id", "ALTER TABLE tokens ADD COLUMN officer_id TEXT"),)
"""Columns added after a table was first made: (table, column, DDL), applied when missing."""
AUDIT_HEAD_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL,
    sig TEXT,
    at TEXT NOT NULL
);
"""


class PermissionDenied(LinkwatchError):
    """The user may not do this (not the owner, not shared with them).

    Examples
    --------
    >>> import tempfile
    >>> meta = MetaStore(Path(tempfile.mkdtemp()))
    >>> _ = meta.save_query({"name": "mine", "cypher": "RETURN 1"}, Principal("ann", "analyst"))
    >>> meta.delete_query("mine", Principal("bob", "analyst"))
    Traceback (most recent call last):
    ...
    graph.meta.PermissionDenied: saved query 'mine' belongs to ann; only they or an admin may delete it
    >>> meta.close()
    """


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Principal:
    """Who is asking: the token's user and role (``cli`` for the command line).

    Parameters
    ----------
    user : str
        The user name.
    role : str
        One of :data:`ROLES` (or ``cli``).
    token_id : str, optional
        The id of the token they authenticated with.
    officer_id : str, optional
        The person's own officer id in the HR data (``officers.officer_id``), when the
        token says who they are there: conflict checks of review work need it.

    Examples
    --------
    >>> Principal("ann", "analyst")
    Principal(user='ann', role='analyst', token_id=None, officer_id=None)
    """

    user: str
    role: str
    token_id: str | None = None
    officer_id: str | None = None


@dataclass(frozen=True)
class NewToken:
    """A token just made: the only place its secret is ever shown.

    Parameters
    ----------
    token_id : str
        The token's id (8 hex digits), to list and revoke it.
    secret : str
        The whole token, ``lw_<id>_<secret>``; only its SHA-256 is stored.
    user : str
        The user it speaks for.
    role : str
        Their role.
    expires_at : str, optional
        When it expires (ISO 8601, UTC); ``None``: never.

    Examples
    --------
    >>> import tempfile
    >>> meta = MetaStore(Path(tempfile.mkdtemp()))
    >>> t = meta.create_token("ann", "analyst")
    >>> t.secret.startswith(f"lw_{t.token_id}_"), t.expires_at
    (True, None)
    >>> meta.close()
    """

    token_id: str
    secret: str
    user: str
    role: str
    expires_at: str | None


@dataclass(frozen=True)
class StoredQuery:
    """A user-saved query's newest revision, with its owner and sharing.

    Parameters
    ----------
    name : str
        Its name (unique among live queries).
    revision : int
        Its revision number, from 1.
    query_id : str
        Its id, kept across revisions.
    owner : str
        The user who made it.
    share_users, share_roles : tuple of str
        The users and roles it is shared with.
    body : dict
        The query in the library's file format (:mod:`queries.saved`).
    saved_at : str
        When this revision was saved (ISO 8601, UTC).
    saved_by : str
        Who saved this revision.

    Examples
    --------
    >>> import tempfile
    >>> meta = MetaStore(Path(tempfile.mkdtemp()))
    >>> q = meta.save_query({"name": "recent-flags", "cypher": "MATCH (f:Flag) RETURN f LIMIT 5"},
    ...                     Principal("ann", "analyst"), share_roles=["investigator"])
    >>> q.name, q.revision, q.owner, q.share_roles, q.body["revision"]
    ('recent-flags', 1, 'ann', ('investigator',), 1)
    >>> meta.close()
    """

    name: str
    revision: int
    query_id: str
    owner: str
    share_users: tuple[str, ...]
    share_roles: tuple[str, ...]
    body: dict[str, Any]
    saved_at: str
    saved_by: str

    def visible_to(self, who: Principal) -> bool:
        """Whether ``who`` may see and run it.

        An admin, its owner, or a user or role it is shared with may.

        Parameters
        ----------
        who : Principal
            Who is asking.

        Returns
        -------
        bool
            ``True`` if ``who`` may see it.

        Examples
        --------
        >>> q = StoredQuery("q", 1, "U-1", "ann", (), ("investigator",), {}, "", "ann")
        >>> q.visible_to(Principal("bob", "investigator")), q.visible_to(Principal("cy", "analyst"))
        (True, False)
        """
        return (
            who.role == "admin"
            or who.user == self.owner
            or who.user in self.share_users
            or who.role in self.share_roles
        )

    def editable_by(self, who: Principal) -> bool:
        """Whether ``who`` may change or delete it.

        Its owner or an admin may (sharing does not let anyone edit).

        Parameters
        ----------
        who : Principal
            Who is asking.

        Returns
        -------
        bool
            ``True`` if ``who`` may edit it.

        Examples
        --------
        >>> q = StoredQuery("q", 1, "U-1", "ann", ("bob",), (), {}, "", "ann")
        >>> q.editable_by(Principal("bob", "analyst")), q.editable_by(Principal("root", "admin"))
        (False, True)
        """
        return who.role == "admin" or who.user == self.owner


class MetaStore:
    """The metadata of one data folder (thread-safe; one SQLite connection).

    Parameters
    ----------
    data_dir : Path
        The data folder; the store is ``<data_dir>/meta.sqlite`` (made, with its
        tables, if missing; in WAL mode, so the server and the command line can use
        it at once).

    Attributes
    ----------
    path : Path
        The SQLite file.

    See Also
    --------
    graph.workspace.Workspace.meta : The metadata store of a deployment.

    Examples
    --------
    >>> import tempfile
    >>> meta = MetaStore(Path(tempfile.mkdtemp()))
    >>> meta.path.name, meta.tokens(), meta.queries(), meta.statuses()
    ('meta.sqlite', [], [], {})
    >>> meta.close()
    """

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / META_FILE
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._con = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        self._con.row_factory = sqlite3.Row
        self._con.execute("PRAGMA journal_mode=WAL")
        self._con.executescript(SCHEMA + REVIEW_SCHEMA + AUDIT_HEAD_SCHEMA)
        for table, column, ddl in MIGRATIONS:
            have = {r[1] for r in self._con.execute(f"PRAGMA table_info({table})")}
            if column not in have:
                self._con.execute(ddl)

    def close(self) -> None:
        """Close the connection.

        Examples
        --------
        >>> import tempfile
        >>> MetaStore(Path(tempfile.mkdtemp())).close()
        """
        self._con.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._con.execute("BEGIN IMMEDIATE")
            try:
                yield self._con
            except BaseException:
                self._con.execute("ROLLBACK")
                raise
            self._con.execute("COMMIT")

    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return list(self._con.execute(sql, tuple(params)))

    def transaction(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """One write transaction on the store's connection (for the tables other modules
        declare here, such as the review cases of :mod:`graph.review`): committed when the
        block ends, rolled back if it raises.

        Returns
        -------
        context manager of sqlite3.Connection
            The connection, inside ``BEGIN IMMEDIATE``.

        Examples
        --------
        >>> import tempfile
        >>> meta = MetaStore(Path(tempfile.mkdtemp()))
        >>> with meta.transaction() as con:
        ...     _ = con.execute("INSERT INTO assessments (flag_id, status, who, role, at) "
        ...                     "VALUES ('f1', 'open', 'ann', 'analyst', 'now')")
        >>> [r["flag_id"] for r in meta.select("SELECT flag_id FROM assessments")]
        ['f1']
        >>> meta.close()
        """
        return self._tx()

    def select(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        """The rows of one read (rows read by column name).

        Parameters
        ----------
        sql : str
            A ``SELECT``.
        params : iterable, optional
            Its parameters.

        Returns
        -------
        list of sqlite3.Row

        Examples
        --------
        >>> import tempfile
        >>> meta = MetaStore(Path(tempfile.mkdtemp()))
        >>> meta.select("SELECT count(*) AS n FROM tokens")[0]["n"]
        0
        >>> meta.close()
        """
        return self._rows(sql, params)

    # ---- tokens ----------------------------------------------------------------------

    def create_token(
        self,
        user: str,
        role: str,
        *,
        note: str | None = None,
        expires_days: int | None = None,
        created_by: str | None = None,
        officer_id: str | None = None,
    ) -> NewToken:
        """Make a token; the secret is in the result only, never stored.

        Parameters
        ----------
        user : str
            The user the token speaks for.
        role : str
            One of :data:`ROLES`.
        note : str, optional
            What it is for.
        expires_days : int, optional
            Days until it expires (1 or more); ``None``: never.
        created_by : str, optional
            Who made it.
        officer_id : str, optional
            The user's own officer id in the HR data (for conflict checks).

        Returns
        -------
        NewToken
            With the secret, to hand over once.

        Raises
        ------
        QueryError
            If the role is unknown, the user blank, or ``expires_days`` below 1.

        Examples
        --------
        >>> import tempfile
        >>> meta = MetaStore(Path(tempfile.mkdtemp()))
        >>> t = meta.create_token("ann", "analyst", note="laptop", expires_days=30)
        >>> t.user, t.role, t.expires_at is not None
        ('ann', 'analyst', True)
        >>> meta.create_token("ann", "boss")
        Traceback (most recent call last):
        ...
        graph.errors.QueryError: role must be one of investigator, analyst, auditor, admin, appropriate_authority, subject_access (got 'boss')
        >>> meta.close()
        """
        if role not in ROLES:
            raise QueryError(f"role must be one of {', '.join(ROLES)} (got {role!r})")
        if not user.strip():
            raise QueryError("a token needs the user it speaks for")
        token_id = secrets.token_hex(4)
        secret = f"lw_{token_id}_{secrets.token_urlsafe(32)}"
        expires = None
        if expires_days is not None:
            if expires_days < 1:
                raise QueryError("expires_days must be 1 or more")
            expires = (dt.datetime.now(dt.UTC) + dt.timedelta(days=expires_days)).isoformat(
                timespec="seconds"
            )
        with self._tx() as con:
            con.execute(
                "INSERT INTO tokens (token_id, hash, user, role, note, created_at, created_by, expires_at, "
                "officer_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    token_id,
                    _hash(secret),
                    user.strip(),
                    role,
                    note,
                    _now(),
                    created_by,
                    expires,
                    (officer_id or "").strip() or None,
                ),
            )
        return NewToken(token_id, secret, user.strip(), role, expires)

    def authenticate(self, secret: str) -> Principal | None:
        """The token's user and role, or ``None`` for an unknown, revoked or expired one.

        The token's hash is compared in constant time; a successful use is noted
        (``last_used_at``).

        Parameters
        ----------
        secret : str
            The whole token, ``lw_<id>_<secret>``.

        Returns
        -------
        Principal or None
            Who the token speaks for, with its id.

        Examples
        --------
        >>> import tempfile
        >>> meta = MetaStore(Path(tempfile.mkdtemp()))
        >>> t = meta.create_token("ann", "analyst")
        >>> meta.authenticate(t.secret)  # doctest: +ELLIPSIS
        Principal(user='ann', role='analyst', token_id='...', officer_id=None)
        >>> meta.authenticate(t.secret + "x") is None
        True
        >>> meta.close()
        """
        parts = secret.split("_", 2)
        if len(parts) != 3 or parts[0] != "lw":
            return None
        rows = self._rows("SELECT * FROM tokens WHERE token_id = ?", (parts[1],))
        if not rows or not hmac.compare_digest(rows[0]["hash"], _hash(secret)):
            return None
        row = rows[0]
        if row["revoked_at"] or (row["expires_at"] and row["expires_at"] <= _now()):
            return None
        with self._lock:
            self._con.execute(
                "UPDATE tokens SET last_used_at = ? WHERE token_id = ?", (_now(), row["token_id"])
            )
        return Principal(row["user"], row["role"], row["token_id"], row["officer_id"])

    def tokens(self) -> list[dict[str, Any]]:
        """Every token (without hashes), newest first.

        Returns
        -------
        list of dict
            ``token_id``, ``user``, ``role``, ``note``, ``created_at``,
            ``created_by``, ``expires_at``, ``revoked_at``, ``last_used_at``.

        Examples
        --------
        >>> import tempfile
        >>> meta = MetaStore(Path(tempfile.mkdtemp()))
        >>> _ = meta.create_token("ann", "analyst", note="laptop")
        >>> [(t["user"], t["role"], t["note"], t["revoked_at"]) for t in meta.tokens()]
        [('ann', 'analyst', 'laptop', None)]
        >>> meta.close()
        """
        rows = self._rows("SELECT * FROM tokens ORDER BY created_at DESC, token_id")
        return [{k: v for k, v in dict(r).items() if k != "hash"} for r in rows]

    def revoke_token(self, token_id: str) -> None:
        """Revoke a token: it authenticates no more (its row is kept).

        Parameters
        ----------
        token_id : str
            The token's id.

        Raises
        ------
        UnknownName
            If no active token has that id (unknown, or revoked already).

        Examples
        --------
        >>> import tempfile
        >>> meta = MetaStore(Path(tempfile.mkdtemp()))
        >>> t = meta.create_token("ann", "analyst")
        >>> meta.revoke_token(t.token_id)
        >>> meta.authenticate(t.secret) is None
        True
        >>> meta.revoke_token(t.token_id)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        graph.errors.UnknownName: no active token with id '...'
        >>> meta.close()
        """
        with self._tx() as con:
            cur = con.execute(
                "UPDATE tokens SET revoked_at = ? WHERE token_id = ? AND revoked_at IS NULL",
                (_now(), token_id),
            )
            if cur.rowcount == 0:
                raise UnknownName(f"no active token with id {token_id!r}")

    # ---- user-saved queries -----------------------------------------------------------

    def _latest(self, name: str) -> sqlite3.Row | None:
        rows = self._rows(
            "SELECT * FROM saved_queries WHERE name = ? ORDER BY revision DESC LIMIT 1", (name,)
        )
        return rows[0] if rows else None

    @staticmethod
    def _stored(row: sqlite3.Row) -> StoredQuery:
        return StoredQuery(
            name=row["name"],
            revision=int(row["revision"]),
            query_id=row["query_id"],
            owner=row["owner"],
            share_users=tuple(json.loads(row["share_users"])),
            share_roles=tuple(json.loads(row["share_roles"])),
            body=json.loads(row["body"]),
            saved_at=row["saved_at"],
            saved_by=row["saved_by"],
        )

    def save_query(
        self,
        body: Mapping[str, Any],
        who: Principal,
        *,
        share_users: Iterable[str] | None = None,
        share_roles: Iterable[str] | None = None,
        update: bool = False,
    ) -> StoredQuery:
        """Save a new query (``update=False``) or a new revision of one (``update=True``).

        The body is the library's file format; its ``revision`` and ``id`` are set here.
        Sharing not given on an update stays as it was.

        Parameters
        ----------
        body : mapping
            The query in the library's file format (:mod:`queries.saved`), with a
            ``name``; a new query keeps a given ``id`` (else one is made).
        who : Principal
            Who saves it: the owner of a new query; an update needs the owner or an
            admin.
        share_users, share_roles : iterable of str, optional
            Who else may see and run it.
        update : bool, default False
            Save a new revision of an existing query instead of a new query.

        Returns
        -------
        StoredQuery
            The revision saved.

        Raises
        ------
        QueryError
            If the body has no name, a role to share with is unknown, or a new query's
            name is taken.
        UnknownName
            On an update, if there is no live query of that name.
        PermissionDenied
            On an update, if ``who`` is neither the owner nor an admin.

        Examples
        --------
        >>> import tempfile
        >>> meta = MetaStore(Path(tempfile.mkdtemp()))
        >>> ann = Principal("ann", "analyst")
        >>> q = meta.save_query({"name": "recent-flags", "cypher": "MATCH (f:Flag) RETURN f LIMIT 5"},
        ...                     ann, share_roles=["investigator"])
        >>> q2 = meta.save_query({"name": "recent-flags", "cypher": "MATCH (f:Flag) RETURN f LIMIT 9"},
        ...                      ann, update=True)
        >>> q2.revision, q2.query_id == q.query_id, q2.share_roles
        (2, True, ('investigator',))
        >>> meta.close()
        """
        name = str(body.get("name") or "").strip()
        if not name:
            raise QueryError("a saved query needs a name")
        roles = None if share_roles is None else sorted(set(share_roles))
        for r in roles or []:
            if r not in ROLES:
                raise QueryError(f"cannot share with role {r!r}; roles: {', '.join(ROLES)}")
        users = None if share_users is None else sorted({u.strip() for u in share_users if u.strip()})
        with self._tx() as con:
            rows = list(
                con.execute(
                    "SELECT * FROM saved_queries WHERE name = ? ORDER BY revision DESC LIMIT 1", (name,)
                )
            )
            last = rows[0] if rows else None
            live = last is not None and last["deleted_at"] is None
            if update:
                if not live or last is None:
                    raise UnknownName(f"no saved query {name!r} of yours to update")
                cur = self._stored(last)
                if not cur.editable_by(who):
                    raise PermissionDenied(
                        f"saved query {name!r} belongs to {cur.owner}; only they or an admin may change it"
                    )
                owner, query_id, revision = cur.owner, cur.query_id, cur.revision + 1
                users = list(cur.share_users) if users is None else users
                roles = list(cur.share_roles) if roles is None else roles
            else:
                if live:
                    raise QueryError(f"a saved query named {name!r} exists; update it or pick another name")
                owner = who.user
                revision = 1 if last is None else int(last["revision"]) + 1
                query_id = str(body.get("id") or "") or f"U-{secrets.token_hex(3)}"
                users, roles = users or [], roles or []
            stored_body = {**dict(body), "id": query_id, "name": name, "revision": revision}
            at = _now()
            con.execute(
                "INSERT INTO saved_queries (name, revision, query_id, owner, share_users, share_roles, body, "
                "saved_at, saved_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    name,
                    revision,
                    query_id,
                    owner,
                    json.dumps(users),
                    json.dumps(roles),
                    json.dumps(stored_body, default=str),
                    at,
                    who.user,
                ),
            )
        found = self.get_query(name)
        assert found is not None
        return found

    def get_query(self, name: str) -> StoredQuery | None:
        """The newest revision of a live query by name or id (``None`` if none).

        Parameters
        ----------
        name : str
            The query's name, or its id.

        Returns
        -------
        StoredQuery or None
            ``None`` for an unknown or deleted query. Visibility is not checked here
            (:meth:`StoredQuery.visible_to`).

        Examples
        --------
        >>> import tempfile
        >>> meta = MetaStore(Path(tempfile.mkdtemp()))
        >>> body = {"name": "mine", "id": "U-1", "cypher": "RETURN 1"}
        >>> q = meta.save_query(body, Principal("ann", "analyst"))
        >>> meta.get_query("mine").query_id, meta.get_query("U-1").name, meta.get_query("other")
        ('U-1', 'mine', None)
        >>> meta.close()
        """
        row = self._latest(name)
        if row is None:
            by_id = self._rows(
                "SELECT * FROM saved_queries WHERE query_id = ? ORDER BY revision DESC LIMIT 1", (name,)
            )
            row = by_id[0] if by_id else None
        if row is None or row["deleted_at"] is not None:
            return None
        return self._stored(row)

    def queries(self) -> list[StoredQuery]:
        """Every live query, newest revision each, by name.

        Returns
        -------
        list of StoredQuery
            Sorted by name; deleted queries are left out.

        Examples
        --------
        >>> import tempfile
        >>> meta = MetaStore(Path(tempfile.mkdtemp()))
        >>> ann = Principal("ann", "analyst")
        >>> for n in ("b", "a"):
        ...     _ = meta.save_query({"name": n, "cypher": "RETURN 1"}, ann)
        >>> [q.name for q in meta.queries()]
        ['a', 'b']
        >>> meta.close()
        """
        rows = self._rows(
            "SELECT q.* FROM saved_queries q JOIN (SELECT name, max(revision) AS r FROM saved_queries "
            "GROUP BY name) m ON q.name = m.name AND q.revision = m.r WHERE q.deleted_at IS NULL ORDER BY q.name"
        )
        return [self._stored(r) for r in rows]

    def history(self, name: str) -> list[dict[str, Any]]:
        """Every revision of a query, oldest first (deleted ones say when).

        Parameters
        ----------
        name : str
            The query's name.

        Returns
        -------
        list of dict
            ``revision``, ``saved_at``, ``saved_by``, ``deleted_at``, ``body``; empty
            for an unknown name.

        Examples
        --------
        >>> import tempfile
        >>> meta = MetaStore(Path(tempfile.mkdtemp()))
        >>> ann = Principal("ann", "analyst")
        >>> _ = meta.save_query({"name": "q", "cypher": "RETURN 1"}, ann)
        >>> _ = meta.save_query({"name": "q", "cypher": "RETURN 2"}, ann, update=True)
        >>> _ = meta.delete_query("q", ann)
        >>> [(h["revision"], h["body"]["cypher"], h["deleted_at"] is not None) for h in meta.history("q")]
        [(1, 'RETURN 1', False), (2, 'RETURN 2', True)]
        >>> meta.close()
        """
        rows = self._rows("SELECT * FROM saved_queries WHERE name = ? ORDER BY revision", (name,))
        return [
            {
                "revision": r["revision"],
                "saved_at": r["saved_at"],
                "saved_by": r["saved_by"],
                "deleted_at": r["deleted_at"],
                "body": json.loads(r["body"]),
            }
            for r in rows
        ]

    def delete_query(self, name: str, who: Principal) -> StoredQuery:
        """Delete a query: its newest revision is marked deleted.

        Every revision is kept; :meth:`history` lists them.

        Parameters
        ----------
        name : str
            The query's name or id.
        who : Principal
            Who deletes it: the owner or an admin.

        Returns
        -------
        StoredQuery
            The revision that was deleted.

        Raises
        ------
        UnknownName
            If there is no live query of that name or id.
        PermissionDenied
            If ``who`` is neither the owner nor an admin.

        Examples
        --------
        >>> import tempfile
        >>> meta = MetaStore(Path(tempfile.mkdtemp()))
        >>> ann = Principal("ann", "analyst")
        >>> _ = meta.save_query({"name": "q", "cypher": "RETURN 1"}, ann)
        >>> meta.delete_query("q", ann).revision, meta.get_query("q")
        (1, None)
        >>> meta.close()
        """
        cur = self.get_query(name)
        if cur is None:
            raise UnknownName(f"no saved query {name!r}")
        if not cur.editable_by(who):
            raise PermissionDenied(
                f"saved query {name!r} belongs to {cur.owner}; only they or an admin may delete it"
            )
        with self._tx() as con:
            con.execute(
                "UPDATE saved_queries SET deleted_at = ? WHERE name = ? AND revision = ?",
                (_now(), cur.name, cur.revision),
            )
        return cur

    # ---- flag assessments -------------------------------------------------------------

    def assess(self, flag_id: str, status: str, note: str | None, who: Principal) -> dict[str, Any]:
        """Record a person's assessment of a flag; returns it.

        Every assessment is kept; the newest is the flag's status (:meth:`statuses`).

        Parameters
        ----------
        flag_id : str
            The flag's id (its ``flag_id``, not its uid).
        status : str
            One of :data:`FLAG_STATUSES`.
        note : str or None
            Why.
        who : Principal
            Who assesses it.

        Returns
        -------
        dict
            ``seq``, ``flag_id``, ``status``, ``note``, ``who``, ``role``, ``at``.

        Raises
        ------
        QueryError
            If the status is not one of :data:`FLAG_STATUSES`.

        Examples
        --------
        >>> import tempfile
        >>> meta = MetaStore(Path(tempfile.mkdtemp()))
        >>> a = meta.assess("f3a9", "under_review", "checking the rota", Principal("ann", "analyst"))
        >>> a["seq"], a["status"], a["who"]
        (1, 'under_review', 'ann')
        >>> meta.assess("f3a9", "closed", None, Principal("ann", "analyst"))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        graph.errors.QueryError: status must be one of open, under_review, no_further_action, ...
        >>> meta.close()
        """
        if status not in FLAG_STATUSES:
            raise QueryError(f"status must be one of {', '.join(FLAG_STATUSES)} (got {status!r})")
        at = _now()
        with self._tx() as con:
            cur = con.execute(
                "INSERT INTO assessments (flag_id, status, note, who, role, at) VALUES (?, ?, ?, ?, ?, ?)",
                (flag_id, status, note, who.user, who.role, at),
            )
        return {
            "seq": cur.lastrowid,
            "flag_id": flag_id,
            "status": status,
            "note": note,
            "who": who.user,
            "role": who.role,
            "at": at,
        }

    def assessments(self, flag_id: str) -> list[dict[str, Any]]:
        """Every assessment of a flag, oldest first.

        Parameters
        ----------
        flag_id : str
            The flag's id.

        Returns
        -------
        list of dict
            As :meth:`assess` returns each; empty for a flag never assessed.

        Examples
        --------
        >>> import tempfile
        >>> meta = MetaStore(Path(tempfile.mkdtemp()))
        >>> _ = meta.assess("f3a9", "under_review", None, Principal("ann", "analyst"))
        >>> _ = meta.assess("f3a9", "referred", "to PSD", Principal("bob", "investigator"))
        >>> [(a["status"], a["who"]) for a in meta.assessments("f3a9")]
        [('under_review', 'ann'), ('referred', 'bob')]
        >>> meta.close()
        """
        rows = self._rows("SELECT * FROM assessments WHERE flag_id = ? ORDER BY seq", (flag_id,))
        return [dict(r) for r in rows]

    def statuses(self) -> dict[str, str]:
        """Each assessed flag's current status (flags not listed are ``open``).

        Returns
        -------
        dict of str to str
            Flag id to the status of its newest assessment.

        Examples
        --------
        >>> import tempfile
        >>> meta = MetaStore(Path(tempfile.mkdtemp()))
        >>> _ = meta.assess("f3a9", "under_review", None, Principal("ann", "analyst"))
        >>> _ = meta.assess("f3a9", "no_further_action", None, Principal("ann", "analyst"))
        >>> meta.statuses()
        {'f3a9': 'no_further_action'}
        >>> meta.close()
        """
        rows = self._rows(
            "SELECT a.flag_id, a.status FROM assessments a JOIN (SELECT flag_id, max(seq) AS s "
            "FROM assessments GROUP BY flag_id) m ON a.seq = m.s"
        )
        return {r["flag_id"]: r["status"] for r in rows}

    # ---- unmasking grants ------------------------------------------------------------

    def grant_unmask(self, case_ref: str, who: Principal, subject_id: str, reason: str) -> dict[str, Any]:
        """Record that ``who`` unmasked ``subject_id`` within one review case.

        The caller (the case operations) checks that ``who`` is assigned to the case;
        this keeps the act. Grants are never deleted.

        Parameters
        ----------
        case_ref : str
            The review case's reference.
        who : Principal
            The person unmasking.
        subject_id : str
            The officer id unmasked.
        reason : str
            Why (required, not blank).

        Returns
        -------
        dict
            The grant as stored.

        Raises
        ------
        QueryError
            If the reason is blank.

        Examples
        --------
        >>> import tempfile
        >>> meta = MetaStore(Path(tempfile.mkdtemp()))
        >>> g = meta.grant_unmask("RC-1", Principal("ann", "investigator"), "O1", "to check the rota")
        >>> g["subject_id"], meta.unmasked("ann"), meta.unmasked("ann", case_ref="RC-2"), meta.unmasked("bob")
        ('O1', {'O1'}, set(), set())
        >>> meta.grant_unmask("RC-1", Principal("ann", "investigator"), "O1", " ")
        Traceback (most recent call last):
        ...
        graph.errors.QueryError: reason: unmasking needs a reason (it is kept with your name)
        >>> meta.close()
        """
        if not (reason or "").strip():
            raise QueryError("reason: unmasking needs a reason (it is kept with your name)")
        row = (case_ref, who.user, subject_id, reason.strip(), _now())
        with self._tx() as con:
            cur = con.execute(
                "INSERT INTO unmask_grants (case_ref, user, subject_id, reason, at) VALUES (?, ?, ?, ?, ?)",
                row,
            )
            seq = cur.lastrowid
        return dict(zip(("seq", "case_ref", "user", "subject_id", "reason", "at"), (seq, *row), strict=True))

    def unmasked(self, user: str, *, case_ref: str | None = None) -> set[str]:
        """The officer ids ``user`` has unmasked (within one case, when ``case_ref`` is given)."""
        if case_ref is None:
            rows = self._rows("SELECT DISTINCT subject_id FROM unmask_grants WHERE user = ?", (user,))
        else:
            rows = self._rows(
                "SELECT DISTINCT subject_id FROM unmask_grants WHERE user = ? AND case_ref = ?",
                (user, case_ref),
            )
        return {r["subject_id"] for r in rows}

    def unmask_grants(self, *, case_ref: str | None = None) -> list[dict[str, Any]]:
        """Every unmasking act (of one case, when ``case_ref`` is given), oldest first."""
        if case_ref is None:
            rows = self._rows("SELECT * FROM unmask_grants ORDER BY seq")
        else:
            rows = self._rows("SELECT * FROM unmask_grants WHERE case_ref = ? ORDER BY seq", (case_ref,))
        return [dict(r) for r in rows]


# ---- the audit log's published head ---------------------------------------------------


def _meta_connection(data_dir: Path, *, any_thread: bool = False) -> sqlite3.Connection:
    path = Path(data_dir) / META_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=not any_thread)
    con.execute("PRAGMA journal_mode=WAL")
    con.executescript(AUDIT_HEAD_SCHEMA)
    return con


def publish_audit_head(data_dir: Path, seq: int, hash_: str, sig: str | None) -> None:
    """Keep the audit log's newest head (sequence number, hash, signature) in the metadata store.

    Called by :meth:`graph.audit.AuditLog.record` under the log's lock, once a batch of
    records. The process keeps its connection to ``meta.sqlite`` open between calls
    (opening it, checking the schema and closing it cost ~1.5 ms of CPU a call), and
    opens it again when the file is no longer the one it opened.

    Parameters
    ----------
    data_dir : Path
        The data folder (its ``meta.sqlite`` is made if missing).
    seq : int
        The last record's sequence number.
    hash_ : str
        Its hash.
    sig : str or None
        The head's signature.

    See Also
    --------
    published_audit_head : Reads it back.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> publish_audit_head(d, 3, "ab" * 32, None)
    >>> published_audit_head(d)["seq"]
    3
    """
    path = Path(data_dir) / META_FILE
    pid = os.getpid()
    with _PUBLISH_LOCK:
        held = _publishers.pop(path, None)
        inode = path.stat().st_ino if path.exists() else None
        if held is not None and (held[0], held[1]) != (pid, inode):  # another process's, or another file
            if held[0] == pid:
                held[2].close()
            held = None
        if held is None:
            con = _meta_connection(data_dir, any_thread=True)  # the audit log's lock orders its users
            held = (pid, path.stat().st_ino, con)
        _publishers[path] = held  # the most recent last
        while len(_publishers) > PUBLISHERS_KEPT:  # a process that writes to many data folders (tests)
            _, (old_pid, _, old) = _publishers.popitem(last=False)
            if old_pid == pid:
                old.close()
        held[2].execute(
            "INSERT INTO audit_head (id, seq, hash, sig, at) VALUES (1, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, "
            "sig = excluded.sig, at = excluded.at",
            (int(seq), hash_, sig, _now()),
        )


_PUBLISH_LOCK = threading.Lock()
PUBLISHERS_KEPT = 4
_publishers: OrderedDict[Path, tuple[int, int, sqlite3.Connection]] = OrderedDict()
"""The connection each data folder's head is published through, with the process that
opened it and the file's inode then (see :func:`publish_audit_head`)."""


def published_audit_head(data_dir: Path) -> dict[str, Any] | None:
    """The audit log's head as last published (``None`` if none was).

    Parameters
    ----------
    data_dir : Path
        The data folder.

    Returns
    -------
    dict or None
        ``seq``, ``hash``, ``sig``, ``at``.

    Examples
    --------
    >>> import tempfile
    >>> published_audit_head(Path(tempfile.mkdtemp())) is None
    True
    """
    if not (Path(data_dir) / META_FILE).exists():
        return None
    con = _meta_connection(data_dir)
    try:
        row = con.execute("SELECT seq, hash, sig, at FROM audit_head WHERE id = 1").fetchone()
    finally:
        con.close()
    return None if row is None else {"seq": int(row[0]), "hash": row[1], "sig": row[2], "at": row[3]}
