"""Documents become chunks that fit the embedding model, cut along the document's structure.

A section runs from a heading to the next one, and its heading starts each of its chunks as context. Within a
section whole paragraphs are packed greedily; a paragraph too long for a chunk is packed sentence by sentence,
and a sentence too long for a chunk is cut on token boundaries. A chunk that follows a full one repeats the
previous chunk's last sentences, up to `overlap_tokens`, so a passage cut in two is still found whole.

Token counts come from the model's own tokenizer (the `tokenizers` library alone: no torch here). Its
pre-tokenizer splits on whitespace, so the tokens of "a b" are those of "a" plus those of "b": chunks are
sized by adding up the tokens of their sentences.
"""

import itertools
import pathlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from operator import attrgetter

from tokenizers import Encoding, Tokenizer

from tinyeclipse.embeddings.minilm import model_path
from tinyeclipse.ingestion.documents import Block, Document

# A sentence ends at . ! ? before whitespace, at a CJK full stop, or at a line break.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|(?<=[\u3002\uff01\uff1f])|\s*\n\s*")
# Headings that follow each other with no text between them become one: "Chapter 1 > Installation".
_HEADING_JOINER = " > "


@dataclass(frozen=True)
class Chunk:
    text: str  # what gets embedded and shown; starts with the section heading when there is one
    index: int  # position within its document, 0-based
    heading: str | None
    token_count: int  # model tokens of `text`, without special tokens


@dataclass(frozen=True, slots=True)
class _Piece:
    """A sentence, or a cut of one, that fits a chunk; `paragraph` numbers its paragraph within the section."""

    paragraph: int
    text: str
    tokens: int


class Chunker:
    def __init__(self, *, max_tokens: int, overlap_tokens: int, tokenizer_path: pathlib.Path | None = None) -> None:
        if max_tokens < 1 or not 0 <= overlap_tokens < max_tokens:
            raise ValueError(
                f"need 1 <= max_tokens and 0 <= overlap_tokens < max_tokens: {max_tokens=}, {overlap_tokens=}"
            )
        self.max_tokens = max_tokens
        self.overlap_tokens = overlap_tokens
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path or model_path() / "tokenizer.json"))
        # The file carries the model's padding and truncation (to 128); counting wants neither.
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()

    def count(self, text: str) -> int:
        return len(self._encode(text).ids)

    def chunk(self, document: Document) -> list[Chunk]:
        chunks: list[Chunk] = []
        for heading, paragraphs in self._sections(document.blocks):
            prefix = f"{heading}\n\n" if heading else ""
            heading_tokens = self.count(heading) if heading else 0
            budget = self.max_tokens - heading_tokens
            for pieces in self._pack(self._pieces(paragraphs, budget), budget):
                text, tokens = prefix + _render(pieces), heading_tokens + _tokens(pieces)
                chunks.append(Chunk(text=text, index=len(chunks), heading=heading, token_count=tokens))
        return chunks

    def _encode(self, text: str) -> Encoding:
        return self._tokenizer.encode(text, add_special_tokens=False)

    def _sections(self, blocks: Sequence[Block]) -> Iterator[tuple[str | None, list[str]]]:
        """(heading, paragraphs) for each section, in order; blank blocks are skipped."""
        headings: list[str] = []
        paragraphs: list[str] = []
        for block in blocks:
            text = block.text.strip()
            if not text:
                continue
            if not block.heading:
                paragraphs.append(text)
                continue
            if paragraphs:
                yield self._section(headings, paragraphs)
                headings, paragraphs = [], []
            headings.append(" ".join(text.split()))
        if headings or paragraphs:
            yield self._section(headings, paragraphs)

    def _section(self, headings: list[str], paragraphs: list[str]) -> tuple[str | None, list[str]]:
        heading = _HEADING_JOINER.join(headings) or None
        if heading and (not paragraphs or self.count(heading) > self.max_tokens // 2):
            # A heading with nothing under it, or too long to repeat on every chunk, is kept as plain text.
            return None, [heading, *paragraphs]
        return heading, paragraphs

    def _pieces(self, paragraphs: list[str], budget: int) -> list[_Piece]:
        """The paragraphs' sentences, cut to fit the budget; text the model does not see at all is dropped."""
        return [
            _Piece(number, text, tokens)
            for number, paragraph in enumerate(paragraphs)
            for sentence in _sentences(paragraph)
            for text, tokens in self._fit(sentence, budget)
        ]

    def _fit(self, text: str, budget: int) -> Iterator[tuple[str, int]]:
        """`text` in pieces of at most `budget` tokens, with their counts, cut between words where possible."""
        encoding = self._encode(text)
        offsets, words = encoding.offsets, encoding.word_ids  # each read builds a new list: read them once
        start = 0
        while len(offsets) - start > budget:
            end = _word_start(words, start, start + budget)
            if end is None:  # the word at `start` alone is longer than the budget
                end = _word_end(words, start)
                yield from self._cut_word(text[offsets[start][0] : offsets[end - 1][1]], budget)
            else:
                yield text[offsets[start][0] : offsets[end - 1][1]], end - start
            start = end
        if start < len(offsets):
            yield text[offsets[start][0] :], len(offsets) - start

    def _cut_word(self, word: str, budget: int) -> Iterator[tuple[str, int]]:
        """A word of more than `budget` word pieces, cut after every `budget` of them."""
        while len(offsets := self._encode(word).offsets) > budget:
            cut = offsets[budget - 1][1]
            yield word[:cut], budget
            # The rest of a word, standing alone, splits into other pieces: encode it afresh.
            word = word[cut:]
        yield word, len(offsets)

    def _pack(self, pieces: list[_Piece], budget: int) -> Iterator[list[_Piece]]:
        """The pieces of each chunk of a section, at most `budget` tokens each."""
        current: list[_Piece] = []
        for _, group in itertools.groupby(pieces, key=attrgetter("paragraph")):
            paragraph = list(group)
            # A paragraph that fits in a chunk is kept whole; a longer one is packed sentence by sentence.
            units = [paragraph] if _tokens(paragraph) <= budget else [[piece] for piece in paragraph]
            for unit in units:
                if _tokens(current) + _tokens(unit) > budget:
                    yield current
                    current = self._overlap(current, budget - _tokens(unit))
                current += unit
        if current:
            yield current

    def _overlap(self, previous: list[_Piece], room: int) -> list[_Piece]:
        """The trailing sentences of the previous chunk within overlap_tokens and `room`, never all of them."""
        kept: list[_Piece] = []
        for piece in reversed(previous[1:]):
            if _tokens(kept) + piece.tokens > min(self.overlap_tokens, room):
                break
            kept.insert(0, piece)
        return kept


def _sentences(paragraph: str) -> list[str]:
    return [sentence for part in _SENTENCE_BREAK.split(paragraph) if (sentence := part.strip())]


def _word_start(words: list[int | None], start: int, limit: int) -> int | None:
    """The last token in (start, limit] that begins a word, if any."""
    return next((k for k in range(limit, start, -1) if words[k] != words[k - 1]), None)


def _word_end(words: list[int | None], start: int) -> int:
    """The token after the word that starts at `start`."""
    return next((k for k in range(start + 1, len(words)) if words[k] != words[start]), len(words))


def _tokens(pieces: list[_Piece]) -> int:
    return sum(piece.tokens for piece in pieces)


def _render(pieces: list[_Piece]) -> str:
    paragraphs = itertools.groupby(pieces, key=attrgetter("paragraph"))
    return "\n\n".join(" ".join(piece.text for piece in group) for _, group in paragraphs)
