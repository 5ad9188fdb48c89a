"""The admin panel's API types come from the functions' schemas: a change in the code without regenerated
files fails here (admin/openapi/*.json) and in `npm run typecheck` (admin/lib/api-types/*.ts)."""

from pathlib import Path

import pytest

from infra import openapi

FIX = "run `.venv/bin/python -m infra.openapi && cd admin && npm run api-types` and commit the result"


@pytest.mark.parametrize("name", openapi.APPS)
def test_the_checked_in_schema_is_the_code_s_schema(name: str, tmp_path: Path) -> None:
    fresh = {path.name: path.read_text(encoding="utf-8") for path in openapi.export(tmp_path)}
    checked_in = (openapi.OUT_DIR / f"{name}.json").read_text(encoding="utf-8")
    assert checked_in == fresh[f"{name}.json"], f"admin/openapi/{name}.json is out of date: {FIX}"


def test_the_admin_schema_names_the_inbox_routes() -> None:
    # The panel's types are only as good as the schema: the inbox's routes must be in it.
    paths = openapi.schema("admin")["paths"]
    assert "/api/admin/conversations" in paths
    assert "/api/admin/conversations/{conversation_id}" in paths
