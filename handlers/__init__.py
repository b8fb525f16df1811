"""Slack listeners, one module per area; each exposes `register(app, deps)`."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from handlers import (
    actions,
    admin,
    announcements,
    dispatch,
    home,
    meetings,
    personal,
    practices,
    questions,
    scheduled,
    welcome,
)


def register_all(app: App, deps: Deps) -> None:
    """Register every area's listeners on `app`.

    Bolt tries the listeners in the order they were registered until one matches: the slash commands, one
    listener for all of them (`handlers.dispatch`), come first, then the questions and the welcome, which
    listen to events, then the buttons (one listener too) and the forms. The areas that add App Home sections
    keep their order, which is the order of those sections.
    """
    dispatch.keyed(app, "command")
    for area in (questions, welcome, admin, meetings, practices, actions, announcements, scheduled, personal, home):
        area.register(app, deps)
