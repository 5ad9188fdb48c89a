"""The chunker keeps every chunk within the model's budget, follows the document's structure and loses no text."""

import itertools
import random

import pytest
from tokenizers import Tokenizer

from tinyeclipse.embeddings.minilm import model_path
from tinyeclipse.ingestion.chunking import Chunk, Chunker
from tinyeclipse.ingestion.documents import Block, Document

# Small budgets reach every path (sentence packing, token cuts, overlap) with short texts.
MAX_TOKENS = 60
OVERLAP_TOKENS = 15

WORDS = [
    *["the", "refund", "policy", "applies", "to", "every", "order", "placed", "online", "within", "thirty", "days"],
    *["customers", "can", "reset", "their", "password", "from", "the", "login", "page", "(see", "below)", "e-mail"],
    *["café", "naïve", "façade", "Zürich", "résumé", "2024", "€15,99", "support@example.com", "version", "3.2.1"],
    *["日本語", "中文", "Ελληνικά", "русский", "🙂", "👍🏽", "½", "supercalifragilisticexpialidocious"],
    "https://example.com/help/articles/12345?lang=en&ref=faq",
]


@pytest.fixture(scope="module")
def chunker() -> Chunker:
    return Chunker(max_tokens=MAX_TOKENS, overlap_tokens=OVERLAP_TOKENS)


@pytest.fixture(scope="module")
def no_overlap() -> Chunker:
    return Chunker(max_tokens=MAX_TOKENS, overlap_tokens=0)


def document(*blocks: str | Block) -> Document:
    return Document(
        key="text",
        title=None,
        url=None,
        blocks=[block if isinstance(block, Block) else Block(block) for block in blocks],
    )


def heading(text: str) -> Block:
    return Block(text, heading=True)


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + rng.choice(".!?")


def random_document(rng: random.Random, *, headings: bool) -> tuple[Document, list[str]]:
    """A document of random blocks, and the sentences of its paragraphs in order."""
    blocks: list[Block] = []
    sentences: list[str] = []
    for _ in range(rng.randint(0, 12)):
        kind = rng.random()
        if headings and kind < 0.2:
            blocks.append(heading(sentence(rng, rng.randint(1, 6))[:-1]))
        elif kind < 0.25:
            blocks.append(Block(rng.choice(["", "   ", "\n\n"])))
        else:
            lengths = rng.choice([[3], [8, 12, 5], [rng.randint(1, 40) for _ in range(rng.randint(1, 12))], [150]])
            paragraph = [sentence(rng, n) for n in lengths]
            blocks.append(Block(" ".join(paragraph)))
            sentences += paragraph
    return document(*blocks), sentences


def body(chunk: Chunk) -> str:
    return chunk.text.removeprefix(f"{chunk.heading}\n\n") if chunk.heading else chunk.text


def compact(text: str) -> str:
    return "".join(text.split())


def assert_well_formed(chunker: Chunker, chunks: list[Chunk]) -> None:
    assert [chunk.index for chunk in chunks] == list(range(len(chunks)))
    for chunk in chunks:
        assert chunk.text.strip()
        assert 0 < chunk.token_count <= chunker.max_tokens
        assert chunk.token_count == chunker.count(chunk.text)
        if chunk.heading:
            assert chunk.text.startswith(f"{chunk.heading}\n\n")


def assert_in_order(texts: list[str], chunks: list[Chunk]) -> None:
    """Every text appears in some chunk, each at or after the place of the one before it."""
    position = (0, 0)
    for text in texts:
        index, start = position
        while (found := chunks[index].text.find(text, start)) < 0:
            index, start = index + 1, 0
            assert index < len(chunks), f"{text!r} is missing or out of order"
        position = (index, found)


# --- count ---------------------------------------------------------------------------------------


def test_count_agrees_with_the_tokenizer_without_truncation_or_special_tokens(chunker: Chunker) -> None:
    tokenizer = Tokenizer.from_file(str(model_path() / "tokenizer.json"))
    tokenizer.no_truncation()
    text = sentence(random.Random(1), 300)
    expected = len(tokenizer.encode(text, add_special_tokens=False).ids)
    assert chunker.count(text) == expected > 128  # the file's own truncation (128) must not apply
    assert chunker.count("How do I reset my password?") == 7
    assert chunker.count("") == 0


