"""Members' priority: until when a non-member's in-person place is provisional, and what shows it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.deps import Deps
from store import meetings as store
from store.meetings import Counts
from store.models import Meeting


def priority_window(deps: Deps) -> timedelta | None:
    """How long before a meeting without a deadline a non-member's place stays provisional; None when
    places are first come, first served (MEMBER_PRIORITY=waitlist)."""
    settings = deps.settings
    return settings.member_priority_before if settings.member_priority == "provisional" else None


def provisional(deps: Deps, meeting: Meeting, now: datetime) -> bool:
    """Whether a non-member's in-person place at this meeting is still provisional."""
    until = store.priority_until(meeting, priority_window(deps))
    return until is not None and now < until


def with_provisional(deps: Deps, session: Session, meeting: Meeting, counts: Counts) -> Counts:
    """The counts, with how many in-person places are non-members' provisional ones while that holds."""
    if meeting.capacity is None or not provisional(deps, meeting, deps.clock()):
        return counts
    held = store.non_members_in_person(session=session, meeting_id=meeting.id or 0)
    return replace(counts, provisional=held)
