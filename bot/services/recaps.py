"""Recaps: an organiser's account of a meeting, posted in its card's thread and kept for questions and export.

Saving writes the recap, the actions agreed and every row they owe in one transaction: the recap's message
(posted once, then brought up to date in place), the card's update that links to it, and each owner's notice
and reminder (bot.services.actions).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.deps import Deps
from bot.posts import Delivery, Edit, RenderContext, Skip
from bot.services import actions as action_service
from bot.services import outbox
from bot.services.meetings import HERE_FROM
from bot.services.meetings._cards import owe_card_update
from bot.views import recaps as views
from store import actions as actions_store
from store import meetings as meetings_store
from store import practices as practices_store
from store import recaps as store
from store.after_models import Action, Recap
from store.db import one_transaction
from store.models import Meeting, PostKind, PracticeStatus, ScheduledPost
from store.schedule import PlannedPost


@dataclass(frozen=True)
class RecapOf:
    """A meeting's recap with what it names: the practices (number, title) and the actions agreed."""

    meeting: Meeting
    recap: Recap | None
    practices: tuple[tuple[int, str], ...]
    actions: tuple[Action, ...]


@dataclass(frozen=True)
class Saved:
    """What saving a recap came to: None for a meeting gone; `refused` says why it was not saved."""

    meeting: Meeting
    new: bool = False
    actions: tuple[Action, ...] = ()
    channel: str = ""  # where the recap is posted (the card's channel), "" if the meeting has no card
    refused: str = ""  # "cancelled" or "not begun"


def may_recap(meeting: Meeting, now: datetime) -> str:
    """Why the meeting cannot have a recap yet ("cancelled", "not begun"), or "" when it can."""
    if meeting.is_cancelled:
        return "cancelled"
    if now < meeting.starts_at - HERE_FROM:
        return "not begun"
    return ""


def _practice_titles(session: Session, numbers: Sequence[int]) -> tuple[tuple[int, str], ...]:
    found = (practices_store.get_practice(session=session, practice_id=n) for n in numbers)
    return tuple((p.id or 0, p.title) for p in found if p is not None and p.status == PracticeStatus.PUBLISHED)


def _recap_of(session: Session, meeting: Meeting) -> RecapOf:
    recap = store.get_recap(session=session, meeting_id=meeting.id or 0)
    practices = _practice_titles(session, recap.practice_ids) if recap else ()
    actions = actions_store.list_actions(
        session=session, meeting_id=meeting.id or 0, statuses=tuple(actions_store.ActionStatus), limit=100
    )
    return RecapOf(meeting, recap, practices, tuple(actions))


def recap_of(deps: Deps, meeting: Meeting) -> RecapOf:
    """The meeting's recap, its practices and actions, as the store holds them."""
    with deps.sessions() as session:
        return _recap_of(session, meeting)


def library(deps: Deps, *, chosen: Sequence[int] = (), limit: int = views.PRACTICE_OPTIONS) -> list[tuple[int, str]]:
    """The practices to choose from: those chosen before, then the newest published ones."""
    with deps.sessions() as session:
        newest = practices_store.newest(session=session, limit=limit)
        first = list(_practice_titles(session, chosen))
    listed = first + [(p.id or 0, p.title) for p in newest if (p.id or 0) not in dict(first)]
    return listed[:limit]


def save(deps: Deps, *, meeting_id: int, answer: views.RecapAnswer, by: str) -> Saved | None:
    """Write the recap and the actions agreed, with the rows they owe, in one transaction."""
    now = deps.clock()
    with deps.sessions() as session, one_transaction(session):
        meeting = meetings_store.get_meeting(session=session, meeting_id=meeting_id)
        if meeting is None:
            return None
        refused = may_recap(meeting, now)
        if refused:
            return Saved(meeting, refused=refused)
        recap, new = store.save_recap(session=session, meeting_id=meeting_id, fields=answer.fields, by=by, now=now)
        agreed = [actions_store.NewAction(a.title, a.owner, a.due) for a in answer.actions]
        written = actions_store.create_actions(session=session, actions=agreed, meeting_id=meeting_id, by=by, now=now)
        channel = meeting.card_channel or ""
        if channel:
            outbox.owe(session, [_recap_post(meeting, first=recap.posted_ts is None, now=now)], now=now)
        action_service.owe_owner_posts(deps, session, written, now)
    deps.send_now()
    return Saved(meeting, new=new, actions=tuple(written), channel=channel)


def _recap_post(meeting: Meeting, *, first: bool, now: datetime) -> PlannedPost:
    """The row that posts the recap in the card's thread (one per meeting), or brings its message up to date."""
    meeting_id = meeting.id or 0
    return PlannedPost(
        key=f"recap:{meeting_id}" if first else f"recap:{meeting_id}:{uuid.uuid4().hex}",
        kind=PostKind.RECAP,
        channel=meeting.card_channel or "",
        due_at=now,
        payload=json.dumps({"meeting": meeting_id, "first": first}),
    )


def register_renderers(deps: Deps) -> None:
    """Let the sender post the recap in the card's thread, and bring it up to date."""

    def render(row: ScheduledPost, context: RenderContext) -> Delivery:
        wanted = outbox.payload_of(row)
        meeting_id = wanted.get("meeting")
        meeting = context.meeting(meeting_id if isinstance(meeting_id, int) else None)
        if meeting is None:
            return Skip("the meeting no longer exists")
        found = recap_of(deps, meeting)
        if found.recap is None:
            return Skip("the meeting has no recap")
        message = views.message(meeting, found.recap, found.practices, found.actions)
        if found.recap.posted_ts and found.recap.posted_channel:
            return Edit(found.recap.posted_channel, found.recap.posted_ts, message)
        if not wanted.get("first"):
            return Skip("the recap is not posted yet; posting it shows the newest recap", expected=True)
        if not meeting.card_ts:
            return Skip("the meeting has no card to post the recap under")
        return {**message, "thread_ts": meeting.card_ts}

    def posted(session: Session, row: ScheduledPost, channel: str, ts: str) -> None:
        wanted = outbox.payload_of(row)
        meeting_id = wanted.get("meeting")
        if not wanted.get("first") or not isinstance(meeting_id, int):
            return
        store.set_posted(session=session, meeting_id=meeting_id, channel=channel, ts=ts)
        meeting = meetings_store.get_meeting(session=session, meeting_id=meeting_id)
        if meeting is not None:
            owe_card_update(session, meeting, deps.clock())  # the card's Recap button

    deps.renderers.add(PostKind.RECAP, render, posted=posted, timely=False, coalesce=True)
