"""Questions in plain words: mentions of the bot in a channel and direct messages to it.

A question is answered by bot.services.questions from the store only (meetings, the asker's
registrations, the organisers' FAQ), and the answer goes to the thread of the mention, or to the
direct message.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.services.questions import reply_to
from handlers.errors import ack_then


def register(app: App, deps: Deps) -> None:
    """Register the app_mention and direct-message listeners."""
    deps.registry.add_event("app_mention")
    deps.registry.add_event("message.im")

    def answer_question(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
        event = body["event"]
        if event.get("subtype") or event.get("bot_id") or not event.get("user"):
            return
        person = deps.people.resolve(client, event["user"])
        payload = reply_to(event.get("text") or "", deps=deps, person=person)
        client.chat_postMessage(
            channel=event["channel"], thread_ts=reply_thread(event), unfurl_links=False, unfurl_media=False, **payload
        )

    app.event("app_mention")(ack_then(app, answer_question))
    app.event({"type": "message", "channel_type": "im"})(ack_then(app, answer_question))


def reply_thread(event: dict[str, Any]) -> str | None:
    """Where the answer goes: a mention's thread; in a direct message, its thread only if it was in one."""
    if event.get("thread_ts"):
        return str(event["thread_ts"])
    if event.get("channel_type") == "im":
        return None
    return str(event["ts"])
