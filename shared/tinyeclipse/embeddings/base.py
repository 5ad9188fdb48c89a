"""What every embedding model offers the product: passages and queries in, L2-normalised float32 vectors out."""

from collections.abc import Sequence
from typing import Protocol

import numpy

DIMENSIONS = 384  # the schema's vector(384): every model we offer has this size


class Embedder(Protocol):
    """One embedding model, loaded once per process. Vectors are L2-normalised float32 of DIMENSIONS."""

    name: str  # the model's name as tenants choose it and chunks record it

    def encode(self, texts: Sequence[str], *, batch_size: int = 32) -> numpy.ndarray:
        """Passages (chunks, sentences): shape (len(texts), DIMENSIONS)."""
        ...

    def encode_query(self, text: str) -> numpy.ndarray:
        """One visitor question: shape (DIMENSIONS,). Cached and read-only (shared by every caller)."""
        ...
