"""An HTML page's main text (no navigation, scripts or footers) as headings and paragraphs."""

import re

import trafilatura
from lxml.html import HtmlElement

from tinyeclipse.ingestion.documents import Block, Document, ExtractionError

_HEADING = re.compile(r"#{1,6}(?:\s+(.*?))?(?:\s+#+)?")  # an ATX heading; group 1 is its text
# trafilatura's markdown: code spans (kept literally), backslash escapes, and * / ** emphasis markers.
_INLINE_MARKUP = re.compile(r"(`+)(.+?)\1|\\([!-/:-@\[-`{-~])|\*+")


def html_document(url: str, html: bytes | str, *, fallback_title: str | None = None) -> Document:
    tree = trafilatura.load_html(html)
    if tree is None:
        raise ExtractionError(f"No readable text at {url}")
    title = _title(tree, url) or fallback_title  # read before extract(), which prunes the tree
    markdown = trafilatura.extract(
        tree,
        url=url,
        output_format="markdown",
        favor_recall=True,
        include_comments=False,
        include_tables=True,
        include_links=False,
    )
    blocks = _blocks(markdown or "")
    if not blocks:
        raise ExtractionError(f"No readable text at {url}")
    return Document(key=url, title=title, url=url, blocks=blocks)


def _title(tree: HtmlElement, url: str) -> str | None:
    title = trafilatura.extract_metadata(tree, default_url=url).title or tree.findtext(".//title")
    return " ".join(title.split()) if title else None


def _blocks(markdown: str) -> list[Block]:
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
