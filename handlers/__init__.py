"""Slack listeners, one module per area; each exposes `register(app, deps)`."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from handlers import (
    actions,
    admin,
    announcements,
    home,
    meetings,
    personal,
    practices,
    questions,
    scheduled,
    welcome,
)


def register_all(app: App, deps: Deps) -> None:
    """Register every area's listeners on `app`."""
    for area in (admin, meetings, practices, actions, announcements, questions, scheduled, welcome, personal, home):
        area.register(app, deps)
