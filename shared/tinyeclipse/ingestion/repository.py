"""Sources', uploaded files', documents' and chunks' SQL. Every function takes a transaction's connection."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO
from uuid import UUID

from psycopg.rows import class_row, tuple_row
from psycopg.types.json import Jsonb

from tinyeclipse.db import Connection

if TYPE_CHECKING:
    # Only the worker writes vectors; the admin function (and its image) has no numpy.
    import numpy as np

SOURCE_COLUMNS = """s.id, s.tenant_id, s.type, s.title, s.url, s.content, s.crawl, s.max_pages, f.filename,
    s.status, s.error, s.chunk_count, s.document_count, s.last_indexed_at, s.created_at, s.updated_at"""
SOURCE_FROM = "sources s LEFT JOIN source_files f ON f.source_id = s.id"


def insert_source(conn: Connection, values: dict[str, Any]) -> UUID:
    row = conn.execute(
        """INSERT INTO sources (tenant_id, type, title, url, content, crawl, max_pages)
           VALUES (%(tenant_id)s, %(type)s, %(title)s, %(url)s, %(content)s, %(crawl)s, %(max_pages)s)
           RETURNING id""",
        {**values, "content": None if values["content"] is None else Jsonb(values["content"])},
    ).fetchone()
    assert row is not None
    return row["id"]


def insert_file(
    conn: Connection, tenant_id: UUID, source_id: UUID, *, filename: str, content_type: str, data: bytes
) -> None:
    conn.execute(
        """INSERT INTO source_files (source_id, tenant_id, filename, content_type, size_bytes, data)
           VALUES (%s, %s, %s, %s, %s, %s)""",
        [source_id, tenant_id, filename, content_type, len(data), data],
    )


def get_source(conn: Connection, source_id: UUID, *, for_update: bool = False) -> dict[str, Any] | None:
    lock = " FOR UPDATE OF s" if for_update else ""
    return conn.execute(f"SELECT {SOURCE_COLUMNS} FROM {SOURCE_FROM} WHERE s.id = %s{lock}", [source_id]).fetchone()


def list_sources(conn: Connection, tenant_id: UUID, *, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    rows = conn.execute(
        f"""SELECT {SOURCE_COLUMNS} FROM {SOURCE_FROM} WHERE s.tenant_id = %s
            ORDER BY s.created_at DESC, s.id LIMIT %s OFFSET %s""",
        [tenant_id, limit, offset],
    ).fetchall()
    total = conn.execute("SELECT count(*) AS n FROM sources WHERE tenant_id = %s", [tenant_id]).fetchone()
    assert total is not None
    return rows, total["n"]


def delete_source(conn: Connection, source_id: UUID) -> bool:
    """Delete a source; its file, documents, chunks and jobs go with it (ON DELETE CASCADE)."""
    return conn.execute("DELETE FROM sources WHERE id = %s", [source_id]).rowcount == 1


def read_file(conn: Connection, source_id: UUID, into: BinaryIO, slice_bytes: int = 1 << 20) -> bool:
    """Copy an uploaded file into a binary file object, a slice at a time so memory stays bounded."""
    size = conn.execute("SELECT size_bytes FROM source_files WHERE source_id = %s", [source_id]).fetchone()
    if size is None:
        return False
    for offset in range(0, size["size_bytes"], slice_bytes):
        part = conn.execute(
            "SELECT substring(data FROM %s FOR %s) AS part FROM source_files WHERE source_id = %s",
            [offset + 1, slice_bytes, source_id],
        ).fetchone()
        assert part is not None
        into.write(part["part"])
    return True


def mark_indexed(conn: Connection, source_id: UUID) -> dict[str, Any]:
    row = conn.execute(
        """UPDATE sources SET status = 'indexed', error = NULL, last_indexed_at = now(), updated_at = now(),
               chunk_count = (SELECT count(DISTINCT (document_id, chunk_index)) FROM embeddings
                              WHERE source_id = %(id)s),
               document_count = (SELECT count(*) FROM documents WHERE source_id = %(id)s)
           WHERE id = %(id)s RETURNING chunk_count, document_count""",
        {"id": source_id},
    ).fetchone()
    assert row is not None
    return row


def mark_failed(conn: Connection, source_id: UUID, error: str) -> None:
    conn.execute(
        "UPDATE sources SET status = 'failed', error = %s, updated_at = now() WHERE id = %s", [error, source_id]
    )


@dataclass(frozen=True)
class StoredDocument:
    id: UUID
    content_hash: str


def documents_by_key(conn: Connection, source_id: UUID) -> dict[str, StoredDocument]:
    rows = conn.execute("SELECT id, key, content_hash FROM documents WHERE source_id = %s", [source_id])
    return {row["key"]: StoredDocument(row["id"], row["content_hash"]) for row in rows}


def insert_document(
    conn: Connection,
    tenant_id: UUID,
    source_id: UUID,
    *,
    key: str,
    title: str | None,
    url: str | None,
    content_hash: str,
    position: int,
    metadata: dict[str, Any],
) -> UUID:
    row = conn.execute(
        """INSERT INTO documents (tenant_id, source_id, key, title, url, content_hash, position, metadata)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id""",
        [tenant_id, source_id, key, title, url, content_hash, position, Jsonb(metadata)],
    ).fetchone()
    assert row is not None
    return row["id"]


def move_document(conn: Connection, document_id: UUID, position: int) -> None:
    conn.execute("UPDATE documents SET position = %s, updated_at = now() WHERE id = %s", [position, document_id])


def delete_documents(conn: Connection, document_ids: Sequence[UUID]) -> None:
    conn.execute("DELETE FROM documents WHERE id = ANY(%s)", [list(document_ids)])


@dataclass(frozen=True)
class ChunkRow:
    document_id: UUID
    chunk_index: int
    content: str
    metadata: dict[str, Any]
    language: str  # the text-search configuration of the chunk's words ('simple' when the language is unknown)


def insert_chunks(
    conn: Connection,
    tenant_id: UUID,
    source_id: UUID,
    chunks: Sequence[ChunkRow],
    vectors: "np.ndarray",
    model: str,
) -> None:
    """Write chunks with their embeddings by `model`. executemany pipelines the inserts; COPY is not allowed
    on a table under row-level security."""
    with conn.cursor() as cursor:
        cursor.executemany(
            """INSERT INTO embeddings (tenant_id, source_id, document_id, chunk_index, content, metadata, language,
                                       embedding, embedding_model)
               VALUES (%s, %s, %s, %s, %s, %s, %s::regconfig, %s, %s)""",
            [
                (
                    tenant_id,
                    source_id,
                    chunk.document_id,
                    chunk.chunk_index,
                    chunk.content,
                    Jsonb(chunk.metadata),
                    chunk.language,
                    vector,
                    model,
                )
                for chunk, vector in zip(chunks, vectors, strict=True)
            ],
        )


def documents_without_model(conn: Connection, source_id: UUID, model: str) -> list[UUID]:
    """The source's documents that have no chunks embedded by `model` yet."""
    rows = conn.execute(
        """SELECT d.id FROM documents d WHERE d.source_id = %s AND NOT EXISTS
               (SELECT 1 FROM embeddings e WHERE e.document_id = d.id AND e.embedding_model = %s)
           ORDER BY d.position""",
        [source_id, model],
    )
    return [row["id"] for row in rows]


