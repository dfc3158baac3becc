"""The audit trail: every look from the command line is recorded with who, why and how
much came back, and the hash chain shows any edited, deleted or cut-off record."""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
import stat
import threading
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import graph.audit as graph_audit
from api.cli import app
from graph.audit import GENESIS, AuditKeyError, AuditLog, _digest, redact, strip_literals
from graph.meta import publish_audit_head, published_audit_head
from graph.workspace import open_store
from tests.conftest import embedded_settings
from tests.fixture_graph import load_fixture

runner = CliRunner()


def _log(tmp_path: Path, n: int = 5) -> AuditLog:
    log = AuditLog(tmp_path)
    for i in range(n):
        log.record(who="ann", role="analyst", action="query", what=f"q{i}", purpose="review", result_size=i)
    return log


def test_chain_verifies_and_links(tmp_path: Path) -> None:
    log = _log(tmp_path)
    v = log.verify()
    assert v.ok and v.records == 5 and v.problems == []
    recs = list(log.records())
    assert [r["seq"] for r in recs] == [1, 2, 3, 4, 5]
    assert all(b["prev"] == a["hash"] for a, b in itertools.pairwise(recs))


def test_an_edited_record_is_found(tmp_path: Path) -> None:
    log = _log(tmp_path)
    lines = log.path.read_text().splitlines()
    rec = json.loads(lines[2])
    rec["purpose"] = "something else"
    lines[2] = json.dumps(rec, sort_keys=True)
    log.path.write_text("\n".join(lines) + "\n")
    v = log.verify()
    assert not v.ok and v.problems == ["line 3: record 3 was changed after it was written"]


def test_a_deleted_record_is_found(tmp_path: Path) -> None:
    log = _log(tmp_path)
    lines = log.path.read_text().splitlines()
    del lines[1]
    log.path.write_text("\n".join(lines) + "\n")
    v = log.verify()
    assert not v.ok
    assert v.problems[0] == "line 2: record 3 follows record 1 (records 2..2 are missing or out of order)"
    assert "does not point at the record before it" in v.problems[1]


def test_records_cut_off_the_end_are_found(tmp_path: Path) -> None:
    log = _log(tmp_path)
    lines = log.path.read_text().splitlines()
    log.path.write_text("\n".join(lines[:3]) + "\n")
    v = log.verify()
    assert not v.ok and "ends at record 3 but the head says record 5" in v.problems[0]


def test_literals_are_stripped() -> None:
    assert strip_literals('MATCH (p:Person {surname: "O\'Neil"}) RETURN p.age + 1, $x') == (
        "MATCH (p:Person {surname: ?}) RETURN p.age + ?, $x"
    )


