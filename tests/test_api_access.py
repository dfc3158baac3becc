"""The API's doors: tokens and roles (the permission matrix), stated purposes, the audit
of every look, user-saved queries, ad-hoc Cypher, exports, the auditors' API, and the
web pages. On the embedded store; a subset runs on Neo4j."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.ops.look import MATRIX, PERMISSIONS
from graph.audit import AuditLog
from graph.meta import ROLES, MetaStore
from graph.settings import Settings
from graph.workspace import open_store
from tests.conftest import auth, make_tokens, masker, neo4j_settings, wipe_neo4j
from tests.fixture_graph import load_fixture

QUERY = {
    "name": "lodge-members",
    "category": "association",
    "description": "Officers resolved to members of one organisation",
    "parameters": [{"name": "org_id", "type": "string", "example": "L1"}],
    "cypher": "MATCH (o:Officer)-[:MEMBER_OF]->(g:Organisation {org_id: $org_id}) "
    "RETURN o.officer_id AS officer_id ORDER BY officer_id",
}

# (method, url, json body, permission it needs); None: open to every signed-in role
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None, str]] = [
    ("GET", "/api/v1/search?q=ash", None, "graph.read"),
    ("GET", "/api/v1/nodes/Officer:A", None, "graph.read"),
    ("GET", "/api/v1/entities/Officer:A", None, "graph.read"),
    ("GET", "/api/v1/neighbourhood?id=Officer:A", None, "graph.read"),
    ("GET", "/api/v1/paths?from=Officer:A&to=Officer:D", None, "graph.read"),
    ("GET", "/api/v1/flags", None, "flags.read"),
    ("GET", "/api/v1/queries", None, "queries.run"),
    ("GET", "/api/v1/queries/organisation-members", None, "queries.run"),
    ("POST", "/api/v1/queries/organisation-members/run", {"params": {"org_id": "L1"}}, "queries.run"),
    ("POST", "/api/v1/queries", QUERY, "queries.save"),
    ("POST", "/api/v1/cypher", {"cypher": "MATCH (o:Officer) RETURN count(o) AS n"}, "cypher.adhoc"),
    ("GET", "/api/v1/exports/neighbourhood?id=Officer:A&format=graphml", None, "export"),
    (
        "POST",
        "/api/v1/queries/organisation-members/export?format=csv",
        {"params": {"org_id": "L1"}},
        "export",
    ),
    ("GET", "/api/v1/audit", None, "audit.read"),
    ("GET", "/api/v1/audit/verify", None, "audit.read"),
    ("GET", "/api/v1/tokens", None, "tokens.manage"),
    ("GET", "/api/v1/subjects/A/report?format=html", None, "subject.report"),
    ("GET", "/api/v1/cases", None, "cases.review"),
]

CHECKED_IN_OWN_TESTS = {
    "cases.signoff": "tests/test_cases.py::test_api_case_permissions",
    "challenges.lodge": "tests/test_challenges.py::test_api_challenge_permissions",
    "challenges.decide": "tests/test_challenges.py::test_api_challenge_permissions",
}
"""Permissions whose endpoints need a case or a challenge to exist first: each role's
403 or success is checked where named."""


@pytest.fixture
def app_client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


def call(c: TestClient, method: str, url: str, body: dict[str, Any] | None, headers: dict[str, str]) -> Any:
    return c.request(method, url, json=body, headers=headers)


def test_matrix_is_complete() -> None:
    assert set(MATRIX) == set(ROLES)
    # independence: an admin neither signs off serious outcomes nor decides challenges
    assert MATRIX["admin"] == frozenset(PERMISSIONS) - {"cases.signoff", "challenges.decide"}
    # permissions whose endpoints are checked by their own tests (they need a case, a flag
    # or a subject to exist first)
    checked_elsewhere = {"flags.assess"} | set(CHECKED_IN_OWN_TESTS)
    assert {p for _, _, _, p in ENDPOINTS} == set(PERMISSIONS) - checked_elsewhere


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(app_client: TestClient, tokens: dict[str, str], role: str) -> None:
    """Every role gets exactly the endpoints its permissions allow (403 otherwise)."""
    for i, (method, url, body, perm) in enumerate(ENDPOINTS):
        if body is QUERY:
            body = {**QUERY, "name": f"lodge-members-{role}-{i}"}
        r = call(app_client, method, url, body, auth(tokens[role]))
        if perm in MATRIX[role]:
            assert r.status_code in (200, 201), (role, url, r.status_code, r.text)
        else:
            assert r.status_code == 403, (role, url, r.status_code, r.text)
            assert f"role {role!r} may not" in r.json()["detail"]
    fid = "no-such-flag"
    r = app_client.post(
        f"/api/v1/flags/{fid}/assessments", json={"status": "open"}, headers=auth(tokens[role])
    )
    assert r.status_code == (404 if "flags.assess" in MATRIX[role] else 403)


def test_no_endpoint_but_health_is_open(
    app_client: TestClient, settings: Settings, tokens: dict[str, str]
) -> None:
    assert app_client.get("/health").status_code == 200
    for method, url, body, _ in ENDPOINTS:
        r = call(app_client, method, url, body, {"X-Purpose": "x"})
        assert r.status_code == 401 and "Authorization: Bearer" in r.json()["detail"], url
        assert r.headers["www-authenticate"] == "Bearer"
        r = call(app_client, method, url, body, auth("lw_deadbeef_not-a-real-token"))
        assert r.status_code == 401, url
    # every route the app serves under /api is in the table above or needs a token too
    api_routes = {
        getattr(r, "path", "") for r in app_client.app.routes if getattr(r, "path", "").startswith("/api")
    }  # type: ignore[attr-defined]
    for path in api_routes:
        url = (
            path.replace("{node_id}", "Officer:A")
            .replace("{name}", "x")
            .replace("{flag_id}", "f")
            .replace("{token_id}", "t")
        )
        for method in ("GET", "POST", "PUT", "DELETE"):
            r = app_client.request(method, url)
            assert r.status_code in (401, 405), (method, url, r.status_code)
    # a revoked and an expired token stop working
    meta = MetaStore(settings.data_dir)
    t = meta.create_token("bob", "investigator")
    assert app_client.get("/api/v1/nodes/Officer:A", headers=auth(t.secret)).status_code == 200
    meta.revoke_token(t.token_id)
    assert app_client.get("/api/v1/nodes/Officer:A", headers=auth(t.secret)).status_code == 401
    old = meta.create_token("cy", "investigator", expires_days=1)
    meta._con.execute(
        "UPDATE tokens SET expires_at = '2000-01-01T00:00:00+00:00' WHERE token_id = ?", (old.token_id,)
    )
    assert app_client.get("/api/v1/nodes/Officer:A", headers=auth(old.secret)).status_code == 401
    stored = meta._con.execute("SELECT hash FROM tokens WHERE token_id = ?", (t.token_id,)).fetchone()[0]
    assert t.secret not in stored and len(stored) == 64  # only the SHA-256 is kept
    meta.close()


def test_purpose_is_required_and_every_look_is_audited(
    app_client: TestClient, settings: Settings, tokens: dict[str, str]
) -> None:
    inv = tokens["investigator"]
    for url in (
        "/api/v1/entities/Officer:A",
        "/api/v1/neighbourhood?id=Officer:A",
        "/api/v1/search?q=ash",
        "/api/v1/flags",
    ):
        r = app_client.get(url, headers=auth(inv, purpose=None))
        assert r.status_code == 400 and "needs a stated purpose" in r.json()["detail"], url
    h = auth(inv, purpose="review of complaint", case_ref="PSD-9")
    assert app_client.get("/api/v1/search", params={"q": "ash"}, headers=h).status_code == 200
    assert app_client.get("/api/v1/entities/Officer:A", headers=h).status_code == 200
    assert (
        app_client.get("/api/v1/neighbourhood", params={"id": "Officer:A", "depth": 2}, headers=h).status_code
        == 200
    )
    assert (
        app_client.get(
            "/api/v1/paths", params={"from": "Officer:A", "to": "Officer:D"}, headers=h
        ).status_code
        == 200
    )
    assert (
        app_client.post(
            "/api/v1/queries/organisation-members/run", json={"params": {"org_id": "L1"}}, headers=h
        ).status_code
        == 200
    )
    assert (
        app_client.get(
            "/api/v1/exports/neighbourhood", params={"id": "Officer:A", "format": "csv"}, headers=h
        ).status_code
        == 200
    )
    # the purpose can come as query parameters too
    assert (
        app_client.get(
            "/api/v1/nodes/Officer:B",
            params={"purpose": "spot check", "case_ref": "PSD-10"},
            headers=auth(inv, purpose=None),
        ).status_code
        == 200
    )
    every = [r for r in AuditLog(settings.data_dir).records() if r.get("via") == "api"]
    refused = [(r["what"], r["status"], r["purpose"]) for r in every if r["action"] == "failed"]
    assert refused == [  # a refused look is still a look: recorded with its outcome
        ("GET /api/v1/entities/Officer:A", 400, None),
        ("GET /api/v1/neighbourhood", 400, None),
        ("GET /api/v1/search", 400, None),
        ("GET /api/v1/flags", 400, None),
    ]
    assert all("needs a stated purpose" in r["error"] for r in every if r["action"] == "failed")
    recs = [r for r in every if r["action"] != "failed"]
    looks = [(r["action"], r["what"], r["who"], r["role"], r["purpose"], r["case_ref"]) for r in recs]
    me = ("investigator-user", "investigator", "review of complaint", "PSD-9")
    assert looks == [
        ("search", "search", *me),
        ("entity", "Officer:A", *me),
        ("neighbourhood", "Officer:A", *me),
        ("paths", "Officer:A Officer:D", *me),
        ("saved_query", "LW-0004 organisation-members r1", *me),
        ("export", "neighbourhood Officer:A", *me),
        ("entity", "Officer:B", "investigator-user", "investigator", "spot check", "PSD-10"),
    ]
    sizes = {r["action"]: r["result_size"] for r in recs}
    assert sizes["neighbourhood"] == 6 and sizes["paths"] == 2 and sizes["saved_query"] == 2
    assert AuditLog(settings.data_dir).verify().ok


def test_user_saved_queries(app_client: TestClient, settings: Settings, tokens: dict[str, str]) -> None:
    ana, inv = auth(tokens["analyst"]), auth(tokens["investigator"])
    meta = MetaStore(settings.data_dir)
    other = auth(meta.create_token("dee", "analyst").secret)
    r = app_client.post("/api/v1/queries", json=QUERY, headers=ana)
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["owner"] == "analyst-user" and made["revision"] == 1 and made["source"] == "user"
    assert app_client.post("/api/v1/queries", json=QUERY, headers=ana).status_code == 400  # name taken
    # not shared yet: others do not see it
    assert app_client.get("/api/v1/queries/lodge-members", headers=inv).status_code == 404
    assert "lodge-members" not in {q["name"] for q in app_client.get("/api/v1/queries", headers=other).json()}
    run = app_client.post("/api/v1/queries/lodge-members/run", json={"params": {"org_id": "L1"}}, headers=ana)
    m = masker(settings)  # analysts see pseudonyms (pseudonymised review)
    assert [x["officer_id"] for x in run.json()["rows"]] == [m.officer("A"), m.officer("C")]
    # a new revision, shared with investigators; the first revision is kept
    upd = {
        **QUERY,
        "description": "Members of one organisation (score ≥ 0.96)",
        "share_roles": ["investigator"],
    }
    upd["cypher"] = QUERY["cypher"].replace(
        "ORDER BY", "WITH o ORDER BY o.officer_id RETURN o.officer_id AS officer_id //"
    )
    upd["cypher"] = (
        "MATCH (o:Officer)-[m:MEMBER_OF]->(g:Organisation {org_id: $org_id}) WHERE m.score >= 0.96 "
        "RETURN o.officer_id AS officer_id ORDER BY officer_id"
    )
    r = app_client.put("/api/v1/queries/lodge-members", json=upd, headers=ana)
    assert r.status_code == 200 and r.json()["revision"] == 2 and r.json()["share_roles"] == ["investigator"]
    assert app_client.put("/api/v1/queries/lodge-members", json=upd, headers=other).status_code == 403
    assert app_client.delete("/api/v1/queries/lodge-members", headers=other).status_code == 403
    seen = app_client.post(
        "/api/v1/queries/lodge-members/run", json={"params": {"org_id": "L1"}}, headers=inv
    )
    assert [x["officer_id"] for x in seen.json()["rows"]] == [m.officer("A"), m.officer("C")]
    revs = app_client.get("/api/v1/queries/lodge-members/revisions", headers=ana).json()
    assert [v["revision"] for v in revs] == [1, 2] and "score" not in revs[0]["body"]["cypher"]
    # the file export is the library's format, and it validates like a library file
    text = app_client.get("/api/v1/queries/lodge-members/file", headers=ana).text
    import yaml

    from queries.saved import SavedQuery, validate

    q = SavedQuery.from_dict(yaml.safe_load(text))
    assert q.name == "lodge-members" and q.revision == 2 and validate(q) == []
    # bad queries are refused with every problem named
    bad = {**QUERY, "name": "bad-one", "cypher": "MATCH (o:Officer) SET o.x = $y RETURN o"}
    r = app_client.post("/api/v1/queries", json=bad, headers=ana)
    assert (
        r.status_code == 400
        and "undeclared parameter(s) y" in r.json()["detail"]
        and "write" in r.json()["detail"].lower()
    )
    clash = {**QUERY, "name": "organisation-members"}
    assert "built-in query" in app_client.post("/api/v1/queries", json=clash, headers=ana).json()["detail"]
    assert app_client.delete("/api/v1/queries/lodge-members", headers=ana).status_code == 204
    assert app_client.get("/api/v1/queries/lodge-members", headers=ana).status_code == 404
    assert len(meta.history("lodge-members")) == 2  # history kept after the delete
    acts = [r["action"] for r in AuditLog(settings.data_dir).records() if r["action"].startswith("query_")]
    assert acts == ["query_save", "query_update", "query_delete"]
    meta.close()


def test_adhoc_cypher_guard_limits_and_timeout(
    tmp_path: Path, app_client: TestClient, tokens: dict[str, str], settings: Settings
) -> None:
    h = auth(tokens["analyst"])
    r = app_client.post(
        "/api/v1/cypher",
        json={
            "cypher": "MATCH (o:Officer) WHERE o.rank = $r RETURN o ORDER BY o.officer_id",
            "params": {"r": "PC"},
        },
        headers=h,
    )
    assert r.status_code == 200 and [x["o"]["id"] for x in r.json()["rows"]] == [
        "Officer:B",
        "Officer:D",
        "Officer:E",
    ]
    assert set(r.json()["graph"]["nodes"]) == {"Officer:B", "Officer:D", "Officer:E"}
    for hostile in (
        "MATCH (o:Officer) DETACH DELETE o",
        "LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l",
        "LOAD FROM '/etc/passwd' RETURN *",
        "CALL dbms.components()",
        "MATCH p = (a)-[*]-(b) RETURN p",
    ):
        r = app_client.post("/api/v1/cypher", json={"cypher": hostile}, headers=h)
        assert r.status_code == 400, hostile
    r = app_client.post(
        "/api/v1/cypher",
        json={"cypher": "MATCH (o:Officer) RETURN o.officer_id AS id", "max_rows": 2},
        headers=h,
    )
    assert r.json()["truncated"] is True and len(r.json()["rows"]) == 2
    r = app_client.post(
        "/api/v1/cypher",
        json={"cypher": "MATCH (o:Officer) RETURN o.officer_id AS id", "max_rows": 2, "strict": True},
        headers=h,
    )
    assert r.status_code == 413 and "more than 2 rows" in r.json()["detail"]
    r = app_client.post(
        "/api/v1/cypher/export?format=csv",
        json={"cypher": "MATCH (o:Officer) RETURN o.officer_id AS id", "max_rows": 2},
        headers=h,
    )
    assert r.status_code == 413
    r = app_client.post("/api/v1/cypher", json={"cypher": "MATCH (o:Officer RETURN o"}, headers=h)
    assert r.status_code == 400
    text = [r["what"] for r in AuditLog(settings.data_dir).records() if r["action"] == "query"]
    assert "MATCH (o:Officer) WHERE o.rank = $r RETURN o ORDER BY o.officer_id" in text
    # a query past the timeout gets 504, not a hung request or a 500
    slow = settings.model_copy(update={"query_timeout_s": 0.05})
    with TestClient(create_app(slow)) as c:
        heavy = "UNWIND range(1, 4000) AS a UNWIND range(1, 4000) AS b WITH a, b WHERE (a * b) % 7 = 3 RETURN count(*) AS n"
        r = c.post("/api/v1/cypher", json={"cypher": heavy}, headers=h)
        assert r.status_code == 504, r.text


def test_exports(app_client: TestClient, settings: Settings, tokens: dict[str, str]) -> None:
    """Exports, with officers by pseudonym (pseudonymised review)."""
    h = auth(tokens["investigator"])
    m = masker(settings)
    r = app_client.get(
        "/api/v1/exports/neighbourhood",
        params={"id": "Officer:A", "depth": 2, "format": "graphml"},
        headers=h,
    )
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    g = nx.read_graphml(io.BytesIO(r.content))
    assert set(g.nodes) == {
        m.uid(u) for u in ("Officer:A", "Unit:U1", "Organisation:L1", "Officer:B", "Unit:U2", "Officer:C")
    }
    assert g.number_of_edges() == 6
    z = zipfile.ZipFile(
        io.BytesIO(
            app_client.get(
                "/api/v1/exports/neighbourhood", params={"id": "Officer:A", "format": "csv"}, headers=h
            ).content
        )
    )
    nodes = list(csv.DictReader(io.StringIO(z.read("nodes.csv").decode("utf-8-sig"))))
    assert {n.get("Id") or n.get("id") for n in nodes} == {
        m.uid(u) for u in ("Officer:A", "Unit:U1", "Organisation:L1", "Officer:B")
    }
    js = app_client.get(
        "/api/v1/exports/paths", params={"from": "Officer:A", "to": "Officer:D", "format": "json"}, headers=h
    ).json()
    assert {m.uid("Officer:A"), m.uid("Officer:D")} <= set(js["nodes"])
    r = app_client.post(
        "/api/v1/queries/organisation-members/export?format=csv", json={"params": {"org_id": "L1"}}, headers=h
    )
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [x["officer_id"] for x in rows] == [m.officer("A"), m.officer("C")]
    r = app_client.post(
        "/api/v1/queries/organisation-members/export?format=json",
        json={"params": {"org_id": "L1"}, "max_rows": 1},
        headers=h,
    )
    assert r.status_code == 413  # exports are never cut short silently
    r = app_client.post(
        "/api/v1/queries/officer-unit-network/export?format=graphml",
        json={"params": {"officer_id": "A"}},
        headers=h,
    )
    assert set(nx.read_graphml(io.BytesIO(r.content)).nodes) == {
        m.uid("Officer:A"),
        "Unit:U1",
        "Organisation:L1",
    }
    r = app_client.get("/api/v1/exports/flags", params={"format": "csv"}, headers=h)
    assert r.status_code == 200 and r.text.splitlines()[0].startswith(
        "flag_id,detector,officer_id,group_id,score"
    )


def test_auditors_api_and_tokens_api(
    app_client: TestClient, settings: Settings, tokens: dict[str, str]
) -> None:
    adm, aud = auth(tokens["admin"]), auth(tokens["auditor"], purpose=None)
    made = app_client.post("/api/v1/tokens", json={"user": "eve", "role": "analyst"}, headers=adm)
    assert made.status_code == 201 and made.json()["token"].startswith("lw_")
    eve = auth(made.json()["token"], case_ref="PSD-11")
    assert (
        app_client.post(
            "/api/v1/cypher", json={"cypher": "MATCH (o:Officer) RETURN count(o) AS n"}, headers=eve
        ).status_code
        == 200
    )
    listed = app_client.get("/api/v1/tokens", headers=adm).json()
    assert "eve" in {t["user"] for t in listed} and all("token" not in t and "hash" not in t for t in listed)
    assert app_client.delete(f"/api/v1/tokens/{made.json()['token_id']}", headers=adm).status_code == 204
    assert app_client.post("/api/v1/cypher", json={"cypher": "RETURN 1 AS x"}, headers=eve).status_code == 401
    page = app_client.get("/api/v1/audit", params={"who": "eve"}, headers=aud).json()
    assert (
        page["total"] == 1
        and page["items"][0]["action"] == "query"
        and page["items"][0]["case_ref"] == "PSD-11"
    )
    assert (
        app_client.get("/api/v1/audit", params={"action": "token_create"}, headers=aud).json()["total"] == 1
    )
    assert app_client.get("/api/v1/audit/verify", headers=aud).json()["ok"] is True
    dump = app_client.get("/api/v1/audit/export", params={"format": "jsonl"}, headers=aud).text
    recs = [json.loads(x) for x in dump.splitlines()]
    assert [r["seq"] for r in recs] == list(range(1, len(recs) + 1))
    assert any(
        r["action"] == "audit_read" and r["who"] == "auditor-user" for r in recs
    )  # reading the log is logged
    # an edited record is found and named
    log = AuditLog(settings.data_dir)
    lines = log.path.read_text().splitlines()
    first = json.loads(lines[0])
    first["who"] = "someone-else"
    lines[0] = json.dumps(first, sort_keys=True)
    log.path.write_text("\n".join(lines) + "\n")
    v = app_client.get("/api/v1/audit/verify", headers=aud).json()
    assert v["ok"] is False and any("line 1" in p and "changed" in p for p in v["problems"])


def test_search_and_entity(app_client: TestClient, tokens: dict[str, str]) -> None:
    h = auth(tokens["investigator"])
    hits = app_client.get("/api/v1/search", params={"q": "ash"}, headers=h).json()
    assert hits[0]["id"] == "Officer:A" and hits[0]["label"] == "Officer"
    assert app_client.get("/api/v1/search", params={"q": "ann ash"}, headers=h).json()[0]["id"] == "Officer:A"
    assert (
        app_client.get("/api/v1/search", params={"q": "L1"}, headers=h).json()[0]["id"] == "Organisation:L1"
    )
    assert (
        app_client.get("/api/v1/search", params={"q": "oak lodge"}, headers=h).json()[0]["id"]
        == "Organisation:L1"
    )
    assert app_client.get("/api/v1/search", params={"q": "zzz"}, headers=h).json() == []
    # an id as the pages show it finds that node (the path finder's box searched it in vain)
    hits = app_client.get("/api/v1/search", params={"q": "Officer:A"}, headers=h).json()
    assert [x["id"] for x in hits] == ["Officer:A"] and hits[0]["matched"] == "id"
    assert app_client.get("/api/v1/search", params={"q": "Officer:nobody"}, headers=h).json() == []
    e = app_client.get("/api/v1/entities/Officer:A", headers=h).json()
    assert e["properties"]["surname"] == "Ash" and "source_file" not in e["properties"]
    assert e["provenance"]["source_file"] == "officers.csv" and e["provenance"]["source_line"] == 2
    assert e["relationships"] == {"IN_UNIT": 1, "MEMBER_OF": 1, "REPORTS_TO": 1}


def test_pages(app_client: TestClient, settings: Settings, tokens: dict[str, str]) -> None:
    r = app_client.get("/ui/entity/Officer:A", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/ui/login?next=/ui/entity/Officer%3AA")
    assert app_client.post("/ui/session", json={"token": "lw_x_y", "purpose": "p"}).status_code == 401
    r = app_client.post("/ui/session", json={"token": tokens["investigator"], "purpose": "", "case_ref": ""})
    assert r.status_code == 200
    assert app_client.get("/ui/entity/Officer:A", follow_redirects=False).status_code == 303  # no purpose yet
    app_client.post("/ui/session", json={"purpose": "review", "case_ref": "PSD-1"})  # keeps the token
    for url, text in (
        ("/ui/", "Search"),
        ("/ui/entity/Officer:A", "Ann Ash"),
        ("/ui/flags", "flags"),
        ("/ui/paths", "Path finder"),
        ("/ui/queries", "Saved queries"),
    ):
        r = app_client.get(url)
        assert r.status_code == 200 and text in r.text, url
        for attr in ('src="http', "src='http", 'href="http', "@import", "//cdn"):
            assert attr not in r.text, (url, attr)  # nothing loads from another host
    assert app_client.get("/ui/audit").status_code == 403  # investigators do not read the log
    missing = app_client.get("/ui/entity/Officer:nobody")
    assert missing.status_code == 404 and "no node with id" in missing.text and "<html" in missing.text
    assert app_client.get("/ui/flags/nope").status_code == 404
    assert "vis-network" in app_client.get("/vendor/vis-network.min.js").text
    recs = [r for r in AuditLog(settings.data_dir).records() if r["action"] == "entity"]
    assert (
        recs[-1]["what"] == "Officer:A"
        and recs[-1]["purpose"] == "review"
        and recs[-1]["case_ref"] == "PSD-1"
    )


@pytest.mark.neo4j
def test_api_subset_on_neo4j(tmp_path: Path) -> None:
    s = neo4j_settings(tmp_path)
    with open_store(s) as st:
        wipe_neo4j(st)
        load_fixture(st)
    tok = make_tokens(s)
    with TestClient(create_app(s), headers=auth(tok["admin"])) as c:
        assert c.get("/api/v1/search", params={"q": "ash"}).json()[0]["id"] == "Officer:A"
        e = c.get("/api/v1/entities/Officer:A").json()
        assert e["relationships"] == {"IN_UNIT": 1, "MEMBER_OF": 1, "REPORTS_TO": 1}
        nb = c.get("/api/v1/neighbourhood", params={"id": "Officer:A", "depth": 2}).json()
        assert len(nb["nodes"]) == 6
        assert (
            len(c.get("/api/v1/paths", params={"from": "Officer:A", "to": "Officer:D"}).json()["paths"]) == 2
        )
        assert c.get("/api/v1/flags").json()["total"] == 0
        r = c.post("/api/v1/queries/organisation-members/run", json={"params": {"org_id": "L1"}})
        m = masker(s)  # analysts see pseudonyms (pseudonymised review)
        assert [x["officer_id"] for x in r.json()["rows"]] == [m.officer("A"), m.officer("C")]
        assert c.post("/api/v1/cypher", json={"cypher": "MATCH (o:Officer) SET o.x = 1"}).status_code == 400
        g = c.get("/api/v1/exports/neighbourhood", params={"id": "Officer:A", "format": "graphml"})
        assert nx.read_graphml(io.BytesIO(g.content)).number_of_nodes() == 4


def test_openapi_documents_errors_and_examples(app_client: TestClient) -> None:
    spec = app_client.get("/openapi.json").json()
    ops = [
        (p, m, op) for p, item in spec["paths"].items() if p.startswith("/api/v1") for m, op in item.items()
    ]
    assert len(ops) >= 25
    for path, method, op in ops:
        assert {"400", "401", "403", "404"} <= set(op["responses"]), (path, method)
    schemas = spec["components"]["schemas"]
    assert schemas["Node"]["properties"]["id"]["examples"] == ["Officer:100003"]
    assert "examples" in schemas["CypherIn"]["properties"]["cypher"]
    assert "/ui/" not in "".join(spec["paths"])  # pages are not API


def test_failed_looks_are_audited(
    app_client: TestClient, settings: Settings, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A look that fails (400, 403, 404, 413, 500, 504) is still a look: it is recorded
    with who, what was asked, the purpose, the status and the error."""
    import api.ops.search as graph_routes
    from graph.errors import QueryTimeout

    inv = auth(tokens["investigator"], purpose="complaint review", case_ref="PSD-12")
    ana = auth(tokens["analyst"], purpose="complaint review", case_ref="PSD-12")
    assert app_client.get("/api/v1/nodes/Officer:nobody", headers=inv).status_code == 404
    assert app_client.get("/api/v1/neighbourhood?id=Officer:A&depth=99", headers=inv).status_code == 400
    assert app_client.get("/api/v1/entities/Officer:A", headers=auth(tokens["auditor"])).status_code == 403
    hostile = "LOAD FROM '/etc/passwd' RETURN *"
    assert app_client.post("/api/v1/cypher", json={"cypher": hostile}, headers=ana).status_code == 400
    big = {"cypher": "MATCH (o:Officer) RETURN o.officer_id AS id", "max_rows": 2, "strict": True}
    assert app_client.post("/api/v1/cypher", json=big, headers=ana).status_code == 413
    assert app_client.get("/api/v1/nodes/Officer:nobody", headers=auth("lw_x_y")).status_code == 401

    def timeout(*_a: Any, **_k: Any) -> Any:
        raise QueryTimeout("the query ran past the 30 s timeout")

    def crash(*_a: Any, **_k: Any) -> Any:
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(graph_routes, "search_entities", timeout)
    assert app_client.get("/api/v1/search?q=ash", headers=inv).status_code == 504
    monkeypatch.setattr(graph_routes, "search_entities", crash)
    c = TestClient(app_client.app, raise_server_exceptions=False)  # no second lifespan
    r = c.get("/api/v1/search?q=ash&limit=3", headers=inv)
    assert r.status_code == 500 and "recorded in the audit log" in r.json()["detail"]
    # a page that fails is audited too
    app_client.post("/ui/session", json={"token": tokens["investigator"], "purpose": "page review"})
    assert app_client.get("/ui/entity/Officer:nobody").status_code == 404
    failed = [r for r in AuditLog(settings.data_dir).records() if r["action"] == "failed"]
    got = [(r["who"], r["what"], r["status"]) for r in failed]
    assert got == [
        ("investigator-user", "GET /api/v1/nodes/Officer:nobody", 404),
        ("investigator-user", "GET /api/v1/neighbourhood", 400),
        ("auditor-user", "GET /api/v1/entities/Officer:A", 403),
        ("analyst-user", "POST /api/v1/cypher", 400),
        ("analyst-user", "POST /api/v1/cypher", 413),
        ("investigator-user", "GET /api/v1/search", 504),
        ("investigator-user", "GET /api/v1/search", 500),
        ("investigator-user", "GET /ui/entity/Officer:nobody", 404),
    ]  # the 401 (no one to attribute it to) is not recorded
    by = {(r["what"], r["status"]): r for r in failed}
    nobody = by[("GET /api/v1/nodes/Officer:nobody", 404)]
    assert (nobody["purpose"], nobody["case_ref"]) == ("complaint review", "PSD-12")
    assert nobody["error"] == "no node with id 'Officer:nobody'" and nobody["endpoint"] == "get_node"
    assert by[("GET /api/v1/neighbourhood", 400)]["params"] == {"id": "Officer:A", "depth": "99"}
    assert "depth" in by[("GET /api/v1/neighbourhood", 400)]["error"]
    assert "may not" in by[("GET /api/v1/entities/Officer:A", 403)]["error"]
    assert by[("POST /api/v1/cypher", 400)]["params"]["body"] == {"cypher": hostile}  # what was tried
    assert "more than 2 rows" in by[("POST /api/v1/cypher", 413)]["error"]
    assert "timeout" in by[("GET /api/v1/search", 504)]["error"]
    assert by[("GET /api/v1/search", 500)]["error"] == "RuntimeError: engine exploded"
    assert by[("GET /api/v1/search", 500)]["params"] == {"q": "ash", "limit": "3"}
    assert by[("GET /ui/entity/Officer:nobody", 404)]["purpose"] == "page review"
    aud = auth(tokens["auditor"], purpose=None)
    listed = app_client.get("/api/v1/audit", params={"action": "failed"}, headers=aud).json()
    assert listed["total"] == 8
    csv_text = app_client.get("/api/v1/audit/export", params={"format": "csv"}, headers=aud).text
    assert "status" in csv_text.splitlines()[0] and "engine exploded" in csv_text
    assert AuditLog(settings.data_dir).verify().ok


