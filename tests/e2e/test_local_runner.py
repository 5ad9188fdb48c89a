"""`make up`'s program, for real: Postgres, four functions and Caddy come up, serve, and all stop on a signal.

The harness configures the runner only through its env file (HTTP_PORT, DEMO_PORT, DATA_DIR, the database's
port), as a developer does.
"""

import re
import signal
import socket
import time
from pathlib import Path

import httpx
import psutil
import pytest

from infra.local.harness import free_port, set_values
from tests.e2e.stack import FUNCTIONS, Stack, alive, stack_fixture  # noqa: F401


def _listening_ports(process: psutil.Process) -> set[int]:
    return {c.laddr.port for c in process.net_connections(kind="tcp") if c.status == psutil.CONN_LISTEN}


def test_the_stack_comes_up_behind_caddy_serves_and_stops_without_orphans(stack: Stack) -> None:
    # A variable only the Caddyfile reads, set in the env file, reaches Caddy too.
    stack.env_file.write_text(set_values(stack.env_file.read_text(), {"ADMIN_MAX_BODY": "2KB"}))
    banner = stack.start()
    demo_id = re.search(r"demo tenant\s+([0-9a-f-]{36})", banner)[1]  # type: ignore[index]
    dutch_id = re.search(r"Dutch tenant\s+([0-9a-f-]{36})", banner)[1]  # type: ignore[index]
    assert stack.base in banner and "ADMIN_API_KEY" in banner

    with httpx.Client(base_url=stack.base, timeout=10) as http:
        for name in FUNCTIONS:
            response = http.get(f"/api/{name}/health")
            assert response.status_code == 200, (name, response.text)
            assert response.json() == {"status": "ok"}
            assert "Caddy" in response.headers.get("via", ""), "answered through Caddy's reverse proxy"
        assert http.get("/api/nowhere").json()["code"] == "not_found"
        # The admin panel (built by `make test` / `make up`) and the widget are static files behind Caddy.
        panel = http.get("/admin/", follow_redirects=True)
        assert panel.status_code == 200 and panel.headers["content-type"].startswith("text/html")
        assert http.get("/admin").status_code == 308
        widget = http.get("/widget/v1/widget.js")
        assert widget.status_code == 200 and "javascript" in widget.headers["content-type"]
        assert "max-age=604800" in widget.headers["cache-control"]

        auth = {"Authorization": f"Bearer {stack.admin_key}"}
        assert http.get("/api/admin/tenants").status_code == 401
        listed = http.get("/api/admin/tenants", headers=auth).json()
        assert sorted(t["id"] for t in listed["items"]) == sorted([demo_id, dutch_id])
        created = http.post(
            "/api/admin/tenants", headers=auth, json={"name": "Through Caddy", "whmcs_client_id": 77, "plan": "tiny"}
        )
        assert created.status_code == 201, created.text

        # The demo knowledge is seeded and indexed by the ingest worker in the background.
        for tenant_id, count in ((demo_id, 5), (dutch_id, 6)):
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                demo = http.get("/api/admin/sources", headers=auth, params={"tenant_id": tenant_id}).json()["items"]
                if demo and all(source["status"] != "pending" for source in demo):
                    break
                time.sleep(0.5)
            assert len(demo) == count and {source["type"] for source in demo} == {"text", "faq"}
            assert all(source["status"] == "indexed" and source["chunk_count"] > 0 for source in demo), demo

        too_big = http.post("/api/admin/tenants", headers=auth, json={"name": "x" * 4000, "whmcs_client_id": 78})
        assert too_big.status_code == 413, too_big.text

        # The operator changes the demo tenant's WHMCS id: the next start still finds it (no second demo).
        moved = http.patch(f"/api/admin/tenants/{demo_id}", headers=auth, json={"whmcs_client_id": 4242})
        assert moved.status_code == 200, moved.text

    # HTTP_PORT and DEMO_PORT come from the env file, and Caddy listens there and nowhere else (not on 8080).
    assert _listening_ports(stack.child("caddy")) == {stack.http_port, stack.demo_port}
    processes = stack.processes()
    names = " ".join(" ".join(p.cmdline()) for p in processes)
    assert names.count("uvicorn") == 4 and "caddy" in names and "postgres" in names
    assert "functions.ingest.worker" in names and "functions.ingest.scheduler" in names
    assert stack.stop(signal.SIGINT) == 0
    assert "did not stop" not in stack.log(), "every child stops on its signal, none has to be killed"
    deadline = time.monotonic() + 10
    while any(alive(p) for p in processes) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [p.pid for p in processes if alive(p)] == [], "no process is left behind"
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{stack.base}/api/admin/health", timeout=2)

    # Data is kept between runs and the demo seed is idempotent; SIGTERM stops it as cleanly.
    second = stack.start()
    assert demo_id in second
    with httpx.Client(base_url=stack.base, headers={"Authorization": f"Bearer {stack.admin_key}"}) as http:
        names_now = sorted(t["name"] for t in http.get("/api/admin/tenants").json()["items"])
        demo_sources = http.get("/api/admin/sources", params={"tenant_id": demo_id}).json()["total"]
    assert names_now == ["Demo Hosting Co.", "Demo Hosting NL", "Through Caddy"], "found by its id, not its WHMCS id"
    assert demo_sources == 5, "the demo knowledge is seeded once"
    processes = stack.processes()
    assert stack.stop(signal.SIGTERM) == 0
    time.sleep(0.5)
    assert [p.pid for p in processes if alive(p)] == []


def test_the_runner_refuses_a_port_another_process_listens_on(tmp_path: Path) -> None:
    # As a second stack's Caddy would: SO_REUSEPORT, which would let our Caddy share the port silently.
    with socket.socket() as other:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        other.bind(("127.0.0.1", 0))
        other.listen()
        taken = other.getsockname()[1]
        stack = Stack(tmp_path, HTTP_PORT=str(taken))
        runner = stack.launch()
        try:
            code = runner.wait(timeout=60)
        finally:
            stack.kill()
    assert code == 1
    assert f"127.0.0.1:{taken} (HTTP_PORT) is already in use by another process" in stack.log()
    assert "postgres   ready" not in stack.log(), "refused before anything started"


def test_the_runner_refuses_a_taken_database_port(tmp_path: Path) -> None:
    port = free_port()
    with socket.socket() as other:
        other.bind(("127.0.0.1", port))
        other.listen()
        stack = Stack(tmp_path)
        stack.env_file.write_text(re.sub(r"127\.0\.0\.1:\d+/", f"127.0.0.1:{port}/", stack.env_file.read_text()))
        runner = stack.launch()
        try:
            code = runner.wait(timeout=120)
        finally:
            stack.kill()
    assert code == 1
    assert f"127.0.0.1:{port} (DATABASE_URL) is already in use by another process" in stack.log()
