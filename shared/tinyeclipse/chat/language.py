"""The language of a visitor's message and of a document, and the Postgres text-search configuration for one.

Detection is py3langid's naive Bayes model (4.5 MB, 97 languages, shipped in the package): on short support
messages restricted to en/nl/de/fr/es it is as accurate as lingua (0.95 both) at a twentieth of its size and a
fifth of its time. The words a message is made of settle the shortest ones first: "hoi", "danke", "merci" are the
small-talk phrases of one language (tinyeclipse.chat.intents); "hallo" (Dutch and German) and "ok" tell nothing.
When unsure, `detect` says None and the visitor's language is the widget's, then the tenant's.

The model is mapped from a copy prepared at build time (`python -m infra.language_model`, run by `make onnx` and
the chat image's build stage: the same arrays, uncompressed, 68 MB) when there is one: py3langid's own file (xz,
4.5 MB) takes about a second to decompress at every cold start, the copy nothing.
"""

import os
import sys
from collections.abc import Sequence
from functools import cache, lru_cache
from pathlib import Path

import numpy
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from tinyeclipse.chat import intents
from tinyeclipse.chat.replies import LANGUAGES as REPLY_LANGUAGES

# Fewer letters than this and the classifier guesses: "wifi", "dns?", "ok".
MIN_LETTERS = 5
# The classifier's probability (among the allowed languages) below which a message's language is unsure. On
# hand-written support messages of one to ten words, 0.6 keeps nine in ten and gets 99 in 100 of those right.
MIN_PROBABILITY = 0.6
# A document's language from its first characters: enough for certainty, little time.
DOCUMENT_SAMPLE_CHARS = 2_000
MIN_DOCUMENT_LETTERS = 40
# On the first sentences of XQuAD's en/de/es paragraphs, 0.6 keeps 96 in 100 and gets all of those right.
MIN_DOCUMENT_PROBABILITY = 0.6

# ISO 639-1 code -> the Postgres text-search configuration of the language (`\dF` in Postgres 18).
TEXT_SEARCH_CONFIGS = {
    "ar": "arabic",
    "ca": "catalan",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "eu": "basque",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "nb": "norwegian",
    "ne": "nepali",
    "nl": "dutch",
    "nn": "norwegian",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}


def primary(language: str | None) -> str | None:
    """The primary subtag of a BCP 47 tag, lower case: "nl-BE" -> "nl"."""
    code = (language or "").split("-")[0].strip().lower()
    return code or None


FAST_MODEL_VARIABLE = "LANGUAGE_MODEL_PATH"
FAST_MODEL_ARRAYS = ("ptc", "pc", "classes", "nextmove", "nextmove_row", "out_feat")


def fast_model_dir() -> Path:
    """Where the build-time copy is looked for: LANGUAGE_MODEL_PATH when set, else under the interpreter's prefix."""
    variable = os.environ.get(FAST_MODEL_VARIABLE)
    return Path(variable) if variable else Path(sys.prefix) / "share" / "tinyeclipse" / "py3langid"


@cache
def _model() -> LanguageIdentifier:
    folder = fast_model_dir()
    if not all((folder / f"{name}.npy").is_file() for name in FAST_MODEL_ARRAYS):
        return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    # Mapped, not read: a message walks a few hundred of the DFA's 10 million cells and reads a few rows of the
    # feature table.
    data = {name: numpy.load(folder / f"{name}.npy", mmap_mode="r") for name in FAST_MODEL_ARRAYS}
    return LanguageIdentifier(
        data["ptc"],
        numpy.asarray(data["pc"]),
        data["classes"].tolist(),
        memoryview(data["nextmove"]),  # indexed like py3langid's stdlib array: one int per cell
        data["out_feat"].tolist(),
        norm_probs=True,
        tk_row=data["nextmove_row"].tolist(),
    )


@lru_cache(maxsize=64)
def _identifier(allowed: tuple[str, ...] | None) -> LanguageIdentifier:
    """An identifier restricted to `allowed` (the model's arrays are shared; restricting slices columns). One per
    set, since restricting changes the identifier and chats run on several threads."""
    model = _model()
    if allowed is None:
        return model
    nb_ptc, nb_pc, classes = model._full_model
    restricted = LanguageIdentifier(
        nb_ptc, nb_pc, classes, model.tk_nextmove, model.tk_output, norm_probs=True, tk_row=model.tk_row
    )
    restricted.set_languages(allowed)
    return restricted


def warm_up() -> None:
    """Load the model now (about a second, 90 MB), at start-up rather than on a visitor's first question."""
    _identifier(_known(REPLY_LANGUAGES))


def _known(allowed: Sequence[str] | None) -> tuple[str, ...] | None:
    """The allowed languages the model knows, sorted (a cache key); None: all of them."""
    if allowed is None:
        return None
    labels = set(_model().labels)
    return tuple(sorted({code for code in (primary(a) for a in allowed) if code in labels}))


def _letters(text: str) -> int:
    return sum(char.isalpha() for char in text)


def _classify(text: str, allowed: tuple[str, ...] | None, threshold: float) -> str | None:
    if allowed is not None and len(allowed) == 1:
        return allowed[0]
    code, probability = _identifier(allowed).classify(text)
    return code if probability >= threshold else None


def detect(text: str, allowed: Sequence[str] | None = None) -> str | None:
    """The ISO 639-1 code of a visitor's message, or None when unsure (empty, too short, ambiguous). `allowed`
    restricts the answer to these languages (primary subtags; ones the model does not know are ignored)."""
    if not text.strip():
        return None
    known = _known(allowed)
    if known == ():
        return None
    said = intents.detect(text)
    phrased = tuple(code for code in (said.languages if said else ()) if known is None or code in known)
    if said is not None and said.intent is not intents.Intent.handoff:
        # All of the message is small talk: its phrases tell, or nothing does ("ok", "hallo").
        return phrased[0] if len(phrased) == 1 else None
    if _letters(text) < MIN_LETTERS:
        return phrased[0] if len(phrased) == 1 else None
    # A request for a person inside a longer message: the whole message tells more than the phrase.
    return _classify(text, known, MIN_PROBABILITY) or (phrased[0] if len(phrased) == 1 else None)


def visitor_language(
    message: str, widget_language: str | None, tenant_language: str, allowed: Sequence[str] | None = None
) -> str:
    """The language to answer in: the message's, else the widget's (its primary subtag), else the tenant's."""
    return detect(message, allowed) or primary(widget_language) or primary(tenant_language) or "en"


def tenant_languages(tenant_language: str) -> tuple[str, ...]:
    """The languages a tenant's visitors are recognised in: those the bot has texts for, and the tenant's own."""
    own = primary(tenant_language)
    return REPLY_LANGUAGES if own is None or own in REPLY_LANGUAGES else (*REPLY_LANGUAGES, own)


def document_language(text: str) -> str | None:
    """The language of a document (a page, a PDF, an FAQ) from its beginning; None when too short or unsure."""
    sample = text[:DOCUMENT_SAMPLE_CHARS]
    if _letters(sample) < MIN_DOCUMENT_LETTERS:
        return None
    return _classify(sample, None, MIN_DOCUMENT_PROBABILITY)


def text_search_config(code: str | None) -> str:
    """The Postgres text-search configuration for a language code; `simple` (no stemming, no stop words) for one
    Postgres has none for, or None."""
    return TEXT_SEARCH_CONFIGS.get(primary(code) or "", "simple")
