"""Small talk and requests for a person, recognised before retrieval, and the bot's short answers to them.

Precision before recall: a message is small talk only when *all* of it is small talk ("hi!", "ok thanks, bye",
"hallo zusammen 👋"); "hi, how do I transfer a domain?" is a question and goes to retrieval. A request for a
person is found anywhere in a message ("My site is down and I want to talk to a human") and wins over everything
else. Asking whether there is a person to call or talk to ("Is there a person I can call about DNS?") is a
request for a person too: the visitor asks for a human, and the hand-off answer carries the tenant's contact
route. Asking how to reach a channel ("How do I contact support?") is a question for the help pages.

A message has content when it has a letter, a digit or a pictographic symbol (Unicode L*, N* or So): "5", "ok"
and "👋" (a greeting) have content; "", "...", "¿?" do not and are refused by the request model.

The phrases are data, in tinyeclipse.chat.intent_phrases; the reply texts, per language, in tinyeclipse.chat.replies.
"""

import re
import unicodedata
from dataclasses import dataclass, field, fields
from enum import StrEnum

from tinyeclipse.chat.intent_phrases import HANDOFF_REQUESTS, LANGUAGES, SMALL_TALK
from tinyeclipse.chat.replies import greeting as greeting_in
from tinyeclipse.chat.replies import replies


class Intent(StrEnum):
    greeting = "greeting"
    thanks = "thanks"
    goodbye = "goodbye"
    identity = "identity"
    handoff = "handoff"
    # Never detected: the bot's notice that the tenant's monthly message quota is used up (a hand-off).
    quota = "quota"


@dataclass(frozen=True)
class Detected:
    intent: Intent
    # The language whose phrases matched ("en", "nl", "de", "fr", "es"); None when nothing told (an emoji, "ok").
    language: str | None
    # Every language that matched as well, `language` first: "hallo" is ("nl", "de"), and tells neither.
    languages: tuple[str, ...] = field(default=(), compare=False)


_PRIORITY = (Intent.handoff, Intent.identity, Intent.goodbye, Intent.thanks, Intent.greeting)
_MAX_SMALL_TALK_WORDS = 24
_APOSTROPHES = re.compile("['\u2019\u2018`\u00b4\u02bc]")
# Doubled letters count once on both sides, so "hiiii", "thaaanks" and "hello" meet "hi", "thanks", "hello".
# A letter after a backslash is part of an escape in a pattern (\b, \w), not a letter.
_DOUBLED = re.compile(r"(?<!\\)([^\W\d_])\1+")


def _is_content(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in "LN" or category == "So"


def has_content(message: str) -> bool:
    """Whether the message has a letter, a digit or a pictographic symbol (an emoji)."""
    return any(_is_content(char) for char in message)


def require_content(message: str) -> str:
    """A validator: refuses a message of only punctuation and spaces."""
    if not has_content(message):
        raise ValueError("must contain a letter, a digit or an emoji")
    return message


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    unmarked = "".join(char for char in decomposed if unicodedata.category(char) != "Mn")
    return _APOSTROPHES.sub("", unmarked)


def normalise(message: str) -> str:
    """The message as phrases are written: lower case, no accents or apostrophes, words and emoji separated by
    single spaces, punctuation gone, doubled letters single."""
    spaced = "".join(
        (f" {char} " if unicodedata.category(char) == "So" else char) if _is_content(char) else " "
        for char in _fold(message)
    )
    return " ".join(_DOUBLED.sub(r"\1", spaced).split())


def _compile(pattern: str, *, whole: bool) -> re.Pattern[str]:
    source = _DOUBLED.sub(r"\1", _fold(pattern))
    if whole:
        # One phrase ends where a word ends; the message goes on with a space or stops.
        return re.compile(f"(?:{source})(?= |$)")
    return re.compile(f"(?<!\\w)(?:{source})(?!\\w)")


_SMALL_TALK = [
    (language, None if field.name == "filler" else Intent(field.name), _compile(pattern, whole=True))
    for language, phrases in SMALL_TALK.items()
    for field in fields(phrases)
    for pattern in getattr(phrases, field.name)
]
_HANDOFF = [
    (language, _compile(pattern, whole=False))
    for language in LANGUAGES
    for pattern in HANDOFF_REQUESTS.get(language, ())
]


def _segments(text: str) -> list[tuple[Intent | None, str]] | None:
    """The split of `text` into phrases with the fewest fillers (then the fewest parts), or None."""
    if not text or text.count(" ") >= _MAX_SMALL_TALK_WORDS:
        return None
    best: dict[int, tuple[tuple[int, int], list[tuple[Intent | None, str]]]] = {0: ((0, 0), [])}
    starts = [0, *(index + 1 for index, char in enumerate(text) if char == " ")]
    for start in starts:
        if start not in best:
            continue
        (fillers, parts), path = best[start]
        for _, intent, pattern in _SMALL_TALK:
            found = pattern.match(text, start)
            if not found or found.end() == start:
                continue
            end = found.end()
            following = min(end + 1, len(text))
            candidate = ((fillers + (intent is None), parts + 1), [*path, (intent, text[start:end])])
            if following not in best or candidate[0] < best[following][0]:
                best[following] = candidate
    return best[len(text)][1] if len(text) in best else None


def _languages_of(parts: list[str]) -> tuple[str, ...]:
    """The languages with the most parts in their phrase lists, in LANGUAGES order; a part that several share
    ("hallo") counts for each."""
    votes = {
        language: sum(
            any(lang == language and pattern.fullmatch(part) for lang, _, pattern in _SMALL_TALK) for part in parts
        )
        for language in LANGUAGES
    }
    best = max(votes.values())
    return tuple(language for language in LANGUAGES if votes[language] == best) if best else ()


def detect(message: str) -> Detected | None:
    """What the message is, when it is small talk or a request for a person; None for anything else."""
    text = normalise(message)
    for language, pattern in _HANDOFF:
        if pattern.search(text):
            return Detected(Intent.handoff, language, (language,))
    segments = _segments(text)
    if segments is None:
        return None
    intents = {intent for intent, _ in segments if intent is not None}
    if not intents:
        return None
    intent = next(candidate for candidate in _PRIORITY if candidate in intents)
    languages = _languages_of([part for _, part in segments])
    return Detected(intent, languages[0] if languages else None, languages)


def reply(
    intent: Intent,
    *,
    greeting: str,
    team: str | None,
    language: str | None,
    contact: str | None = None,
) -> str:
    """The bot's short answer in `language` (the visitor's, tinyeclipse.chat.language; English when there are no
    texts for it). `greeting` is the tenant's own greeting, used as written unless it is the built-in default;
    `team` the tenant's name; `contact` the tenant's contact route, if any."""
    if intent is Intent.greeting:
        return greeting_in(greeting, language)
    texts = replies(language)
    if intent is Intent.thanks:
        return texts.thanks
    if intent is Intent.goodbye:
        return texts.goodbye
    if intent is Intent.identity:
        return texts.identity.format(team=team) if team else texts.identity_unnamed
    return texts.handoff + (texts.contact.format(contact=contact) if contact else "")