def test_adhoc_cypher_keeps_its_literals_for_auditors(
    app_client: TestClient, settings: Settings, tokens: dict[str, str]
) -> None:
    """The log keeps what an ad-hoc query looked up; only the view for a wider audience
    strips the literals."""
    q = "MATCH (o:Officer {officer_id: 'A'}) WHERE o.rank <> 'PC' RETURN o.surname AS s LIMIT 5"
    r = app_client.post("/api/v1/cypher", json={"cypher": q}, headers=auth(tokens["analyst"]))
    assert r.status_code == 200 and r.json()["rows"] == [{"s": "Ash"}]
    rec = next(x for x in AuditLog(settings.data_dir).records() if x["action"] == "query")
    assert rec["what"] == q  # officer 'A' can be recovered by an auditor
    aud = auth(tokens["auditor"], purpose=None)
    full = app_client.get("/api/v1/audit", params={"action": "query"}, headers=aud).json()["items"]
    assert full[0]["what"] == q
    wide = app_client.get("/api/v1/audit", params={"action": "query", "redacted": "true"}, headers=aud).json()
    assert wide["items"][0]["what"] == (
        "MATCH (o:Officer {officer_id: ?}) WHERE o.rank <> ? RETURN o.surname AS s LIMIT ?"
    )
    assert wide["items"][0]["redacted"] is True and "what_redacted" not in wide["items"][0]
    dump = app_client.get(
        "/api/v1/audit/export", params={"format": "jsonl", "redacted": "true"}, headers=aud
    ).text
    assert "'A'" not in dump and "officer_id: ?" in dump
    assert "'A'" in app_client.get("/api/v1/audit/export", params={"format": "jsonl"}, headers=aud).text


