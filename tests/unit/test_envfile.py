"""`.env` is created from `.env.example` with fresh secrets, and never overwritten."""

from pathlib import Path

from infra.local.envfile import PLACEHOLDER, ensure_env_file

EXAMPLE = f"""# comment
ADMIN_API_KEY={PLACEHOLDER}
DATABASE_URL=postgresql://app:{PLACEHOLDER}@127.0.0.1:5433/db
HTTP_PORT=8080
"""


def _values(path: Path) -> dict[str, str]:
    lines = [line for line in path.read_text().splitlines() if "=" in line and not line.startswith("#")]
    return dict(line.split("=", 1) for line in lines)


def test_creates_the_file_with_distinct_random_secrets(tmp_path: Path) -> None:
    example, target = tmp_path / ".env.example", tmp_path / ".env"
    example.write_text(EXAMPLE)
    assert ensure_env_file(example, target) == ["ADMIN_API_KEY", "DATABASE_URL", "HTTP_PORT"]
    values = _values(target)
    assert PLACEHOLDER not in target.read_text()
    assert len(values["ADMIN_API_KEY"]) >= 32
    password = values["DATABASE_URL"].split(":")[2].split("@")[0]
    assert password != values["ADMIN_API_KEY"] and len(password) >= 32
    assert target.stat().st_mode & 0o077 == 0, "secrets are readable by the owner only"
    other = tmp_path / "other.env"
    ensure_env_file(example, other)
    assert _values(other)["ADMIN_API_KEY"] != values["ADMIN_API_KEY"]


def test_an_existing_file_keeps_its_values_and_gains_new_variables(tmp_path: Path) -> None:
    example, target = tmp_path / ".env.example", tmp_path / ".env"
    example.write_text(EXAMPLE)
    target.write_text("ADMIN_API_KEY=mine\nHTTP_PORT=9000\n")
    assert ensure_env_file(example, target) == ["DATABASE_URL"]
    values = _values(target)
    assert values["ADMIN_API_KEY"] == "mine" and values["HTTP_PORT"] == "9000"
    assert PLACEHOLDER not in values["DATABASE_URL"]
    assert ensure_env_file(example, target) == []
