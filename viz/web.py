"""The investigators' and analysts' web pages, served by the API under ``/ui``.

Pages: sign in (token, purpose, case reference), search, an entity's page (an officer's
profile, unit history, flags and neighbourhood graph), the flag list, a flag's page
(explanation, method card, evidence graph and rows, assessments), the path finder, the
query page (pick a saved query, fill its parameters, see a table or a graph, export),
and the audit log for auditors.

Everything the pages load comes from this server: vis-network's JavaScript and CSS are
served from the pyvis package, the rest from ``viz/static``; no page links to another
host. So do the OpenAPI pages, ``/docs`` (Swagger UI) and ``/redoc`` (ReDoc): their
assets are vendored in ``viz/vendor`` (versions and licences in its README). Pages read
data through the same audited functions and endpoints as API users, with the token and
purpose the sign-in page keeps in cookies.
"""

from __future__ import annotations

import json
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import jinja2
import pyvis
from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from markupsafe import Markup
from pydantic import BaseModel

from api.auth import CASE_COOKIE, PURPOSE_COOKIE, TOKEN_COOKIE, Look, allowed, failure_recorder
from api.deps import StoreDep
from api.routes.flags import MAX_SKIP
from graph.audit import AuditLog
from graph.errors import NodeNotFound
from graph.meta import FLAG_STATUSES, MetaStore, Principal
from viz.pages import CAPTION, HIDDEN_PROPS, REL_STYLE, STYLE

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

router = APIRouter(prefix="/ui", include_in_schema=False)
_env = jinja2.Environment(
    loader=jinja2.PackageLoader("viz", "templates"), autoescape=jinja2.select_autoescape(["html"])
)


class SignIn(Exception):
    """The page needs a signed-in user (and a stated purpose)."""

    def __init__(self, next_url: str, message: str) -> None:
        self.next_url, self.message = next_url, message


class Forbidden(Exception):
    def __init__(self, message: str) -> None:
        self.message = message


def _style_json() -> Markup:
    style = {
        "labels": {k: {"color": c, "shape": s} for k, (c, s) in STYLE.items()},
        "rels": REL_STYLE,
        "caption": {k: list(v) for k, v in CAPTION.items()},
        "hidden": sorted(HIDDEN_PROPS),
        "statuses": list(FLAG_STATUSES),
    }
    return Markup(json.dumps(style).replace("</", "<\\/"))


def render(
    request: Request, template: str, who: Principal | None, look: Look | None = None, **ctx: Any
) -> HTMLResponse:
    html = _env.get_template(template).render(
        who=who,
        purpose=look.purpose if look else request.cookies.get(PURPOSE_COOKIE),
        case_ref=look.case_ref if look else request.cookies.get(CASE_COOKIE),
        can=lambda perm: who is not None and allowed(who.role, perm),
        style=_style_json(),
        page_data=lambda v: Markup(json.dumps(v, default=str).replace("</", "<\\/")),
        path=request.url.path,
        **ctx,
    )
    return HTMLResponse(html)


def _page_look(permission: str, purpose_needed: bool = True) -> Any:
    def dep(request: Request) -> Look:
        meta: MetaStore = request.app.state.meta
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        token = request.cookies.get(TOKEN_COOKIE)
        who = meta.authenticate(token) if token else None
        if who is None:
            raise SignIn(here, "Sign in with your API token.")
        request.state.principal = who  # a failure from here on is audited
        if not allowed(who.role, permission):
            raise Forbidden(f"Your role ({who.role}) may not open this page.")
        purpose = (request.cookies.get(PURPOSE_COOKIE) or "").strip() or None
        if purpose_needed and not purpose:
            raise SignIn(here, "State the purpose of your looks: it is recorded with each of them.")
        case_ref = (request.cookies.get(CASE_COOKIE) or "").strip() or None
        look = Look(who, purpose, case_ref, AuditLog.of(request.app.state.settings))
        request.state.look = look
        return look

    return Depends(dep)


