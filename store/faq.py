"""Queries about the FAQ that organisers keep."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from store.db import commit
from store.models import FaqEntry


def add_faq(
    *, session: Session, question: str, answer: str, keywords: str = "", created_by: str, now: datetime
) -> FaqEntry:
    """Store a question with its answer and the words that point to it."""
    entry = FaqEntry(question=question, answer=answer, keywords=keywords, created_by=created_by, created_at=now)
    session.add(entry)
    commit(session)
    session.refresh(entry)
    return entry


def list_faq(*, session: Session) -> list[FaqEntry]:
    """Every FAQ entry, oldest first."""
    return list(session.exec(select(FaqEntry).order_by(col(FaqEntry.id))))


def remove_faq(*, session: Session, entry_id: int) -> FaqEntry | None:
    """Delete an entry; return it, or None when there was none with this id."""
    entry = session.get(FaqEntry, entry_id)
    if entry is None:
        return None
    session.delete(entry)
    commit(session)
    return entry
