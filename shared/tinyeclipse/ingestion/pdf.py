"""PDF files become one Document per page with text, read page by page so memory stays bounded."""

import logging
import pathlib
import re
from collections.abc import Iterator
from typing import BinaryIO

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError

from tinyeclipse.ingestion.documents import Block, Document, ExtractionError

logger = logging.getLogger(__name__)

ENCRYPTED = "The PDF is encrypted; upload a version without a password"
NO_TEXT = "The PDF has no extractable text (scanned images need OCR, which is not supported)"

# "exam-\nple" was one word hyphenated at a line end (only when a lowercase letter follows).
_HYPHENATED = re.compile(r"(?<=[^\W\d_])-[ \t]*\n[ \t]*(?=[^\W\d_])")
# Shorter than this share of the page's longest line, a line ending a sentence ends its paragraph too.
_SHORT_LINE = 0.8
_HEADING_MAX_WORDS = 10
# pypdf keeps every object it has parsed; a fresh reader per window of pages bounds that cache.
_PAGES_PER_READER = 50


def pdf_documents(path: pathlib.Path, *, title: str | None, url: str | None) -> Iterator[Document]:
    """The pages with text, as Documents keyed `pdf:page:N`; ExtractionError says why a PDF cannot be used.

    The no-text error comes only after every page was read, so the caller may already hold some documents.
    """
    # A file object, not a path: given a path, pypdf reads the whole file into memory.
    with path.open("rb") as stream:
        reader, page_count = _open(stream)
        title = title or _metadata_title(reader)
        found_text = False
        first_error: str | None = None
        for number in range(1, page_count + 1):
            if number % _PAGES_PER_READER == 0:
                stream.seek(0)
                reader, _ = _open(stream)
            try:
                text = reader.pages[number - 1].extract_text()
            except DependencyError as exc:  # AES-encrypted content needs the cryptography package
                raise ExtractionError(ENCRYPTED) from exc
            except Exception as exc:  # pypdf reports damage in many exception types; skip the page
                logger.warning("Skipping unreadable page %d of %s: %r", number, path.name, exc)
                first_error = first_error or f"page {number}: {_reason(exc)}"
                continue
            blocks = _blocks(text)
            if blocks:
                found_text = True
                yield Document(key=f"pdf:page:{number}", title=title, url=url, blocks=blocks, metadata={"page": number})
    if not found_text:
        raise ExtractionError(f"The file is not a readable PDF: {first_error}" if first_error else NO_TEXT)


def _open(stream: BinaryIO) -> tuple[PdfReader, int]:
    try:
        reader = PdfReader(stream)
        # An empty user password opens the PDF (pypdf tries it); any other we cannot know.
        locked = reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED
        page_count = 0 if locked else len(reader.pages)
    except DependencyError as exc:  # AES encryption needs the cryptography package
        raise ExtractionError(ENCRYPTED) from exc
    except Exception as exc:  # pypdf reports damage in many exception types
        raise ExtractionError(f"The file is not a readable PDF: {_reason(exc)}") from exc
    if locked:
        raise ExtractionError(ENCRYPTED)
    return reader, page_count


def _metadata_title(reader: PdfReader) -> str | None:
    try:
        title = reader.metadata.title if reader.metadata else None
    except Exception:  # a damaged info dictionary only costs the title
        return None
    if not isinstance(title, str):
        return None
    return " ".join(title.split()) or None


def _reason(exc: Exception) -> str:
    return str(exc) or type(exc).__name__


def _blocks(text: str) -> list[Block]:
    """Paragraphs and headings of a page's text, lines of a paragraph joined.

    pypdf rarely leaves blank lines between paragraphs, so a paragraph also ends at a short line that ends a
    sentence, and a short Title Case or ALL CAPS line without final punctuation that starts a paragraph is a
    heading.
    """
    lines = [line.strip() for line in _HYPHENATED.sub(_join_hyphenated, text).splitlines()]
    width = max(map(len, lines), default=0)
    blocks: list[Block] = []
    paragraph: list[str] = []

    def end_paragraph() -> None:
        if paragraph:
            blocks.append(Block(" ".join(" ".join(paragraph).split())))
            paragraph.clear()

    for line in lines:
        if not line:
            end_paragraph()
        elif not paragraph and _is_heading(line):
            blocks.append(Block(" ".join(line.split()), heading=True))
        else:
            paragraph.append(line)
            if line[-1] in ".!?:" and len(line) < _SHORT_LINE * width:
                end_paragraph()
    end_paragraph()
    return blocks


def _join_hyphenated(match: re.Match[str]) -> str:
    following = match.string[match.end()]
    return "" if following.islower() else match.group()


def _is_heading(line: str) -> bool:
    words = [word for word in line.split() if word[0].isalpha()]
    if not words or len(line.split()) > _HEADING_MAX_WORDS or line[-1] in ".,;:!?" or not words[0][0].isupper():
        return False
    return line.isupper() or all(word[0].isupper() for word in words if len(word) > 3)
