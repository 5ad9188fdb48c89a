"""A small local HTTP server for tests: fixed routes on 127.0.0.1, and a record of what was requested.

Use the `web_server` fixture (`from tests.webserver import web_server_fixture  # noqa: F401` in the test module),
or `with WebServer() as server:` for more servers; a WebServer serves from its creation until close().
"""

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

from tests.local_http import LocalHTTPServer, QuietHandler


@dataclass(frozen=True)
class Route:
    body: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering
    content_length: bool = True  # False: no Content-Length, the body ends when the connection closes


_NOT_FOUND = Route(b"Not found", 404, {"Content-Type": "text/plain"})


class WebServer(LocalHTTPServer):
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[str] = []  # request paths (with query), in order
        self.request_headers: list[dict[str, str]] = []  # one per hit
        super().__init__(_handler_for(self))

    def url(self, path: str) -> str:
        return self.base_url + path

    def route(
        self,
        path: str,
        body: bytes | str,
        *,
        content_type: str | None = "text/html; charset=utf-8",
        status: int = 200,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        content_length: bool = True,
    ) -> None:
        """Answers GET `path` (exactly, or else whatever the query) with `body`; None as `content_type` sends none."""
        all_headers = {"Content-Type": content_type} if content_type else {}
        all_headers.update(headers or {})
        data = body.encode() if isinstance(body, str) else body
        self.routes[path] = Route(data, status, all_headers, delay, content_length)

    def redirect(self, path: str, to: str, status: int = 302) -> None:
        self.route(path, b"", content_type=None, status=status, headers={"Location": to})


def _handler_for(server: WebServer) -> type[QuietHandler]:
    class Handler(QuietHandler):
        def do_GET(self) -> None:
            server.hits.append(self.path)
            server.request_headers.append(dict(self.headers.items()))
            route = server.routes.get(self.path) or server.routes.get(urlsplit(self.path).path) or _NOT_FOUND
            time.sleep(route.delay)
            self.send(route.status, route.headers, route.body, content_length=route.content_length)

    return Handler


# Named apart from the fixture, so that importing it does not shadow the test functions' `web_server` argument.
@pytest.fixture(name="web_server")
def web_server_fixture() -> Iterator[WebServer]:
    with WebServer() as server:
        yield server
