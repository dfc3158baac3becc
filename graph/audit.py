"""The audit trail: who looked at what, why, and how much came back.

Append-only JSON lines in ``<data_dir>/audit/audit.jsonl``. Three layers make it
tamper-evident:

- **the hash chain**: every record carries the hash of the one before it (``prev``) and
  its own (``hash``: SHA-256 over ``prev`` and the record's canonical JSON), so editing or
  deleting any record breaks the chain from there on; ``audit/head.json`` holds the last
  sequence number and hash, so cutting records off the end shows too. Anyone who can
  write the file can recompute the hashes, though.
- **signatures**: each record's hash and the head are signed (HMAC-SHA256) with a key
  that only the server's user can read (``<data_dir>/audit.key``, mode 0600, made on first
  use; ``LINKWATCH_AUDIT_KEY_FILE`` puts it elsewhere). A re-chained forgery by someone
  without the key has records and a head whose signatures do not match.
- **the published head**: every append also writes the head to the metadata store
  (``meta.sqlite``, :func:`graph.meta.publish_audit_head`), so a log cut short or
  restored from an old copy together with its old, validly signed head file does not
  match the head published there.

:func:`AuditLog.verify` walks the chain, checks every signature and compares both heads,
and says where it breaks. Writers hold an exclusive lock while appending and readers a
shared one, so the API and the command line can write to the same log and a reader
always sees a consistent log and head.

>>> import tempfile
>>> log = AuditLog(Path(tempfile.mkdtemp()))
>>> r = log.record(who="ann", role="analyst", action="query", what="MATCH (o) RETURN o LIMIT 5",
...                purpose="case review", case_ref="PSD-1", result_size=3)
>>> log.verify().ok, r["seq"]
(True, 1)
"""

from __future__ import annotations

import datetime as dt
import fcntl
import getpass
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.errors import LinkwatchError

_STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_NUMBER = re.compile(r"(?<![\w$.])\d+(?:\.\d+)?(?![\w.])")
GENESIS = "0" * 64
KEY_FILE = "audit.key"
KEY_ENV = "LINKWATCH_AUDIT_KEY_FILE"


class PurposeRequired(LinkwatchError):
    """A person-level view or an ad-hoc query was asked for without a stated purpose.

    Examples
    --------
    >>> import os
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"LINKWATCH_PURPOSE": ""}):  # doctest: +ELLIPSIS
    ...     require_purpose(None, "an officer's page")
    Traceback (most recent call last):
    ...
    graph.audit.PurposeRequired: an officer's page needs a stated purpose: pass --purpose 'why you ...
    """


class AuditKeyError(LinkwatchError):
    """The key that signs the audit log cannot be used (unreadable, too open, damaged).

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "audit.key"
    >>> _ = p.write_text("not a key")
    >>> p.chmod(0o600)
    >>> load_key(p, create=False)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graph.audit.AuditKeyError: ... is not an audit signing key (expected at least 32 hex digits); ...
    """


def strip_literals(cypher: str) -> str:
    """A query's text with string and number literals replaced by ``?``.

    Parameters, labels and names stay: the shape of a query without the values typed, for
    views of the log meant for a wider audience (the log itself keeps the full text).

    Parameters
    ----------
    cypher : str
        A query's text.

    Returns
    -------
    str
        The text with each quoted string and each number (not part of a name or a
        parameter) replaced by ``?``.

    See Also
    --------
    redact : A whole record for a wider audience.

    Examples
    --------
    >>> strip_literals("MATCH (o:Officer {surname: 'Ash'}) WHERE o.age > 40 RETURN o LIMIT $n")
    'MATCH (o:Officer {surname: ?}) WHERE o.age > ? RETURN o LIMIT $n'
    """
    return _NUMBER.sub("?", _STRING.sub("?", cypher))


