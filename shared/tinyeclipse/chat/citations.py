"""The sources shown under an answer, numbered as the widget numbers them, and the answer's markers to match.

The provider cites context chunks by their number in the prompt ("[3]"); the visitor sees a list of sources,
the cited ones first, one entry per source. Markers are rewritten to the source's position in that list, so
"[1]" always points at the first source shown; several chunks of one source share its number.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from tinyeclipse.chat.models import SourceRef
from tinyeclipse.chat.passages import snippet, split
from tinyeclipse.chat.retrieval import Retrieved

SNIPPET_CHARS = 240
_MARKER = re.compile(r"\s*\[(\d+)\]")
_REPEATED_MARKER = re.compile(r"(\[\d+\])(\s*\1)+")


@dataclass(frozen=True)
class Listed:
    sources: list[SourceRef]
    number_of: dict[int, int]  # context chunk number -> 1-based position of its source in `sources`


def list_sources(found: Sequence[Retrieved], cited: Sequence[int], quoted: Sequence[tuple[int, int]]) -> Listed:
    """One entry per source, cited ones first (in citing order), then the others by rank."""
    order = [n for n in dict.fromkeys(cited) if 1 <= n <= len(found)]
    order += [n for n in range(1, len(found) + 1) if n not in order]
    sources: list[SourceRef] = []
    position_of_source: dict[object, int] = {}
    number_of: dict[int, int] = {}
    for number in order:
        hit = found[number - 1]
        if hit.source_id in position_of_source:
            number_of[number] = position_of_source[hit.source_id]
            continue
        covered = {index for chunk, index in quoted if chunk == number}
        sources.append(
            SourceRef(
                source_id=hit.source_id,
                title=hit.title,
                url=hit.url,
                snippet=snippet(split(hit.content, hit.heading), covered, SNIPPET_CHARS, heading=hit.heading),
                score=round(max(0.0, hit.similarity), 4),
                cited=number in cited,
            )
        )
        position_of_source[hit.source_id] = number_of[number] = len(sources)
    return Listed(sources, number_of)


def renumber(text: str, listed: Listed) -> str:
    """The answer with each "[n]" pointing at its source's position; markers of unknown chunks dropped."""

    def replace(match: re.Match[str]) -> str:
        position = listed.number_of.get(int(match.group(1)))
        return f" [{position}]" if position is not None else ""

    return _REPEATED_MARKER.sub(r"\1", _MARKER.sub(replace, text)).strip()
