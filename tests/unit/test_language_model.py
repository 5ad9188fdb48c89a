"""The language detector's build-time copy (infra/language_model.py): mapped at start-up, the same answers as
py3langid's own model, and py3langid's own model when the copy is missing."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from infra import language_model
from tinyeclipse.chat import language

TEXTS = [
    "Hoe kan ik mijn wachtwoord resetten?",
    "Wie lange dauert der Versand nach Österreich?",
    "Est-ce que je peux payer par virement bancaire ?",
    "How do I point my domain to your nameservers?",
    "¿Cuánto cuesta el paquete Starter?",
    "Quanto costa la spedizione in Italia?",
    "Привет, как дела?",
    "これは日本語の文です",
    "hoi",
    "",
]


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("model") / "py3langid"
    language_model.write(folder)
    return folder


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """language._model() reloaded under whatever LANGUAGE_MODEL_PATH the test sets."""
    language._model.cache_clear()
    language._identifier.cache_clear()
    yield monkeypatch
    language._model.cache_clear()
    language._identifier.cache_clear()


def test_the_copy_ranks_every_language_as_py3langid_does(copy: Path, fresh: pytest.MonkeyPatch) -> None:
    fresh.setenv(language.FAST_MODEL_VARIABLE, str(copy))
    original = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)

    mapped = language._model()

    assert sorted(p.name for p in copy.iterdir()) == sorted(f"{n}.npy" for n in language.FAST_MODEL_ARRAYS)
    for text in TEXTS:
        assert mapped.rank(text) == original.rank(text), text
    assert language.detect("Hoe kan ik mijn wachtwoord resetten?") == "nl"
    assert language.detect("Wie lange dauert der Versand nach Österreich?", ["en", "de"]) == "de"


def test_without_the_copy_py3langid_s_own_model_answers(tmp_path: Path, fresh: pytest.MonkeyPatch) -> None:
    fresh.setenv(language.FAST_MODEL_VARIABLE, str(tmp_path / "missing"))

    assert language.detect("Hoe kan ik mijn wachtwoord resetten?") == "nl"
    assert language.document_language("Est-ce que je peux payer par virement bancaire ? " * 3) == "fr"
