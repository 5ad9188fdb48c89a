"""Tenants: the hosting company's clients, their plan, status and settings."""