def test_audit_list_and_verify_beside_appends_never_raise_false_alarms(
    app_client: TestClient, tokens: dict[str, str]
) -> None:
    """`/api/v1/audit/verify` and `/api/v1/audit` while other requests append: verify
    reads the log and its head under the appends' lock, so it never reports a break that
    is not there (it said "the log ends at record 24 but the head says record 23" in 5 of
    15 tries)."""
    import threading

    inv, aud = auth(tokens["investigator"]), auth(tokens["auditor"], purpose=None)
    verdicts: list[Any] = []
    codes: list[int] = []

    def looker() -> None:
        for _ in range(25):
            codes.append(app_client.get("/api/v1/nodes/Officer:A", headers=inv).status_code)

    def auditor() -> None:
        for _ in range(12):
            codes.append(app_client.get("/api/v1/audit", params={"limit": 5}, headers=aud).status_code)
            v = app_client.get("/api/v1/audit/verify", headers=aud).json()
            verdicts.append(v["problems"])

    threads = [threading.Thread(target=looker) for _ in range(4)] + [
        threading.Thread(target=auditor) for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(verdicts) == 36 and all(p == [] for p in verdicts), [p for p in verdicts if p][:3]
    assert set(codes) == {200}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/api/v1/flags?skip=100000000", "skip: Input should be less than or equal to 1000000"),
        ("/api/v1/flags?skip=-1", "skip: Input should be greater than or equal to 0"),
        ("/api/v1/flags?limit=0", "limit: Input should be greater than or equal to 1"),
        ("/api/v1/flags?limit=5000", "limit: Input should be less than or equal to 1000"),
        ("/api/v1/flags?skip=99999999999999999999999", "skip: Input should be less than or equal to"),
        ("/api/v1/audit?skip=100000000", "skip: Input should be less than or equal to 1000000"),
        ("/api/v1/audit?limit=0", "limit: Input should be greater than or equal to 1"),
        ("/api/v1/search?q=ash&limit=100000", "limit: Input should be less than or equal to 200"),
        (
            "/api/v1/neighbourhood?id=Officer:A&limit=100000",
            "limit: Input should be less than or equal to 5000",
        ),
        ("/ui/flags?skip=100000000", "skip: Input should be less than or equal to 1000000"),
    ],
)
def test_paging_is_bounded(app_client: TestClient, tokens: dict[str, str], url: str, message: str) -> None:
    app_client.post("/ui/session", json={"token": tokens["admin"], "purpose": "paging"})
    r = app_client.get(url, headers=auth(tokens["admin"]))
    assert r.status_code == 400 and message in r.json()["detail"], r.text


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/flags?until=9999-12-31",
        "/api/v1/flags?since=0001-01-01&until=9999-12-30",
        "/api/v1/exports/flags?until=9999-12-31",
        "/api/v1/exports/flags?since=0001-01-01&until=9999-12-31&format=jsonl",
        "/api/v1/neighbourhood?id=Officer:A&since=0001-01-01&until=9999-12-31",
        "/api/v1/exports/neighbourhood?id=Officer:A&until=9999-12-31&format=json",
    ],
)
def test_far_dates_are_not_server_errors(app_client: TestClient, tokens: dict[str, str], url: str) -> None:
    r = app_client.get(url, headers=auth(tokens["admin"]))
    assert r.status_code == 200, r.text


