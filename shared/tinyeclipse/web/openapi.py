"""The problem responses in every app's OpenAPI schema: what a client (and the fuzzer) may get besides 2xx.

Some apply to every operation and are added here: 422 (validation, and the request guard's NUL check),
503 (the database, or the admin key not configured), 413 for operations with a body, 404 for operations
on an item (a path parameter). The rest (401, 403, 404, 409, 429) a route declares with
`responses=problem_responses(...)`.
"""

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from tinyeclipse.web.problems import PROBLEM_MEDIA_TYPE

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "An error: a stable `code` to act on and a `detail` for people.",
    "required": ["code", "detail"],
    "properties": {
        "code": {"type": "string", "description": "Stable, e.g. invalid_request, tenant_not_found, rate_limited."},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "For invalid_request from validation: each field that failed.",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}

DESCRIPTIONS = {
    401: "unauthorized: the admin key is missing or wrong (`Authorization: Bearer <ADMIN_API_KEY>`).",
    403: "Forbidden, e.g. consent_required, tenant_suspended, origin_not_allowed.",
    404: "Not found, e.g. tenant_not_found, conversation_not_found, source_not_found.",
    409: "conflict, e.g. whmcs_client_id_taken.",
    413: "payload_too_large: the body (or an uploaded file) is over the limit.",
    422: "invalid_request: the input does not validate (`errors` lists the fields), or holds a NUL character.",
    429: "rate_limited: too many requests; try again after `Retry-After` seconds.",
    503: "Unavailable for now, e.g. database_unavailable (with `Retry-After`), admin_not_configured.",
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again.", "schema": {"type": "integer"}}}
HEADERS = {
    401: {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}},
    429: RETRY_AFTER,
    503: RETRY_AFTER,
}
# FastAPI's own 422 schemas, replaced by Problem.
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def _response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": DESCRIPTIONS[status],
        "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF}},
    }
    if status in HEADERS:
        response["headers"] = HEADERS[status]
    return response


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route or router: the problem statuses it may answer beyond the common ones."""
    return {status: _response(status) for status in statuses}


def _common_statuses(operation: dict[str, Any]) -> set[int]:
    statuses = {422, 503}
    if "requestBody" in operation:
        statuses.add(413)
    if any(parameter.get("in") == "path" for parameter in operation.get("parameters", [])):
        statuses.add(404)
    return statuses


def _document(schema: dict[str, Any]) -> dict[str, Any]:
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            declared = {int(status) for status in responses if str(status).isdigit() and int(status) >= 400}
            for status in sorted(declared | _common_statuses(operation)):
                responses[str(status)] = _response(status)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name in _FASTAPI_VALIDATION_SCHEMAS:
        components.pop(name, None)
    components["Problem"] = PROBLEM_SCHEMA
    return schema


def document_problems(app: FastAPI) -> None:
    """Make `app.openapi()` list the problem responses of every operation."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _document(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
