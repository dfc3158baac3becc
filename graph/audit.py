"""The audit trail: who looked at what, why, and how much came back.

Append-only JSON lines in ``<data_dir>/audit/audit.jsonl``. Every record carries the
hash of the one before it (``prev``) and its own (``hash``: SHA-256 over ``prev`` and the
record's canonical JSON), so editing or deleting any record breaks the chain from there
on; ``audit/head.json`` holds the last sequence number and hash, so cutting records off
the end shows too. :func:`verify` walks the chain and says where it breaks. Writers hold
an exclusive file lock while appending, so the API and the command line can write to the
same log.

>>> import tempfile
>>> log = AuditLog(Path(tempfile.mkdtemp()))
>>> r = log.record(who="ann", role="analyst", action="query", what="MATCH (o) RETURN o LIMIT ?",
...                purpose="case review", case_ref="PSD-1", result_size=3)
>>> log.verify().ok, r["seq"]
(True, 1)
"""

from __future__ import annotations

import datetime as dt
import fcntl
import getpass
import hashlib
import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.errors import LinkwatchError

_STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_NUMBER = re.compile(r"(?<![\w$.])\d+(?:\.\d+)?(?![\w.])")
GENESIS = "0" * 64


class PurposeRequired(LinkwatchError):
    """A person-level view or an ad-hoc query was asked for without a stated purpose."""


def strip_literals(cypher: str) -> str:
    """A query's text with string and number literals replaced by ``?`` (parameters,
    labels and names stay), so the log shows the shape of a query, not the values typed.

    >>> strip_literals("MATCH (o:Officer {surname: 'Ash'}) WHERE o.age > 40 RETURN o LIMIT $n")
    'MATCH (o:Officer {surname: ?}) WHERE o.age > ? RETURN o LIMIT $n'
    """
    return _NUMBER.sub("?", _STRING.sub("?", cypher))


def current_user() -> str:
    return os.environ.get("LINKWATCH_USER") or getpass.getuser()


def _digest(prev: str, body: Mapping[str, Any]) -> str:
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256((prev + "\n" + text).encode("utf-8")).hexdigest()


@dataclass
class Verification:
    ok: bool
    records: int
    problems: list[str] = field(default_factory=list)


class AuditLog:
    """The audit log of one data folder."""

    def __init__(self, data_dir: Path) -> None:
        self.dir = Path(data_dir) / "audit"
        self.path = self.dir / "audit.jsonl"
        self.head = self.dir / "head.json"

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
        """Append one record and return it (with its ``seq`` and ``hash``)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.dir / ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            seq, prev = self._last()
            body: dict[str, Any] = {
                "seq": seq + 1,
                "at": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
                "who": who,
                "role": role,
                "action": action,
                "what": what,
                "purpose": purpose,
                "case_ref": case_ref,
                "params": dict(params or {}),
                "result_size": result_size,
                **extra,
                "prev": prev,
            }
            body["hash"] = _digest(prev, body)
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(json.dumps(body, sort_keys=True, ensure_ascii=False, default=str) + "\n")
                f.flush()
                os.fsync(f.fileno())
            tmp = self.head.with_suffix(".tmp")
            tmp.write_text(json.dumps({"seq": body["seq"], "hash": body["hash"]}))
            tmp.replace(self.head)
        return body

    def _last(self) -> tuple[int, str]:
        if not self.head.exists():
            return 0, GENESIS
        h = json.loads(self.head.read_text())
        return int(h["seq"]), str(h["hash"])

    def records(self) -> Iterator[dict[str, Any]]:
        if not self.path.exists():
            return
        with open(self.path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    yield json.loads(line)

    def verify(self) -> Verification:
        """Walk the chain; every broken link is reported with its line."""
        problems: list[str] = []
        prev, seq, n = GENESIS, 0, 0
        if self.path.exists():
            with open(self.path, encoding="utf-8") as f:
                for line_no, line in enumerate(f, start=1):
                    if not line.strip():
                        continue
                    n += 1
                    try:
                        rec = json.loads(line)
                    except json.JSONDecodeError:
                        problems.append(f"line {line_no}: not a JSON record")
                        continue
                    if rec.get("seq") != seq + 1:
                        problems.append(
                            f"line {line_no}: record {rec.get('seq')} follows record {seq} "
                            f"(records {seq + 1}..{int(rec.get('seq') or 0) - 1} are missing or out of order)"
                        )
                    if rec.get("prev") != prev:
                        problems.append(
                            f"line {line_no}: record {rec.get('seq')} does not point at the record before it"
                        )
                    body = {k: v for k, v in rec.items() if k != "hash"}
                    if _digest(str(rec.get("prev")), body) != rec.get("hash"):
                        problems.append(
                            f"line {line_no}: record {rec.get('seq')} was changed after it was written"
                        )
                    prev, seq = str(rec.get("hash")), int(rec.get("seq") or 0)
        if self.head.exists():
            head = json.loads(self.head.read_text())
            if int(head["seq"]) != seq or head["hash"] != prev:
                problems.append(
                    f"the log ends at record {seq} but the head says record {head['seq']}: "
                    "records were cut off the end (or the head was edited)"
                )
        elif n:
            problems.append("records but no head file: the head was deleted")
        return Verification(not problems, n, problems)


def require_purpose(purpose: str | None, what: str) -> str:
    """The stated purpose, or a clear refusal naming how to give one."""
    purpose = (purpose or os.environ.get("LINKWATCH_PURPOSE") or "").strip()
    if not purpose:
        raise PurposeRequired(
            f"{what} needs a stated purpose: pass --purpose 'why you are looking' "
            "(and --case CASE-REF), or set LINKWATCH_PURPOSE; it is recorded in the audit log"
        )
    return purpose
