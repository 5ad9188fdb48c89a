"""A retrieved chunk as sentences a person can read and cite: the passage that answers, and a snippet beside it.

A chunk's text is its section heading (when it has one), a blank line, and paragraphs separated by blank lines
(see ingestion/chunking.py). The heading is a title, never part of a sentence; a markdown list item is a
sentence of its own; a line break inside a paragraph is a space. The chunker renders a paragraph's lines on one
line, so a list can also arrive inline ("Steps: - Open the panel - Click Install"); both forms are read.
"""

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

ELLIPSIS = "\u2026"


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str  # whitespace-normalised; a list item without its bullet or number
    paragraph: int  # 0-based paragraph of the chunk's body; a list belongs to the paragraph that introduces it
    position: int  # 0-based position within its paragraph
    item: bool = False  # a list item


@dataclass(frozen=True, slots=True)
class Passage:
    text: str  # the sentences joined by a space, no quotation marks
    indices: tuple[int, ...]  # the consecutive indices into the sentence list that it covers


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_LINE_ITEM = re.compile(r"\s*(?:[-+\u2022]|\d{1,2}[.)])\s+(\S.*)")
# A list flattened onto one line by the chunker: "- a - b", "• a • b" or "1. a 2. b".
_INLINE_BULLET = re.compile(r"(?:^|\s)[-\u2022]\s+")
_INLINE_NUMBER = re.compile(r"(?:^|\s)(\d{1,2})[.)]\s+")
# A candidate sentence end: terminal punctuation, closing quotes or brackets, then whitespace.
_TERMINATOR = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019\u00bb)\]]*\s+")
_CJK_END = re.compile(r"(?<=[\u3002\uff01\uff1f])")
_OPENERS = "\"'\u201c\u2018\u00ab(["
_ABBREVIATIONS = _word_set(
    """
    e.g i.e cf vs approx ca mr mrs ms dr prof st sr jr dept est fig vol incl excl resp al
    jan feb mar apr jun jul aug sep sept oct nov dec
    z.b d.h u.a bzw vgl ggf inkl
    bijv o.a m.a.w evt mbt m.b.t t.a.v
    """
)
_NUMBER_ABBREVIATIONS = frozenset({"no", "nr", "nos"})  # "No. 5": an abbreviation only before a number
# German ordinal dates ("am 3. Oktober") end with a period that does not end the sentence.
_MONTHS = _word_set("januar februar märz april mai juni juli august september oktober november dezember")
_DOTTED = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")  # "U.S", "z.B"

# Openings that lean on the sentence before: pronouns, demonstratives and connectives (en, nl, de, fr).
_LEANING_WORDS = _word_set(
    """
    then this these that those it its they them their he she his such also however but so and or nor
    next finally lastly afterwards afterward subsequently additionally furthermore moreover besides instead
    otherwise therefore thus hence consequently accordingly meanwhile nevertheless nonetheless still yet
    daarna dan dit deze dat die ook maar echter daarom dus hij zij ze vervolgens daarnaast bovendien verder
    tenslotte hierna hierdoor daardoor hiermee daarmee daarbij anders
    dann danach dies diese dieser dieses diesen diesem es er auch aber jedoch allerdings deshalb daher dadurch
    dabei dazu darin darauf anschließend außerdem zudem schließlich zuletzt sonst ebenso trotzdem
    ensuite puis alors cela ceci ce cette ces il elle ils elles enfin aussi mais cependant toutefois donc
    """
)
_LEANING_PHRASES = frozenset(
    {
        "after that",
        "after this",
        "in addition",
        "as a result",
        "for example",
        "for instance",
        "in that case",
        "in this case",
        "on the other hand",
        "even so",
        "apart from that",
        "ten slotte",
        "tot slot",
        "na afloop",
        "darüber hinaus",
        "zum schluss",
        "de plus",
        "en outre",
        "après cela",
    }
)
_WORD = re.compile(r"[^\W\d_]+")


def split(text: str, heading: str | None = None) -> list[Sentence]:
    """The sentences of a chunk's body, in reading order, without its heading."""
    found: list[Sentence] = []
    paragraph = -1
    for block in _PARAGRAPH_BREAK.split(_body(text, heading)):
        units = _units(block)
        if not units:
            continue
        # A list right after "...:" in the previous paragraph belongs to it.
        if not (units[0][1] and found and found[-1].text.endswith(":")):
            paragraph += 1
        position = sum(1 for sentence in found if sentence.paragraph == paragraph)
        for unit, item in units:
            for part in [unit] if item else _sentences(unit):
                found.append(Sentence(part, paragraph, position, item))
                position += 1
    return found


