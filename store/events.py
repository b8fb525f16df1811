"""Queries about Events API deliveries already handled."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from store.db import rows_changed
from store.models import ProcessedEvent
from store.types import utcnow


def claim_event(*, session: Session, event_id: str, received_at: datetime | None = None) -> bool:
    """Record an event id; return False when it was recorded before (a re-delivery)."""
    session.add(ProcessedEvent(event_id=event_id, received_at=received_at or utcnow()))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True


def forget_events(*, session: Session, before: datetime) -> int:
    """Delete records of events received before `before`; return how many."""
    result = session.execute(delete(ProcessedEvent).where(col(ProcessedEvent.received_at) < before))
    session.commit()
    return rows_changed(result)
