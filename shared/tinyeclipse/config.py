"""The one settings object, read from the environment (and `.env` locally)."""

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Which file holds the local environment; tests point it elsewhere so a
# developer's own `.env` never leaks into a test run.
ENV_FILE_VARIABLE = "TINYECLIPSE_ENV_FILE"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    environment: Literal["local", "test", "aws"] = "local"
    log_level: str = "INFO"

    # The application's role: not the owner of the tables, so row-level security applies.
    database_url: SecretStr
    # The owner's role: runs migrations only.
    migrations_database_url: SecretStr
    db_pool_min_size: int = Field(default=1, ge=0)
    db_pool_max_size: int = Field(default=5, ge=1)
    db_connect_timeout_seconds: float = Field(default=5.0, gt=0)

    admin_api_key: SecretStr = Field(min_length=16)

    # Local stack (make up): Caddy's address and where embedded Postgres keeps its data.
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=1, le=65535)
    data_dir: Path = Path(".data")

    @field_validator("database_url", "migrations_database_url")
    @classmethod
    def _postgres_url(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().startswith(("postgresql://", "postgres://")):
            raise ValueError("must be a postgresql:// URL")
        return value


@lru_cache
def get_settings() -> Settings:
    return Settings(_env_file=os.environ.get(ENV_FILE_VARIABLE, ".env"))
