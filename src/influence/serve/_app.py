"""The FastAPI app of ``influence serve``: routes, error mapping and the security checks.

Imported only by :func:`influence.serve.create_app` (FastAPI is an optional extra).
Every route is a few lines over the library function the CLI command of the same
job calls; errors map to HTTP statuses in one place (:func:`_status_of`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import html
import json
import logging
import os
import re
import secrets
import threading
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Annotated, Any, Literal, ParamSpec, TypeVar

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from influence._printable import printable_json
from influence.analysis.models import DealReport, Grade, Signal
from influence.analysis.paths import IntroductionPath
from influence.analysis.portfolio import PortfolioReview
from influence.analysis.whatif import PathChange
from influence.errors import (
    DealFileError,
    DealLockError,
    InfluenceError,
    InterruptedWriteError,
    Problem,
    ReadOnlyFileError,
    UnknownPersonError,
)
from influence.model import Policy
from influence.serve import is_loopback
from influence.serve._files import DealFile, DealFiles, file_version

log = logging.getLogger("influence.serve")

COOKIE = "influence_token"
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_JSON = "application/json"
_P = ParamSpec("_P")
_T = TypeVar("_T")
_POOL: list[ThreadPoolExecutor] = []
_POOL_LOCK = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    """The one thread, for the whole process, that runs the library for every request.

    Requests take turns on it (a local server). It lives as long as the process:
    yaml-rs 0.1.6, the fast YAML reader, crashes the process (a null pointer) when
    the reading path runs on threads started and stopped one after another (a
    fresh thread per request or per app), while one long-lived thread is fine: this
    one reads with it (:func:`influence._yaml.use_native_on_this_thread`).
    """
    with _POOL_LOCK:
        if not _POOL:
            from influence._yaml import use_native_on_this_thread

            _POOL.append(
                ThreadPoolExecutor(
                    max_workers=1,
                    thread_name_prefix="influence-serve",
                    initializer=use_native_on_this_thread,
                )
            )
        return _POOL[0]


# -- request and response models (the OpenAPI document is made from them) ---------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProblemOut(BaseModel):
    """One located problem, as ``influence validate --json`` gives it."""

    file: str
    line: int
    column: int
    field: str
    message: str = Field(description="What was expected, with a did-you-mean where one is close.")
    severity: str
    text: str = Field(description="The line the CLI prints: FILE:LINE:COL: field: message.")


class ErrorOut(BaseModel):
    """Every error answer: a stable code, the message and the located problems."""

    code: str = Field(
        description="unauthorized, forbidden, bad-host, bad-origin, read-only, not-found, "
        "invalid-deal, invalid-edit, invalid-request, unknown-person, unknown-tie, "
        "stale-version, locked, read-only-file, interrupted-write, method-not-allowed, error"
    )
    message: str
    problems: list[ProblemOut] = []
    version: str | None = Field(None, description="With stale-version: the file's version now.")


class DealListed(BaseModel):
    """One served deal file in the list."""

    file: str = Field(description="The key in URLs: the path under the served folder.")
    path: str = Field(description="The file as found from the served path.")
    version: str = Field(description="SHA-256 (hex) of the file's bytes.")
    ok: bool
    id: str | None = None
    name: str | None = None
    people: int | None = None
    relationships: int | None = None
    errors: int
    warnings: int
    summary: str = Field(description="The line influence validate prints for the file.")


class DealList(BaseModel):
    """The served deal files, sorted by key."""

    deals: list[DealListed]


class VersionsOut(BaseModel):
    """The version of every served deal file, by key (no file is parsed: cheap to poll)."""

    versions: dict[str, str] = Field(description="Key: SHA-256 (hex) of the file's bytes.")


class DealOut(BaseModel):
    """A deal file's data, with the version an edit must carry."""

    file: str
    version: str = Field(description="SHA-256 (hex) of the file's bytes, as read.")
    deal: dict[str, Any] = Field(description="The deal as plain data in the file format.")
    warnings: list[ProblemOut]


class PathsOut(BaseModel):
    """``influence paths --json``, with the CLI's note on stderr as ``message``."""

    target: str
    paths: list[IntroductionPath]
    message: str | None = None


