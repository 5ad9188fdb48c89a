"""`make up`'s program in a subprocess on free ports, with its own env file and data dir.

For the end-to-end tests and the benchmarks: they exercise the very runner a developer starts.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil

from infra.local.envfile import ensure_env_file

REPO = Path(__file__).resolve().parents[2]


class RunnerFailed(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalRunner:
    def __init__(self, workdir: Path, **settings: str) -> None:
        self.env_file = workdir / ".env"
        ensure_env_file(REPO / ".env.example", self.env_file)
        # Free ports, so it never meets a developer's own `make up`; settings given here win over the file's.
        text = self.env_file.read_text().replace("127.0.0.1:5433/", f"127.0.0.1:{free_port()}/")
        text += "".join(f"\n{name}={value}" for name, value in settings.items())
        self.env_file.write_text(text)
        self.admin_key = self._setting(text, "ADMIN_API_KEY")
        self.database_url = self._setting(text, "DATABASE_URL")
        self.http_port, self.demo_port = free_port(), free_port()
        self.base = f"http://127.0.0.1:{self.http_port}"
        self.demo_origin = f"http://127.0.0.1:{self.demo_port}"
        self.data_dir = workdir / "data"
        self.output = workdir / "runner.out"
        self.process: subprocess.Popen[bytes] | None = None

    @staticmethod
    def _setting(env_text: str, name: str) -> str:
        found = re.search(rf"^{name}=(.+)$", env_text, re.MULTILINE)
        if found is None:
            raise RunnerFailed(f"{name} is missing from the env file")
        return found[1].strip()

    def start(self, timeout: float = 180) -> str:
        """Start the runner and wait for its banner; returns what it printed."""
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
                raise RunnerFailed(f"the runner exited with {self.process.returncode}:\n{text}")
            time.sleep(0.3)
        raise RunnerFailed(f"the runner was not up after {timeout:.0f} s:\n{self.output.read_text()}")

    def processes(self) -> list[psutil.Process]:
        """The runner, its children, and the Postgres server with its workers."""
        assert self.process is not None
        runner = psutil.Process(self.process.pid)
        postmaster_pid = int((self.data_dir / "postgres" / "postmaster.pid").read_text().split()[0])
        postmaster = psutil.Process(postmaster_pid)
        return [runner, *runner.children(recursive=True), postmaster, *postmaster.children(recursive=True)]

    def stop(self, signum: int = signal.SIGINT, timeout: float = 60) -> int:
        """Ctrl-C (or another signal), as a developer stops `make up`; the runner's exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise RunnerFailed(f"the runner did not stop on {signal.Signals(signum).name}") from None

    def kill(self) -> None:
        """Stop it if it still runs (clean-up after a failure)."""
        if self.process is not None and self.process.poll() is None:
            self.stop(signal.SIGTERM)


def alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
