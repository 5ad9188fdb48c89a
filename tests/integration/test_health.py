"""Every function answers its health check after asking the database."""

import importlib

import pytest

from tests.conftest import client_for
from tinyeclipse.db import Database

FUNCTIONS = ("chat", "consent", "ingest", "admin")


@pytest.mark.parametrize("name", FUNCTIONS)
def test_health_is_ok_when_the_database_answers(name: str, settings, database: Database) -> None:
    app = importlib.import_module(f"functions.{name}.app").app
    with client_for(app, settings, database) as client:
        response = client.get(f"/api/{name}/health")
    app.dependency_overrides.clear()
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize("name", FUNCTIONS)
def test_health_is_a_503_problem_when_the_database_is_down(name: str, settings) -> None:
    unreachable = Database("postgresql://tinyeclipse_app:x@127.0.0.1:1/nowhere", min_size=0, connect_timeout=0.5)
    unreachable.open()
    app = importlib.import_module(f"functions.{name}.app").app
    with client_for(app, settings, unreachable) as client:
        response = client.get(f"/api/{name}/health")
    app.dependency_overrides.clear()
    unreachable.close()
    assert response.status_code == 503
    assert response.json()["code"] == "database_unavailable"
    assert response.headers["content-type"] == "application/problem+json"
