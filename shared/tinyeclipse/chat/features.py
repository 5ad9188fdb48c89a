"""What the confidence model reads: measurable signs that the retrieved knowledge answers the question.

Each feature is a number computed from the question, the retrieved chunks and the statements the answer rests
on; `bench/calibrate.py` measures how well each one separates right answers from wrong or unsupported ones and
fits their combination (shared/tinyeclipse/chat/confidence_model.json). Names are part of that file's format.
"""

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from tinyeclipse.chat.reading import Reading, ScoredSentence
from tinyeclipse.chat.retrieval import Retrieved
from tinyeclipse.chat.terms import STOPWORDS, stem, words
from tinyeclipse.chat.word_frequency import zipf_frequency

# A word's information content from its frequency in everyday language (wordfreq's Zipf scale: 7 is "the",
# 3 is "domain"-rare, 0 unknown): rare words are the ones an answer must contain.
_ZIPF_TOP = 7.5
_MIN_WEIGHT = 0.5
_FREQUENCY_LANGUAGES = frozenset({"en", "nl", "de", "fr", "es", "it", "pt"})

_NUMBER_WORDS = frozenset(
    """
    one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty
    hundred hundreds thousand thousands million millions billion billions dozen dozens half quarter
    several
    """.split()  # noqa: SIM905
)
_MONTHS = frozenset(
    """
    january february march april may june july august september october november december
    """.split()  # noqa: SIM905
)
_DIGITS = re.compile(r"\d")
_PERIODS = frozenset({"century", "centuries", "decade", "decades", "year", "years", "ago", "today", "yesterday"})
_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w'-]+")