def needs_antecedent(sentence: str) -> bool:
    """Whether the sentence opens with a word that refers back ("Then", "This", "Daarna", "Dann" ...)."""
    opening = sentence.lstrip(_OPENERS)
    words = _WORD.findall(opening[:60])
    if not words or not opening.startswith(words[0]) or (len(words[0]) > 1 and words[0].isupper()):
        return False  # an acronym such as "IT" is not the pronoun "it"
    lowered = [word.lower() for word in words[:4]]
    return lowered[0] in _LEANING_WORDS or any(
        " ".join(lowered[:n]) in _LEANING_PHRASES for n in range(2, len(lowered) + 1)
    )


def passage(sentences: Sequence[Sentence], best: int, max_sentences: int = 3, *, follow: int = 1) -> Passage:
    """The chosen sentence with what it leans on: preceding sentences of its paragraph while the current first
    one needs its antecedent, then up to `follow` following sentences that continue it; at most `max_sentences`."""
    if not 0 <= best < len(sentences):
        raise IndexError(f"sentence {best} of {len(sentences)}")
    cap = max(1, max_sentences)
    start = end = best
    while end - start + 1 < cap and start > 0 and _leans_on(sentences[start - 1], sentences[start]):
        start -= 1
    added = 0
    while (
        added < follow
        and end - start + 1 < cap
        and end + 1 < len(sentences)
        and _leans_on(sentences[end], sentences[end + 1])
    ):
        end += 1
        added += 1
    return Passage(_join(sentences[start : end + 1]), tuple(range(start, end + 1)))


def faq_answer(text: str, heading: str | None) -> str:
    """An FAQ chunk's answer: its body without the question, whitespace-normalised."""
    return " ".join(_body(text, heading).split())


def snippet(
    source: str | Sequence[Sentence], covered: Collection[int], max_chars: int = 240, *, heading: str | None = None
) -> str:
    """The heading and the sentences of the chunk that the answer does not already show, "…" where text is
    left out; "" when the answer is the whole chunk. With `source` as text, `heading` is also stripped from it."""
    sentences = split(source, heading) if isinstance(source, str) else source
    if all(index in covered for index in range(len(sentences))):
        return ""
    pieces: list[str] = []
    run: list[Sentence] = []
    for index, sentence in enumerate(sentences):
        if index not in covered:
            run.append(sentence)
            continue
        if run:
            pieces.append(_join(run))
            run = []
        if not pieces or pieces[-1] != ELLIPSIS:
            pieces.append(ELLIPSIS)
    if run:
        pieces.append(_join(run))
    title = " ".join(heading.split()) if heading else ""
    return _shorten(" \u2014 ".join(filter(None, [title, " ".join(pieces)])), max_chars)


def _body(text: str, heading: str | None) -> str:
    """The text without its leading heading, matched word by word whatever whitespace separates them."""
    words = heading.split() if heading else []
    if words:
        found = re.match(r"\s*" + r"\s+".join(map(re.escape, words)) + r"(?=\s|$)", text)
        if found:
            return text[found.end() :]
    return text


def _units(block: str) -> list[tuple[str, bool]]:
    """A paragraph as (text, is_list_item): list items one by one, the prose between them as one run."""
    units: list[tuple[str, bool]] = []
    prose: list[str] = []

    def end_prose() -> None:
        if text := " ".join(" ".join(prose).split()):
            units.extend(_inline_items(text))
        prose.clear()

    for line in block.splitlines():
        if item := _LINE_ITEM.fullmatch(line):
            end_prose()
            inline = _inline_items(" ".join(line.split()))  # the chunker's rendering of a whole list
            units.extend(inline if len(inline) > 1 else [(" ".join(item[1].split()), True)])
        elif units and units[-1][1] and not prose and line[:1].isspace() and line.strip():
            units[-1] = (f"{units[-1][0]} {' '.join(line.split())}", True)  # an indented continuation
        else:
            prose.append(line)
    end_prose()
    return units


