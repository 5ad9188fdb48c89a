"""Secrets on AWS: read from SSM Parameter Store or Secrets Manager through Powertools parameters.

A secret setting X (DATABASE_URL, say) comes from the SecureString parameter named by `X_PARAMETER`,
or from the secret named by `X_SECRET`; when neither is set (locally), X is read from the environment
as usual. Nothing here runs, or imports boto3, unless one of those variables is set.
"""

import logging
from collections.abc import Mapping

from tinyeclipse.errors import Unavailable

logger = logging.getLogger(__name__)

SECRET_SETTINGS = (
    "database_url",
    "migrations_database_url",
    "admin_api_key",
    "admin_api_keys",
    "groq_api_key",
    "openai_api_key",
)
# Powertools caches each value this long; a rotated secret reaches a warm container within it.
MAX_AGE_SECONDS = 300


class SecretUnavailable(Unavailable):
    code = "secret_unavailable"


def _read(variable: str, name: str) -> str:
    from aws_lambda_powertools.utilities import parameters

    try:
        if variable.endswith("_PARAMETER"):
            value = parameters.get_parameter(name, decrypt=True, max_age=MAX_AGE_SECONDS)
        else:
            value = parameters.get_secret(name, max_age=MAX_AGE_SECONDS)
    except parameters.exceptions.GetParameterError as exc:
        # The name is logged for the operator; the visitor only learns that the service is not ready.
        logger.error("could not read %s=%s: %s", variable, name, exc)
        raise SecretUnavailable("The service is not configured: a secret it needs could not be read.") from exc
    return str(value)


def secrets_from_stores(environ: Mapping[str, str]) -> dict[str, str]:
    """The secret settings that `environ` says to read from a parameter or secret store, read."""
    found = {}
    for setting in SECRET_SETTINGS:
        for variable in (f"{setting.upper()}_PARAMETER", f"{setting.upper()}_SECRET"):
            if name := environ.get(variable):
                found[setting] = _read(variable, name)
                break
    return found
