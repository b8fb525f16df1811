"""Deleting and moderating: delete after a confirmation, the queue, approve, reject with a reason."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.views import blocks, forms
from bot.views import practices as views
from handlers.errors import after_ack, error_view
from handlers.home import answer_press, publish_home
from handlers.practices._common import (
    changeable_named,
    changeable_pressed,
    direct_message,
    practice_id_in,
    pressed_practice,
)
from handlers.practices._sharing import publish, remove_card
from handlers.routing import Call, organiser_submission, pressed_value, view_metadata
from store import practices as store
from store.models import Practice, PracticeStatus

REJECT_CALLBACK = "practice_reject_reason"
REASON_LIMIT = 1000


# Deleting -------------------------------------------------------------------------------------


def _ask_to_delete(practice: Practice) -> tuple[str, list[blocks.Block]]:
    title = blocks.escape(practice.title)
    text = (
        f"Delete *{title}* (#{practice.id})? Its card leaves the group channel and its useful-marks go with it. "
        "This can't be undone."
    )
    confirm = blocks.button("Delete it", views.DELETE_CONFIRM, str(practice.id), style="danger")
    confirm["confirm"] = {
        "title": {"type": "plain_text", "text": "Delete this practice?"},
        "text": {"type": "plain_text", "text": blocks.clip(f"“{practice.title}” will be deleted for everyone.", 300)},
        "confirm": {"type": "plain_text", "text": "Delete"},
        "deny": {"type": "plain_text", "text": "Keep it"},
        "style": "danger",
    }
    keep_it = blocks.button("Keep it", views.DELETE_KEEP, str(practice.id))
    return f"Delete {title}?", [blocks.section(text), blocks.actions(confirm, keep_it, block_id="practice-delete")]


def delete(call: Call) -> None:
    """Ask the author (or an organiser) to confirm deleting a practice."""
    practice = changeable_named(call, usage="delete <number>")
    if practice is None:
        return
    call.reply(*_ask_to_delete(practice))


def delete_pressed(deps: Deps) -> Any:
    """The Delete button: ask for confirmation first."""

    def ask(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
        practice = changeable_pressed(deps, body, client, respond)
        if practice is None:
            return
        text, question = _ask_to_delete(practice)
        if body.get("response_url"):
            respond(response_type="ephemeral", replace_original=False, **blocks.message(text, question))
        else:
            client.chat_postMessage(channel=body["user"]["id"], **blocks.message(text, question))

    return ask


def confirm_delete(deps: Deps) -> Any:
    """Delete the practice and its card, once confirmed."""

    def delete_it(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
        practice = changeable_pressed(deps, body, client, respond)
        if practice is None:
            return
        with deps.sessions() as session:
            gone = store.delete_practice(session=session, practice_id=practice.id or 0)
        if gone is not None:
            remove_card(client, gone)
        text = f":wastebasket: Deleted *{blocks.escape(practice.title)}* (#{practice.id})."
        if body.get("response_url"):
            respond(replace_original=True, **blocks.notice(text))
        else:
            answer_press(deps, body, client, respond, text)

    return delete_it


def keep(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
    """Keep the practice: the question goes away, nothing changes."""
    if body.get("response_url"):
        respond(delete_original=True)


# Moderation -----------------------------------------------------------------------------------


def queue(call: Call) -> None:
    """The practices waiting for approval, oldest first, with Approve and Reject."""
    with call.deps.sessions() as session:
        waiting = store.pending(session=session, limit=20)
        count = store.pending_count(session=session)
    if not waiting:
        state = "on" if call.deps.settings.moderation else "off (PRACTICE_MODERATION), so practices are posted at once"
        call.reply(f"No practice is waiting for approval. Moderation is {state}.")
        return
    heading = f"{count} practice{'s' if count != 1 else ''} waiting for approval, oldest first"
    body: list[blocks.Block] = [blocks.section(f"*{heading}*")]
    for practice in waiting:
        body += views.queue_entry(practice)
    call.reply(heading, body)


def _answer_moderator(deps: Deps, body: dict[str, Any], client: WebClient, respond: Any, text: str) -> None:
    """Answer the organiser where they pressed: replace the queue entry in a message, or refresh App Home."""
    if body.get("response_url"):
        respond(replace_original=False, response_type="ephemeral", **blocks.notice(text))
    else:
        answer_press(deps, body, client, respond, text)


def approve_pressed(deps: Deps) -> Any:
    """Approve: publish the practice, post its card, tell its author."""

    def approve(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
        number = practice_id_in(pressed_value(body))
        moderator = body["user"]["id"]
        with deps.sessions() as session:
            practice = (
                store.moderate(session=session, practice_id=number, approve=True, moderator=moderator, now=deps.clock())
                if number is not None
                else None
            )
        if practice is None:
            _answer_moderator(deps, body, client, respond, "That practice was already decided, or is gone.")
            return
        posted = publish(deps, client, practice.id or 0)
        title = blocks.escape(practice.title)
        where = f" and posted in <#{deps.settings.group_channel}>" if posted and deps.settings.group_channel else ""
        direct_message(
            client,
            practice.author,
            f":tada: Your practice *{title}* (#{practice.id}) was approved{where}. Thank you for sharing it!",
        )
        _answer_moderator(
            deps, body, client, respond, f":white_check_mark: Approved *{title}* (#{practice.id}){where}."
        )

    return approve


def reject_pressed(deps: Deps) -> Any:
    """Reject…: ask the organiser for the reason the author will read."""

    def ask_reason(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
        practice = pressed_practice(deps, body)
        if practice is None or practice.status != PracticeStatus.PENDING:
            _answer_moderator(deps, body, client, respond, "That practice was already decided, or is gone.")
            return
        from_home = (body.get("view") or {}).get("type") == "home"
        modal = {
            "type": "modal",
            "callback_id": REJECT_CALLBACK,
            "private_metadata": json.dumps({"practice_id": practice.id, "home": from_home}),
            "title": {"type": "plain_text", "text": "Reject practice"},
            "submit": {"type": "plain_text", "text": "Reject"},
            "close": {"type": "plain_text", "text": "Cancel"},
            "blocks": [
                blocks.section(f"{views.title_line(practice)}\n{views.facts(practice)}"),
                {
                    "type": "input",
                    "block_id": "reason",
                    "label": {"type": "plain_text", "text": "Why? The author reads this."},
                    "element": {
                        "type": "plain_text_input",
                        "action_id": "value",
                        "multiline": True,
                        "max_length": REASON_LIMIT,
                    },
                },
            ],
        }
        client.views_open(trigger_id=body["trigger_id"], view=modal)

    return ask_reason


def save_rejection(app: App, deps: Deps) -> Any:
    """The reason's submission: reject, and tell the author why in a direct message."""

    def submitted(ack: Any, body: dict[str, Any], client: WebClient, context: Any) -> None:
        if not organiser_submission(deps, body, ack):
            return
        moderator = body["user"]["id"]
        view = body["view"]
        meta = view_metadata(view)
        reason = forms.submitted_values(view.get("state") or {}).get("reason", "")
        if not reason:
            ack(response_action="errors", errors={"reason": "Say why, so the author can improve it."})
            return
        if len(reason) > REASON_LIMIT:
            ack(response_action="errors", errors={"reason": f"At most {REASON_LIMIT:,} characters, please."})
            return
        with deps.sessions() as session:
            practice = store.moderate(
                session=session,
                practice_id=practice_id_in(meta.get("practice_id")) or 0,
                approve=False,
                moderator=moderator,
                now=deps.clock(),
                reason=reason,
            )
        if practice is None:
            ack(response_action="update", view=error_view("That practice was already decided, or is gone."))
            return
        title = blocks.escape(practice.title)
        done = f":no_entry_sign: Rejected *{title}* (#{practice.id}); I told the author why."
        ack(response_action="update", view={**error_view(done), "title": {"type": "plain_text", "text": "Rejected"}})

        def tell(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
            assert practice is not None
            direct_message(
                client,
                practice.author,
                f"Your practice *{title}* (#{practice.id}) was not published. The organiser's reason:\n"
                f">{blocks.escape(reason).replace(chr(10), chr(10) + '>')}\n"
                f"You can change it with `/practice edit {practice.id}` and it goes back for approval.",
            )
            if meta.get("home"):
                publish_home(client, deps, moderator, notice=done)

        after_ack(app, tell, body=body, client=client, respond=None, context=context)

    return submitted
