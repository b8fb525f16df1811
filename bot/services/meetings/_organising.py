"""Organisers' changes: a meeting created or edited (in the form or on one line) and a meeting cancelled.

Every meeting passes the same checks whichever door it came in by, and every change is followed
by its consequences: reminders planned again, the card brought up to date, registrants told.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk import WebClient

from bot.deps import Deps
from bot.language.quick_meeting import QuickMeeting, QuickMeetingError, parse_quick
from bot.services import planning
from bot.services.meetings._cards import refresh_card, tell_promoted, tell_registrants
from bot.views import meeting_form as form
from store import meetings as store
from store.meetings import Change
from store.models import Meeting

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Saved:
    """A meeting saved from the form: new, or edited (and what the edit changed)."""

    meeting: Meeting
    change: Change | None = None  # None for a new meeting

    @property
    def edited(self) -> bool:
        """Whether an existing meeting was changed (rather than a new one created)."""
        return self.change is not None


@dataclass(frozen=True)
class Cancelled:
    """A meeting cancelled, and how many of the people registered were told."""

    meeting: Meeting
    told: int


def read_quick(deps: Deps, *, text: str, zone: str) -> QuickMeeting:
    """Read a one-line meeting and check it as the form would; raise QuickMeetingError or FormErrors."""
    settings = deps.settings
    now = deps.clock()
    try:
        quick = parse_quick(text, default_zone=zone, group_zone=settings.group_timezone, now=now)
    except QuickMeetingError as error:
        if error.draft is None:
            raise
        try:  # what could be read is checked as well, so that every problem is told at once
            form.check(error.draft, now=now)
        except form.FormErrors as more:
            told = [f"{form.LABELS.get(block_id, block_id)}: {problem}" for block_id, problem in more.errors.items()]
            raise QuickMeetingError([*error.problems, *told]) from None
        raise
    form.check(quick.draft, now=now)
    return quick


def create_from_preview(deps: Deps, *, value: str, created_by: str) -> Meeting:
    """Save the meeting a preview carried, checked again; raise FormErrors, or ValueError when unreadable."""
    try:
        draft = form.draft_from_json(value)
    except (TypeError, AttributeError) as error:  # JSON, but not a meeting's fields
        raise ValueError("not a meeting preview") from error
    form.check(draft, now=deps.clock())
    with deps.sessions() as session:
        meeting = store.create_meeting(session=session, draft=draft, created_by=created_by, now=deps.clock())
    planning.plan_meeting(deps, meeting.id or 0)
    return meeting


def editable(deps: Deps, *, meeting_id: int) -> Meeting | None:
    """The meeting an organiser may open in the form, or None when it is gone or cancelled."""
    with deps.sessions() as session:
        meeting = store.get_meeting(session=session, meeting_id=meeting_id)
    return None if meeting is None or meeting.is_cancelled else meeting


def save_form(deps: Deps, *, meeting_id: int | None, values: dict[str, str], user_id: str) -> Saved | None:
    """Create or change a meeting from the form's values; None when the meeting edited is gone or cancelled.

    Raise FormErrors naming every field that is wrong; nothing is saved then.
    """
    now = deps.clock()
    with deps.sessions() as session:
        old = store.get_meeting(session=session, meeting_id=meeting_id) if meeting_id else None
        if meeting_id and (old is None or old.is_cancelled):
            return None
        draft = form.parse_form(values, now=now, keep_start=old.starts_at if old else None)
        if old is None:
            return Saved(store.create_meeting(session=session, draft=draft, created_by=user_id, now=now))
        change = store.update_meeting(session=session, meeting_id=old.id or 0, draft=draft, now=now)
    if change is None:
        return None
    return Saved(change.meeting, change)


def publish_saved(deps: Deps, client: WebClient, saved: Saved) -> None:
    """After a save: plan the meeting's reminders, update its card, tell registrants and those who moved up."""
    meeting = saved.meeting
    planning.plan_meeting(deps, meeting.id or 0)  # its reminders: planned, moved or unchanged
    change = saved.change
    if change is None or not change.changed:
        return
    refresh_card(deps, client, meeting.id or 0)
    if change.time_or_place:
        tell_registrants(deps, client, meeting)
    tell_promoted(client, meeting, change.promoted)


def registrant_count(deps: Deps, *, meeting_id: int) -> int:
    """How many people would be told if the meeting changed or were cancelled."""
    with deps.sessions() as session:
        return len(store.registrant_ids(session=session, meeting_id=meeting_id))


def cancel_meeting(deps: Deps, client: WebClient, *, meeting_id: int) -> Cancelled | None:
    """Cancel a meeting, its pending reminders and its card, and tell the registrants; None if already done."""
    with deps.sessions() as session:
        before = store.get_meeting(session=session, meeting_id=meeting_id)
        if before is None or before.is_cancelled:
            return None
        meeting = store.cancel_meeting(session=session, meeting_id=meeting_id, now=deps.clock())
    assert meeting is not None
    planning.plan_meeting(deps, meeting_id)  # its pending reminders and announcements are cancelled
    refresh_card(deps, client, meeting_id)
    return Cancelled(meeting, tell_registrants(deps, client, meeting))
