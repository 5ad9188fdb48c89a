"""A retrieved chunk reads like a person's answer: whole passages, no glued headings, no repeats in the snippet."""

import json
import pathlib

import pytest

from tinyeclipse.chat.passages import ELLIPSIS, faq_answer, needs_antecedent, passage, snippet, split
from tinyeclipse.ingestion.chunking import Chunk, Chunker
from tinyeclipse.ingestion.documents import Block, Document, markdown_blocks

DEMO = pathlib.Path(__file__).parents[2] / "infra" / "local" / "demo"
TRANSFER_HEADING = "Transferring a domain to Demo Hosting"
UNLOCK = "To transfer a domain, first unlock it"
THEN_ORDER = "Then order a domain transfer in our customer portal and enter the code."


@pytest.fixture(scope="module")
def chunker() -> Chunker:
    return Chunker(max_tokens=256, overlap_tokens=32)


def demo_chunk(chunker: Chunker, file: str, heading_part: str) -> Chunk:
    document = Document(key=file, title=None, url=None, blocks=markdown_blocks((DEMO / file).read_text()))
    return next(chunk for chunk in chunker.chunk(document) if heading_part in (chunk.heading or ""))


@pytest.fixture(scope="module")
def transfer(chunker: Chunker) -> Chunk:
    return demo_chunk(chunker, "domains-and-dns.md", TRANSFER_HEADING)


def index_of(sentences: list, start: str) -> int:
    return next(i for i, sentence in enumerate(sentences) if sentence.text.startswith(start))


def test_the_heading_is_never_glued_to_a_sentence(transfer: Chunk) -> None:
    sentences = split(transfer.text, transfer.heading)

    assert transfer.text.startswith(TRANSFER_HEADING)
    assert sentences[0].text.startswith(UNLOCK)
    assert all(TRANSFER_HEADING not in sentence.text for sentence in sentences)
    assert [sentence.text for sentence in sentences][1:] == [
        THEN_ORDER,
        "A transfer of a .com domain takes up to five days; .nl and .be domains usually transfer within one hour.",
        "The transfer extends the registration by one year.",
    ]


def test_a_then_sentence_brings_the_sentence_it_follows(transfer: Chunk) -> None:
    sentences = split(transfer.text, transfer.heading)

    chosen = passage(sentences, index_of(sentences, "Then order"))

    assert chosen.text.startswith(UNLOCK)
    assert chosen.text.endswith(THEN_ORDER)
    assert chosen.indices == (0, 1)
    assert TRANSFER_HEADING not in chosen.text
    assert not set(chosen.text) & set('"\u201c\u201d[]')


def test_the_first_sentence_is_read_without_the_heading_and_with_its_next_step(transfer: Chunk) -> None:
    sentences = split(transfer.text, transfer.heading)

    chosen = passage(sentences, 0)

    assert TRANSFER_HEADING not in chosen.text
    assert chosen.text.startswith(UNLOCK)
    assert chosen.text.endswith(THEN_ORDER)  # "Then ..." continues the first step
    assert passage(sentences, 0, follow=0).indices == (0,)


def test_a_self_contained_sentence_stands_alone(transfer: Chunk) -> None:
    sentences = split(transfer.text, transfer.heading)

    chosen = passage(sentences, index_of(sentences, "A transfer of a .com"))

    assert chosen.text == sentences[2].text


def test_a_joined_heading_is_removed_too(chunker: Chunker) -> None:
    chunk = demo_chunk(chunker, "domains-and-dns.md", "Pointing your domain")

    sentences = split(chunk.text, chunk.heading)

    assert chunk.heading == "Domains and DNS > Pointing your domain to us"
    assert sentences[0].text.startswith("To use a domain that is registered elsewhere")
    assert all("Domains and DNS" not in sentence.text for sentence in sentences)


def test_an_faq_chunk_answers_with_the_faq_answer_not_the_question(chunker: Chunker) -> None:
    pair = next(p for p in json.loads((DEMO / "faq.json").read_text()) if "money-back" in p["question"])
    blocks = [Block(pair["question"], heading=True), *markdown_blocks(pair["answer"])]
    (chunk,) = chunker.chunk(Document(key="faq", title=None, url=None, blocks=blocks))

    answer = faq_answer(chunk.text, chunk.heading)

    assert answer == pair["answer"]
    assert pair["question"] not in answer
    assert snippet(chunk.text, set(range(len(split(chunk.text, chunk.heading)))), heading=chunk.heading) == ""


