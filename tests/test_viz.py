"""The interactive page is self-contained: no network needed to open it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from graph.workspace import open_store
from tests.conftest import embedded_settings
from tests.fixture_graph import load_fixture
from viz.pages import render_subgraph


def test_page_is_self_contained(tmp_path: Path) -> None:
    s = embedded_settings(tmp_path)
    with open_store(s) as st:
        load_fixture(st)
        sg = st.neighbourhood(["Officer:A"], depth=2)
    html = render_subgraph(sg, "Neighbourhood of Officer:A", focus="Officer:A", notices=["<b>x</b>"])
    # nothing is fetched from anywhere: no external scripts, styles, images or frames
    assert not re.search(r"""<(script|link|img|iframe)[^>]+(src|href)\s*=\s*["']?(https?:)?//""", html, re.I)
    assert not re.search(r"""@import|url\(\s*["']?https?:""", html)
    assert "cdn.jsdelivr" not in html and "cdnjs" not in html
    assert "vis.Network" in html and "vis-network" in html.lower()
    nodes = json.loads(re.search(r"var nodes = new vis.DataSet\((.*?)\);\n", html).group(1))
    assert {n["id"] for n in nodes} == set(sg.nodes)
    assert "&lt;b&gt;x&lt;/b&gt;" in html  # notices are escaped
    assert "ethnicity" not in html and "row_hash" not in html
