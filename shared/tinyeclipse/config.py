"""The one settings object, read from the environment (and `.env` locally)."""

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from tinyeclipse.embeddings.names import ALIASES, DEFAULT_MODEL, MODELS, EmbeddingModel
from tinyeclipse.secrets import secrets_from_stores
from tinyeclipse.tenants.settings import OPERATOR_WIDE, PER_PLAN, Plan, effective_settings, operator_defaults

# Which file holds the local environment; tests point it elsewhere so a
# developer's own `.env` never leaks into a test run.
ENV_FILE_VARIABLE = "TINYECLIPSE_ENV_FILE"
MIN_ADMIN_KEY_CHARS = 16
MIN_APP_SECRET_KEY_CHARS = 32
ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$|^https?://\[[0-9A-Fa-f:]+\](:\d{1,5})?$")
# The operator's tenant-setting defaults, unset unless given (see tinyeclipse.tenants.settings).
OPTIONAL_DEFAULTS = (
    *OPERATOR_WIDE.values(),
    *(f"{plan.value}_{setting}" for plan in Plan for setting in PER_PLAN),
)


class Settings(BaseSettings):
    # An error never repeats the value: it may be a key (ADMIN_API_KEYS) or a URL with a password.
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True, hide_input_in_errors=True)

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
    # How long a request waits for a pooled connection before it is answered 503 database_unavailable, unless
    # every connection of the pool is open and busy: then the database is up, and it waits up to
    # DB_POOL_BUSY_WAIT_SECONDS for one of them.
    db_pool_wait_seconds: float = Field(default=0.5, gt=0, le=30)
    db_pool_busy_wait_seconds: float = Field(default=10.0, gt=0, le=60)

    # Only the admin function needs it; the others run without it (least privilege on AWS).
    admin_api_key: SecretStr | None = None
    # More than one operator, each with a key of their own: "alice=key1,bob=key2". The audit log names the key's
    # owner; ADMIN_API_KEY, if set too, is the key named "admin".
    admin_api_keys: SecretStr | None = None

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
    # The LLM call's bounds: LLM_TIMEOUT_SECONDS is the whole call; at most LLM_MAX_CONCURRENCY calls at once per
    # process, a chat finding them all busy waits LLM_QUEUE_WAIT_SECONDS, then gets the hand-off answer; answers
    # are cut to LLM_MAX_ANSWER_CHARS. Chats run on CHAT_WORKER_THREADS threads of their own (not health's).
    llm_max_concurrency: int = Field(default=16, ge=1, le=256)
    llm_queue_wait_seconds: float = Field(default=1.0, ge=0, le=30)
    llm_max_answer_chars: int = Field(default=4000, ge=200, le=100_000)
    chat_worker_threads: int = Field(default=32, ge=1, le=256)
    chat_max_message_chars: int = Field(default=2000, ge=10, le=20_000)
    chat_history_turns: int = Field(default=3, ge=0, le=20)
    retrieval_top_k: int = Field(default=5, ge=1, le=20)
    retrieval_candidates: int = Field(default=20, ge=1, le=200)

    # Operator-wide defaults of every tenant's settings (the seed's variables; docs/chat.md, "Rate limits"). A
    # tenant's own override wins, then <PLAN>_RATE_LIMIT_PER_*, then these, then the plan's built-in default (the
    # thresholds: the fitted ones). Unset or empty: no default at this level.
    rate_limit_per_minute: int | None = Field(default=None, ge=1, le=10_000)
    rate_limit_per_day: int | None = Field(default=None, ge=1, le=10_000_000)
    tiny_rate_limit_per_minute: int | None = Field(default=None, ge=1, le=10_000)
    tiny_rate_limit_per_day: int | None = Field(default=None, ge=1, le=10_000_000)
    pro_rate_limit_per_minute: int | None = Field(default=None, ge=1, le=10_000)
    pro_rate_limit_per_day: int | None = Field(default=None, ge=1, le=10_000_000)
    pro_plus_rate_limit_per_minute: int | None = Field(default=None, ge=1, le=10_000)
    pro_plus_rate_limit_per_day: int | None = Field(default=None, ge=1, le=10_000_000)
    confidence_escalate_threshold: float | None = Field(default=None, ge=0, le=1)
    confidence_refuse_threshold: float | None = Field(default=None, ge=0, le=1)
    # How long conversations (RETENTION_DAYS) and consent records (CONSENT_RETENTION_DAYS) are kept, for every plan
    # (docs/privacy.md); 0 keeps them. Unset: the plan's default.
    retention_days: int | None = Field(default=None, ge=0, le=3_650)
    consent_retention_days: int | None = Field(default=None, ge=0, le=3_650)
    # POST /api/consent's own limits, per tenant and per session: the consent banner never uses up the chat's quota.
    consent_rate_limit_per_minute: int = Field(default=120, ge=1, le=100_000)
    consent_session_rate_limit_per_minute: int = Field(default=10, ge=1, le=1_000)
    # The embedding model of new tenants (each tenant may choose its own: tenant setting `embedding_model`).
    embedding_model: EmbeddingModel = DEFAULT_MODEL
    # The seed's name of GROQ_MODEL: either may be set; both set must agree.
    groq_chat_model: str | None = None
    # Browser origins allowed to call the admin API when the admin panel is served from another origin
    # (comma-separated: https://admin.example.com,http://localhost:3000); empty: the same origin only.
    cors_origins: Annotated[tuple[str, ...], NoDecode] = ()
    # The key for what the product signs: the webhook secrets are derived from it (docs/notifications.md).
    app_secret_key: SecretStr | None = None

    # Notifications (docs/notifications.md): webhooks signed with a key derived from APP_SECRET_KEY, and email
    # through SMTP (off while SMTP_HOST is empty). Delivered by the ingest worker, retried with backoff.
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_user: str = ""
    smtp_password: SecretStr | None = None
    smtp_from: str = ""
    smtp_starttls: bool = True
    smtp_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    webhook_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    # Tests and local development only: http:// webhooks, and to loopback or private addresses.
    webhook_allow_http: bool = False
    notify_max_attempts: int = Field(default=6, ge=1, le=50)
    notify_backoff_base_seconds: float = Field(default=30.0, ge=0)
    # Where operators open the admin panel (https://support.example.com/admin): emails link to the conversation.
    admin_public_url: str = ""

    @field_validator("smtp_password", mode="before")
    @classmethod
    def _no_smtp_password_when_empty(cls, value: object) -> object:
        return None if value == "" else value

    @model_validator(mode="after")
    def _smtp_has_a_sender(self) -> "Settings":
        if self.smtp_host and "@" not in self.smtp_from:
            raise ValueError("SMTP_HOST is set: SMTP_FROM must be the sender's address (support@example.com)")
        return self

    @field_validator(*OPTIONAL_DEFAULTS, "groq_chat_model", "app_secret_key", mode="before")
    @classmethod
    def _unset_when_empty(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("embedding_model", mode="before")
    @classmethod
    def _known_model(cls, value: object) -> object:
        if value in ("", None):
            return DEFAULT_MODEL
        if value not in ALIASES:
            raise ValueError(f"one of the packaged models {', '.join(MODELS)} (384 dimensions); got {value!r}")
        return ALIASES[value]

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            return value
        origins = tuple(str(item).strip().rstrip("/") for item in items if str(item).strip())
        for origin in origins:
            if not ORIGIN.match(origin):
                raise ValueError(f"{origin!r} is not an origin (scheme://host[:port], like https://admin.example.com)")
        return origins

    @field_validator("app_secret_key")
    @classmethod
    def _strong_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < MIN_APP_SECRET_KEY_CHARS:
            raise ValueError(f"must be at least {MIN_APP_SECRET_KEY_CHARS} characters")
        return value

    @model_validator(mode="before")
    @classmethod
    def _groq_chat_model_sets_groq_model(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not data.get("groq_chat_model"):
            return data
        chat_model, model = data["groq_chat_model"], data.get("groq_model")
        if model and model != chat_model:
            raise ValueError(
                f"GROQ_CHAT_MODEL={chat_model} and GROQ_MODEL={model} disagree: GROQ_MODEL is the older name "
                "of GROQ_CHAT_MODEL, keep one"
            )
        return {**data, "groq_model": chat_model}

    @model_validator(mode="after")
    def _defaults_make_valid_tenant_settings(self) -> "Settings":
        defaults = operator_defaults(self)
        for plan in Plan:
            try:
                effective_settings(plan, {}, defaults)
            except ValidationError as exc:
                raise ValueError(
                    f"with RATE_LIMIT_*, {plan.value.upper()}_RATE_LIMIT_* and CONFIDENCE_*_THRESHOLD as set, "
                    f"a tenant on the {plan.value} plan would have invalid settings: {exc.errors()[0]['msg']}"
                ) from exc
        return self

    @field_validator(
        "groq_api_key", "openai_api_key", "migrations_database_url", "admin_api_key", "admin_api_keys", mode="before"
    )
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
    def _one_admin(self) -> "Settings":
        named = parse_admin_keys(self.admin_api_keys.get_secret_value()) if self.admin_api_keys else {}
        single = self.admin_api_key.get_secret_value() if self.admin_api_key else None
        if single is not None and "admin" in named and named["admin"] != single:
            raise ValueError('ADMIN_API_KEYS names a key "admin" that is not ADMIN_API_KEY: keep one of them')
        if single is not None and single in named.values() and named.get("admin") != single:
            raise ValueError("ADMIN_API_KEY is also a named key in ADMIN_API_KEYS: keep one of them")
        return self

    def admin_keys(self) -> dict[str, str]:
        """Every admin key by its owner's name: ADMIN_API_KEYS' pairs, and ADMIN_API_KEY as "admin"."""
        keys = parse_admin_keys(self.admin_api_keys.get_secret_value()) if self.admin_api_keys else {}
        if self.admin_api_key is not None:
            keys.setdefault("admin", self.admin_api_key.get_secret_value())
        return keys

    @model_validator(mode="after")
    def _queue_has_an_address(self) -> "Settings":
        if self.job_queue == "sqs" and not self.job_queue_url:
            raise ValueError("JOB_QUEUE=sqs needs JOB_QUEUE_URL (the SQS queue's URL)")
        return self


ADMIN_KEY_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,60}$")


def parse_admin_keys(text: str) -> dict[str, str]:
    """ADMIN_API_KEYS' "name=key,name=key" pairs; ValueError (without any key in it) when malformed."""
    keys: dict[str, str] = {}
    for number, pair in enumerate((item.strip() for item in text.split(",") if item.strip()), start=1):
        name, equals, key = pair.partition("=")
        name, key = name.strip(), key.strip()
        if not equals or not ADMIN_KEY_NAME.match(name):
            raise ValueError(f"pair {number}: write name=key, the name of letters, digits and _.@- (like alice=...)")
        if len(key) < MIN_ADMIN_KEY_CHARS:
            raise ValueError(f"{name}'s key must be at least {MIN_ADMIN_KEY_CHARS} characters")
        if name in keys:
            raise ValueError(f"the name {name} is given twice")
        if key in keys.values():
            raise ValueError(f"{name}'s key is another name's key too: the audit log could not tell them apart")
        keys[name] = key
    if not keys:
        raise ValueError("no name=key pair")
    return keys


@lru_cache
def get_settings() -> Settings:
    # Values read from SSM / Secrets Manager (on AWS) win over the environment and the env file.
    return Settings(_env_file=os.environ.get(ENV_FILE_VARIABLE, ".env"), **secrets_from_stores(os.environ))
