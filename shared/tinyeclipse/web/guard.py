"""The request guard in front of every app: body size limits, UTF-8 bodies, no NUL characters in text.

PostgreSQL text and jsonb cannot hold NUL (U+0000), and UTF-8 cannot hold a lone surrogate (JSON's
"\\ud800"): such a string reaching the database is a 500. Every route takes JSON or a query string, so
they are refused here, once for all apps, as a 422 `invalid_request`. Multipart form fields (the admin's
PDF upload) are checked where they are parsed (`tinyeclipse.web.bodies`).

Bodies are limited twice: a `Content-Length` over the limit is refused before anything is read, and a
streamed body is counted as it arrives, so a 100 MB POST never lands in memory.
"""

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tinyeclipse.errors import InvalidInput, TooLarge
from tinyeclipse.web.problems import problem

NUL_DETAIL = "Text may not contain the NUL character (U+0000)."
NOT_UTF8_DETAIL = "The request body is not valid UTF-8."
SURROGATE_DETAIL = "Text may not contain a lone UTF-16 surrogate (U+D800..U+DFFF)."
# A NUL or surrogate escape in JSON text; confirmed by parsing, since "\\u0000" is a backslash and "u0000".
_SUSPICIOUS_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")
_STREAMED_TYPES = ("multipart/form-data",)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def text_problem(text: str) -> str | None:
    """Why `text` cannot be stored, or None if it can."""
    if "\x00" in text:
        return NUL_DETAIL
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return SURROGATE_DETAIL
    return None


def _json_problem(body: bytes) -> str | None:
    if not _SUSPICIOUS_ESCAPE.search(body):
        return None
    try:
        document = json.loads(body)
    except ValueError:
        return None  # not JSON: the route's own parsing answers that
    return next((found for text in _strings(document) if (found := text_problem(text))), None)


def body_problem(body: bytes) -> str | None:
    """Why a (non-multipart) request body cannot be accepted, or None."""
    if b"\x00" in body:
        # Raw NUL bytes are no valid UTF-8 JSON (nor a urlencoded form), whatever the route expects.
        return NUL_DETAIL
    if b"%00" in body and b"\x00" in unquote_to_bytes(body):
        return NUL_DETAIL
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        # JSON and forms are UTF-8; FastAPI would answer this with a bare 400.
        return NOT_UTF8_DETAIL
    return _json_problem(body)


def query_problem(scope: Scope) -> str | None:
    if "\x00" in scope["path"]:
        return NUL_DETAIL
    query: bytes = scope.get("query_string", b"")
    if b"%00" in query and b"\x00" in unquote_to_bytes(query.replace(b"+", b" ")):
        return NUL_DETAIL
    return None


def _header(scope: Scope, name: bytes) -> str | None:
    return next((value.decode("latin-1") for key, value in scope["headers"] if key == name), None)


def _too_large_detail(limit: int) -> str:
    return f"The request body is larger than this route accepts ({limit} bytes)."


def _routed(scope: Scope) -> bool:
    """Whether one of the app's routes serves this method at this path."""
    router = getattr(scope.get("app"), "router", None)
    if router is None:
        return True
    return any(route.matches(scope)[0] is Match.FULL for route in router.routes)


class RequestGuard:
    """Refuses bodies over `max_body_bytes` (413) and NUL characters in the query or body (422)."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _routed(scope):
            # Routing answers 404 or 405 (a PUT where only POST is served) without reading the request.
            await self.app(scope, receive, send)
            return
        if found := query_problem(scope):
            await self._refuse(scope, receive, send, 422, "invalid_request", found)
            return
        length = _header(scope, b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
            await self._refuse(scope, receive, send, 413, "payload_too_large", _too_large_detail(self.max_body_bytes))
            return
        content_type = (_header(scope, b"content-type") or "").lower()
        if content_type.startswith(_STREAMED_TYPES):
            await self.app(scope, self._counting(receive), send)
            return
        body = await self._read(receive)
        if body is None:
            await self._refuse(scope, receive, send, 413, "payload_too_large", _too_large_detail(self.max_body_bytes))
        elif found := body_problem(body):
            await self._refuse(scope, receive, send, 422, "invalid_request", found)
        else:
            await self.app(scope, _replay(body, receive), send)

    async def _read(self, receive: Receive) -> bytes | None:
        """The whole body, or None as soon as it passes the limit (the rest is never read)."""
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    def _counting(self, receive: Receive) -> Receive:
        size = 0

        async def counted() -> Message:
            nonlocal size
            message = await receive()
            size += len(message.get("body", b""))
            if size > self.max_body_bytes:
                # Raised inside the route's own read (a form parse): the problem handlers answer 413.
                raise TooLarge(_too_large_detail(self.max_body_bytes))
            return message

        return counted

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, code: str, detail: str) -> None:
        await problem(status, code, detail)(scope, receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        # After the body, only a disconnect is left to wait for (StreamingResponse listens for it).
        return await receive()

    return replayed


def require_text(field: str, value: str) -> str:
    """`value` as it is, or InvalidInput if the database could not store it."""
    if found := text_problem(value):
        raise InvalidInput(f"{field}: {found}")
    return value
