"""Embedding models: which exist, how each is loaded, and the protocol the rest of the product uses."""
