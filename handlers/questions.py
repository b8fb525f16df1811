"""Questions in plain words: mentions of the bot in a channel and direct messages to it.

A question is answered by bot.services.questions from the store only (meetings, the asker's
registrations, the organisers' FAQ), and the answer goes to the thread of the mention, or to the
direct message, through the outbox: written before the event is acknowledged, posted exactly once.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.deps import Deps
from bot.services.questions import answered, owe_answer, reply_to

# The events whose re-delivery is recognised by the row they write (an answer keyed by the event id,
# a welcome keyed by the person), not by the record of events handled: that record would be written
# before the row, and a crash between the two would lose what Slack's re-delivery could still have given.
KEPT_BY_THEIR_ANSWER = frozenset({"app_mention", "message", "member_joined_channel"})


def register(app: App, deps: Deps) -> None:
    """Register the app_mention and direct-message listeners."""
    deps.registry.add_event("app_mention")
    deps.registry.add_event("message.im")

    def answer_question(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        """Answer before acknowledging: the 200 means the answer is written and will be posted once."""
        event = body["event"]
        event_id = str(body.get("event_id") or "")
        if event.get("subtype") or event.get("bot_id") or not event.get("user") or answered(deps, event_id):
            ack()
            return
        person = deps.people.resolve(client, event["user"])
        payload = reply_to(event.get("text") or "", deps=deps, person=person, client=client)
        owe_answer(deps, channel=event["channel"], message=payload, thread_ts=reply_thread(event), event_id=event_id)
        ack()

    app.event("app_mention")(answer_question)
    app.event({"type": "message", "channel_type": "im"})(answer_question)


def reply_thread(event: dict[str, Any]) -> str | None:
    """Where the answer goes: a mention's thread; in a direct message, its thread only if it was in one."""
    if event.get("thread_ts"):
        return str(event["thread_ts"])
    if event.get("channel_type") == "im":
        return None
    return str(event["ts"])
