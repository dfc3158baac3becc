"""The web pages' door, under ``/ui``: sign in, then each page calls one operation (the
same, audited, as the API's) and hands its result to :mod:`viz.render`.

Pages read the token, purpose and case reference the sign-in page keeps in HttpOnly
cookies. Also served here: the pages' static files, the vendored assets
(``/vendor/<name>``) and the OpenAPI pages (``/docs`` and ``/redoc``) with their assets
from this server, never a CDN.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel

from api.auth import CASE_COOKIE, PURPOSE_COOKIE, TOKEN_COOKIE, failure_recorder
from api.deps import WorkspaceDep, run_heavy, server_workspace
from api.ops import cases as case_ops
from api.ops import challenges as challenge_ops
from api.ops import entities
from api.ops import flags as flag_ops
from api.ops.flags import MAX_SKIP
from api.ops.look import Look, allowed, api_look, authenticate, authorize
from api.ops.pseudonyms import Masker
from graph.contract import TABLES
from graph.errors import NotFound
from graph.meta import PermissionDenied, Principal
from graph.model import caption
from graph.review import POLICY
from queries.detectors import DETECTORS
from viz import render

router = APIRouter(prefix="/ui", include_in_schema=False)


class SignIn(Exception):
    """The page needs a signed-in user (and a stated purpose)."""

    def __init__(self, next_url: str, message: str) -> None:
        self.next_url, self.message = next_url, message


class Forbidden(Exception):
    def __init__(self, message: str) -> None:
        self.message = message


def html(
    request: Request, template: str, who: Principal | None, look: Look | None = None, **ctx: Any
) -> HTMLResponse:
    return HTMLResponse(
        render.page(
            template,
            who=who,
            can=lambda perm: who is not None and allowed(who.role, perm),
            path=request.url.path,
            purpose=look.purpose if look else request.cookies.get(PURPOSE_COOKIE),
            case_ref=look.case_ref if look else request.cookies.get(CASE_COOKIE),
            **ctx,
        )
    )


def _page_look(permission: str | None, purpose_needed: bool = True) -> Any:
    """A page's look: signed in, holding ``permission`` (``None``: any signed-in user, the
    operation deciding what they see) and, unless not needed, with a stated purpose."""

    def dep(request: Request) -> Look:
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        who = authenticate(server_workspace(request).meta, request.cookies.get(TOKEN_COOKIE))
        if who is None:
            raise SignIn(here, "Sign in with your API token.")
        request.state.principal = who  # a failure from here on is audited
        try:
            if permission is not None:
                authorize(who, permission)
        except PermissionDenied:
            raise Forbidden(f"Your role ({who.role}) may not open this page.") from None
        look = api_look(who, request.cookies.get(PURPOSE_COOKIE), request.cookies.get(CASE_COOKIE))
        if purpose_needed and not look.purpose:
            raise SignIn(here, "State the purpose of your looks: it is recorded with each of them.")
        request.state.look = look
        return look

    return Depends(dep)


GraphPage = Annotated[Look, _page_look("graph.read")]
FlagsPage = Annotated[Look, _page_look("flags.read")]
QueriesPage = Annotated[Look, _page_look("queries.run")]
AuditPageLook = Annotated[Look, _page_look("audit.read", purpose_needed=False)]
ReviewPage = Annotated[Look, _page_look("cases.review")]
SignedInPage = Annotated[Look, _page_look(None)]


def safe_next(url: str) -> bool:
    """Where sign-in may send a person on: a page of this server (``/ui/…``) and
    nothing a browser could read as another host (``/\\evil``, tabs, schemes)."""
    if not url.startswith("/ui/") or any(c in url for c in "\\\t\r\n") or not url.isprintable():
        return False
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/ui/", message: str = "") -> HTMLResponse:
    if not safe_next(next):
        next = "/ui/"
    return html(request, "login.html", None, next_url=next, message=message)


class SessionIn(BaseModel):
    token: str | None = None
    purpose: str = ""
    case_ref: str = ""


@router.post("/session")
def start_session(body: SessionIn, request: Request) -> JSONResponse:
    """Check the token (or the one already held) and keep it, the purpose and the case
    reference in HttpOnly cookies for this browser session."""
    token = (body.token or "").strip() or request.cookies.get(TOKEN_COOKIE) or ""
    who = authenticate(server_workspace(request).meta, token)
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
    return html(request, "search.html", look.who, look, q=q)


@router.get("/entity/{node_id}", response_class=HTMLResponse)
def entity_page(node_id: str, request: Request, ws: WorkspaceDep, look: GraphPage) -> HTMLResponse:
    ent = entities.entity(ws, look, node_id)
    return html(
        request,
        "entity.html",
        look.who,
        look,
        ent=ent,
        props=render.visible_properties(ent["properties"]),
        title=caption({"id": ent["id"], "labels": ent["labels"], "properties": ent["properties"]}),
    )


@router.get("/flags", response_class=HTMLResponse)
def flags_page(
    request: Request,
    ws: WorkspaceDep,
    look: FlagsPage,
    detector: str | None = None,
    severity: str | None = None,
    status: str | None = None,
    officer_id: str | None = None,
    skip: Annotated[int, Query(ge=0, le=MAX_SKIP)] = 0,
) -> HTMLResponse:
    filters = {"detector": detector or None, "officer_id": officer_id or None, "severity": severity or None}
    page = flag_ops.list_flags(ws, look, filters, status=status or None, skip=skip, limit=50)
    return html(
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
async def flag_page(flag_id: str, request: Request, ws: WorkspaceDep, look: FlagsPage) -> HTMLResponse:
    flag = await run_heavy(request, flag_ops.show, ws, look, flag_id)  # as GET /api/v1/flags/{id}
    return html(request, "flag.html", look.who, look, flag=flag)


@router.get("/cases", response_class=HTMLResponse)
def cases_page(
    request: Request,
    ws: WorkspaceDep,
    look: ReviewPage,
    stage: str = "",
    reviewer: str = "",
    overdue: bool = False,
) -> HTMLResponse:
    items = case_ops.list_cases(ws, look, stage=stage or None, reviewer=reviewer or None, overdue=overdue)
    f = {"stage": stage, "reviewer": reviewer, "overdue": overdue}
    return html(request, "cases.html", look.who, look, items=items, stages=list(POLICY.stages), f=f)


@router.get("/cases/{case_ref}", response_class=HTMLResponse)
def case_page(case_ref: str, request: Request, ws: WorkspaceDep, look: ReviewPage) -> HTMLResponse:
    case = case_ops.show(ws, look, case_ref)
    return html(
        request,
        "case.html",
        look.who,
        look,
        case=case,
        moves=case_ops.next_moves(case),
        decision_from=POLICY.decision_from,
        outcomes=list(POLICY.outcomes.values()),
        outcome_labels={o.key: o.label for o in POLICY.outcomes.values()},
        reason_kinds=POLICY.reason_kinds,
        explanations=case_ops.innocent_explanations(ws, case),
    )


@router.get("/challenges", response_class=HTMLResponse)
def challenges_page(
    request: Request, ws: WorkspaceDep, look: SignedInPage, state: str = "", overdue: bool = False
) -> HTMLResponse:
    """Challenges with their days left (those about the looker only, unless their role
    lodges, decides or reviews), subjects by pseudonym; the forms lodge a fact challenge
    and, for a role that decides them, uphold or reject an open one (through the API,
    as the case page's forms)."""
    try:
        found = challenge_ops.list_challenges(ws, look, state=state or None, overdue=overdue)
    except PermissionDenied as e:
        raise Forbidden(str(e)) from None
    mask = Masker.for_look(ws, look)
    mask.learn(s for c in found for s in (c.get("text"), c.get("row_key")) if isinstance(s, str))
    items = [mask.value(c) for c in found]
    tables = {t.name: list(t.names) for t in TABLES.values() if isinstance(t.key, str)}
    f = {"state": state, "overdue": overdue}
    return html(request, "challenges.html", look.who, look, items=items, tables=tables, f=f)


@router.get("/paths", response_class=HTMLResponse)
def paths_page(request: Request, look: GraphPage, source: str = "", target: str = "") -> HTMLResponse:
    return html(request, "paths.html", look.who, look, source=source, target=target)


@router.get("/queries", response_class=HTMLResponse)
def queries_page(request: Request, look: QueriesPage, name: str = "") -> HTMLResponse:
    return html(request, "queries.html", look.who, look, selected=name)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, look: AuditPageLook) -> HTMLResponse:
    return html(request, "audit.html", look.who, look)


def vendor_asset(name: str) -> Response:
    if name not in render.VENDOR:
        return Response(status_code=404)
    path, media_type = render.VENDOR[name]
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
    app.mount("/static", StaticFiles(directory=render.STATIC), name="static")
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
        return HTMLResponse(render.message("Not allowed", exc.message), status_code=403)

    def not_found(request: Request, exc: Exception) -> Response:
        if not request.url.path.startswith("/ui/"):  # the API's JSON 404
            return JSONResponse({"detail": str(exc)}, status_code=404)
        return HTMLResponse(render.message("Not found", str(exc)), status_code=404)

    app.add_exception_handler(SignIn, to_login)
    app.add_exception_handler(NotFound, failure_recorder(not_found))  # failed looks are audited
    app.add_exception_handler(Forbidden, failure_recorder(forbidden))
