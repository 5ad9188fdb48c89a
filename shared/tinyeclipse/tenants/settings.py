"""A tenant's settings: plan defaults, the operator's defaults, the overrides stored per tenant, and how a
patch merges in.

A setting's value is the first of: the tenant's override; the operator's per-plan variable
(`PRO_RATE_LIMIT_PER_MINUTE`); the operator-wide variable (`RATE_LIMIT_PER_MINUTE`); the plan's built-in
default (PLAN_DEFAULTS); for the confidence thresholds, the fitted ones (FITTED_THRESHOLDS).
"""

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources
from typing import TYPE_CHECKING, Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from tinyeclipse.embeddings.names import DEFAULT_MODEL, EmbeddingModel
from tinyeclipse.errors import InvalidInput

if TYPE_CHECKING:
    from tinyeclipse.config import Settings


class Plan(StrEnum):
    tiny = "tiny"
    pro = "pro"
    pro_plus = "pro_plus"


_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_HOST = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*(:\d{{1,5}})?$")


def normalize_domain(value: str) -> str:
    """A bare host name, optionally with a port: `example.com`, `shop.example.com:8443`."""
    domain = value.strip().lower().rstrip(".")
    if not _HOST.match(domain):
        raise ValueError(f"'{value}' is not a host name (like example.com, without scheme or path)")
    return domain


Domain = Annotated[str, AfterValidator(normalize_domain)]
Colour = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]

# One @, a dotted domain, no spaces: enough to catch a typo; whether it reaches anyone only sending tells.
_EMAIL = re.compile(r"^[^@\s]{1,64}@(?=.{1,253}$)[^@\s.]+(\.[^@\s.]+)+$")


def normalize_email(value: str) -> str:
    address = value.strip()
    if len(address) > 254 or not _EMAIL.match(address):
        raise ValueError(f"'{value}' is not an email address (like name@example.com)")
    return address


