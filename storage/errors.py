"""The storage layer's error type, in a module of its own so that code which only checks
records (the parse workers) can raise and catch it without importing SQLAlchemy."""

from __future__ import annotations


class StorageError(Exception):
    """A database problem worth one clear line to the user."""
