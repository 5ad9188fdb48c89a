"""Conversations and their messages: written by the chat, read (and answered) by the operator."""
