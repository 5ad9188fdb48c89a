"""Operator authentication: `Authorization: Bearer <ADMIN_API_KEY>`, compared in constant time.

The key is taken from that header only, never from a query string (which would land in access logs).
"""

import hmac
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from tinyeclipse.errors import Unauthorized, Unavailable
from tinyeclipse.web.deps import SettingsDep

# Declares the scheme in the OpenAPI schema; the checks and their problem responses are ours.
_bearer = HTTPBearer(auto_error=False, description="The admin key: `Authorization: Bearer <ADMIN_API_KEY>`.")


class AdminNotConfigured(Unavailable):
    code = "admin_not_configured"


def require_admin(
    settings: SettingsDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> None:
    if settings.admin_api_key is None:
        raise AdminNotConfigured("The admin API is not configured: ADMIN_API_KEY is not set.")
    token = credentials.credentials.strip() if credentials is not None else ""
    expected = settings.admin_api_key.get_secret_value()
    if not token or not hmac.compare_digest(token.encode(), expected.encode()):
        raise Unauthorized("A valid admin API key is required: send 'Authorization: Bearer <key>'.")
