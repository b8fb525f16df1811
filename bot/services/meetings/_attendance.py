"""Who came: "I'm here", pressed from shortly before a meeting's start to its end, recorded once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.deps import Deps
from bot.services.meetings._cards import owe_card_update
from store import attendance as attendance_store
from store import meetings as store
from store.db import one_transaction
from store.models import Meeting

HERE_FROM = timedelta(minutes=15)  # "I'm here" counts from this long before the start until the end


class Said(StrEnum):
    """What pressing "I'm here" came to."""

    HERE = "here"
    ALREADY = "already"
    TOO_EARLY = "too early"
    OVER = "over"
    CANCELLED = "cancelled"
    GONE = "gone"


@dataclass(frozen=True)
class Presence:
    """The outcome, the meeting, and whether the person came without having registered."""

    said: Said
    meeting: Meeting | None = None
    walked_in: bool = False


def _why_not(meeting: Meeting | None, now: datetime) -> Said | None:
    """Why attendance cannot be taken at the meeting now (gone, cancelled, too early), or None when it can."""
    if meeting is None:
        return Said.GONE
    if meeting.is_cancelled:
        return Said.CANCELLED
    return Said.TOO_EARLY if now < meeting.starts_at - HERE_FROM else None


def i_am_here(deps: Deps, *, meeting_id: int, slack_id: str) -> Presence:
    """Record that someone is at the meeting, once, during its time; someone unregistered is registered as they came."""
    now = deps.clock()
    with deps.sessions() as session, one_transaction(session):
        meeting = store.get_meeting(session=session, meeting_id=meeting_id)
        refused = _why_not(meeting, now)
        if refused is not None or meeting is None:
            return Presence(refused or Said.GONE, meeting)
        if now >= meeting.ends_at:
            return Presence(Said.OVER, meeting)
        here = attendance_store.mark_here(session=session, meeting=meeting, slack_id=slack_id, now=now)
        if here.walked_in:
            owe_card_update(session, meeting, now)  # one more person at it
    deps.send_now()
    return Presence(Said.HERE if here.new else Said.ALREADY, meeting, here.walked_in)


@dataclass(frozen=True)
class Marked:
    """What an organiser's attendance came to: the outcome (HERE when saved), the meeting and the figures."""

    said: Said
    meeting: Meeting | None = None
    taken: attendance_store.Taken | None = None


def take_attendance(deps: Deps, *, meeting_id: int, came: set[str], guests: list[str], by: str) -> Marked:
    """Record who was at the meeting as an organiser marked it, from shortly before its start on."""
    now = deps.clock()
    with deps.sessions() as session, one_transaction(session):
        meeting = store.get_meeting(session=session, meeting_id=meeting_id)
        refused = _why_not(meeting, now)
        if refused is not None or meeting is None:
            return Marked(refused or Said.GONE, meeting)
        taken = attendance_store.take_attendance(
            session=session, meeting=meeting, came=came, guests=guests, by=by, now=now
        )
        if taken.walked_in:
            owe_card_update(session, meeting, now)
    deps.send_now()
    return Marked(Said.HERE, meeting, taken)


def attendance_figures(deps: Deps) -> list[attendance_store.MeetingFigures]:
    """The attendance of the meetings that have taken place, oldest first."""
    with deps.sessions() as session:
        return attendance_store.figures(session=session, now=deps.clock())
