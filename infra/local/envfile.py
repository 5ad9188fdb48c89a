"""Create `.env` from `.env.example`, with a fresh random secret for every `__GENERATE__`."""

import re
import secrets
from pathlib import Path

PLACEHOLDER = "__GENERATE__"
_ASSIGNMENT = re.compile(r"^([A-Z][A-Z0-9_]*)=", re.MULTILINE)


def _fill(text: str) -> str:
    # URL-safe characters only: some secrets sit inside database URLs.
    return re.sub(PLACEHOLDER, lambda _: secrets.token_urlsafe(24), text)


def ensure_env_file(example: Path, target: Path) -> list[str]:
    """Create `target` if missing, or add the variables it lacks; return the names written."""
    template = example.read_text()
    if not target.exists():
        target.write_text(_fill(template))
        target.chmod(0o600)
        return _ASSIGNMENT.findall(template)
    present = set(_ASSIGNMENT.findall(target.read_text()))
    missing = [line for line in template.splitlines() if (m := _ASSIGNMENT.match(line)) and m[1] not in present]
    if missing:
        with target.open("a") as env:
            env.write("\n# Added from .env.example\n" + _fill("\n".join(missing)) + "\n")
    return [_ASSIGNMENT.match(line)[1] for line in missing]  # type: ignore[index]
