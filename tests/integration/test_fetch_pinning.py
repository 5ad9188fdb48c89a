"""DNS rebinding: the fetcher connects to the address it resolved and checked, never to a second answer.

We cannot run real DNS here, so a resolver double stands in for `socket.getaddrinfo` (the one lookup the fetcher
and the socket layer both use): for `rebind.test` it answers one address first and another one after, as a
rebinding name's DNS server does. Every other name resolves as usual.
"""

import dataclasses
import socket
from collections.abc import Callable, Iterator
from http.server import ThreadingHTTPServer
from threading import Thread

import pytest

from tests.local_http import QuietHandler
from tests.webserver import WebServer, web_server_fixture  # noqa: F401
from tinyeclipse.ingestion.documents import TransientFetchError
from tinyeclipse.ingestion.fetch import FetchLimits, fetch

HOST = "rebind.test"
HTML = ("text/html",)
LIMITS = FetchLimits(timeout=0.5, max_bytes=100_000, max_redirects=3, user_agent="test", allow_private=False)


class RebindingDNS:
    """Answers `first` for HOST once, then `later` for ever; counts HOST's lookups."""

    def __init__(self, real: Callable, first: str, later: str) -> None:
        self._real = real
        self._answers = iter([first])
        self._later = later
        self.lookups = 0

    def __call__(self, host: object, port: object, *args: object, **kwargs: object) -> list:
        if host != HOST:
            return self._real(host, port, *args, **kwargs)
        self.lookups += 1
        address = next(self._answers, self._later)
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, int(port)))]


@pytest.fixture
def rebinding(monkeypatch: pytest.MonkeyPatch) -> Callable[[str, str], RebindingDNS]:
    def install(first: str, later: str) -> RebindingDNS:
        dns = RebindingDNS(socket.getaddrinfo, first, later)
        monkeypatch.setattr(socket, "getaddrinfo", dns)
        return dns

    return install


@pytest.fixture
def internal(web_server: WebServer) -> Iterator[list[str]]:
    """A second server on the same port at 127.0.0.2: what the rebound name points to. Yields its request paths."""
    hits: list[str] = []

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send(200, {"Content-Type": "text/html"}, b"<p>internal secrets</p>")

    port = int(web_server.base_url.rsplit(":", 1)[1])
    server = ThreadingHTTPServer(("127.0.0.2", port), Handler)
    Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    yield hits
    server.shutdown()
    server.server_close()


def test_the_connection_goes_to_the_address_that_was_resolved_and_checked(
    web_server: WebServer, internal: list[str], rebinding: Callable[[str, str], RebindingDNS]
) -> None:
    # Private addresses allowed, so that the checked address can be a local server: the test is where we connect.
    dns = rebinding("127.0.0.1", "127.0.0.2")
    web_server.route("/page", "<p>the checked site</p>")
    port = web_server.base_url.rsplit(":", 1)[1]

    fetched = fetch(f"http://{HOST}:{port}/page", dataclasses.replace(LIMITS, allow_private=True), accept=HTML)

    assert fetched.body == b"<p>the checked site</p>"
    assert internal == []
    assert dns.lookups == 1
    assert web_server.request_headers[0]["Host"] == f"{HOST}:{port}", "the request still names the host"


def test_a_name_that_rebinds_to_a_private_address_never_reaches_it(
    web_server: WebServer, rebinding: Callable[[str, str], RebindingDNS]
) -> None:
    # The first answer passes the check (a global address, unreachable from here); the second is the local server.
    dns = rebinding("192.88.99.1", "127.0.0.1")
    web_server.route("/admin", "<p>internal secrets</p>")
    port = web_server.base_url.rsplit(":", 1)[1]

    with pytest.raises(TransientFetchError, match=r"Could not fetch|Timed out"):
        fetch(f"http://{HOST}:{port}/admin", LIMITS, accept=HTML)

    assert web_server.hits == []
    assert dns.lookups == 1
