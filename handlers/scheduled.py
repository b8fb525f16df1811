"""What the sender delivers: the scheduler's posts and what changes owe.

The scheduler's own posts (reminders, "starting now", the digest, the call for practices) and
the rows a change writes (cards, direct messages, answers). Nobody presses anything here:
registering this area gives the sender a renderer for each kind of post (see bot.posts).
"""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from bot.services import digest, meetings, outbox, practices, reminders


def register(app: App, deps: Deps) -> None:
    """Register the renderers of every kind of post."""
    reminders.register_renderers(deps)
    digest.register_renderers(deps)
    outbox.register_renderers(deps)
    meetings.register_card_renderers(deps)
    meetings.register_offer_renderers(deps)
    practices.register_card_renderers(deps)