def document_chunks(conn: Connection, document_id: UUID, model: str) -> list[ChunkRow]:
    """A document's chunks as `model` embedded them (text, metadata and language are the same for every model)."""
    with conn.cursor(row_factory=class_row(ChunkRow)) as cursor:
        return cursor.execute(
            """SELECT document_id, chunk_index, content, metadata, language::text AS language FROM embeddings
               WHERE document_id = %s AND embedding_model = %s ORDER BY chunk_index""",
            [document_id, model],
        ).fetchall()


def tenant_has_documents_without_model(conn: Connection, tenant_id: UUID, model: str) -> bool:
    row = conn.execute(
        """SELECT EXISTS (SELECT 1 FROM documents d WHERE d.tenant_id = %s AND NOT EXISTS
               (SELECT 1 FROM embeddings e WHERE e.document_id = d.id AND e.embedding_model = %s)) AS missing""",
        [tenant_id, model],
    ).fetchone()
    assert row is not None
    return row["missing"]


def tenant_source_ids(conn: Connection, tenant_id: UUID) -> list[UUID]:
    return [row["id"] for row in conn.execute("SELECT id FROM sources WHERE tenant_id = %s", [tenant_id])]


def delete_retired_chunks(conn: Connection, grace_seconds: float, limit: int) -> int:
    """Chunks of a model no tenant reads or moves to any more, `grace_seconds` after the tenant switched away
    from it (a question under way when it switched still reads them). At most `limit` rows per call."""
    cursor = conn.execute(
        """DELETE FROM embeddings WHERE id IN (
               SELECT e.id FROM embeddings e JOIN tenants t ON t.id = e.tenant_id
               WHERE e.embedding_model <> t.index_model
                 AND e.embedding_model <> COALESCE(t.settings ->> 'embedding_model', t.index_model)
                 AND t.index_model_since < now() - make_interval(secs => %s)
               LIMIT %s)""",
        [grace_seconds, limit],
    )
    return cursor.rowcount


