"""/practice: share and find the group's practices."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from handlers.routing import CommandRouter


def register(app: App, deps: Deps) -> None:
    """Register /practice."""
    router = CommandRouter(
        name="/practice",
        description="Share a practice, or find the group's practices",
        intro="initiatives, good and bad practices, and the evidence behind them, shared among members.",
    )
    router.register(app, deps)