def test_far_dates_out_of_range_are_refused(app_client: TestClient, tokens: dict[str, str]) -> None:
    r = app_client.get("/api/v1/flags?until=10000-01-01", headers=auth(tokens["admin"]))
    assert r.status_code == 400 and "until" in r.json()["detail"]


@pytest.mark.parametrize("route", ["run", "export?format=csv"])
def test_null_parameters_are_refused(
    app_client: TestClient, settings: Settings, tokens: dict[str, str], route: str
) -> None:
    """`officer_id: null` was run as the officer "None"; now it is refused, naming it."""
    r = app_client.post(
        f"/api/v1/queries/officer-profile/{route}",
        json={"params": {"officer_id": None}},
        headers=auth(tokens["investigator"]),
    )
    assert r.status_code == 400
    assert r.json()["detail"] == "parameter officer_id must be string, not null (give a value)"
    for bad, shown in (({"x": 1}, "dict"), (["A"], "list"), (True, "true")):
        r = app_client.post(
            f"/api/v1/queries/officer-profile/{route}",
            json={"params": {"officer_id": bad}},
            headers=auth(tokens["investigator"]),
        )
        assert r.status_code == 400 and "parameter officer_id must be string" in r.json()["detail"]
        assert shown in r.json()["detail"]
    ok = app_client.post(
        "/api/v1/queries/officer-profile/run",
        json={"params": {"officer_id": "A"}},
        headers=auth(tokens["investigator"]),
    )
    assert ok.status_code == 200 and ok.json()["rows"][0]["officer_id"] == masker(settings).officer("A")
    assert ok.json()["rows"][0]["surname"] == "(masked)"  # pseudonymised review


