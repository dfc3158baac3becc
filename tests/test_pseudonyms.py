"""Pseudonymised review by default: stable keyed pseudonyms, and every review surface
(API flag list, flag pages, evidence graphs, exports, saved-query results, the command
line's flag list) showing officers and members of the public by pseudonym, until an
unmasking grant shows one officer to the one user who holds it."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.auth import PURPOSE_COOKIE, TOKEN_COOKIE
from api.cli import app as cli_app
from api.ops.pseudonyms import MIN_LENGTH, SPAN_PARTS, Masker, Pseudonyms, _digest, pseudonym_key
from graph.errors import ConfigError
from graph.meta import MetaStore, Principal
from graph.settings import Settings, load_settings
from graph.store import GraphStore
from graph.workspace import open_store
from ingest.run import ingest_dir
from queries.detect import run_detectors
from synthetic import generate
from tests.conftest import auth, embedded_settings, make_tokens, neo4j_settings, wipe_neo4j

PSEUDONYM = re.compile(r"^Officer-[0-9A-HJKMNP-TV-Z]{4,}$")


# ---- the pseudonyms and their key ---------------------------------------------------------


def test_pseudonyms_are_stable_keyed_unique_and_reversible() -> None:
    ids = [f"{100000 + i}" for i in range(5000)]
    a, again, other = (
        Pseudonyms(b"k" * 32, ids),
        Pseudonyms(b"k" * 32, reversed(ids)),
        Pseudonyms(b"x" * 32, ids),
    )
    codes = [a.officer(i) for i in ids]
    assert all(PSEUDONYM.match(c) for c in codes) and len(set(codes)) == len(ids)
    assert codes == [again.officer(i) for i in ids]  # the same key gives the same names
    assert sum(c == other.officer(i) for c, i in zip(codes, ids, strict=True)) < 5  # another key, others
    assert all(a.resolve(c) == i for c, i in zip(codes, ids, strict=True))
    assert a.resolve("Officer-0000000000") is None
    # collisions of the first 4 characters are settled by lengthening both, never by chance
    longer = [i for i, c in zip(ids, codes, strict=True) if len(c) > len("Officer-") + MIN_LENGTH]
    assert longer  # 5,000 officers in a million codes: some collide
    for i in longer:
        prefix = _digest(b"k" * 32, "Officer", i)[:MIN_LENGTH]
        assert sum(_digest(b"k" * 32, "Officer", j)[:MIN_LENGTH] == prefix for j in ids) >= 2
    # an officer unknown at first gets a code no known officer has
    late = a.officer("999999")
    assert PSEUDONYM.match(late) and late not in codes and a.resolve(late) == "999999"
    assert a.other("Person", "P1").startswith("Person-") and a.other("Person", "P1") == again.other(
        "Person", "P1"
    )


class _Persons:
    """A store that knows some person ids (what :meth:`Masker.learn` asks of one)."""

    def __init__(self, ids: set[str]) -> None:
        self.ids = ids
        self.asked: list[str] = []

    def query(self, _cypher: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        self.asked += params["uids"]
        return [{"id": u.removeprefix("Person:")} for u in params["uids"] if u.removeprefix("Person:") in self.ids]


@pytest.mark.parametrize(
    ("text", "hidden", "kept"),
    [
        ("notes 100003-2024 and P000123_final", ["100003", "P000123"], ["notes", "-2024", "_final"]),
        ("x_100003_y, MPS-7-a, abc-P000123", ["100003", "MPS-7", "P000123"], ["x_", "_y", "-a", "abc-"]),
        ("100003_200001 P000123--x", ["100003", "200001", "P000123"], ["--x"]),
        ("MPS-77 on 2024-01-31, at 2024-01-31T10:00Z", [], ["MPS-77", "2024-01-31", "2024-01-31T10"]),
        ("a-b-c-d-e-f-g-h-i-j-100003-k", ["100003"], ["a-b-c-d-e-f-g-h-i-j-", "-k"]),
        # no digit, or a count: not an id inside a word (officers F and 12 as whole words only)
        ("flag F-B1, 12-notes; F and 12", ["F", "12"], ["F-B1", "12-notes"]),
    ],
)
def test_ids_joined_to_other_text_are_masked(text: str, hidden: list[str], kept: list[str]) -> None:
    """An officer or person id joined to other text by ``-`` or ``_`` is masked inside the
    word (once it passed as the whole word was no id); an id that itself holds a ``-``
    (``MPS-7``) is one, but not inside another id (``MPS-77``); dates are not split."""
    store = _Persons({"P000123"})
    names = Pseudonyms(b"k" * 32, ["100003", "200001", "MPS-7", "MPS-77x", "F", "12"])
    out = Masker(names, store=store).text(text)  # type: ignore[arg-type]
    words, parts = set(re.findall(r"[A-Za-z0-9][A-Za-z0-9_\-]*", out)), set(re.split(r"[^A-Za-z0-9]+", out))
    for h in hidden:
        if "-" in h:  # an id that holds a joiner: nowhere in the text
            assert h not in out, out
        elif re.search("[0-9]", h) and not re.fullmatch(r"\d{1,4}", h):  # nowhere, inside words neither
            assert h not in parts, out
        else:  # no digit, or a count: masked as a whole word only
            assert h not in words, out
    for k in kept:
        assert k in out, out
    assert out.count("Officer-") + out.count("Person-") == len(hidden)
    assert "Person:P000123" in store.asked or "P000123" not in text


def test_an_id_is_found_within_span_parts_of_a_word() -> None:
    names = Pseudonyms(b"k" * 32, ["A-1-B"])
    near = "-".join(["x"] * (SPAN_PARTS - 3) + ["A-1-B"])  # the id's three parts end the last span
    assert "A-1-B" not in Masker(names).text(near + "-y")
    assert "A-1-B" not in Masker(names).text("z-" + near)


def test_key_from_settings_or_a_development_key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for k in list(os.environ):
        if k.startswith("LINKWATCH_"):
            monkeypatch.delenv(k)
    s = Settings(data_dir=tmp_path / "data")
    key = pseudonym_key(s)
    f = tmp_path / "data" / "pseudonym.key"
    assert f.exists() and stat.S_IMODE(f.stat().st_mode) == 0o600
    assert pseudonym_key(Settings(data_dir=tmp_path / "data")) == key  # stable across restarts
    assert pseudonym_key(Settings(data_dir=tmp_path / "other")) != key
    # production: fail fast, naming the variable, on a missing or placeholder key
    monkeypatch.setenv("LINKWATCH_ENVIRONMENT", "production")
    with pytest.raises(ConfigError, match="LINKWATCH_PSEUDONYM_KEY is not set"):
        load_settings(data_dir=tmp_path / "data")
    for bad in ("changeme", "short"):
        monkeypatch.setenv("LINKWATCH_PSEUDONYM_KEY", bad)
        with pytest.raises(ConfigError, match="LINKWATCH_PSEUDONYM_KEY is a placeholder"):
            load_settings(data_dir=tmp_path / "data")
    monkeypatch.setenv("LINKWATCH_PSEUDONYM_KEY", "a real secret of enough length")
    good = load_settings(data_dir=tmp_path / "data")
    assert good.environment == "production" and pseudonym_key(good) == b"a real secret of enough length"
    assert "a real secret" not in repr(good)  # a secret, never printed


# ---- every review surface ----------------------------------------------------------------


@dataclass
class Force:
    settings: Settings
    flags: pd.DataFrame
    officers: pd.DataFrame
    persons: pd.DataFrame
    tokens: dict[str, str]


@pytest.fixture(scope="module", params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def force(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Force:
    tmp = tmp_path_factory.mktemp(f"pseudo-{request.param}")
    s = embedded_settings(tmp) if request.param == "embedded" else neo4j_settings(tmp)
    src = generate(officers=150, seed=4, days=45).write(tmp / "src")
    with open_store(s) as st:
        if st.name == "neo4j":
            wipe_neo4j(st)
        ingest_dir(st, src, s.data_dir)
        flags = run_detectors(st).flags
    return Force(
        s,
        flags,
        pd.read_csv(src / "officers.csv", dtype=str, keep_default_na=False),
        pd.read_csv(src / "persons.csv", dtype=str, keep_default_na=False),
        make_tokens(s),
    )


@pytest.fixture(scope="module")
def client(force: Force) -> Iterator[TestClient]:
    with TestClient(create_app(force.settings)) as c:
        yield c


def leaks(force: Force, text: str) -> set[str]:
    """Real officer ids, person ids and officers' full names found in a text."""
    ids = set(force.officers["officer_id"]) | set(force.persons["person_id"])
    words = set(re.findall(r"[A-Za-z0-9][A-Za-z0-9_\-]*", text))
    names = {f"{r.forenames} {r.surname}" for r in force.officers.itertuples()} | {
        f"{r.forenames} {r.surname}" for r in force.persons.itertuples() if r.surname
    }
    return (ids & words) | {n for n in names if n in text}


