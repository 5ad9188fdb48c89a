"""The four independent handlers: chat, consent, ingest and admin."""
