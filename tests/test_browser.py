"""The web pages in a real browser: Playwright driving Debian's Chromium (headless,
from the system packages; no browser download), against `linkwatch serve` on 127.0.0.1
over the demo data, following the README's walkthrough.

Set ``LINKWATCH_SCREENSHOTS=DIR`` to keep screenshots of the main pages there (the docs'
pictures are made that way).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from graph.audit import AuditLog

CHROMIUM = os.environ.get("LINKWATCH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = os.environ.get("LINKWATCH_SCREENSHOTS")

pytestmark = pytest.mark.browser


def _need_browser() -> Any:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    missing = (
        None if sync_playwright and Path(CHROMIUM).exists() else "Playwright or Debian's chromium is missing"
    )
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{missing}: .ci/run installs both; the browser tests must run in CI")
        pytest.skip(f"{missing} (apt-get install chromium; pip install -e '.[test]')")
    return sync_playwright


@dataclass
class Server:
    url: str
    data: Path
    token: str
    analyst: str
    flags: pd.DataFrame


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    _need_browser()
    data = tmp_path_factory.mktemp("browser") / "data"
    exe = str(Path(sys.executable).with_name("linkwatch"))
    env = {**os.environ, "LINKWATCH_DATA_DIR": str(data), "LINKWATCH_BUFFER_POOL_MB": "512"}
    env.pop("LINKWATCH_PURPOSE", None)
    env.pop("LINKWATCH_LAUNCHER", None)

    def cli(*args: str) -> str:
        done = subprocess.run([exe, *args], env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    shown = cli("demo", "--officers", "150", "--days", "45", "--seed", "4")
    # the demo says how to go on, with commands that work as printed (linkwatch is not on
    # the PATH here): run its token line as it is
    line = next(x.strip() for x in shown.splitlines() if " token create --user YOU " in x)
    assert f"{exe} serve --data-dir" in shown and line.startswith(exe)
    made = subprocess.run(
        shlex.split(line.replace("YOU", "ivy")), env=env, capture_output=True, text=True, timeout=120
    )
    assert made.returncode == 0, made.stderr[-2000:]
    token = made.stdout.strip()
    analyst = cli("token", "create", "--user", "abe", "--role", "analyst").strip()
    port = _free_port()
    log = (data.parent / "server.log").open("w")
    proc = subprocess.Popen(
        [exe, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2):
                break
        except OSError:
            assert proc.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.3)
    try:
        yield Server(url, data, token, analyst, pd.read_csv(data / "demo" / "flags.csv", dtype=str))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:  # a request still running: say which, then stop it
            proc.kill()
            proc.wait(timeout=20)
            log.close()
            pytest.fail(
                "the server did not stop within 20 s; its log:\n"
                + (data.parent / "server.log").read_text()[-5000:]
            )
        log.close()


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Any]:
    sync_playwright = _need_browser()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield b
        b.close()


def sign_in(browser: Any, server: Server, token: str, next_url: str) -> Any:
    ctx = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
    page = ctx.new_page()
    offsite: list[str] = []
    page.on(
        "request",
        lambda r: (
            None
            if r.url.startswith(server.url) or r.url.startswith("data:") or r.url.startswith("blob:")
            else offsite.append(r.url)
        ),
    )
    page.offsite = offsite
    page.goto(f"{server.url}{next_url}")
    assert "/ui/login" in page.url  # not signed in yet
    page.fill("input[name=token]", token)
    page.fill("input[name=purpose]", "browser test: review of planted case")
    page.fill("input[name=case_ref]", "PSD-T1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}{next_url}")
    return page


def graph_nodes(page: Any, box: str) -> int:
    return int(page.evaluate(f"document.querySelector('#{box} .graph').lwGraph.nodes.length"))


def wait_drawn(page: Any, box: str) -> None:
    page.wait_for_selector(f"#{box} .graph[data-state=drawn]", timeout=30_000)


def shot(page: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=False)


def test_officer_page_graph_expands_on_click(browser: Any, server: Server) -> None:
    top = server.flags.sort_values("score", ascending=False).iloc[0]
    page = sign_in(browser, server, server.token, f"/ui/entity/Officer:{top.officer_id}")
    assert page.locator("#flags").inner_text().count(str(top.detector)) >= 1
    wait_drawn(page, "net")
    before = graph_nodes(page, "net")
    assert before >= 2
    assert page.locator("#net canvas").count() == 1
    # the officer's unit: click it (properties), then double-click it (expand)
    unit = page.evaluate(
        "Object.keys(document.querySelector('#net .graph').lwGraph.raw.nodes).find(id => id.startsWith('Unit:'))"
    )
    assert unit, "the officer's unit is in the graph"
    pos = page.evaluate(
        """(id) => { const g = document.querySelector('#net .graph').lwGraph;
        const p = g.network.canvasToDOM(g.network.getPositions([id])[id]);
        const r = g.el.getBoundingClientRect(); return {x: r.left + p.x, y: r.top + p.y}; }""",
        unit,
    )
    page.mouse.click(pos["x"], pos["y"])
    page.wait_for_selector("#net .selection .lw-expand")
    assert unit.split(":", 1)[1] in page.locator("#net .selection").inner_text()
    shot(page, "officer-page")
    page.mouse.dblclick(pos["x"], pos["y"])
    page.wait_for_function(
        f"document.querySelector('#net .graph').lwGraph.nodes.length > {before}", timeout=30_000
    )
    wait_drawn(page, "net")
    after = graph_nodes(page, "net")
    assert after > before
    # a relationship-type filter hides edges without a round trip
    page.locator("#net .filters .types input").first.uncheck()
    hidden = page.evaluate(
        "document.querySelector('#net .graph').lwGraph.edges.get({filter: e => e.hidden}).length"
    )
    assert hidden >= 1
    assert page.offsite == []  # nothing was loaded from another host


def test_flag_page_and_assessment(browser: Any, server: Server) -> None:
    f = server.flags[server.flags["detector"] == "association.undeclared_membership"].iloc[0]
    page = sign_in(browser, server, server.token, f"/ui/flags/{f.flag_id}")
    assert f.explanation in page.locator(".card").first.inner_text()
    assert "Known innocent explanations" in page.locator("#card").inner_text()
    wait_drawn(page, "evidence")
    assert graph_nodes(page, "evidence") >= 3  # the flag, the officer, the evidence
    page.select_option("#assess-form select[name=status]", "under_review")
    page.fill("#assess-form textarea[name=note]", "asked the unit for the lodge's list")
    page.click("#assess-form button[type=submit]")
    page.wait_for_function("document.getElementById('status').textContent === 'under_review'")
    assert "asked the unit" in page.locator("#assessments").inner_text()
    shot(page, "flag-page")


def test_path_finder_finds_planted_path(browser: Any, server: Server) -> None:
    link = server.flags[server.flags["detector"] == "association.undeclared_link"].iloc[0]
    planted = next(e["path"] for e in json.loads(link.evidence) if "path" in e)
    source, target = planted[0], planted[-1]
    page = sign_in(browser, server, server.token, "/ui/paths")
    page.fill("#pf input[name=source]", source)
    page.fill("#pf input[name=target]", target)
    page.click("#pf button[type=submit]")
    page.wait_for_function("document.getElementById('result').textContent.includes('shortest path')")
    assert f"of {len(planted) // 2} hop(s)" in page.locator("#result").inner_text()
    page.wait_for_timeout(800)  # past the search box's delay: no stale search result beside the paths
    assert page.locator("#pick").inner_text().strip() == ""
    assert "No match" not in page.locator("#pf").inner_text()
    wait_drawn(page, "pathgraph")
    ids = page.evaluate("Object.keys(document.querySelector('#pathgraph .graph').lwGraph.raw.nodes)")
    assert {source, target, planted[2]} <= set(ids)  # through the shared identifier
    shot(page, "path-finder")


def test_query_page_runs_and_exports(browser: Any, server: Server) -> None:
    page = sign_in(browser, server, server.analyst, "/ui/queries")
    page.wait_for_selector("#qsel option[value=officer-profile]", state="attached")
    # an example is shown as a hint, never filled in as a value
    page.select_option("#qsel", "officer-profile")
    page.wait_for_selector("input[data-param=officer_id][placeholder]")
    officer_input = page.locator("input[data-param=officer_id]")
    assert officer_input.input_value() == "" and officer_input.get_attribute("placeholder") == "e.g. A"
    # a graph query that matches nothing says so, rather than an empty "0 nodes" pane
    page.select_option("#qsel", "officer-unit-network")
    page.wait_for_selector("#qdesc:has-text('graph')")
    page.fill("input[data-param=officer_id]", "no-such-officer")
    page.click("#qform button[type=submit]")
    page.wait_for_selector("#qtable .empty")
    assert "No match" in page.locator("#qtable").inner_text()
    assert "no-such-officer" in page.locator("#qtable").inner_text()
    assert page.locator("#qgraphwrap").is_hidden()
    page.wait_for_selector("#qsel option[value=officer-flags]", state="attached")
    page.select_option("#qsel", "officer-flags")
    # its own form, not the one of the query before (which has an officer_id too): filled
    # before the new form came, the value was cleared and the result hidden under it
    page.wait_for_selector("#qdesc:has-text('The flags naming an officer')")
    page.wait_for_selector("input[data-param=include_retired]", state="attached")
    officer = str(server.flags.iloc[0].officer_id)
    page.fill("input[data-param=officer_id]", officer)
    page.click("#qform button[type=submit]")
    page.wait_for_selector("#qtable table.rows")
    theirs = set(server.flags.loc[server.flags["officer_id"] == officer, "flag_id"])
    shown = page.locator("#qtable").inner_text()
    assert theirs and all(fid in shown for fid in theirs)
    with page.expect_download() as dl:
        page.click("#qform button[data-fmt=csv]")
    path = dl.value.path()
    text = Path(path).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("flag_id") and all(fid in text for fid in theirs)
    shot(page, "query-page")
    # every look of this module's users is in the audit log, with purpose and case
    recs = list(AuditLog(server.data).records())
    acts = {(r["who"], r["action"]) for r in recs if r.get("case_ref") == "PSD-T1"}
    assert {
        ("ivy", "entity"),
        ("ivy", "neighbourhood"),
        ("ivy", "flag"),
        ("ivy", "flag_change"),
        ("ivy", "paths"),
    } <= acts
    assert {("abe", "saved_query"), ("abe", "export")} <= acts
    assert AuditLog(server.data).verify().ok


def test_query_page_keeps_the_form_of_the_query_chosen_last(browser: Any, server: Server) -> None:
    """A query's form that arrives after another query was chosen is not shown: the
    form on the page is always the chosen query's."""
    page = sign_in(browser, server, server.analyst, "/ui/queries")
    page.wait_for_selector("#qsel option[value=officer-flags]", state="attached")
    held: list[Any] = []
    page.route("**/api/v1/queries/officer-unit-network", lambda route: held.append(route))
    page.select_option("#qsel", "officer-unit-network")
    for _ in range(100):  # its definition asked for, and held back
        if held:
            break
        page.wait_for_timeout(50)
    assert held
    page.select_option("#qsel", "officer-flags")
    page.wait_for_selector("#qdesc:has-text('The flags naming an officer')")
    held[0].continue_()  # the first query's definition comes last
    page.wait_for_timeout(500)
    assert "The flags naming an officer" in page.locator("#qdesc").inner_text()
    assert page.locator("input[data-param=include_retired]").count() == 1


