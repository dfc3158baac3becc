"""The investigators' and analysts' web pages as pictures: HTML rendered from data.

This module knows nothing of HTTP, tokens or the stores: the page routes
(:mod:`api.routes.pages`) call an operation, then hand its result here. Pages: sign in,
search, an entity's page (an officer's profile, unit history, flags and neighbourhood
graph), the flag list, a flag's page (explanation, method card, evidence graph and rows,
assessments), the path finder, the query page and the audit log.

Everything the pages load comes from the same server: vis-network's JavaScript and CSS
from the pyvis package, the rest from ``viz/static``; the OpenAPI pages' assets are
vendored in ``viz/vendor`` (versions and licences in its README). No page links to
another host.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import jinja2
import pyvis
from markupsafe import Markup

from graph.meta import FLAG_STATUSES
from graph.model import MODEL
from viz.pages import REL_STYLE, STYLE

STATIC = Path(__file__).parent / "static"
VIS = resources.files(pyvis) / "lib" / "vis-9.1.2"
VENDORED = Path(__file__).parent / "vendor"
JS, CSS = "application/javascript", "text/css"
VENDOR: dict[str, tuple[Traversable, str]] = {
    "vis-network.min.js": (VIS / "vis-network.min.js", JS),
    "vis-network.css": (VIS / "vis-network.css", CSS),
    "swagger-ui-bundle.js": (VENDORED / "swagger-ui" / "swagger-ui-bundle.js", JS),
    "swagger-ui.css": (VENDORED / "swagger-ui" / "swagger-ui.css", CSS),
    "swagger-ui-favicon.png": (VENDORED / "swagger-ui" / "favicon-32x32.png", "image/png"),
    "redoc.standalone.js": (VENDORED / "redoc" / "redoc.standalone.js", JS),
}
"""Third-party assets served at ``/vendor/<name>``: the file and its media type."""

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("viz", "templates"), autoescape=jinja2.select_autoescape(["html"])
)


def style_json() -> Markup:
    """The pages' shared style (colours, shapes, captions, hidden properties, statuses)
    as JSON safe inside a ``<script>`` element."""
    style = {
        "labels": {k: {"color": c, "shape": s} for k, (c, s) in STYLE.items()},
        "rels": REL_STYLE,
        "caption": {k: list(v) for k, v in MODEL.captions.items()},
        "hidden": sorted(MODEL.hidden),
        "statuses": list(FLAG_STATUSES),
    }
    return Markup(json.dumps(style).replace("</", "<\\/"))


def page(
    template: str,
    *,
    who: Any,
    can: Callable[[str], bool],
    path: str,
    purpose: str | None = None,
    case_ref: str | None = None,
    **ctx: Any,
) -> str:
    """One page's HTML: ``who`` is signed in (or ``None``), ``can(permission)`` says what
    their role may do (links shown), ``path`` is the page's own address."""
    return _env.get_template(template).render(
        who=who,
        purpose=purpose,
        case_ref=case_ref,
        can=can,
        style=style_json(),
        page_data=lambda v: Markup(json.dumps(v, default=str).replace("</", "<\\/")),
        path=path,
        **ctx,
    )


def message(title: str, text: str) -> str:
    """A page that only says something (not found, not allowed)."""
    return _env.get_template("message.html").render(
        who=None, title=title, message=text, style=style_json(), can=lambda _p: False, path=""
    )


def visible_properties(props: dict[str, Any]) -> dict[str, Any]:
    """The properties a page shows: not the protected or bookkeeping ones, not empty."""
    return {k: v for k, v in props.items() if k not in MODEL.hidden and v not in (None, "")}
