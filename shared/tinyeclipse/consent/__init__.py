"""Visitors' GDPR consent: an append-only record per answer, the latest one per session counts."""