def test_a_thousand_nodes_settle(browser: Any, server: Server) -> None:
    """A graph of about 1,000 nodes lays out, then physics stops and nodes stay put."""
    page = sign_in(browser, server, server.analyst, "/ui/paths")
    took = page.evaluate(
        """async () => {
        const r = await fetch('/api/v1/cypher', {method: 'POST', credentials: 'same-origin',
          headers: {'Content-Type': 'application/json'},
          body: JSON.stringify({cypher: 'MATCH (o:Officer) RETURN o.uid AS id ORDER BY id LIMIT 80', max_rows: 80})});
        const ids = (await r.json()).rows.map(x => x.id);
        const q = ids.map(i => 'id=' + encodeURIComponent(i)).join('&');
        const sg = await (await fetch('/api/v1/neighbourhood?' + q + '&depth=2&limit=1000&properties=false')).json();
        const el = document.querySelector('#pathgraph .graph');
        const g = el.lwGraph; g.clear();
        const t0 = performance.now(); g.add(sg, null);
        await new Promise(ok => { const t = setInterval(() => {
          if (el.getAttribute('data-state') === 'drawn') { clearInterval(t); ok(); } }, 100); });
        return {ms: performance.now() - t0, nodes: g.nodes.length, edges: g.edges.length};
    }"""
    )
    assert took["nodes"] >= 900, took
    first = page.evaluate("document.querySelector('#pathgraph .graph').lwGraph.network.getPositions()")
    page.wait_for_timeout(1000)
    again = page.evaluate("document.querySelector('#pathgraph .graph').lwGraph.network.getPositions()")
    assert first == again  # physics is off once the layout settled
    print(f"\n{took['nodes']} nodes, {took['edges']} relationships laid out in {took['ms'] / 1000:.1f} s")
    shot(page, "thousand-nodes")