class WhatIfOut(BaseModel):
    """What changes if the assumptions held (``influence analyze --assume``'s ``what_if``).

    The data of ``WhatIf.to_data()``.
    """

    score_before: int = Field(ge=0, le=100)
    grade_before: Grade
    score_change: int = Field(description="The score under the assumptions minus the score now.")
    new_signals: list[Signal]
    resolved_signals: list[Signal]
    path_changes: list[PathChange]


class AnalyzeOut(DealReport):
    """``influence analyze --json`` (docs/analysis.md).

    With ``assume``: the report under the assumptions and what changed
    (``what_if``), as ``--assume`` prints it.
    """

    what_if: WhatIfOut | None = Field(
        default=None, description="Only with ?assume=: what changed under the assumptions."
    )


class UndoStep(BaseModel):
    """One edit of an undo, in the API's terms (``influence.serve.undo``)."""

    model_config = ConfigDict(populate_by_name=True)

    op: Literal["person-add", "person-set", "person-rm", "tie-add", "tie-set", "tie-rm"]
    person: str | None = Field(None, description="The person's id (person-*).")
    from_: str | None = Field(None, alias="from", description="The tie's start (tie-*).")
    to: str | None = Field(None, description="The tie's end (tie-*).")
    kind: str | None = Field(None, description="The tie's kind (tie-*).")
    fields: dict[str, Any] = Field(
        default_factory=dict,
        description="The fields to add (person-add, tie-add) or the changes to set (*-set).",
    )


class EditOut(BaseModel):
    """What an edit did, and the file's new version."""

    file: str
    version: str = Field(description="The file's version after the edit.")
    changes: list[str]
    warnings: list[ProblemOut]
    written: bool
    added: str | None = Field(
        None, description="The id of the person a person add added (the editor's undo removes it)."
    )
    undo: list[UndoStep] = Field(
        default_factory=list,
        description="The edits that undo this one, in order (the editor's undo runs them).",
    )
    undo_missing: list[str] = Field(
        default_factory=list,
        description="What the undo steps cannot put back, such as deal.owner or ann.refusals.",
    )


class PersonAdd(_Strict):
    """``influence person add``: the new person's fields (``name`` required)."""

    version: str = Field(description="The version the client read (GET the deal).")
    fields: dict[str, Any] = Field(
        description="name, id, title, side, roles, influence, stance, assessed, style, "
        "reports_to, notes",
        examples=[{"name": "Liu Yang", "title": "CTO", "roles": ["technical_buyer"]}],
    )


class Changes(_Strict):
    """``influence person set`` / ``tie set``: fields to set; null or "" removes one."""

    version: str = Field(description="The version the client read (GET the deal).")
    changes: dict[str, Any] = Field(examples=[{"stance": "ally", "assessed": "today"}])


class TieAdd(_Strict):
    """``influence tie add``."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    version: str = Field(description="The version the client read (GET the deal).")
    from_: str = Field(alias="from")
    to: str
    kind: str = "knows"
    fields: dict[str, Any] = Field(
        default_factory=dict,
        description="strength, context, last_contact, notes",
        examples=[{"strength": "strong", "last_contact": "today"}],
    )


# -- errors ------------------------------------------------------------------------------


class ApiError(Exception):
    """An answer other than 200, with its code and message."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        problems: list[Problem] | None = None,
        version: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.problems = problems or []
        self.version = version
        self.headers = headers


def _problem_out(p: Problem) -> dict[str, Any]:
    return {**p.to_data(), "text": str(p)}


def _error_body(err: ApiError) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": err.code,
        "message": err.message,
        "problems": [_problem_out(p) for p in err.problems],
    }
    if err.version is not None:
        body["version"] = err.version
    return body


def _error_response(err: ApiError) -> JSONResponse:
    return JSONResponse(_error_body(err), status_code=err.status, headers=err.headers)


