"""Every packaged model loads offline, once, and gives unit vectors that put paraphrases close together; the
multilingual one puts a question close to its answer in another language."""

import subprocess
import sys

import numpy
import pytest

from tinyeclipse.embeddings.base import DIMENSIONS, Embedder
from tinyeclipse.embeddings.names import MODELS
from tinyeclipse.embeddings.registry import get_embedder


@pytest.fixture(scope="module", params=MODELS)
def embedder(request: pytest.FixtureRequest) -> Embedder:
    return get_embedder(request.param)


def test_vectors_are_float32_unit_rows(embedder: Embedder) -> None:
    vectors = embedder.encode(["How do I reset my password?", "Opening hours", "x" * 5000], batch_size=2)
    assert vectors.shape == (3, DIMENSIONS) == (3, 384)
    assert vectors.dtype == numpy.float32
    numpy.testing.assert_allclose(numpy.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    query = embedder.encode_query("How do I reset my password?")
    assert query.shape == (DIMENSIONS,)
    assert not query.flags.writeable  # cached: shared by every caller
    numpy.testing.assert_allclose(numpy.linalg.norm(query), 1.0, atol=1e-5)


def test_a_paraphrase_is_closer_than_an_unrelated_sentence(embedder: Embedder) -> None:
    question = embedder.encode_query("How do I reset my password?")
    paraphrase, unrelated = embedder.encode(
        ["I forgot my password? Use 'Forgot password' on the login page to change it.", "Our office is in Amsterdam"]
    )
    assert question @ paraphrase > question @ unrelated + 0.05


def test_the_multilingual_model_finds_the_english_answer_to_a_dutch_question() -> None:
    embedder = get_embedder("multilingual-e5-small")
    question = embedder.encode_query("Hoe kan ik mijn wachtwoord resetten?")
    answers = embedder.encode(
        [
            "Our office is open from 9 to 5 on weekdays.",
            "To reset your password, click 'Forgot password' on the login page and follow the link we email you.",
            "The Starter plan costs 5 euros a month.",
        ]
    )
    assert int(numpy.argmax(answers @ question)) == 1


def test_no_texts_give_an_empty_matrix(embedder: Embedder) -> None:
    vectors = embedder.encode([])
    assert vectors.shape == (0, DIMENSIONS)
    assert vectors.dtype == numpy.float32


def test_the_model_is_loaded_once(embedder: Embedder) -> None:
    assert get_embedder(embedder.name) is embedder


def test_an_unknown_model_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown embedding model"):
        get_embedder("text-embedding-3-small")  # type: ignore[arg-type]


def test_importing_the_registry_and_chunker_does_not_import_torch() -> None:
    code = (
        "import sys, tinyeclipse.embeddings.registry, tinyeclipse.ingestion.chunking\n"
        "assert 'torch' not in sys.modules and 'sentence_transformers' not in sys.modules, 'torch was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
