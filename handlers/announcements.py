"""/announce: organisers' announcements, now or later."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from handlers.routing import CommandRouter


def register(app: App, deps: Deps) -> None:
    """Register /announce."""
    router = CommandRouter(
        name="/announce",
        description="Post an announcement to the group, now or later (organisers)",
        intro="announcements to the group's channel, posted now or at a time you choose (organisers).",
    )
    router.register(app, deps)