def _status_of(err: InfluenceError) -> ApiError:
    """The one mapping from the library's errors to HTTP answers."""
    from influence.interop.edit import (
        EditConflictError,
        EditValueError,
        InvalidEditError,
        TieExistsError,
        UnknownTieError,
    )

    message = str(err)
    if isinstance(err, InvalidEditError):
        return ApiError(
            422,
            "invalid-edit",
            f"{err.path}: edit refused: the file would be invalid (lines as the edit would "
            "leave it); nothing was written",
            problems=err.problems,
        )
    if isinstance(err, DealFileError):
        return ApiError(422, "invalid-deal", message, problems=err.problems)
    if isinstance(err, UnknownPersonError):
        return ApiError(404, "unknown-person", message)
    if isinstance(err, UnknownTieError):
        return ApiError(404, "unknown-tie", message)
    if isinstance(err, EditConflictError):
        return ApiError(409, "stale-version", message)
    if isinstance(err, DealLockError):
        return ApiError(423, "locked", message, headers={"Retry-After": "1"})
    if isinstance(err, ReadOnlyFileError):
        return ApiError(403, "read-only-file", message)
    if isinstance(err, InterruptedWriteError):
        return ApiError(409, "interrupted-write", message)
    if isinstance(err, TieExistsError):
        return ApiError(422, "tie-exists", message)
    if isinstance(err, EditValueError):
        return ApiError(422, "invalid-request", message)
    return ApiError(422, "error", message)


_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": what}
    for status, what in {
        400: "A foreign Host header (DNS rebinding), or a body that is not JSON",
        401: "No token",
        403: "Wrong token, foreign Origin on a write, or read-only",
        404: "No such served deal file, person or tie",
        422: "Invalid deal file or edit: the located problems",
    }.items()
}
_HTTP_CODES = {400: "invalid-request", 404: "not-found", 405: "method-not-allowed"}
_EDIT_ERRORS: dict[int | str, dict[str, Any]] = {
    **_ERRORS,
    409: {"model": ErrorOut, "description": "The file changed since the version read"},
    423: {"model": ErrorOut, "description": "Another edit holds the file's lock"},
}


# -- the security checks -----------------------------------------------------------------


def _host_name(value: str) -> str:
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def _listens_everywhere(host: str) -> bool:
    return host.strip("[]") in ("0.0.0.0", "::", "")


def _log_refusal(request: Request, code: str, message: str) -> None:
    """One log line per refused request: who asked what, and why (never the token).

    The path is quoted as a Python literal, so a path of control characters cannot
    forge a line of the log or drive the terminal that shows it.
    """
    client = request.client.host if request.client else "?"
    log.warning(
        "refused %s %r from %s: %s (%s)", request.method, request.url.path, client, code, message
    )


