"""Keeping every message about a meeting true: its card in the group channel and the people told."""

from __future__ import annotations

import logging
import threading
from collections import defaultdict

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.views import blocks
from bot.views import meetings as views
from store import meetings as store
from store.models import Attendance, Meeting

logger = logging.getLogger(__name__)


def tell_promoted(deps: Deps, client: WebClient, meeting: Meeting, promoted: tuple[str, ...]) -> None:
    """Tell the people who moved up from the waitlist that they have a place."""
    for slack_id in promoted:
        text = (
            f":tada: Good news: a place freed up at *{blocks.escape(meeting.title)}*, {views.when_text(meeting)}. "
            "You've moved up from the waitlist and are registered to come in person. "
            "If you can't make it any more, press *Can't come* so the next person gets the place."
        )
        _direct_message(client, slack_id, text, views.meeting_actions(meeting, Attendance.IN_PERSON, where="dm"))


def _direct_message(client: WebClient, slack_id: str, text: str, extra: list[blocks.Block] | None = None) -> bool:
    try:
        client.chat_postMessage(channel=slack_id, **blocks.message(text, [blocks.section(text), *(extra or [])]))
    except SlackApiError as error:
        logger.warning("could not send %s a direct message: %s", slack_id, error.response.get("error"))
        return False
    return True


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


def tell_registrants(deps: Deps, client: WebClient, meeting: Meeting, *, changed: bool) -> int:
    """Tell everyone registered that the meeting moved or was cancelled; return how many were told."""
    with deps.sessions() as session:
        people = store.registrant_ids(session=session, meeting_id=meeting.id or 0)
    title = f"*{blocks.escape(meeting.title)}*"
    if meeting.is_cancelled:
        text = f":x: {title}, {views.when_text(meeting)}, has been *cancelled*. Sorry for the change of plans."
        extra: list[blocks.Block] = []
    else:
        text = (
            f":pushpin: {title} has changed. It is now {views.when_text(meeting)}\n{views.place_text(meeting)}\n"
            "Your registration stands; if you can no longer come, press *Can't come*. "
            "The new calendar file updates the meeting in your calendar."
        )
        extra = views.meeting_actions(meeting, where="dm")
    return sum(_direct_message(client, slack_id, text, extra) for slack_id in people)


def post_card(deps: Deps, client: WebClient, meeting: Meeting) -> str:
    """Post (or bring up to date) the meeting's card in the group channel; say what happened."""
    channel = deps.settings.group_channel
    if not channel:
        return "GROUP_CHANNEL is not set, so there is no group channel to announce in. Ask the operator to set it."
    if meeting.is_cancelled:
        return f"Meeting #{meeting.id} is cancelled; there is nothing to announce."
    if meeting.ends_at <= deps.clock():
        return f"Meeting #{meeting.id} has already taken place; there is nothing to announce."
    if meeting.card_ts and meeting.card_channel:
        refresh_card(deps, client, meeting.id or 0)
        title = blocks.escape(meeting.title)
        return f"*{title}* was announced already in <#{meeting.card_channel}>; its card is up to date."
    with deps.sessions() as session:
        counts = store.counts(session=session, meeting_id=meeting.id or 0)
    posted = client.chat_postMessage(channel=channel, unfurl_links=False, **views.card(meeting, counts))
    with deps.sessions() as session:
        store.set_card(session=session, meeting_id=meeting.id or 0, channel=posted["channel"], ts=posted["ts"])
    title = blocks.escape(meeting.title)
    return f":mega: Announced *{title}* in <#{channel}>. Its card updates itself as people register."