EmailAddress = Annotated[str, AfterValidator(normalize_email)]

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# "24:00" may only end a day.
ClockTime = Annotated[str, Field(pattern=r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")]


class OfficeHours(BaseModel):
    """When the team answers: per weekday, opening and closing times in the tenant's time zone."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timezone: str = Field(description="An IANA time zone, like Europe/Amsterdam.")
    # A day that is not listed is closed.
    days: dict[Weekday, list[tuple[ClockTime, ClockTime]]] = Field(default_factory=dict)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"'{value}' is not a known time zone (like Europe/Amsterdam)") from exc
        return value

    @field_validator("days")
    @classmethod
    def _opens_before_it_closes(
        cls, value: dict[Weekday, list[tuple[str, str]]]
    ) -> dict[Weekday, list[tuple[str, str]]]:
        for day, ranges in value.items():
            for start, end in ranges:
                if start == "24:00" or start >= end:
                    raise ValueError(f"{day}: {start}-{end} must open before it closes")
        return value


def _webhook_url(value: str | None, info: ValidationInfo) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    # http only where the operator's environment allows it (WEBHOOK_ALLOW_HTTP, for tests and local runs).
    allowed = ("https", "http") if (info.context or {}).get("webhook_allow_http") else ("https",)
    if parts.scheme not in allowed or not parts.hostname:
        raise ValueError("must be an https:// URL")
    return value


# The default thresholds are chosen from data with the confidence model (`make calibrate`, docs/chat.md).
FITTED_THRESHOLDS: dict[str, float] = json.loads(
    resources.files("tinyeclipse.chat").joinpath("confidence_model.json").read_text()
)["thresholds"]


class TenantSettings(BaseModel):
    """The effective settings of a tenant: plan defaults with the tenant's overrides on top."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Confidence is the fitted probability that an answer is right; what a threshold means is in docs/chat.md.
    escalate_threshold: float = Field(default=FITTED_THRESHOLDS["escalate"], ge=0, le=1)
    refuse_threshold: float = Field(default=FITTED_THRESHOLDS["refuse"], ge=0, le=1)
    rate_limit_per_minute: int = Field(default=10, ge=1, le=10_000)
    rate_limit_per_day: int = Field(default=500, ge=1, le=10_000_000)
    session_rate_limit_per_minute: int = Field(default=5, ge=1, le=1_000)
    session_rate_limit_per_day: int = Field(default=100, ge=1, le=100_000)
    # The bot's answers per calendar month (UTC); past it the team answers (docs/dashboard.md, "Quota").
    monthly_message_quota: int = Field(default=1_000, ge=1, le=100_000_000)
    allowed_domains: list[Domain] = Field(default_factory=list, max_length=50)
    terms_version: str = Field(default="1", min_length=1, max_length=40)
    terms_url: str | None = Field(default=None, pattern=r"^https?://", max_length=2000)
    greeting: str = Field(default="Hi! How can I help you today?", min_length=1, max_length=500)
    primary_color: Colour = "#4f46e5"
    primary_text_color: Colour = "#ffffff"
    language: str = Field(default="en", pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    # Which model embeds the tenant's knowledge and questions (docs/languages.md). New tenants get the operator's
    # EMBEDDING_MODEL; changing it re-indexes every source, and the answers switch when that is complete.
    embedding_model: EmbeddingModel = DEFAULT_MODEL
    contact: str | None = Field(default=None, min_length=3, max_length=500)
    # Replaces the plan's system prompt for this tenant's bot.
    system_prompt: str | None = Field(default=None, min_length=10, max_length=8_000)
    # How often url and pdf-by-url sources are fetched again; 0 turns scheduled re-ingestion off.
    reingest_interval_hours: int = Field(default=168, ge=0, le=24 * 365)
    # Privacy (docs/privacy.md): conversations and their messages are deleted this many days after their last
    # message; consent records this many days after they were given, and only once their session has no
    # conversation left (the proof outlives what it covers). 0 keeps them.
    retention_days: int = Field(default=365, ge=0, le=3_650)
    consent_retention_days: int = Field(default=1_095, ge=0, le=3_650)
    # The hand-off (docs/chat.md): when a person answers, what the visitor is told, when the widget asks for an
    # email, whether an escalated answer hands the conversation to the team, and where the team is told.
    office_hours: OfficeHours | None = Field(default=None, description="Absent: always open.")
    expected_reply: str | None = Field(default=None, min_length=1, max_length=200)
    ask_email_after_minutes: int = Field(default=5, ge=0, le=7 * 24 * 60)
    # Off by default: an escalated answer is still shown and flagged for review, and the bot keeps answering. At
    # the default threshold about 7 in 10 answerable questions are escalated (docs/benchmarks.md): handing each
    # over would park most conversations; the visitor asks for a person (or presses the button) when they want one.
    escalation_hands_over: bool = False
    notify_email: EmailAddress | None = None
    webhook_url: Annotated[str | None, AfterValidator(_webhook_url)] = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _refuse_below_escalate(self) -> "TenantSettings":
        if self.refuse_threshold > self.escalate_threshold:
            raise ValueError("refuse_threshold must not be above escalate_threshold")
        return self


PLAN_DEFAULTS: dict[Plan, dict[str, Any]] = {
    Plan.tiny: {
        "monthly_message_quota": 1_000,
        "rate_limit_per_minute": 10,
        "rate_limit_per_day": 500,
        "session_rate_limit_per_minute": 5,
        "session_rate_limit_per_day": 100,
        "reingest_interval_hours": 168,
        "retention_days": 90,
    },
    Plan.pro: {
        "monthly_message_quota": 10_000,
        "rate_limit_per_minute": 30,
        "rate_limit_per_day": 5_000,
        "session_rate_limit_per_minute": 10,
        "session_rate_limit_per_day": 200,
        "reingest_interval_hours": 24,
        "retention_days": 365,
    },
    Plan.pro_plus: {
        "monthly_message_quota": 100_000,
        "rate_limit_per_minute": 120,
        "rate_limit_per_day": 50_000,
        "session_rate_limit_per_minute": 20,
        "session_rate_limit_per_day": 500,
        "reingest_interval_hours": 6,
        "retention_days": 730,
    },
}


def merge_patch(target: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """JSON merge patch (RFC 7396): keys in `patch` replace, `null` removes, objects merge."""
    merged = dict(target)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_patch(merged[key], value)
        else:
            merged[key] = value
    return merged


# Which variable of the operator's environment (a Settings field) sets which tenant setting for every plan.
OPERATOR_WIDE: dict[str, str] = {
    "rate_limit_per_minute": "rate_limit_per_minute",
    "rate_limit_per_day": "rate_limit_per_day",
    "escalate_threshold": "confidence_escalate_threshold",
    "refuse_threshold": "confidence_refuse_threshold",
    "retention_days": "retention_days",
    "consent_retention_days": "consent_retention_days",
}
# Tenant settings the operator may also set per plan, as `<plan>_<setting>` (PRO_RATE_LIMIT_PER_MINUTE).
PER_PLAN = ("rate_limit_per_minute", "rate_limit_per_day")


@dataclass(frozen=True)
class OperatorDefaults:
    """What the operator's environment sets for every plan, and for one plan; empty: the built-in defaults."""

    every_plan: Mapping[str, Any] = field(default_factory=dict)
    per_plan: Mapping[Plan, Mapping[str, Any]] = field(default_factory=dict)
    webhook_allow_http: bool = False

    def for_plan(self, plan: Plan) -> dict[str, Any]:
        """A tenant's settings on `plan` before its own overrides (what is not here is TenantSettings' default)."""
        return {**PLAN_DEFAULTS[plan], **self.every_plan, **self.per_plan.get(plan, {})}


def operator_defaults(settings: "Settings") -> OperatorDefaults:
    """The defaults set in `settings` (the environment): variables left unset are not defaults."""
    every_plan = {key: value for key, name in OPERATOR_WIDE.items() if (value := getattr(settings, name)) is not None}
    per_plan = {
        plan: {key: value for key in PER_PLAN if (value := getattr(settings, f"{plan.value}_{key}")) is not None}
        for plan in Plan
    }
    return OperatorDefaults(every_plan, per_plan, webhook_allow_http=settings.webhook_allow_http)


def effective_settings(plan: Plan, overrides: dict[str, Any], defaults: OperatorDefaults) -> TenantSettings:
    return TenantSettings.model_validate(
        {**defaults.for_plan(plan), **overrides}, context={"webhook_allow_http": defaults.webhook_allow_http}
    )


def validate_overrides(plan: Plan, overrides: dict[str, Any], defaults: OperatorDefaults) -> dict[str, Any]:
    """The overrides, normalized, if they make valid settings for `plan`; InvalidInput if not."""
    try:
        settings = effective_settings(plan, overrides, defaults)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(["settings", *(str(part) for part in first["loc"])])
        raise InvalidInput(f"{where}: {first['msg']}") from exc
    normalized = settings.model_dump(mode="json")
    return {key: normalized[key] for key in overrides}
