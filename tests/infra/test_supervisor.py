"""The local runner's supervisor with small stand-in children: restarts with backoff, logged; the others keep
running; a taken port is refused; every child stops on its signal, Postgres's stand-in last."""

import signal
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.local.processes import MAX_BACKOFF_SECONDS, PortTaken, Supervisor, backoff, check_port_free

SLEEPER = "import time; time.sleep(600)"


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


@pytest.fixture
def said() -> list[str]:
    return []


@pytest.fixture
def supervisor(tmp_path: Path, said: list[str]) -> Iterator[Supervisor]:
    supervisor = Supervisor(tmp_path / "logs", said.append, stable_seconds=2.0)
    yield supervisor
    supervisor.stop_all(timeout=5)


def watch_until(supervisor: Supervisor, said: list[str], text: str, timeout: float) -> float:
    deadline = time.monotonic() + timeout
    while not any(text in line for line in said):
        assert time.monotonic() < deadline, f"never said {text!r}: {said}"
        supervisor.watch()
        time.sleep(0.05)
    return time.monotonic()


def test_backoff_doubles_from_one_second_up_to_its_cap() -> None:
    assert [backoff(n) for n in range(1, 9)] == [1, 2, 4, 8, 16, 30, 30, 30]
    assert MAX_BACKOFF_SECONDS == 30


def test_a_child_that_dies_is_restarted_after_its_backoff_and_the_others_keep_running(
    supervisor: Supervisor, said: list[str]
) -> None:
    steady = supervisor.start("steady", python(SLEEPER), {})
    victim = supervisor.start("victim", python(SLEEPER), {})
    steady_pid, victim_pid = steady.pid, victim.pid
    assert victim.process is not None
    victim.process.send_signal(signal.SIGKILL)
    died = watch_until(supervisor, said, "victim exited with code -9", timeout=5)
    assert any("restarting in 1 s" in line for line in said)
    restarted = watch_until(supervisor, said, "victim restarted", timeout=5)
    assert 0.9 <= restarted - died <= 2.0
    assert victim.running() and victim.pid != victim_pid
    assert steady.running() and steady.pid == steady_pid and not any("steady" in line for line in said)


def test_a_child_that_keeps_crashing_is_retried_with_growing_delays(supervisor: Supervisor, said: list[str]) -> None:
    supervisor.start("crasher", python("raise SystemExit(3)"), {})
    watch_until(supervisor, said, "restarting in 4 s", timeout=10)
    exits = [line for line in said if "crasher exited with code 3" in line]
    assert [line.split("restarting in ")[1].split(" ")[0] for line in exits] == ["1", "2", "4"]


def test_a_child_that_ran_a_while_before_dying_is_restarted_quickly_again(
    supervisor: Supervisor, said: list[str]
) -> None:
    # It runs longer than stable_seconds (2 s) each time: every death counts as the first.
    supervisor.start("flaky", python("import time; time.sleep(2.5); raise SystemExit(1)"), {})
    deadline = time.monotonic() + 15
    while len(exits := [line for line in said if "flaky exited with code 1" in line]) < 2:
        assert time.monotonic() < deadline, said
        supervisor.watch()
        time.sleep(0.05)
    assert all("restarting in 1 s" in line for line in exits), exits


def test_a_restart_that_finds_its_port_taken_is_retried_not_shared(supervisor: Supervisor, said: list[str]) -> None:
    with socket.socket() as other:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        other.bind(("127.0.0.1", 0))
        port = other.getsockname()[1]
        free = [True]

        def precheck() -> None:
            if not free[0]:
                check_port_free("127.0.0.1", port, "HTTP_PORT")

        child = supervisor.start("web", python(SLEEPER), {}, precheck=precheck)
        other.listen()
        free[0] = False
        assert child.process is not None
        child.process.send_signal(signal.SIGKILL)
        watch_until(supervisor, said, "web could not start", timeout=5)
        assert f"127.0.0.1:{port} (HTTP_PORT) is already in use by another process" in said[-1]
        assert "retrying in 2 s" in said[-1] and not child.running()
    watch_until(supervisor, said, "web restarted", timeout=5)


def test_check_port_free_refuses_a_port_shared_with_so_reuseport_and_accepts_a_free_one() -> None:
    with socket.socket() as other:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        with pytest.raises(PortTaken, match="DEMO_PORT"):
            check_port_free("127.0.0.1", port, "DEMO_PORT")
    check_port_free("127.0.0.1", port, "DEMO_PORT")


def test_every_child_stops_on_its_signal_and_the_stop_last_one_after_the_others(
    supervisor: Supervisor, said: list[str], tmp_path: Path
) -> None:
    record = tmp_path / "stopped"
    # Each stand-in notes its name and when it got its stop signal, then takes a moment to exit.
    handler = (
        "import signal, sys, time\n"
        "def stop(signum, _):\n"
        f"    open({str(record)!r}, 'a').write(f'{{sys.argv[1]}} {{signal.Signals(signum).name}} {{time.time()}}\\n')\n"
        "    time.sleep(0.3); sys.exit(0)\n"
        "signal.signal(signal.SIGTERM, stop); signal.signal(signal.SIGINT, stop)\n"
        "time.sleep(600)\n"
    )
    supervisor.start("database", [*python(handler), "database"], {}, stop_signal=signal.SIGINT, stop_last=True)
    supervisor.start("app", [*python(handler), "app"], {})
    time.sleep(0.5)  # the stand-ins install their handlers
    started = time.monotonic()
    supervisor.stop_all(timeout=5)
    assert time.monotonic() - started < 3, "each stopped on its signal, none waited out the timeout"
    lines = [line.split() for line in record.read_text().splitlines()]
    assert [(name, signame) for name, signame, _ in lines] == [("app", "SIGTERM"), ("database", "SIGINT")]
    assert float(lines[1][2]) - float(lines[0][2]) >= 0.3, "the database was told to stop once the app had exited"
    assert not any("killed" in line for line in said)
