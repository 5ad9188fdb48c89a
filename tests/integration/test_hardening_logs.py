"""The local runner's log files are the operator's alone: 0600 files in a 0700 folder, older logs included."""

import stat
import sys
from pathlib import Path

from infra.local.processes import Supervisor


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_child_logs_are_private(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir(mode=0o755)
    (logs / "old.log").write_text("from an older run\n")
    (logs / "old.log").chmod(0o644)
    supervisor = Supervisor(logs, say=lambda _: None)
    try:
        supervisor.start("fresh", [sys.executable, "-c", "print('hello')"], {})
        supervisor.start("old", [sys.executable, "-c", "print('again')"], {})
    finally:
        supervisor.stop_all()
    assert _mode(logs) == 0o700
    assert _mode(logs / "fresh.log") == 0o600
    assert _mode(logs / "old.log") == 0o600
    assert (logs / "old.log").read_text().startswith("from an older run\n")
