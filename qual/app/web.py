"""The workspace as an ASGI application (Starlette, Jinja2 templates), and what guards it.

Security model (the workspace is for the person at the keyboard only):

- the server listens on 127.0.0.1 (``server.serve``); requests must name it as their Host
  (``127.0.0.1:PORT`` or ``localhost:PORT``), which defeats DNS rebinding;
- every request needs the random token of the printed address: the first visit carries it
  in the query string and gets it back as an HttpOnly, SameSite=Strict cookie (and is
  redirected to the same address without it); anything else gets 403;
- a request that changes something (POST) must also carry the page's CSRF token in the
  ``X-Qual-CSRF`` header, which a cross-site form cannot set, and a cross-site script cannot
  read; its Origin, when sent, must be the workspace's own, and ``Sec-Fetch-Site`` must say
  same-origin;
- pages forbid inline scripts and any other origin (Content-Security-Policy), so even text
  that slipped past escaping cannot run, and nothing is ever fetched from the network;
- no log line carries a query string, a body or an exception message (text may be in them):
  uvicorn's access log is off, and an error is logged by its type only.
"""

from __future__ import annotations

import hmac
import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from . import api, queries
from .api import current_coder
from .jobs import Jobs
from .project import Project
from .safety import new_token

log = logging.getLogger("qual.app.web")

RESOURCES = Path(__file__).with_name("resources")
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                 b"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
                                 b"form-action 'self'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
FORBIDDEN = ("forbidden: open the address 'qual app' printed (it carries the access token); "
             "this workspace answers only that address")
SHORTCUTS = {
    "document": [("j / k", "next / previous suggestion"), ("n", "next undecided suggestion"),
                 ("a", "accept"), ("r", "reject"), ("u", "undo your decision"),
                 ("c", "code the selected text"), ("1-9", "code the selection with a recent code"),
                 ("m", "memo on the selection or suggestion"), ("[ / ]", "previous / next document"),
                 ("/", "search"), ("?", "all shortcuts")],
    "code": [("j / k", "next / previous segment"), ("x", "select the segment"), ("a", "accept selected"),
             ("r", "reject selected"), ("e", "recode selected"), ("o", "open in its document"), ("?", "all shortcuts")],
    "matrix": [("click a cell", "its quotes and summary"), ("click a quote", "jump to its place"),
               ("Esc", "close the cell"), ("?", "all shortcuts")],
}


class Guard:
    """ASGI middleware: host, token, origin and CSRF checks, security headers, and errors
    reported by type only (see the module's docstring)."""

    def __init__(self, app, *, token: str, csrf: str, state) -> None:
        self.app = app
        self.token = token
        self.csrf = csrf
        self.state = state  # .port: the port the server is bound to (known after binding)

    def hosts(self) -> set[str]:
        port = self.state.port
        return {f"127.0.0.1:{port}", f"localhost:{port}"}

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":
            return  # no websockets here
        started = False

        async def guarded_send(message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": [*message.get("headers", []), *SECURITY_HEADERS]}
            await send(message)

        try:
            refusal = self.refuse(Request(scope))
            if refusal is not None:
                await refusal(scope, receive, guarded_send)
                return
            await self.app(scope, receive, guarded_send)
        except Exception as error:  # noqa: BLE001 - logged by type: a message may quote text
            log.warning("request failed: %s", type(error).__name__)
            if not started:
                await PlainTextResponse(f"internal error ({type(error).__name__}); please report it",
                                        status_code=500)(scope, receive, guarded_send)

    def refuse(self, request: Request) -> Response | None:
        """None to let the request through, else the response that refuses (or redirects) it."""
        if request.headers.get("host", "") not in self.hosts():
            return PlainTextResponse(FORBIDDEN, status_code=403)
        cookie_name = f"qual_token_{self.state.port}"
        given = request.query_params.get("token")
        if given is not None and request.method == "GET":
            if not hmac.compare_digest(given.encode(), self.token.encode()):
                return PlainTextResponse(FORBIDDEN, status_code=403)
            rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
            target = request.url.path + (f"?{urlencode(rest)}" if rest else "")
            response = RedirectResponse(target, status_code=303)
            response.set_cookie(cookie_name, self.token, httponly=True, samesite="strict", path="/")
            return response
        cookie = request.cookies.get(cookie_name, "")
        if not cookie or not hmac.compare_digest(cookie.encode(), self.token.encode()):
            return PlainTextResponse(FORBIDDEN, status_code=403)
        if request.method not in ("GET", "HEAD"):
            origin = request.headers.get("origin")
            if origin is not None and origin not in {f"http://{host}" for host in self.hosts()}:
                return PlainTextResponse("forbidden: a cross-site request", status_code=403)
            if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
                return PlainTextResponse("forbidden: a cross-site request", status_code=403)
            if not hmac.compare_digest(request.headers.get("x-qual-csrf", "").encode(), self.csrf.encode()):
                return PlainTextResponse("forbidden: the request lacks the page's CSRF token; reload the page",
                                         status_code=403)
        return None


# --------------------------------------------------------------------------- pages


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(RESOURCES / "templates"))
    templates.env.globals["snippet_parts"] = queries.snippet_parts
    templates.env.filters["percent"] = lambda v: "" if v is None or v != v else f"{100 * v:.0f}%"
    templates.env.filters["stat"] = lambda v: "—" if v is None or v != v else f"{v:.2f}"
    return templates