def test_cli_looks_are_recorded_and_need_a_purpose(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LINKWATCH_PURPOSE", raising=False)
    monkeypatch.setenv("LINKWATCH_USER", "ann.analyst")
    s = embedded_settings(tmp_path)
    with open_store(s) as st:
        load_fixture(st)
    d = ["--data-dir", str(s.data_dir)]
    q = ["query", "cypher", "MATCH (o:Officer {surname: 'Ash'}) RETURN o.officer_id AS id", *d]
    res = runner.invoke(app, q)
    assert res.exit_code == 2 and "an ad-hoc query needs a stated purpose" in res.output
    res = runner.invoke(app, [*q, "--purpose", "complaint PSD-7 review", "--case", "PSD-7"])
    assert res.exit_code == 0, res.output
    page = ["page", "Officer:A", "--out", str(tmp_path / "a.html"), *d]
    assert "needs a stated purpose" in runner.invoke(app, page).output
    assert runner.invoke(app, [*page, "--purpose", "PSD-7"]).exit_code == 0
    run = ["query", "run", "organisation-members", "-p", "org_id=L1", *d]
    res = runner.invoke(app, run)  # a saved query is a look too: it needs a purpose
    assert res.exit_code == 2 and "saved query organisation-members needs a stated purpose" in res.output
    res = runner.invoke(app, [*run, "--purpose", "lodge review", "--case", "PSD-8"])
    assert res.exit_code == 0, res.output
    recs = [r for r in AuditLog(s.data_dir).records() if r["action"] != "failed"]
    assert [(r["action"], r["who"], r["role"]) for r in recs] == [
        ("query", "ann.analyst", "cli"),
        ("page", "ann.analyst", "cli"),
        ("saved_query", "ann.analyst", "cli"),
    ]
    assert recs[2]["purpose"] == "lodge review" and recs[2]["case_ref"] == "PSD-8"
    assert recs[0]["what"].startswith("MATCH (o:Officer {surname:")
    assert (recs[0]["purpose"], recs[0]["case_ref"], recs[0]["result_size"]) == (
        "complaint PSD-7 review",
        "PSD-7",
        1,
    )
    assert recs[1]["what"] == "Officer:A" and recs[1]["result_size"] >= 2
    assert recs[2]["what"].startswith("LW-0004 organisation-members") and recs[2]["params"]["org_id"] == "L1"
    # the refused looks are in the log too, with what was tried and why it failed
    failed = [r for r in AuditLog(s.data_dir).records() if r["action"] == "failed"]
    assert [(r["what"], r["purpose"], r["status"]) for r in failed] == [
        ("query cypher MATCH (o:Officer {surname: 'Ash'}) RETURN o.officer_id AS id", None, "error"),
        ("page Officer:A", None, "error"),
        ("query run organisation-members", None, "error"),
    ]
    assert all("needs a stated purpose" in r["error"] for r in failed)
    assert failed[2]["params"]["param"] == ["org_id=L1"]
    ok = runner.invoke(app, ["audit", "verify", *d])
    assert ok.exit_code == 0 and "6 records, hash chain unbroken, signed" in ok.output
    shown = runner.invoke(app, ["audit", "show", "--format", "json", *d])
    assert [json.loads(x)["seq"] for x in shown.output.strip().splitlines()] == [1, 2, 3, 4, 5, 6]
    log = AuditLog(s.data_dir)
    log.path.write_text(log.path.read_text().replace("PSD-7 review", "routine"))
    bad = runner.invoke(app, ["audit", "verify", *d])
    assert bad.exit_code == 1 and "line 2: record 2 was changed after it was written" in bad.output


# ---- anchoring the chain outside the file: signatures and the published head ---------


def _rechain(log: AuditLog, recs: list[dict[str, Any]], *, keep_sigs: bool = False) -> None:
    """What someone who can write the log but not read the key can do: renumber and
    re-hash the records (keeping the old signatures, or dropping them) and write a head
    that matches."""
    prev = GENESIS
    lines = []
    for i, rec in enumerate(recs, start=1):
        r = {k: v for k, v in rec.items() if k != "hash" and (keep_sigs or k != "sig")}
        r["seq"], r["prev"] = i, prev
        r["hash"] = _digest(prev, {k: v for k, v in r.items() if k != "sig"})
        prev = r["hash"]
        lines.append(json.dumps(r, sort_keys=True))
    log.path.write_text("".join(line + "\n" for line in lines))
    head = json.loads(log.head.read_text())
    head.update(seq=len(recs), hash=prev)
    if not keep_sigs:
        head.pop("sig", None)
    log.head.write_text(json.dumps(head))


def _recs(log: AuditLog) -> list[dict[str, Any]]:
    return [json.loads(x) for x in log.path.read_text().splitlines()]


def test_records_and_head_are_signed_with_a_private_key(tmp_path: Path) -> None:
    log = _log(tmp_path)
    key = tmp_path / "audit.key"
    assert key.exists() and stat.S_IMODE(key.stat().st_mode) == 0o600  # made on first use
    recs = _recs(log)
    assert all(len(r["sig"]) == 64 for r in recs)
    head = json.loads(log.head.read_text())
    assert (head["seq"], head["hash"]) == (5, recs[-1]["hash"]) and len(head["sig"]) == 64
    published = published_audit_head(tmp_path)
    assert published is not None and (published["seq"], published["hash"]) == (5, recs[-1]["hash"])
    v = log.verify()
    assert v.ok and v.head == {"seq": 5, "hash": recs[-1]["hash"]}
    # the key's place is configurable, and a key elsewhere signs differently
    other = AuditLog(tmp_path / "b", key_file=tmp_path / "keys" / "k")
    rec = other.record(who="x", role="cli", action="query", what="q")
    assert (tmp_path / "keys" / "k").exists() and rec["sig"] != recs[0]["sig"]


@pytest.mark.parametrize("keep_sigs", [False, True])
@pytest.mark.parametrize(
    ("forgery", "expected"),
    [
        ("edit", "record 3 is not signed with the server's key"),
        ("delete", "record 2 is not signed with the server's key"),
        ("truncate", "the head file is not signed with the server's key"),
        ("insert", "record 3 is not signed with the server's key"),
        ("replace", "record 1 is not signed with the server's key"),
    ],
)
def test_rehashed_forgeries_are_caught(tmp_path: Path, forgery: str, expected: str, keep_sigs: bool) -> None:
    """Re-chained forgeries pass the hash chain; the signatures and the published head
    catch every one."""
    log = _log(tmp_path)
    recs = _recs(log)
    if forgery == "edit":  # change what record 3 says, re-hash it and everything after
        recs[2]["purpose"] = "routine"
    elif forgery == "delete":  # drop record 2 and renumber
        del recs[1]
    elif forgery == "truncate":  # cut the last two off
        recs = recs[:3]
    elif forgery == "insert":  # a look that never happened
        recs.insert(2, {**recs[2], "what": "q-invented", "who": "bob"})
    else:  # a whole new log
        recs = [{**r, "who": "nobody", "purpose": "nothing to see"} for r in recs]
    _rechain(log, recs, keep_sigs=keep_sigs)
    v = log.verify()
    assert not v.ok
    assert any(expected in p for p in v.problems), v.problems
    assert not any("was changed after it was written" in p for p in v.problems)  # the chain itself holds
    if forgery in ("truncate", "delete"):  # the metadata store remembers how far the log went
        assert any("the metadata store says the log reached record 5" in p for p in v.problems)


def test_an_old_signed_head_put_back_after_truncation_is_caught(tmp_path: Path) -> None:
    """Cut records off the end and put back a copy of the head from when the log was that
    short (validly signed): only the head published in the metadata store shows it."""
    log = _log(tmp_path, 3)
    old_head = log.head.read_text()
    old_lines = log.path.read_text()
    for i in range(2):
        log.record(who="ann", role="analyst", action="query", what=f"later {i}")
    log.path.write_text(old_lines)
    log.head.write_text(old_head)
    v = log.verify()
    assert v.problems == [
        "the metadata store says the log reached record 5, but it ends at record 3: "
        "records were cut off or the log was replaced by an older copy"
    ]


def test_a_rewritten_head_file_and_a_deleted_log_are_caught(tmp_path: Path) -> None:
    log = _log(tmp_path)
    head = json.loads(log.head.read_text())
    log.head.write_text(json.dumps({**head, "sig": "0" * 64}))
    assert log.verify().problems == [
        "the head file is not signed with the server's key: it was rewritten "
        "(for example after records were cut off and the rest re-hashed)"
    ]
    log.path.unlink()
    log.head.unlink()
    v = log.verify()
    assert not v.ok and "says the log reached record 5, but it ends at record 0" in v.problems[0]


def test_a_forged_published_head_is_caught(tmp_path: Path) -> None:
    log = _log(tmp_path)
    publish_audit_head(tmp_path, 5, "f" * 64, None)
    v = log.verify()
    assert v.problems == [
        "record 5 is not the one published in the metadata store when it was written: "
        "the log was rewritten from there"
    ]
    con = sqlite3.connect(tmp_path / "meta.sqlite")
    con.execute("DELETE FROM audit_head")
    con.commit()
    con.close()
    assert "the head is not published in the metadata store" in log.verify().problems[0]


def test_the_key_fails_clearly(tmp_path: Path) -> None:
    log = _log(tmp_path, 2)
    key = tmp_path / "audit.key"
    key.chmod(0o644)  # readable by other users: refused, with what to do
    with pytest.raises(
        AuditKeyError, match=r"can be read or changed by other users \(mode 0o644\).*chmod 600"
    ):
        log.record(who="ann", role="analyst", action="query", what="q")
    v = log.verify()
    assert not v.ok and "signatures not checked" in v.problems[0]
    key.chmod(0o600)
    saved = key.read_text()
    key.unlink()  # a missing key: verify says so (and does not make a new one)
    v = log.verify()
    assert not v.ok and "the signing key" in v.problems[0] and "is missing" in v.problems[0]
    assert not key.exists()
    key.write_text("not a key")
    key.chmod(0o600)
    with pytest.raises(AuditKeyError, match="is not an audit signing key"):
        log.record(who="ann", role="analyst", action="query", what="q")
    key.write_text(saved)
    assert log.verify().ok


def test_an_unreadable_key_fails_clearly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A user who may not read the server's key cannot append, and is told why."""
    log = _log(tmp_path, 1)
    key = tmp_path / "audit.key"
    key.chmod(0o000)
    if os.geteuid() == 0:  # root reads any file: make the read fail as it does for others
        real = Path.read_text

        def read_text(self: Path, *a: Any, **k: Any) -> str:
            if self == key:
                raise PermissionError(13, "Permission denied", str(self))
            return real(self, *a, **k)

        monkeypatch.setattr(Path, "read_text", read_text)
    graph_audit._KEYS.clear()  # the key as read before is cached
    with pytest.raises(AuditKeyError, match=r"cannot read the audit log's signing key .*permission denied"):
        AuditLog(tmp_path).record(who="x", role="cli", action="query", what="q")
    assert len(_recs(log)) == 1  # nothing half-written
    monkeypatch.undo()
    key.chmod(0o600)
    assert log.verify().ok


def test_verify_and_reads_see_a_consistent_log_while_others_append(tmp_path: Path) -> None:
    """Verification and reading take the same lock as appends: verifying while other
    threads append never reports a false break (it did in 5 of 15 tries)."""
    _log(tmp_path, 3)
    stop = threading.Event()
    false_alarms: list[list[str]] = []
    reads: list[int] = []

    def append(k: int) -> None:
        for i in range(60):
            AuditLog(tmp_path).record(who=f"w{k}", role="analyst", action="query", what=f"q{i}")

    def check() -> None:
        while not stop.is_set():
            v = AuditLog(tmp_path).verify()
            if not v.ok:
                false_alarms.append(v.problems)
            reads.append(len(list(AuditLog(tmp_path).records())))

    writers = [threading.Thread(target=append, args=(k,)) for k in range(4)]
    checkers = [threading.Thread(target=check) for _ in range(3)]
    for t in writers + checkers:
        t.start()
    for t in writers:
        t.join(timeout=120)
    stop.set()
    for t in checkers:
        t.join(timeout=60)
    assert false_alarms == []
    assert len(reads) > 10 and all(3 <= n <= 243 for n in reads)  # never a half-written record
    assert AuditLog(tmp_path).verify().records == 243


def test_redacted_view_for_a_wider_audience(tmp_path: Path) -> None:
    log = AuditLog(tmp_path)
    q = "MATCH (o:Officer {officer_id: '100885'}) WHERE o.age > 40 RETURN o LIMIT $n"
    log.record(who="ann", role="analyst", action="query", what=q, params={"n": 5})
    rec = next(log.records())
    assert rec["what"] == q and rec["params"] == {"n": 5}  # the log keeps what was looked up
    shown = redact(rec)
    assert shown["what"] == "MATCH (o:Officer {officer_id: ?}) WHERE o.age > ? RETURN o LIMIT $n"
    assert shown["params"] == {"n": "?"} and shown["redacted"] is True


def test_redacted_view_of_failed_adhoc_queries(tmp_path: Path) -> None:
    log = AuditLog(tmp_path)
    q = "LOAD FROM '/etc/shadow' RETURN *"
    log.record(
        who="a", role="analyst", action="failed", what="POST /api/v1/cypher", params={"body": {"cypher": q}}
    )
    log.record(
        who="a", role="cli", action="failed", what=f"query cypher {q}", params={"cypher": q, "param": ["x=1"]}
    )
    api, cli = (redact(r) for r in log.records())
    assert api["params"]["body"]["cypher"] == "LOAD FROM ? RETURN *"
    assert cli["what"] == "query cypher LOAD FROM ? RETURN *"
    assert cli["params"] == {"cypher": "LOAD FROM ? RETURN *", "param": "?"}
    assert all("/etc/shadow" in json.dumps(r) for r in log.records())  # the log keeps them


def test_line_separators_in_a_look_neither_hide_it_nor_break_the_chain(tmp_path: Path) -> None:
    """U+2028, U+2029 and U+0085 in a look's text once split its record in two when the
    log was read: the look vanished from the auditors' list and verify failed for good."""
    log = AuditLog(tmp_path)
    for ch in ("\u2028", "\u2029", "\x85", "\r"):
        log.record(
            who="eve", role="analyst", action="query", what=f"MATCH (o {{s: 'x{ch}'}})", purpose=f"p{ch}"
        )
    recs = list(log.records())
    assert [r["what"][-4] for r in recs] == ["\u2028", "\u2029", "\x85", "\r"]
    assert log.verify().ok


def test_one_look_cannot_add_megabytes_to_the_log(tmp_path: Path) -> None:
    log = AuditLog(tmp_path)
    log.record(
        who="eve", role="analyst", action="query", what="RETURN 1" + " " * 100_000, params={"j": "A" * 10**6}
    )
    rec = list(log.records())[-1]
    assert rec["params"]["j"]["chars"] == 10**6 and len(rec["params"]["j"]["start"]) == 4096
    assert "100,008 characters" in rec["what"]
    assert log.path.stat().st_size < 20_000 and log.verify().ok


def test_records_asked_for_at_once_are_written_in_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Threads recording at once share a batch: one fsync and one published head for
    many records, each thread back only once its record is on disk, the chain whole.
    A batch that cannot be written fails every look in it, and the next one works."""
    log = AuditLog(tmp_path)
    log.record(who="x", role="admin", action="first", what="-")
    syncs: list[int] = []
    real_fsync = os.fsync

    def slow_fsync(fd: int) -> None:  # the disk is slow: threads queue behind the writer
        syncs.append(fd)
        threading.Event().wait(0.01)
        real_fsync(fd)

    monkeypatch.setattr(graph_audit.os, "fsync", slow_fsync)
    seen: list[int] = []

    def look(i: int) -> None:
        for j in range(10):
            r = log.record(who=f"u{i}", role="investigator", action="entity", what=f"Officer:{i}-{j}")
            text = log.path.read_text()  # another batch may be half-way through its append:
            whole = text[: text.rfind("\n") + 1]  # a record is on disk once its line is whole
            on_disk = {json.loads(line)["seq"] for line in whole.splitlines()}
            assert r["seq"] in on_disk  # back only once written
            seen.append(r["seq"])

    threads = [threading.Thread(target=look, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(seen) == list(range(2, 82)) and log.verify().ok
    assert len(syncs) < 80 / 2  # batches, not one write a record
    assert published_audit_head(tmp_path)["seq"] == 81

    def refuse(*_: Any, **__: Any) -> None:
        raise AuditKeyError("the key is unreadable")

    monkeypatch.setattr(graph_audit, "load_key", refuse)
    with pytest.raises(AuditKeyError, match="unreadable"):
        log.record(who="x", role="admin", action="lost", what="-")
    monkeypatch.undo()
    assert log.record(who="x", role="admin", action="after", what="-")["seq"] == 82 and log.verify().ok


def test_a_record_that_cannot_be_written_fails_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In a batch, a look whose values cannot be written fails alone; a lone surrogate
    (``"\\ud800"`` in a JSON body) and keys of mixed types are written, not lost; a write
    that fails leaves the log as it was, and the next record follows on."""
    log = AuditLog(tmp_path)
    log.record(who="x", role="admin", action="first", what="-")
    gate, held = threading.Event(), []
    real = AuditLog._append

    def held_first(self: AuditLog, batch: list[Any]) -> None:  # the others queue meanwhile
        if not held:
            held.append(1)
            gate.wait(5)
        real(self, batch)

    monkeypatch.setattr(AuditLog, "_append", held_first)

    class Unprintable:
        def __str__(self) -> str:
            raise ValueError("no text for this")

    results: dict[int, Any] = {}

    def look(i: int, what: str, params: dict[Any, Any]) -> None:
        try:
            results[i] = log.record(who=f"u{i}", role="analyst", action="query", what=what, params=params)
        except Exception as e:
            results[i] = e

    threads = [threading.Thread(target=look, args=(0, "lead", {}))]
    threads[0].start()
    threading.Event().wait(0.2)
    for i, what, params in (
        (1, "fine", {}),
        (2, "bad \ud800 term", {"k": {1: "a", "b": 2}}),
        (3, "broken", {"v": Unprintable()}),
        (4, "fine too", {}),
    ):
        threads.append(threading.Thread(target=look, args=(i, what, params)))
        threads[-1].start()
    threading.Event().wait(0.3)
    gate.set()
    for t in threads:
        t.join(10)
    assert isinstance(results[3], ValueError)
    assert all(isinstance(results[i], dict) for i in (0, 1, 2, 4)), results
    assert results[2]["what"] == "bad \\ud800 term" and results[2]["params"]["k"] == {"1": "a", "b": 2}
    assert sorted(r["seq"] for i, r in results.items() if i != 3) == [2, 3, 4, 5] and log.verify().ok
    monkeypatch.undo()

    def no_disk(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(graph_audit.os, "fsync", no_disk)
    size = log.path.stat().st_size
    with pytest.raises(OSError):
        log.record(who="x", role="admin", action="lost", what="-")
    monkeypatch.undo()
    assert log.path.stat().st_size == size  # cut back: the head did not move, nor does the log
    assert log.record(who="x", role="admin", action="after", what="-")["seq"] == 6 and log.verify().ok
