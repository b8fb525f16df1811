"""Finding an earlier attempt in Slack: the row's metadata on a message in the history or the thread's replies."""

from __future__ import annotations

import logging
from datetime import timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.posts import Message
from store.models import ScheduledPost

logger = logging.getLogger(__name__)

METADATA_EVENT = "tci_scheduled_post"
HISTORY_PAGES = 10  # pages of 200 messages searched for an earlier attempt
CLOCK_SKEW = timedelta(minutes=5)  # how far Slack's clock may be from ours when searching history


class History:
    """Looks for a row's message in Slack before the row is tried again."""

    def __init__(self, client: WebClient) -> None:
        self.client = client
        self._im_channels: dict[str, str] = {}

    def find_earlier(self, row: ScheduledPost, message: Message) -> tuple[str, str] | None:
        """The (channel, ts) of this row's message if an earlier attempt got it into Slack.

        A reply is looked for in its thread, anything else in the conversation's history.
        """
        channel = self.history_channel(row.channel)
        oldest = f"{(row.due_at - CLOCK_SKEW).timestamp():.6f}"
        thread = str(message.get("thread_ts") or "")
        cursor: str | None = None
        latest: str | None = None
        for _ in range(HISTORY_PAGES):
            try:
                if thread:
                    page = self.client.conversations_replies(
                        channel=channel, ts=thread, oldest=oldest, cursor=cursor, limit=200, include_all_metadata=True
                    )
                else:
                    page = self.client.conversations_history(
                        channel=channel, oldest=oldest, latest=latest, limit=200, include_all_metadata=True
                    )
            except SlackApiError as error:
                if error.response.status_code == 429 or error.response.status_code >= 500:
                    raise
                # Not in the channel, or no history scope: the row cannot be checked, so it is posted.
                logger.warning("cannot check %s's history for %s: %s", channel, row.key, error.response.get("error"))
                return None
            messages = page.get("messages") or []
            for found in messages:
                meta = found.get("metadata") or {}
                payload = meta.get("event_payload") or {}
                if meta.get("event_type") == METADATA_EVENT and payload.get("key") == row.key:
                    return channel, str(found.get("ts"))
            if not page.get("has_more") or not messages:
                return None
            latest = str(messages[-1].get("ts"))
            cursor = str((page.get("response_metadata") or {}).get("next_cursor") or "") or None
            if thread and cursor is None:
                return None
        return None

    def shows(self, row: ScheduledPost, channel: str, ts: str) -> bool:
        """Whether the message at `channel`/`ts` carries this row's update already (an earlier attempt's)."""
        try:
            page = self.client.conversations_history(
                channel=channel, oldest=ts, latest=ts, inclusive=True, limit=1, include_all_metadata=True
            )
        except SlackApiError as error:
            if error.response.status_code == 429 or error.response.status_code >= 500:
                raise
            logger.warning("cannot read %s's message for %s: %s", channel, row.key, error.response.get("error"))
            return False
        for found in page.get("messages") or []:
            meta = found.get("metadata") or {}
            if meta.get("event_type") == METADATA_EVENT and (meta.get("event_payload") or {}).get("key") == row.key:
                return True
        return False

    def history_channel(self, channel: str) -> str:
        """The conversation to read: a person's direct-message channel for a user ID."""
        if channel[:1] not in ("U", "W"):
            return channel
        if channel not in self._im_channels:
            opened = self.client.conversations_open(users=channel)
            self._im_channels[channel] = str((opened.get("channel") or {}).get("id") or channel)
        return self._im_channels[channel]
