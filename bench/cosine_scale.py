"""Fits, per embedding model, a map of its cosines onto all-MiniLM-L6-v2's scale (run by `make calibrate`).

The models' cosines live in different ranges (all-MiniLM-L6-v2 spreads over 0.1-0.8, multilingual-e5-small sits in
0.75-0.92), and the reader's heuristics (a second source joins when it scores 0.9 of the best; a generated sentence
is supported above 0.6) were set on MiniLM's. Each other model's cosines are mapped monotonically onto MiniLM's by
matching quantiles: on the same pairs — every XQuAD English question against every sentence of its article (../shared
/eval), so related and unrelated statements mix as among a tenant's sources — the model's q-quantile becomes
MiniLM's q-quantile. Written to shared/tinyeclipse/embeddings/cosine_scale.json (tinyeclipse.embeddings.scale).
"""

import json
from pathlib import Path

import numpy as np

from bench.answers import XQUAD
from tinyeclipse.chat.passages import split
from tinyeclipse.embeddings.names import MODELS
from tinyeclipse.embeddings.registry import get_embedder
from tinyeclipse.embeddings.scale import REFERENCE_MODEL

OUTPUT = Path(__file__).parents[1] / "shared" / "tinyeclipse" / "embeddings" / "cosine_scale.json"
ARTICLES = 8  # of XQuAD's 24: ~200 questions x ~40 sentences each, enough for a stable map
QUANTILES = np.linspace(0, 1, 41)


def articles() -> list[tuple[list[str], list[str]]]:
    data = json.loads(XQUAD.read_text())["data"]["en"]
    return [
        (
            [qa["question"] for paragraph in article["paragraphs"] for qa in paragraph["qas"]],
            [s.text for paragraph in article["paragraphs"] for s in split(paragraph["context"])],
        )
        for article in data[:ARTICLES]
    ]


def pair_cosines(model: str, data: list[tuple[list[str], list[str]]]) -> np.ndarray:
    embedder = get_embedder(model)  # type: ignore[arg-type]
    cosines = []
    for questions, sentences in data:
        queries = np.stack([embedder.encode_query(q) for q in questions])
        cosines.append((queries @ embedder.encode(sentences).T).ravel())
    return np.concatenate(cosines)


def main() -> None:
    data = articles()
    reference = np.quantile(pair_cosines(REFERENCE_MODEL, data), QUANTILES)
    scale: dict[str, object] = {}
    for model in MODELS:
        if model != REFERENCE_MODEL:
            own = np.quantile(pair_cosines(model, data), QUANTILES)
            scale[model] = {
                "cosines": [round(float(c), 4) for c in own],
                "reference": [round(float(c), 4) for c in reference],
            }
    scale["_fitted_on"] = {
        "questions": sum(len(q) for q, _ in data),
        "sentences": sum(len(s) for _, s in data),
        "quantiles": len(QUANTILES),
    }
    OUTPUT.write_text(json.dumps(scale, indent=1) + "\n")
    print(json.dumps(scale["_fitted_on"]))


if __name__ == "__main__":
    main()
