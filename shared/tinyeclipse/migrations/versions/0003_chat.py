"""Chat: keyword search over chunks, rate-limit counters, messages in writing order.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from alembic import op

from tinyeclipse.migrations.rls import tenant_policies

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UPGRADE = """
-- Full-text search beside the vector search ('simple': no stemming for one language only, since
-- tenants write in many languages).
ALTER TABLE embeddings ADD COLUMN content_tsv tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', content)) STORED;
CREATE INDEX embeddings_content_tsv_idx ON embeddings USING gin (content_tsv);

-- Fixed-window counters; one row per (tenant, key, window). Incremented with an upsert, so
-- concurrent requests in any number of processes share one count.
CREATE TABLE rate_limit_counters (
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    key          text NOT NULL,
    window_start timestamptz NOT NULL,
    count        integer NOT NULL CHECK (count >= 0),
    PRIMARY KEY (tenant_id, key, window_start)
);
CREATE INDEX rate_limit_counters_window_idx ON rate_limit_counters (window_start);
GRANT SELECT, INSERT, UPDATE, DELETE ON rate_limit_counters TO tinyeclipse_app, tinyeclipse_operator;

-- A question and its answer written in one transaction must still sort in the order they were written.
ALTER TABLE messages ALTER COLUMN created_at SET DEFAULT clock_timestamp();
"""

DOWNGRADE = """
ALTER TABLE messages ALTER COLUMN created_at SET DEFAULT now();
DROP TABLE rate_limit_counters;
DROP INDEX embeddings_content_tsv_idx;
ALTER TABLE embeddings DROP COLUMN content_tsv;
"""


def upgrade() -> None:
    op.execute(UPGRADE)
    op.execute(tenant_policies("rate_limit_counters"))


def downgrade() -> None:
    op.execute(DOWNGRADE)
