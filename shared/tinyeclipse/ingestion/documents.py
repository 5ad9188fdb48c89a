"""What every extractor produces, and the two ways extraction can fail."""

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Block:
    """A run of text with its structural role: a heading, or a paragraph (a list item counts as one)."""

    text: str
    heading: bool = False


@dataclass(frozen=True)
class Document:
    """One document of a source: a web page, one page of a PDF, a text, or one FAQ pair.

    `key` identifies the document within its source across re-ingestions (the page URL, `pdf:page:3`,
    `faq:2`, `text`), so an unchanged document can be recognised by `content_hash` and not re-embedded.
    """

    key: str
    title: str | None
    url: str | None
    blocks: Sequence[Block]
    metadata: dict[str, object] = field(default_factory=dict)  # e.g. {"page": 3}

    @property
    def content_hash(self) -> str:
        digest = hashlib.sha256()
        for part in (self.title or "", self.url or "", *(f"{b.heading:d}{b.text}" for b in self.blocks)):
            digest.update(part.encode())
            digest.update(b"\0")
        return digest.hexdigest()

    @property
    def is_empty(self) -> bool:
        return not any(block.text.strip() for block in self.blocks)


class ExtractionError(Exception):
    """Permanent: retrying will not help (HTTP 404, not HTML, an encrypted PDF, an empty document).

    The message is shown to the operator as the source's error, so it says what was wrong and where.
    """


class TransientFetchError(Exception):
    """Worth retrying later: a timeout, a refused connection, HTTP 5xx or 429."""


_HEADING = re.compile(r"#{1,6}(?:\s+(.*?))?(?:\s+#+)?")  # an ATX heading; group 1 is its text
# Markdown inline markup: code spans (kept literally), backslash escapes, and * / ** emphasis markers.
_INLINE_MARKUP = re.compile(r"(`+)(.+?)\1|\\([!-/:-@\[-`{-~])|\*+")


def markdown_blocks(markdown: str) -> list[Block]:
    """Markdown headings become heading blocks; blank-line separated runs of lines, and code blocks, paragraphs."""
    blocks: list[Block] = []
    paragraph: list[str] = []
    in_code = False

    def end_paragraph() -> None:
        text = "\n".join(paragraph).strip()
        if text:
            blocks.append(Block(text))
        paragraph.clear()

    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            end_paragraph()
            in_code = not in_code
            continue
        if in_code:  # code is kept as it is: no markup in it to remove
            paragraph.append(line.rstrip())
            continue
        heading = _HEADING.fullmatch(line.strip())
        if heading or not line.strip():
            end_paragraph()
            if heading and heading[1]:
                blocks.append(Block(_plain(heading[1]), heading=True))
        else:
            paragraph.append(_plain(line.rstrip()))
    end_paragraph()
    return blocks


def _plain(markdown: str) -> str:
    return _INLINE_MARKUP.sub(lambda match: match[2] or match[3] or "", markdown)
