"""docker-compose.yml as compose would see it, for the tests: loaded, with `${VAR:-default}` resolved."""

import re
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
_VARIABLE = re.compile(r"\$\{(?P<name>[A-Z_][A-Z0-9_]*)(?::?(?P<op>[-?])(?P<arg>[^}]*))?\}")


def load() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's interpolation for the forms this file uses: ${VAR}, ${VAR:-default}, ${VAR:?error}, $$."""

    def substitute(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        if env.get(name):
            return env[name]
        if op == "-":
            return arg
        raise KeyError(f"{name} is required: {arg}")

    return _VARIABLE.sub(substitute, value).replace("$$", "$")
