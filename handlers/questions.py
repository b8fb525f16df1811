"""Questions in plain words: mentions of the bot in a channel and direct messages to it."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.deps import Deps
from handlers import blocks
from handlers.errors import ack_then


def register(app: App, deps: Deps) -> None:
    """Register the app_mention and direct-message listeners."""
    deps.registry.add_event("app_mention")
    deps.registry.add_event("message.im")

    def answer(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
        event = body["event"]
        if event.get("subtype") or event.get("bot_id"):
            return
        reply = introduction(deps, event.get("user", ""))
        thread_ts = event.get("thread_ts") or (event["ts"] if event.get("channel_type") != "im" else None)
        client.chat_postMessage(channel=event["channel"], thread_ts=thread_ts, **reply)

    app.event("app_mention")(ack_then(app, answer))
    app.event({"type": "message", "channel_type": "im"})(ack_then(app, answer))


def introduction(deps: Deps, user_id: str) -> dict[str, Any]:
    """What the bot says it can do, to someone who asked something."""
    name = deps.settings.group_name
    text = (
        f"Hi <@{user_id}>! I'm the {blocks.escape(name)} bot. "
        "Here is what I can help with:\n"
        "• `/meetings`: the group's meetings\n"
        "• `/practice`: share a practice, or find the group's practices\n"
        "• `/tci help`: everything else, and who the organisers are"
    )
    return blocks.notice(text)