def test_an_faq_answer_is_whitespace_normalised() -> None:
    text = "Can I pay by invoice?\n\nYes.\nWe send the invoice\n\nby email."

    assert faq_answer(text, "Can I pay by invoice?") == "Yes. We send the invoice by email."


@pytest.mark.parametrize(
    "text",
    [
        "The Starter plan costs 4.95 EUR per month, or 5.95 EUR when paid monthly.",
        "Use an email app, e.g. Outlook or Thunderbird, with IMAP.",
        "Choose a plan, i.e. Starter, Business or Pro.",
        "Mr. Jansen from Dr. Smith's office called.",
        "A restore takes approx. 5 minutes.",
        "Domains ending in .nl and .be transfer within one hour.",
        "Files, databases, etc. are backed up every night.",
        "The U.S. Army was led by John F. Kennedy's adviser.",
        "Am 3. Oktober 1990 wurde Deutschland vereinigt.",
        "Open https://my.demo-hosting.example/login. and click Forgot password.",
    ],
)
def test_abbreviations_decimals_and_domains_do_not_end_a_sentence(text: str) -> None:
    assert [sentence.text for sentence in split(text, None)] == [text]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It costs 4.95 EUR. Then pay.", ["It costs 4.95 EUR.", "Then pay."]),
        ("We accept cash, cards, etc. Then we ship.", ["We accept cash, cards, etc.", "Then we ship."]),
        (
            "A problem X reduces to Y. There are many reductions.",
            ["A problem X reduces to Y.", "There are many reductions."],
        ),
        ('They called it "Franks." The name stuck!', ['They called it "Franks."', "The name stuck!"]),
        ("Is it free? Yes, it is.", ["Is it free?", "Yes, it is."]),
    ],
)
def test_sentences_end_where_they_end(text: str, expected: list[str]) -> None:
    assert [sentence.text for sentence in split(text, None)] == expected


def test_a_plain_paragraph_without_heading_is_split_in_place() -> None:
    text = "The Normans settled in Normandy. They adopted the French language.\nTheir rulers became dukes."

    sentences = split(text, None)

    assert [s.text for s in sentences] == [
        "The Normans settled in Normandy.",
        "They adopted the French language.",  # a line break inside a paragraph is a space
        "Their rulers became dukes.",
    ]
    assert [(s.paragraph, s.position) for s in sentences] == [(0, 0), (0, 1), (0, 2)]


def test_paragraphs_are_numbered_and_an_antecedent_is_never_taken_from_another_paragraph() -> None:
    sentences = split("Intro\n\nBackups run nightly.\n\nThis costs nothing. It is included.", "Intro")

    assert [(s.paragraph, s.position) for s in sentences] == [(0, 0), (1, 0), (1, 1)]
    assert passage(sentences, 1).text == "This costs nothing. It is included."
    assert passage(sentences, 2).indices == (1, 2)


def test_markdown_list_items_are_sentences_of_their_own() -> None:
    text = "Mail\n\nUse these settings:\n- IMAP server mail.example, port 993\n- SMTP server mail.example, port 465"

    sentences = split(text, "Mail")

    assert [(s.text, s.item) for s in sentences] == [
        ("Use these settings:", False),
        ("IMAP server mail.example, port 993", True),
        ("SMTP server mail.example, port 465", True),
    ]
    chosen = passage(sentences, 2)
    assert chosen.text == "Use these settings: IMAP server mail.example, port 993; SMTP server mail.example, port 465."


