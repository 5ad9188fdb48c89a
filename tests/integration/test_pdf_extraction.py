"""PDF files made here with fpdf2 become one Document per page with text, or an operator-facing ExtractionError."""

import random
from pathlib import Path

import pytest
from fpdf import FPDF
from pypdf import PdfWriter

from tinyeclipse.ingestion.documents import Block, ExtractionError
from tinyeclipse.ingestion.pdf import pdf_documents

LONG_PARAGRAPH = (
    "Orders can be returned within thirty days of delivery for a full refund, provided that the items are unused "
    "and in their original packaging. Refunds are paid to the original payment method within five working days "
    "after we receive the return."
)


def write_pdf(path: Path, pages: list[list[tuple[str, str]]], *, title: str | None = "Employee Handbook") -> Path:
    """A PDF with one page per entry; each page a list of (kind, text), kind "h" (heading) or "p" (paragraph)."""
    pdf = FPDF()
    if title:
        pdf.set_title(title)
    for page in pages:
        pdf.add_page()
        for kind, text in page:
            pdf.set_font("Helvetica", "B" if kind == "h" else "", 16 if kind == "h" else 11)
            pdf.multi_cell(0, 6, text)
            pdf.ln(4)
    pdf.output(str(path))
    return path


@pytest.fixture
def handbook(tmp_path: Path) -> Path:
    return write_pdf(
        tmp_path / "handbook.pdf",
        [
            [("h", "Returns and Refunds"), ("p", LONG_PARAGRAPH), ("p", "Contact us with your order number.")],
            [],  # a page without text yields no document
            [("p", "Shipping takes two to four working days. We ship to the whole of Europe.")],
        ],
    )


def test_each_page_with_text_is_a_document(handbook: Path) -> None:
    documents = list(pdf_documents(handbook, title=None, url="https://example.com/handbook.pdf"))

    assert [(d.key, d.metadata) for d in documents] == [("pdf:page:1", {"page": 1}), ("pdf:page:3", {"page": 3})]
    assert {(d.title, d.url) for d in documents} == {("Employee Handbook", "https://example.com/handbook.pdf")}
    first, third = documents
    assert first.blocks[0] == Block("Returns and Refunds", heading=True)
    assert Block(LONG_PARAGRAPH) in first.blocks  # wrapped lines joined back into one paragraph
    assert Block("Contact us with your order number.") in first.blocks
    assert third.blocks == [Block("Shipping takes two to four working days. We ship to the whole of Europe.")]


def test_the_given_title_wins_and_a_missing_one_is_none(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "untitled.pdf", [[("p", "Some text.")]], title=None)
    assert [d.title for d in pdf_documents(path, title=None, url=None)] == [None]
    assert [d.title for d in pdf_documents(path, title="Price list", url=None)] == ["Price list"]


def test_a_word_hyphenated_at_a_line_end_is_joined(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "hyphen.pdf", [[("p", "This is an exam-\nple of a hyphenated word.")]])
    [document] = pdf_documents(path, title=None, url=None)
    assert document.blocks == [Block("This is an example of a hyphenated word.")]


def test_pages_are_read_lazily(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "many.pdf", [[("p", f"Page {n} text.")] for n in range(1, 41)])
    documents = pdf_documents(path, title=None, url=None)
    assert next(documents).key == "pdf:page:1"
    assert sum(1 for _ in documents) == 39


def test_an_encrypted_pdf_is_refused(tmp_path: Path, handbook: Path) -> None:
    writer = PdfWriter(clone_from=handbook)
    writer.encrypt(user_password="secret")
    writer.write(tmp_path / "locked.pdf")
    with pytest.raises(ExtractionError, match="encrypted; upload a version without a password"):
        list(pdf_documents(tmp_path / "locked.pdf", title=None, url=None))


def test_a_pdf_encrypted_with_an_empty_user_password_is_read(tmp_path: Path, handbook: Path) -> None:
    writer = PdfWriter(clone_from=handbook)
    writer.encrypt(user_password="", owner_password="owner-only")
    writer.write(tmp_path / "owner-locked.pdf")
    documents = list(pdf_documents(tmp_path / "owner-locked.pdf", title=None, url=None))
    assert [d.key for d in documents] == ["pdf:page:1", "pdf:page:3"]


@pytest.mark.parametrize(
    "content",
    [
        b"",
        random.Random(7).randbytes(20_000),
        b"<html><body>Not a PDF</body></html>",
    ],
    ids=["empty", "random-bytes", "html"],
)
def test_a_file_that_is_not_a_pdf_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "upload.pdf"
    path.write_bytes(content)
    with pytest.raises(ExtractionError, match=r"^The file is not a readable PDF: "):
        list(pdf_documents(path, title=None, url=None))


def test_a_truncated_pdf_is_refused(tmp_path: Path, handbook: Path) -> None:
    path = tmp_path / "truncated.pdf"
    path.write_bytes(handbook.read_bytes()[:400])
    with pytest.raises(ExtractionError):
        list(pdf_documents(path, title=None, url=None))


def test_a_pdf_without_text_is_refused_after_reading_every_page(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "scanned.pdf", [[], []])
    with pytest.raises(ExtractionError, match=r"^The PDF has no extractable text \(scanned images need OCR"):
        list(pdf_documents(path, title=None, url=None))
