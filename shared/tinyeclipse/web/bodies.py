"""Parsing bodies by hand, for routes that take more than one content type, with the usual 422 problems."""

from typing import Any, TypeVar

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, TypeAdapter, ValidationError

from tinyeclipse.web.guard import require_text

Model = TypeVar("Model", bound=BaseModel)
T = TypeVar("T")


def parse_json(adapter: TypeAdapter[T], body: bytes) -> T:
    try:
        return adapter.validate_json(body)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from exc


def parse_fields(model: type[Model], fields: dict[str, Any]) -> Model:
    """A model from form fields; multipart text passes the request guard unread, so NUL is refused here."""
    for name, value in fields.items():
        if isinstance(value, str):
            require_text(name, value)
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from exc
