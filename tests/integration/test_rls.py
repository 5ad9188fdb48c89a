"""Row-level security: inside tenant A's transaction, tenant B does not exist."""

from uuid import UUID, uuid4

import numpy as np
import psycopg
import pytest

from tests.conftest import TABLES
from tinyeclipse.db import Database


def _add_tenant_with_rows(db: Database, whmcs_client_id: int) -> UUID:
    """A tenant with one row in every tenant-owned table, written through its own scoped transaction."""
    tenant_id = uuid4()
    with db.operator() as conn:
        conn.execute(
            "INSERT INTO tenants (id, whmcs_client_id, name) VALUES (%s, %s, %s)",
            [tenant_id, whmcs_client_id, f"Tenant {whmcs_client_id}"],
        )
    with db.tenant(tenant_id) as conn:
        source = conn.execute(
            "INSERT INTO sources (tenant_id, type, content) VALUES (%s, 'text', to_jsonb('hello'::text)) RETURNING id",
            [tenant_id],
        ).fetchone()["id"]
        document = conn.execute(
            "INSERT INTO documents (tenant_id, source_id, key, content_hash, position)"
            " VALUES (%s, %s, 'text', 'h', 0) RETURNING id",
            [tenant_id, source],
        ).fetchone()["id"]
        conn.execute(
            "INSERT INTO embeddings"
            " (tenant_id, source_id, document_id, chunk_index, content, embedding, embedding_model)"
            " VALUES (%s, %s, %s, 0, 'hi', %s, 'all-MiniLM-L6-v2')",
            [tenant_id, source, document, np.ones(384, dtype=np.float32)],
        )
        conn.execute(
            "INSERT INTO source_files (source_id, tenant_id, filename, content_type, size_bytes, data)"
            " VALUES (%s, %s, 'a.pdf', 'application/pdf', 3, 'pdf')",
            [source, tenant_id],
        )
        conn.execute(
            "INSERT INTO ingest_jobs (tenant_id, source_id, reason, max_attempts) VALUES (%s, %s, 'created', 3)",
            [tenant_id, source],
        )
        conversation = conn.execute(
            "INSERT INTO conversations (tenant_id, session_id) VALUES (%s, 's1') RETURNING id", [tenant_id]
        ).fetchone()["id"]
        message = conn.execute(
            "INSERT INTO messages (tenant_id, conversation_id, role, content)"
            " VALUES (%s, %s, 'user', 'hi') RETURNING id",
            [tenant_id, conversation],
        ).fetchone()["id"]
        conn.execute(
            "INSERT INTO gap_resolutions (message_id, tenant_id, resolution) VALUES (%s, %s, 'dismissed')",
            [message, tenant_id],
        )
        conn.execute(
            "INSERT INTO question_embeddings (message_id, tenant_id, model, embedding)"
            " VALUES (%s, %s, 'all-MiniLM-L6-v2', %s)",
            [message, tenant_id, np.ones(384, dtype=np.float32)],
        )
        conn.execute("INSERT INTO quota_counters (tenant_id, month, used) VALUES (%s, '2026-12-01', 1)", [tenant_id])
        conn.execute(
            "INSERT INTO conversation_transitions (tenant_id, conversation_id, from_state, to_state, actor, reason)"
            " VALUES (%s, %s, 'bot', 'waiting', 'visitor', 'handoff_button')",
            [tenant_id, conversation],
        )
        conn.execute(
            "INSERT INTO notification_deliveries (tenant_id, conversation_id, event, channel, target, payload)"
            " VALUES (%s, %s, 'handoff.requested', 'webhook', 'https://example.com/hook', '{}')",
            [tenant_id, conversation],
        )
        conn.execute(
            "INSERT INTO consents (tenant_id, session_id, accepted, terms_version) VALUES (%s, 's1', true, '1')",
            [tenant_id],
        )
        conn.execute("INSERT INTO usage_logs (tenant_id, endpoint) VALUES (%s, 'chat')", [tenant_id])
        conn.execute(
            "INSERT INTO rate_limit_counters (tenant_id, key, window_start, count) VALUES (%s, 'minute', now(), 1)",
            [tenant_id],
        )
        conn.execute(
            "INSERT INTO audit_log (actor, action, tenant_id) VALUES ('visitor:widget', 'privacy.export', %s)",
            [tenant_id],
        )
        conn.execute("INSERT INTO usage_archive (tenant_id, day, messages) VALUES (%s, '2026-01-01', 1)", [tenant_id])
        conn.execute(
            "INSERT INTO idempotency_keys (key, request_hash, tenant_id) VALUES (%s, 'h', %s)",
            [f"key-{tenant_id}", tenant_id],
        )
        conn.execute(
            "INSERT INTO tenant_terminations (tenant_id, whmcs_client_id, deleted, terminated_by)"
            " VALUES (%s, 1, '{}', 'admin')",
            [tenant_id],
        )
    return tenant_id


