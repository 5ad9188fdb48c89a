"""Answer quality: a message's confidence parts, its recognised intent and the visitor's feedback.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UPGRADE = """
-- The parts the confidence was computed from (retrieval_similarity, source_coverage, answer_coherence and the
-- features the fitted model reads), so the operator can see why an answer scored what it did.
ALTER TABLE messages ADD COLUMN confidence_parts jsonb
    CHECK (confidence_parts IS NULL OR jsonb_typeof(confidence_parts) = 'object');

-- What the visitor's message was recognised as before retrieval (small talk, a request for a person);
-- NULL for a question answered from the knowledge.
ALTER TABLE messages ADD COLUMN intent text
    CHECK (intent IN ('greeting', 'thanks', 'goodbye', 'identity', 'handoff'));

-- The visitor's thumbs on a bot answer: one per answer, changeable.
ALTER TABLE messages ADD COLUMN feedback text CHECK (feedback IN ('up', 'down'));
ALTER TABLE messages ADD COLUMN feedback_at timestamptz;
ALTER TABLE messages ADD CONSTRAINT messages_feedback_on_answers
    CHECK (feedback IS NULL OR role = 'assistant');
CREATE INDEX messages_tenant_feedback_idx ON messages (tenant_id, feedback_at) WHERE feedback IS NOT NULL;
"""

DOWNGRADE = """
DROP INDEX messages_tenant_feedback_idx;
ALTER TABLE messages DROP CONSTRAINT messages_feedback_on_answers;
ALTER TABLE messages DROP COLUMN feedback_at;
ALTER TABLE messages DROP COLUMN feedback;
ALTER TABLE messages DROP COLUMN intent;
ALTER TABLE messages DROP COLUMN confidence_parts;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
