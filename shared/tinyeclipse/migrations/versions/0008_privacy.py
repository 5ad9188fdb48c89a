"""Privacy and the tenant lifecycle: the audit log, usage kept as daily aggregates, idempotent tenant creation,
terminated tenants' receipts, and the deletes retention, erasure and termination need.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from alembic import op

from tinyeclipse.migrations.rls import tenant_policies

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

NEW_TABLES = ("audit_log", "usage_archive", "idempotency_keys", "tenant_terminations")

UPGRADE = """
-- Who did what to which tenant, when: operators (by their admin key's name), visitors exercising their rights,
-- the scheduler's retention. Never the content of what was exported or erased. Kept when a tenant is terminated
-- (no FK): the record of the termination must outlive the tenant.
CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor       text NOT NULL CHECK (length(actor) BETWEEN 1 AND 100),
    action      text NOT NULL CHECK (action ~ '^[a-z_]+(\\.[a-z_]+)+$'),
    tenant_id   uuid,
    target_type text CHECK (length(target_type) <= 40),
    target_id   text CHECK (length(target_id) <= 200),
    details     jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(details) = 'object')
);
CREATE INDEX audit_log_created_idx ON audit_log (created_at DESC, id DESC);
CREATE INDEX audit_log_tenant_idx ON audit_log (tenant_id, created_at DESC, id DESC);
-- Appended, never rewritten; the app sees only its own tenant's entries (RLS), the operator all of them.
GRANT SELECT, INSERT ON audit_log TO tinyeclipse_app, tinyeclipse_operator;

-- Usage per tenant and UTC day of messages and usage logs that retention or an erasure deleted: the counts of
-- GET /api/admin/usage (and billing) survive the rows. Same counts as the live query.
CREATE TABLE usage_archive (
    tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    day              date NOT NULL,
    messages         integer NOT NULL DEFAULT 0,
    answers          integer NOT NULL DEFAULT 0,
    resolved         integer NOT NULL DEFAULT 0,
    escalations      integer NOT NULL DEFAULT 0,
    refusals         integer NOT NULL DEFAULT 0,
    handoff_requests integer NOT NULL DEFAULT 0,
    thumbs_up        integer NOT NULL DEFAULT 0,
    thumbs_down      integer NOT NULL DEFAULT 0,
    tokens_in        bigint NOT NULL DEFAULT 0,
    tokens_out       bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, day)
);
GRANT SELECT, INSERT, UPDATE, DELETE ON usage_archive TO tinyeclipse_app, tinyeclipse_operator;

-- POST /api/admin/tenants with an Idempotency-Key: the same key with the same body gives the same tenant.
CREATE TABLE idempotency_keys (
    key          text PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 255),
    request_hash text NOT NULL,
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idempotency_keys_tenant_idx ON idempotency_keys (tenant_id);
GRANT SELECT, INSERT, DELETE ON idempotency_keys TO tinyeclipse_app, tinyeclipse_operator;

-- What terminating a tenant deleted, so that a second call answers the same. No personal data.
CREATE TABLE tenant_terminations (
    tenant_id       uuid PRIMARY KEY,
    whmcs_client_id integer NOT NULL,
    deleted         jsonb NOT NULL CHECK (jsonb_typeof(deleted) = 'object'),
    terminated_by   text NOT NULL,
    terminated_at   timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT, INSERT ON tenant_terminations TO tinyeclipse_app, tinyeclipse_operator;

-- Retention, erasure and termination delete rows the app could only append so far. Row-level security keeps each
-- delete inside the transaction's tenant.
GRANT DELETE ON tenants, consents, usage_logs, notification_deliveries, ingest_jobs, quota_counters
    TO tinyeclipse_app, tinyeclipse_operator;

-- What retention and erasure look up.
CREATE INDEX consents_tenant_created_idx ON consents (tenant_id, created_at);
CREATE INDEX usage_logs_conversation_idx ON usage_logs (conversation_id) WHERE conversation_id IS NOT NULL;
CREATE INDEX notification_deliveries_conversation_idx ON notification_deliveries (conversation_id)
    WHERE conversation_id IS NOT NULL;
CREATE INDEX notification_deliveries_tenant_created_idx ON notification_deliveries (tenant_id, created_at);
CREATE INDEX conversations_tenant_email_idx ON conversations (tenant_id, lower(visitor_email))
    WHERE visitor_email IS NOT NULL;
"""

DOWNGRADE = """
DROP INDEX conversations_tenant_email_idx;
DROP INDEX notification_deliveries_tenant_created_idx;
DROP INDEX notification_deliveries_conversation_idx;
DROP INDEX usage_logs_conversation_idx;
DROP INDEX consents_tenant_created_idx;
REVOKE DELETE ON tenants, consents, usage_logs, notification_deliveries, ingest_jobs, quota_counters
    FROM tinyeclipse_app, tinyeclipse_operator;
DROP TABLE tenant_terminations, idempotency_keys, usage_archive, audit_log;
"""


def upgrade() -> None:
    op.execute(UPGRADE)
    op.execute("".join(tenant_policies(table) for table in NEW_TABLES))


def downgrade() -> None:
    op.execute(DOWNGRADE)
