"""What is posted because a practice changed: its card in the group channel, and direct messages."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.services.notices import direct_message
from bot.views import practices as views
from store import locks
from store import people as people_store
from store import practices as store
from store.locks import LockSpace
from store.models import Practice, PracticeStatus

logger = logging.getLogger(__name__)


def tell_organisers(deps: Deps, client: WebClient, practice: Practice) -> None:
    """Tell each organiser that a practice waits for approval, with the buttons to decide."""
    with deps.sessions() as session:
        organisers = [person.slack_id for person in people_store.list_organisers(session=session)]
    text, body = views.waiting_for_organisers(practice)
    for slack_id in organisers:
        direct_message(client, slack_id, text, body)


# The card in the group channel ------------------------------------------------------------------


def publish(deps: Deps, client: WebClient, practice_id: int) -> bool:
    """Post the practice's card to the group channel, or bring the card up to date; whether it is there now.

    The row is written before anything is posted; a card that could not be posted is posted
    at the practice's next change. One refresh at a time per practice, in every process, so the
    last card sent carries the newest count.
    """
    channel = deps.settings.group_channel
    with deps.sessions() as session, locks.holding(session=session, space=LockSpace.PRACTICE_CARD, item_id=practice_id):
        practice = store.get_practice(session=session, practice_id=practice_id)
        if practice is None or practice.status != PracticeStatus.PUBLISHED:
            return False
        useful = store.useful_count(session=session, practice_id=practice_id)
        payload = views.card(practice, useful)
        try:
            if practice.card_channel and practice.card_ts:
                client.chat_update(channel=practice.card_channel, ts=practice.card_ts, **payload)
                return True
            if not channel:
                return False
            posted = client.chat_postMessage(channel=channel, unfurl_links=False, unfurl_media=False, **payload)
        except SlackApiError as error:
            logger.warning("could not post the card of practice %s: %s", practice_id, error.response.get("error"))
            return False
        store.set_card(session=session, practice_id=practice_id, channel=posted["channel"], ts=posted["ts"])
        return True


def remove_card(client: WebClient, practice: Practice) -> None:
    """Delete the practice's card from the channel (its thread stays, as Slack keeps it)."""
    if not practice.card_channel or not practice.card_ts:
        return
    try:
        client.chat_delete(channel=practice.card_channel, ts=practice.card_ts)
    except SlackApiError as error:
        logger.warning("could not delete the card of practice %s: %s", practice.id, error.response.get("error"))
