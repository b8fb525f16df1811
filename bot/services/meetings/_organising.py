"""Organisers' changes: a meeting created or edited (in the form or on one line) and a meeting cancelled.

Every meeting passes the same checks whichever door it came in by, and every change is followed
by its consequences: reminders planned again, the card brought up to date, registrants told.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.deps import Deps
from bot.language.quick_meeting import QuickMeeting, QuickMeetingError, parse_quick
from bot.services import outbox, planning
from bot.services.meetings._cards import owe_card_update, promoted_notices, registrant_notices
from bot.services.meetings._offers import offer_posts, offers_on
from bot.views import meeting_form as form
from store import meetings as store
from store.db import one_transaction
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
    """A meeting cancelled, and how many of the people registered are being told."""

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
            labels = form.labels()
            told = [f"{labels.get(block_id, block_id)}: {problem}" for block_id, problem in more.errors.items()]
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

    Raise FormErrors naming every field that is wrong; nothing is saved then. An edit writes, in
    the same transaction, its card's update and the words to registrants and to those who moved up.
    """
    now = deps.clock()
    with deps.sessions() as session, one_transaction(session):
        old = store.get_meeting(session=session, meeting_id=meeting_id) if meeting_id else None
        if meeting_id and (old is None or old.is_cancelled):
            return None
        draft = form.parse_form(values, now=now, keep_start=old.starts_at if old else None)
        if old is None:
            saved = Saved(store.create_meeting(session=session, draft=draft, created_by=user_id, now=now))
        else:
            change = store.update_meeting(
                session=session, meeting_id=old.id or 0, draft=draft, now=now, offers=offers_on(deps)
            )
            if change is None:
                return None
            saved = Saved(change.meeting, change)
            if change.changed:
                owe_card_update(session, change.meeting, now)
                if change.time_or_place:
                    outbox.owe(session, registrant_notices(deps, session, change.meeting, now, change.before), now=now)
                outbox.owe(session, promoted_notices(deps, session, change.meeting, change.promoted, now), now=now)
                outbox.owe(session, offer_posts(deps, session, change.meeting, change.offered, now), now=now)
    deps.send_now()
    return saved


def plan_saved(deps: Deps, saved: Saved) -> None:
    """After a save: plan the meeting's reminders (planned, moved or unchanged)."""
    planning.plan_meeting(deps, saved.meeting.id or 0)


def registrant_count(deps: Deps, *, meeting_id: int) -> int:
    """How many people would be told if the meeting changed or were cancelled."""
    with deps.sessions() as session:
        return len(store.registrant_ids(session=session, meeting_id=meeting_id))


def cancel_meeting(deps: Deps, *, meeting_id: int) -> Cancelled | None:
    """Cancel a meeting, its pending reminders and its card, and tell the registrants; None if already done."""
    now = deps.clock()
    with deps.sessions() as session, one_transaction(session):
        before = store.get_meeting(session=session, meeting_id=meeting_id)
        if before is None or before.is_cancelled:
            return None
        meeting = store.cancel_meeting(session=session, meeting_id=meeting_id, now=now)
        assert meeting is not None
        owe_card_update(session, meeting, now)
        told = outbox.owe(session, registrant_notices(deps, session, meeting, now), now=now)
    planning.plan_meeting(deps, meeting_id)  # its pending reminders and announcements are cancelled
    deps.send_now()
    return Cancelled(meeting, told)