def test_search_finds_an_officer_by_name(browser: Any, server: Server) -> None:
    officer = str(server.flags.iloc[0].officer_id)
    page = sign_in(browser, server, server.token, "/ui/")
    page.goto(f"{server.url}/ui/entity/Officer:{officer}")
    surname = page.locator("h1").inner_text().split(" (")[0].split()[-2]  # "Forenames Surname RANK (id)"
    page.goto(f"{server.url}/ui/")
    page.fill("#q", surname.lower())
    page.wait_for_selector(f"#hits a[data-id='Officer:{officer}']")
    page.click(f"#hits a[data-id='Officer:{officer}']")
    page.wait_for_url(lambda url: url.endswith(f"/ui/entity/Officer%3A{officer}"))
    assert surname in page.locator("h1").inner_text()


def test_openapi_docs_render_offline(browser: Any, server: Server) -> None:
    """/docs (Swagger UI) and /redoc (ReDoc) render with every other host blocked: their
    scripts, styles and icons come from the server itself."""
    ctx = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = ctx.new_page()
    blocked: list[str] = []

    def only_this_server(route: Any) -> None:
        url = route.request.url
        if url.startswith(server.url + "/"):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    page.route("**/*", only_this_server)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server.url}/docs")
    title = page.locator(".swagger-ui .info .title")
    title.wait_for(state="visible", timeout=30_000)
    assert "linkwatch" in title.inner_text()
    page.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
    assert page.locator(".swagger-ui .opblock").count() >= 10  # one block per operation
    assert page.locator(".swagger-ui .opblock-summary-path[data-path='/api/v1/queries']").count() >= 1
    # an operation opens, with its parameters (the page works, not only its first paint)
    page.locator(".swagger-ui .opblock-summary-path[data-path='/api/v1/neighbourhood']").first.click()
    page.wait_for_selector(".swagger-ui .opblock.is-open .parameters", timeout=10_000)

    page.goto(f"{server.url}/redoc")
    page.wait_for_selector(".api-info h1", timeout=30_000)
    assert "linkwatch" in page.locator(".api-info h1").inner_text()
    assert page.locator("[data-section-id^='tag/']").count() >= 3  # the operations' sections
    assert blocked == [] and errors == [], (blocked, errors)
    ctx.close()
