"""Write the functions' OpenAPI schemas to admin/openapi/*.json, the source of the admin panel's generated types.

`python -m infra.openapi [OUT_DIR]`, then `cd admin && npm run api-types` turns them into admin/lib/api-types/*.ts.
The schemas are built in-process (`functions.<name>.app.app.openapi()`): the admin app serves its own only behind
the key. tests/unit/test_openapi_export.py fails when the checked-in files drift from the code.
"""

import importlib
import json
import sys
from pathlib import Path
from typing import Any

APPS = ("chat", "consent", "ingest", "admin")
OUT_DIR = Path(__file__).resolve().parent.parent / "admin" / "openapi"


def schema(name: str) -> dict[str, Any]:
    module = importlib.import_module(f"functions.{name}.app")
    return module.app.openapi()


def render(document: dict[str, Any]) -> str:
    # Sorted keys: a reordering in the code is no drift worth a diff.
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def export(out_dir: Path = OUT_DIR) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in APPS:
        path = out_dir / f"{name}.json"
        path.write_text(render(schema(name)), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in export(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT_DIR):
        print(path)
