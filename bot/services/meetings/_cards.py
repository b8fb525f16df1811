"""Keeping every message about a meeting true: its card in the group channel, and the people told.

Nothing here calls Slack: a change writes, in its own transaction, the rows the sender delivers
(bot.services.outbox). The card is rendered from the store when the sender sends it, so an update
always shows the counts as they are then. The direct messages are written in each reader's language.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Session

from bot.deps import Deps
from bot.language import i18n
from bot.posts import Delivery, Edit, RenderContext, Skip
from bot.services import languages, outbox
from bot.services.meetings._priority import with_provisional
from bot.services.meetings._rules import rule_of
from bot.views import blocks
from bot.views import meetings as views
from store import meetings as store
from store import recaps as recaps_store
from store import schedule
from store import series as series_store
from store.db import one_transaction
from store.models import Attendance, Meeting, PostKind, ScheduledPost
from store.schedule import PlannedPost


class Announcement(StrEnum):
    """What asking for a meeting's card came to."""

    POSTED = "posted"
    UP_TO_DATE = "up to date"  # announced before: its card is brought up to date
    NO_CHANNEL = "no channel"
    CANCELLED = "cancelled"
    OVER = "over"


@dataclass(frozen=True)
class Announced:
    """The outcome of announcing a meeting, and where its card is (or is being posted)."""

    outcome: Announcement
    meeting: Meeting
    channel: str = ""


def post_card(deps: Deps, meeting: Meeting) -> Announced:
    """Have the meeting's card posted to the group channel, or the card it has brought up to date.

    The card's row has one key per meeting: two organisers announcing at once post one card.
    """
    channel = deps.settings.group_channel
    if not channel:
        return Announced(Announcement.NO_CHANNEL, meeting)
    if meeting.is_cancelled:
        return Announced(Announcement.CANCELLED, meeting)
    now = deps.clock()
    if meeting.ends_at <= now:
        return Announced(Announcement.OVER, meeting)
    meeting_id = meeting.id or 0
    with deps.sessions() as session, one_transaction(session):
        current = store.get_meeting(session=session, meeting_id=meeting_id) or meeting
        if current.card_ts and current.card_channel:
            outbox.owe(session, [card_update(current, now)], now=now)
            outcome = Announced(Announcement.UP_TO_DATE, current, current.card_channel)
        else:
            first = PlannedPost(
                key=first_post_key(meeting_id),
                kind=PostKind.MEETING_CARD,
                channel=channel,
                due_at=now,
                payload=f'{{"id": {meeting_id}, "first": true}}',
            )
            outbox.owe(session, [first], now=now)
            outcome = Announced(Announcement.POSTED, current, channel)
        if current.series_id is not None:  # each next meeting of its series is announced when its turn comes
            series_store.set_announced(session=session, series_id=current.series_id)
    deps.send_now()
    return outcome


def card_update(meeting: Meeting, now: datetime) -> PlannedPost:
    """A row that brings the meeting's card up to date (nothing, if it has none yet).

    Card rows carry no meeting id: planning a meeting's reminders cancels that meeting's pending
    rows, and a card's update must outlive its meeting's cancelling.
    """
    meeting_id = meeting.id or 0
    return PlannedPost(
        key=f"meeting-card:{meeting_id}:{uuid.uuid4().hex}",
        kind=PostKind.MEETING_CARD,
        channel=meeting.card_channel or "",  # for Slack's pace; the card is found by its ts when sent
        due_at=now,
        payload=f'{{"id": {meeting_id}}}',
    )


def owe_card_update(session: Session, meeting: Meeting, now: datetime) -> None:
    """In the session's transaction: the meeting's card is to show what the store holds once it commits.

    Owed as soon as the card is asked for, even while its first post is on its way: a change
    committed after that post was rendered is then sent by this row (the post's ts is recorded by then).
    """
    if meeting.card_ts or schedule.get_post(session=session, key=first_post_key(meeting.id or 0)) is not None:
        outbox.owe(session, [card_update(meeting, now)], now=now)


