"""The scheduler's own posts about meetings and practices: reminders, "starting now", the digest, the call.

Nobody presses anything here: registering this area gives the sender a renderer for each of
these kinds of post (see bot.posts).
"""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from bot.services import digest, reminders


def register(app: App, deps: Deps) -> None:
    """Register the renderers of meeting reminders, the digest and the call for practices."""
    reminders.register_renderers(deps)
    digest.register_renderers(deps)
