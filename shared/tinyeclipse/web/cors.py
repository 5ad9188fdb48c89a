"""CORS for the public functions: the widget runs on tenants' own sites, any origin.

Which origins may really chat is the tenant's `allowed_domains`, checked by the chat service; CORS only
lets browsers make the calls and read `Retry-After`.
"""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware


def allow_any_origin(app: FastAPI) -> None:
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type"],
        expose_headers=["Retry-After"],
        max_age=600,
    )