GraphPage = Annotated[Look, _page_look("graph.read")]
FlagsPage = Annotated[Look, _page_look("flags.read")]
QueriesPage = Annotated[Look, _page_look("queries.run")]
AuditPageLook = Annotated[Look, _page_look("audit.read", purpose_needed=False)]


def safe_next(url: str) -> bool:
    """Where sign-in may send a person on: a page of this server (``/ui/…``) and
    nothing a browser could read as another host (``/\\evil``, tabs, schemes)."""
    from urllib.parse import urlsplit

    if not url.startswith("/ui/") or any(c in url for c in "\\\t\r\n") or not url.isprintable():
        return False
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/ui/", message: str = "") -> HTMLResponse:
    if not safe_next(next):
        next = "/ui/"
    return render(request, "login.html", None, next_url=next, message=message)


class SessionIn(BaseModel):
    token: str | None = None
    purpose: str = ""
    case_ref: str = ""


@router.post("/session")
def start_session(body: SessionIn, request: Request) -> JSONResponse:
    """Check the token (or the one already held) and keep it, the purpose and the case
    reference in HttpOnly cookies for this browser session."""
    meta: MetaStore = request.app.state.meta
    token = (body.token or "").strip() or request.cookies.get(TOKEN_COOKIE) or ""
    who = meta.authenticate(token) if token else None
    if who is None:
        return JSONResponse({"detail": "that token is unknown, revoked or expired"}, status_code=401)
    resp = JSONResponse({"user": who.user, "role": who.role})
    opts: dict[str, Any] = {"httponly": True, "samesite": "strict", "path": "/"}
    resp.set_cookie(TOKEN_COOKIE, token, **opts)
    resp.set_cookie(PURPOSE_COOKIE, body.purpose.strip()[:500], **opts)
    resp.set_cookie(CASE_COOKIE, body.case_ref.strip()[:100], **opts)
    return resp


@router.get("/logout")
def logout() -> RedirectResponse:
    resp = RedirectResponse("/ui/login", status_code=303)
    for c in (TOKEN_COOKIE, PURPOSE_COOKIE, CASE_COOKIE):
        resp.delete_cookie(c, path="/")
    return resp


@router.get("/", response_class=HTMLResponse)
def search_page(request: Request, look: GraphPage, q: str = "") -> HTMLResponse:
    return render(request, "search.html", look.who, look, q=q)


@router.get("/entity/{node_id}", response_class=HTMLResponse)
def entity_page(node_id: str, request: Request, store: StoreDep, look: GraphPage) -> HTMLResponse:
    from api.routes.graph import caption, entity

    ent = entity(node_id, store, request.app.state.meta, look)
    shown = {k: v for k, v in ent["properties"].items() if k not in HIDDEN_PROPS and v not in (None, "")}
    return render(
        request,
        "entity.html",
        look.who,
        look,
        ent=ent,
        props=shown,
        title=caption({"id": ent["id"], "labels": ent["labels"], "properties": ent["properties"]}),
    )


@router.get("/flags", response_class=HTMLResponse)
def flags_page(
    request: Request,
    store: StoreDep,
    look: FlagsPage,
    detector: str | None = None,
    severity: str | None = None,
    status: str | None = None,
    officer_id: str | None = None,
    skip: Annotated[int, Query(ge=0, le=MAX_SKIP)] = 0,
) -> HTMLResponse:
    from api.routes.flags import list_flag_page

    filters = {"detector": detector or None, "officer_id": officer_id or None, "severity": severity or None}
    page = list_flag_page(store, request.app.state.meta, filters, status or None, None, None, skip, 50)
    look.record(
        "flags",
        "flags page",
        params={**filters, "status": status, "skip": skip},
        result_size=len(page["items"]),
    )
    from queries.detectors import DETECTORS

    return render(
        request,
        "flags.html",
        look.who,
        look,
        page=page,
        detectors=sorted(DETECTORS),
        f={
            "detector": detector or "",
            "severity": severity or "",
            "status": status or "",
            "officer_id": officer_id or "",
        },
    )


