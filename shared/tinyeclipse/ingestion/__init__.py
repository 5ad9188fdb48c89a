"""Ingestion: sources become documents, documents become chunks, chunks become embeddings in pgvector."""
