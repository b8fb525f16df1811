"""What every practice listener shares: who may see and change a practice, and finding the one named."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.views import blocks
from bot.views import practices as views
from handlers.home import answer_press
from handlers.routing import Call, meeting_number, pressed_value
from store import practices as store
from store.models import Practice, PracticeStatus
from store.people import list_organisers

logger = logging.getLogger(__name__)


# Who may see and change what -----------------------------------------------------------------


def can_change(deps: Deps, practice: Practice, user_id: str) -> bool:
    """Whether `user_id` may edit or delete the practice: its author or an organiser."""
    return practice.author == user_id or deps.people.is_organiser(user_id)


def can_see(deps: Deps, practice: Practice, user_id: str) -> bool:
    """Published practices are for everyone; the others for their author and the organisers."""
    return practice.status == PracticeStatus.PUBLISHED or can_change(deps, practice, user_id)


CHANGE_REFUSAL = (
    ":lock: Only the person who shared a practice, or an organiser, can change or delete it, so nothing was changed."
)


def load(deps: Deps, practice_id: int) -> Practice | None:
    with deps.sessions() as session:
        return store.get_practice(session=session, practice_id=practice_id)


def practice_named(call: Call, *, usage: str) -> Practice | None:
    """The practice whose number the command names, if the person may see it; else say why, privately."""
    number = meeting_number(call.args)
    if number is None:
        call.reply(f"Which practice? Give its number, e.g. `/practice {usage.replace('<number>', '12')}`.")
        return None
    practice = load(call.deps, number)
    if practice is None or not can_see(call.deps, practice, call.user_id):
        call.reply(f"There is no practice #{number}. `/practice list` shows the practices, with their numbers.")
        return None
    return practice


def changeable_named(call: Call, *, usage: str) -> Practice | None:
    """The practice the command names, if the person may change it; else say why, privately."""
    practice = practice_named(call, usage=usage)
    if practice is not None and not can_change(call.deps, practice, call.user_id):
        call.reply(CHANGE_REFUSAL)
        return None
    return practice


def pressed_practice(deps: Deps, body: dict[str, Any]) -> Practice | None:
    """The practice a button names."""
    number = practice_id_in(pressed_value(body))
    return load(deps, number) if number is not None else None


def practice_id_in(value: Any) -> int | None:
    """A practice number from a button's value or a form's metadata, or None for anything else."""
    text = str(value or "")
    return int(text) if text.isdecimal() and len(text) <= 9 else None


def changeable_pressed(deps: Deps, body: dict[str, Any], client: WebClient, respond: Any) -> Practice | None:
    """The practice a button names, if the presser may change it; else say why, privately, and return None."""
    practice = pressed_practice(deps, body)
    if practice is None:
        answer_press(deps, body, client, respond, "That practice no longer exists.")
        return None
    if not can_change(deps, practice, body["user"]["id"]):
        answer_press(deps, body, client, respond, CHANGE_REFUSAL)
        return None
    return practice


def useful_of(deps: Deps, practice_ids: list[int]) -> dict[int, int]:
    with deps.sessions() as session:
        return store.useful_counts(session=session, practice_ids=practice_ids)


def tell_organisers(deps: Deps, client: WebClient, practice: Practice) -> None:
    """Tell each organiser that a practice waits for approval, with the buttons to decide."""
    with deps.sessions() as session:
        organisers = [person.slack_id for person in list_organisers(session=session)]
    text = f":inbox_tray: A new practice waits for approval: *{blocks.escape(practice.title)}* (#{practice.id})."
    for slack_id in organisers:
        try:
            client.chat_postMessage(
                channel=slack_id, **blocks.message(text, [blocks.section(text), *views.queue_entry(practice)])
            )
        except SlackApiError as error:
            logger.warning("could not tell organiser %s: %s", slack_id, error.response.get("error"))


def direct_message(client: WebClient, slack_id: str, text: str) -> None:
    try:
        client.chat_postMessage(channel=slack_id, **blocks.notice(text))
    except SlackApiError as error:
        logger.warning("could not send %s a direct message: %s", slack_id, error.response.get("error"))
