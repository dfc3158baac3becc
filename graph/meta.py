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

import datetime as dt
import hashlib
import hmac
import json
import secrets
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.errors import LinkwatchError, QueryError, UnknownName

META_FILE = "meta.sqlite"
ROLES = ("investigator", "analyst", "auditor", "admin")
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
    last_used_at TEXT
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
"""
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
    """The user may not do this (not the owner, not shared with them)."""


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Principal:
    """Who is asking: the token's user and role (``cli`` for the command line)."""

    user: str
    role: str
    token_id: str | None = None


@dataclass(frozen=True)
class NewToken:
    token_id: str
    secret: str
    user: str
    role: str
    expires_at: str | None


@dataclass(frozen=True)
class StoredQuery:
    """A user-saved query's newest revision, with its owner and sharing."""

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
        return (
            who.role == "admin"
            or who.user == self.owner
            or who.user in self.share_users
            or who.role in self.share_roles
        )

    def editable_by(self, who: Principal) -> bool:
        return who.role == "admin" or who.user == self.owner


class MetaStore:
    """The metadata of one data folder (thread-safe; one SQLite connection)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / META_FILE
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._con = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        self._con.row_factory = sqlite3.Row
        self._con.execute("PRAGMA journal_mode=WAL")
        self._con.executescript(SCHEMA + AUDIT_HEAD_SCHEMA)

    def close(self) -> None:
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

    # ---- tokens ----------------------------------------------------------------------

    def create_token(
        self,
        user: str,
        role: str,
        *,
        note: str | None = None,
        expires_days: int | None = None,
        created_by: str | None = None,
    ) -> NewToken:
        """Make a token; the secret is in the result only, never stored."""
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
                "INSERT INTO tokens (token_id, hash, user, role, note, created_at, created_by, expires_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (token_id, _hash(secret), user.strip(), role, note, _now(), created_by, expires),
            )
        return NewToken(token_id, secret, user.strip(), role, expires)

    def authenticate(self, secret: str) -> Principal | None:
        """The token's user and role, or ``None`` for an unknown, revoked or expired one."""
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
        return Principal(row["user"], row["role"], row["token_id"])

    def tokens(self) -> list[dict[str, Any]]:
        """Every token (without hashes), newest first."""
        rows = self._rows("SELECT * FROM tokens ORDER BY created_at DESC, token_id")
        return [{k: v for k, v in dict(r).items() if k != "hash"} for r in rows]

    def revoke_token(self, token_id: str) -> None:
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
        """The newest revision of a live query by name or id (``None`` if none)."""
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
        """Every live query, newest revision each, by name."""
        rows = self._rows(
            "SELECT q.* FROM saved_queries q JOIN (SELECT name, max(revision) AS r FROM saved_queries "
            "GROUP BY name) m ON q.name = m.name AND q.revision = m.r WHERE q.deleted_at IS NULL ORDER BY q.name"
        )
        return [self._stored(r) for r in rows]

    def history(self, name: str) -> list[dict[str, Any]]:
        """Every revision of a query, oldest first (deleted ones say when)."""
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
        """Record a person's assessment of a flag; returns it."""
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
        rows = self._rows("SELECT * FROM assessments WHERE flag_id = ? ORDER BY seq", (flag_id,))
        return [dict(r) for r in rows]

    def statuses(self) -> dict[str, str]:
        """Each assessed flag's current status (flags not listed are ``open``)."""
        rows = self._rows(
            "SELECT a.flag_id, a.status FROM assessments a JOIN (SELECT flag_id, max(seq) AS s "
            "FROM assessments GROUP BY flag_id) m ON a.seq = m.s"
        )
        return {r["flag_id"]: r["status"] for r in rows}


# ---- the audit log's published head ---------------------------------------------------


def _meta_connection(data_dir: Path) -> sqlite3.Connection:
    path = Path(data_dir) / META_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, isolation_level=None, timeout=30)
    con.execute("PRAGMA journal_mode=WAL")
    con.executescript(AUDIT_HEAD_SCHEMA)
    return con


def publish_audit_head(data_dir: Path, seq: int, hash_: str, sig: str | None) -> None:
    """Keep the audit log's newest head (sequence number, hash, signature) in the
    metadata store. Called by :meth:`graph.audit.AuditLog.record` under the log's lock."""
    con = _meta_connection(data_dir)
    try:
        con.execute(
            "INSERT INTO audit_head (id, seq, hash, sig, at) VALUES (1, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, "
            "sig = excluded.sig, at = excluded.at",
            (int(seq), hash_, sig, _now()),
        )
    finally:
        con.close()


def published_audit_head(data_dir: Path) -> dict[str, Any] | None:
    """The audit log's head as last published (``None`` if none was)."""
    if not (Path(data_dir) / META_FILE).exists():
        return None
    con = _meta_connection(data_dir)
    try:
        row = con.execute("SELECT seq, hash, sig, at FROM audit_head WHERE id = 1").fetchone()
    finally:
        con.close()
    return None if row is None else {"seq": int(row[0]), "hash": row[1], "sig": row[2], "at": row[3]}