def chunks_of(conn: Connection, source_id: UUID) -> Iterator[dict[str, Any]]:
    """A source's chunks, as its tenant's answers read them, in reading order (documents by position, chunks by
    index)."""
    yield from conn.execute(
        """SELECT e.id, e.document_id, e.chunk_index, e.content, e.metadata
           FROM embeddings e JOIN documents d ON d.id = e.document_id JOIN tenants t ON t.id = e.tenant_id
           WHERE e.source_id = %s AND e.embedding_model = t.index_model ORDER BY d.position, e.chunk_index""",
        [source_id],
    )


def update_source(conn: Connection, source_id: UUID, values: dict[str, Any]) -> None:
    """Set the given columns (title, url, content, crawl, max_pages); the source is pending until indexed again."""
    columns = {key: values[key] for key in ("title", "url", "content", "crawl", "max_pages") if key in values}
    if "content" in columns:
        columns["content"] = Jsonb(columns["content"])
    assignments = ", ".join(f"{column} = %({column})s" for column in columns)
    conn.execute(
        f"UPDATE sources SET {assignments}, status = 'pending', updated_at = now() WHERE id = %(id)s",
        {**columns, "id": source_id},
    )


def chunk_page(conn: Connection, source_id: UUID, *, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    """A page of the source's chunks as its tenant's answers read them, in reading order."""
    rows = conn.execute(
        """SELECT e.id, e.document_id, d.position AS document_position, d.title AS document_title, d.url,
                  (d.metadata ->> 'page')::int AS page, d.metadata ->> 'question' AS question,
                  e.metadata ->> 'heading' AS heading, e.chunk_index, e.content, e.language::text AS language,
                  d.updated_at AS fetched_at, d.created_at AS changed_at
           FROM embeddings e JOIN documents d ON d.id = e.document_id JOIN tenants t ON t.id = e.tenant_id
           WHERE e.source_id = %(source)s AND e.embedding_model = t.index_model
           ORDER BY d.position, e.chunk_index LIMIT %(limit)s OFFSET %(offset)s""",
        {"source": source_id, "limit": limit, "offset": offset},
    ).fetchall()
    total = conn.execute(
        """SELECT count(*) AS n FROM embeddings e JOIN tenants t ON t.id = e.tenant_id
           WHERE e.source_id = %s AND e.embedding_model = t.index_model""",
        [source_id],
    ).fetchone()
    assert total is not None
    return rows, total["n"]


def oldest_faq_source(conn: Connection, tenant_id: UUID) -> UUID | None:
    row = conn.execute(
        "SELECT id FROM sources WHERE tenant_id = %s AND type = 'faq' ORDER BY created_at, id LIMIT 1", [tenant_id]
    ).fetchone()
    return row["id"] if row else None


# A tenant's chunks of a model get a graph of their own (an HNSW index, migration 0009) from this many on; below, an
# exact scan of its rows (inline vectors) is as fast (about 1.5 ms per 1,000 chunks on a busy 2-core machine) and
# cannot miss (bench/scale.py, docs/benchmarks.md).
VECTOR_INDEX_MIN_CHUNKS = 5_000


def ensure_vector_index(
    conn: Connection, tenant_id: UUID, model: str, *, min_chunks: int = VECTOR_INDEX_MIN_CHUNKS
) -> bool:
    """Give the tenant's chunks of `model` their own graph once they number `min_chunks` (to be called after
    ingestion, in the tenant's scope); True when they have one. Building it blocks other chunk writes meanwhile."""
    with conn.cursor(row_factory=tuple_row) as cursor:
        chunks = cursor.execute(
            "SELECT count(*) FROM (SELECT FROM embeddings WHERE tenant_id = %s AND embedding_model = %s LIMIT %s) c",
            [tenant_id, model, min_chunks],
        ).fetchone()[0]
        if chunks >= min_chunks:
            cursor.execute("SELECT index_tenant_vectors(%s, %s)", [tenant_id, model])
            return True
        return cursor.execute(
            "SELECT to_regclass(tenant_vector_index(%s, %s)) IS NOT NULL", [tenant_id, model]
        ).fetchone()[0]


def drop_vector_indexes(conn: Connection, tenant_id: UUID) -> int:
    """Drop the tenant's own vector graphs (every model's); how many. Locks `embeddings` for a moment: use a short
    transaction of its own."""
    row = conn.execute("SELECT drop_tenant_vectors(%s) AS dropped", [tenant_id]).fetchone()
    assert row is not None
    return row["dropped"]
