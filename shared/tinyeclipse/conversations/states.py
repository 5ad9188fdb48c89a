"""Who answers a conversation: the bot, nobody yet (a person was asked for), or an operator; and who may move it.

bot ──visitor asks for a person / an escalated answer──▶ waiting ──operator takes or replies──▶ human
 ▲                                                          │                                    │
 └────────────────operator hands back or closes─────────────┴────────────────────────────────────┘
An operator may also take a conversation straight from the bot. A visitor never takes it from a person.
"""

from enum import StrEnum


class State(StrEnum):
    bot = "bot"
    waiting = "waiting"
    human = "human"


class Actor(StrEnum):
    visitor = "visitor"
    bot = "bot"
    operator = "operator"
    system = "system"


# Why a conversation moved, as stored on its transition.
class Reason(StrEnum):
    handoff_intent = "handoff_intent"
    handoff_button = "handoff_button"
    escalated_answer = "escalated_answer"
    quota_exhausted = "quota_exhausted"
    operator_take = "operator_take"
    operator_reply = "operator_reply"
    operator_hand_back = "operator_hand_back"
    closed = "closed"


ALLOWED: dict[tuple[State, State], frozenset[Actor]] = {
    (State.bot, State.waiting): frozenset({Actor.visitor, Actor.bot}),
    (State.bot, State.human): frozenset({Actor.operator}),
    (State.waiting, State.human): frozenset({Actor.operator}),
    (State.waiting, State.bot): frozenset({Actor.operator, Actor.system}),
    (State.human, State.bot): frozenset({Actor.operator, Actor.system}),
}

# While nobody or a person answers, the bot stays silent.
BOT_SILENT = frozenset({State.waiting, State.human})


def may_move(current: State, target: State, actor: Actor) -> bool:
    """Whether `actor` may move a conversation from `current` to `target` (staying put is not a move)."""
    return actor in ALLOWED.get((current, target), frozenset())
