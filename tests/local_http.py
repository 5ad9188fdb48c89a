"""What the tests' local HTTP servers share: serving on 127.0.0.1 in a daemon thread, and quiet handlers."""

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread
from typing import Self


class LocalHTTPServer:
    """Serves `handler` on a free loopback port from creation until close(); a context manager."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        # A short poll interval: shutdown() waits for the loop to notice, once per test.
        Thread(target=self._server.serve_forever, args=(0.02,), daemon=True).start()
        host, port = self._server.server_address[:2]
        self.base_url = f"http://{host}:{port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class QuietHandler(BaseHTTPRequestHandler):
    def send(self, status: int, headers: dict[str, str], body: bytes, *, content_length: bool = True) -> None:
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if content_length:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first, as in a timeout test

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass
