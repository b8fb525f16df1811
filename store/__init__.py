"""The store: SQLModel tables, the engine and sessions, and every query."""

from store.db import StoreUnavailable

__all__ = ["StoreUnavailable"]
