"""Every model's cosines on all-MiniLM-L6-v2's scale: MiniLM's unchanged, e5's narrow band spread like MiniLM's,
the order never changed."""

import numpy as np

from tinyeclipse.embeddings.scale import comparable


def test_minilm_cosines_are_their_own_scale() -> None:
    cosines = np.array([-0.2, 0.1, 0.6, 0.95], dtype=np.float32)
    assert comparable("all-MiniLM-L6-v2", cosines) is cosines


def test_e5_cosines_spread_over_minilm_s_range_in_the_same_order() -> None:
    e5 = np.linspace(0.70, 0.95, 26, dtype=np.float32)
    mapped = comparable("multilingual-e5-small", e5)
    assert mapped.dtype == np.float32
    assert np.all(np.diff(mapped) >= 0), "a monotone map: no ranking changes"
    # e5's unrelated pairs (~0.76) land where MiniLM's unrelated ones are, its close paraphrases (~0.92) high.
    assert comparable("multilingual-e5-small", np.array([0.76]))[0] < 0.3
    assert comparable("multilingual-e5-small", np.array([0.92]))[0] > 0.7
