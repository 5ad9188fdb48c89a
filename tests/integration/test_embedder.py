"""The bundled model loads offline, once, and gives unit vectors that put paraphrases close together."""

import subprocess
import sys

import numpy
import pytest

from tinyeclipse.ingestion.embedder import DIMENSIONS, Embedder, get_embedder


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return get_embedder()


def test_vectors_are_float32_unit_rows(embedder: Embedder) -> None:
    vectors = embedder.encode(["How do I reset my password?", "Opening hours", "x" * 5000], batch_size=2)
    assert vectors.shape == (3, DIMENSIONS) == (3, 384)
    assert vectors.dtype == numpy.float32
    numpy.testing.assert_allclose(numpy.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_a_paraphrase_is_closer_than_an_unrelated_sentence(embedder: Embedder) -> None:
    question, paraphrase, unrelated = embedder.encode(
        ["How do I reset my password?", "I forgot my password, how can I change it?", "Our office is in Amsterdam"]
    )
    assert question @ paraphrase > 0.7
    assert question @ unrelated < 0.3


def test_no_texts_give_an_empty_matrix(embedder: Embedder) -> None:
    vectors = embedder.encode([])
    assert vectors.shape == (0, DIMENSIONS)
    assert vectors.dtype == numpy.float32


def test_the_model_is_loaded_once(embedder: Embedder) -> None:
    assert get_embedder() is embedder


def test_importing_the_embedder_and_chunker_does_not_import_torch() -> None:
    code = (
        "import sys, tinyeclipse.ingestion.embedder, tinyeclipse.ingestion.chunking\n"
        "assert 'torch' not in sys.modules and 'sentence_transformers' not in sys.modules, 'torch was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
