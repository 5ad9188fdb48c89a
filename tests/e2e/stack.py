"""The real local stack (`make up`'s program) on free ports, for the end-to-end tests."""

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from infra.local.envfile import ensure_env_file
from tests.conftest import free_port

REPO = Path(__file__).resolve().parents[2]
FUNCTIONS = ("chat", "consent", "ingest", "admin")


class Stack:
    def __init__(self, workdir: Path, **settings: str) -> None:
        self.env_file = workdir / ".env"
        ensure_env_file(REPO / ".env.example", self.env_file)
        # Free ports, so the test never meets a developer's own `make up`.
        text = self.env_file.read_text().replace("127.0.0.1:5433/", f"127.0.0.1:{free_port()}/")
        text += "".join(f"\n{name}={value}" for name, value in settings.items())
        self.env_file.write_text(text)
        self.http_port = free_port()
        self.base = f"http://127.0.0.1:{self.http_port}"
        self.demo_port = free_port()
        self.demo_origin = f"http://127.0.0.1:{self.demo_port}"
        self.data_dir = workdir / "data"
        self.output = workdir / "runner.out"
        self.admin_key = re.search(r"^ADMIN_API_KEY=(.+)$", text, re.MULTILINE)[1]  # type: ignore[index]
        self.database_url = re.search(r"^DATABASE_URL=(.+)$", text, re.MULTILINE)[1]  # type: ignore[index]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 120) -> str:
        env = {
            **os.environ,
            "TINYECLIPSE_ENV_FILE": str(self.env_file),
            "HTTP_PORT": str(self.http_port),
            "DEMO_PORT": str(self.demo_port),
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


@pytest.fixture(name="stack")
def stack_fixture(tmp_path: Path) -> Iterator[Stack]:
    stack = Stack(tmp_path)
    yield stack
    stack.kill()


def alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
