"""CORS. The public functions: the widget runs on tenants' own sites, any origin. The admin API: only the origins
the operator lists in CORS_ORIGINS (none by default: Caddy serves the panel and its API on one origin).

Which origins may really chat is the tenant's `allowed_domains`, checked by the chat service; CORS only
lets browsers make the calls and read `Retry-After`.
"""

from typing import Any

from fastapi import FastAPI
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tinyeclipse.config import get_settings
from tinyeclipse.errors import AppError


class _CORSMiddleware(CORSMiddleware):
    """Starlette's, but a route's own `Vary: Origin` is not repeated (`Vary: Origin, Origin`)."""

    async def send(self, message: Message, send: Send, request_headers: Headers) -> None:
        async def unique_vary(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                tokens = [token.strip() for value in headers.getlist("vary") for token in value.split(",")]
                if tokens:
                    headers["Vary"] = ", ".join(dict.fromkeys(token for token in tokens if token))
            await send(message)

        await super().send(message, unique_vary, request_headers)


def allow_any_origin(app: FastAPI) -> None:
    app.add_middleware(
        _CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type"],
        expose_headers=["Retry-After"],
        max_age=600,
    )


class _SettingsOrigins:
    """CORS for the origins of the settings' CORS_ORIGINS, nothing when it is empty.

    Read per request, through the app's dependency overrides of `get_settings` (the tests'), because the settings
    are not loaded when the app module is imported."""

    def __init__(self, app: ASGIApp, **options: Any) -> None:
        self.app = app
        self.options = options
        self._by_origins: dict[tuple[str, ...], ASGIApp] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        overrides = scope["app"].dependency_overrides
        try:
            origins = overrides.get(get_settings, get_settings)().cors_origins
        except AppError:
            # Settings that cannot load (a secret unavailable) are the route's to report, as a problem response:
            # raised here, outside the app's handlers, it would be a bare 500.
            origins = ()
        if not origins:
            await self.app(scope, receive, send)
            return
        if origins not in self._by_origins:
            self._by_origins[origins] = _CORSMiddleware(self.app, allow_origins=list(origins), **self.options)
        await self._by_origins[origins](scope, receive, send)


def allow_configured_origins(app: FastAPI) -> None:
    """The admin API: only the origins the operator lists (CORS_ORIGINS) may call it from a browser, with the key."""
    app.add_middleware(
        _SettingsOrigins,
        allow_methods=["GET", "POST", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type"],
        expose_headers=["Retry-After"],
        max_age=600,
    )
