"""/meetings: the group's meetings."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from handlers.routing import CommandRouter


def register(app: App, deps: Deps) -> None:
    """Register /meetings."""
    router = CommandRouter(
        name="/meetings",
        description="Upcoming meetings: details, registration, calendar",
        intro="the group's meetings: when and where they are, registering, and adding them to your calendar.",
    )
    router.register(app, deps)
