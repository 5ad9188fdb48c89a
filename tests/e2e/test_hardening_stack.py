"""Bad input against the real stack (`make up`'s runner: Caddy, the four functions, Postgres): the NUL chat
message that was a 500 is a 422 and the next POST on the same connection is answered; a big chat body is
Caddy's 413 problem; the access logs keep session ids and stray keys out; the logs are private."""

import json
import signal
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.stack import Stack


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = Stack(Path(tmp_path_factory.mktemp("hardening-e2e")), LLM_PROVIDER="extractive")
    stack.start()
    yield stack
    assert stack.stop(signal.SIGINT) == 0


@pytest.fixture(scope="module")
def tenant(stack: Stack) -> str:
    headers = {"Authorization": f"Bearer {stack.admin_key}"}
    body = {"name": "Hardening Hosting", "whmcs_client_id": 990001}
    tenant_id = httpx.post(f"{stack.base}/api/admin/tenants", json=body, headers=headers, timeout=30).json()["id"]
    consent = {"tenant_id": tenant_id, "session_id": "hardening", "accepted": True, "terms_version": "1"}
    assert httpx.post(f"{stack.base}/api/consent", json=consent, timeout=30).status_code == 201
    return tenant_id


def test_a_nul_in_a_chat_message_is_a_422_and_the_connection_keeps_serving(stack: Stack, tenant: str) -> None:
    with httpx.Client(base_url=stack.base, timeout=60) as client:
        for turn in range(5):
            nul = json.dumps({"tenant_id": tenant, "session_id": "hardening", "message": f"hello\x00 {turn}"})
            refused = client.post("/api/chat", content=nul, headers={"Content-Type": "application/json"})
            assert refused.status_code == 422, refused.text
            assert refused.headers["content-type"] == "application/problem+json"
            answered = client.post("/api/chat", json={"tenant_id": tenant, "session_id": "hardening", "message": "hi"})
            assert answered.status_code == 200, answered.text


def test_a_big_chat_body_is_a_413_problem(stack: Stack) -> None:
    host, port = "127.0.0.1", stack.http_port
    size = 8 * 1024 * 1024
    with socket.create_connection((host, port), timeout=30) as sock:
        sock.sendall(f"POST /api/chat HTTP/1.1\r\nHost: {host}\r\nContent-Length: {size}\r\n\r\n".encode())
        # Only the first megabyte: whoever answers first (Caddy past 128 KiB, or the function by the length it
        # was told) answers before the rest is sent.
        sock.sendall(b"x" * (1024 * 1024))
        answer = b""
        while b"\r\n\r\n" not in answer or len(answer.partition(b"\r\n\r\n")[2]) < _length(answer):
            chunk = sock.recv(65536)
            assert chunk, answer
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413")
    assert b"content-type: application/problem+json" in head.lower()
    assert json.loads(body[: _length(answer)])["code"] == "payload_too_large"


def _length(answer: bytes) -> int:
    head = answer.partition(b"\r\n\r\n")[0].decode().lower()
    return next((int(line.split(":", 1)[1]) for line in head.split("\r\n") if line.startswith("content-length:")), 1)


def test_access_logs_hold_no_query_strings_and_logs_are_private(stack: Stack, tenant: str) -> None:
    secret = "s3cret-session-4711"
    httpx.get(f"{stack.base}/api/consent/check", params={"tenant_id": tenant, "session_id": secret}, timeout=30)
    httpx.get(f"{stack.base}/api/admin/tenants", params={"api_key": stack.admin_key}, timeout=30)
    logs = stack.data_dir / "logs"
    assert stat.S_IMODE(logs.stat().st_mode) == 0o700
    for log in logs.glob("*.log"):
        assert stat.S_IMODE(log.stat().st_mode) == 0o600, log
        text = log.read_text(errors="replace")
        assert secret not in text and stack.admin_key not in text, log
    assert "GET /api/consent/check HTTP/1.1" in (logs / "consent.log").read_text()
