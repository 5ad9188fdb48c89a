"""The conversations' errors, with their stable codes."""

from uuid import UUID

from tinyeclipse.errors import NotFound


class ConversationNotFound(NotFound):
    code = "conversation_not_found"

    def __init__(self, conversation_id: UUID) -> None:
        super().__init__(f"No conversation with id {conversation_id}.")


class MessageNotFound(NotFound):
    code = "message_not_found"

    def __init__(self, message_id: UUID) -> None:
        super().__init__(f"No bot answer with id {message_id} in this session.")