def redact(record: Mapping[str, Any]) -> dict[str, Any]:
    """A record for a wider audience than auditors, with an ad-hoc query's values hidden.

    An ad-hoc query's literals and its parameters' values are replaced by ``?`` (the log
    keeps them). Not verifiable: the hashes are of the full record.

    A failed ad-hoc query (its text in the request body or in the parameters) is
    stripped the same way.

    Parameters
    ----------
    record : mapping
        A record as :meth:`AuditLog.records` gives it.

    Returns
    -------
    dict
        A copy, with ``redacted: True``.

    Examples
    --------
    >>> r = redact({"action": "query", "what": "MATCH (o {officer_id: '100885'}) RETURN o",
    ...             "params": {"n": 5}})
    >>> r["what"], r["params"], r["redacted"]
    ('MATCH (o {officer_id: ?}) RETURN o', {'n': '?'}, True)
    """
    out = {k: v for k, v in record.items() if k != "what_redacted"}
    given = out.get("params")
    params: dict[str, Any] = given if isinstance(given, dict) else {}
    inner = params.get("body")
    body: dict[str, Any] | None = inner if isinstance(inner, dict) else None
    if "what_redacted" in record or record.get("action") == "query":
        out["what"] = record.get("what_redacted") or strip_literals(str(record.get("what") or ""))
        out["params"] = {k: "?" for k in params}
    elif body is not None and "cypher" in body:  # a failed ad-hoc query: its request body
        out["params"] = {**params, "body": {k: "?" for k in body}}
        out["params"]["body"]["cypher"] = strip_literals(str(body["cypher"]))
    elif "cypher" in params:  # a failed ad-hoc query from the command line
        out["what"] = strip_literals(str(record.get("what") or ""))
        out["params"] = {k: "?" for k in params}
        out["params"]["cypher"] = strip_literals(str(params["cypher"]))
    out["redacted"] = True
    return out


def current_user() -> str:
    """Who is at the command line: ``LINKWATCH_USER``, else the login name.

    Returns
    -------
    str
        The user name recorded for command-line looks.

    Examples
    --------
    >>> import os
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"LINKWATCH_USER": "ann"}):
    ...     current_user()
    'ann'
    """
    return os.environ.get("LINKWATCH_USER") or getpass.getuser()


def _digest(prev: str, body: Mapping[str, Any]) -> str:
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256((prev + "\n" + text).encode("utf-8")).hexdigest()


def _sign(key: bytes, kind: str, seq: int, hash_: str) -> str:
    return hmac.new(key, f"linkwatch-audit:{kind}:{seq}:{hash_}".encode(), hashlib.sha256).hexdigest()


def _signed(key: bytes, kind: str, seq: Any, hash_: Any, sig: Any) -> bool:
    return isinstance(sig, str) and hmac.compare_digest(sig, _sign(key, kind, int(seq or 0), str(hash_)))


_KEYS: dict[str, tuple[tuple[int, int, int], bytes]] = {}
_KEYS_LOCK = threading.Lock()


def key_path(data_dir: Path, key_file: Path | None = None) -> Path:
    """Where the signing key lives.

    ``key_file``, else ``LINKWATCH_AUDIT_KEY_FILE``, else ``<data_dir>/audit.key``.

    Parameters
    ----------
    data_dir : Path
        The data folder.
    key_file : Path, optional
        A key file named by the settings.

    Returns
    -------
    Path
        The key file (it need not exist yet).

    Examples
    --------
    >>> key_path(Path("/srv/lw"), Path("/keys/audit.key")).as_posix()
    '/keys/audit.key'
    >>> import os
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {KEY_ENV: ""}):
    ...     key_path(Path("/srv/lw")).as_posix()
    '/srv/lw/audit.key'
    """
    given = key_file or os.environ.get(KEY_ENV)
    return Path(given) if given else Path(data_dir) / KEY_FILE


