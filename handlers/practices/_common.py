"""What the practice listeners share: reading a practice's number, and saying privately why it cannot be had."""

from __future__ import annotations

from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.language.i18n import _
from bot.services import practices as service
from bot.views import practices as views
from handlers.home import answer_press
from handlers.routing import Call, meeting_number, pressed_value


def practice_id_in(value: Any) -> int | None:
    """A practice number from a button's value or a form's metadata, or None for anything else."""
    text = str(value or "")
    return int(text) if text.isdecimal() and len(text) <= 9 else None


def pressed_id(body: dict[str, Any]) -> int | None:
    """The number of the practice a button names."""
    return practice_id_in(pressed_value(body))


def seen_named(call: Call, *, usage: str) -> service.Seen | None:
    """The practice whose number the command names, if the person may see it; else say why, privately."""
    number = meeting_number(call.args)
    if number is None:
        example = usage.replace("<number>", "12")
        call.reply(_("Which practice? Give its number, e.g. `/practice {example}`.", example=example))
        return None
    seen = service.look_up(call.deps, practice_id=number, user_id=call.user_id)
    if seen is None or not seen.visible:
        call.reply(
            _(
                "There is no practice #{number}. `/practice list` shows the practices, with their numbers.",
                number=number,
            )
        )
        return None
    return seen


def changeable_named(call: Call, *, usage: str) -> service.Seen | None:
    """The practice the command names, if the person may change it; else say why, privately."""
    seen = seen_named(call, usage=usage)
    if seen is not None and not seen.may_change:
        call.reply(_(views.CHANGE_REFUSAL))
        return None
    return seen


def changeable_pressed(deps: Deps, body: dict[str, Any], client: WebClient, respond: Respond) -> service.Seen | None:
    """The practice a button names, if the presser may change it; else say why, privately, and return None."""
    seen = service.look_up(deps, practice_id=pressed_id(body), user_id=body["user"]["id"])
    if seen is None:
        answer_press(deps, body, client, respond, _(views.GONE))
        return None
    if not seen.may_change:
        answer_press(deps, body, client, respond, _(views.CHANGE_REFUSAL))
        return None
    return seen
