"""Every error leaves as a problem response: `{"code": ..., "detail": ...}` with a stable code."""

import logging
import traceback
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tinyeclipse import errors
from tinyeclipse.ratelimit.limiter import RateLimited

logger = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"

STATUS_BY_KIND: dict[type[errors.AppError], int] = {
    errors.InvalidInput: 422,
    errors.Unauthorized: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.TooLarge: 413,
    RateLimited: 429,
    errors.Unavailable: 503,
}

CODE_BY_HTTP_STATUS = {
    400: "invalid_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def problem(status: int, code: str, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    return JSONResponse(
        {"code": code, "detail": detail, **extra},
        status_code=status,
        headers=headers,
        media_type=PROBLEM_MEDIA_TYPE,
    )


def status_for(error: errors.AppError) -> int:
    for kind in type(error).__mro__:
        if kind in STATUS_BY_KIND:
            return STATUS_BY_KIND[kind]
    return 400


def _describe(error: dict[str, Any]) -> dict[str, Any]:
    location = [str(part) for part in error.get("loc", ())]
    if len(location) > 1 and location[0] == "body":
        location = location[1:]
    return {"field": ".".join(location) or "body", "message": error.get("msg", "invalid")}


def _headers_for(error: errors.AppError) -> dict[str, str] | None:
    if isinstance(error, errors.Unauthorized):
        return {"WWW-Authenticate": "Bearer"}
    # A rate limit, or a database that is away for a moment: when to try again.
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        return {"Retry-After": str(retry_after)}
    return None


async def _on_app_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.AppError)
    return problem(status_for(exc), exc.code, exc.detail, headers=_headers_for(exc))


async def _on_validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [_describe(error) for error in exc.errors()]
    if any(error.get("type") == "json_invalid" for error in exc.errors()):
        detail = "The request body is not valid JSON."
    else:
        first = problems[0] if problems else {"field": "body", "message": "invalid"}
        detail = f"{first['field']}: {first['message']}"
    return problem(422, "invalid_request", detail, errors=problems)


HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (Starlette's 405 names only the first route's)."""
    routes = request.app.router.routes
    methods = {
        method
        for method in HTTP_METHODS
        if any(route.matches({**request.scope, "method": method})[0] == Match.FULL for route in routes)
    }
    return [*(method for method in HTTP_METHODS if method in methods), "OPTIONS"] if methods else []


async def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    headers = exc.headers
    if exc.status_code == 405:
        allow = ", ".join(allowed_methods(request))
        if request.method == "OPTIONS":
            # OPTIONS is a question about the path, not a wrong method.
            return Response(status_code=204, headers={"Allow": allow})
        headers = {**(headers or {}), "Allow": allow}
    code = CODE_BY_HTTP_STATUS.get(exc.status_code, "http_error")
    return problem(exc.status_code, code, str(exc.detail), headers=headers)


INTERNAL_ERROR_DETAIL = "Something went wrong on our side; it has been logged."
OWN_FRAMES = 4
_OWN_CODE = ("/tinyeclipse/", "/functions/")


def short_trace(exc: BaseException) -> list[str]:
    """Our innermost frames and the frame that raised: where it happened, in a few lines."""
    frames = traceback.extract_tb(exc.__traceback__)
    own = [frame for frame in frames if any(part in frame.filename for part in _OWN_CODE)][-OWN_FRAMES:]
    if frames and (not own or own[-1] is not frames[-1]):
        own.append(frames[-1])
    return [f"{frame.filename.rsplit('/', 2)[-1]}:{frame.lineno} {frame.name}" for frame in own]


def log_unexpected(method: str, path: str, exc: BaseException) -> None:
    """One structured line: the exception's type, its SQLSTATE if any, and a short trace.

    Not its message (it may quote a visitor's text or a secret), nor the whole chained traceback."""
    logger.error(
        "unhandled error on %s %s",
        method,
        path,
        extra={
            "error_type": f"{type(exc).__module__}.{type(exc).__qualname__}",
            "sqlstate": getattr(exc, "sqlstate", None),
            "trace": short_trace(exc),
        },
    )


async def _on_unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    # Reached only for errors outside CatchUnexpected (in an outer middleware); Starlette then re-raises.
    log_unexpected(request.method, request.url.path, exc)
    return problem(500, "internal_error", INTERNAL_ERROR_DETAIL)


class CatchUnexpected:
    """Answers an unexpected error with a 500 problem and does not re-raise it.

    Starlette's ServerErrorMiddleware re-raises after its 500, and uvicorn then closes the keep-alive
    connection; Caddy, which reuses its upstream connections, failed the next request sent on it with a
    502. Handled here, the 500 is an ordinary response and the connection stays usable.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:
            log_unexpected(scope["method"], scope["path"], exc)
            if started:
                raise  # half a response is out: only closing the connection can tell the client
            await problem(500, "internal_error", INTERNAL_ERROR_DETAIL)(scope, receive, send)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(errors.AppError, _on_app_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_unexpected_error)
    app.add_middleware(CatchUnexpected)
