"""Operator authentication: `Authorization: Bearer <key>`, compared in constant time with every admin key.

The keys are ADMIN_API_KEYS' named keys and ADMIN_API_KEY (named "admin"); the name of the key that matched is
who the audit log says acted. The key is taken from that header only, never from a query string (which would
land in access logs).
"""

import hmac
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from tinyeclipse.errors import Unauthorized, Unavailable
from tinyeclipse.web.deps import SettingsDep

# Declares the scheme in the OpenAPI schema; the checks and their problem responses are ours.
_bearer = HTTPBearer(
    auto_error=False,
    description="An admin key: `Authorization: Bearer <key>` (ADMIN_API_KEY or one of ADMIN_API_KEYS).",
)


class AdminNotConfigured(Unavailable):
    code = "admin_not_configured"


def key_owner(keys: dict[str, str], token: str) -> str | None:
    """The name of the key `token` is, if any. Every key is compared, so the time taken tells nothing."""
    owner = None
    for name, key in keys.items():
        if hmac.compare_digest(token.encode(), key.encode()):
            owner = name
    return owner


def require_admin(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The operator's name (the key's); Unauthorized without a valid key."""
    keys = settings.admin_keys()
    if not keys:
        raise AdminNotConfigured("The admin API is not configured: neither ADMIN_API_KEY nor ADMIN_API_KEYS is set.")
    token = credentials.credentials.strip() if credentials is not None else ""
    owner = key_owner(keys, token) if token else None
    if owner is None:
        raise Unauthorized("A valid admin API key is required: send 'Authorization: Bearer <key>'.")
    return owner


# Who is acting, in a route of the admin router (FastAPI runs require_admin once per request and reuses it).
Admin = Annotated[str, Depends(require_admin)]
