"""Questions in plain words: mentions of the bot in a channel and direct messages to it.

A question is written to the outbox before the event is acknowledged; the sender then has it answered
by bot.services.questions from the store only (meetings, the asker's registrations, the organisers'
FAQ) and posts the answer, once, in the thread of the mention or in the direct message.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.deps import Deps
from bot.services.questions import answer_renderer, owe_answer
from store.models import PostKind

# The events whose re-delivery is recognised by the row they write (an answer keyed by the event id,
# a welcome keyed by the person), not by the record of events handled: that record would be written
# before the row, and a crash between the two would lose what Slack's re-delivery could still have given.
KEPT_BY_THEIR_ANSWER = frozenset({"app_mention", "message", "member_joined_channel"})


def register(app: App, deps: Deps) -> None:
    """Register the app_mention and direct-message listeners."""
    deps.registry.add_event("app_mention")
    deps.registry.add_event("message.im")

    def answer_question(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        """Write the question before acknowledging: the 200 means it will be answered, in its thread, once."""
        event = body["event"]
        if not (event.get("subtype") or event.get("bot_id") or not event.get("user")):
            owe_answer(
                deps,
                channel=event["channel"],
                text=event.get("text") or "",
                asker=event["user"],
                thread_ts=reply_thread(event),
                event_id=str(body.get("event_id") or ""),
            )
        ack()

    deps.renderers.add(PostKind.QUESTION, answer_renderer(deps, app.client), timely=False)
    app.event("app_mention")(answer_question)
    app.event({"type": "message", "channel_type": "im"})(answer_question)


def reply_thread(event: dict[str, Any]) -> str | None:
    """Where the answer goes: a mention's thread; in a direct message, its thread only if it was in one."""
    if event.get("thread_ts"):
        return str(event["thread_ts"])
    if event.get("channel_type") == "im":
        return None
    return str(event["ts"])
