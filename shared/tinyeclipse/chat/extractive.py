"""The offline provider: answers with the best passage of the retrieved context, as written there, never generated.

The best statement is the one the reader ranks first (meaning and wording, see reading.py); the answer is the
passage around it (one to three consecutive sentences of its paragraph, with the sentence a leading "Then" or
"This" refers to), or an FAQ pair's own answer. A second passage from another source joins when its statement
scores nearly as well. Its `coherence`, a measured stand-in for a model's self-assessment, is how close in meaning
the best statement is to the question, mapped from [COHERENCE_FLOOR, COHERENCE_CEILING] onto [0, 1].
"""

from tinyeclipse.chat.llm import LLMAnswer, LLMRequest
from tinyeclipse.chat.passages import faq_answer, passage
from tinyeclipse.chat.reading import Reader, ScoredSentence
from tinyeclipse.chat.terms import in_context

# A second source's passage joins only when its statement scores nearly as well as the best.
SECOND_SOURCE_RATIO = 0.9
COHERENCE_FLOOR = 0.3
COHERENCE_CEILING = 0.8


def _unit(value: float) -> float:
    return min(1.0, max(0.0, value))


def coherence(meaning: float) -> float:
    return _unit((meaning - COHERENCE_FLOOR) / (COHERENCE_CEILING - COHERENCE_FLOOR))


def compose(statement: ScoredSentence) -> tuple[str, tuple[int, ...]]:
    """The passage that answers with `statement`, and the indices of the chunk's sentences it quotes."""
    chunk = statement.chunk
    if chunk.faq_question is not None:
        return faq_answer(chunk.text, chunk.heading), tuple(range(len(statement.sentences)))
    found = passage(list(statement.sentences), statement.index)
    return found.text, tuple(found.indices)


class ExtractiveProvider:
    name = "extractive"

    def __init__(self, reader: Reader) -> None:
        self._reader = reader

    def answer(self, request: LLMRequest) -> LLMAnswer:
        question = in_context(request.question, [turn.content for turn in request.history if turn.role == "user"])
        reading = self._reader.read(question, request.context)
        best = reading.best
        if best is None:
            return LLMAnswer(text="", coherence=0.0, cited=(), tokens_in=0, tokens_out=0, model=self.name)
        chosen = [best]
        second = next((s for s in reading.ranked if s.chunk.source_id != best.chunk.source_id), None)
        if second is not None and second.score >= SECOND_SOURCE_RATIO * best.score:
            chosen.append(second)
        parts, quoted = [], []
        for statement in chosen:
            text, indices = compose(statement)
            parts.append(f"{text} [{statement.chunk.number}]")
            quoted.extend((statement.chunk.number, i) for i in indices)
        return LLMAnswer(
            text=" ".join(parts),
            coherence=coherence(best.meaning),
            cited=tuple(statement.chunk.number for statement in chosen),
            tokens_in=0,
            tokens_out=0,
            model=self.name,
            quoted=tuple(quoted),
        )
