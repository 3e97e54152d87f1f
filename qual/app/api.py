"""The workspace's JSON endpoints: every change a page makes, and what pages poll.

Each handler is a thin wrapper over a ``Store`` method or a query; errors become JSON with a
status code (400 a request the store refuses, 404 gone, 409 an edit conflict or a busy job),
never with document text in a log. Requests reach these only through ``web.Guard``
(token, host, origin and CSRF checks).
"""

from __future__ import annotations

import functools
import json
from typing import Any, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..errors import QualError
from . import queries
from .jobs import JobBusy
from .store import EditConflict, NotFound, check_coder_name

MAX_BODY = 1 << 20


def coder_cookie(request: Request) -> str:
    return f"qual_coder_{request.app.state.port}"


def current_coder(request: Request) -> str | None:
    from urllib.parse import unquote

    value = request.cookies.get(coder_cookie(request))
    if not value:
        return None
    try:
        return check_coder_name(unquote(value))
    except QualError:
        return None


def _json_error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


def endpoint(needs_coder: bool = True) -> Callable:
    """A JSON endpoint: parses the body, supplies the coder, maps the store's errors."""

    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        async def wrapper(request: Request) -> Response:
            body: dict[str, Any] = {}
            if request.method == "POST":
                raw = await request.body()
                if len(raw) > MAX_BODY:
                    return _json_error(413, "the request is too large")
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    return _json_error(400, "the request is not JSON")
                if not isinstance(body, dict):
                    return _json_error(400, "the request is not a JSON object")
            coder = current_coder(request)
            if needs_coder and coder is None:
                return _json_error(400, "name yourself first (reload the page)")
            from starlette.concurrency import run_in_threadpool

            try:
                result = await run_in_threadpool(fn, request, body, coder)
            except EditConflict as conflict:
                return _json_error(409, str(conflict), conflict=conflict.current, kind=conflict.kind)
            except JobBusy as busy:
                return _json_error(409, str(busy))
            except NotFound as missing:
                return _json_error(404, str(missing))
            except QualError as error:
                return _json_error(400, str(error))
            except (KeyError, TypeError, ValueError) as error:
                return _json_error(400, f"the request is missing or has a wrong field ({type(error).__name__})")
            return result if isinstance(result, Response) else JSONResponse(result)

        return wrapper

    return decorate


def _project(request: Request):
    return request.app.state.project


def _ids(body: dict[str, Any]) -> list[int]:
    ids = body["ids"]
    if not isinstance(ids, list) or not ids or len(ids) > 5000:
        raise ValueError("ids")
    return [int(i) for i in ids]


@endpoint(needs_coder=False)
def set_coder(request: Request, body: dict[str, Any], coder: str | None) -> Response:
    from urllib.parse import quote

    name = _project(request).store.add_coder(str(body.get("name", "")))
    response = JSONResponse({"coder": name})
    response.set_cookie(coder_cookie(request), quote(name), httponly=True, samesite="strict", path="/",
                        max_age=60 * 60 * 24 * 365)
    return response


@endpoint()
def status(request: Request, body: dict[str, Any], coder: str) -> dict[str, Any]:
    since = request.query_params.get("since")
    state = queries.status(_project(request), coder, int(since) if since and since.isdigit() else None)
    state["job"] = request.app.state.jobs.status()
    return state


@endpoint()
def document(request: Request, body: dict[str, Any], coder: str) -> Any:
    data = queries.document(_project(request), request.path_params["document"])
    if data is None:
        raise NotFound("that document is not in this project")
    return data


@endpoint()
def decide(request: Request, body: dict[str, Any], coder: str) -> dict[str, Any]:
    expected = {int(k): str(v) for k, v in (body.get("expected") or {}).items()}
    codings = _project(request).store.decide(_ids(body), coder, str(body["status"]), expected or None)
    return {"codings": codings, "progress": queries.progress(_project(request), coder)}


@endpoint()
def code_span(request: Request, body: dict[str, Any], coder: str) -> dict[str, Any]:
    store = _project(request).store
    coding = store.add_coding(str(body["document"]), int(body["start"]), int(body["end"]), str(body["code"]), coder)
    return {"coding": coding, "codings": store.codings_at(coding["document"], coding["start"], coding["end"],
                                                          coding["code"])}


