"""The chat's word frequencies give wordfreq's numbers, without importing wordfreq for the common words."""

import random
import subprocess
import sys
from pathlib import Path

import pytest
import wordfreq

from tinyeclipse.chat import word_frequency

REPO = Path(__file__).resolve().parents[2]
LANGUAGES = sorted(word_frequency.LANGUAGES)
ODD = [
    "domain", "password", "wachtwoord", "straße", "strasse", "über", "café", "cafe\u0301", "été", "l'eau",
    "don't", "3g", "mp3", "xyzzyqwv", "Domain", "ÉTÉ", "a", "0", "7", "00", "000", "007", "01", "42", "404", "1999",
    "2019", "2026", "2040", "2100", "12345", "99999999999999", "١٢٣",
]  # fmt: skip


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_same_zipf_as_wordfreq(language: str) -> None:
    table = word_frequency._table(language)
    assert table is not None
    sample = random.Random(language).sample(sorted(table), 2000)
    numbers = [str(n) for n in range(0, 2200, 7)]
    for word in [*sample, *numbers, *ODD]:
        assert word_frequency.zipf_frequency(word, language) == wordfreq.zipf_frequency(word, language), word


def test_other_languages_are_wordfreqs_answer() -> None:
    assert word_frequency.zipf_frequency("och", "sv") == wordfreq.zipf_frequency("och", "sv") > 6
    with pytest.raises(LookupError):
        word_frequency.zipf_frequency("domain", "xx")


def test_plain_words_and_numbers_never_import_wordfreq() -> None:
    code = (
        "import sys\n"
        "from tinyeclipse.chat.word_frequency import zipf_frequency\n"
        "print([zipf_frequency(w, 'en') for w in ('the', 'domain', 'transfer', '2026', '3', 'qqqzzz')],"
        " 'wordfreq' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)

    assert done.returncode == 0, done.stderr
    expected = [wordfreq.zipf_frequency(w, "en") for w in ("the", "domain", "transfer", "2026", "3", "qqqzzz")]
    assert done.stdout.strip() == f"{expected} False"
