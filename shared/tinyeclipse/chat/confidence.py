"""How sure the bot is of an answer: 0.4·retrieval_similarity + 0.3·source_coverage + 0.3·answer_coherence.

- retrieval_similarity: the best retrieved chunk's cosine similarity to the question, mapped linearly from
  [SIMILARITY_FLOOR, SIMILARITY_CEILING] onto [0, 1] (all-MiniLM-L6-v2 rarely scores unrelated text above
  the floor, and a chunk that states the answer usually scores above the ceiling).
- source_coverage: the largest share of the question's key terms (content words, lightly stemmed) that one
  sentence of the chunks the answer cites contains (of all retrieved chunks when it cites none).
- answer_coherence: the provider's self-assessment (an LLM's structured `confidence`); for the extractive
  provider, the cosine similarity of its quoted sentences to the question, mapped from [0.3, 0.8] to [0, 1].
"""

from dataclasses import dataclass

WEIGHTS = {"retrieval_similarity": 0.4, "source_coverage": 0.3, "answer_coherence": 0.3}
SIMILARITY_FLOOR = 0.2
SIMILARITY_CEILING = 0.7


@dataclass(frozen=True)
class Confidence:
    retrieval_similarity: float
    source_coverage: float
    answer_coherence: float

    @property
    def score(self) -> float:
        return round(sum(weight * getattr(self, part) for part, weight in WEIGHTS.items()), 4)


def _unit(value: float) -> float:
    return min(1.0, max(0.0, value))


def similarity_score(best_cosine: float | None) -> float:
    if best_cosine is None:
        return 0.0
    return _unit((best_cosine - SIMILARITY_FLOOR) / (SIMILARITY_CEILING - SIMILARITY_FLOOR))


def confidence(best_cosine: float | None, source_coverage: float, answer_coherence: float) -> Confidence:
    return Confidence(similarity_score(best_cosine), _unit(source_coverage), _unit(answer_coherence))
