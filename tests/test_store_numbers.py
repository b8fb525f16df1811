"""Numbers people quote ("/practice 12", "/meetings 3") are never given to another row, on each engine."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, SQLModel

from store import practices as practices_store
from store.models import FaqEntry, Meeting, PostKind, ScheduledPost

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def test_a_deleted_practice_number_is_not_given_to_the_next_practice(sessions: sessionmaker[Session]) -> None:
    def share(title: str) -> int:
        with sessions() as session:
            draft = practices_store.PracticeDraft(
                title=title, kind="Tool", topic="Skills", summary=f"What {title} did, with its evidence."
            )
            practice = practices_store.create_practice(
                session=session, draft=draft, author="U0ANA", now=NOW, moderated=False
            )
            return practice.id or 0

    assert [share(title) for title in ("Vouchers", "Data charter", "Skills map")] == [1, 2, 3]
    with sessions() as session:
        assert practices_store.delete_practice(session=session, practice_id=3) is not None

    assert share("Cluster academy") == 4
    with sessions() as session:
        assert practices_store.get_practice(session=session, practice_id=3) is None
        found = practices_store.search(session=session, query="academy", limit=5)
        assert [hit.practice.id for hit in found.hits] == [4]


def meeting(n: int) -> Meeting:
    starts = NOW + timedelta(days=n)
    return Meeting(title=f"Call {n}", starts_at=starts, ends_at=starts + timedelta(hours=1), timezone="Europe/Madrid")


def faq(n: int) -> FaqEntry:
    return FaqEntry(question=f"Question {n}?", answer=f"Answer {n}.")


def post(n: int) -> ScheduledPost:
    return ScheduledPost(key=f"announce:{n}", kind=PostKind.ANNOUNCEMENT, channel="C0GROUP", due_at=NOW)


@pytest.mark.parametrize("make", [meeting, faq, post], ids=["meetings", "faq", "scheduled posts"])
def test_the_newest_number_deleted_is_not_reused(
    sessions: sessionmaker[Session], make: Callable[[int], SQLModel]
) -> None:
    with sessions() as session:
        rows = [make(n) for n in (1, 2, 3)]
        session.add_all(rows)
        session.commit()
        assert [row.id for row in rows] == [1, 2, 3]  # type: ignore[attr-defined]
        session.delete(rows[-1])
        session.commit()
        fresh = make(4)
        session.add(fresh)
        session.commit()
        assert fresh.id == 4  # type: ignore[attr-defined]