def load_key(path: Path, *, create: bool) -> bytes | None:
    """The audit log's signing key, made on request when there is none yet.

    The key is made (32 random bytes, mode 0600) when ``create`` and there is none yet;
    ``None`` is returned when there is none and ``create`` is false. A key other users
    could read, or one this user cannot read, is refused with a message that says what
    to do.

    A key read once is cached (by the file's inode, modification time and size).

    Parameters
    ----------
    path : Path
        The key file (:func:`key_path`).
    create : bool
        Make a key when there is none (the writer does; :meth:`AuditLog.verify`
        does not).

    Returns
    -------
    bytes or None
        The key, at least 16 bytes.

    Raises
    ------
    AuditKeyError
        If the file can be read or changed by other users, cannot be read by this
        user, or does not hold a key.

    Examples
    --------
    >>> import tempfile, stat
    >>> p = Path(tempfile.mkdtemp()) / "k"
    >>> load_key(p, create=False) is None, len(load_key(p, create=True)), oct(stat.S_IMODE(p.stat().st_mode))
    (True, 32, '0o600')
    """
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        if not create:
            return None
        return _make_key(path)
    except PermissionError:
        raise AuditKeyError(_unreadable(path)) from None
    if st.st_mode & 0o077:
        raise AuditKeyError(
            f"the audit log's signing key {path} can be read or changed by other users "
            f"(mode {oct(st.st_mode & 0o777)}): run `chmod 600 {path}`; the key must stay "
            "readable by the server's user only"
        )
    sig = (st.st_ino, st.st_mtime_ns, st.st_size)
    with _KEYS_LOCK:
        cached = _KEYS.get(str(path))
        if cached and cached[0] == sig:
            return cached[1]
    try:
        text = path.read_text(encoding="ascii").strip()
    except PermissionError:
        raise AuditKeyError(_unreadable(path)) from None
    except (OSError, UnicodeDecodeError) as e:
        raise AuditKeyError(f"cannot read the audit log's signing key {path}: {e}") from None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) < 16:
        raise AuditKeyError(
            f"{path} is not an audit signing key (expected at least 32 hex digits); "
            "restore the server's key or point LINKWATCH_AUDIT_KEY_FILE at it"
        )
    with _KEYS_LOCK:
        _KEYS[str(path)] = (sig, key)
    return key


def _unreadable(path: Path) -> str:
    return (
        f"cannot read the audit log's signing key {path} (permission denied): every look is "
        "signed with it, so run this as the user that owns it (the server's), or set "
        "LINKWATCH_AUDIT_KEY_FILE to a key this user may read"
    )


def _make_key(path: Path) -> bytes:
    """Write a new key atomically (another process may be making one at the same time:
    the first link wins and every process uses that one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_bytes(32).hex() + "\n")
            f.flush()
            os.fsync(f.fileno())
        with suppress(FileExistsError):  # another process made it first: use theirs
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    key = load_key(path, create=False)
    assert key is not None
    return key


@dataclass
class Verification:
    """What :meth:`AuditLog.verify` found.

    Parameters
    ----------
    ok : bool
        No problem was found.
    records : int
        How many records the log holds (lines that are not records included).
    problems : list of str
        Each problem, with its line where it has one.
    head : dict, optional
        The last record's ``seq`` and ``hash`` (``None`` for an empty log).

    Examples
    --------
    >>> import tempfile
    >>> AuditLog(Path(tempfile.mkdtemp())).verify()
    Verification(ok=True, records=0, problems=[], head=None)
    """

    ok: bool
    records: int
    problems: list[str] = field(default_factory=list)
    head: dict[str, Any] | None = None
    """The last record's ``seq`` and ``hash`` (to keep elsewhere and compare later)."""


MAX_VALUE_CHARS = 4096
"""Longest text kept whole in a record; a longer one keeps its start, its length and its
SHA-256 (a look is recorded, but one request cannot add megabytes to the log)."""


