"""Offers from the waitlist: a freed place is offered to the first in line, who takes it or not in time.

An offer is two rows of the outbox, written in the transaction that freed the place: the direct message
with *Take the place* and *No longer needed*, and the offer's lapse, due when its time runs out
(WAITLIST_OFFER_TIME, shortened so that no offer outlives the meeting's start). The place is held
(`Attendance.OFFERED`) while the offer runs. Taking or declining closes the offer under the meeting's
lock and withdraws its lapse; a lapse that comes due while the offer is open is sent to its holder, and
in the transaction that records it sent the offer closes and the place is offered to the next. So each
offer is sent once and each place held by one person, across restarts and processes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from bot.deps import Deps
from bot.language import i18n
from bot.posts import Delivery, RenderContext, Skip
from bot.services import languages, outbox
from bot.services.meetings._cards import owe_card_update
from bot.views import blocks
from bot.views import offers as views
from store import meetings as store
from store import schedule
from store.db import one_transaction
from store.models import Attendance, Meeting, PostKind, PostStatus, ScheduledPost
from store.schedule import PlannedPost

LAPSE_PREFIX = "offer-lapse"


def offers_on(deps: Deps) -> bool:
    """Whether freed places are offered (else given to the first in line at once)."""
    return deps.settings.waitlist_offer_time is not None


def lapse_key(meeting_id: int, slack_id: str, stamp: str) -> str:
    """The key of an offer's lapse; `stamp` tells one offer to the same person from another."""
    return f"{LAPSE_PREFIX}:{meeting_id}:{slack_id}:{stamp}"


def offer_posts(
    deps: Deps, session: Session, meeting: Meeting, offered: Iterable[str], now: datetime
) -> list[PlannedPost]:
    """For each person offered a place: the offer by direct message, in their language, and its lapse."""
    people = list(offered)
    if not people or deps.settings.waitlist_offer_time is None:
        return []
    expires = min(now + deps.settings.waitlist_offer_time, meeting.starts_at)
    stamp = f"{int(now.timestamp() * 1000)}"
    posts: list[PlannedPost] = []
    for language, readers in languages.by_language(deps, session, people).items():
        with i18n.speaking(language):
            text = views.offer_text(meeting, expires)
            body = [blocks.section(text), views.offer_buttons(meeting.id or 0, stamp)]
        for slack_id in readers:
            posts += outbox.notices([slack_id], text, body, about=f"meeting-{meeting.id}-offer", now=now)
            payload = json.dumps({"meeting_id": meeting.id, "slack_id": slack_id, "stamp": stamp})
            key = lapse_key(meeting.id or 0, slack_id, stamp)
            posts.append(PlannedPost(key, PostKind.OFFER_LAPSE, slack_id, expires, meeting.id, payload))
    return posts


class Reply(StrEnum):
    """What became of a press on an offer's button."""

    TAKEN = "taken"
    DECLINED = "declined"
    LAPSED = "lapsed"  # its time ran out, or it was closed already
    NOT_YOURS = "not yours"
    GONE = "gone"  # the meeting was cancelled, has started, or no longer exists


@dataclass(frozen=True)
class Pressed:
    """The answer to a press on an offer, and the meeting it is about."""

    reply: Reply
    meeting: Meeting | None = None
    expired_at: datetime | None = None


def answer_offer(deps: Deps, *, meeting_id: int, stamp: str, slack_id: str, take: bool) -> Pressed:
    """Take or decline one's offer, in one transaction with the card's update and the next offer."""
    now = deps.clock()
    with deps.sessions() as session, one_transaction(session):
        meeting = store.get_meeting(session=session, meeting_id=meeting_id)
        row = schedule.get_post(session=session, key=lapse_key(meeting_id, slack_id, stamp))
        if meeting is None or meeting.is_cancelled or meeting.starts_at <= now:
            return Pressed(Reply.GONE, meeting)
        if row is None:
            return Pressed(Reply.NOT_YOURS, meeting)
        if row.status != PostStatus.PENDING or row.due_at <= now:  # lapsing, lapsed or closed
            return Pressed(Reply.LAPSED, meeting, expired_at=row.due_at)
        outcome = Attendance.IN_PERSON if take else Attendance.NOT_COMING
        settled = store.settle_offer(
            session=session, meeting_id=meeting_id, slack_id=slack_id, outcome=outcome, now=now
        )
        if settled is None:
            return Pressed(Reply.LAPSED, meeting, expired_at=row.due_at)
        schedule.cancel(session=session, now=now, keys=[row.key])
        owe_card_update(session, meeting, now)
        outbox.owe(session, offer_posts(deps, session, meeting, settled.offered, now), now=now)
    deps.send_now()
    return Pressed(Reply.TAKEN if take else Reply.DECLINED, meeting)


def register_renderers(deps: Deps) -> None:
    """Let the sender send an offer's lapse, and close the offer as it records it sent."""

    def render(row: ScheduledPost, context: RenderContext) -> Delivery:
        wanted = outbox.payload_of(row)
        with deps.sessions() as session:
            meeting = store.get_meeting(session=session, meeting_id=int(wanted.get("meeting_id") or 0))
            registration = (
                store.registration_of(session=session, meeting_id=meeting.id or 0, slack_id=str(wanted.get("slack_id")))
                if meeting
                else None
            )
        if meeting is None or registration is None or registration.attendance != Attendance.OFFERED:
            return Skip("the offer was taken or declined")
        text = views.lapsed_text(meeting)  # the sender speaks the reader's language for a direct message
        return blocks.message(text, [blocks.section(text)])

    def posted(session: Session, row: ScheduledPost, channel: str, ts: str) -> None:
        wanted = outbox.payload_of(row)
        meeting_id, slack_id = int(wanted.get("meeting_id") or 0), str(wanted.get("slack_id"))
        now = deps.clock()
        settled = store.settle_offer(
            session=session, meeting_id=meeting_id, slack_id=slack_id, outcome=Attendance.WAITLISTED, now=now
        )
        meeting = store.get_meeting(session=session, meeting_id=meeting_id)
        if settled is None or meeting is None:
            return
        owe_card_update(session, meeting, now)
        outbox.owe(session, offer_posts(deps, session, meeting, settled.offered, now), now=now)

    deps.renderers.add(PostKind.OFFER_LAPSE, render, posted=posted, timely=False)
