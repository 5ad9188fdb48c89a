"""Sources', uploaded files', documents' and chunks' SQL. Every function takes a transaction's connection."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO
from uuid import UUID

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
               chunk_count = (SELECT count(*) FROM embeddings WHERE source_id = %(id)s),
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


def insert_chunks(
    conn: Connection, tenant_id: UUID, source_id: UUID, chunks: Sequence[ChunkRow], vectors: "np.ndarray"
) -> None:
    """Write chunks with their embeddings. executemany pipelines the inserts; COPY is not allowed
    on a table under row-level security."""
    with conn.cursor() as cursor:
        cursor.executemany(
            """INSERT INTO embeddings (tenant_id, source_id, document_id, chunk_index, content, metadata, embedding)
               VALUES (%s, %s, %s, %s, %s, %s, %s)""",
            [
                (
                    tenant_id,
                    source_id,
                    chunk.document_id,
                    chunk.chunk_index,
                    chunk.content,
                    Jsonb(chunk.metadata),
                    vector,
                )
                for chunk, vector in zip(chunks, vectors, strict=True)
            ],
        )


def chunks_of(conn: Connection, source_id: UUID) -> Iterator[dict[str, Any]]:
    """A source's chunks in reading order (documents by position, chunks by index)."""
    yield from conn.execute(
        """SELECT e.id, e.document_id, e.chunk_index, e.content, e.metadata
           FROM embeddings e JOIN documents d ON d.id = e.document_id
           WHERE e.source_id = %s ORDER BY d.position, e.chunk_index""",
        [source_id],
    )
