"""The app factory every function uses: problem responses, a database health check, pool lifecycle."""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import psycopg
import psycopg_pool
from fastapi import APIRouter, FastAPI
from fastapi.concurrency import run_in_threadpool

from tinyeclipse.db import close_database
from tinyeclipse.errors import Unavailable
from tinyeclipse.observability import configure_logging
from tinyeclipse.web.deps import DatabaseDep
from tinyeclipse.web.problems import install_problem_handlers


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


def create_app(name: str, *routers: APIRouter, warm_up: Callable[[], object] | None = None) -> FastAPI:
    """A function's FastAPI app serving `/api/<name>/...`, with `GET /api/<name>/health`.

    `warm_up` runs before the app takes requests (loading a model, say).
    """
    configure_logging(name)
    app = FastAPI(
        title=f"TinyEclipse {name}",
        docs_url=f"/api/{name}/docs",
        openapi_url=f"/api/{name}/openapi.json",
        # Every route stays under /api/<name>/, the prefix Caddy and API Gateway route by.
        swagger_ui_oauth2_redirect_url=f"/api/{name}/docs/oauth2-redirect",
        redoc_url=None,
        lifespan=_lifespan(warm_up),
    )
    install_problem_handlers(app)
    app.include_router(health_router(name))
    for router in routers:
        app.include_router(router)
    return app
