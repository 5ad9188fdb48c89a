"""Which statements of the sources an answer rests on, and whether a generated answer says only what they say."""

import re

import numpy as np

from tinyeclipse.chat.llm import LLMAnswer
from tinyeclipse.chat.passages import split
from tinyeclipse.chat.reading import Reading, ScoredSentence
from tinyeclipse.chat.terms import coverage, key_terms
from tinyeclipse.embeddings.base import Embedder
from tinyeclipse.embeddings.scale import comparable

_MARKER = re.compile(r"\s*\[\d+\]")
# An answer sentence is supported when a sentence of a cited source means nearly the same (all-MiniLM-L6-v2
# paraphrases score above this; other models' cosines are read on its scale), or contains nearly all of its key
# terms.
SUPPORTED_COSINE = 0.6
SUPPORTED_TERMS = 0.8


def support(reading: Reading, answer: LLMAnswer) -> list[ScoredSentence]:
    """The statements the answer rests on: the ones an extractive answer quotes, else the best of the cited
    sources (of all sources read when it cites none)."""
    if answer.quoted:
        quoted = set(answer.quoted)
        return [s for s in reading.ranked if (s.chunk.number, s.index) in quoted]
    cited = [s for s in reading.ranked if s.chunk.number in answer.cited] or list(reading.ranked)
    return cited[:1]


def groundedness(embedder: Embedder, reading: Reading, answer: LLMAnswer) -> float:
    """The share of a generated answer's sentences (by length) that a sentence of a cited source supports."""
    claims = [_MARKER.sub("", sentence.text).strip() for sentence in split(answer.text)]
    claims = [claim for claim in claims if len(key_terms(claim)) >= 2]  # "Sure!" claims nothing
    if not claims:
        return 1.0
    statements = [s for s in reading.ranked if s.chunk.number in answer.cited] or list(reading.ranked)
    if not statements:
        return 0.0
    claim_vectors = embedder.encode(claims)
    statement_vectors = embedder.encode([s.text for s in statements])
    best = comparable(embedder.name, (claim_vectors @ statement_vectors.T).max(axis=1))
    evidence = " ".join(s.text for s in statements)
    weights = np.array([len(claim) for claim in claims], dtype=float)
    supported = np.array(
        [
            cos >= SUPPORTED_COSINE or coverage(key_terms(claim), evidence) >= SUPPORTED_TERMS
            for claim, cos in zip(claims, best, strict=True)
        ],
        dtype=float,
    )
    return float((weights * supported).sum() / weights.sum())