def test_a_list_the_chunker_put_on_one_line_is_still_a_list(chunker: Chunker) -> None:
    markdown = "# Installing\n\nSteps:\n\n1. Open the App Installer.\n2. Choose WordPress.\n3. Click Install."
    (chunk,) = chunker.chunk(Document(key="text", title=None, url=None, blocks=markdown_blocks(markdown)))

    sentences = split(chunk.text, chunk.heading)

    assert [(s.text, s.item) for s in sentences] == [
        ("Steps:", False),
        ("Open the App Installer.", True),
        ("Choose WordPress.", True),
        ("Click Install.", True),
    ]
    assert {s.paragraph for s in sentences} == {0}  # the list belongs to the sentence that introduces it


def test_a_dash_inside_a_sentence_is_no_list() -> None:
    text = "We answer from Monday - Friday, 08:00 - 20:00. Outages are handled 24/7."

    assert [s.text for s in split(text, None)] == [
        "We answer from Monday - Friday, 08:00 - 20:00.",
        "Outages are handled 24/7.",
    ]


@pytest.mark.parametrize(
    ("text", "best"),
    [
        ("Ontgrendel het domein bij je registrar. Daarna bestel je de verhuizing in het portaal.", 1),
        ("Entsperren Sie die Domain beim Registrar. Dann bestellen Sie den Transfer im Portal.", 1),
        ("Open het controlepaneel. Dit duurt een minuut.", 1),
        ("Öffnen Sie das Panel. Dies dauert eine Minute.", 1),
    ],
)
def test_dutch_and_german_connectives_bring_their_antecedent(text: str, best: int) -> None:
    sentences = split(text, None)

    assert passage(sentences, best).indices == (0, 1)


@pytest.mark.parametrize(
    ("sentence", "leans"),
    [
        ("Then order a transfer.", True),
        ("However, .nl domains are faster.", True),
        ("After that, enter the code.", True),
        ("In addition, we renew it.", True),
        ("It renews itself.", True),
        ("Daarna bestel je.", True),
        ("Dann bestellen Sie.", True),
        ("Ensuite, commandez.", True),
        ("After your order is paid you receive an email.", False),
        ("IT staff answer tickets.", False),
        ("Every website gets a free certificate.", False),
        ("Sie können jederzeit wechseln.", False),
    ],
)
def test_which_openings_need_an_antecedent(sentence: str, leans: bool) -> None:
    assert needs_antecedent(sentence) is leans


def test_a_passage_never_exceeds_its_cap() -> None:
    sentences = split("Unlock it. Then request the code. Then order. Then enter the code. Finally wait.", None)

    assert passage(sentences, 3).indices == (1, 2, 3)
    assert passage(sentences, 3, max_sentences=2).indices == (2, 3)
    assert passage(sentences, 3, max_sentences=1).indices == (3,)
    with pytest.raises(IndexError):
        passage(sentences, 5)


def test_the_snippet_shows_what_the_answer_does_not(transfer: Chunk) -> None:
    sentences = split(transfer.text, transfer.heading)
    chosen = passage(sentences, index_of(sentences, "Then order"))

    shown = snippet(sentences, set(chosen.indices), heading=transfer.heading)

    assert shown.startswith(TRANSFER_HEADING)
    assert all(sentences[i].text not in shown for i in chosen.indices)
    assert UNLOCK not in shown
    assert ELLIPSIS in shown
    assert "A transfer of a .com domain takes up to five days" in shown
    assert snippet(transfer.text, set(chosen.indices), heading=transfer.heading) == shown


def test_the_snippet_marks_skipped_text_in_the_middle() -> None:
    sentences = split("One is first. Two is next. Three is last.", None)

    assert snippet(sentences, {1}) == f"One is first. {ELLIPSIS} Three is last."
    assert snippet(sentences, {0, 1, 2}) == ""


def test_a_long_snippet_is_cut_between_words() -> None:
    sentences = split("Short answer here. More: " + " ".join(["extraordinarily"] * 40) + ".", None)

    shown = snippet(sentences, {0}, max_chars=60)

    assert len(shown) <= 60
    assert shown.endswith(ELLIPSIS)
    assert shown.removesuffix(ELLIPSIS).split()[-1] == "extraordinarily"


def test_a_snippet_cut_at_a_space_keeps_its_last_whole_word() -> None:
    sentences = split("Answer. Word word word word.", None)

    assert snippet(sentences, {0}, max_chars=13) == f"{ELLIPSIS} Word word{ELLIPSIS}"
