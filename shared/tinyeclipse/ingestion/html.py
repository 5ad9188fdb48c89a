"""An HTML page's main text (no navigation, scripts or footers) as headings and paragraphs."""

import trafilatura
from lxml.html import HtmlElement

from tinyeclipse.ingestion.documents import Document, ExtractionError, markdown_blocks


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
    blocks = markdown_blocks(markdown or "")
    if not blocks:
        raise ExtractionError(f"No readable text at {url}")
    return Document(key=url, title=title, url=url, blocks=blocks)


def _title(tree: HtmlElement, url: str) -> str | None:
    title = trafilatura.extract_metadata(tree, default_url=url).title or tree.findtext(".//title")
    return " ".join(title.split()) if title else None