# The kind of answer a question asks for, by its opening words (English first; the model's language).
_EXPECTS = (
    (
        "number",
        re.compile(
            r"\b(how (many|much|long|old|far|large|big|tall|high|often)|what (percentage|number|"
            r"amount|proportion)|hoeveel|wie viele?|combien|cu[aá]nt[oa]s?)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "date",
        re.compile(
            r"\b(when|what (year|century|decade|date|day|time)|in which (year|century)|wanneer|wann|"
            r"quand|cu[aá]ndo)\b",
            re.IGNORECASE,
        ),
    ),
    ("name", re.compile(r"\b(who|whom|whose|where|wer|wo|qui|o[uù]|qui[eé]n|d[oó]nde|waar)\b", re.IGNORECASE)),
)

NAMES = (
    "best_similarity",
    "similarity_margin",
    "sentence_meaning",
    "sentence_wording",
    "sentence_margin",
    "weighted_coverage",
    "chunk_weighted_coverage",
    "missing_rare",
    "missing_names",
    "answer_type_missing",
    "vector_keyword_agree",
    "keyword_matched",
    "numbers_disagree",
    "question_terms",
)


@dataclass(frozen=True)
class Features:
    values: dict[str, float]  # one per NAMES

    def vector(self) -> list[float]:
        return [self.values[name] for name in NAMES]


@lru_cache(maxsize=65536)
def _weight(word: str, language: str) -> float:
    # wordfreq's numbers without importing wordfreq on a cold start's first question (word_frequency.py).
    zipf = zipf_frequency(word, language if language in _FREQUENCY_LANGUAGES else "en")
    return max(_MIN_WEIGHT, _ZIPF_TOP - zipf)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def question_terms(question: str, language: str) -> dict[str, float]:
    """The question's content words, stemmed, with how informative each is."""
    weights: dict[str, float] = {}
    for word in words(question):
        if word in STOPWORDS or (len(word) < 2 and not word.isdigit()):
            continue
        key = stem(word)
        weights[key] = max(weights.get(key, 0.0), _weight(word, language))
    return weights


def _stems(text: str) -> set[str]:
    return {stem(word) for word in words(text)}


def weighted_coverage(weights: dict[str, float], text: str) -> float:
    """The information-weighted share of the question's terms that `text` contains (1.0 with no terms)."""
    total = sum(weights.values())
    if not total:
        return 1.0
    present = _stems(text)
    return sum(w for term, w in weights.items() if term in present) / total


def _missing_rare(weights: dict[str, float], text: str) -> float:
    """How informative the rarest question term missing from `text` is, 0..1 (0: nothing missing)."""
    present = _stems(text)
    missing = [w for term, w in weights.items() if term not in present]
    return max(missing, default=0.0) / _ZIPF_TOP


def _names(text: str) -> set[str]:
    """Capitalised words after a sentence's first ("I", "I'm" and other function words are no names)."""
    return {_fold(match) for match in _CAPITALISED.findall(text) if match.lower() not in STOPWORDS}


def _missing_names(question: str, text: str) -> float:
    """Names and numbers of the question (capitalised words after its first, digits) that `text` lacks."""
    wanted = _names(question) | {w for w in words(question) if _DIGITS.search(w)}
    if not wanted:
        return 0.0
    present = {_fold(w) for w in words(text)}
    return sum(1 for name in wanted if name.lower() not in present) / len(wanted)


def expected_answer_type(question: str) -> str | None:
    for kind, pattern in _EXPECTS:
        if pattern.search(question):
            return kind
    return None


def has_answer_type(kind: str, question: str, text: str) -> bool:
    """Whether `text` holds something of `kind` that the question does not already say."""
    asked = {_fold(w) for w in words(question)}
    new_words = [w for w in words(text) if _fold(w) not in asked]
    if kind == "number":
        return any(_DIGITS.search(w) or w in _NUMBER_WORDS for w in new_words)
    if kind == "date":
        return any(_DIGITS.search(w) or w in _MONTHS or w in _PERIODS for w in new_words)
    return bool(_names(text) - _names(question) - asked)


def _numbers(text: str) -> set[str]:
    return {w for w in words(text) if _DIGITS.search(w) or w in _NUMBER_WORDS}


def numbers_disagree(question: str, text: str) -> bool:
    """The question names a number the text does not, and the text names another: "three" against "two"."""
    asked, stated = _numbers(question), _numbers(text)
    return bool(asked - stated) and bool(stated - asked)


def extract(
    question: str,
    found: Sequence[Retrieved],
    reading: Reading,
    support: Sequence[ScoredSentence],
    language: str = "en",
) -> Features:
    """The features of an answer resting on `support` (its statements; the best sentence when empty)."""
    weights = question_terms(question, language)
    similarities = sorted((hit.similarity for hit in found), reverse=True)
    best = similarities[0] if similarities else 0.0
    second = similarities[1] if len(similarities) > 1 else 0.0
    statements = list(support) or ([reading.best] if reading.best else [])
    passage = " ".join(s.text for s in statements)
    chunks = " ".join(dict.fromkeys(s.chunk.text for s in statements))
    ranked = reading.ranked
    runner_up = next((s for s in ranked if statements and s is not statements[0]), None)
    kind = expected_answer_type(question)
    top = found[0] if found else None
    cited_hits = [hit for hit in found if any(hit.content == s.chunk.text for s in statements)]
    values = {
        "best_similarity": best,
        "similarity_margin": best - second,
        "sentence_meaning": max((s.meaning for s in statements), default=0.0),
        "sentence_wording": max((s.wording for s in statements), default=0.0),
        "sentence_margin": (statements[0].score - runner_up.score) if statements and runner_up else 0.0,
        "weighted_coverage": weighted_coverage(weights, passage) if statements else 0.0,
        "chunk_weighted_coverage": weighted_coverage(weights, chunks) if statements else 0.0,
        "missing_rare": _missing_rare(weights, passage) if statements else 1.0,
        "missing_names": _missing_names(question, chunks) if statements else 1.0,
        "answer_type_missing": 1.0 if kind and not has_answer_type(kind, question, passage) else 0.0,
        "vector_keyword_agree": 1.0 if top and top.vector_rank == 1 and top.keyword_rank == 1 else 0.0,
        "keyword_matched": 1.0 if any(hit.keyword_rank is not None for hit in cited_hits) else 0.0,
        "numbers_disagree": 1.0 if statements and numbers_disagree(question, passage) else 0.0,
        "question_terms": math.log1p(len(weights)),
    }
    return Features(values)
