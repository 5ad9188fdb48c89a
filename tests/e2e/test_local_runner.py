"""`make up`'s program, for real: Postgres, four functions and Caddy come up, serve, and all stop on a signal."""

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from infra.local.envfile import ensure_env_file
from tests.conftest import free_port

REPO = Path(__file__).resolve().parents[2]
FUNCTIONS = ("chat", "consent", "ingest", "admin")


class Stack:
    def __init__(self, workdir: Path) -> None:
        self.env_file = workdir / ".env"
        ensure_env_file(REPO / ".env.example", self.env_file)
        # Free ports, so the test never meets a developer's own `make up`.
        text = self.env_file.read_text().replace("127.0.0.1:5433/", f"127.0.0.1:{free_port()}/")
        self.env_file.write_text(text)
        self.http_port = free_port()
        self.base = f"http://127.0.0.1:{self.http_port}"
        self.data_dir = workdir / "data"
        self.output = workdir / "runner.out"
        self.admin_key = re.search(r"^ADMIN_API_KEY=(.+)$", text, re.MULTILINE)[1]  # type: ignore[index]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 120) -> str:
        env = {
            **os.environ,
            "TINYECLIPSE_ENV_FILE": str(self.env_file),
            "HTTP_PORT": str(self.http_port),
            "DATA_DIR": str(self.data_dir),
        }
        with self.output.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "infra.local"], cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.output.read_text()
            if "Press Ctrl-C" in text:
                return text
            if self.process.poll() is not None:
                pytest.fail(f"the runner exited with {self.process.returncode}:\n{text}")
            time.sleep(0.3)
        pytest.fail(f"the runner was not up after {timeout} s:\n{self.output.read_text()}")

    def processes(self) -> list[psutil.Process]:
        """The runner, its children, and the Postgres server with its workers."""
        assert self.process is not None
        runner = psutil.Process(self.process.pid)
        found = [runner, *runner.children(recursive=True)]
        postmaster_pid = int((self.data_dir / "postgres" / "postmaster.pid").read_text().split()[0])
        postmaster = psutil.Process(postmaster_pid)
        return [*found, postmaster, *postmaster.children(recursive=True)]

    def stop(self, signum: int) -> int:
        assert self.process is not None
        self.process.send_signal(signum)
        return self.process.wait(timeout=60)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.stop(signal.SIGTERM)


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    stack = Stack(tmp_path)
    yield stack
    stack.kill()


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_the_stack_comes_up_behind_caddy_serves_and_stops_without_orphans(stack: Stack) -> None:
    banner = stack.start()
    demo_id = re.search(r"demo tenant\s+([0-9a-f-]{36})", banner)[1]  # type: ignore[index]
    assert stack.base in banner and "ADMIN_API_KEY" in banner

    with httpx.Client(base_url=stack.base, timeout=10) as http:
        for name in FUNCTIONS:
            response = http.get(f"/api/{name}/health")
            assert response.status_code == 200, (name, response.text)
            assert response.json() == {"status": "ok"}
            assert "Caddy" in response.headers.get("via", ""), "answered through Caddy's reverse proxy"
        assert http.get("/api/nowhere").json()["code"] == "not_found"

        auth = {"Authorization": f"Bearer {stack.admin_key}"}
        assert http.get("/api/admin/tenants").status_code == 401
        listed = http.get("/api/admin/tenants", headers=auth).json()
        assert [t["id"] for t in listed["items"]] == [demo_id]
        created = http.post(
            "/api/admin/tenants", headers=auth, json={"name": "Through Caddy", "whmcs_client_id": 77, "plan": "tiny"}
        )
        assert created.status_code == 201, created.text

        # The demo knowledge is seeded and indexed by the ingest worker in the background.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            demo = http.get("/api/admin/sources", headers=auth, params={"tenant_id": demo_id}).json()["items"]
            if demo and all(source["status"] != "pending" for source in demo):
                break
            time.sleep(0.5)
        assert len(demo) == 5 and {source["type"] for source in demo} == {"text", "faq"}
        assert all(source["status"] == "indexed" and source["chunk_count"] > 0 for source in demo), demo

    processes = stack.processes()
    names = " ".join(" ".join(p.cmdline()) for p in processes)
    assert names.count("uvicorn") == 4 and "caddy" in names and "postgres" in names
    assert "functions.ingest.worker" in names and "functions.ingest.scheduler" in names
    assert stack.stop(signal.SIGINT) == 0
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in processes) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [p.pid for p in processes if _alive(p)] == [], "no process is left behind"
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{stack.base}/api/admin/health", timeout=2)

    # Data is kept between runs and the demo seed is idempotent; SIGTERM stops it as cleanly.
    second = stack.start()
    assert demo_id in second
    with httpx.Client(base_url=stack.base, headers={"Authorization": f"Bearer {stack.admin_key}"}) as http:
        names_now = sorted(t["name"] for t in http.get("/api/admin/tenants").json()["items"])
        demo_sources = http.get("/api/admin/sources", params={"tenant_id": demo_id}).json()["total"]
    assert names_now == ["Demo Hosting Co.", "Through Caddy"]
    assert demo_sources == 5, "the demo knowledge is seeded once"
    processes = stack.processes()
    assert stack.stop(signal.SIGTERM) == 0
    time.sleep(0.5)
    assert [p.pid for p in processes if _alive(p)] == []
