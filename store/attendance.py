"""Attendance: who said "I'm here" at a meeting, registered or not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from store.db import commit
from store.meetings import lock_meeting
from store.models import Attendance, Meeting, MeetingKind, Registration
from store.people import ensure_person


@dataclass(frozen=True)
class Here:
    """What saying "I'm here" came to."""

    registration: Registration
    new: bool  # recorded now (not said before)
    walked_in: bool  # they had not registered: a registration was made for them


def mark_here(*, session: Session, meeting: Meeting, slack_id: str, now: datetime) -> Here:
    """Record that `slack_id` is at the meeting; someone who had not registered (or said they could not come) is
    registered as they came: online for an online meeting, else in person."""
    lock_meeting(session, meeting.id or 0)
    ensure_person(session=session, slack_id=slack_id)
    registration = session.exec(
        select(Registration).where(col(Registration.meeting_id) == meeting.id, col(Registration.slack_id) == slack_id)
    ).first()
    came = Attendance.ONLINE if meeting.kind == MeetingKind.ONLINE else Attendance.IN_PERSON
    walked_in = registration is None or registration.attendance == Attendance.NOT_COMING
    if registration is None:
        registration = Registration(
            meeting_id=meeting.id or 0, slack_id=slack_id, attendance=came, answered_at=now, created_at=now
        )
    elif registration.attended_at is not None:
        return Here(registration, new=False, walked_in=False)
    elif walked_in:
        registration.attendance = came
        registration.answered_at = now
    registration.attended_at = now
    session.add(registration)
    commit(session)
    session.refresh(registration)
    return Here(registration, new=True, walked_in=walked_in)


def attended(*, session: Session, meeting_id: int) -> list[str]:
    """Who said they were at the meeting, in the order they said it."""
    statement = (
        select(Registration.slack_id)
        .where(col(Registration.meeting_id) == meeting_id, col(Registration.attended_at).is_not(None))
        .order_by(col(Registration.attended_at), col(Registration.id))
    )
    return list(session.exec(statement))
