"""Organisers' changes: a meeting created or edited (in the form or on one line) and a meeting cancelled.

Every meeting passes the same checks whichever door it came in by, and every change is followed
by its consequences: reminders planned again, the card brought up to date, registrants told.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.deps import Deps
from bot.language import repeats
from bot.language.quick_meeting import QuickMeeting, QuickMeetingError, parse_quick
from bot.language.repeats import Repeat, RepeatError
from bot.services import outbox, planning
from bot.services.meetings._cards import owe_card_update, promoted_notices, registrant_notices
from bot.services.meetings._offers import offer_posts, offers_on
from bot.services.meetings._rules import rule_of
from bot.services.meetings._series import edit_series, end_series, start_series
from bot.views import meeting_form as form
from bot.views import meeting_preview
from bot.views.series_form import RepeatProblems, Scope, read_repeat, scope_of
from store import meetings as store
from store import series as store_series
from store.db import one_transaction
from store.meetings import Change, MeetingDraft
from store.models import Meeting

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Saved:
    """A meeting saved from the form: new, or edited (and what the edit changed)."""

    meeting: Meeting
    change: Change | None = None  # None for a new meeting
    others: tuple[int, ...] = ()  # the other meetings of its series the edit changed
    repeat: Repeat | None = None  # a new series' rule
    written_start: str = ""  # the start as typed in the form ("next Thursday 10:00")

    @property
    def edited(self) -> bool:
        """Whether an existing meeting was changed (rather than a new one created)."""
        return self.change is not None


@dataclass(frozen=True)
class Cancelled:
    """A meeting cancelled, and how many of the people registered are being told."""

    meeting: Meeting
    told: int
    others: int = 0  # the following meetings of its series cancelled with it


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


def create_from_preview(deps: Deps, *, value: str, created_by: str) -> Saved:
    """Save the meeting (or series) a preview carried, checked again; raise FormErrors, or ValueError if unreadable."""
    try:
        draft, repeat = meeting_preview.read_preview(value)
    except (TypeError, AttributeError, KeyError, IndexError) as error:  # JSON, but not a meeting's fields
        raise ValueError("not a meeting preview") from error
    now = deps.clock()
    form.check(draft, now=now)
    if repeat is not None:
        try:
            repeats.check(repeat, draft.starts_at, ZoneInfo(draft.timezone))
        except RepeatError as error:
            raise form.FormErrors({"repeat_end": error.message}) from None
    with deps.sessions() as session, one_transaction(session):
        saved = _create(deps, session, draft, repeat, created_by, now)
    plan_saved(deps, saved)
    return saved


def _create(
    deps: Deps, session: Session, draft: MeetingDraft, repeat: Repeat | None, created_by: str, now: datetime
) -> Saved:
    """A new meeting, or the first of a new series (its meetings ahead created with it)."""
    if repeat is None:
        return Saved(store.create_meeting(session=session, draft=draft, created_by=created_by, now=now))
    first = start_series(deps, session, draft=draft, repeat=repeat, created_by=created_by, now=now)
    others = tuple(m.id or 0 for m in store_series.occurrences(session=session, series_id=first.series_id or 0))
    return Saved(first, others=tuple(i for i in others if i != first.id), repeat=repeat)


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
        draft, repeat = _read_form(values, old, now)
        if old is None:
            saved = replace(_create(deps, session, draft, repeat, user_id, now), written_start=values.get("starts", ""))
        else:
            scope = scope_of(values) if old.series_id is not None else Scope.THIS
            try:
                changes = (
                    edit_series(session, meeting=old, draft=draft, scope=scope, now=now, offers=offers_on(deps))
                    if scope != Scope.THIS
                    else [
                        store.update_meeting(
                            session=session, meeting_id=old.id or 0, draft=draft, now=now, offers=offers_on(deps)
                        )
                    ]
                )
            except RepeatProblems as problems:
                raise form.FormErrors(problems.errors) from None
            if not changes or changes[0] is None:
                return None
            for change in changes:
                if change is not None:
                    _tell(deps, session, change, now)
            first = changes[0]
            others = tuple(c.meeting.id or 0 for c in changes[1:] if c is not None)
            saved = Saved(first.meeting, first, others=others, written_start=values.get("starts", ""))
    deps.send_now()
    return saved


def _read_form(values: dict[str, str], old: Meeting | None, now: datetime) -> tuple[MeetingDraft, Repeat | None]:
    """The meeting and, for a new one, how it repeats; raise FormErrors naming every input that is wrong."""
    errors: dict[str, str] = {}
    draft: MeetingDraft | None = None
    try:
        draft = form.parse_form(values, now=now, keep_start=old.starts_at if old else None)
    except form.FormErrors as error:
        errors.update(error.errors)
    repeat = None
    if old is None:
        try:
            repeat = read_repeat(values, draft, now=now)
        except RepeatProblems as problems:
            errors.update(problems.errors)
    if errors or draft is None:
        raise form.FormErrors(errors)
    return draft, repeat


def _tell(deps: Deps, session: Session, change: Change, now: datetime) -> None:
    """In the session's transaction: what an edit owes, its card brought up to date and the people told."""
    if not change.changed:
        return
    owe_card_update(session, change.meeting, now)
    if change.time_or_place:
        outbox.owe(session, registrant_notices(deps, session, change.meeting, now, change.before), now=now)
    outbox.owe(session, promoted_notices(deps, session, change.meeting, change.promoted, now), now=now)
    outbox.owe(session, offer_posts(deps, session, change.meeting, change.offered, now), now=now)


def series_rule(deps: Deps, meeting: Meeting) -> Repeat | None:
    """The rule of the meeting's series, or None for a meeting on its own."""
    if meeting.series_id is None:
        return None
    with deps.sessions() as session:
        return rule_of(session, meeting)


def plan_saved(deps: Deps, saved: Saved) -> None:
    """After a save: plan the reminders of the meeting and of the other meetings of its series it changed."""
    for meeting_id in (saved.meeting.id or 0, *saved.others):
        planning.plan_meeting(deps, meeting_id)


def registrant_count(deps: Deps, *, meeting_id: int) -> int:
    """How many people would be told if the meeting changed or were cancelled."""
    with deps.sessions() as session:
        return len(store.registrant_ids(session=session, meeting_id=meeting_id))


def cancel_meeting(deps: Deps, *, meeting_id: int, following: bool = False) -> Cancelled | None:
    """Cancel a meeting, its pending reminders and its card, and tell the registrants; None if already done.

    With `following`, a meeting of a series ends its series: the series' later meetings are cancelled with it and
    no more are created.
    """
    now = deps.clock()
    with deps.sessions() as session, one_transaction(session):
        before = store.get_meeting(session=session, meeting_id=meeting_id)
        if before is None or before.is_cancelled:
            return None
        targets = end_series(session, meeting=before, now=now) if following and before.series_id else [before]
        told = 0
        cancelled = []
        for target in targets:
            meeting = store.cancel_meeting(session=session, meeting_id=target.id or 0, now=now)
            assert meeting is not None
            cancelled.append(meeting)
            owe_card_update(session, meeting, now)
            told += outbox.owe(session, registrant_notices(deps, session, meeting, now), now=now)
    for meeting in cancelled:  # their pending reminders and announcements are cancelled
        planning.plan_meeting(deps, meeting.id or 0)
    deps.send_now()
    return Cancelled(cancelled[0], told, others=len(cancelled) - 1)
