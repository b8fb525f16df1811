"""Keeping every message about a meeting true: its card in the group channel, and the people told."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.services.notices import direct_message
from bot.views import blocks
from bot.views import meetings as views
from store import meetings as store
from store.meetings import Counts
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
    """Post the meeting's card to the group channel, or bring the card it has up to date.

    The card is posted under the meeting's card lock, so two organisers announcing at once post one card.
    """
    channel = deps.settings.group_channel
    if not channel:
        return Announced(Announcement.NO_CHANNEL, meeting)
    if meeting.is_cancelled:
        return Announced(Announcement.CANCELLED, meeting)
    if meeting.ends_at <= deps.clock():
        return Announced(Announcement.OVER, meeting)
    meeting_id = meeting.id or 0
    with deps.sessions() as session, store.card_lock(session=session, meeting_id=meeting_id):
        current = store.get_meeting(session=session, meeting_id=meeting_id) or meeting
        counts = store.counts(session=session, meeting_id=meeting_id)
        if current.card_ts and current.card_channel:
            _send_update(client, current, current.card_channel, current.card_ts, counts)
            return Announced(Announcement.UP_TO_DATE, current, current.card_channel)
        posted = client.chat_postMessage(channel=channel, unfurl_links=False, **views.card(current, counts))
        store.set_card(session=session, meeting_id=meeting_id, channel=posted["channel"], ts=posted["ts"])
    return Announced(Announcement.POSTED, current, channel)


def refresh_card(deps: Deps, client: WebClient, meeting_id: int) -> None:
    """Update the meeting's announcement card in place, from what the store holds now.

    The counts are read and the card sent under the meeting's card lock, so that of refreshes at
    the same moment, in this process or another, the last one Slack receives has the newest counts.
    """
    with deps.sessions() as session, store.card_lock(session=session, meeting_id=meeting_id):
        meeting = store.get_meeting(session=session, meeting_id=meeting_id)
        if meeting is None or not meeting.card_ts or not meeting.card_channel:
            return
        counts = store.counts(session=session, meeting_id=meeting_id)
        _send_update(client, meeting, meeting.card_channel, meeting.card_ts, counts)


def _send_update(client: WebClient, meeting: Meeting, channel: str, ts: str, counts: Counts) -> None:
    """Send the card as it should read now; a card Slack refuses to update is logged, not raised."""
    try:
        client.chat_update(channel=channel, ts=ts, **views.card(meeting, counts))
    except SlackApiError as error:
        logger.warning("could not update the card of meeting %s: %s", meeting.id, error.response.get("error"))


def tell_promoted(client: WebClient, meeting: Meeting, promoted: tuple[str, ...]) -> int:
    """Tell the people who moved up from the waitlist that they have a place; return how many were told."""
    text = views.promoted_text(meeting)
    extra = views.meeting_actions(meeting, Attendance.IN_PERSON, where="dm")
    return sum(direct_message(client, slack_id, text, [blocks.section(text), *extra]) for slack_id in promoted)


def tell_registrants(deps: Deps, client: WebClient, meeting: Meeting) -> int:
    """Tell everyone registered that the meeting moved or was cancelled; return how many were told."""
    with deps.sessions() as session:
        people = store.registrant_ids(session=session, meeting_id=meeting.id or 0)
    text = views.registrants_text(meeting)
    extra = [] if meeting.is_cancelled else views.meeting_actions(meeting, where="dm")
    return sum(direct_message(client, slack_id, text, [blocks.section(text), *extra]) for slack_id in people)
