"""Cosines of every model on one scale: all-MiniLM-L6-v2's.

The reader's heuristics and the grounding check were set on MiniLM's cosines (0.1-0.8); multilingual-e5-small's sit
in 0.75-0.92. Each other model's cosines are mapped onto MiniLM's by a monotone, quantile-matched map fitted on the
evaluation data (bench/cosine_scale.py, run by `make calibrate`), so "0.6" means the same whatever model embedded
the tenant's knowledge. Retrieval still ranks by the model's own cosine: a monotone map changes no order.
"""

import json
from functools import cache
from importlib import resources

import numpy as np

REFERENCE_MODEL = "all-MiniLM-L6-v2"


@cache
def _map(model: str) -> tuple[np.ndarray, np.ndarray] | None:
    if model == REFERENCE_MODEL:
        return None
    fitted = json.loads(resources.files("tinyeclipse.embeddings").joinpath("cosine_scale.json").read_text())[model]
    return np.asarray(fitted["cosines"]), np.asarray(fitted["reference"])


def comparable(model: str, cosines: np.ndarray) -> np.ndarray:
    """`model`'s cosines as all-MiniLM-L6-v2's would be (the same array for MiniLM itself)."""
    fitted = _map(model)
    if fitted is None:
        return cosines
    own, reference = fitted
    return np.interp(cosines, own, reference).astype(cosines.dtype, copy=False)