class _Guard:
    """Host, token, Origin and read-only checks, in that order, before any route runs."""

    def __init__(self, *, tokens: list[str], host: str, cors: str | None, read_only: bool) -> None:
        self.tokens = [t.encode() for t in tokens]
        self.host = _host_name(host)
        self.any_host = _listens_everywhere(host)
        self.cors = cors.rstrip("/") if cors else None
        self.read_only = read_only

    def host_ok(self, header: str | None) -> bool:
        if not header:
            return False
        name = _host_name(header)
        return self.any_host or is_loopback(name) or name == self.host

    def token_of(self, request: Request) -> tuple[str | None, str]:
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:].strip(), "bearer"
        if "token" in request.query_params:
            return request.query_params["token"], "query"
        if COOKIE in request.cookies:
            return request.cookies[COOKIE], "cookie"
        return None, "none"

    def token_ok(self, token: str) -> bool:
        given = token.encode()
        # Each compared in constant time, and all of them: the time shows no match.
        return sum(secrets.compare_digest(given, t) for t in self.tokens) > 0

    def origin_ok(self, request: Request, via: str) -> bool:
        origin = request.headers.get("origin")
        if origin is None:
            # No Origin: not a browser's cross-site request, unless the browser says so.
            site = request.headers.get("sec-fetch-site")
            return via == "bearer" or site in (None, "same-origin", "none")
        own = f"{request.url.scheme}://{request.headers.get('host', '')}".lower()
        return origin.rstrip("/").lower() in {own, (self.cors or "").lower()}

    async def __call__(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        refused = self.refusal(request)
        if refused is not None:
            _log_refusal(request, refused.code, refused.message)
            return _error_response(refused)
        token, via = self.token_of(request)
        if via == "query" and request.method == "GET" and not request.url.path.startswith("/api/"):
            # The printed URL's token becomes a cookie; the address bar loses it.
            from urllib.parse import urlencode

            query = urlencode([kv for kv in request.query_params.multi_items() if kv[0] != "token"])
            response: Response = RedirectResponse(
                request.url.path + (f"?{query}" if query else ""), status_code=303
            )
        else:
            response = await call_next(request)
        if via == "query":
            response.set_cookie(
                COOKIE, token or "", httponly=True, samesite="strict", path="/", secure=False
            )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    def refusal(self, request: Request) -> ApiError | None:
        host = request.headers.get("host")
        if not self.host_ok(host):
            return ApiError(
                400,
                "bad-host",
                f"this server answers only to its own host name, not Host: {host!r}",
            )
        token, via = self.token_of(request)
        if token is None:
            return ApiError(
                401,
                "unauthorized",
                "a token is required: open the URL influence serve printed, or send "
                "Authorization: Bearer TOKEN",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if not self.token_ok(token):
            return ApiError(403, "forbidden", "wrong token")
        if request.method in WRITES:
            if not self.origin_ok(request, via):
                return ApiError(403, "bad-origin", "a write from another origin is refused")
            if self.read_only:
                return ApiError(403, "read-only", "this server is read-only (--read-only)")
        return None


# -- the app -----------------------------------------------------------------------------


class _Deals:
    """The served files and the functions every route shares."""

    def __init__(self, paths: list[str | os.PathLike[str]], policy: Policy | None) -> None:
        self.files = DealFiles(paths)
        self.policy = policy
        # Per file: the version, the day and what was made from those bytes on that day
        # (the day: a deal without as_of is analysed as of today). Only the library's
        # thread touches them; a new version or a new day replaces the entry.
        self._checked: dict[str, tuple[str, date, Any]] = {}
        self._reports: dict[str, tuple[str, date, str]] = {}

    def find(self, key: str) -> DealFile:
        found = self.files.find(key)
        if found is None:
            log.warning("refused %r: not a deal file served here", key)
            raise ApiError(404, "not-found", f"no deal file {key!r} is served here")
        return found

    def check(self, f: DealFile) -> tuple[str, Any]:
        """The version and check result of one file, the two read from the same bytes."""
        from influence.io import check_deal, read_bytes

        today = date.today()
        for _ in range(5):
            try:
                before = file_version(read_bytes(f.path))
            except DealFileError as err:
                raise ApiError(404, "not-found", str(err), problems=err.problems) from None
            hit = self._checked.get(f.path)
            if hit is not None and hit[:2] == (before, today):
                return before, hit[2]  # the same bytes: the same result, not read again
            result = check_deal(f.path)
            with contextlib.suppress(DealFileError):
                if file_version(read_bytes(f.path)) == before:
                    self._checked[f.path] = (before, today, result)
                    return before, result
        raise ApiError(423, "locked", f"{f.key} keeps changing; try again")

    def remember(self, f: DealFile, version: str, doc: Any, edited: Any) -> None:
        """Keep an edit's check of the text it wrote as the file's check, if that is on disk.

        The edit validated its new text with the reading path (``_check_text``, as
        :func:`influence.io.check_deal` does for the file), so the analysis that
        follows an edit need not read the file again. Kept only when ``version`` (the
        file's bytes after the write) is the version of exactly the bytes written.
        """
        from influence.io import CheckResult

        written = ("\ufeff" if doc.bom else "") + doc.text
        if file_version(written.encode("utf-8")) == version:
            result = CheckResult(f.path, edited.deal, list(edited.warnings))
            self._checked[f.path] = (version, date.today(), result)

    def report_json(self, f: DealFile, version: str, result: Any) -> str:
        """``influence analyze --json`` of a checked file, made once per version and day.

        As the response sends it (:func:`_json_text`): printable, with its final newline.
        """
        from influence._json import model_json
        from influence.analysis.report import analyze

        today = date.today()
        hit = self._reports.get(f.path)
        if hit is not None and hit[:2] == (version, today):
            return hit[2]
        text = _printable_text(model_json(analyze(result.deal, self.policy)))
        self._reports[f.path] = (version, today, text)
        return text

    def versions(self) -> dict[str, str]:
        """The version of each served file now, by key (a file removed meanwhile is left out)."""
        from influence.io import read_bytes

        out: dict[str, str] = {}
        for f in self.files.list():
            with contextlib.suppress(DealFileError):
                out[f.key] = file_version(read_bytes(f.path))
        return out

    def review(self, since: str | os.PathLike[str] | None) -> tuple[list[DealFile], Any]:
        """The review of the served files (``influence review``), compared with ``since``."""
        from influence.batch.review import review_run

        files = self.files.list()
        return files, review_run(
            [f.path for f in files], policy=self.policy, workers=1, since=since
        )

    def deal(self, key: str) -> tuple[DealFile, str, Any]:
        f = self.find(key)
        version, result = self.check(f)
        if not result.ok or result.deal is None:
            raise ApiError(
                422,
                "invalid-deal",
                str(DealFileError(f.path, result.errors)),
                problems=result.errors,
                version=version,
            )
        return f, version, result


def _printable_text(text: str) -> str:
    """JSON text as the CLI prints it (controls escaped, a final newline)."""
    return printable_json(text) + "\n"


def _json_text(text: str) -> Response:
    """A response of JSON text as the CLI prints it (see :func:`_printable_text`)."""
    return Response(_printable_text(text), media_type=_JSON)


def build_app(
    served: list[str | os.PathLike[str]],
    *,
    tokens: list[str],
    read_only: bool,
    policy: Policy | None,
    cors: str | None,
    host: str,
    lock_wait: float,
    since: str | os.PathLike[str] | None = None,
) -> FastAPI:
    """The app (see :func:`influence.serve.create_app`)."""
    from influence import __version__

    def offload(fn: Callable[_P, _T]) -> Callable[_P, Awaitable[_T]]:
        """The route ``fn`` (blocking) as a coroutine that runs it on the library's thread."""

        @functools.wraps(fn)
        async def run(*args: _P.args, **kwargs: _P.kwargs) -> _T:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(_pool(), functools.partial(fn, *args, **kwargs))

        return run

    app = FastAPI(
        title="influence",
        version=__version__,
        description=(
            "The deal files of a folder as a JSON API: the functions of the influence CLI. "
            "Every request needs the token (Authorization: Bearer TOKEN). Every edit "
            "carries the version the client read and gets 409 if the file changed since."
        ),
        openapi_url="/api/openapi.json",
        docs_url=None,  # Swagger UI and ReDoc load scripts from a CDN: not here
        redoc_url=None,
    )
    deals = _Deals(served, policy)
    guard = _Guard(tokens=tokens, host=host, cors=cors, read_only=read_only)
    app.state.deals = deals
    app.middleware("http")(guard)
    if cors:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=[cors.rstrip("/")],
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, err: ApiError) -> JSONResponse:
        return _error_response(err)

    @app.exception_handler(InfluenceError)
    async def _domain_error(request: Request, err: InfluenceError) -> JSONResponse:
        return _error_response(_status_of(err))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, err: StarletteHTTPException) -> JSONResponse:
        # No route (404), a method a path does not take (405), a body that is not JSON
        # (400): the same JSON error as every other answer, not the framework's own.
        code = _HTTP_CODES.get(err.status_code, "error")
        message = err.detail if isinstance(err.detail, str) else code
        _log_refusal(request, code, message)
        return _error_response(
            ApiError(err.status_code, code, message, headers=dict(err.headers or {}))
        )

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, err: RequestValidationError) -> JSONResponse:
        problems = [
            Problem("<request>", 0, 0, ".".join(str(x) for x in e.get("loc", ())), e["msg"])
            for e in err.errors()
        ]
        return _error_response(
            ApiError(422, "invalid-request", "the request is not valid", problems=problems)
        )

    @contextlib.contextmanager
    def editing(key: str, version: str) -> Iterator[tuple[DealFile, Any]]:
        """Lock the file, check the version, yield it open for the edit (see _edit)."""
        from influence.interop.edit import read_editable
        from influence.io import deal_lock

        f = deals.find(key)
        with deal_lock(f.path, wait=lock_wait):
            doc = read_editable(f.path)
            if doc.digest != version:
                raise ApiError(
                    409,
                    "stale-version",
                    f"{f.key} changed since version {version[:12]} was read; nothing was "
                    "written. Read the deal again and redo the edit on the new version.",
                    version=doc.digest,
                )
            yield f, doc

    def edit(
        key: str, version: str, change: Callable[[Any], object], *, added: bool = False
    ) -> EditOut:
        from influence.interop.edit import write_editable
        from influence.io import read_bytes
        from influence.serve.undo import snapshot, undo_steps

        with editing(key, version) as (f, doc):
            before = snapshot(doc)
            done = change(doc)
            undo = undo_steps(before, snapshot(doc))
            result = write_editable(doc, wait=lock_wait)
            now = file_version(read_bytes(f.path))
        if result.written:
            deals.remember(f, now, doc, result)
        return EditOut(
            file=f.key,
            version=now,
            changes=result.changes,
            warnings=[ProblemOut(**_problem_out(p)) for p in result.warnings],
            written=result.written,
            added=str(done) if added else None,
            undo=[UndoStep(**step) for step in undo.steps] if result.written else [],
            undo_missing=undo.missing if result.written else [],
        )

    # -- pages

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    @offload
    def index() -> HTMLResponse:
        return _index_page(deals)

    @app.get("/review", response_class=HTMLResponse, include_in_schema=False)
    @offload
    def dashboard() -> HTMLResponse:
        from urllib.parse import quote

        from influence.render.review import to_review_html
        from influence.serve.dashboard import dashboard_page

        versions = deals.versions()  # before the review: a later change reloads the page
        files, run = deals.review(since)
        maps = {f.path: "/deals/" + quote(f.key) for f in files}
        page = dashboard_page(to_review_html(run.result, maps=maps), versions)
        return HTMLResponse(page, headers={"Content-Security-Policy": _page_csp(page)})

    @app.get("/deals/{file:path}", response_class=HTMLResponse, include_in_schema=False)
    @offload
    def map_page(file: str) -> HTMLResponse:
        from influence.render.html import to_html

        f = deals.find(file)
        _, result = deals.check(f)
        if not result.ok or result.deal is None:
            return _problems_page(f, result.errors)
        from influence.serve.editor import editor_page

        page = editor_page(to_html(result.deal, policy=deals.policy), f.key, read_only=read_only)
        return HTMLResponse(page, headers={"Content-Security-Policy": _page_csp(page)})

    # -- reads

    @app.get("/api/deals", response_model=DealList, responses=_ERRORS, tags=["deals"])
    @offload
    def list_deals() -> DealList:
        """List the served deal files, each with its version and whether it is valid."""
        out = []
        for f in deals.files.list():
            try:
                version, result = deals.check(f)
            except ApiError:
                continue  # removed meanwhile
            d = result.deal if result.ok else None
            out.append(
                DealListed(
                    file=f.key,
                    path=f.path,
                    version=version,
                    ok=result.ok,
                    id=d.id if d else None,
                    name=d.deal.name if d else None,
                    people=len(d.people) if d else None,
                    relationships=len(d.relationships) if d else None,
                    errors=len(result.errors),
                    warnings=len(result.warnings),
                    summary=result.summary(),
                )
            )
        return DealList(deals=out)

    @app.get(
        "/api/review",
        response_model=PortfolioReview,
        responses={200: {"description": "influence review --json"}, **_ERRORS},
        tags=["deals"],
    )
    @offload
    def review() -> Response:
        """Review the served folder: every deal ranked by risk (``influence review --json``)."""
        from influence.batch.review import iter_review_json

        _, run = deals.review(since)
        return Response("".join(iter_review_json(run)), media_type=_JSON)

    @app.get("/api/versions", response_model=VersionsOut, responses=_ERRORS, tags=["deals"])
    @offload
    def versions() -> VersionsOut:
        """The version of every served file: ask it often to see a change (the dashboard does)."""
        return VersionsOut(versions=deals.versions())

    @app.get(
        "/api/deals/{file:path}/analyze",
        response_model=AnalyzeOut,
        responses={200: {"description": "influence analyze --json (docs/analysis.md)"}, **_ERRORS},
        tags=["analysis"],
    )
    @offload
    def analyze(
        file: str,
        assume: Annotated[
            list[str] | None,
            Query(description="What-if, repeatable: ID=STANCE, A~B=strong (as --assume)."),
        ] = None,
    ) -> Response:
        """Analyse a deal: the report JSON, byte for byte ``influence analyze --json``."""
        f, version, result = deals.deal(file)
        if not assume:
            return Response(deals.report_json(f, version, result), media_type=_JSON)
        from influence.analysis.whatif import what_if

        whatif = what_if(result.deal, list(assume), deals.policy)
        data = whatif.after.model_dump(mode="json")
        data["what_if"] = whatif.to_data()
        return _json_text(json.dumps(data, indent=2, ensure_ascii=False))

    @app.get(
        "/api/deals/{file:path}/what-if",
        response_model=WhatIfOut,
        responses={200: {"description": "The what_if key of analyze --assume --json"}, **_ERRORS},
        tags=["analysis"],
    )
    @offload
    def what_if_(
        file: str,
        assume: Annotated[
            list[str], Query(description="Repeatable: ID=STANCE, ID.influence=high, A~B=strong.")
        ],
    ) -> Response:
        """What changes if the assumptions held (``WhatIf.to_data()``)."""
        from influence.analysis.whatif import what_if

        _, _, result = deals.deal(file)
        data = what_if(result.deal, list(assume), deals.policy).to_data()
        return _json_text(json.dumps(data, indent=2, ensure_ascii=False))

    @app.get(
        "/api/deals/{file:path}/paths/{target}",
        response_model=PathsOut,
        responses=_ERRORS,
        tags=["analysis"],
    )
    @offload
    def paths(
        file: str,
        target: str,
        source: Annotated[list[str] | None, Query(alias="from")] = None,
        k: Annotated[int | None, Query(ge=1, le=100)] = None,
        max_hops: Annotated[int | None, Query(ge=1, le=20)] = None,
        allow_blockers: bool = False,
    ) -> PathsOut:
        """The warmest introduction paths to one person (``influence paths --json``)."""
        from influence.analysis.paths import introduction_paths, path_options, paths_message

        _, _, result = deals.deal(file)
        deal = result.deal
        options = path_options(
            deal.effective_policy(deals.policy),
            k=k,
            max_hops=max_hops,
            allow_blockers=allow_blockers,
        )
        hops, avoid = options.max_hops, options.avoid_blockers
        found = introduction_paths(
            deal,
            target,
            k=options.k,
            max_hops=hops,
            avoid_blockers=avoid,
            sources=source or None,
            policy=deals.policy,
        )
        return PathsOut(
            target=target,
            paths=found,
            message=paths_message(found, target, hops, avoid_blockers=avoid) or None,
        )

    # -- edits (before the plain GET of a deal: its path would take theirs)

    @app.post(
        "/api/deals/{file:path}/people",
        response_model=EditOut,
        responses=_EDIT_ERRORS,
        tags=["edits"],
    )
    @offload
    def person_add(file: str, body: PersonAdd) -> EditOut:
        """Add a person (``influence person add``), at the end of people:, bytes kept."""
        return edit(file, body.version, lambda doc: doc.add_person(body.fields), added=True)

    @app.patch(
        "/api/deals/{file:path}/people/{person_id}",
        response_model=EditOut,
        responses=_EDIT_ERRORS,
        tags=["edits"],
    )
    @offload
    def person_set(file: str, person_id: str, body: Changes) -> EditOut:
        """Change a person's fields (``influence person set``); null or "" removes one."""
        return edit(file, body.version, lambda doc: doc.set_person(person_id, body.changes))

    @app.delete(
        "/api/deals/{file:path}/people/{person_id}",
        response_model=EditOut,
        responses=_EDIT_ERRORS,
        tags=["edits"],
    )
    @offload
    def person_rm(
        file: str,
        person_id: str,
        version: Annotated[str, Query(description="The version the client read.")],
        cascade: bool = False,
    ) -> EditOut:
        """Remove a person (``influence person rm``); refused while ties refer to them."""
        return edit(file, version, lambda doc: doc.remove_person(person_id, cascade=cascade))

    @app.post(
        "/api/deals/{file:path}/ties",
        response_model=EditOut,
        responses=_EDIT_ERRORS,
        tags=["edits"],
    )
    @offload
    def tie_add(file: str, body: TieAdd) -> EditOut:
        """Add a tie (``influence tie add``), at the end of relationships:."""
        return edit(
            file,
            body.version,
            lambda doc: doc.add_tie(body.from_, body.to, kind=body.kind, **body.fields),
        )

    @app.patch(
        "/api/deals/{file:path}/ties/{from_id}/{to_id}",
        response_model=EditOut,
        responses=_EDIT_ERRORS,
        tags=["edits"],
    )
    @offload
    def tie_set(file: str, from_id: str, to_id: str, body: Changes, kind: str = "knows") -> EditOut:
        """Change a tie (``influence tie set``), found by its ends and kind."""
        return edit(
            file, body.version, lambda doc: doc.set_tie(from_id, to_id, body.changes, kind=kind)
        )

    @app.delete(
        "/api/deals/{file:path}/ties/{from_id}/{to_id}",
        response_model=EditOut,
        responses=_EDIT_ERRORS,
        tags=["edits"],
    )
    @offload
    def tie_rm(
        file: str,
        from_id: str,
        to_id: str,
        version: Annotated[str, Query(description="The version the client read.")],
        kind: str = "knows",
    ) -> EditOut:
        """Remove a tie (``influence tie rm``)."""
        return edit(file, version, lambda doc: doc.remove_tie(from_id, to_id, kind=kind))

    @app.get("/api/deals/{file:path}", response_model=DealOut, responses=_ERRORS, tags=["deals"])
    @offload
    def read(file: str) -> DealOut:
        """Read one deal file: its data as JSON and its version (for edits)."""
        from influence.io import to_data

        f, version, result = deals.deal(file)
        return DealOut(
            file=f.key,
            version=version,
            deal=to_data(result.deal),
            warnings=[ProblemOut(**_problem_out(p)) for p in result.warnings],
        )

    return app