def first_post_key(meeting_id: int) -> str:
    """The key of the row that posts the meeting's card: one per meeting, whoever announces it."""
    return f"meeting-card:{meeting_id}"


def promoted_notices(
    deps: Deps, session: Session, meeting: Meeting, promoted: tuple[str, ...], now: datetime
) -> list[PlannedPost]:
    """The direct messages telling those who moved up from the waitlist that they have a place."""
    notices = []
    for language, people in languages.by_language(deps, session, promoted).items():
        with i18n.speaking(language):
            text = views.promoted_text(meeting)
            body = [blocks.section(text), *views.meeting_actions(meeting, Attendance.IN_PERSON, where="dm")]
            notices += outbox.notices(people, text, body, about=f"meeting-{meeting.id}-place", now=now)
    return notices


def bumped_notices(
    deps: Deps, session: Session, meeting: Meeting, bumped: tuple[str, ...], now: datetime
) -> list[PlannedPost]:
    """The direct messages telling non-members that a member took their provisional place, with their position."""
    notices = []
    for language, people in languages.by_language(deps, session, bumped).items():
        for slack_id in people:
            position = store.waitlist_position(session=session, meeting_id=meeting.id or 0, slack_id=slack_id) or 1
            with i18n.speaking(language):
                text = views.bumped_text(meeting, position)
                body = [blocks.section(text), *views.meeting_actions(meeting, Attendance.WAITLISTED, where="dm")]
                notices += outbox.notices([slack_id], text, body, about=f"meeting-{meeting.id}-gave-way", now=now)
    return notices


def registrant_notices(
    deps: Deps, session: Session, meeting: Meeting, now: datetime, before: Mapping[str, Any] | None = None
) -> list[PlannedPost]:
    """The direct messages telling everyone registered that the meeting moved or was cancelled.

    `before` holds what the changed fields were, so that each notice says what changed from what to what.
    """
    registered = store.registrant_ids(session=session, meeting_id=meeting.id or 0)
    notices = []
    for language, people in languages.by_language(deps, session, registered).items():
        with i18n.speaking(language):
            text = views.registrants_text(meeting, before)
            body = [blocks.section(text)]
            if not meeting.is_cancelled:
                body += views.meeting_actions(meeting, where="dm")
            notices += outbox.notices(people, text, body, about=f"meeting-{meeting.id}-change", now=now)
    return notices


# What the sender asks ------------------------------------------------------------------------------


def register_renderers(deps: Deps) -> None:
    """Let the sender post and update meeting cards."""

    def render(row: ScheduledPost, _context: RenderContext) -> Delivery:
        wanted = outbox.payload_of(row)
        with deps.sessions() as session:
            meeting = store.get_meeting(session=session, meeting_id=int(wanted.get("id") or 0))
            counts = store.counts(session=session, meeting_id=meeting.id or 0) if meeting else None
            rule = rule_of(session, meeting) if meeting else None
            recapped = meeting is not None and recaps_store.get_recap(session=session, meeting_id=meeting.id or 0)
            if meeting is not None and counts is not None:
                counts = with_provisional(deps, session, meeting, counts)
        if meeting is None or counts is None:
            return Skip("the meeting no longer exists")
        if meeting.card_ts and meeting.card_channel:
            return Edit(meeting.card_channel, meeting.card_ts, views.card(meeting, counts, rule, recap=bool(recapped)))
        if not wanted.get("first"):
            return Skip("the card is not posted yet; posting it shows the newest counts")
        if meeting.is_cancelled or meeting.ends_at <= deps.clock():
            return Skip("the meeting was cancelled or is over before its card was posted")
        return views.card(meeting, counts, rule)

    def posted(session: Session, row: ScheduledPost, channel: str, ts: str) -> None:
        wanted = outbox.payload_of(row)
        if wanted.get("first"):
            store.set_card(session=session, meeting_id=int(wanted.get("id") or 0), channel=channel, ts=ts)

    deps.renderers.add(PostKind.MEETING_CARD, render, posted=posted, timely=False, coalesce=True)
