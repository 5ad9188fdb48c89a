"""The operator's cockpit: preview conversations, content gaps closed by the operator, the monthly message quota.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from alembic import op

from tinyeclipse.migrations.rls import tenant_policies

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

NEW_TABLES = ("gap_resolutions", "question_embeddings", "quota_counters")

UPGRADE = """
-- "Test your bot" in the admin panel: the real pipeline, stored apart. A preview conversation's messages are
-- preview messages: left out of the inbox, usage, quotas, gaps and the dashboard.
ALTER TABLE conversations ADD COLUMN preview boolean NOT NULL DEFAULT false;
CREATE INDEX conversations_preview_idx ON conversations (tenant_id, created_at) WHERE preview;

-- The bot's notice that the tenant's monthly message quota is used up (it hands the conversation to the team).
ALTER TABLE messages DROP CONSTRAINT messages_intent_check,
    ADD CONSTRAINT messages_intent_check
        CHECK (intent IN ('greeting', 'thanks', 'goodbye', 'identity', 'handoff', 'quota'));

-- Content gaps: answers that were refused, escalated or got a thumbs down. The operator closes one by answering
-- it (an FAQ pair) or dismissing it; a closed answer leaves the gaps list.
CREATE INDEX messages_gap_idx ON messages (tenant_id, created_at)
    WHERE role = 'assistant' AND intent IS NULL AND (refused OR escalated OR feedback = 'down');
CREATE TABLE gap_resolutions (
    message_id uuid PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    resolution text NOT NULL CHECK (resolution IN ('answered', 'dismissed')),
    -- The FAQ source the answer went to (answered only).
    source_id  uuid REFERENCES sources (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX gap_resolutions_tenant_idx ON gap_resolutions (tenant_id, created_at);
GRANT SELECT, INSERT, UPDATE, DELETE ON gap_resolutions TO tinyeclipse_app, tinyeclipse_operator;
-- The gaps' questions embedded once per model for grouping them by meaning (e5 takes ~15 ms a question: the
-- gaps page would otherwise embed every question again on every read).
CREATE TABLE question_embeddings (
    message_id uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    model      text NOT NULL,
    embedding  vector(384) NOT NULL,
    PRIMARY KEY (message_id, model)
);
GRANT SELECT, INSERT, DELETE ON question_embeddings TO tinyeclipse_app, tinyeclipse_operator;

-- The monthly message quota: the bot's answers per tenant and UTC month, counted as they are given (a count of
-- the month's messages on every question would grow with the tenant).
CREATE TABLE quota_counters (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    month     date NOT NULL CHECK (extract(day FROM month) = 1),
    used      integer NOT NULL CHECK (used >= 0),
    PRIMARY KEY (tenant_id, month)
);
GRANT SELECT, INSERT, UPDATE ON quota_counters TO tinyeclipse_app, tinyeclipse_operator;
"""

DOWNGRADE = """
DROP TABLE quota_counters;
DROP TABLE question_embeddings;
DROP TABLE gap_resolutions;
DROP INDEX messages_gap_idx;
DELETE FROM messages WHERE intent = 'quota';
ALTER TABLE messages DROP CONSTRAINT messages_intent_check,
    ADD CONSTRAINT messages_intent_check CHECK (intent IN ('greeting', 'thanks', 'goodbye', 'identity', 'handoff'));
DELETE FROM conversations WHERE preview;
DROP INDEX conversations_preview_idx;
ALTER TABLE conversations DROP COLUMN preview;
"""


def upgrade() -> None:
    op.execute(UPGRADE)
    op.execute("".join(tenant_policies(table) for table in NEW_TABLES))


def downgrade() -> None:
    op.execute(DOWNGRADE)
