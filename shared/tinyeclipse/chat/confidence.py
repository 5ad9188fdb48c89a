"""How sure the bot is of an answer: a probability that it is right, fitted to data, with its parts kept visible.

The score is a logistic model over the features of features.py, fitted by `make calibrate` (bench/calibrate.py,
leave-one-article-out on ../shared/eval), one per embedding model: the cosines a feature reads differ from model
to model (all-MiniLM-L6-v2's spread over 0.1-0.8, multilingual-e5-small's sit in 0.75-0.92), so each model's
answers are scored by the model fitted on its own answers (MODEL_FILES). Each fit estimates the same thing, the
probability that the answer is right, so a threshold means the same for every tenant whatever its model: "an
answer scoring 0.6 is right about 6 times in 10 on our evaluation data". Three parts are kept for people to read
(the admin panel shows them per message):

- retrieval_similarity: the best retrieved chunk's cosine similarity to the question, mapped linearly from the
  embedding model's SIMILARITY_BANDS onto [0, 1].
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
from tinyeclipse.embeddings.names import MODELS

# Per embedding model: the file of the confidence model fitted on its answers. The default model's file keeps its
# first name, as its thresholds are the product's defaults (tenants/settings.py reads them): one set for every
# model, since every fit estimates the same probability.
MODEL_FILES: dict[str, str] = {
    "all-MiniLM-L6-v2": "confidence_model.json",
    "multilingual-e5-small": "confidence_model.multilingual-e5-small.json",
}
# The cosine band of each model's retrieval_similarity part, (unrelated, clearly related): for people to read only;
# the score reads the raw cosines.
SIMILARITY_BANDS: dict[str, tuple[float, float]] = {
    "all-MiniLM-L6-v2": (0.2, 0.7),
    "multilingual-e5-small": (0.78, 0.9),
}


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
            raise ValueError(f"confidence model: features this code does not compute: {sorted(unknown)}")
        return cls(
            names=tuple(data["names"]),
            mean=tuple(data["mean"]),
            scale=tuple(data["scale"]),
            coef=tuple(data["coef"]),
            intercept=float(data["intercept"]),
        )


def model_file(embedding_model: str) -> str:
    if embedding_model not in MODEL_FILES:
        raise ValueError(f"no confidence model for embedding model {embedding_model!r}; known: {', '.join(MODELS)}")
    return MODEL_FILES[embedding_model]


@lru_cache(maxsize=len(MODEL_FILES))
def fitted_model(embedding_model: str) -> Model:
    """The confidence model fitted on the answers of tenants whose chunks `embedding_model` embedded."""
    text = resources.files("tinyeclipse.chat").joinpath(model_file(embedding_model)).read_text()
    return Model.from_json(json.loads(text)["model"])


@dataclass(frozen=True)
class Confidence:
    embedding_model: str  # whose fitted model scored it
    retrieval_similarity: float
    source_coverage: float
    answer_coherence: float
    groundedness: float
    features: Features
    score: float

    def parts(self) -> dict[str, Any]:
        """What is stored with the message and shown to the operator."""
        return {
            "embedding_model": self.embedding_model,
            "retrieval_similarity": round(self.retrieval_similarity, 4),
            "source_coverage": round(self.source_coverage, 4),
            "answer_coherence": round(self.answer_coherence, 4),
            "groundedness": round(self.groundedness, 4),
            "features": {name: round(value, 4) for name, value in self.features.values.items()},
        }


def similarity_score(best_cosine: float, embedding_model: str) -> float:
    floor, ceiling = SIMILARITY_BANDS[embedding_model]
    return _unit((best_cosine - floor) / (ceiling - floor))


def assess(
    features: Features,
    embedding_model: str,
    *,
    coherence: float,
    groundedness: float = 1.0,
    model: Model | None = None,
) -> Confidence:
    """The answer's confidence: the probability fitted for `embedding_model` (the model that embedded the chunks
    and the question), times the groundedness of a generated answer."""
    probability = (model or fitted_model(embedding_model)).probability(features)
    return Confidence(
        embedding_model=embedding_model,
        retrieval_similarity=similarity_score(features.values["best_similarity"], embedding_model),
        source_coverage=_unit(features.values["weighted_coverage"]),
        answer_coherence=_unit(coherence),
        groundedness=_unit(groundedness),
        features=features,
        score=round(probability * _unit(groundedness), 4),
    )


def no_answer(features: Features, embedding_model: str) -> Confidence:
    """Nothing to answer from (no knowledge retrieved, or the provider failed)."""
    model_file(embedding_model)  # an unknown model fails here as it would with an answer
    return Confidence(embedding_model, 0.0, 0.0, 0.0, 0.0, features, 0.0)