def _page(request: Request, template: str, view: str, **context: Any) -> Response:
    project: Project = request.app.state.project
    coder = current_coder(request)
    coders = project.store.coders()
    if coder and coder not in coders:  # named in another project served on this port
        coders.append(coder)
    return request.app.state.templates.TemplateResponse(request, template, {
        "project": project.name, "coder": coder, "coders": coders, "view": view,
        "csrf": request.app.state.csrf, "shortcuts": SHORTCUTS.get(view, []), "all_shortcuts": SHORTCUTS,
        "progress": queries.progress(project, coder) if coder else None,
        "notes": request.app.state.notes, **context})


def _needs_coder(request: Request) -> Response | None:
    if current_coder(request) is None:
        return RedirectResponse("/welcome?" + urlencode({"next": str(request.url.path)}), status_code=303)
    return None


async def _threaded(fn, *args):
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(fn, *args)


async def welcome(request: Request) -> Response:
    target = request.query_params.get("next", "/")
    if not target.startswith("/") or target.startswith(("//", "/\\")):  # only pages of this workspace
        target = "/"
    return _page(request, "welcome.html", "welcome", next=target)


async def overview(request: Request) -> Response:
    if (redirect := _needs_coder(request)) is not None:
        return redirect
    project = request.app.state.project
    documents = await _threaded(queries.documents, project, current_coder(request))
    return _page(request, "overview.html", "overview", documents=documents)


async def document_page(request: Request) -> Response:
    if (redirect := _needs_coder(request)) is not None:
        return redirect
    project = request.app.state.project
    data = await _threaded(queries.document, project, request.path_params["document"])
    if data is None:
        return HTMLResponse("no such document", status_code=404)
    book = await _threaded(queries.codebook, project)
    return _page(request, "document.html", "document", document=data, codebook=book)


async def code_page(request: Request) -> Response:
    if (redirect := _needs_coder(request)) is not None:
        return redirect
    project = request.app.state.project
    status = request.query_params.get("status", "all")
    status = status if status in ("all", "undecided", "accepted", "rejected") else "all"
    book = await _threaded(queries.codebook, project)
    code = next((c for c in book["codes"] if c["id"] == request.path_params["code"]), None)
    if code is None:
        return HTMLResponse("no such code", status_code=404)
    items = await _threaded(queries.code_segments, project, code["id"], current_coder(request), status)
    return _page(request, "code.html", "code", code=code, items=items, status=status, codebook=book)


async def matrix_page(request: Request) -> Response:
    if (redirect := _needs_coder(request)) is not None:
        return redirect
    data = await _threaded(queries.matrix_view, request.app.state.project, request.query_params.get("theme"))
    return _page(request, "matrix.html", "matrix", matrix=data)


async def codebook_page(request: Request) -> Response:
    if (redirect := _needs_coder(request)) is not None:
        return redirect
    book = await _threaded(queries.codebook, request.app.state.project)
    return _page(request, "codebook.html", "codebook", codebook=book)


async def agreement_page(request: Request) -> Response:
    if (redirect := _needs_coder(request)) is not None:
        return redirect
    data = await _threaded(queries.agreement_view, request.app.state.project, request.query_params.get("a"),
                           request.query_params.get("b"))
    return _page(request, "agreement.html", "agreement", agreement=data)


async def search_page(request: Request) -> Response:
    if (redirect := _needs_coder(request)) is not None:
        return redirect
    form = {k: request.query_params.get(k, "") for k in ("q", "role", "la", "code")}
    project = request.app.state.project
    data = await _threaded(lambda: queries.search(project, form["q"], role=form["role"],
                                                  local_authority=form["la"], code=form["code"]))
    book = await _threaded(queries.codebook, project)
    return _page(request, "search.html", "search", search=data, form=form, codebook=book)


def create_app(project: Project, *, token: str | None = None, port: int | None = None,
               suggest_options: dict[str, Any] | None = None, notes: list[str] | None = None):
    """The workspace application for ``project``, wrapped in its ``Guard``.

    ``token``: the access token (random by default; ``app.state.token``). ``port``: the port
    it will be served on, which requests must name in their Host (``app.state.port``, set
    by the server once bound). ``suggest_options``: passed to ``code_transcripts`` when
    suggestions are recomputed.
    """
    routes = [
        Route("/", overview), Route("/welcome", welcome), Route("/doc/{document:path}", document_page),
        Route("/code/{code:path}", code_page), Route("/matrix", matrix_page), Route("/codebook", codebook_page),
        Route("/agreement", agreement_page), Route("/search", search_page),
        *api.ROUTES,
        Mount("/static", app=StaticFiles(directory=str(RESOURCES / "static")), name="static"),
    ]
    async def internal_error(request: Request, error: Exception) -> Response:
        return PlainTextResponse(f"internal error ({type(error).__name__}); please report it", status_code=500)

    inner = Starlette(routes=routes, exception_handlers={Exception: internal_error})
    inner.state.project = project
    inner.state.templates = _templates()
    inner.state.csrf = new_token()
    inner.state.jobs = Jobs(project, suggest_options)
    inner.state.notes = list(notes or project.notes)
    inner.state.port = port or 0
    guard = Guard(inner, token=token or new_token(), csrf=inner.state.csrf, state=inner.state)
    guard.state = inner.state
    inner.state.token = guard.token
    return guard
