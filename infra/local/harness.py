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


def set_values(env_text: str, values: dict[str, str]) -> str:
    """The env file's text with each of `values` set: its line replaced, or added at the end."""
    for name, value in values.items():
        line = f"{name}={value}"
        env_text, found = re.subn(rf"^{name}=.*$", lambda _, line=line: line, env_text, flags=re.MULTILINE)
        if not found:
            env_text = env_text.rstrip("\n") + f"\n{line}\n"
    return env_text


class LocalRunner:
    def __init__(self, workdir: Path, **settings: str) -> None:
        self.env_file = workdir / ".env"
        ensure_env_file(REPO / ".env.example", self.env_file)
        self.data_dir = workdir / "data"
        # Free ports, so it never meets a developer's own `make up`; all in the env file, as a developer
        # configures it. Settings given here win over the file's.
        text = self.env_file.read_text().replace("127.0.0.1:5433/", f"127.0.0.1:{free_port()}/")
        values = {"HTTP_PORT": str(free_port()), "DEMO_PORT": str(free_port()), "DATA_DIR": str(self.data_dir)}
        text = set_values(text, {**values, **settings})
        self.env_file.write_text(text)
        self.admin_key = self._setting(text, "ADMIN_API_KEY")
        self.database_url = self._setting(text, "DATABASE_URL")
        self.http_port = int(self._setting(text, "HTTP_PORT"))
        self.demo_port = int(self._setting(text, "DEMO_PORT"))
        self.base = f"http://127.0.0.1:{self.http_port}"
        self.demo_origin = f"http://127.0.0.1:{self.demo_port}"
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
        offset = len(self.log())
        process = self.launch()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log()[offset:]
            if "Press Ctrl-C" in text:
                return text
            if process.poll() is not None:
                raise RunnerFailed(f"the runner exited with {process.returncode}:\n{text}")
            time.sleep(0.3)
        raise RunnerFailed(f"the runner was not up after {timeout:.0f} s:\n{self.log()[offset:]}")

    def launch(self) -> subprocess.Popen[bytes]:
        """Start the runner without waiting for it. Only the env file configures it: variables of the same
        names in this process's environment are not passed on."""
        configured = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", self.env_file.read_text(), re.MULTILINE))
        env = {name: value for name, value in os.environ.items() if name not in configured}
        env["TINYECLIPSE_ENV_FILE"] = str(self.env_file)
        with self.output.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "infra.local"], cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        return self.process

    def log(self) -> str:
        """What the runner has printed so far (over all its starts)."""
        return self.output.read_text() if self.output.exists() else ""

    def processes(self) -> list[psutil.Process]:
        """The runner, its children, and the Postgres server with its workers."""
        assert self.process is not None
        runner = psutil.Process(self.process.pid)
        postmaster = psutil.Process(self.postmaster_pid())
        found = [runner, *runner.children(recursive=True), postmaster, *postmaster.children(recursive=True)]
        return list({process.pid: process for process in found}.values())

    def postmaster_pid(self) -> int:
        """The Postgres server's pid (its lock file's first line)."""
        return int((self.data_dir / "postgres" / "postmaster.pid").read_text().split()[0])

    def child(self, fragment: str) -> psutil.Process:
        """The runner's one child process whose command line contains `fragment`."""
        assert self.process is not None
        found = [
            p for p in psutil.Process(self.process.pid).children() if fragment in " ".join(p.cmdline()) and alive(p)
        ]
        if len(found) != 1:
            raise RunnerFailed(f"{len(found)} children of the runner match {fragment!r}")
        return found[0]

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
