"""A small local HTTP server for tests: fixed routes on 127.0.0.1, and a record of what was requested.

Use the `web_server` fixture (`from tests.webserver import web_server_fixture  # noqa: F401` in the test module),
or `with WebServer() as server:` for more servers; a WebServer serves from its creation until close().
"""

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest


@dataclass(frozen=True)
class Route:
    body: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering
    content_length: bool = True  # False: no Content-Length, the body ends when the connection closes


_NOT_FOUND = Route(b"Not found", 404, {"Content-Type": "text/plain"})


class WebServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[str] = []  # request paths (with query), in order
        self.request_headers: list[dict[str, str]] = []  # one per hit
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        # A short poll interval: shutdown() waits for the loop to notice, once per test.
        threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True).start()
        host, port = self._server.server_address[:2]
        self.base_url = f"http://{host}:{port}"

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

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "WebServer":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _handler_for(server: WebServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            server.hits.append(self.path)
            server.request_headers.append(dict(self.headers.items()))
            route = server.routes.get(self.path) or server.routes.get(urlsplit(self.path).path) or _NOT_FOUND
            time.sleep(route.delay)
            try:
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                if route.content_length:
                    self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up first, as in a timeout test

        def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
            pass

    return Handler


# Named apart from the fixture, so that importing it does not shadow the test functions' `web_server` argument.
@pytest.fixture(name="web_server")
def web_server_fixture() -> Iterator[WebServer]:
    with WebServer() as server:
        yield server


web_server = web_server_fixture  # the same fixture under its own name, for modules that import it so
