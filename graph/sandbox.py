"""User-written queries on the embedded store run in worker processes that can be killed.

Ladybug's query timeout is advisory and it has no per-query memory cap: measured on
0.22, ``UNWIND range(1, 1000000000) AS x RETURN x`` with a 3 s timeout ran 65 s and
reached 8.4 GB resident with a 256 MiB buffer pool, ``Connection.interrupt()`` did not
stop it, and ``ORDER BY … SKIP n LIMIT m`` past the end of a result crashes the
process (SIGSEGV). Setting limits inside the process cannot help (the engine reserves
8 TB of address space at start). So a query a person wrote runs in a worker process
with the store open read-only, and the process that asked:

- waits at most the query timeout (plus a second) and then kills the worker;
- reads the worker's resident memory every 20 ms and kills it above
  ``query_memory_mb``;
- reports a worker that died (a crash in the engine) as a :class:`QueryError`;

and starts a fresh worker for the next query. A worker serves one query at a time;
``query_workers`` of them serve in parallel. The worker opens the same pinned snapshot
as the handle that owns it (see :func:`graph.embedded._pin`).
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import logging
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from graph.errors import QueryError, QueryTimeout, StoreUnavailable
from graph.memory import resident_bytes
from graph.settings import Settings

POLL_S = 0.02
BUSY_WAIT_S = 2.0
"""How long a query waits for a free worker before the answer is 'busy' (503): a
server thread waiting for a worker serves no one else."""
MAX_REPLY_MB = 256
"""Largest result a worker sends back (its size as JSON)."""
_HEADER = struct.Struct("!Q")


def encode(v: Any) -> Any:
    """A result value as JSON with its type kept.

    The worker's replies are JSON, never pickle: a worker the engine let someone take
    over could not run code in the server.

    Parameters
    ----------
    v : object
        A value of a result row.

    Returns
    -------
    object
        JSON-ready: scalars as they are, lists as lists, and one-key tagged maps for
        maps (``$d``), date-times, dates, times, durations, decimals, UUIDs and bytes;
        anything else as its text (``$str``).

    See Also
    --------
    decode : The inverse.

    Examples
    --------
    >>> encode(b"hi"), encode({"a": 1})
    ({'$b': 'aGk='}, {'$d': [['a', 1]]})
    >>> import datetime as dt
    >>> decode(json.loads(json.dumps(encode({"at": dt.date(2026, 1, 2), "n": [1, None]}))))
    {'at': datetime.date(2026, 1, 2), 'n': [1, None]}
    """
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, dict):
        return {"$d": [[encode(k), encode(x)] for k, x in v.items()]}
    if isinstance(v, (list, tuple)):
        return [encode(x) for x in v]
    if isinstance(v, dt.datetime):
        return {"$dt": v.isoformat()}
    if isinstance(v, dt.date):
        return {"$date": v.isoformat()}
    if isinstance(v, dt.time):
        return {"$time": v.isoformat()}
    if isinstance(v, dt.timedelta):
        return {"$td": [v.days, v.seconds, v.microseconds]}
    if isinstance(v, decimal.Decimal):
        return {"$dec": str(v)}
    if isinstance(v, uuid.UUID):
        return {"$uuid": str(v)}
    if isinstance(v, (bytes, bytearray)):
        return {"$b": base64.b64encode(bytes(v)).decode()}
    return {"$str": str(v)}


def decode(v: Any) -> Any:
    """The inverse of :func:`encode` (anything else in a reply is refused).

    Parameters
    ----------
    v : object
        A value as :func:`encode` made it, read back from JSON.

    Returns
    -------
    object
        The original value.

    Raises
    ------
    ValueError
        If ``v`` holds a map that is not one of :func:`encode`'s tagged values.

    Examples
    --------
    >>> decode({"$date": "2026-01-02"})
    datetime.date(2026, 1, 2)
    >>> decode({"$eval": "1 + 1"})
    Traceback (most recent call last):
    ...
    ValueError: not a worker reply value: $eval
    """
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, list):
        return [decode(x) for x in v]
    if not isinstance(v, dict) or len(v) != 1:
        raise ValueError("not a worker reply value")
    ((tag, x),) = v.items()
    if tag == "$d":
        return {decode(k): decode(y) for k, y in x}
    simple: dict[str, Callable[[str], Any]] = {
        "$dt": dt.datetime.fromisoformat,
        "$date": dt.date.fromisoformat,
        "$time": dt.time.fromisoformat,
        "$dec": decimal.Decimal,
        "$uuid": uuid.UUID,
        "$b": base64.b64decode,
        "$str": str,
    }
    if tag == "$td":
        return dt.timedelta(days=x[0], seconds=x[1], microseconds=x[2])
    if tag in simple and isinstance(x, str):
        return simple[tag](x)
    raise ValueError(f"not a worker reply value: {tag}")


class _Worker:
    def __init__(self, db_path: Path, settings: Settings) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent.parent), *sys.path])}
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "graph.sandbox",
                str(db_path),
                str(min(settings.buffer_pool_mb, max(128, settings.query_memory_mb // 2))),
                str(int(settings.query_timeout_s * 1000)),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
        self.lock = threading.Lock()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout):
            if f is not None:
                f.close()

    def run(self, request: dict[str, Any], timeout_s: float, memory_mb: int) -> Any:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        data = pickle.dumps(request)
        try:
            self.proc.stdin.write(_HEADER.pack(len(data)) + data)
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise _Died(self._death()) from None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout_s
        buf = bytearray()
        need: int | None = None
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self.kill()
                raise QueryTimeout(f"query ran past {timeout_s - 1:g} s and was stopped")
            if (resident_bytes(self.proc.pid) or 0) > memory_mb * 2**20:
                self.kill()
                raise QueryError(
                    f"the query needed more than {memory_mb} MiB of memory and was stopped "
                    "(LINKWATCH_QUERY_MEMORY_MB); narrow it or return fewer rows"
                )
            ready, _, _ = select.select([fd], [], [], min(POLL_S, left))
            if not ready:
                continue
            want = (_HEADER.size if need is None else need) - len(buf)
            chunk = os.read(fd, max(1, min(want, 1 << 24)))
            if not chunk:
                raise _Died(self._death())
            buf += chunk
            if need is None and len(buf) == _HEADER.size:
                (need,) = _HEADER.unpack(bytes(buf))
                buf = bytearray()
            if need is not None and len(buf) == need:
                reply = json.loads(buf)
                if isinstance(reply, dict) and "rows" in reply:
                    reply["rows"] = decode(reply["rows"])
                return reply

    def _death(self) -> str:
        code = self.proc.wait()
        if code < 0:
            try:
                return f"signal {signal.Signals(-code).name}"
            except ValueError:
                return f"signal {-code}"
        return f"exit code {code}"


class _Died(Exception):
    pass


class QuerySandbox:
    """Worker processes for the user queries of one read-only embedded handle.

    Workers are started when needed, up to ``query_workers``, and each serves one
    query at a time; a worker that was killed or died is replaced by a fresh one for
    the next query.

    Parameters
    ----------
    db_path : Path
        The snapshot the workers open read-only (the handle's pinned link).
    settings : Settings
        ``query_workers``, ``query_timeout_s``, ``query_memory_mb`` and the buffer
        pool.

    See Also
    --------
    graph.embedded.EmbeddedStore.user_query : Runs user queries here.

    Examples
    --------
    >>> import tempfile
    >>> from graph.workspace import open_store
    >>> s = Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256)
    >>> open_store(s).close()  # an empty store
    >>> sandbox = QuerySandbox(Path(s.data_dir) / "graph.lbdb", s)
    >>> sandbox.run("UNWIND range(1, 5) AS x RETURN x", {}, 3)
    [{'x': 1}, {'x': 2}, {'x': 3}]
    >>> sandbox.run("MATCH (o:Nope) RETURN o", {}, None)
    Traceback (most recent call last):
    ...
    graph.errors.QueryError: Binder exception: Table Nope does not exist.
    >>> sandbox.close()
    """

    def __init__(self, db_path: Path, settings: Settings) -> None:
        self.db_path = db_path
        self.settings = settings
        self._idle: list[_Worker] = []
        self._all: list[_Worker] = []
        self._cond = threading.Condition()
        self._closed = False
        self._warned = False

    def _take(self) -> _Worker:
        wait_s = min(self.settings.query_timeout_s, BUSY_WAIT_S)
        deadline = time.monotonic() + wait_s
        with self._cond:
            while True:
                if self._closed:
                    raise StoreUnavailable("the store was closed")
                if self._idle:
                    return self._idle.pop()
                if len(self._all) < self.settings.query_workers:
                    w = _Worker(self.db_path, self.settings)
                    self._all.append(w)
                    return w
                left = deadline - time.monotonic()
                if left <= 0:
                    raise StoreUnavailable(
                        f"all {self.settings.query_workers} query workers stayed busy for "
                        f"{wait_s:g} s; try again (LINKWATCH_QUERY_WORKERS)"
                    )
                self._cond.wait(left)

    def _give_back(self, w: _Worker, healthy: bool) -> None:
        with self._cond:
            if healthy and not self._closed:
                self._idle.append(w)
            else:
                w.kill()
                if w in self._all:
                    self._all.remove(w)
            self._cond.notify()

    def run(self, cypher: str, params: dict[str, Any], max_rows: int | None) -> list[dict[str, Any]]:
        """Run one query in a worker and return its rows (raw engine values).

        The query is not guarded here: callers pass the text
        :func:`graph.guard.prepare_user_query` re-emitted. The worker is killed past
        the query timeout (plus a second) or ``query_memory_mb``; the engine refuses
        writes, the snapshot being open read-only.

        Parameters
        ----------
        cypher : str
            The query (one statement).
        params : dict
            Its parameters (plain values).
        max_rows : int or None
            Read at most this many rows.

        Returns
        -------
        list of dict
            One dict per row (at most :data:`MAX_REPLY_MB` MiB of them as JSON).

        Raises
        ------
        QueryError
            If the engine refuses the query, it needs too much memory, its result is
            too large, or the worker died on it.
        QueryTimeout
            If it runs past the query timeout.
        StoreUnavailable
            If every worker stayed busy for :data:`BUSY_WAIT_S` (or the query
            timeout, if shorter), the sandbox is closed, or the worker cannot open
            the store.

        Examples
        --------
        >>> import tempfile
        >>> from graph.workspace import open_store
        >>> s = Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256)
        >>> open_store(s).close()  # an empty store
        >>> sandbox = QuerySandbox(Path(s.data_dir) / "graph.lbdb", s)
        >>> sandbox.run("RETURN $d AS d, [1, 2] AS l", {"d": "x"}, None)
        [{'d': 'x', 'l': [1, 2]}]
        >>> sandbox.run("CREATE (u:Unit {uid: 'Unit:X'})", {}, None)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        graph.errors.QueryError: the query tries to write, which is refused here: Connection ...
        >>> sandbox.close()
        """
        w = self._take()
        healthy = False
        try:
            reply = w.run(
                {"cypher": cypher, "params": params, "max_rows": max_rows},
                self.settings.query_timeout_s + 1,
                self.settings.query_memory_mb,
            )
            healthy = True
        except _Died as e:
            raise QueryError(
                f"the embedded engine stopped on this query ({e}) and was restarted; nothing else was "
                "affected. Ladybug 0.22 crashes on some queries, such as ORDER BY … SKIP past the end "
                "of the result: change the query"
            ) from None
        finally:
            self._give_back(w, healthy)
        if "error" in reply:
            kind = {"timeout": QueryTimeout, "unavailable": StoreUnavailable}.get(reply["kind"], QueryError)
            raise kind(reply["error"])
        if not str(reply.get("confined", "confined")).startswith("confined") and not self._warned:
            self._warned = True
            logging.getLogger("linkwatch").warning(
                "query workers are not confined (%s): only the guard keeps them from files", reply["confined"]
            )
        rows: list[dict[str, Any]] = reply["rows"]
        return rows

    def close(self) -> None:
        """Kill every worker; queries waiting for one, and any later, are refused.

        Examples
        --------
        >>> sandbox = QuerySandbox(Path("graph.lbdb"), Settings())
        >>> sandbox.close()
        >>> sandbox.run("RETURN 1 AS x", {}, None)
        Traceback (most recent call last):
        ...
        graph.errors.StoreUnavailable: the store was closed
        """
        with self._cond:
            self._closed = True
            for w in self._all:
                w.kill()
            self._all.clear()
            self._idle.clear()
            self._cond.notify_all()


# ---- the worker ---------------------------------------------------------------------

_FS_READ = (1 << 0) | (1 << 2) | (1 << 3)  # execute, read file, read dir
_FS_RIGHTS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 5: (1 << 16) - 1}


def confine(writable: Path | None, readable: list[str]) -> str:
    """Confine this process with Linux Landlock.

    Read-only access to ``readable`` (the worker's own snapshot folder), read-write access
    to ``writable`` if given, nothing else on disk and no TCP connections. Even a query the
    guard let through could not read another file (the audit log, the metadata store, the
    system's password hashes), write one, or reach the network. Returns what was done, or
    why not (an old kernel or one without Landlock: the guard still applies).

    The confinement holds for the rest of the process's life and binds the threads it
    starts later: call it in a worker, before the engine starts its threads.

    Parameters
    ----------
    writable : Path or None
        A folder the process may also write to.
    readable : list of str
        Paths the process may read (those that do not exist are skipped).

    Returns
    -------
    str
        ``"confined by Landlock ABI <n>"``, or why the process is not confined.

    Examples
    --------
    In a child process (it cannot be undone):

    >>> import subprocess, sys
    >>> code = "from graph.sandbox import confine; print(confine(None, ['/usr']))"
    >>> said = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    >>> said.startswith(("confined by Landlock ABI", "Landlock", "no_new_privs"))
    True
    """
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    abi = libc.syscall(444, None, 0, 1)  # landlock_create_ruleset(NULL, 0, VERSION)
    if abi < 1:
        return f"Landlock unavailable (errno {ctypes.get_errno()})"
    fs = next(v for k, v in sorted(_FS_RIGHTS_BY_ABI.items(), reverse=True) if abi >= k)
    # handled: every fs right, TCP bind and connect, and (ABI 6) signals and abstract
    # unix sockets outside this process
    attr = struct.pack("QQQ", fs, 3 if abi >= 4 else 0, 3 if abi >= 6 else 0)
    size = 24 if abi >= 6 else 16 if abi >= 4 else 8
    fd = libc.syscall(444, ctypes.c_char_p(attr), size, 0)
    if fd < 0:
        return f"Landlock ruleset refused (errno {ctypes.get_errno()})"
    try:
        rules = [(str(writable), fs)] if writable is not None else []
        for path, rights in [*rules, *((p, _FS_READ) for p in readable)]:
            try:
                pfd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            rule = struct.pack("=Qi", rights if os.path.isdir(path) else rights & 0b111, pfd)
            r = libc.syscall(445, fd, 1, ctypes.c_char_p(rule), 0)  # landlock_add_rule, PATH_BENEATH
            os.close(pfd)
            if r != 0:
                return f"Landlock rule for {path} refused (errno {ctypes.get_errno()})"
        if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
            return f"no_new_privs refused (errno {ctypes.get_errno()})"
        if libc.syscall(446, fd, 0) != 0:  # landlock_restrict_self
            return f"Landlock restrict refused (errno {ctypes.get_errno()})"
    finally:
        os.close(fd)
    return f"confined by Landlock ABI {abi}"


def _serve(db_path: str, pool_mb: int, timeout_ms: int) -> None:  # pragma: no cover (subprocess)
    import datetime  # noqa: F401 (imported before the worker is confined: values in rows)
    import decimal  # noqa: F401
    import uuid  # noqa: F401
    import warnings

    import ladybug as lb

    from graph.errors import engine_error

    try:  # the engine's native modules, which it loads on first use, before confinement
        from ladybug import _backend

        _backend.get_pybind_module()
    except (ImportError, AttributeError, RuntimeError):  # another layout: it loads them as before
        pass
    warnings.simplefilter("ignore", DeprecationWarning)  # prepare() + execute(): we need both
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    # Confined before the engine starts its threads (Landlock binds a thread and the
    # threads it starts later): read-only, the snapshot's folder only.
    confined = confine(None, [str(Path(db_path).parent)])
    parent = os.getppid()

    def orphaned() -> None:  # the process that asked is gone (even kill -9): stop any query
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(3)

    threading.Thread(target=orphaned, daemon=True).start()
    opened: str | None = None
    try:
        db = lb.Database(db_path, buffer_pool_size=pool_mb * 1024 * 1024, read_only=True)
        conn = lb.Connection(db)
        conn.set_query_timeout(timeout_ms)
    except RuntimeError as e:
        opened = f"cannot open the embedded store at {db_path}: {e}"
    while True:
        head = stdin.read(_HEADER.size)
        if len(head) < _HEADER.size:
            return
        (size,) = _HEADER.unpack(head)
        req = pickle.loads(stdin.read(size))  # from the process that started us
        reply: dict[str, Any]
        if opened is not None:
            reply = {"error": opened, "kind": "unavailable"}
        else:
            try:
                prepared = conn.prepare(req["cypher"])  # refuses more than one statement
                if not prepared.is_success():
                    raise RuntimeError(prepared.get_error_message())
                res = conn.execute(prepared, req["params"])
                if isinstance(res, list):
                    raise RuntimeError("one statement at a time")
                cols = res.get_column_names()
                rows: list[dict[str, Any]] = []
                limit = req["max_rows"]
                while (limit is None or len(rows) < limit) and res.has_next():
                    rows.append(dict(zip(cols, res.get_next(), strict=True)))
                reply = {"rows": rows, "confined": confined}
            except RuntimeError as e:
                err = engine_error(e, timeout_ms / 1000)
                reply = {"error": str(err), "kind": "timeout" if isinstance(err, QueryTimeout) else "query"}
        if "rows" in reply:
            reply["rows"] = encode(reply["rows"])
        data = json.dumps(reply).encode()
        if len(data) > MAX_REPLY_MB * 2**20:
            data = json.dumps(
                {"error": f"the result is larger than {MAX_REPLY_MB} MiB; return fewer rows", "kind": "query"}
            ).encode()
        stdout.write(_HEADER.pack(len(data)) + data)
        stdout.flush()


if __name__ == "__main__":  # pragma: no cover
    _serve(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
