"""uvicorn's access lines without query strings.

Query strings carry session ids (`/api/consent/check?session_id=...`) and, from a careless client, maybe
a key (`?api_key=...`, which no route accepts); neither belongs in a log file. The line keeps the client,
the method, the path and the status.
"""

import logging

ACCESS_LOGGER = "uvicorn.access"
# uvicorn's access record: (client address, method, path with query string, HTTP version, status).
_PATH_ARG = 2


class DropQueryString(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) > _PATH_ARG and isinstance(args[_PATH_ARG], str):
            path = args[_PATH_ARG].partition("?")[0]
            record.args = (*args[:_PATH_ARG], path, *args[_PATH_ARG + 1 :])
        return True


def redact_access_log() -> None:
    """Install the filter on uvicorn's access logger (once; uvicorn configures its logging before it imports
    the app, and keeps the logger object)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(existing, DropQueryString) for existing in logger.filters):
        logger.addFilter(DropQueryString())
