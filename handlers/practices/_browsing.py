"""Finding practices: the list with its pages, one's own, search, and one practice in full."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.language.i18n import N_, _
from bot.services import practices as service
from bot.views import blocks
from bot.views import practices as views
from handlers.errors import tell_privately
from handlers.home import answer_press
from handlers.practices._common import pressed_id, seen_named
from handlers.routing import Call, pressed_value
from handlers.views_open import open_modal

OUT_OF_DATE = N_("That page is out of date; `/practice list` starts again.")


def _page(deps: Deps, filters: dict[str, str], offset: int) -> tuple[str, list[blocks.Block]]:
    listing = service.list_page(deps, filters=filters, offset=offset)
    return views.page_message(listing.page, listing.useful, listing.filters)


def list_practices(call: Call) -> None:
    """The newest practices, or those of a kind, topic or country; paged."""
    wanted = service.read_filter(call.deps.settings, call.args)
    if not wanted.understood:
        call.reply(views.filter_problem(call.args, wanted.could_mean, call.deps.settings))
        return
    call.reply(*_page(call.deps, wanted.filters, 0))


def mine(call: Call) -> None:
    """The practices the person shared, whatever their status."""
    call.reply(*_page(call.deps, {"author": call.user_id}, 0))


def page_pressed(deps: Deps) -> Callable[..., None]:
    """The Newer and Older buttons: the list, one page on."""

    def turn(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
        try:
            value = json.loads(pressed_value(body))
            offset = max(int(value.pop("offset", 0)), 0)
            filters = {k: str(v) for k, v in value.items() if k in service.FILTER_KEYS}
        except (ValueError, TypeError, AttributeError):
            answer_press(deps, body, client, respond, _(OUT_OF_DATE))
            return
        if "author" in filters:
            filters["author"] = body["user"]["id"]  # one's own list only
        text, page = _page(deps, filters, offset)
        if body.get("response_url"):
            respond(replace_original=True, **blocks.message(text, page))
        else:
            tell_privately(client, body, text, blocks_=page)

    return turn


def search(call: Call) -> None:
    """Ranked full-text search over published practices, with the passage that matched."""
    found = service.search(call.deps, query=call.args)
    call.reply(*views.search_message(found.result, found.useful, query=call.args))


def show_one(call: Call) -> None:
    """One practice in full."""
    seen = seen_named(call, usage="<number>")
    if seen is None:
        return
    call.reply(
        blocks.escape(seen.practice.title),
        views.details(seen.practice, seen.useful, can_change=seen.may_change, marked=seen.marked),
    )


def details_pressed(deps: Deps) -> Callable[..., None]:
    """The Details button (in the moderation queue): the practice in full, in a modal."""

    def show(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
        seen = service.look_up(deps, practice_id=pressed_id(body), user_id=body["user"]["id"])
        if seen is None or not seen.visible:
            answer_press(deps, body, client, respond, _(views.GONE))
            return
        open_modal(client, body["trigger_id"], views.details_modal(seen.practice, seen.useful))

    return show
