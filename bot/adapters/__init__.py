"""Adapters that implement the domain's interfaces (hashing, email)."""
