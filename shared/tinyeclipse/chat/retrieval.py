"""Hybrid retrieval within one tenant: nearest chunks by cosine (HNSW) fused with full-text search (RRF)."""

from dataclasses import dataclass
from uuid import UUID

import numpy as np

from tinyeclipse.db import Connection

# Reciprocal rank fusion's constant (Cormack et al. 2009): dampens the weight of the very first ranks.
RRF_K = 60

HYBRID_SEARCH = """
WITH vector_hits AS MATERIALIZED (
    SELECT id, row_number() OVER (ORDER BY distance) AS rank
    FROM (SELECT id, embedding <=> %(vector)s AS distance FROM embeddings
          WHERE tenant_id = %(tenant)s ORDER BY distance LIMIT %(candidates)s) nearest
), keyword_hits AS MATERIALIZED (
    SELECT id, row_number() OVER (ORDER BY score DESC, id) AS rank
    FROM (SELECT id, ts_rank_cd(content_tsv, query) AS score
          FROM embeddings, to_tsquery('simple', %(keywords)s) AS query
          WHERE tenant_id = %(tenant)s AND %(keywords)s <> '' AND content_tsv @@ query
          ORDER BY score DESC LIMIT %(candidates)s) matches
), fused AS (
    SELECT COALESCE(v.id, k.id) AS id,
           COALESCE(1.0 / (%(rrf_k)s + v.rank), 0) + COALESCE(1.0 / (%(rrf_k)s + k.rank), 0) AS rrf
    FROM vector_hits v FULL OUTER JOIN keyword_hits k ON k.id = v.id
)
SELECT e.id, e.source_id, e.content, e.metadata ->> 'title' AS title, e.metadata ->> 'url' AS url,
       1 - (e.embedding <=> %(vector)s) AS similarity, f.rrf
FROM fused f JOIN embeddings e ON e.id = f.id
ORDER BY f.rrf DESC, similarity DESC
LIMIT %(k)s
"""


@dataclass(frozen=True)
class Retrieved:
    chunk_id: int
    source_id: UUID
    title: str | None
    url: str | None
    content: str
    similarity: float  # cosine similarity of the chunk to the query, -1..1
    rrf: float


def search(
    conn: Connection, tenant_id: UUID, vector: np.ndarray, keywords: str, *, k: int, candidates: int
) -> list[Retrieved]:
    """The best `k` chunks of the tenant. RLS scopes the connection; the explicit filter lets the index help."""
    # With a tenant filter HNSW may stop short of `candidates` rows; iterative scans keep going (pgvector 0.8).
    conn.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
    conn.execute("SET LOCAL hnsw.ef_search = 100")
    rows = conn.execute(
        HYBRID_SEARCH,
        {"vector": vector, "tenant": tenant_id, "keywords": keywords, "candidates": candidates, "k": k, "rrf_k": RRF_K},
    ).fetchall()
    return [
        Retrieved(
            chunk_id=row["id"],
            source_id=row["source_id"],
            title=row["title"],
            url=row["url"],
            content=row["content"],
            similarity=float(row["similarity"]),
            rrf=float(row["rrf"]),
        )
        for row in rows
    ]
