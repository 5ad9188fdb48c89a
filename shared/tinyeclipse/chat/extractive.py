"""The offline provider: the answer is the best sentences of the retrieved context, quoted, never generated.

Sentences of the context are scored against the question by the same embedding model that retrieval uses
(meaning) plus the share of the question's key terms they contain (wording). Its `coherence` is a measured
stand-in for a model's self-assessment: the share of the question's key terms that the answer covers.
"""

import re

import numpy as np

from tinyeclipse.chat.llm import ContextChunk, LLMAnswer, LLMRequest
from tinyeclipse.chat.terms import coverage, key_terms
from tinyeclipse.ingestion.embedder import Embedder

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'“(\[]?[A-Z0-9])")
# How many of the best chunks are read sentence by sentence (the rest rarely hold the answer).
CHUNKS_READ = 3
MAX_SENTENCES = 2
# A second sentence is added only when it scores nearly as well as the first.
SECOND_SENTENCE_RATIO = 0.9
MEANING_WEIGHT = 0.6


def sentences(text: str) -> list[str]:
    flat = " ".join(text.split())
    return [part.strip() for part in _SENTENCE_END.split(flat) if len(part.strip()) > 2]


class ExtractiveProvider:
    name = "extractive"

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def answer(self, request: LLMRequest) -> LLMAnswer:
        candidates = [
            (chunk, sentence) for chunk in request.context[:CHUNKS_READ] for sentence in sentences(chunk.text)
        ]
        if not candidates:
            return LLMAnswer(text="", coherence=0.0, cited=(), tokens_in=0, tokens_out=0, model=self.name)
        question_terms = key_terms(request.question)
        vectors = self._embedder.encode([request.question, *(sentence for _, sentence in candidates)])
        meaning = np.clip(vectors[1:] @ vectors[0], 0.0, 1.0)
        wording = np.array([coverage(question_terms, sentence) for _, sentence in candidates])
        scores = MEANING_WEIGHT * meaning + (1 - MEANING_WEIGHT) * wording
        chosen = _choose(candidates, scores)
        text = " ".join(f"“{sentence}” [{chunk.number}]" for chunk, sentence in chosen)
        answered = " ".join(sentence for _, sentence in chosen)
        cited = tuple(dict.fromkeys(chunk.number for chunk, _ in chosen))
        return LLMAnswer(
            text=text,
            coherence=coverage(question_terms, answered) if question_terms else 0.0,
            cited=cited,
            tokens_in=0,
            tokens_out=0,
            model=self.name,
        )


def _choose(candidates: list[tuple[ContextChunk, str]], scores: np.ndarray) -> list[tuple[ContextChunk, str]]:
    """The best sentence, and the next best if it scores nearly as well; in reading order."""
    order = np.argsort(-scores)
    best = scores[order[0]]
    picked = [int(i) for i in order[:MAX_SENTENCES] if scores[i] >= SECOND_SENTENCE_RATIO * best]
    return [candidates[i] for i in sorted(picked)]
