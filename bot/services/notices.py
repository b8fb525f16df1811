"""Direct messages the bot owes someone because something changed: one way to send them."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.views import blocks

logger = logging.getLogger(__name__)


def direct_message(client: WebClient, slack_id: str, text: str, body: list[blocks.Block] | None = None) -> bool:
    """Send someone a direct message (`text`, as blocks `body` or one section); False when Slack refuses it.

    A refusal (the person left, the bot may not write to them) is logged, not raised: the change
    that caused the message stands.
    """
    try:
        client.chat_postMessage(channel=slack_id, **blocks.message(text, body or [blocks.section(text)]))
    except SlackApiError as error:
        logger.warning("could not send %s a direct message: %s", slack_id, error.response.get("error"))
        return False
    return True
