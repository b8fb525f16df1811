"""Keeping every message about a meeting true: its card in the group channel, and the people told."""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.views import blocks
from bot.views import meetings as views
from store import meetings as store
from store.models import Attendance, Meeting

logger = logging.getLogger(__name__)


class Announcement(StrEnum):
    """What asking for a meeting's card came to."""

    POSTED = "posted"
    UP_TO_DATE = "up to date"  # announced before: its card was brought up to date
    NO_CHANNEL = "no channel"
    CANCELLED = "cancelled"
    OVER = "over"


@dataclass(frozen=True)
class Announced:
    """The outcome of announcing a meeting, and where its card is."""

    outcome: Announcement
    meeting: Meeting
    channel: str = ""


def post_card(deps: Deps, client: WebClient, meeting: Meeting) -> Announced:
    """Post the meeting's card to the group channel, or bring the card it has up to date."""
    channel = deps.settings.group_channel
    if not channel:
        return Announced(Announcement.NO_CHANNEL, meeting)
    if meeting.is_cancelled:
        return Announced(Announcement.CANCELLED, meeting)
    if meeting.ends_at <= deps.clock():
        return Announced(Announcement.OVER, meeting)
    if meeting.card_ts and meeting.card_channel:
        refresh_card(deps, client, meeting.id or 0)
        return Announced(Announcement.UP_TO_DATE, meeting, meeting.card_channel)
    with deps.sessions() as session:
        counts = store.counts(session=session, meeting_id=meeting.id or 0)
    posted = client.chat_postMessage(channel=channel, unfurl_links=False, **views.card(meeting, counts))
    with deps.sessions() as session:
        store.set_card(session=session, meeting_id=meeting.id or 0, channel=posted["channel"], ts=posted["ts"])
    return Announced(Announcement.POSTED, meeting, channel)


_card_locks: defaultdict[int, threading.Lock] = defaultdict(threading.Lock)


def refresh_card(deps: Deps, client: WebClient, meeting_id: int) -> None:
    """Update the meeting's announcement card in place, from what the store holds now."""
    with _card_locks[meeting_id]:  # counts read and card written in one step, so the last update is the newest
        with deps.sessions() as session:
            meeting = store.get_meeting(session=session, meeting_id=meeting_id)
            if meeting is None or not meeting.card_ts or not meeting.card_channel:
                return
            counts = store.counts(session=session, meeting_id=meeting_id)
        try:
            client.chat_update(channel=meeting.card_channel, ts=meeting.card_ts, **views.card(meeting, counts))
        except SlackApiError as error:
            logger.warning("could not update the card of meeting %s: %s", meeting_id, error.response.get("error"))


def tell_promoted(client: WebClient, meeting: Meeting, promoted: tuple[str, ...]) -> int:
    """Tell the people who moved up from the waitlist that they have a place; return how many were told."""
    text = views.promoted_text(meeting)
    extra = views.meeting_actions(meeting, Attendance.IN_PERSON, where="dm")
    return sum(direct_message(client, slack_id, text, extra) for slack_id in promoted)


def tell_registrants(deps: Deps, client: WebClient, meeting: Meeting) -> int:
    """Tell everyone registered that the meeting moved or was cancelled; return how many were told."""
    with deps.sessions() as session:
        people = store.registrant_ids(session=session, meeting_id=meeting.id or 0)
    text = views.registrants_text(meeting)
    extra = [] if meeting.is_cancelled else views.meeting_actions(meeting, where="dm")
    return sum(direct_message(client, slack_id, text, extra) for slack_id in people)


def direct_message(client: WebClient, slack_id: str, text: str, extra: list[blocks.Block] | None = None) -> bool:
    """Send someone a direct message; False (and a warning logged) when Slack refuses it."""
    try:
        client.chat_postMessage(channel=slack_id, **blocks.message(text, [blocks.section(text), *(extra or [])]))
    except SlackApiError as error:
        logger.warning("could not send %s a direct message: %s", slack_id, error.response.get("error"))
        return False
    return True