def test_a_chunk_of_the_configured_size_fits_the_model_with_its_special_tokens() -> None:
    chunker = Chunker(max_tokens=200, overlap_tokens=40)
    tokenizer = Tokenizer.from_file(str(model_path() / "tokenizer.json"))
    tokenizer.no_truncation()
    chunks = chunker.chunk(document(heading("Refunds"), sentence(random.Random(2), 2000)))
    assert len(chunks) > 5
    assert max(len(tokenizer.encode(chunk.text).ids) for chunk in chunks) <= 256


def test_budgets_are_checked() -> None:
    with pytest.raises(ValueError):
        Chunker(max_tokens=0, overlap_tokens=0)
    with pytest.raises(ValueError):
        Chunker(max_tokens=50, overlap_tokens=50)
    with pytest.raises(ValueError):
        Chunker(max_tokens=50, overlap_tokens=-1)


# --- invariants on random and pathological input -------------------------------------------------


@pytest.mark.parametrize("seed", range(60))
def test_random_documents_keep_every_sentence_in_order_within_the_budget(chunker: Chunker, seed: int) -> None:
    doc, sentences = random_document(random.Random(seed), headings=True)
    chunks = chunker.chunk(doc)
    assert_well_formed(chunker, chunks)
    # Sentences this short are never cut, whatever the heading; longer ones are checked without overlap below.
    assert_in_order([s for s in sentences if chunker.count(s) <= MAX_TOKENS // 2], chunks)
    for block in doc.blocks:
        if block.heading:
            assert any(block.text in chunk.text for chunk in chunks)
    assert (chunks == []) == doc.is_empty


@pytest.mark.parametrize("seed", range(30))
def test_without_overlap_the_chunks_are_exactly_the_text(no_overlap: Chunker, seed: int) -> None:
    doc, _ = random_document(random.Random(1000 + seed), headings=False)
    chunks = no_overlap.chunk(doc)
    assert_well_formed(no_overlap, chunks)
    assert compact("".join(chunk.text for chunk in chunks)) == compact("".join(b.text for b in doc.blocks))


def test_one_sentence_of_2000_words(chunker: Chunker, no_overlap: Chunker) -> None:
    text = sentence(random.Random(3), 2000)
    for each in (chunker, no_overlap):
        chunks = each.chunk(document(text))
        assert_well_formed(each, chunks)
        assert len(chunks) > 2000 // MAX_TOKENS
    assert compact("".join(chunk.text for chunk in no_overlap.chunk(document(text)))) == compact(text)


@pytest.mark.parametrize(
    "text",
    [
        "https://example.com/" + "/".join(f"segment{n}-of-the-path?q={n}&r=x" for n in range(300)),
        "x" * 5000,  # longer than a word may be: one [UNK] token
        "ab" * 50,  # 50 word pieces in one word: longer than the smallest budget
        "see " + "ab" * 50 + " and " + "pneumonoultramicroscopicsilicovolcanoconiosis" * 2 + " end",
    ],
)
@pytest.mark.parametrize("max_tokens", [16, MAX_TOKENS])
def test_text_without_spaces_is_cut_on_token_boundaries(text: str, max_tokens: int) -> None:
    chunker = Chunker(max_tokens=max_tokens, overlap_tokens=0)
    chunks = chunker.chunk(document(text))
    assert_well_formed(chunker, chunks)
    assert compact("".join(chunk.text for chunk in chunks)) == compact(text)


def test_many_tiny_paragraphs_are_packed_together(no_overlap: Chunker) -> None:
    paragraphs = [f"Step {n}." for n in range(500)]
    chunks = no_overlap.chunk(document(*paragraphs))
    assert_well_formed(no_overlap, chunks)
    assert len(chunks) < 500 * no_overlap.count("Step 1.") / MAX_TOKENS * 1.2
    assert [p for chunk in chunks for p in chunk.text.split("\n\n")] == paragraphs


@pytest.mark.parametrize(
    "blocks",
    [
        [],
        [Block("")],
        [Block("  \n\t "), heading("   "), Block("\n\n")],
        [Block("\u200b\u200d")],  # characters the model does not see
    ],
)
def test_documents_without_text_have_no_chunks(chunker: Chunker, blocks: list[Block]) -> None:
    assert chunker.chunk(document(*blocks)) == []


def test_unicode_text(chunker: Chunker) -> None:
    text = (
        "日本語のテキストです。次の文です\uff01 Ελληνικά κείμενο εδώ. Русский текст тоже. 🙂👍🏽 Café, naïve façade. "
        * 12
    )
    chunks = chunker.chunk(document(heading("Ünïcödé"), text))
    assert_well_formed(chunker, chunks)
    assert all(chunk.heading == "Ünïcödé" for chunk in chunks)
    assert_in_order(
        ["日本語のテキストです。", "次の文です\uff01", "Ελληνικά κείμενο εδώ.", "Café, naïve façade."], chunks
    )


def test_a_heading_longer_than_the_budget_is_kept_as_text(chunker: Chunker) -> None:
    long_heading = sentence(random.Random(4), 200)[:-1]
    chunks = chunker.chunk(document(heading(long_heading), "The body of the section."))
    assert_well_formed(chunker, chunks)
    assert all(chunk.heading is None for chunk in chunks)
    assert compact(long_heading) in compact("".join(chunk.text for chunk in chunks))
    assert "The body of the section." in chunks[-1].text


# --- structure ----------------------------------------------------------------------------------


def test_a_heading_starts_a_new_chunk_and_prefixes_it(chunker: Chunker) -> None:
    chunks = chunker.chunk(
        document("Welcome to our shop.", heading("Billing"), "We send invoices monthly.", "Pay by card.")
    )
    assert [(chunk.heading, chunk.text) for chunk in chunks] == [
        (None, "Welcome to our shop."),
        ("Billing", "Billing\n\nWe send invoices monthly.\n\nPay by card."),
    ]


def test_the_heading_prefixes_every_chunk_of_its_section_and_counts_in_the_budget(chunker: Chunker) -> None:
    text = " ".join(f"Invoices are sent on day {n} of the month." for n in range(40))
    chunks = chunker.chunk(document(heading("Billing and invoices"), text, heading("Shipping"), "We ship daily."))
    assert_well_formed(chunker, chunks)
    assert {chunk.heading for chunk in chunks[:-1]} == {"Billing and invoices"}
    assert chunks[-1].text == "Shipping\n\nWe ship daily."


def test_consecutive_headings_become_one_and_a_last_heading_is_kept(chunker: Chunker) -> None:
    chunks = chunker.chunk(document(heading("Chapter 1"), heading("Install"), "Run the installer.", heading("End")))
    assert [(chunk.heading, chunk.text) for chunk in chunks] == [
        ("Chapter 1 > Install", "Chapter 1 > Install\n\nRun the installer."),
        (None, "End"),
    ]


def test_paragraphs_are_kept_whole_when_they_fit(chunker: Chunker) -> None:
    paragraphs = [" ".join(f"Paragraph {p} sentence {s}." for s in range(5)) for p in range(6)]
    assert all(MAX_TOKENS / 3 < chunker.count(p) <= MAX_TOKENS / 2 for p in paragraphs)
    chunks = chunker.chunk(document(*paragraphs))
    assert_well_formed(chunker, chunks)
    for p in paragraphs:
        assert any(p in chunk.text.split("\n\n") for chunk in chunks)


def test_consecutive_chunks_of_a_long_paragraph_overlap(chunker: Chunker) -> None:
    sentences = [f"This is sentence number {n}." for n in range(60)]
    chunks = chunker.chunk(document(" ".join(sentences)))
    assert_well_formed(chunker, chunks)
    assert len(chunks) > 3
    for previous, following in itertools.pairwise(chunks):
        shared = [s for s in sentences if s in previous.text and s in following.text]
        assert shared, "no overlap"
        assert following.text.startswith(" ".join(shared))
        assert chunker.count(" ".join(shared)) <= OVERLAP_TOKENS
        assert following.text != " ".join(shared)  # never only the previous chunk's tail