@pytest.fixture
def two_tenants(clean_db: Database) -> tuple[UUID, UUID]:
    return _add_tenant_with_rows(clean_db, 101), _add_tenant_with_rows(clean_db, 102)


def _owner_column(table: str) -> str:
    return "id" if table == "tenants" else "tenant_id"


@pytest.mark.parametrize("table", TABLES)
def test_a_query_without_where_sees_only_the_current_tenant(
    clean_db: Database, two_tenants: tuple[UUID, UUID], table: str
) -> None:
    a, b = two_tenants
    with clean_db.tenant(a) as conn:
        seen = {row["owner"] for row in conn.execute(f"SELECT {_owner_column(table)} AS owner FROM {table}")}
    assert seen == {a}
    with clean_db.tenant(b) as conn:
        seen = {row["owner"] for row in conn.execute(f"SELECT {_owner_column(table)} AS owner FROM {table}")}
    assert seen == {b}


def test_inserting_a_row_for_another_tenant_is_rejected_in_every_table(
    clean_db: Database, two_tenants: tuple[UUID, UUID]
) -> None:
    a, b = two_tenants
    inserts = {
        "tenants": ("INSERT INTO tenants (id, whmcs_client_id, name) VALUES (%(b)s, 999, 'x')", {}),
        "sources": ("INSERT INTO sources (tenant_id, type) VALUES (%(b)s, 'text')", {}),
        "conversations": ("INSERT INTO conversations (tenant_id, session_id) VALUES (%(b)s, 's')", {}),
        "consents": (
            "INSERT INTO consents (tenant_id, session_id, accepted, terms_version) VALUES (%(b)s, 's', true, '1')",
            {},
        ),
        "usage_logs": ("INSERT INTO usage_logs (tenant_id, endpoint) VALUES (%(b)s, 'chat')", {}),
        "rate_limit_counters": (
            "INSERT INTO rate_limit_counters (tenant_id, key, window_start, count) VALUES (%(b)s, 'x', now(), 1)",
            {},
        ),
    }
    with clean_db.operator() as conn:
        b_source = conn.execute("SELECT id FROM sources WHERE tenant_id = %s", [b]).fetchone()["id"]
        b_document = conn.execute("SELECT id FROM documents WHERE tenant_id = %s", [b]).fetchone()["id"]
        b_conversation = conn.execute("SELECT id FROM conversations WHERE tenant_id = %s", [b]).fetchone()["id"]
        b_message = conn.execute("SELECT id FROM messages WHERE tenant_id = %s", [b]).fetchone()["id"]
    inserts["embeddings"] = (
        "INSERT INTO embeddings"
        " (tenant_id, source_id, document_id, chunk_index, content, embedding, embedding_model)"
        " VALUES (%(b)s, %(source)s, %(document)s, 5, 'x', %(vector)s, 'all-MiniLM-L6-v2')",
        {"source": b_source, "document": b_document, "vector": np.ones(384, dtype=np.float32)},
    )
    inserts["documents"] = (
        "INSERT INTO documents (tenant_id, source_id, key, content_hash, position)"
        " VALUES (%(b)s, %(source)s, 'other', 'h', 1)",
        {"source": b_source},
    )
    inserts["source_files"] = (
        "INSERT INTO source_files (source_id, tenant_id, filename, content_type, size_bytes, data)"
        " VALUES (%(source)s, %(b)s, 'b.pdf', 'application/pdf', 1, 'x')",
        {"source": b_source},
    )
    inserts["ingest_jobs"] = (
        "INSERT INTO ingest_jobs (tenant_id, source_id, reason, max_attempts) VALUES (%(b)s, %(source)s, 'manual', 3)",
        {"source": b_source},
    )
    inserts["messages"] = (
        "INSERT INTO messages (tenant_id, conversation_id, role, content)"
        " VALUES (%(b)s, %(conversation)s, 'user', 'x')",
        {"conversation": b_conversation},
    )
    inserts["conversation_transitions"] = (
        "INSERT INTO conversation_transitions (tenant_id, conversation_id, from_state, to_state, actor, reason)"
        " VALUES (%(b)s, %(conversation)s, 'bot', 'human', 'operator', 'take')",
        {"conversation": b_conversation},
    )
    inserts["notification_deliveries"] = (
        "INSERT INTO notification_deliveries (tenant_id, event, channel, target, payload)"
        " VALUES (%(b)s, 'handoff.requested', 'email', 'a@example.com', '{}')",
        {},
    )
    inserts["audit_log"] = ("INSERT INTO audit_log (actor, action, tenant_id) VALUES ('a', 'tenant.update', %(b)s)", {})
    inserts["usage_archive"] = ("INSERT INTO usage_archive (tenant_id, day) VALUES (%(b)s, '2026-02-01')", {})
    inserts["idempotency_keys"] = (
        "INSERT INTO idempotency_keys (key, request_hash, tenant_id) VALUES ('other', 'h', %(b)s)",
        {},
    )
    inserts["tenant_terminations"] = (
        "INSERT INTO tenant_terminations (tenant_id, whmcs_client_id, deleted, terminated_by)"
        " VALUES (%(b)s, 2, '{}', 'admin')",
        {},
    )
    inserts["gap_resolutions"] = (
        "INSERT INTO gap_resolutions (message_id, tenant_id, resolution) VALUES (%(message)s, %(b)s, 'answered')",
        {"message": b_message},
    )
    inserts["question_embeddings"] = (
        "INSERT INTO question_embeddings (message_id, tenant_id, model, embedding)"
        " VALUES (%(message)s, %(b)s, 'multilingual-e5-small', %(vector)s)",
        {"message": b_message, "vector": np.ones(384, dtype=np.float32)},
    )
    inserts["quota_counters"] = (
        "INSERT INTO quota_counters (tenant_id, month, used) VALUES (%(b)s, '2026-11-01', 1)",
        {},
    )
    assert set(inserts) == set(TABLES)
    for statement, params in inserts.values():
        with (
            pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"),
            clean_db.tenant(a) as conn,
        ):
            conn.execute(statement, {"b": b, **params})


