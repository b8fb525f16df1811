"""Sharing a practice: the form, the message shortcut "Share as practice", editing, and the form's submission."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.language.i18n import _
from bot.services import practices as service
from bot.views import forms
from bot.views import practice_form as form
from bot.views import practices as views
from handlers.errors import error_view
from handlers.practices._common import changeable_named, changeable_pressed, practice_id_in
from handlers.routing import Call, view_metadata
from handlers.views_open import open_modal

logger = logging.getLogger(__name__)

SHORTCUT = "share_as_practice"


def _open_form(
    deps: Deps,
    client: WebClient,
    trigger_id: str,
    initial: dict[str, str],
    *,
    practice_id: int | None,
    reply_to: str = "",
) -> None:
    view = form.modal(initial, deps.settings, practice_id=practice_id, reply_to=reply_to)
    open_modal(client, trigger_id, view)


def share(call: Call) -> None:
    """Open the share-a-practice form."""
    _open_form(call.deps, call.client, call.trigger_id, {}, practice_id=None, reply_to=call.channel_id)


def open_share_form(deps: Deps) -> Callable[..., None]:
    """The App Home button that opens the form."""

    def open_it(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
        _open_form(deps, client, body["trigger_id"], {}, practice_id=None)

    return open_it


def share_message(app: App, deps: Deps) -> Callable[..., None]:
    """The message shortcut "Share as practice": the form, filled from the message."""

    def shortcut(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        ack()
        message = body.get("message") or {}
        initial = form.prefill_from_message(message.get("text") or "")
        if "link" not in initial and message.get("ts") and (body.get("channel") or {}).get("id"):
            try:
                found = client.chat_getPermalink(channel=body["channel"]["id"], message_ts=message["ts"])
                initial["link"] = str(found.get("permalink") or "")
            except SlackApiError:
                logger.info("no permalink for the shared message", exc_info=True)
        _open_form(deps, client, body["trigger_id"], initial, practice_id=None)

    shortcut.__name__ = SHORTCUT
    return shortcut


def edit(call: Call) -> None:
    """Open the form filled with the practice, for its author or an organiser."""
    seen = changeable_named(call, usage="edit <number>")
    if seen is None:
        return
    initial = form.values_of(seen.practice)
    _open_form(call.deps, call.client, call.trigger_id, initial, practice_id=seen.practice.id, reply_to=call.channel_id)


def open_edit_form(deps: Deps) -> Callable[..., None]:
    """The Edit button."""

    def open_it(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
        seen = changeable_pressed(deps, body, client, respond)
        if seen is None:
            return
        _open_form(deps, client, body["trigger_id"], form.values_of(seen.practice), practice_id=seen.practice.id)

    return open_it


def save_form(app: App, deps: Deps) -> Callable[..., None]:
    """The form's submission: checked field by field, saved, then posted or queued for approval."""

    def submitted(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        user_id = body["user"]["id"]
        view = body["view"]
        practice_id = practice_id_in(view_metadata(view).get("practice_id")) or None
        if practice_id is not None:
            # Whose practice it is comes before what is wrong with the form.
            seen = service.look_up(deps, practice_id=practice_id, user_id=user_id)
            if seen is None or not seen.may_change:
                refusal = _(views.CHANGE_REFUSAL) if seen else _(views.GONE_UNSAVED)
                ack(response_action="update", view=error_view(refusal))
                return
        try:
            draft = form.parse_form(forms.submitted_values(view.get("state") or {}), deps.settings)
        except forms.FormErrors as error:
            ack(response_action="errors", errors=error.errors)
            return
        saved = service.save(deps, user_id=user_id, draft=draft, practice_id=practice_id)
        if saved.practice is None:
            refused = saved.outcome == service.Outcome.REFUSED
            refusal = _(views.CHANGE_REFUSAL) if refused else _(views.GONE_UNSAVED)
            ack(response_action="update", view=error_view(refusal))
            return
        channel = deps.settings.group_channel
        ack(response_action="update", view=views.saved_view(saved.practice, edited=saved.edited, channel=channel))

    return submitted
