"""Consent use cases: record a visitor's answer, tell whether a session may chat."""

from typing import Any
from uuid import UUID

from tinyeclipse.config import Settings
from tinyeclipse.consent import repository
from tinyeclipse.consent.models import Consent, ConsentCreate, ConsentStatus
from tinyeclipse.db import Connection, Database
from tinyeclipse.errors import InvalidInput
from tinyeclipse.ratelimit.limiter import consent_limits, consume
from tinyeclipse.tenants.access import active_tenant, require_allowed_origin


def record_consent(
    db: Database,
    settings: Settings,
    data: ConsentCreate,
    *,
    origin: str | None,
    ip_address: str | None,
    user_agent: str | None,
) -> Consent:
    """Append the visitor's answer. Accepting needs the current terms; a refusal is kept whatever its version.
    The request must come from one of the tenant's domains (when it lists any) and within the consent limits."""
    with db.tenant(data.tenant_id) as conn:
        tenant = active_tenant(conn, data.tenant_id, settings).effective_settings
        require_allowed_origin(origin, tenant.allowed_domains)
        if data.accepted and data.terms_version != tenant.terms_version:
            raise InvalidInput(
                f"terms_version: terms version {data.terms_version} is not current; "
                f"the current terms are version {tenant.terms_version}."
            )
        consume(conn, data.tenant_id, consent_limits(settings, data.session_id))
        row = repository.insert(conn, {**data.model_dump(), "ip_address": ip_address, "user_agent": user_agent})
    return Consent(**row)


def _accepts(record: dict[str, Any] | None, terms_version: str) -> bool:
    return record is not None and record["accepted"] and record["terms_version"] == terms_version


def has_current_consent(conn: Connection, tenant_id: UUID, session_id: str, current_terms_version: str) -> bool:
    """Whether the session's latest record accepts `current_terms_version` (inside the caller's tenant transaction)."""
    return _accepts(repository.latest(conn, tenant_id, session_id), current_terms_version)


def consent_status(
    db: Database, settings: Settings, tenant_id: UUID, session_id: str, *, origin: str | None
) -> ConsentStatus:
    with db.tenant(tenant_id) as conn:
        tenant = active_tenant(conn, tenant_id, settings).effective_settings
        require_allowed_origin(origin, tenant.allowed_domains)
        latest = repository.latest(conn, tenant_id, session_id)
    return ConsentStatus(
        consented=_accepts(latest, tenant.terms_version),
        terms_version=latest["terms_version"] if latest else None,
        current_terms_version=tenant.terms_version,
    )