def test_a_row_cannot_be_moved_to_another_tenant(clean_db: Database, two_tenants: tuple[UUID, UUID]) -> None:
    a, b = two_tenants
    with pytest.raises(psycopg.errors.InsufficientPrivilege), clean_db.tenant(a) as conn:
        conn.execute("UPDATE sources SET tenant_id = %s", [b])


def test_updates_and_deletes_cannot_reach_another_tenant(clean_db: Database, two_tenants: tuple[UUID, UUID]) -> None:
    a, b = two_tenants
    with clean_db.tenant(a) as conn:
        assert conn.execute("DELETE FROM conversations WHERE tenant_id = %s", [b]).rowcount == 0
        assert conn.execute("UPDATE sources SET title = 'hacked' WHERE tenant_id = %s", [b]).rowcount == 0
    with clean_db.operator() as conn:
        assert conn.execute("SELECT count(*) AS n FROM conversations WHERE tenant_id = %s", [b]).fetchone()["n"] == 1


def test_without_a_tenant_nothing_is_visible_and_the_setting_does_not_outlive_its_transaction(
    clean_db: Database, two_tenants: tuple[UUID, UUID], settings
) -> None:
    a, _ = two_tenants
    with clean_db.tenant(a) as conn:
        assert conn.execute("SELECT count(*) AS n FROM sources").fetchone()["n"] == 1
    # A plain connection, and the pooled ones after a tenant transaction, see nothing.
    with psycopg.connect(settings.database_url.get_secret_value()) as conn:
        assert conn.execute("SELECT count(*) FROM sources").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM tenants").fetchone() == (0,)
    for _ in range(4):
        with clean_db._transaction() as conn:
            assert conn.execute("SELECT count(*) AS n FROM sources").fetchone()["n"] == 0


def test_the_operator_path_sees_every_tenant(clean_db: Database, two_tenants: tuple[UUID, UUID]) -> None:
    with clean_db.operator() as conn:
        for table in TABLES:
            owners = {row["owner"] for row in conn.execute(f"SELECT {_owner_column(table)} AS owner FROM {table}")}
            assert owners == set(two_tenants), table
