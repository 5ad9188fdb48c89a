"""A data subject's rights: the export of everything stored about their sessions, and its erasure.

The visitor asks from the widget (the session id proves the data is theirs); the operator asks on their behalf,
by session id or by the email address the visitor left in a chat. Erasure deletes the rows (the usage counts of
the deleted messages stay as daily totals) and is logged with counts only.
"""

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from tinyeclipse.audit import service as audit
from tinyeclipse.audit.models import VISITOR
from tinyeclipse.config import Settings
from tinyeclipse.db import Connection, Database
from tinyeclipse.privacy import repository
from tinyeclipse.privacy.models import (
    DataExport,
    Erasure,
    ExportedConsent,
    ExportedConversation,
    ExportedMessage,
    ExportedTransition,
    SubjectRequest,
    Termination,
    VisitorRequest,
)
from tinyeclipse.ratelimit.limiter import consent_limits, consume
from tinyeclipse.tenants.access import active_tenant, require_allowed_origin, require_tenant


def _export(conn: Connection, tenant_id: UUID, sessions: list[str]) -> DataExport:
    conversations = repository.session_conversations(conn, sessions)
    ids = [row["id"] for row in conversations]
    messages: dict[UUID, list[ExportedMessage]] = {id_: [] for id_ in ids}
    for row in repository.conversation_messages(conn, ids):
        messages[row["conversation_id"]].append(ExportedMessage(**row))
    transitions: dict[UUID, list[ExportedTransition]] = {id_: [] for id_ in ids}
    for row in repository.conversation_transitions(conn, ids):
        transitions[row["conversation_id"]].append(ExportedTransition(**row))
    return DataExport(
        tenant_id=tenant_id,
        session_ids=sessions,
        exported_at=datetime.now(UTC),
        consents=[ExportedConsent(**row) for row in repository.session_consents(conn, sessions)],
        conversations=[
            ExportedConversation(**row, messages=messages[row["id"]], transitions=transitions[row["id"]])
            for row in conversations
        ],
    )


def _erase(conn: Connection, sessions: list[str]) -> dict[str, int]:
    conversations = [row["id"] for row in repository.session_conversations(conn, sessions, for_update=True)]
    # Messages first: their usage is counted into the day's totals while their conversation is still there.
    # Their question vectors and gap resolutions go with them (ON DELETE CASCADE).
    return {
        "messages": repository.archive_messages(conn, repository.message_ids(conn, conversations)),
        "usage_logs": repository.archive_usage_logs(conn, repository.usage_log_ids(conn, conversations)),
        "notification_deliveries": repository.delete_by_conversation(conn, "notification_deliveries", conversations),
        "conversation_transitions": repository.delete_by_conversation(conn, "conversation_transitions", conversations),
        "conversations": repository.delete_conversations(conn, conversations),
        "consents": repository.delete_session_consents(conn, sessions),
        "rate_limit_counters": repository.delete_session_counters(conn, sessions),
    }


def _export_details(export: DataExport) -> dict[str, Any]:
    return {
        "sessions": len(export.session_ids),
        "consents": len(export.consents),
        "conversations": len(export.conversations),
        "messages": sum(len(conversation.messages) for conversation in export.conversations),
    }


def _visitor_checks(conn: Connection, settings: Settings, request: VisitorRequest, origin: str | None) -> None:
    tenant = active_tenant(conn, request.tenant_id, settings).effective_settings
    require_allowed_origin(origin, tenant.allowed_domains)


def export_for_visitor(db: Database, settings: Settings, request: VisitorRequest, *, origin: str | None) -> DataExport:
    """The visitor's own session: its consent records, conversations and messages."""
    with db.tenant(request.tenant_id) as conn:
        _visitor_checks(conn, settings, request, origin)
        # An export reads every row of the session: counted like consent records. An erasure is not counted (its
        # counter would be a row of the session left behind).
        consume(conn, request.tenant_id, consent_limits(settings, request.session_id))
        export = _export(conn, request.tenant_id, [request.session_id])
        audit.record(
            conn,
            VISITOR,
            "privacy.export",
            tenant_id=request.tenant_id,
            target_type="session",
            details=_export_details(export),
        )
    return export


def erase_for_visitor(db: Database, settings: Settings, request: VisitorRequest, *, origin: str | None) -> Erasure:
    """Delete the visitor's own session's rows."""
    with db.tenant(request.tenant_id) as conn:
        _visitor_checks(conn, settings, request, origin)
        deleted = _erase(conn, [request.session_id])
        audit.record(
            conn, VISITOR, "privacy.erase", tenant_id=request.tenant_id, target_type="session", details=deleted
        )
    return Erasure(tenant_id=request.tenant_id, sessions=1, deleted=deleted)


def _subject_sessions(conn: Connection, request: SubjectRequest) -> list[str]:
    if request.session_id is not None:
        return [request.session_id]
    assert request.visitor_email is not None
    return repository.sessions_of_email(conn, request.visitor_email)


def _by(request: SubjectRequest) -> str:
    return "session_id" if request.session_id is not None else "visitor_email"


def export_for_subject(db: Database, request: SubjectRequest, actor: str) -> DataExport:
    """An operator's export for a data subject, by session id or the email the visitor left."""
    with db.tenant(request.tenant_id) as conn:
        require_tenant(conn, request.tenant_id)
        export = _export(conn, request.tenant_id, _subject_sessions(conn, request))
        details = {"by": _by(request), **_export_details(export)}
        audit.record(conn, actor, "privacy.export", tenant_id=request.tenant_id, target_type="subject", details=details)
    return export


def erase_for_subject(db: Database, request: SubjectRequest, actor: str) -> Erasure:
    """An operator's erasure for a data subject, by session id or the email the visitor left."""
    with db.tenant(request.tenant_id) as conn:
        require_tenant(conn, request.tenant_id)
        sessions = _subject_sessions(conn, request)
        deleted = _erase(conn, sessions)
        details = {"by": _by(request), "sessions": len(sessions), **deleted}
        audit.record(conn, actor, "privacy.erase", tenant_id=request.tenant_id, target_type="subject", details=details)
    return Erasure(tenant_id=request.tenant_id, sessions=len(sessions), deleted=deleted)


def terminate(conn: Connection, tenant_id: UUID, actor: str) -> Termination | None:
    """Delete every row of the tenant, table by table, in the caller's transaction (scoped to the tenant: row-level
    security keeps every delete inside it), and keep a receipt. A tenant terminated before: its receipt. Neither:
    None."""
    tenant = repository.lock_tenant(conn, tenant_id)
    if tenant is None:
        # A concurrent termination that committed while this one waited for the lock is seen here too.
        receipt = repository.termination(conn, tenant_id)
        return None if receipt is None else Termination(**receipt)
    deleted = {table: repository.delete_tenant_rows(conn, tenant_id, table) for table in repository.TENANT_TABLES}
    receipt = repository.insert_termination(
        conn,
        {
            "tenant_id": tenant_id,
            "whmcs_client_id": tenant["whmcs_client_id"],
            "deleted": deleted,
            "terminated_by": actor,
        },
    )
    audit.record(
        conn,
        actor,
        "tenant.terminate",
        tenant_id=tenant_id,
        target_type="tenant",
        target_id=tenant_id,
        details={"whmcs_client_id": tenant["whmcs_client_id"], "deleted": deleted},
    )
    return Termination(**receipt)
