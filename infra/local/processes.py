"""Child processes of the local runner: started in their own session, restarted with backoff when they
die, stopped in reverse order.

A child that dies is started again after 1, 2, 4 ... seconds (at most MAX_BACKOFF_SECONDS); one that had
run for STABLE_SECONDS before dying starts the count afresh. Every exit and restart is logged.
"""

import contextlib
import ctypes
import errno
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

_PR_SET_PDEATHSIG = 1
FIRST_BACKOFF_SECONDS = 1.0
MAX_BACKOFF_SECONDS = 30.0
# A child that ran this long before dying was healthy: its next restart is quick again.
STABLE_SECONDS = 30.0


class PortTaken(RuntimeError):
    """Another process listens where we must: the runner refuses to share the port."""


_HELD = {signal.SIGINT, signal.SIGTERM}


def _in_child(stop_signal: int) -> Callable[[], None]:
    def prepare() -> None:
        # The mask is inherited through exec: the child must not start with its stop signals held.
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)
        # If the runner itself is killed (SIGKILL), the kernel still stops its children.
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, stop_signal)

    return prepare


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    # A Ctrl-C between spawning a child and recording it would leave the child unknown to stop_all.
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def check_port_free(host: str, port: int, variable: str, change: str | None = None) -> None:
    """Raise PortTaken unless (host, port) can be listened on by us alone; the message names the setting
    (`variable`) and what to change (`change`, by default: set the variable to a free port).

    Caddy binds with SO_REUSEPORT, so two stacks on one port would silently share its traffic; a plain
    bind fails when anyone listens there, SO_REUSEPORT or not.
    """
    for family, kind, proto, _, address in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a TIME_WAIT left by our last run is fine
            try:
                sock.bind(address)
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    raise PortTaken(
                        f"{host}:{port} ({variable}) is already in use by another process (another `make up`?). "
                        f"Stop it, or {change or f'set {variable} to a free port'} in the env file."
                    ) from None
                raise PortTaken(f"cannot listen on {host}:{port} ({variable}): {exc.strerror}") from None


@dataclass
class Child:
    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    # postgres: its SIGTERM waits for every client to leave; SIGINT is its fast shutdown.
    stop_signal: int = signal.SIGTERM
    user: str | None = None
    # Checked before every start (a port still free, say); an exception counts as a failed start.
    precheck: Callable[[], None] | None = None
    stop_last: bool = False
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    quick_failures: int = 0
    restart_at: float | None = None
    restarts: int = 0

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


def backoff(quick_failures: int) -> float:
    """The delay before the next start of a child that failed `quick_failures` times in a row (>= 1)."""
    return min(MAX_BACKOFF_SECONDS, FIRST_BACKOFF_SECONDS * 2 ** (quick_failures - 1))


class Supervisor:
    def __init__(
        self, log_dir: Path, say: Callable[[str], None] = print, *, stable_seconds: float = STABLE_SECONDS
    ) -> None:
        self.log_dir = log_dir
        self.children: list[Child] = []
        self._say = say
        self._stable_seconds = stable_seconds

    def start(
        self,
        name: str,
        argv: list[str],
        env: dict[str, str],
        *,
        stop_signal: int = signal.SIGTERM,
        user: str | None = None,
        precheck: Callable[[], None] | None = None,
        stop_last: bool = False,
    ) -> Child:
        """Start a child now (a failure here is the caller's: start-up stops) and supervise it from then on."""
        # Logs hold ids and errors: for the operator's eyes only (0700 folder, 0600 files).
        self.log_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.log_dir.chmod(0o700)
        child = Child(name, argv, env, self.log_dir / f"{name}.log", stop_signal, user, precheck, stop_last)
        with _signals_held():
            self._spawn(child)
            self.children.append(child)
        return child

    def _spawn(self, child: Child) -> None:
        if child.precheck is not None:
            child.precheck()
        with open(os.open(child.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "ab") as out:
            os.fchmod(out.fileno(), 0o600)  # a log left by an older run may be 0644
            child.process = subprocess.Popen(
                child.argv,
                env=child.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                # Own session: a Ctrl-C reaches only the runner, which stops children in order.
                start_new_session=True,
                user=child.user,
                preexec_fn=_in_child(child.stop_signal),
            )
        child.started_at = time.monotonic()
        child.restart_at = None

    def watch(self) -> None:
        """Notice children that died and start them again when their backoff is over; call it often."""
        now = time.monotonic()
        for child in self.children:
            if child.restart_at is None and child.process is not None and child.process.poll() is not None:
                ran = now - child.started_at
                child.quick_failures = 1 if ran >= self._stable_seconds else child.quick_failures + 1
                delay = backoff(child.quick_failures)
                child.restart_at = now + delay
                self._say(
                    f"  {child.name} exited with code {child.process.returncode} after {ran:.1f} s; "
                    f"restarting in {delay:.0f} s (log: {child.log})"
                )
            elif child.restart_at is not None and now >= child.restart_at:
                self._restart(child)

    def _restart(self, child: Child) -> None:
        try:
            with _signals_held():
                self._spawn(child)
        except (PortTaken, OSError) as exc:
            child.quick_failures += 1
            delay = backoff(child.quick_failures)
            child.restart_at = time.monotonic() + delay
            self._say(f"  {child.name} could not start: {exc}; retrying in {delay:.0f} s")
            return
        child.restarts += 1
        self._say(f"  {child.name} restarted (pid {child.pid}, restart {child.restarts})")

    def wait_healthy(self, child: Child, url: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not child.running():
                raise RuntimeError(f"{child.name} exited during start-up:\n{tail(child.log)}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own http URL)
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{child.name} was not healthy at {url} after {timeout:.0f} s:\n{tail(child.log)}")

    def stop_all(self, timeout: float = 10.0) -> None:
        """Stop every child, newest first; those marked stop_last (Postgres) after all the others are gone."""
        first = [child for child in reversed(self.children) if not child.stop_last]
        last = [child for child in reversed(self.children) if child.stop_last]
        for group in (first, last):
            for child in group:
                if child.running():
                    assert child.process is not None
                    child.process.send_signal(child.stop_signal)
            deadline = time.monotonic() + timeout
            for child in group:
                if child.process is None:
                    continue
                try:
                    child.process.wait(max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    self._say(f"  {child.name} did not stop within {timeout:.0f} s; killed")
                    child.process.kill()
                    child.process.wait()
        self.children.clear()


def tail(path: Path, lines: int = 30) -> str:
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
