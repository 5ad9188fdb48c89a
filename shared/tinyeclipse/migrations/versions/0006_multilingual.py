"""Multilingual knowledge: each chunk records the model that embedded it and its language; each tenant the model
its answers use.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UPGRADE = """
-- Every chunk so far was embedded by all-MiniLM-L6-v2. While a tenant moves to another model its chunks exist
-- once per model; the answers read only those of tenants.index_model, so the old ones answer until the new ones
-- are complete.
ALTER TABLE embeddings ADD COLUMN embedding_model text NOT NULL DEFAULT 'all-MiniLM-L6-v2';
ALTER TABLE embeddings ALTER COLUMN embedding_model DROP DEFAULT;
ALTER TABLE embeddings
    DROP CONSTRAINT embeddings_document_id_chunk_index_key,
    ADD UNIQUE (document_id, embedding_model, chunk_index);
CREATE INDEX embeddings_tenant_model_idx ON embeddings (tenant_id, embedding_model);

-- Full text per language: a chunk's words are stemmed by its document's language ('simple' when unknown,
-- as every chunk before this revision).
ALTER TABLE embeddings ADD COLUMN language regconfig NOT NULL DEFAULT 'simple';
DROP INDEX embeddings_content_tsv_idx;
ALTER TABLE embeddings DROP COLUMN content_tsv;
ALTER TABLE embeddings ADD COLUMN content_tsv tsvector
    GENERATED ALWAYS AS (to_tsvector(language, content)) STORED;
CREATE INDEX embeddings_content_tsv_idx ON embeddings USING gin (content_tsv);

-- A job that embeds a tenant's sources with the model it chose.
ALTER TABLE ingest_jobs DROP CONSTRAINT ingest_jobs_reason_check,
    ADD CONSTRAINT ingest_jobs_reason_check CHECK (reason IN ('created', 'manual', 'scheduled', 'model'));

ALTER TABLE tenants
    ADD COLUMN index_model text NOT NULL DEFAULT 'all-MiniLM-L6-v2',
    ADD COLUMN index_model_since timestamptz NOT NULL DEFAULT now();
"""

DOWNGRADE = """
DELETE FROM ingest_jobs WHERE reason = 'model';
ALTER TABLE ingest_jobs DROP CONSTRAINT ingest_jobs_reason_check,
    ADD CONSTRAINT ingest_jobs_reason_check CHECK (reason IN ('created', 'manual', 'scheduled'));
DELETE FROM embeddings e USING tenants t WHERE e.tenant_id = t.id AND e.embedding_model <> t.index_model;
ALTER TABLE tenants DROP COLUMN index_model_since, DROP COLUMN index_model;
DROP INDEX embeddings_content_tsv_idx;
ALTER TABLE embeddings DROP COLUMN content_tsv;
ALTER TABLE embeddings DROP COLUMN language;
ALTER TABLE embeddings ADD COLUMN content_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', content)) STORED;
CREATE INDEX embeddings_content_tsv_idx ON embeddings USING gin (content_tsv);
DROP INDEX embeddings_tenant_model_idx;
ALTER TABLE embeddings
    DROP CONSTRAINT embeddings_document_id_embedding_model_chunk_index_key,
    ADD UNIQUE (document_id, chunk_index);
ALTER TABLE embeddings DROP COLUMN embedding_model;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
