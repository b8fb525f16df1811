"""Locks on one thing (a meeting's card, a practice's card) for the length of a transaction, in every process.

Threads of one process line up on a lock kept per thing only while it is held or awaited, so the
locks do not accumulate; on PostgreSQL the transaction also takes an advisory lock on the thing
(keyed by the schema, the kind of thing and its id), so that bot processes sharing the database
line up too (SQLite serves a single process).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from enum import IntEnum
from weakref import WeakValueDictionary

from sqlalchemy import text
from sqlmodel import Session


class LockSpace(IntEnum):
    """The first key of an advisory lock: what kind of thing the second key (its id) names."""

    MEETING_CARD = 0x4D43
    PRACTICE_CARD = 0x5043


class _HeldLock:
    """A lock of this process that lives only while someone holds it or waits for it."""

    __slots__ = ("__weakref__", "lock")

    def __init__(self) -> None:
        self.lock = threading.Lock()


_ADVISORY = text("SELECT pg_advisory_xact_lock(hashtext(current_schema() || :space), :item)")
_held: WeakValueDictionary[tuple[object, int, int], _HeldLock] = WeakValueDictionary()
_guard = threading.Lock()


def locks_held() -> int:
    """How many things this process holds or waits for a lock on now."""
    with _guard:
        return len(_held)


@contextmanager
def holding(*, session: Session, space: LockSpace, item_id: int) -> Iterator[None]:
    """Hold the thing for the length of the block: one holder at a time, in every process.

    The session's transaction ends with the block (rolled back: commit writes before it ends),
    which releases the advisory lock.
    """
    key = (session.get_bind(), int(space), item_id)
    with _guard:
        held = _held.get(key)
        if held is None:
            held = _held[key] = _HeldLock()
    with held.lock:
        try:
            if session.get_bind().dialect.name == "postgresql":
                # Advisory locks are the whole database's: the schema is part of the key, so that
                # bots (or test runs) in different schemas of one database never wait for each other.
                session.execute(_ADVISORY, {"space": f":{int(space)}", "item": item_id})
            yield
        finally:
            session.rollback()