def _inline_items(text: str) -> list[tuple[str, bool]]:
    marks = list(_INLINE_BULLET.finditer(text))
    if not _is_list(text, marks):
        marks = []
        for mark in _INLINE_NUMBER.finditer(text):  # numbered items count 1, 2, 3 ...; other numbers are text
            if int(mark[1]) == len(marks) + 1:
                marks.append(mark)
        if not _is_list(text, marks):
            return [(text, False)]
    intro = text[: marks[0].start()].strip()
    ends = [mark.start() for mark in marks[1:]] + [len(text)]
    items = [(text[mark.end() : end].strip(), True) for mark, end in zip(marks, ends, strict=True)]
    return ([(intro, False)] if intro else []) + [item for item in items if item[0]]


def _is_list(text: str, marks: list[re.Match[str]]) -> bool:
    """Two or more markers, the first at the start or after ":" or a sentence end ("Mon - Fri" is no list)."""
    before = text[: marks[0].start()].rstrip() if marks else ""
    return len(marks) >= 2 and (not before or before[-1] in ":.!?")


def _sentences(text: str) -> list[str]:
    found: list[str] = []
    start = 0
    for end in _TERMINATOR.finditer(text):
        if _ends_sentence(text, end):
            found.append(text[start : end.end()].strip())
            start = end.end()
    found.append(text[start:].strip())
    return [part for piece in found for part in _CJK_END.split(piece) if part.strip()]


def _ends_sentence(text: str, end: re.Match[str]) -> bool:
    following = text[end.end() :].lstrip(_OPENERS)
    if not following or following[0].islower():
        return False  # "etc. are", "i.e. the": no sentence starts in lower case
    if not end[0].startswith(".") or end[0].startswith(".."):
        return True
    before = text[: end.start()].split()
    token = before[-1].lstrip(_OPENERS) if before else ""
    lowered = token.lower()
    if lowered in _ABBREVIATIONS or _DOTTED.fullmatch(token) or _is_initial(token, before[:-1], following):
        return False
    if lowered in _NUMBER_ABBREVIATIONS and following[0].isdigit():
        return False
    next_word = _WORD.match(following)
    return not (token.isdigit() and len(token) <= 2 and next_word and next_word[0].lower() in _MONTHS)


def _is_initial(token: str, words_before: list[str], following: str) -> bool:
    """Whether the capital letter is an initial: "F" of "John F. Kennedy", "J" of "J. R. R. Tolkien", but not
    "X" of "reduces to X. Then". An initial follows a name or another initial, starts the text, or precedes
    another initial."""
    if len(token) != 1 or not token.isupper():
        return False
    previous = words_before[-1].lstrip(_OPENERS) if words_before else ""
    return not previous or previous[0].isupper() or re.match(r"[A-Z]\.\s", following) is not None


def _leans_on(previous: Sentence, sentence: Sentence) -> bool:
    """Whether `sentence` cannot stand without `previous`: same paragraph, and a referring opening, a ":"
    before it, or the next item of the same list."""
    if previous.paragraph != sentence.paragraph:
        return False
    return needs_antecedent(sentence.text) or previous.text.endswith(":") or (sentence.item and previous.item)


def _join(sentences: Sequence[Sentence]) -> str:
    """Sentences joined by a space; a list item without final punctuation gets ";" before the next item and
    "." at the end, so a list reads as one statement."""
    parts: list[str] = []
    for index, sentence in enumerate(sentences):
        text = sentence.text
        if sentence.item and text[-1] not in ".!?;:":
            following = sentences[index + 1] if index + 1 < len(sentences) else None
            text += ";" if following is not None and following.item else "."
        parts.append(text)
    return " ".join(parts)


def _shorten(text: str, max_chars: int) -> str:
    """At most `max_chars`, cut at a word boundary and ending with "…" when cut."""
    if len(text) <= max_chars:
        return text
    limit = max(0, max_chars - 2)  # room for " …"
    cut = text[:limit]
    if not text[limit].isspace() and " " in cut.strip():
        cut = cut[: cut.rstrip().rfind(" ")]  # drop the word that was cut in two
    cut = cut.rstrip(" ,;:\u2014" + ELLIPSIS)
    return cut + (" " if cut.endswith((".", "!", "?")) else "") + ELLIPSIS
