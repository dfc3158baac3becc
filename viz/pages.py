"""Self-contained interactive pages (pyvis / vis-network) that open with no network.

pyvis builds the network (nodes, edges, options); the page is rendered from our own
template with vis-network's JavaScript and CSS inlined from the pyvis package, because
pyvis's own template still links Bootstrap from a CDN even in ``in_line`` mode.
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import pyvis
from pyvis.network import Network

from graph.model import MODEL, caption
from graph.subgraph import Subgraph

STYLE: dict[str, tuple[str, str]] = {
    # label: (colour, shape)
    "Officer": ("#2b6cb0", "dot"),
    "Unit": ("#718096", "box"),
    "Site": ("#a0aec0", "box"),
    "Organisation": ("#9c4221", "diamond"),
    "Membership": ("#d69e2e", "triangle"),
    "Declaration": ("#2f855a", "square"),
    "Flag": ("#c53030", "star"),
    "IngestRun": ("#4a5568", "dot"),
    "Person": ("#6b46c1", "dot"),
    "CaseFile": ("#319795", "box"),
    "Record": ("#b7791f", "square"),
    "Complaint": ("#dd6b20", "triangleDown"),
    "Identifier": ("#805ad5", "hexagon"),
}
REL_STYLE: dict[str, dict[str, object]] = {
    # relationship type: vis-network edge style (colour, dashes)
    "IN_UNIT": {"color": "#a0aec0"},
    "REPORTS_TO": {"color": "#718096"},
    "PART_OF": {"color": "#cbd5e0"},
    "BASED_AT": {"color": "#cbd5e0"},
    "MEMBER_OF": {"color": "#d69e2e", "dashes": True},
    "RESOLVED_TO": {"color": "#d69e2e", "dashes": True},
    "LISTED_IN": {"color": "#d69e2e"},
    "DECLARED": {"color": "#2f855a"},
    "ABOUT": {"color": "#2f855a"},
    "ASSIGNED_TO": {"color": "#319795"},
    "ON_CASE": {"color": "#319795"},
    "CONCERNS": {"color": "#b7791f"},
    "IN_CASE": {"color": "#b7791f"},
    "NAMED_IN": {"color": "#dd6b20"},
    "HAS_IDENTIFIER": {"color": "#805ad5", "dashes": True},
    "ACCESSED": {"color": "#c05621"},
    "ATTENDED": {"color": "#a0aec0"},
    "ROSTERED_AT": {"color": "#a0aec0"},
    "APPROVED_SHIFTS_OF": {"color": "#4a5568"},
    "EDITED_ROSTER_OF": {"color": "#4a5568"},
    "FLAGS": {"color": "#c53030"},
    "EVIDENCE": {"color": "#e53e3e", "dashes": True},
}


def _show(v: Any) -> Any:
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, list):
        return ", ".join(map(str, v))
    return v


def _vis_assets() -> tuple[str, str]:
    lib = resources.files(pyvis) / "lib" / "vis-9.1.2"
    return (lib / "vis-network.min.js").read_text("utf-8"), (lib / "vis-network.css").read_text("utf-8")


def render_subgraph(
    sg: Subgraph,
    title: str,
    subtitle: str = "",
    *,
    focus: str | None = None,
    notices: list[str] | None = None,
) -> str:
    """HTML of an interactive, self-contained page for a subgraph."""
    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
    details: dict[str, dict[str, Any]] = {}
    for uid, n in sg.nodes.items():
        label = n["labels"][0]
        colour, shape = STYLE.get(label, ("#718096", "dot"))
        props = {k: _show(v) for k, v in n.get("properties", {}).items() if k not in MODEL.hidden}
        net.add_node(
            uid,
            label=caption(n, with_id=False),
            title=f"{label} {uid}",
            color=colour,
            shape=shape,
            size=28 if uid == focus else 16,
            borderWidth=4 if uid == focus else 1,
        )
        details[uid] = {"title": f"{label} — {uid}", "props": props}
    for e in sg.edges.values():
        eid = f"{e['type']}:{e['id']}"
        net.add_edge(e["source"], e["target"], label=e["type"], title=e["type"], id=eid, arrows="to")
        props = {k: _show(v) for k, v in e.get("properties", {}).items() if k not in MODEL.hidden}
        details[eid] = {"title": f"{e['type']} {e['source']} → {e['target']}", "props": props}
    options = {
        "physics": {"stabilization": {"iterations": 300}, "barnesHut": {"springLength": 140}},
        "edges": {"font": {"size": 10, "align": "middle"}, "color": {"color": "#999"}, "smooth": False},
        "nodes": {"font": {"size": 13}},
        "interaction": {"hover": True, "navigationButtons": False},
    }
    js, css = _vis_assets()
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("viz", "templates"), autoescape=jinja2.select_autoescape(["html"])
    )
    used = sorted({n["labels"][0] for n in sg.nodes.values()})
    return env.get_template("graph.html").render(
        title=title,
        subtitle=subtitle,
        notices=notices or [],
        legend=[(lab, STYLE.get(lab, ("#718096", ""))[0]) for lab in used],
        nodes=_script_json(net.nodes),
        edges=_script_json(net.edges),
        details=_script_json(details),
        options=_script_json(options),
        vis_js=_safe(js),
        vis_css=_safe(css),
    )


def _safe(s: str) -> Any:
    from markupsafe import Markup

    return Markup(s)


def _script_json(v: Any) -> str:
    """JSON safe to place inside a <script> element."""
    return json.dumps(v, default=str).replace("</", "<\\/")


def write_page(html: str, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path
