"""Hybrid retrieval within one tenant: nearest chunks by cosine (HNSW) fused with full-text search (RRF).

Only the chunks of the tenant's current embedding model take part (while it moves to another model its chunks
exist twice). The question's key words are parsed with the visitor's language and also as written ('simple'),
so a chunk stemmed in its own language and a name in any language both match.
"""

from dataclasses import dataclass
from uuid import UUID

import numpy as np
from psycopg.rows import class_row

from tinyeclipse.db import Connection

# Reciprocal rank fusion's constant (Cormack et al. 2009): dampens the weight of the very first ranks.
RRF_K = 60

HYBRID_SEARCH = """
WITH vector_hits AS MATERIALIZED (
    SELECT id, row_number() OVER (ORDER BY distance) AS rank
    FROM (SELECT id, embedding <=> %(vector)s AS distance FROM embeddings
          WHERE tenant_id = %(tenant)s AND embedding_model = %(model)s
          ORDER BY distance LIMIT %(candidates)s) nearest
), keyword_hits AS MATERIALIZED (
    SELECT id, row_number() OVER (ORDER BY score DESC, id) AS rank
    FROM (SELECT id, ts_rank_cd(content_tsv, parsed.query) AS score
          FROM embeddings,
               (SELECT to_tsquery(%(words)s::regconfig, %(keywords)s) || to_tsquery('simple', %(keywords)s)
                AS query) parsed
          WHERE tenant_id = %(tenant)s AND embedding_model = %(model)s AND %(keywords)s <> ''
            AND content_tsv @@ parsed.query
          ORDER BY score DESC LIMIT %(candidates)s) matches
), fused AS (
    SELECT COALESCE(v.id, k.id) AS id, v.rank AS vector_rank, k.rank AS keyword_rank,
           COALESCE(1.0 / (%(rrf_k)s + v.rank), 0) + COALESCE(1.0 / (%(rrf_k)s + k.rank), 0) AS rrf
    FROM vector_hits v FULL OUTER JOIN keyword_hits k ON k.id = v.id
)
SELECT e.id AS chunk_id, e.source_id, e.content, e.metadata ->> 'title' AS title, e.metadata ->> 'url' AS url,
       e.metadata ->> 'heading' AS heading, e.metadata ->> 'question' AS faq_question,
       (1 - (e.embedding <=> %(vector)s))::float8 AS similarity, f.rrf::float8 AS rrf,
       f.vector_rank::int AS vector_rank, f.keyword_rank::int AS keyword_rank
FROM fused f JOIN embeddings e ON e.id = f.id
ORDER BY f.rrf DESC, similarity DESC
LIMIT %(k)s
"""


@dataclass(frozen=True)
class Retrieved:
    chunk_id: int
    source_id: UUID
    content: str
    title: str | None
    url: str | None
    heading: str | None  # the section heading the chunk's text starts with
    faq_question: str | None  # set for an FAQ pair: the chunk is its question and answer
    similarity: float  # cosine similarity of the chunk to the query, -1..1
    rrf: float
    vector_rank: int | None  # rank among the nearest vectors (None: not among the candidates)
    keyword_rank: int | None  # rank among the full-text matches (None: no key word matched)


@dataclass(frozen=True)
class Query:
    tenant_id: UUID
    model: str  # the embedding model of the chunks to search (the tenant's current one)
    vector: np.ndarray  # the question by that model
    keywords: str  # an OR query of the question's key words for to_tsquery ('' for none)
    words: str  # the text-search configuration of the visitor's language ('simple' when unknown)


def search(conn: Connection, query: Query, *, k: int, candidates: int) -> list[Retrieved]:
    """The best `k` chunks of the tenant. RLS scopes the connection; the explicit filter lets the index help."""
    # With a tenant filter HNSW may stop short of `candidates` rows; iterative scans keep going (pgvector 0.8).
    conn.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
    conn.execute("SET LOCAL hnsw.ef_search = 100")
    with conn.cursor(row_factory=class_row(Retrieved)) as cursor:
        return cursor.execute(
            HYBRID_SEARCH,
            {
                "vector": query.vector,
                "tenant": query.tenant_id,
                "model": query.model,
                "keywords": query.keywords,
                "words": query.words,
                "candidates": candidates,
                "k": k,
                "rrf_k": RRF_K,
            },
        ).fetchall()
