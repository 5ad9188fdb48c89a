"""The chat's ONNX query model (float32) against sentence-transformers: the same vectors, without torch.

Needs the exported model (`make onnx`, which `make test` runs first).
"""

import subprocess
import sys
from pathlib import Path

import numpy
import pytest

from tinyeclipse.embeddings.base import DIMENSIONS
from tinyeclipse.embeddings.minilm import TorchMiniLM
from tinyeclipse.embeddings.onnx_minilm import ModelMissingError, OnnxMiniLM, default_model_file, model_file

REPO = Path(__file__).resolve().parents[2]

VARIED = [
    "How do I reset my password?",
    "refund",
    "Can I change the delivery address after I placed my order, and will it cost extra?",
    "Our shop is open Monday to Saturday from 9:00 to 18:00. On public holidays we close at noon; online orders "
    "placed after 15:00 ship the next working day. Returns are accepted within 30 days with the receipt.",
    "Hoe kan ik mijn wachtwoord resetten?",
    "Können Sie mir eine Rechnung mit ausgewiesener Mehrwertsteuer schicken?",
    "Quels sont vos délais de livraison pour la Belgique ?",
    "SSL_ERROR_BAD_CERT_DOMAIN when opening https://shop.example.com:8443/checkout?step=2",
    "SELECT count(*) FROM orders WHERE status = 'paid' AND created_at > now() - interval '1 day';",
    "!!! ??? 🙂👍",
    "PRICE LIST 2026 — SMALL €9.99 / MEDIUM €14.99 / LARGE €19.99",
    # Longer than the model's 256 tokens: both cut it there.
    "The warranty covers manufacturing defects of the frame, the fork and the wheels for two years from the date "
    "of purchase, provided the bicycle was serviced at least once a year by an authorised dealer. " * 12,
]


@pytest.fixture(scope="module")
def onnx_model() -> OnnxMiniLM:
    return OnnxMiniLM.load()


@pytest.fixture(scope="module")
def torch_vectors() -> numpy.ndarray:
    return TorchMiniLM().encode(VARIED)


def test_vectors_match_sentence_transformers(onnx_model: OnnxMiniLM, torch_vectors: numpy.ndarray) -> None:
    vectors = onnx_model.encode(VARIED)

    assert vectors.shape == (len(VARIED), DIMENSIONS)
    assert vectors.dtype == numpy.float32
    numpy.testing.assert_allclose(numpy.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    cosines = (vectors * torch_vectors).sum(axis=1)
    # float32 weights: the same vectors up to rounding, so the same nearest chunks (int8 reached only 0.99).
    assert cosines.min() >= 0.9999, dict(zip(VARIED, cosines.round(6), strict=True))


def test_nearest_passage_is_the_same_as_with_torch(onnx_model: OnnxMiniLM, torch_vectors: numpy.ndarray) -> None:
    questions = ["When is the shop open?", "How long is the bike's frame guaranteed?", "What does a medium cost?"]
    passages = torch_vectors[[3, 11, 10]]  # as ingestion stores them

    ours = numpy.stack([onnx_model.encode_query(q) for q in questions]) @ passages.T
    theirs = TorchMiniLM().encode(questions) @ passages.T

    assert list(ours.argmax(axis=1)) == list(theirs.argmax(axis=1)) == [0, 1, 2]


def test_a_text_gets_the_same_vector_alone_or_among_others(onnx_model: OnnxMiniLM) -> None:
    together = onnx_model.encode(VARIED, batch_size=4)
    alone = numpy.stack([onnx_model.encode([text])[0] for text in VARIED])

    numpy.testing.assert_array_equal(together, alone)
    numpy.testing.assert_array_equal(onnx_model.encode(list(reversed(VARIED)))[::-1], alone)


def test_query_vectors_are_cached_and_read_only(onnx_model: OnnxMiniLM) -> None:
    first = onnx_model.encode_query("Do you ship to Belgium?")

    assert onnx_model.encode_query("Do you ship to Belgium?") is first
    numpy.testing.assert_array_equal(first, onnx_model.encode(["Do you ship to Belgium?"])[0])
    with pytest.raises(ValueError, match="read-only"):
        first[0] = 1.0


def test_no_texts_give_an_empty_matrix(onnx_model: OnnxMiniLM) -> None:
    assert onnx_model.encode([]).shape == (0, DIMENSIONS)


def test_encoding_never_imports_torch() -> None:
    code = (
        "import sys\n"
        "from tinyeclipse.embeddings.onnx_minilm import OnnxMiniLM\n"
        "model = OnnxMiniLM.load()\n"
        "model.encode(['a passage', 'another one'])\n"
        "model.encode_query('a question?')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'torch', 'transformers', 'sentence_transformers'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_missing_model_names_the_make_target(tmp_path: Path) -> None:
    with pytest.raises(ModelMissingError, match=r"`make onnx`.*EMBEDDING_ONNX_PATH"):
        OnnxMiniLM.load(tmp_path / "all-MiniLM-L6-v2.onnx")


def test_the_model_path_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMBEDDING_ONNX_PATH", str(tmp_path / "elsewhere.onnx"))

    with pytest.raises(ModelMissingError, match=r"elsewhere\.onnx"):
        OnnxMiniLM.load()


def test_the_default_model_is_the_float32_export() -> None:
    model = OnnxMiniLM.load()

    assert model_file().name == "all-MiniLM-L6-v2.onnx"
    assert default_model_file(int8=True).name == "all-MiniLM-L6-v2.int8.onnx"
    # The int8 export is about 34 MB; float32 keeps every weight at 4 bytes.
    assert model_file().stat().st_size > 80e6
    assert model.encode(["x"]).shape == (1, DIMENSIONS)
