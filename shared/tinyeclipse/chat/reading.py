"""Reading the retrieved chunks sentence by sentence: which statements speak to the question, and how well.

Shared by the extractive provider (it answers with the best passage) and by the confidence features (they judge
the statements an answer rests on, whichever provider wrote it). Sentences are scored by meaning (cosine of the
embedding model that retrieval uses, read on all-MiniLM-L6-v2's scale: tinyeclipse.embeddings.scale) and wording
(the share of the question's key terms they contain).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from tinyeclipse.chat.llm import ContextChunk
from tinyeclipse.chat.passages import Sentence, split
from tinyeclipse.chat.terms import coverage, key_terms
from tinyeclipse.embeddings.base import Embedder
from tinyeclipse.embeddings.scale import comparable

# How many of the best chunks are read sentence by sentence (the rest rarely hold the answer).
CHUNKS_READ = 3
MEANING_WEIGHT = 0.6
SENTENCE_CACHE_CHUNKS = 4096


@dataclass(frozen=True)
class ScoredSentence:
    chunk: ContextChunk
    sentences: tuple[Sentence, ...]  # all sentences of the chunk, for building a passage around this one
    index: int  # this sentence's position in `sentences`
    meaning: float  # cosine similarity to the question, clipped to 0..1
    wording: float  # share of the question's key terms it contains
    score: float

    @property
    def text(self) -> str:
        return self.sentences[self.index].text


@dataclass(frozen=True)
class Reading:
    question: str
    ranked: tuple[ScoredSentence, ...]  # best first

    @property
    def best(self) -> ScoredSentence | None:
        return self.ranked[0] if self.ranked else None


class Reader:
    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        # A chunk's sentences and their vectors never change (re-indexing writes new chunks), and popular
        # chunks come back question after question: encoding them once saves most of an answer's time.
        self._encoded = lru_cache(maxsize=SENTENCE_CACHE_CHUNKS)(self._encode)

    def _encode(self, text: str, heading: str | None) -> tuple[tuple[Sentence, ...], np.ndarray]:
        found = tuple(split(text, heading))
        return found, self._embedder.encode([sentence.text for sentence in found])

    def read(self, question: str, context: Sequence[ContextChunk], chunks: int = CHUNKS_READ) -> Reading:
        """The sentences of the first `chunks` chunks, best first."""
        terms = key_terms(question)
        vector = self._embedder.encode_query(question)
        scored: list[ScoredSentence] = []
        for chunk in context[:chunks]:
            found, vectors = self._encoded(chunk.text, chunk.heading)
            if not found:
                continue
            # On all-MiniLM-L6-v2's scale whatever the model, so the weights and ratios below mean one thing.
            meaning = np.clip(comparable(self._embedder.name, vectors @ vector), 0.0, 1.0)
            for i, sentence in enumerate(found):
                # An FAQ's own question is never the statement an answer rests on.
                if chunk.faq_question is not None and sentence.text.endswith("?"):
                    continue
                wording = coverage(terms, sentence.text)
                score = MEANING_WEIGHT * float(meaning[i]) + (1 - MEANING_WEIGHT) * wording
                scored.append(ScoredSentence(chunk, found, i, float(meaning[i]), wording, score))
        scored.sort(key=lambda s: (-s.score, s.chunk.number, s.index))
        return Reading(question, tuple(scored))
