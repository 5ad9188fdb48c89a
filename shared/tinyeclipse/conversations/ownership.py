"""Moving a conversation between the bot, waiting and a human, inside the caller's transaction."""

from dataclasses import dataclass
from uuid import UUID

from tinyeclipse.conversations import repository
from tinyeclipse.conversations.errors import ConversationNotFound
from tinyeclipse.conversations.states import Actor, Reason, State, may_move
from tinyeclipse.db import Connection


@dataclass(frozen=True)
class Move:
    before: State
    after: State

    @property
    def changed(self) -> bool:
        return self.before is not self.after


def move(conn: Connection, tenant_id: UUID, conversation_id: UUID, target: State, actor: Actor, reason: Reason) -> Move:
    """Move the conversation to `target` if `actor` may, storing the transition; else it stays where it is
    (asking for a person while one answers, taking what is already taken: nothing to do, not an error)."""
    current = repository.locked_state(conn, conversation_id)
    if current is None:
        raise ConversationNotFound(conversation_id)
    if current is target or not may_move(current, target, actor):
        return Move(current, current)
    repository.set_state(conn, conversation_id, target)
    repository.insert_transition(conn, tenant_id, conversation_id, (current, target), actor, reason)
    return Move(current, target)
