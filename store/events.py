"""Queries about Events API deliveries already handled."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col

from store.db import commit, rows_changed, upsert
from store.models import ProcessedEvent
from store.types import utcnow


def claim_event(*, session: Session, event_id: str, received_at: datetime | None = None) -> bool:
    """Record an event id; return False when it was recorded before (a re-delivery)."""
    statement = (
        upsert(session, ProcessedEvent)
        .values(event_id=event_id, received_at=received_at or utcnow())
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(col(ProcessedEvent.event_id))
    )
    first = session.execute(statement).first() is not None
    commit(session)
    return first


def forget_events(*, session: Session, before: datetime) -> int:
    """Delete records of events received before `before`; return how many."""
    result = session.execute(delete(ProcessedEvent).where(col(ProcessedEvent.received_at) < before))
    commit(session)
    return rows_changed(result)
