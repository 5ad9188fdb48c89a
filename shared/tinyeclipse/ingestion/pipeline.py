"""Index one source: extract → chunk → embed → store, replacing its previous chunks atomically.

Everything happens in one tenant transaction, so readers see the old chunks until the new ones are
complete, and a crash leaves the old ones in place. A document whose content hash is unchanged keeps
its chunks: an unchanged site costs fetches, not embeddings.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from uuid import UUID

from tinyeclipse.chat.language import document_language, text_search_config
from tinyeclipse.config import Settings
from tinyeclipse.db import Connection, Database
from tinyeclipse.embeddings.base import Embedder
from tinyeclipse.embeddings.registry import get_embedder
from tinyeclipse.ingestion import repository
from tinyeclipse.ingestion.chunking import Chunk, Chunker
from tinyeclipse.ingestion.documents import Document, ExtractionError
from tinyeclipse.ingestion.extract import SourceSpec, extract_documents
from tinyeclipse.ingestion.models import SourceType
from tinyeclipse.tenants.index_model import TenantModels, switch, tenant_models


@dataclass(frozen=True)
class IndexResult:
    documents: int
    reused_documents: int
    embedded_chunks: int
    chunk_count: int


@lru_cache
def get_chunker(max_tokens: int, overlap_tokens: int) -> Chunker:
    return Chunker(max_tokens=max_tokens, overlap_tokens=overlap_tokens)


class _ChunkWriter:
    """Buffers chunks across documents so each model sees full batches, then writes them once per model."""

    def __init__(
        self,
        conn: Connection,
        spec: SourceSpec,
        embedders: Sequence[Embedder],
        batch_size: int,
        progress: Callable[[], None],
    ) -> None:
        self._conn, self._spec, self._embedders = conn, spec, embedders
        self._batch_size = batch_size
        self._flush_at = batch_size * 4
        self._progress = progress
        self._pending: list[repository.ChunkRow] = []
        self.written = 0

    def add(self, document_id: UUID, document: Document, position: int, chunks: list[Chunk]) -> None:
        words = text_search_config(document_language(" ".join(block.text for block in document.blocks)))
        for chunk in chunks:
            metadata = {
                "title": document.title,
                "url": document.url,
                "heading": chunk.heading,
                "position": chunk.index,
                "document_position": position,
                **document.metadata,
            }
            self._pending.append(repository.ChunkRow(document_id, chunk.index, chunk.text, metadata, words))
        if len(self._pending) >= self._flush_at:
            self.flush()

    def add_embedded_elsewhere(self, rows: list[repository.ChunkRow], embedder: Embedder) -> None:
        """Chunks another model embedded already: only `embedder`'s vectors are missing."""
        vectors = embedder.encode([row.content for row in rows], batch_size=self._batch_size)
        repository.insert_chunks(self._conn, self._spec.tenant_id, self._spec.id, rows, vectors, embedder.name)
        self.written += len(rows)
        self._progress()

    def flush(self) -> None:
        if not self._pending:
            return
        texts = [row.content for row in self._pending]
        for embedder in self._embedders:
            vectors = embedder.encode(texts, batch_size=self._batch_size)
            repository.insert_chunks(
                self._conn, self._spec.tenant_id, self._spec.id, self._pending, vectors, embedder.name
            )
        self.written += len(self._pending)
        self._pending = []
        self._progress()


def _spec(row: dict) -> SourceSpec:
    return SourceSpec(
        id=row["id"],
        tenant_id=row["tenant_id"],
        type=SourceType(row["type"]),
        title=row["title"],
        url=row["url"],
        content=row["content"],
        crawl=row["crawl"],
        max_pages=row["max_pages"],
        has_file=row["filename"] is not None,
    )


def _embed_kept_documents(conn: Connection, source_id: UUID, models: TenantModels, writer: _ChunkWriter) -> int:
    """Documents that kept their chunks get the chosen model's vectors too; how many did."""
    embedder = get_embedder(models.target)
    missing = repository.documents_without_model(conn, source_id, models.target)
    for document_id in missing:
        writer.add_embedded_elsewhere(repository.document_chunks(conn, document_id, models.current), embedder)
    return len(missing)


