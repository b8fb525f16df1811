"""The store: SQLModel tables, the engine and sessions, and every query."""
