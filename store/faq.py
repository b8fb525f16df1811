"""Queries about the FAQ that organisers keep."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from store.db import commit
from store.models import FaqEntry, FaqTranslation


def add_faq(
    *,
    session: Session,
    question: str,
    answer: str,
    keywords: str = "",
    created_by: str,
    now: datetime,
    language: str | None = None,
) -> FaqEntry:
    """Store a question with its answer and the words that point to it, in `language` (None: the group's)."""
    entry = FaqEntry(
        question=question, answer=answer, keywords=keywords, created_by=created_by, created_at=now, language=language
    )
    session.add(entry)
    commit(session)
    session.refresh(entry)
    return entry


def list_faq(*, session: Session) -> list[FaqEntry]:
    """Every FAQ entry, oldest first."""
    return list(session.exec(select(FaqEntry).order_by(col(FaqEntry.id))))


def translations(*, session: Session) -> dict[int, dict[str, FaqTranslation]]:
    """Every translation, by entry and language."""
    found: dict[int, dict[str, FaqTranslation]] = defaultdict(dict)
    for translation in session.exec(select(FaqTranslation).order_by(col(FaqTranslation.id))):
        found[translation.faq_id][translation.language] = translation
    return dict(found)


def translate_faq(
    *,
    session: Session,
    entry_id: int,
    language: str,
    question: str,
    answer: str,
    keywords: str,
    created_by: str,
    now: datetime,
) -> FaqTranslation | None:
    """Store the entry in `language`, replacing an earlier translation into it; None if there is no such entry."""
    if session.get(FaqEntry, entry_id) is None:
        return None
    statement = select(FaqTranslation).where(
        col(FaqTranslation.faq_id) == entry_id, col(FaqTranslation.language) == language
    )
    translation = session.exec(statement).first()
    if translation is None:
        translation = FaqTranslation(faq_id=entry_id, language=language, question=question, answer=answer)
    translation.question, translation.answer, translation.keywords = question, answer, keywords
    translation.created_by, translation.created_at = created_by, now
    session.add(translation)
    commit(session)
    session.refresh(translation)
    return translation


def remove_faq(*, session: Session, entry_id: int) -> FaqEntry | None:
    """Delete an entry with its translations; return it, or None when there was none with this id."""
    entry = session.get(FaqEntry, entry_id)
    if entry is None:
        return None
    session.execute(delete(FaqTranslation).where(col(FaqTranslation.faq_id) == entry_id))
    session.delete(entry)
    commit(session)
    return entry
