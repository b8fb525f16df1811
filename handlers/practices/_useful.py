"""The Useful button: a member marks a practice useful, and the count shows on its card."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.deps import Deps
from bot.views import blocks
from handlers.home import answer_press
from handlers.practices._common import pressed_practice
from handlers.practices._sharing import publish
from store import practices as store
from store.models import PracticeStatus


def useful_pressed(deps: Deps) -> Any:
    """The Useful button: mark or unmark, and show the new count on the card."""

    def mark(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
        practice = pressed_practice(deps, body)
        if practice is None or practice.status != PracticeStatus.PUBLISHED:
            answer_press(deps, body, client, respond, "That practice is not published (any more).")
            return
        with deps.sessions() as session:
            marked, count = store.mark_useful(
                session=session, practice_id=practice.id or 0, slack_id=body["user"]["id"], now=deps.clock()
            )
        publish(deps, client, practice.id or 0)
        on_card = (body.get("container") or {}).get("message_ts") == practice.card_ts and practice.card_ts
        if on_card:
            return  # the count on the card is the answer
        title = blocks.escape(practice.title)
        text = (
            f":bulb: You marked *{title}* useful ({count} so far)."
            if marked
            else f"You took back your useful-mark on *{title}* ({count} now)."
        )
        answer_press(deps, body, client, respond, text)

    return mark
