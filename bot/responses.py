"""Answers posted to a request's response_url over connections kept open from one answer to the next.

Bolt's `respond` opens a connection for every answer and closes it once answered: over HTTPS a handshake
each time, and, here, urllib's chain of handlers built up and torn down around a 16 KB `/meetings` list.
`KeptRespond` takes the same arguments and posts the same message, through one pool of connections that
the whole process shares (urllib3's); a connection Slack has closed meanwhile is noticed and replaced.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import urllib3
from slack_bolt import BoltContext, Respond
from slack_bolt.context.respond.internals import _build_message
from slack_sdk import WebClient
from slack_sdk.models.attachments import Attachment
from slack_sdk.models.blocks import Block
from slack_sdk.webhook import WebhookResponse

# As slack_sdk's WebhookClient: 30 s for an answer, and one more try when the connection fails.
TIMEOUT_SECONDS = 30.0
# Connections kept to each host: one for each listener thread that may answer at once (bot.app's 16).
KEPT_PER_HOST = 16
HEADERS = {"Content-Type": "application/json;charset=utf-8"}


class ResponseUrls:
    """The process's kept-alive connections to response_urls, and how an answer is posted on them."""

    def __init__(self, *, kept_per_host: int = KEPT_PER_HOST, timeout: float = TIMEOUT_SECONDS) -> None:
        retries = urllib3.Retry(total=1, connect=1, read=1, status=0, redirect=0, other=0, allowed_methods=None)
        self._pool = urllib3.PoolManager(
            maxsize=kept_per_host, block=False, retries=retries, timeout=urllib3.Timeout(total=timeout)
        )

    def post(self, url: str, message: dict[str, Any]) -> WebhookResponse:
        """Post `message` as JSON to `url`; Slack's answer, whatever its status, as WebhookClient gives it."""
        answer = self._pool.request("POST", url, body=json.dumps(message).encode(), headers=HEADERS)
        return WebhookResponse(
            url=url,
            status_code=answer.status,
            body=answer.data.decode("utf-8", errors="replace"),
            headers=dict(answer.headers),
        )

    def connections_made(self, url: str) -> int:
        """How many connections have been opened so far to the host of `url`."""
        return int(self._pool.connection_from_url(url).num_connections)

    def close(self) -> None:
        """Close every connection kept."""
        self._pool.clear()


class KeptRespond(Respond):
    """Bolt's `respond`, posting through `ResponseUrls`."""

    def __init__(self, *, response_url: str, responses: ResponseUrls) -> None:
        super().__init__(response_url=response_url)
        self._responses = responses

    def __call__(
        self,
        text: str | dict[str, Any] = "",
        blocks: Sequence[dict[str, Any] | Block] | None = None,
        attachments: Sequence[dict[str, Any] | Attachment] | None = None,
        response_type: str | None = None,
        replace_original: bool | None = None,
        delete_original: bool | None = None,
        unfurl_links: bool | None = None,
        unfurl_media: bool | None = None,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> WebhookResponse:
        if isinstance(text, dict):
            message = _build_message(**text)
        else:
            message = _build_message(
                text=text,
                blocks=blocks,
                attachments=attachments,
                response_type=response_type,
                replace_original=replace_original,
                delete_original=delete_original,
                unfurl_links=unfurl_links,
                unfurl_media=unfurl_media,
                thread_ts=thread_ts,
                metadata=metadata,
            )
        return self._responses.post(str(self.response_url), message)


def keep_connections(context: BoltContext, client: WebClient, responses: ResponseUrls) -> None:
    """Make this request's `respond` post through `responses`; a client set to go through a proxy or with
    its own TLS settings keeps Bolt's, which honours them."""
    url = context.response_url
    if url and client.proxy is None and client.ssl is None:
        context["respond"] = KeptRespond(response_url=url, responses=responses)
