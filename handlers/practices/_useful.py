"""The Useful button: a member marks a practice useful, and the count shows on its card."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.language.i18n import _
from bot.services import practices as service
from bot.views import practices as views
from handlers.buttons import WritingWork
from handlers.home import answer_press
from handlers.practices._common import pressed_id


def useful_pressed(deps: Deps) -> WritingWork:
    """The Useful button: mark or unmark before the press is acknowledged; the card shows the new count."""

    def mark(
        body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
    ) -> Callable[[], None] | None:
        marked = service.toggle_useful(deps, practice_id=pressed_id(body), user_id=body["user"]["id"])
        if marked is None:
            not_published = _(views.NOT_PUBLISHED)
            return lambda: answer_press(deps, body, client, respond, not_published)
        if marked.own:
            own = _("You shared this practice, so it takes no Useful mark from you; the marks of others count.")
            return lambda: answer_press(deps, body, client, respond, own)
        card_ts = marked.practice.card_ts
        if card_ts and (body.get("container") or {}).get("message_ts") == card_ts:
            return None  # the count on the card is the answer
        text = views.useful_answer(marked.practice, marked=marked.marked, count=marked.count)
        return lambda: answer_press(deps, body, client, respond, text)

    return mark