def bounded(v: Any, depth: int = 0) -> Any:
    """``v`` with long texts cut and large lists and maps summarised.

    Every text longer than :data:`MAX_VALUE_CHARS` is cut (and said so), and lists and
    maps past 1,000 entries or 16 levels are summarised.

    Parameters
    ----------
    v : object
        A value for a record (text, numbers, lists, maps).
    depth : int, default 0
        How deep ``v`` stands (the recursion's count; callers leave it).

    Returns
    -------
    object
        ``v``, or in place of a long text ``{"start", "chars", "sha256"}`` (its first
        :data:`MAX_VALUE_CHARS` characters, its length, its hash), and in place of a
        long or deep list or map its JSON cut the same way with a ``summary``.

    Examples
    --------
    >>> bounded({"q": "x" * 5000})["q"]["chars"]
    5000
    """
    if isinstance(v, str):
        v = _writable(v)
        if len(v) <= MAX_VALUE_CHARS:
            return v
        return {
            "start": v[:MAX_VALUE_CHARS],
            "chars": len(v),
            "sha256": hashlib.sha256(v.encode("utf-8", "surrogatepass")).hexdigest(),
        }
    if isinstance(v, (list, tuple, dict)) and (depth >= 16 or len(v) > 1000):
        text = json.dumps(v, sort_keys=True, default=str)
        return {"summary": f"{type(v).__name__} of {len(v)}", **bounded(text.ljust(MAX_VALUE_CHARS + 1))}
    if isinstance(v, dict):  # keys as text: a map with keys of mixed types cannot be sorted
        return {_writable(k if isinstance(k, str) else str(k)): bounded(x, depth + 1) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [bounded(x, depth + 1) for x in v]
    return v


def _writable(v: str) -> str:
    """``v`` as text UTF-8 can hold: a lone surrogate (``"\\ud800"`` in a JSON body) is
    written as its escape, so the look is recorded rather than lost."""
    return v if v.isascii() else v.encode("utf-8", "backslashreplace").decode("utf-8")


def _bounded_text(v: str) -> str:
    b = bounded(v)
    if isinstance(b, str):
        return b
    return f"{b['start']}… [{b['chars']:,} characters, sha256 {b['sha256']}]"


@dataclass
class _Pending:
    """A record waiting for its batch (:meth:`AuditLog._write_queued`)."""

    fields: dict[str, Any]
    done: threading.Event = field(default_factory=threading.Event)
    body: dict[str, Any] | None = None
    error: BaseException | None = None


class AuditLog:
    """The audit log of one data folder (``key_file``: where its signing key lives).

    Parameters
    ----------
    data_dir : Path
        The data folder: the log is ``<data_dir>/audit/audit.jsonl``, its head
        ``<data_dir>/audit/head.json``.
    key_file : Path, optional
        Where its signing key lives (see :func:`key_path`).

    Attributes
    ----------
    path : Path
        The log file.
    head : Path
        The head file.
    key_file : Path
        The signing key's file.

    See Also
    --------
    graph.workspace.Workspace.audit : The log of a deployment.

    Examples
    --------
    >>> import tempfile
    >>> log = AuditLog(Path(tempfile.mkdtemp()))
    >>> _ = log.record(who="ann", role="analyst", action="entity", what="Officer:A", purpose="case review")
    >>> [r["what"] for r in log.records()], log.verify().ok
    (['Officer:A'], True)
    """

    def __init__(self, data_dir: Path, key_file: Path | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.dir = self.data_dir / "audit"
        self.path = self.dir / "audit.jsonl"
        self.head = self.dir / "head.json"
        self.key_file = key_path(self.data_dir, key_file)
        self._queue: list[_Pending] = []
        self._queue_lock = threading.Lock()
        self._writing = False

    @classmethod
    def of(cls, settings: Any) -> AuditLog:
        """The audit log a :class:`graph.settings.Settings` names.

        Parameters
        ----------
        settings : Settings
            Its ``data_dir`` and ``audit_key_file`` are read.

        Returns
        -------
        AuditLog

        Examples
        --------
        >>> from graph.settings import Settings
        >>> log = AuditLog.of(Settings(data_dir="/srv/lw", audit_key_file="/keys/audit.key"))
        >>> log.path.as_posix(), log.key_file.as_posix()
        ('/srv/lw/audit/audit.jsonl', '/keys/audit.key')
        """
        return cls(settings.data_dir, getattr(settings, "audit_key_file", None))

    @contextmanager
    def _locked(self, mode: int) -> Iterator[None]:
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.dir / ".lock", "a") as lock:
            fcntl.flock(lock, mode)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def record(
        self,
        *,
        who: str,
        role: str,
        action: str,
        what: str,
        purpose: str | None = None,
        case_ref: str | None = None,
        params: Mapping[str, Any] | None = None,
        result_size: int | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """Append one record and return it (with its ``seq``, ``hash`` and ``sig``).

        The record is written and flushed to disk under the log's exclusive lock,
        then the head file is replaced and the head published in the metadata store
        (:func:`graph.meta.publish_audit_head`); it returns once the record is on disk.
        Records that threads of one process ask for at once are written together, one
        ``fsync`` a batch (group commit). Texts and values are cut to size
        (:func:`bounded`). The signing key is made on first use.

        Parameters
        ----------
        who : str
            The user who looked.
        role : str
            Their role.
        action : str
            What kind of look (``query``, ``entity``, ``search`` …).
        what : str
            What was looked at (a query's text, a node id …).
        purpose : str, optional
            The stated purpose.
        case_ref : str, optional
            The case it is for.
        params : mapping, optional
            The look's parameters.
        result_size : int, optional
            How much came back (rows, nodes).
        **extra
            Further fields to record.

        Returns
        -------
        dict
            The record as written: the fields above, ``seq``, ``at`` (UTC),
            ``prev``, ``hash`` and ``sig``.

        Raises
        ------
        AuditKeyError
            If the signing key cannot be used.

        Examples
        --------
        >>> import tempfile
        >>> log = AuditLog(Path(tempfile.mkdtemp()))
        >>> r = log.record(who="ann", role="analyst", action="query", what="MATCH (o) RETURN o",
        ...                purpose="case review", case_ref="PSD-1", result_size=3)
        >>> r["seq"], r["who"], r["prev"] == GENESIS, len(r["hash"])
        (1, 'ann', True, 64)
        >>> log.record(who="bob", role="auditor", action="audit", what="verify")["prev"] == r["hash"]
        True
        """
        fields: dict[str, Any] = {
            "who": _writable(who),
            "role": _writable(role),
            "action": _writable(action),
            "what": _bounded_text(what),
            "purpose": None if purpose is None else _writable(purpose),
            "case_ref": None if case_ref is None else _writable(case_ref),
            "params": bounded(dict(params or {})),
            "result_size": result_size,
            **{k: _bounded_text(v) if isinstance(v, str) else bounded(v) for k, v in extra.items()},
        }
        mine = _Pending(fields)
        with self._queue_lock:
            self._queue.append(mine)
            lead, self._writing = not self._writing, True
        if lead:
            self._write_queued()
        mine.done.wait()
        if mine.error is not None:
            raise mine.error
        assert mine.body is not None
        return mine.body

    def _write_queued(self) -> None:
        """Write every record queued, in batches, until none is left (group commit).

        The thread that found no writer at work writes for every thread that queues a
        record meanwhile: one batch under the log's exclusive lock, flushed to disk with
        one ``fsync``, one head file and one published head; each record's thread waits
        until its batch is on disk. Under many requests at once the lock and the disk are
        taken once a batch instead of once a record."""
        while True:
            with self._queue_lock:
                batch, self._queue = self._queue, []
                if not batch:
                    self._writing = False
                    return
            try:
                self._append(batch)
            except BaseException as e:  # each waiting look fails with the reason
                for p in batch:
                    p.error, p.body = p.error or e, None
            for p in batch:
                p.done.set()

    def _append(self, batch: list[_Pending]) -> None:
        """Write a batch; a record that cannot be written (its values) fails alone, and
        a write that fails leaves the log as it was (the lines written are cut off)."""
        from graph.meta import publish_audit_head

        key = load_key(self.key_file, create=True)
        assert key is not None
        with self._locked(fcntl.LOCK_EX):
            seq, prev = self._last()
            lines = []
            for p in batch:
                body: dict[str, Any] = {
                    "seq": seq + 1,
                    "at": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
                    **p.fields,
                    "prev": prev,
                }
                try:
                    body["hash"] = _digest(prev, body)
                    body["sig"] = _sign(key, "record", seq + 1, body["hash"])
                    lines.append(json.dumps(body, sort_keys=True, ensure_ascii=True, default=str) + "\n")
                except Exception as e:  # this look's values: the others of the batch go on
                    p.error = e
                    continue
                seq, prev, p.body = seq + 1, body["hash"], body
            if not lines:
                return
            head_sig = _sign(key, "head", seq, prev)
            with open(self.path, "a", encoding="utf-8") as f:
                start = f.seek(0, os.SEEK_END)
                try:
                    f.write("".join(lines))
                    f.flush()
                    os.fsync(f.fileno())
                    tmp = self.head.with_suffix(".tmp")
                    tmp.write_text(json.dumps({"seq": seq, "hash": prev, "sig": head_sig}))
                    tmp.replace(self.head)
                except BaseException:  # the head did not move: nor does the log
                    f.truncate(start)
                    f.flush()
                    os.fsync(f.fileno())
                    raise
            publish_audit_head(self.data_dir, seq, prev, head_sig)

    def _last(self) -> tuple[int, str]:
        if not self.head.exists():
            return 0, GENESIS
        h = json.loads(self.head.read_text())
        return int(h["seq"]), str(h["hash"])

    def _snapshot(self) -> tuple[list[str], str | None, dict[str, Any] | None]:
        """The log's lines, the head file's text and the published head, read together
        under the shared lock (no append can come between them)."""
        from graph.meta import published_audit_head

        if not self.dir.exists():
            return [], None, published_audit_head(self.data_dir)
        with self._locked(fcntl.LOCK_SH):
            # records end with "\n" only (str.splitlines would also split inside a
            # record at U+2028, U+2029 or U+0085, which a look's text may hold)
            text = self.path.read_text(encoding="utf-8") if self.path.exists() else ""
            lines = text.split("\n")
            if lines and lines[-1] == "":
                lines.pop()
            head = self.head.read_text(encoding="utf-8") if self.head.exists() else None
            published = published_audit_head(self.data_dir)
        return lines, head, published

    def records(self) -> Iterator[dict[str, Any]]:
        """Every record, oldest first.

        Lines that are not JSON records are skipped here; :meth:`verify` names them.

        The log is read at once under the shared lock, so the records are a
        consistent snapshot however many appends come while they are read.

        Yields
        ------
        dict
            One record per line.

        Examples
        --------
        >>> import tempfile
        >>> log = AuditLog(Path(tempfile.mkdtemp()))
        >>> for n in ("Officer:A", "Officer:B"):
        ...     _ = log.record(who="ann", role="analyst", action="entity", what=n, purpose="review")
        >>> [(r["seq"], r["what"]) for r in log.records()]
        [(1, 'Officer:A'), (2, 'Officer:B')]
        """
        lines, _, _ = self._snapshot()
        for line in lines:
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(rec, dict):
                yield rec

    def verify(self) -> Verification:
        """Walk the chain, check every signature and compare the head with the published one.

        Each record's and the head's signature is checked and the head is compared with the
        one published in the metadata store; every problem is reported with its line.

        Returns
        -------
        Verification
            ``ok`` when no problem was found; otherwise each problem in words (records
            missing, out of order, changed, not signed with the server's key; a head
            that does not match, is not signed or is missing; a published head the
            log does not reach or does not match; a missing or unusable key).

        Examples
        --------
        >>> import tempfile
        >>> log = AuditLog(Path(tempfile.mkdtemp()))
        >>> for n in ("Officer:A", "Officer:B"):
        ...     _ = log.record(who="ann", role="analyst", action="entity", what=n, purpose="review")
        >>> log.verify().ok
        True
        >>> _ = log.path.write_text(log.path.read_text().replace("Officer:B", "Officer:C"))
        >>> v = log.verify()
        >>> v.ok, v.records, v.problems
        (False, 2, ['line 2: record 2 was changed after it was written'])
        """
        lines, head_text, published = self._snapshot()
        problems: list[str] = []
        prev, seq, n = GENESIS, 0, 0
        hashes: dict[int, str] = {}
        try:
            key = load_key(self.key_file, create=False)
        except AuditKeyError as e:
            problems.append(f"signatures not checked: {e}")
            key = None
        if key is None and not problems and (lines or head_text or published):
            problems.append(
                f"the signing key {self.key_file} is missing, so no signature can be checked "
                "(restore it, or set LINKWATCH_AUDIT_KEY_FILE to where it is kept)"
            )
        for line_no, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            n += 1
            try:
                rec = json.loads(line)
                if not isinstance(rec, dict):
                    raise ValueError(line)
            except ValueError:
                problems.append(f"line {line_no}: not a JSON record")
                continue
            rseq = rec.get("seq")
            if rseq != seq + 1:
                problems.append(
                    f"line {line_no}: record {rseq} follows record {seq} "
                    f"(records {seq + 1}..{_int(rseq) - 1} are missing or out of order)"
                )
            if rec.get("prev") != prev:
                problems.append(f"line {line_no}: record {rseq} does not point at the record before it")
            body = {k: v for k, v in rec.items() if k not in ("hash", "sig")}
            if _digest(str(rec.get("prev")), body) != rec.get("hash"):
                problems.append(f"line {line_no}: record {rseq} was changed after it was written")
            if key is not None and not _signed(key, "record", rseq, rec.get("hash"), rec.get("sig")):
                problems.append(
                    f"line {line_no}: record {rseq} is not signed with the server's key "
                    "(it was written or re-hashed by someone without the key)"
                )
            prev, seq = str(rec.get("hash")), _int(rseq)
            hashes[seq] = prev
        head: dict[str, Any] | None = None
        if head_text is not None:
            try:
                head = json.loads(head_text)
                if not isinstance(head, dict):
                    raise ValueError(head_text)
            except ValueError:
                problems.append("the head file is not JSON: it was damaged or edited")
                head = None
            if head is not None:
                if _int(head.get("seq")) != seq or head.get("hash") != prev:
                    problems.append(
                        f"the log ends at record {seq} but the head says record {head.get('seq')}: "
                        "records were cut off the end (or the head was edited)"
                    )
                if key is not None and not _signed(
                    key, "head", head.get("seq"), head.get("hash"), head.get("sig")
                ):
                    problems.append(
                        "the head file is not signed with the server's key: it was rewritten "
                        "(for example after records were cut off and the rest re-hashed)"
                    )
        elif n:
            problems.append("records but no head file: the head was deleted")
        if published is not None:
            pseq, phash = int(published["seq"]), str(published["hash"])
            if pseq > seq:
                problems.append(
                    f"the metadata store says the log reached record {pseq}, but it ends at "
                    f"record {seq}: records were cut off or the log was replaced by an older copy"
                )
            elif hashes.get(pseq) != phash:
                problems.append(
                    f"record {pseq} is not the one published in the metadata store when it was "
                    "written: the log was rewritten from there"
                )
            elif pseq < seq:
                problems.append(
                    f"the metadata store last heard of record {pseq}, but the log goes on to "
                    f"record {seq}: records were added without being published"
                )
        elif n:
            problems.append(
                "the head is not published in the metadata store (meta.sqlite): it was removed, "
                "or the log was copied here from elsewhere"
            )
        return Verification(not problems, n, problems, {"seq": seq, "hash": prev} if n else None)


def _int(v: Any) -> int:
    try:
        return int(v or 0)
    except (TypeError, ValueError):
        return 0


def require_purpose(purpose: str | None, what: str) -> str:
    """The stated purpose, or a clear refusal naming how to give one.

    Parameters
    ----------
    purpose : str or None
        The purpose given (a flag, a request field); else ``LINKWATCH_PURPOSE``.
    what : str
        What needs it, for the message.

    Returns
    -------
    str
        The purpose, stripped.

    Raises
    ------
    PurposeRequired
        If neither gives a purpose that is not blank.

    Examples
    --------
    >>> require_purpose("  case review ", "an ad-hoc query")
    'case review'
    """
    purpose = (purpose or os.environ.get("LINKWATCH_PURPOSE") or "").strip()
    if not purpose:
        raise PurposeRequired(
            f"{what} needs a stated purpose: pass --purpose 'why you are looking' "
            "(and --case CASE-REF), or set LINKWATCH_PURPOSE; it is recorded in the audit log"
        )
    return purpose
