"""CORS for the public functions: the widget runs on tenants' own sites, any origin.

Which origins may really chat is the tenant's `allowed_domains`, checked by the chat service; CORS only
lets browsers make the calls and read `Retry-After`.
"""

from fastapi import FastAPI
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import Message, Send


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
