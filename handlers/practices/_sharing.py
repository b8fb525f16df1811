"""Sharing a practice: the form, the message shortcut, editing, the submission, and the card in the channel."""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.views import blocks, forms
from bot.views import practice_form as form
from bot.views import practices as views
from handlers.errors import after_ack, error_view
from handlers.practices._common import (
    CHANGE_REFUSAL,
    can_change,
    changeable_named,
    changeable_pressed,
    load,
    practice_id_in,
    tell_organisers,
)
from handlers.routing import Call, view_metadata
from store import practices as store
from store.models import Practice, PracticeStatus

logger = logging.getLogger(__name__)

SHORTCUT = "share_as_practice"


# Sharing and editing: the form -----------------------------------------------------------------


def share(call: Call) -> None:
    """Open the share-a-practice form."""
    _open_form(call.deps, call.client, call.trigger_id, {}, practice_id=None, reply_to=call.channel_id)


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
    client.views_open(trigger_id=trigger_id, view=view)


def open_share_form(deps: Deps) -> Any:
    """The App Home button that opens the form."""

    def open_it(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
        _open_form(deps, client, body["trigger_id"], {}, practice_id=None)

    return open_it


def share_message(app: App, deps: Deps) -> Any:
    """The message shortcut "Share as practice": the form, filled from the message."""

    def shortcut(ack: Any, body: dict[str, Any], client: WebClient, context: Any) -> None:
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
    practice = changeable_named(call, usage="edit <number>")
    if practice is None:
        return
    initial = form.initial_values(store.PracticeDraft.of(practice))
    _open_form(call.deps, call.client, call.trigger_id, initial, practice_id=practice.id, reply_to=call.channel_id)


def open_edit_form(deps: Deps) -> Any:
    """The Edit button."""

    def open_it(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
        practice = changeable_pressed(deps, body, client, respond)
        if practice is None:
            return
        initial = form.initial_values(store.PracticeDraft.of(practice))
        _open_form(deps, client, body["trigger_id"], initial, practice_id=practice.id)

    return open_it


def save_form(app: App, deps: Deps) -> Any:
    """The form's submission: checked field by field, saved, then posted or queued for approval."""

    def submitted(ack: Any, body: dict[str, Any], client: WebClient, context: Any) -> None:
        user_id = body["user"]["id"]
        view = body["view"]
        practice_id = practice_id_in(view_metadata(view).get("practice_id"))
        old = None
        if practice_id:
            old = load(deps, practice_id)
            if old is None:
                ack(response_action="update", view=error_view("That practice no longer exists, so nothing was saved."))
                return
            if not can_change(deps, old, user_id):
                ack(response_action="update", view=error_view(CHANGE_REFUSAL))
                return
        try:
            draft = form.parse_form(forms.submitted_values(view.get("state") or {}), deps.settings)
        except forms.FormErrors as error:
            ack(response_action="errors", errors=error.errors)
            return
        now = deps.clock()
        with deps.sessions() as session:
            if old is not None:
                practice = store.update_practice(
                    session=session,
                    practice_id=old.id or 0,
                    draft=draft,
                    now=now,
                    moderated=deps.settings.moderation and not deps.people.is_organiser(user_id),
                )
            else:
                practice = store.create_practice(
                    session=session,
                    draft=draft,
                    author=user_id,
                    now=now,
                    moderated=deps.settings.moderation and not deps.people.is_organiser(user_id),
                )
        if practice is None:
            ack(response_action="update", view=error_view("That practice no longer exists, so nothing was saved."))
            return
        ack(response_action="update", view=saved_view(deps, practice, edited=old is not None))

        def follow_up(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
            assert practice is not None
            if practice.status == PracticeStatus.PUBLISHED:
                publish(deps, client, practice.id or 0)
            elif practice.status == PracticeStatus.PENDING and (old is None or old.status != PracticeStatus.PENDING):
                tell_organisers(deps, client, practice)

        after_ack(app, follow_up, body=body, client=client, respond=None, context=context)

    return submitted


def saved_view(deps: Deps, practice: Practice, *, edited: bool) -> dict[str, Any]:
    """The modal shown once a practice is saved: what happens next."""
    title = f"*{blocks.escape(practice.title)}* (#{practice.id})"
    channel = deps.settings.group_channel
    if practice.status == PracticeStatus.PENDING:
        text = (
            f":hourglass_flowing_sand: Thank you! {title} waits for an organiser's approval; "
            "I'll tell you in a direct message when it is posted."
        )
    elif edited:
        text = f":white_check_mark: Changes saved: {title}." + (
            " Its card in the channel is updated." if practice.card_ts else ""
        )
    elif channel:
        text = f":white_check_mark: Thank you! {title} is shared in <#{channel}>; people discuss it in its thread."
    else:
        text = f":white_check_mark: Thank you! {title} is saved; `/practice {practice.id}` shows it."
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Practice saved" if edited else "Practice shared"},
        "close": {"type": "plain_text", "text": "Done"},
        "blocks": [blocks.section(text), *views.entry(practice, 0)[:1]],
    }


# The card in the group channel ------------------------------------------------------------------

_card_locks: defaultdict[int, threading.Lock] = defaultdict(threading.Lock)


def publish(deps: Deps, client: WebClient, practice_id: int) -> bool:
    """Post the practice's card to the group channel, or bring the card up to date; whether it is there now.

    The row is written before anything is posted; a card that could not be posted is posted
    at the practice's next change.
    """
    channel = deps.settings.group_channel
    with _card_locks[practice_id]:
        with deps.sessions() as session:
            practice = store.get_practice(session=session, practice_id=practice_id)
            if practice is None or practice.status != PracticeStatus.PUBLISHED:
                return False
            useful = store.useful_count(session=session, practice_id=practice_id)
        payload = views.card(practice, useful)
        try:
            if practice.card_channel and practice.card_ts:
                client.chat_update(channel=practice.card_channel, ts=practice.card_ts, **payload)
                return True
            if not channel:
                return False
            posted = client.chat_postMessage(channel=channel, unfurl_links=False, unfurl_media=False, **payload)
        except SlackApiError as error:
            logger.warning("could not post the card of practice %s: %s", practice_id, error.response.get("error"))
            return False
        with deps.sessions() as session:
            store.set_card(session=session, practice_id=practice_id, channel=posted["channel"], ts=posted["ts"])
        return True


def remove_card(client: WebClient, practice: Practice) -> None:
    """Delete the practice's card from the channel (its thread stays, as Slack keeps it)."""
    if not practice.card_channel or not practice.card_ts:
        return
    try:
        client.chat_delete(channel=practice.card_channel, ts=practice.card_ts)
    except SlackApiError as error:
        logger.warning("could not delete the card of practice %s: %s", practice.id, error.response.get("error"))