def _switch_when_complete(conn: Connection, tenant_id: UUID, models: TenantModels) -> None:
    """The last source to get the chosen model's chunks switches the tenant's answers to them."""
    if not repository.tenant_has_documents_without_model(conn, tenant_id, models.target):
        switch(conn, tenant_id, models.target)


def _index_vectors(conn: Connection, tenant_id: UUID, models: TenantModels) -> None:
    """A tenant grown big enough gets its own vector graph per live model (migration 0009)."""
    for name in models.live:
        repository.ensure_vector_index(conn, tenant_id, name)


def index_source(
    db: Database,
    settings: Settings,
    tenant_id: UUID,
    source_id: UUID,
    *,
    progress: Callable[[], None] = lambda: None,
) -> IndexResult | None:
    """Index the source; None if it no longer exists. Raises ExtractionError / TransientFetchError."""
    chunker = get_chunker(settings.chunk_max_tokens, settings.chunk_overlap_tokens)
    with db.tenant(tenant_id) as conn:
        row = repository.get_source(conn, source_id, for_update=True)
        models = tenant_models(conn, tenant_id)
        if row is None or models is None:
            return None
        spec = _spec(row)
        stored = repository.documents_by_key(conn, source_id)
        embedders = [get_embedder(name) for name in models.live]
        writer = _ChunkWriter(conn, spec, embedders, settings.embedding_batch_size, progress)
        seen: set[str] = set()
        reused = 0
        documents = extract_documents(spec, settings, lambda into: repository.read_file(conn, source_id, into))
        for document in documents:
            if document.is_empty or document.key in seen:
                continue
            position = len(seen)
            seen.add(document.key)
            previous = stored.get(document.key)
            if previous and previous.content_hash == document.content_hash:
                repository.move_document(conn, previous.id, position)
                reused += 1
                continue
            if previous:
                repository.delete_documents(conn, [previous.id])
            document_id = repository.insert_document(
                conn,
                tenant_id,
                source_id,
                key=document.key,
                title=document.title,
                url=document.url,
                content_hash=document.content_hash,
                position=position,
                metadata=document.metadata,
            )
            writer.add(document_id, document, position, chunker.chunk(document))
            progress()
        writer.flush()
        if not seen:
            raise ExtractionError("The source has no text to index.")
        repository.delete_documents(conn, [doc.id for key, doc in stored.items() if key not in seen])
        if models.moving:
            _embed_kept_documents(conn, source_id, models, writer)
            _switch_when_complete(conn, tenant_id, models)
        _index_vectors(conn, tenant_id, models)
        counts = repository.mark_indexed(conn, source_id)
    return IndexResult(
        documents=len(seen),
        reused_documents=reused,
        embedded_chunks=writer.written,
        chunk_count=counts["chunk_count"],
    )


def embed_for_model(
    db: Database,
    settings: Settings,
    tenant_id: UUID,
    source_id: UUID,
    *,
    progress: Callable[[], None] = lambda: None,
) -> IndexResult | None:
    """The source's stored chunks embedded by the model its tenant chose (nothing is fetched again: a site that
    is down does not hold the move up); the last source switches the tenant. None if the source is gone."""
    with db.tenant(tenant_id) as conn:
        row = repository.get_source(conn, source_id, for_update=True)
        models = tenant_models(conn, tenant_id)
        if row is None or models is None:
            return None
        writer = _ChunkWriter(conn, _spec(row), [], settings.embedding_batch_size, progress)
        documents = 0
        if models.moving:
            documents = _embed_kept_documents(conn, source_id, models, writer)
            _switch_when_complete(conn, tenant_id, models)
            _index_vectors(conn, tenant_id, models)
    stored = row["document_count"] or 0
    return IndexResult(
        documents=stored,
        reused_documents=stored - documents,
        embedded_chunks=writer.written,
        chunk_count=row["chunk_count"] or 0,
    )
