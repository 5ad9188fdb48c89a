"""Key terms of a text: the words that carry its meaning, for keyword search and the lexical parts of confidence."""

import re

_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)?")
# Function words of English (the model's language) that say nothing about a topic.
_STOPWORDS_TEXT = """
a about above after again against all am an and any are as at be because been before being below between both but
by can could did do does doing down during each few for from further had has have having he her here hers herself
him himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or
other our ours ourselves out over own same she should so some such than that the their theirs them themselves then
there these they this those through to too under until up very was we were what when where which while who whom why
will with would you your yours yourself yourselves also may might must shall i'm it's don't can't what's there's
let's please hi hello thanks thank
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


def stem(word: str) -> str:
    # Just enough folding that "plans" meets "plan" and "renewed" meets "renew"; no language-specific stemmer.
    for suffix in ("ies", "es", "s", "ed", "ing"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def words(text: str) -> list[str]:
    return [match.lower() for match in _WORD.findall(text)]


def key_terms(text: str) -> set[str]:
    """The text's content words, lower-cased and lightly stemmed."""
    return {stem(word) for word in words(text) if word not in STOPWORDS and (len(word) > 1 or word.isdigit())}


def keyword_query(text: str) -> str:
    """The key words as an OR query for to_tsquery('simple', ...), or '' when there are none."""
    return " | ".join(sorted({word for word in words(text) if word not in STOPWORDS and word.isalnum()}))


def coverage(terms: set[str], text: str) -> float:
    """The share of `terms` that occur in `text` (1.0 when there are no terms to look for)."""
    if not terms:
        return 1.0
    return len(terms & key_terms(text)) / len(terms)


# A follow-up this short ("and for .nl domains?") is read together with the visitor's previous question.
FOLLOW_UP_TERMS = 3


def in_context(question: str, earlier_questions: list[str]) -> str:
    """The question, preceded by the previous one when it is a short follow-up."""
    if earlier_questions and len(key_terms(question)) < FOLLOW_UP_TERMS:
        return f"{earlier_questions[-1]}\n{question}"
    return question