def test_an_unusable_audit_key_stops_looks_clearly(
    app_client: TestClient, settings: Settings, tokens: dict[str, str]
) -> None:
    """No look without its audit record: a signing key that other users could read is
    refused with a message that says what to do."""
    h = auth(tokens["investigator"])
    assert app_client.get("/api/v1/nodes/Officer:A", headers=h).status_code == 200
    key = settings.data_dir / "audit.key"
    key.chmod(0o640)
    r = app_client.get("/api/v1/nodes/Officer:A", headers=h)
    assert r.status_code == 500 and "can be read or changed by other users" in r.json()["detail"]
    assert f"chmod 600 {key}" in r.json()["detail"]
    key.chmod(0o600)
    assert app_client.get("/api/v1/nodes/Officer:A", headers=h).status_code == 200
    assert AuditLog(settings.data_dir).verify().ok


@pytest.mark.parametrize(
    "target",
    ["/%5Cevil.example", "/%09/evil.example", "//evil.example", "https://evil.example", "/ui/%0a", "/x"],
)
def test_sign_in_sends_a_person_nowhere_but_this_server(app_client: TestClient, target: str) -> None:
    from api.routes.pages import safe_next

    page = app_client.get(f"/ui/login?next={target}")
    assert page.status_code == 200 and 'name="token"' in page.text and "evil.example" not in page.text
    kept = app_client.get("/ui/login?next=/ui/flags%3Fdetector%3Dx")
    assert kept.status_code == 200 and "/ui/flags?detector=x" in kept.text
    assert safe_next("/ui/flags?x=1") and not safe_next("/\\evil.example") and not safe_next("/ui/\tx")
