"""The sources under an answer: numbered as the widget shows them, markers to match, snippets that add to it."""

from uuid import uuid4

from tinyeclipse.chat.citations import list_sources, renumber
from tinyeclipse.chat.retrieval import Retrieved

TRANSFER = (
    "Transferring a domain to Demo Hosting\n\nTo transfer a domain, first unlock it at your current registrar and "
    "request the authorization code. Then order a domain transfer in our customer portal and enter the code. "
    "A transfer of a .com domain takes up to five days."
)
DOMAINS, EMAIL = uuid4(), uuid4()


def _hit(source_id, text: str, heading: str | None = None, similarity: float = 0.5) -> Retrieved:
    return Retrieved(1, source_id, text, "Help", None, heading, None, similarity, 0.03, 1, 1)


FOUND = [
    _hit(EMAIL, "Use port 993 for IMAP. Outgoing mail uses port 465."),
    _hit(DOMAINS, TRANSFER, heading="Transferring a domain to Demo Hosting", similarity=0.8),
    _hit(DOMAINS, "Domains renew automatically 30 days before they expire."),
]


def test_cited_sources_come_first_and_markers_point_at_their_position() -> None:
    listed = list_sources(FOUND, cited=(2,), quoted=((2, 0), (2, 1)))
    assert [source.source_id for source in listed.sources] == [DOMAINS, EMAIL]
    assert [source.cited for source in listed.sources] == [True, False]
    # Chunk 2 is shown as source 1; chunk 3 belongs to the same source; chunk 1 is source 2.
    assert listed.number_of == {2: 1, 3: 1, 1: 2}
    assert renumber("Unlock it and order the transfer. [2]", listed) == "Unlock it and order the transfer. [1]"


def test_repeated_and_unknown_markers() -> None:
    listed = list_sources(FOUND, cited=(2, 3), quoted=())
    assert renumber("Renewals [2] [3] are automatic [9].", listed) == "Renewals [1] are automatic."


def test_the_snippet_adds_to_the_answer_instead_of_repeating_it() -> None:
    listed = list_sources(FOUND, cited=(2,), quoted=((2, 0), (2, 1)))
    snippet = listed.sources[0].snippet
    assert "five days" in snippet and "first unlock it" not in snippet and "order a domain transfer" not in snippet
    assert snippet.startswith("Transferring a domain to Demo Hosting")
    # A source the answer quotes whole has nothing more to show.
    whole = list_sources(FOUND, cited=(1,), quoted=((1, 0), (1, 1)))
    assert whole.sources[0].snippet == ""
    # An uncited source shows its own beginning.
    assert whole.sources[1].snippet.startswith("Transferring a domain to Demo Hosting")
