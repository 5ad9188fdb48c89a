"""TinyEclipse: the common package shared by the chat, consent, ingest and admin functions."""