def _crew(force: Force) -> pd.Series:
    return force.flags[force.flags["detector"] == "network.crew"].iloc[0]


def test_every_review_surface_shows_pseudonyms(force: Force, client: TestClient) -> None:
    h = auth(force.tokens["admin"], case_ref="PSD-P1")  # an admin is masked too
    listed = client.get("/api/v1/flags", params={"limit": 1000}, headers=h)
    assert listed.status_code == 200 and listed.json()["total"] == len(force.flags)
    assert all(PSEUDONYM.match(f["officer_id"]) for f in listed.json()["items"])
    assert leaks(force, listed.text) == set()
    # a pseudonym given back as a filter finds that officer's flags
    f = _crew(force)
    assert f.officer_id in leaks(force, f.explanation)  # the check sees what detectors write
    mine = force.flags[force.flags["officer_id"] == f.officer_id]
    pseudonym = next(x["officer_id"] for x in listed.json()["items"] if x["flag_id"] == f.flag_id)
    by = client.get("/api/v1/flags", params={"officer_id": pseudonym, "limit": 1000}, headers=h).json()
    assert {x["flag_id"] for x in by["items"]} == set(mine["flag_id"])
    # one flag: its explanation names seven officers, all by pseudonym
    one = client.get(f"/api/v1/flags/{f.flag_id}", headers=h)
    assert one.json()["officer_id"] == pseudonym and pseudonym in one.json()["explanation"]
    assert leaks(force, one.text) == set() and one.json()["explanation"].count("Officer-") >= 7
    ev = client.get(f"/api/v1/flags/{f.flag_id}/evidence", headers=h)
    assert f"Officer:{pseudonym}" in ev.json()["nodes"] and leaks(force, ev.text) == set()
    # the same for flags naming people (a person is never named)
    for det in ("access.personal_link", "network.hidden_link", "roster.self_approval"):
        fid = force.flags[force.flags["detector"] == det].iloc[0].flag_id
        for url in (f"/api/v1/flags/{fid}", f"/api/v1/flags/{fid}/evidence"):
            r = client.get(url, headers=h)
            assert r.status_code == 200 and leaks(force, r.text) == set(), (det, url)
    # the pages
    client.cookies.set(TOKEN_COOKIE, force.tokens["investigator"])
    client.cookies.set(PURPOSE_COOKIE, "pseudonym test")
    for url in (f"/ui/flags?officer_id={pseudonym}", f"/ui/flags/{f.flag_id}"):
        page = client.get(url)
        assert page.status_code == 200 and pseudonym in page.text and leaks(force, page.text) == set(), url
    client.cookies.clear()
    # exports: flags as CSV and JSON lines, a neighbourhood as GraphML
    csv_text = client.get("/api/v1/exports/flags", params={"format": "csv"}, headers=h).text
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert len(rows) == len(force.flags) and all(PSEUDONYM.match(r["officer_id"]) for r in rows)
    assert leaks(force, csv_text) == set()
    jsonl = client.get("/api/v1/exports/flags", params={"format": "jsonl"}, headers=h).text
    assert all(PSEUDONYM.match(json.loads(x)["officer_id"]) for x in jsonl.splitlines())
    assert leaks(force, jsonl) == set()
    gml = client.get(
        "/api/v1/exports/neighbourhood", params={"id": f"Officer:{pseudonym}", "format": "graphml"}, headers=h
    )
    assert gml.status_code == 200 and f"Officer:{pseudonym}" in gml.text and leaks(force, gml.text) == set()
    # saved queries: a pseudonym as the parameter, pseudonyms and no names in the rows
    analyst = auth(force.tokens["analyst"])
    prof = client.post(
        "/api/v1/queries/officer-profile/run", json={"params": {"officer_id": pseudonym}}, headers=analyst
    )
    assert prof.status_code == 200, prof.text
    (row,) = prof.json()["rows"]
    assert row["officer_id"] == pseudonym and row["surname"] == "(masked)" and row["forenames"] == "(masked)"
    assert prof.json()["params"]["officer_id"] == pseudonym and leaks(force, prof.text) == set()
    net = client.post(
        "/api/v1/queries/officer-unit-network/export",
        params={"format": "graphml"},
        json={"params": {"officer_id": pseudonym}},
        headers=analyst,
    )
    assert net.status_code == 200 and f"Officer:{pseudonym}" in net.text and leaks(force, net.text) == set()


