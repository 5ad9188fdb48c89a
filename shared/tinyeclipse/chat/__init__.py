"""Chat: retrieval, answering, confidence, escalation."""
