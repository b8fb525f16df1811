"""Organisers' announcements: planned as one scheduled post each, listed, changed and cancelled until posted."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from uuid import uuid4
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.deps import Deps
from bot.language.i18n import _
from bot.posts import Message, RenderContext, Skip
from bot.views import announcements as views
from store import meetings as meetings_store
from store import people as people_store
from store import schedule
from store.models import Meeting, PostKind, PostStatus, ScheduledPost

KEY_PREFIX = "announce:"
PENDING_LIMIT = 50


def register_renderers(deps: Deps) -> None:
    """Register the renderer the scheduler posts announcements with."""

    def render(row: ScheduledPost, context: RenderContext) -> Message | Skip:
        meeting = context.meeting(row.meeting_id) if row.meeting_id else None
        return views.message(views.read_payload(row.payload), meeting)

    deps.renderers.add(PostKind.ANNOUNCEMENT, render)


def _announcement(session: Session, key: str) -> ScheduledPost | None:
    """The announcement row under `key`; None for any other key (a reminder's key is not ours to touch)."""
    if not key.startswith(KEY_PREFIX):
        return None
    post = schedule.get_post(session=session, key=key)
    return post if post is not None and post.kind == PostKind.ANNOUNCEMENT else None


def get(deps: Deps, key: str) -> ScheduledPost | None:
    """The announcement under `key`, whatever its status."""
    with deps.sessions() as session:
        return _announcement(session, key)


def pending(deps: Deps) -> list[ScheduledPost]:
    """The announcements waiting to be posted, soonest first (at most PENDING_LIMIT)."""
    with deps.sessions() as session:
        return schedule.posts(
            session=session, statuses=[PostStatus.PENDING], kinds=[PostKind.ANNOUNCEMENT], limit=PENDING_LIMIT
        )


def meetings_of(deps: Deps, posts: list[ScheduledPost]) -> dict[int, Meeting]:
    """The meetings the posts go with, by id (those that still exist)."""
    ids = {post.meeting_id for post in posts if post.meeting_id is not None}
    found: dict[int, Meeting] = {}
    with deps.sessions() as session:
        for meeting_id in ids:
            meeting = meetings_store.get_meeting(session=session, meeting_id=meeting_id)
            if meeting is not None:
                found[meeting_id] = meeting
    return found


def form_meetings(deps: Deps, current: int | None) -> list[Meeting]:
    """The meetings the form offers: the upcoming ones, and the one an edited announcement has."""
    with deps.sessions() as session:
        meetings = meetings_store.upcoming_meetings(session=session, now=deps.clock(), limit=views.OPTIONS_LIMIT)
        if current is not None and all(m.id != current for m in meetings):
            kept = meetings_store.get_meeting(session=session, meeting_id=current)
            if kept is not None:
                meetings = [kept, *meetings][: views.OPTIONS_LIMIT]
    return meetings


def stored_zone(deps: Deps, user_id: str) -> ZoneInfo:
    """The zone the store knows for `user_id` (no Slack call: used while a form is acknowledged)."""
    with deps.sessions() as session:
        person = people_store.get_person(session=session, slack_id=user_id)
    return deps.settings.zone_for(person.tz if person else None)


def cancel(deps: Deps, key: str) -> ScheduledPost | None:
    """Cancel a pending announcement; return it, or None when it was already posted, cancelled or gone."""
    with deps.sessions() as session:
        post = _announcement(session, key)
        cancelled = schedule.cancel(session=session, now=deps.clock(), keys=[key]) if post is not None else 0
    if not cancelled:
        return None
    deps.wake()
    return post


def meeting_problem(deps: Deps, meeting_id: int | None, existing: ScheduledPost | None, now: datetime) -> str | None:
    """Why the chosen meeting cannot go with the announcement, or None when it can."""
    if meeting_id is None:
        return None
    with deps.sessions() as session:
        meeting = meetings_store.get_meeting(session=session, meeting_id=meeting_id)
    if meeting is None:
        return _("That meeting no longer exists: choose another, or none.")
    if existing is not None and existing.meeting_id == meeting_id:
        return None  # kept as it was
    if meeting.is_cancelled or meeting.ends_at <= now:
        return _("That meeting is cancelled or over: choose another, or none.")
    return None


def plan(deps: Deps, draft: views.Draft, user_id: str, existing: ScheduledPost | None, now: datetime) -> bool:
    """Write the announcement as one row, under a new key or the edited row's own; False if it was too late.

    `schedule.plan` keeps a row's meeting as it was, so an edit that changes the meeting
    cancels the old row and plans the announcement afresh under a new key.
    """
    key = existing.key if existing is not None else f"{KEY_PREFIX}{uuid4().hex}"
    post = schedule.PlannedPost(
        key=key,
        kind=PostKind.ANNOUNCEMENT,
        channel=draft.channel,
        due_at=draft.due_at or now,
        meeting_id=draft.meeting_id,
        payload=json.dumps({"text": draft.text, "by": user_id}),
    )
    with deps.sessions() as session:
        if existing is not None and existing.meeting_id != draft.meeting_id:
            if not schedule.cancel(session=session, now=now, keys=[existing.key]):
                return False
            post = replace(post, key=f"{KEY_PREFIX}{uuid4().hex}")
        if schedule.plan(session=session, posts=[post], now=now):
            deps.wake()
            return True
        # Nothing written: either the row is no longer pending, or it already held exactly this.
        session.expire_all()
        row = _announcement(session, post.key)
        return row is not None and row.status == PostStatus.PENDING
