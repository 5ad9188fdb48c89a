"""How sure the bot is of an answer: a probability that it is right, fitted to data, with its parts kept visible.

The score is a logistic model over the features of features.py, fitted by `make calibrate` (bench/calibrate.py,
leave-one-article-out on ../shared/eval) and stored in confidence_model.json; so a threshold means the same for
every tenant: "an answer scoring 0.6 is right about 6 times in 10 on our evaluation data". Three parts are kept
for people to read (the admin panel shows them per message):

- retrieval_similarity: the best retrieved chunk's cosine similarity to the question, mapped linearly from
  [SIMILARITY_FLOOR, SIMILARITY_CEILING] onto [0, 1].
- source_coverage: the information-weighted share of the question's terms that the statements the answer rests
  on contain (rare words count more than common ones).
- answer_coherence: the provider's self-assessment (an LLM's structured `confidence`); for the extractive
  provider, how close in meaning its best statement is to the question.

For generated answers the probability is multiplied by the groundedness (the share of the answer's sentences
that a cited source supports): an LLM writing what the sources do not say pulls the score down.
"""

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from tinyeclipse.chat.features import NAMES, Features

SIMILARITY_FLOOR = 0.2
SIMILARITY_CEILING = 0.7
MODEL_FILE = "confidence_model.json"


def _unit(value: float) -> float:
    return min(1.0, max(0.0, value))


@dataclass(frozen=True)
class Model:
    """Standardise, then logistic regression: P(right) = 1 / (1 + exp(-(b + w·z)))."""

    names: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def probability(self, features: Features) -> float:
        z = sum(
            w * (features.values[name] - m) / s
            for name, m, s, w in zip(self.names, self.mean, self.scale, self.coef, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-(self.intercept + z)))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Model":
        unknown = set(data["names"]) - set(NAMES)
        if unknown:
            raise ValueError(f"{MODEL_FILE}: features this code does not compute: {sorted(unknown)}")
        return cls(
            names=tuple(data["names"]),
            mean=tuple(data["mean"]),
            scale=tuple(data["scale"]),
            coef=tuple(data["coef"]),
            intercept=float(data["intercept"]),
        )


@lru_cache(maxsize=1)
def fitted_model() -> Model:
    text = resources.files("tinyeclipse.chat").joinpath(MODEL_FILE).read_text()
    return Model.from_json(json.loads(text)["model"])


@dataclass(frozen=True)
class Confidence:
    retrieval_similarity: float
    source_coverage: float
    answer_coherence: float
    groundedness: float
    features: Features
    score: float

    def parts(self) -> dict[str, Any]:
        """What is stored with the message and shown to the operator."""
        return {
            "retrieval_similarity": round(self.retrieval_similarity, 4),
            "source_coverage": round(self.source_coverage, 4),
            "answer_coherence": round(self.answer_coherence, 4),
            "groundedness": round(self.groundedness, 4),
            "features": {name: round(value, 4) for name, value in self.features.values.items()},
        }


def similarity_score(best_cosine: float) -> float:
    return _unit((best_cosine - SIMILARITY_FLOOR) / (SIMILARITY_CEILING - SIMILARITY_FLOOR))


def assess(
    features: Features, *, coherence: float, groundedness: float = 1.0, model: Model | None = None
) -> Confidence:
    """The answer's confidence: the fitted probability, times the groundedness of a generated answer."""
    probability = (model or fitted_model()).probability(features)
    return Confidence(
        retrieval_similarity=similarity_score(features.values["best_similarity"]),
        source_coverage=_unit(features.values["weighted_coverage"]),
        answer_coherence=_unit(coherence),
        groundedness=_unit(groundedness),
        features=features,
        score=round(probability * _unit(groundedness), 4),
    )


def no_answer(features: Features) -> Confidence:
    """Nothing to answer from (no knowledge retrieved, or the provider failed)."""
    return Confidence(0.0, 0.0, 0.0, 0.0, features, 0.0)
