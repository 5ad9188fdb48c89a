"""Errors map to problem responses with stable codes; the auth check is constant-time and strict."""

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from tinyeclipse.config import Settings, get_settings
from tinyeclipse.errors import AppError, Conflict, InvalidInput, NotFound, Unavailable
from tinyeclipse.tenants.errors import TenantNotFound, WhmcsClientIdTaken
from tinyeclipse.web.auth import require_admin
from tinyeclipse.web.problems import install_problem_handlers, status_for


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (InvalidInput("x"), 422),
        (NotFound("x"), 404),
        (TenantNotFound("00000000-0000-0000-0000-000000000000"), 404),  # type: ignore[arg-type]
        (WhmcsClientIdTaken(7), 409),
        (Conflict("x"), 409),
        (Unavailable("x"), 503),
    ],
)
def test_each_kind_of_error_has_its_status(error: AppError, status: int) -> None:
    assert status_for(error) == status


@pytest.fixture
def app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.dependency_overrides[get_settings] = lambda: Settings(
        _env_file=None,
        database_url="postgresql://u:p@h/d",
        migrations_database_url="postgresql://u:p@h/d",
        admin_api_key="k" * 32,
    )

    @app.get("/secret", dependencies=[Depends(require_admin)])
    def secret() -> dict[str, str]:
        return {"ok": "yes"}

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("database password is hunter2")

    return app


def test_the_right_key_passes_and_a_near_miss_does_not(app: FastAPI) -> None:
    client = TestClient(app)
    assert client.get("/secret", headers={"Authorization": "Bearer " + "k" * 32}).status_code == 200
    assert client.get("/secret", headers={"Authorization": "bearer " + "k" * 32}).status_code == 200
    assert client.get("/secret", headers={"Authorization": "Bearer " + "k" * 31}).status_code == 401
    assert client.get("/secret", headers={"Authorization": "Bearer " + "k" * 33}).status_code == 401


def test_an_unexpected_error_is_a_500_problem_that_leaks_nothing(app: FastAPI) -> None:
    response = TestClient(app, raise_server_exceptions=False).get("/boom")
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    assert "hunter2" not in response.text
