"""wordfreq's Zipf frequencies without importing wordfreq on the chat's first question.

`import wordfreq` costs about a quarter of a second before any lookup (it locates its data folder through
`inspect.stack()`, imports langcodes, ftfy and regex, compiles its tokeniser), the first language's list another
tenth: the bulk of the chat's first answer after a cold start. For a plain lower-case word in one of the
languages the chat weighs (the common case: what `terms.words` gives) the frequency is a lookup in wordfreq's
own list, read here straight from its data file (gzipped msgpack, the "cBpack" format), and so is a number (its
Benford and year weights copied from wordfreq.numbers); anything else (apostrophes, letters mixed with digits,
characters that tokenise or normalise differently) goes to wordfreq itself, loaded then. Same numbers
as `wordfreq.zipf_frequency(word, language)`: tests/unit/test_word_frequency.py compares them.
"""

import gzip
import importlib.util
import math
import threading
import unicodedata
from functools import cache
from pathlib import Path

import msgpack

_LOCK = threading.Lock()
# Where a plain word is its own token in wordfreq (no segmenter, no transliteration), checked word for word
# against wordfreq by tests/unit/test_word_frequency.py; other languages go to wordfreq.
LANGUAGES = frozenset({"en", "nl", "de", "fr", "es", "it", "pt"})


@cache
def _data_dir() -> Path | None:
    spec = importlib.util.find_spec("wordfreq")  # finds the package without running it
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data"


# wordfreq's floor: zipf_frequency's `minimum` of 0 as a frequency (zipf_to_freq(0)).
_MIN_FREQ = 10**0 / 1e9
# wordfreq.numbers: leading-digit frequencies (Benford, with leading zeroes), and its model of 4-digit years.
_DIGIT_FREQS = [0.009, 0.300, 0.175, 0.124, 0.096, 0.078, 0.066, 0.057, 0.050, 0.045]
_YEAR_LOG_PEAK = -1.9185
_NOT_YEAR_PROB = 0.1
_REFERENCE_YEAR = 2019
_PLATEAU_WIDTH = 20


def _zipf(freq: float) -> float:
    """wordfreq's arithmetic: the frequency (at least the floor) rounded to three significant digits
    (word_frequency), then on the Zipf scale rounded to hundredths (zipf_frequency)."""
    freq = max(freq, _MIN_FREQ)
    rounded = round(freq, math.floor(-math.log(freq, 10)) + 3)
    return round(math.log(rounded, 10) + 9, 2)


def _bucket_freq(index: int) -> float:
    return 10 ** (-index / 100)  # wordfreq.cB_to_freq(-index)


@cache
def _table(language: str) -> dict[str, int] | None:
    """{word: bucket} of wordfreq's "best" list for `language` (the bucket's index is minus its frequency in
    centibels); None when it has none (wordfreq decides then)."""
    folder = _data_dir()
    if folder is None:
        return None
    candidates = (folder / f"large_{language}.msgpack.gz", folder / f"small_{language}.msgpack.gz")
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        return None
    with gzip.open(path, "rb") as infile:
        data = msgpack.unpack(infile, raw=False)
    header = data[0]
    if not isinstance(header, dict) or header.get("format") != "cB" or header.get("version") != 1:
        return None
    table: dict[str, int] = {}
    for index, bucket in enumerate(data[1:]):
        if bucket:
            table.update(dict.fromkeys(bucket, index))
    return table


@cache
def _bucket_zipf(index: int) -> float:
    return _zipf(_bucket_freq(index))


def _plain(word: str) -> bool:
    """A word wordfreq would look up as it is: letters only, already NFC and case-folded ('ß' is not: it folds
    to 'ss')."""
    return word.isalpha() and word.casefold() == word and unicodedata.is_normalized("NFC", word)


def _benford_freq(digits: str) -> float:
    return _DIGIT_FREQS[int(digits[0])] / 10 ** (len(digits) - 1)


def _year_freq(digits: str) -> float:
    year = int(digits)
    if year <= _REFERENCE_YEAR:
        log_freq = _YEAR_LOG_PEAK - 0.0083 * (_REFERENCE_YEAR - year)
    elif year <= _REFERENCE_YEAR + _PLATEAU_WIDTH:
        log_freq = _YEAR_LOG_PEAK
    else:
        log_freq = _YEAR_LOG_PEAK - 0.2 * (year - (_REFERENCE_YEAR + _PLATEAU_WIDTH))
    return 10.0**log_freq + _NOT_YEAR_PROB * _benford_freq(digits)


def _number_zipf(digits: str, table: dict[str, int]) -> float:
    """wordfreq on a number: one digit is a word of the list; longer ones are looked up as zeroes and weighed by
    how common that number is (Benford's law, years)."""
    if len(digits) == 1:
        index = table.get(digits)
        return 0.0 if index is None else _bucket_zipf(index)
    index = table.get("0" * len(digits))
    if index is None:
        return 0.0
    if digits == "0" * len(digits):  # wordfreq weighs only what smashing to zeroes changed
        return _bucket_zipf(index)
    weight = _year_freq(digits) if len(digits) == 4 else _benford_freq(digits)
    return _zipf(_bucket_freq(index) * weight)


def zipf_frequency(word: str, language: str) -> float:
    """`wordfreq.zipf_frequency(word, language)` (wordlist "best", minimum 0)."""
    number = word.isascii() and word.isdigit()
    if language in LANGUAGES and (number or _plain(word)):
        with _LOCK:  # one thread builds a language's table, the others wait for it rather than build it again
            table = _table(language)
        if table is not None:
            if number:
                return _number_zipf(word, table)
            index = table.get(word)
            return 0.0 if index is None else _bucket_zipf(index)
    from wordfreq import zipf_frequency as wordfreq_zipf

    return wordfreq_zipf(word, language)


def warm_up(language: str) -> None:
    """Read `language`'s list now."""
    with _LOCK:
        _table(language)
