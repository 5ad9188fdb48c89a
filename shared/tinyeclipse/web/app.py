"""The app factory every function uses: problem responses, a database health check, pool lifecycle."""

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import psycopg
import psycopg_pool
from fastapi import APIRouter, FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.params import Depends
from fastapi.responses import HTMLResponse

from tinyeclipse.db import close_database
from tinyeclipse.errors import Unavailable
from tinyeclipse.observability import configure_logging
from tinyeclipse.web.access_log import redact_access_log
from tinyeclipse.web.deps import DatabaseDep
from tinyeclipse.web.guard import RequestGuard
from tinyeclipse.web.openapi import document_problems
from tinyeclipse.web.problems import install_problem_handlers

# No route takes more than a small JSON document unless its app says so (the admin's PDF uploads).
DEFAULT_MAX_BODY_BYTES = 64 * 1024


class DatabaseUnavailable(Unavailable):
    code = "database_unavailable"


def health_router(name: str) -> APIRouter:
    router = APIRouter()

    @router.get(f"/api/{name}/health", tags=["health"])
    def health(database: DatabaseDep) -> dict[str, str]:
        try:
            database.ping()
        except (psycopg.Error, psycopg_pool.PoolTimeout) as exc:
            raise DatabaseUnavailable(f"The database is not reachable: {type(exc).__name__}.") from exc
        return {"status": "ok"}

    return router


def _lifespan(warm_up: Callable[[], object] | None) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if warm_up is not None:
            await run_in_threadpool(warm_up)
        yield
        # Lambda never gets here (lifespan off); its container just ends.
        close_database()

    return lifespan


def add_docs(app: FastAPI, name: str, dependencies: Sequence[Depends]) -> None:
    """`/api/<name>/openapi.json` and `/api/<name>/docs` (Swagger UI), behind `dependencies` (the admin key)."""
    schema_url = f"/api/{name}/openapi.json"

    def openapi() -> dict[str, Any]:
        return app.openapi()

    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=schema_url, title=f"{app.title} - docs")

    for path, endpoint in ((schema_url, openapi), (f"/api/{name}/docs", docs)):
        app.add_api_route(path, endpoint, methods=["GET"], dependencies=list(dependencies), include_in_schema=False)


def create_app(
    name: str,
    *routers: APIRouter,
    warm_up: Callable[[], object] | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    docs_dependencies: Sequence[Depends] = (),
) -> FastAPI:
    """A function's FastAPI app serving `/api/<name>/...`, with `GET /api/<name>/health`.

    `warm_up` runs before the app takes requests (loading a model, say). Bodies over `max_body_bytes` are
    a 413. `docs_dependencies` guard the schema and the docs (the admin's are behind its key).
    """
    configure_logging(name)
    redact_access_log()
    app = FastAPI(
        title=f"TinyEclipse {name}",
        # Served by add_docs instead, so they can sit behind the admin key.
        docs_url=None,
        openapi_url=None,
        redoc_url=None,
        lifespan=_lifespan(warm_up),
    )
    install_problem_handlers(app)
    app.add_middleware(RequestGuard, max_body_bytes=max_body_bytes)
    document_problems(app)
    app.include_router(health_router(name))
    add_docs(app, name, docs_dependencies)
    for router in routers:
        app.include_router(router)
    return app
