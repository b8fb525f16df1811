"""Someone joined the group channel: their welcome, by direct message, once."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.deps import Deps
from bot.services import welcome as service


def register(app: App, deps: Deps) -> None:
    """Register the member_joined_channel listener and the welcome's renderer."""
    deps.registry.add_event("member_joined_channel")
    service.register_renderers(deps)

    def joined(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        """Owe the welcome before acknowledging: the 200 means it is written and will be sent once."""
        event = body.get("event") or {}
        user = str(event.get("user") or "")
        if event.get("channel") == deps.settings.group_channel and user and user != context.bot_user_id:
            service.welcome(deps, slack_id=user)
        ack()

    app.event("member_joined_channel")(joined)
