"""Hand-off: who answers a conversation, its transitions, message search and notification deliveries.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from alembic import op

from tinyeclipse.migrations.rls import tenant_policies

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

NEW_TABLES = ("conversation_transitions", "notification_deliveries")

UPGRADE = """
-- Who answers now: the bot, nobody yet (a person was asked for), or an operator. `status` (open/closed)
-- and `escalated` keep their meaning.
ALTER TABLE conversations
    ADD COLUMN handled_by text NOT NULL DEFAULT 'bot' CHECK (handled_by IN ('bot', 'waiting', 'human')),
    ADD COLUMN visitor_email text CHECK (length(visitor_email) <= 320),
    ADD COLUMN page_url text CHECK (length(page_url) <= 2000),
    ADD COLUMN waiting_since timestamptz,
    ADD CONSTRAINT conversations_waiting_since_only_while_waiting
        CHECK (waiting_since IS NULL OR handled_by = 'waiting');
CREATE INDEX conversations_waiting_idx ON conversations (tenant_id, waiting_since) WHERE handled_by = 'waiting';

-- Every change of who answers, with who made it: an audit trail, appended and never rewritten.
CREATE TABLE conversation_transitions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id       uuid NOT NULL,
    conversation_id uuid NOT NULL,
    from_state      text NOT NULL CHECK (from_state IN ('bot', 'waiting', 'human')),
    to_state        text NOT NULL CHECK (to_state IN ('bot', 'waiting', 'human')),
    actor           text NOT NULL CHECK (actor IN ('visitor', 'bot', 'operator', 'system')),
    reason          text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX conversation_transitions_conversation_idx ON conversation_transitions (conversation_id, created_at);
GRANT SELECT, INSERT, DELETE ON conversation_transitions TO tinyeclipse_app, tinyeclipse_operator;

-- Full-text search over what was said ('simple', as for the knowledge: tenants write in many languages).
ALTER TABLE messages ADD COLUMN content_tsv tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', content)) STORED;
CREATE INDEX messages_content_tsv_idx ON messages USING gin (content_tsv);

-- Webhook calls and emails waiting to go out; claimed like ingest jobs (lease, backoff).
CREATE TABLE notification_deliveries (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    conversation_id uuid,
    event           text NOT NULL,
    channel         text NOT NULL CHECK (channel IN ('webhook', 'email')),
    target          text NOT NULL,
    payload         jsonb NOT NULL,
    status          text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'sent', 'dead')),
    attempts        integer NOT NULL DEFAULT 0,
    max_attempts    integer NOT NULL DEFAULT 6,
    run_at          timestamptz NOT NULL DEFAULT now(),
    locked_until    timestamptz,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz
);
CREATE INDEX notification_deliveries_ready_idx ON notification_deliveries (run_at) WHERE status = 'queued';
GRANT SELECT, INSERT, UPDATE ON notification_deliveries TO tinyeclipse_app, tinyeclipse_operator;
"""

DOWNGRADE = """
DROP TABLE notification_deliveries;
DROP INDEX messages_content_tsv_idx;
ALTER TABLE messages DROP COLUMN content_tsv;
DROP TABLE conversation_transitions;
DROP INDEX conversations_waiting_idx;
ALTER TABLE conversations
    DROP CONSTRAINT conversations_waiting_since_only_while_waiting,
    DROP COLUMN waiting_since,
    DROP COLUMN page_url,
    DROP COLUMN visitor_email,
    DROP COLUMN handled_by;
"""


def upgrade() -> None:
    op.execute(UPGRADE)
    op.execute("".join(tenant_policies(table) for table in NEW_TABLES))


def downgrade() -> None:
    op.execute(DOWNGRADE)
