"""Operator authentication: `Authorization: Bearer <ADMIN_API_KEY>`, compared in constant time."""

import hmac

from fastapi import Request

from tinyeclipse.errors import Unauthorized, Unavailable
from tinyeclipse.web.deps import SettingsDep


class AdminNotConfigured(Unavailable):
    code = "admin_not_configured"


def require_admin(request: Request, settings: SettingsDep) -> None:
    if settings.admin_api_key is None:
        raise AdminNotConfigured("The admin API is not configured: ADMIN_API_KEY is not set.")
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    expected = settings.admin_api_key.get_secret_value()
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise Unauthorized("A valid admin API key is required: send 'Authorization: Bearer <key>'.")
