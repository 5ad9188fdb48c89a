"""Operator authentication: `Authorization: Bearer <ADMIN_API_KEY>`, compared in constant time."""

import hmac

from fastapi import Request

from tinyeclipse.errors import Unauthorized
from tinyeclipse.web.deps import SettingsDep


def require_admin(request: Request, settings: SettingsDep) -> None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    expected = settings.admin_api_key.get_secret_value()
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise Unauthorized("A valid admin API key is required: send 'Authorization: Bearer <key>'.")