@endpoint()
def recode(request: Request, body: dict[str, Any], coder: str) -> dict[str, Any]:
    return {"recoded": _project(request).store.recode(_ids(body), str(body["code"]), coder)}


@endpoint()
def resolve(request: Request, body: dict[str, Any], coder: str) -> dict[str, Any]:
    coders = [str(c) for c in body["coders"]]
    codings = _project(request).store.resolve(str(body["document"]), int(body["start"]), int(body["end"]),
                                              str(body["code"]), str(body["status"]), coders, coder)
    return {"codings": codings}


@endpoint()
def summary(request: Request, body: dict[str, Any], coder: str) -> dict[str, Any]:
    text = str(body["text"])
    saved = _project(request).store.set_summary(str(body["case"]), str(body["code"]), text, coder,
                                                int(body.get("version", 0)))
    return {"summary": {"text": saved["text"], "version": saved["version"], "coder": saved["coder"]}}


@endpoint()
def get_summary(request: Request, body: dict[str, Any], coder: str) -> dict[str, Any]:
    project = _project(request)
    case, code = request.query_params["case"], request.query_params["code"]
    saved = project.store.summary(case, code)
    return {"summary": {"text": saved["text"], "version": saved["version"], "coder": saved["coder"]}
            if saved else {"text": "", "version": 0, "coder": ""},
            "quotes": queries.cell_quotes(project, case, code)}


@endpoint()
def memo(request: Request, body: dict[str, Any], coder: str) -> dict[str, Any]:
    store = _project(request).store
    if body.get("id") is None:
        saved = store.save_memo(coder, str(body["text"]), document=str(body["document"]), start=int(body["start"]),
                                end=int(body["end"]))
    else:
        saved = store.save_memo(coder, str(body["text"]), memo_id=int(body["id"]),
                                expected_version=int(body["version"]))
    return {"memo": saved}


@endpoint()
def delete_memo(request: Request, body: dict[str, Any], coder: str) -> dict[str, Any]:
    _project(request).store.delete_memo(int(body["id"]), coder, int(body["version"]))
    return {"deleted": int(body["id"])}


@endpoint()
def update_code(request: Request, body: dict[str, Any], coder: str) -> dict[str, Any]:
    changes = body["changes"]
    if not isinstance(changes, dict):
        raise ValueError("changes")
    return {"code": _project(request).store.update_code(request.path_params["code"], changes, coder,
                                                        int(body["version"]))}


@endpoint()
def add_code(request: Request, body: dict[str, Any], coder: str) -> dict[str, Any]:
    return {"code": _project(request).store.add_code(str(body["id"]), str(body["name"]), str(body["theme"]), coder)}


@endpoint()
def add_example(request: Request, body: dict[str, Any], coder: str) -> dict[str, Any]:
    return {"code": _project(request).store.add_example(str(body["code"]), int(body["coding"]), coder)}


@endpoint()
def start_job(request: Request, body: dict[str, Any], coder: str) -> dict[str, Any]:
    return {"job": request.app.state.jobs.start(request.path_params["kind"], coder)}


@endpoint()
def job_status(request: Request, body: dict[str, Any], coder: str) -> dict[str, Any]:
    return {"job": request.app.state.jobs.status()}


ROUTES = [
    Route("/api/coder", set_coder, methods=["POST"]),
    Route("/api/status", status, methods=["GET"]),
    Route("/api/doc/{document:path}", document, methods=["GET"]),
    Route("/api/decide", decide, methods=["POST"]),
    Route("/api/code-span", code_span, methods=["POST"]),
    Route("/api/recode", recode, methods=["POST"]),
    Route("/api/resolve", resolve, methods=["POST"]),
    Route("/api/summary", summary, methods=["POST"]),
    Route("/api/summary", get_summary, methods=["GET"]),
    Route("/api/memo", memo, methods=["POST"]),
    Route("/api/memo/delete", delete_memo, methods=["POST"]),
    Route("/api/codes", add_code, methods=["POST"]),
    Route("/api/codes/{code:path}", update_code, methods=["POST"]),
    Route("/api/example", add_example, methods=["POST"]),
    Route("/api/jobs", job_status, methods=["GET"]),
    Route("/api/jobs/{kind}", start_job, methods=["POST"]),
]
