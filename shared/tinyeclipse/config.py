"""The one settings object, read from the environment (and `.env` locally)."""

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from tinyeclipse.secrets import secrets_from_stores

# Which file holds the local environment; tests point it elsewhere so a
# developer's own `.env` never leaks into a test run.
ENV_FILE_VARIABLE = "TINYECLIPSE_ENV_FILE"
MIN_ADMIN_KEY_CHARS = 16


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    environment: Literal["local", "test", "aws"] = "local"
    log_level: str = "INFO"

    # The application's role: not the owner of the tables, so row-level security applies.
    database_url: SecretStr
    # The owner's role: runs migrations only (the local runner and `python -m infra.database`; Lambda has none).
    migrations_database_url: SecretStr | None = None
    db_pool_min_size: int = Field(default=1, ge=0)
    db_pool_max_size: int = Field(default=5, ge=1)
    # How long one new connection may take to open (libpq: whole seconds, at least 2).
    db_connect_timeout_seconds: float = Field(default=5.0, gt=0)
    # How long a request waits for a pooled connection before it is answered 503 database_unavailable.
    db_pool_wait_seconds: float = Field(default=0.5, gt=0, le=30)

    # Only the admin function needs it; the others run without it (least privilege on AWS).
    admin_api_key: SecretStr | None = None

    # Local stack (make up): Caddy's address and where embedded Postgres keeps its data.
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=1, le=65535)
    demo_port: int = Field(default=8090, ge=1, le=65535)  # the demo site, on its own origin
    data_dir: Path = Path(".data")

    # Ingestion: fetching (the guard against private addresses protects the operator's network).
    ingest_fetch_timeout_seconds: float = Field(default=15.0, gt=0)
    ingest_max_html_bytes: int = Field(default=5_000_000, ge=1_000)
    ingest_max_pdf_bytes: int = Field(default=25_000_000, ge=1_000)
    ingest_max_redirects: int = Field(default=5, ge=0, le=20)
    ingest_user_agent: str = "TinyEclipseBot/0.1 (+https://tinyeclipse.dev/bot)"
    ingest_allow_private_urls: bool = False
    ingest_crawl_max_pages: int = Field(default=50, ge=1, le=1000)
    # Chunks stay below the model's 256-token window (2 special tokens included).
    chunk_max_tokens: int = Field(default=200, ge=16, le=254)
    chunk_overlap_tokens: int = Field(default=40, ge=0, le=128)
    embedding_batch_size: int = Field(default=32, ge=1, le=512)
    # The job queue.
    job_max_attempts: int = Field(default=5, ge=1, le=50)
    # Renewed every third of it while the worker lives (worker.Heartbeat): a dead worker's job waits at most this.
    job_lease_seconds: int = Field(default=30, ge=5)
    job_backoff_base_seconds: float = Field(default=10.0, ge=0)
    worker_poll_seconds: float = Field(default=1.0, gt=0)
    # Where jobs go: the Postgres queue (its worker polls it) or SQS (on AWS; the queue consumer Lambda).
    job_queue: Literal["postgres", "sqs"] = "postgres"
    job_queue_url: str | None = None
    scheduler_interval_seconds: float = Field(default=60.0, gt=0)

    # Chat: the answering provider. "auto" is groq when GROQ_API_KEY is set, else the offline extractive one.
    llm_provider: Literal["auto", "groq", "openai", "extractive"] = "auto"
    groq_api_key: SecretStr | None = None
    groq_model: str = "llama-3.3-70b-versatile"
    groq_base_url: str | None = None  # only to point the SDK elsewhere (tests use a local fake)
    openai_base_url: str = "http://127.0.0.1:11434/v1"  # any OpenAI-compatible server: Ollama, vLLM, llama.cpp
    openai_api_key: SecretStr | None = None
    openai_model: str = "llama3.1"
    llm_timeout_seconds: float = Field(default=20.0, gt=0)
    llm_max_tokens: int = Field(default=600, ge=16, le=8192)
    llm_temperature: float = Field(default=0.2, ge=0, le=2)
    chat_max_message_chars: int = Field(default=2000, ge=10, le=20_000)
    chat_history_turns: int = Field(default=3, ge=0, le=20)
    retrieval_top_k: int = Field(default=5, ge=1, le=20)
    retrieval_candidates: int = Field(default=20, ge=1, le=200)

    @field_validator("groq_api_key", "openai_api_key", "migrations_database_url", "admin_api_key", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("database_url", "migrations_database_url")
    @classmethod
    def _postgres_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(("postgresql://", "postgres://")):
            raise ValueError("must be a postgresql:// URL")
        return value

    @field_validator("admin_api_key")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < MIN_ADMIN_KEY_CHARS:
            raise ValueError(f"must be at least {MIN_ADMIN_KEY_CHARS} characters")
        return value

    @model_validator(mode="after")
    def _queue_has_an_address(self) -> "Settings":
        if self.job_queue == "sqs" and not self.job_queue_url:
            raise ValueError("JOB_QUEUE=sqs needs JOB_QUEUE_URL (the SQS queue's URL)")
        return self


@lru_cache
def get_settings() -> Settings:
    # Values read from SSM / Secrets Manager (on AWS) win over the environment and the env file.
    return Settings(_env_file=os.environ.get(ENV_FILE_VARIABLE, ".env"), **secrets_from_stores(os.environ))