def test_command_line_flag_list_shows_pseudonyms(force: Force, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINKWATCH_PURPOSE", "pseudonym test")
    where = ["--data-dir", str(force.settings.data_dir), "--store", force.settings.store]
    if force.settings.neo4j_uri:
        where += ["--neo4j-uri", force.settings.neo4j_uri]
    res = CliRunner().invoke(cli_app, ["flag", "list", *where, "--limit", "1000"])
    assert res.exit_code == 0, res.output
    assert f"{len(force.flags)} flags" in res.output and "Officer-" in res.output
    assert leaks(force, res.output) == set()
    crew = _crew(force)
    shown = CliRunner().invoke(cli_app, ["flag", "show", crew.flag_id, *where])
    assert shown.exit_code == 0 and leaks(force, shown.output) == set()


def test_a_server_snapshot_masks_each_flag_once_per_officers_shown(
    force: Force, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The flag list again: the embedded server's snapshot (which never changes) kept the
    page's flags as read and their masked explanations and evidence, so no flag is read
    and no text looked at again, and the page is the same. Kept per officers shown: a grant shows its officer (the next test)."""
    learnt: list[int] = []
    real = Masker.learn

    def learn(self: Masker, texts: Any) -> None:
        texts = list(texts)
        learnt.append(len(texts))
        real(self, texts)

    monkeypatch.setattr(Masker, "learn", learn)
    read: list[str] = []
    nodes = GraphStore.nodes

    def counted(self: GraphStore, uids: Any) -> Any:
        uids = list(uids)
        read.extend(u for u in uids if u.startswith("Flag:"))
        return nodes(self, uids)

    monkeypatch.setattr(GraphStore, "nodes", counted)
    h = auth(force.tokens["admin"])
    first = client.get("/api/v1/flags", params={"limit": 40, "skip": 3}, headers=h).json()
    learnt.clear()
    read.clear()
    second = client.get("/api/v1/flags", params={"limit": 40, "skip": 3}, headers=h).json()
    assert first == second and len(second["items"]) == 40
    assert leaks(force, json.dumps(second)) == set()
    kept = force.settings.store == "embedded"
    assert (sum(learnt) == 0) == kept, learnt  # Neo4j may change under the server: masked again
    assert (not read) == kept, read  # ... and read again


def test_a_grant_unmasks_one_officer_for_one_user(force: Force, client: TestClient) -> None:
    f = _crew(force)
    me = auth(force.tokens["investigator"], case_ref="RC-9")
    meta = MetaStore(force.settings.data_dir)
    try:
        meta.grant_unmask(
            "RC-9", Principal("investigator-user", "investigator"), f.officer_id, "assigned reviewer"
        )
    finally:
        meta.close()
    officer = force.officers[force.officers["officer_id"] == f.officer_id].iloc[0]
    one = client.get(f"/api/v1/flags/{f.flag_id}", headers=me).json()
    assert one["officer_id"] == f.officer_id and f.officer_id in one["explanation"]
    others = set(json.loads(f.evidence)[-2]["group"]) - {f.officer_id}  # the group's other members
    assert not any(o in one["explanation"] for o in others)  # still masked: no grant for them
    ev = client.get(f"/api/v1/flags/{f.flag_id}/evidence", headers=me).json()
    me_node = ev["nodes"][f"Officer:{f.officer_id}"]
    assert me_node["properties"]["surname"] == officer.surname
    assert all(
        n.startswith("Officer:Officer-")
        for n in ev["nodes"]
        if n.startswith("Officer:") and n != f"Officer:{f.officer_id}"
    )
    by = client.get("/api/v1/flags", params={"officer_id": f.officer_id, "limit": 1000}, headers=me).json()
    assert by["items"] and all(x["officer_id"] == f.officer_id for x in by["items"])
    # no one else sees them: not an admin, not another investigator
    for role in ("admin", "appropriate_authority"):
        r = client.get(f"/api/v1/flags/{f.flag_id}", headers=auth(force.tokens[role]))
        assert PSEUDONYM.match(r.json()["officer_id"]) and f.officer_id not in r.text, role


def test_a_subjects_own_view_names_only_them(force: Force) -> None:
    from api.ops.pseudonyms import Masker
    from graph.workspace import Workspace

    f = _crew(force)
    others = set(json.loads(f.evidence)[-2]["group"]) - {f.officer_id}
    with Workspace(force.settings) as ws:
        text = Masker.for_subject(ws, f.officer_id).text(f.explanation)
    assert f.officer_id in text and leaks(force, text) == {f.officer_id}
    assert others and not others & leaks(force, text)


def test_a_snapshot_reads_its_officers_once_a_writer_every_minute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server's read-only embedded snapshot never changes: its officer ids are read
    once (reading them again held every masked request for 0.3 s a minute at 45k); a
    writable store reads them again after OFFICERS_TTL_S."""
    from api.ops import pseudonyms as ps
    from graph.settings import Settings
    from graph.workspace import Workspace, open_store
    from tests.fixture_graph import load_fixture

    s = Settings(data_dir=tmp_path / "data", buffer_pool_mb=256)
    with open_store(s) as st:
        load_fixture(st)
    clock = [1000.0]
    monkeypatch.setattr(ps.time, "monotonic", lambda: clock[0])
    reads: list[str] = []

    def counting(store: Any) -> None:
        real = store.query

        def counted(cypher: str, *a: Any, **k: Any) -> Any:
            reads.append(cypher)
            return real(cypher, *a, **k)

        monkeypatch.setattr(store, "query", counted)

    for write, reads_after_a_minute in ((False, 0), (True, 1)):
        with Workspace(s, write=write) as ws:
            reads.clear()
            counting(ws.store)
            assert "A" in ps.officer_pseudonyms(ws).officer_ids and len(reads) == 1
            clock[0] += ps.OFFICERS_TTL_S + 1
            ps.officer_pseudonyms(ws)
            assert len(reads) == 1 + reads_after_a_minute