@router.get("/flags/{flag_id}", response_class=HTMLResponse)
def flag_page(flag_id: str, request: Request, store: StoreDep, look: FlagsPage) -> HTMLResponse:
    from api.routes.flags import get_flag

    flag = get_flag(flag_id, store, request.app.state.meta, look)
    return render(request, "flag.html", look.who, look, flag=flag)


@router.get("/paths", response_class=HTMLResponse)
def paths_page(request: Request, look: GraphPage, source: str = "", target: str = "") -> HTMLResponse:
    return render(request, "paths.html", look.who, look, source=source, target=target)


@router.get("/queries", response_class=HTMLResponse)
def queries_page(request: Request, look: QueriesPage, name: str = "") -> HTMLResponse:
    return render(request, "queries.html", look.who, look, selected=name)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, look: AuditPageLook) -> HTMLResponse:
    return render(request, "audit.html", look.who, look)


def vendor_asset(name: str) -> Response:
    if name not in VENDOR:
        return Response(status_code=404)
    path, media_type = VENDOR[name]
    return Response(
        path.read_bytes(), media_type=media_type, headers={"Cache-Control": "public, max-age=86400"}
    )


def mount_docs(app: FastAPI) -> None:
    """The OpenAPI pages, ``/docs`` and ``/redoc``, with their assets from this server
    (FastAPI's own load them from a CDN and Google Fonts, and are blank offline). Make
    the app with ``docs_url=None, redoc_url=None``."""
    title = f"{app.title} API"
    openapi_url = app.openapi_url or "/openapi.json"

    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=title,
            swagger_js_url="/vendor/swagger-ui-bundle.js",
            swagger_css_url="/vendor/swagger-ui.css",
            swagger_favicon_url="/vendor/swagger-ui-favicon.png",
            # no badge from validator.swagger.io (it would send it the spec's address)
            swagger_ui_parameters={"validatorUrl": None},
        )

    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=title,
            redoc_js_url="/vendor/redoc.standalone.js",
            redoc_favicon_url="/vendor/swagger-ui-favicon.png",
            with_google_fonts=False,
        )

    app.add_api_route("/docs", swagger_ui, include_in_schema=False)
    app.add_api_route("/redoc", redoc, include_in_schema=False)


def mount(app: FastAPI) -> None:
    """Add the pages, the static files, the OpenAPI pages and the redirects to ``app``."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_api_route("/vendor/{name}", vendor_asset, include_in_schema=False)
    mount_docs(app)
    app.add_api_route("/", lambda: RedirectResponse("/ui/", status_code=307), include_in_schema=False)

    def to_login(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignIn)
        return RedirectResponse(
            f"/ui/login?next={quote(exc.next_url)}&message={quote(exc.message)}", status_code=303
        )

    def forbidden(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Forbidden)
        html = _env.get_template("message.html").render(
            who=None,
            title="Not allowed",
            message=exc.message,
            style=_style_json(),
            can=lambda p: False,
            path="",
        )
        return HTMLResponse(html, status_code=403)

    def not_found(request: Request, exc: Exception) -> Response:
        if not request.url.path.startswith("/ui/"):  # the API's JSON 404
            return JSONResponse({"detail": str(exc)}, status_code=404)
        html = _env.get_template("message.html").render(
            who=None, title="Not found", message=str(exc), style=_style_json(), can=lambda p: False, path=""
        )
        return HTMLResponse(html, status_code=404)

    app.add_exception_handler(SignIn, to_login)
    app.add_exception_handler(NodeNotFound, failure_recorder(not_found))  # failed looks are audited
    app.add_exception_handler(Forbidden, failure_recorder(forbidden))
