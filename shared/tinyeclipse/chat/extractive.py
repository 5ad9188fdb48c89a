"""The offline provider: the answer is the best sentences of the retrieved context, quoted, never generated.

Sentences of the context are scored against the question by the same embedding model that retrieval uses
(meaning) plus the share of the question's key terms they contain (wording). Its `coherence`, a measured
stand-in for a model's self-assessment, is how close in meaning the quoted sentences are to the question:
their best cosine similarity mapped from [COHERENCE_FLOOR, COHERENCE_CEILING] onto [0, 1].
"""

from functools import lru_cache

import numpy as np

from tinyeclipse.chat.llm import LLMAnswer, LLMRequest
from tinyeclipse.chat.terms import coverage, in_context, key_terms, sentences
from tinyeclipse.ingestion.embedder import Embedder

# How many of the best chunks are read sentence by sentence (the rest rarely hold the answer).
CHUNKS_READ = 3
MAX_SENTENCES = 2
# A second sentence is added only when it scores nearly as well as the first.
SECOND_SENTENCE_RATIO = 0.9
MEANING_WEIGHT = 0.6
# Chosen on the SQuAD 2.0 slice (docs/benchmarks.md): this mapping separated answerable from
# unanswerable questions better than the key-term overlap of the answer did.
SENTENCE_CACHE_CHUNKS = 4096
COHERENCE_FLOOR = 0.3
COHERENCE_CEILING = 0.8


class ExtractiveProvider:
    name = "extractive"

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        # A chunk's sentences and their vectors never change (re-indexing writes new chunks), and popular
        # chunks come back question after question: encoding them once saves most of an answer's time.
        self._sentence_vectors = lru_cache(maxsize=SENTENCE_CACHE_CHUNKS)(self._encode_sentences)

    def _encode_sentences(self, text: str) -> tuple[list[str], np.ndarray]:
        # A question (an FAQ's own, say) is never the answer: quote statements only, when there are any.
        found = sentences(text)
        statements = [sentence for sentence in found if not sentence.endswith("?")] or found
        return statements, self._embedder.encode(statements)

    def answer(self, request: LLMRequest) -> LLMAnswer:
        encoded = [(chunk, *self._sentence_vectors(chunk.text)) for chunk in request.context[:CHUNKS_READ]]
        candidates = [(chunk, sentence) for chunk, found, _ in encoded for sentence in found]
        if not candidates:
            return LLMAnswer(text="", coherence=0.0, cited=(), tokens_in=0, tokens_out=0, model=self.name)
        question = in_context(request.question, [turn.content for turn in request.history if turn.role == "user"])
        question_terms = key_terms(question)
        question_vector = self._embedder.encode_query(question)
        meaning = np.clip(np.vstack([vectors for _, _, vectors in encoded]) @ question_vector, 0.0, 1.0)
        wording = np.array([coverage(question_terms, sentence) for _, sentence in candidates])
        scores = MEANING_WEIGHT * meaning + (1 - MEANING_WEIGHT) * wording
        picked = _choose(scores)
        chosen = [candidates[i] for i in picked]
        text = " ".join(f"“{sentence}” [{chunk.number}]" for chunk, sentence in chosen)
        cited = tuple(dict.fromkeys(chunk.number for chunk, _ in chosen))
        fit = max(float(meaning[i]) for i in picked)
        return LLMAnswer(
            text=text,
            coherence=min(1.0, max(0.0, (fit - COHERENCE_FLOOR) / (COHERENCE_CEILING - COHERENCE_FLOOR))),
            cited=cited,
            tokens_in=0,
            tokens_out=0,
            model=self.name,
        )


def _choose(scores: np.ndarray) -> list[int]:
    """The best sentence, and the next best if it scores nearly as well; in reading order."""
    order = np.argsort(-scores)
    best = scores[order[0]]
    return sorted(int(i) for i in order[:MAX_SENTENCES] if scores[i] >= SECOND_SENTENCE_RATIO * best)