# -- pages -------------------------------------------------------------------------------

_PAGE_CSS = (
    "body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem}"
    "table{border-collapse:collapse}td,th{padding:.25rem .75rem;text-align:left;"
    "border-bottom:1px solid #ddd}.bad{color:#b00}"
)


def _page(title: str, body: str) -> HTMLResponse:
    from influence.render._page import content_security_policy, csp_hash

    csp = content_security_policy(script_src="'none'", style_src=csp_hash(_PAGE_CSS))
    text = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_PAGE_CSS}</style>\n</head>\n"
        f"<body>\n{body}</body>\n</html>\n"
    )
    return HTMLResponse(text, headers={"Content-Security-Policy": csp})


def _index_page(deals: _Deals) -> HTMLResponse:
    from urllib.parse import quote

    rows = []
    for f in deals.files.list():
        try:
            _, result = deals.check(f)
        except ApiError:
            continue
        if result.ok and result.deal is not None:
            d = result.deal
            what = f"{len(d.people)} people, {len(d.relationships)} relationships"
            name = d.deal.name
        else:
            what = f'<span class="bad">{len(result.errors)} errors</span>'
            name = f.key
        rows.append(
            f'<tr><td><a href="/deals/{html.escape(quote(f.key))}">{html.escape(name)}</a></td>'
            f"<td>{html.escape(f.key)}</td><td>{what}</td></tr>\n"
        )
    body = (
        '<h1>Deals</h1>\n<p><a href="/review">Pipeline review</a>: the deals ranked by risk, '
        "live</p>\n<table>\n"
        "<tr><th>deal</th><th>file</th><th></th></tr>\n"
        + "".join(rows)
        + "</table>\n"
        + ("" if rows else "<p>No deal files (.yaml, .yml, .json) here.</p>\n")
        + '<p>The JSON API: <a href="/api/openapi.json">/api/openapi.json</a></p>\n'
    )
    return _page("influence: deals", body)


def _problems_page(f: DealFile, problems: list[Problem]) -> HTMLResponse:
    items = "".join(f"<li><code>{html.escape(str(p))}</code></li>\n" for p in problems)
    page = _page(
        f"{f.key}: invalid",
        f"<h1>{html.escape(f.key)} is not a valid deal</h1>\n<ul>\n{items}</ul>\n",
    )
    page.status_code = 422
    return page


_META_CSP = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')


def _page_csp(page: str) -> str:
    """The map page's own CSP (its meta tag), sent as a header too, framing forbidden."""
    match = _META_CSP.search(page)
    policy = match.group(1) if match else "default-src 'none'"
    return html.unescape(policy) + "; frame-ancestors 'none'"


__all__ = ["ApiError", "build_app"]
