"""Answering a meeting: whether it is open for the answer, the place or the waitlist, and who moves up."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.deps import Deps
from bot.services import outbox
from bot.services.meetings._cards import bumped_notices, owe_card_update, promoted_notices
from bot.services.meetings._offers import offer_posts, offers_on
from bot.services.meetings._priority import priority_window, provisional
from store import meetings as store
from store import people as people_store
from store.db import one_transaction
from store.meetings import RegistrationResult
from store.models import Attendance, Meeting

logger = logging.getLogger(__name__)


class Closed(StrEnum):
    """Why a meeting cannot take an answer now."""

    GONE = "gone"
    CANCELLED = "cancelled"
    STARTED = "started"
    DEADLINE = "deadline passed"
    ONLINE_ONLY = "online only"
    IN_PERSON_ONLY = "in person only"


@dataclass(frozen=True)
class Answered:
    """What became of someone's answer: refused (and why), or where they stand now."""

    meeting: Meeting | None
    closed: Closed | None = None
    result: RegistrationResult | None = None
    position: int | None = None  # their place in the waitlist (1 is next), when they are waiting
    provisional_until: datetime | None = None  # a non-member's in-person place gives way to a member's until then


def why_closed(meeting: Meeting | None, answer: Attendance, now: datetime) -> Closed | None:
    """Why this answer cannot be taken now, or None when it can.

    Saying one is not coming is taken until the meeting starts, even after the registration deadline.
    """
    if meeting is None:
        return Closed.GONE
    if meeting.is_cancelled:
        return Closed.CANCELLED
    if meeting.starts_at <= now:
        return Closed.STARTED
    deadline = meeting.registration_deadline
    if deadline is not None and deadline <= now and answer != Attendance.NOT_COMING:
        return Closed.DEADLINE
    if answer == Attendance.IN_PERSON and not meeting.has_places:
        return Closed.ONLINE_ONLY
    if answer == Attendance.ONLINE and not meeting.is_online:
        return Closed.IN_PERSON_ONLY
    return None


def answer_meeting(
    deps: Deps, *, meeting_id: int, slack_id: str, answer: Attendance, asked_at: datetime | None = None
) -> Answered:
    """Record someone's answer: a place while any is free, else the waitlist (members first).

    Whether the meeting is open is checked first, and again under the meeting's lock: a meeting
    cancelled or started in the meantime records nothing. The card's update and the words to
    those who moved up are written in the same transaction as the answer.
    """
    now = deps.clock()
    with deps.sessions() as session, one_transaction(session):
        meeting = store.get_meeting(session=session, meeting_id=meeting_id)
        closed = why_closed(meeting, answer, now)
        if closed is not None or meeting is None:
            return Answered(meeting=meeting, closed=closed)
        try:
            result = store.register(
                session=session,
                meeting_id=meeting_id,
                slack_id=slack_id,
                answer=answer,
                now=now,
                priority_window=priority_window(deps),
                offers=offers_on(deps),
                asked_at=asked_at,
            )
        except store.RegistrationClosed:
            meeting = store.get_meeting(session=session, meeting_id=meeting_id)
            return Answered(meeting=meeting, closed=why_closed(meeting, answer, deps.clock()) or Closed.STARTED)
        if result.changed:
            owe_card_update(session, meeting, now)
        outbox.owe(session, promoted_notices(deps, session, meeting, result.promoted, now), now=now)
        outbox.owe(session, bumped_notices(deps, session, meeting, result.bumped, now), now=now)
        outbox.owe(session, offer_posts(deps, session, meeting, result.offered, now), now=now)
        position = None
        if result.attendance == Attendance.WAITLISTED:
            position = store.waitlist_position(session=session, meeting_id=meeting_id, slack_id=slack_id)
        until = None
        if (
            result.attendance == Attendance.IN_PERSON
            and meeting.capacity is not None
            and provisional(deps, meeting, now)
        ):
            asker = people_store.get_person(session=session, slack_id=slack_id)
            until = store.priority_until(meeting, priority_window(deps)) if asker and not asker.is_member else None
    if result.changed:
        deps.send_now()
    return Answered(meeting=meeting, result=result, position=position, provisional_until=until)


def waitlist_place(deps: Deps, *, meeting_id: int, slack_id: str) -> tuple[Meeting | None, int | None]:
    """The meeting, and this person's place in its waitlist (None when they are not waiting)."""
    with deps.sessions() as session:
        meeting = store.get_meeting(session=session, meeting_id=meeting_id)
        position = store.waitlist_position(session=session, meeting_id=meeting_id, slack_id=slack_id)
    return meeting, position
