"""Domain errors with stable codes. Services raise these; the web layer maps each kind to a status."""


class AppError(Exception):
    """An error the caller can act on, identified by a stable `code`."""

    code = "error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidInput(AppError):
    code = "invalid_request"


class Unauthorized(AppError):
    code = "unauthorized"


class Forbidden(AppError):
    code = "forbidden"


class NotFound(AppError):
    code = "not_found"


class Conflict(AppError):
    code = "conflict"


class TooLarge(AppError):
    code = "payload_too_large"


class Unavailable(AppError):
    code = "unavailable"


class DatabaseUnavailable(Unavailable):
    """The database cannot be reached right now; the caller may try again after `retry_after` seconds."""

    code = "database_unavailable"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
