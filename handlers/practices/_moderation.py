"""Deleting and moderating: delete after a confirmation, the queue, approve, and reject with a reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.language.i18n import _
from bot.services import practices as service
from bot.views import blocks, forms
from bot.views import practices as views
from handlers.buttons import WritingWork
from handlers.errors import after_ack, error_view, tell_privately
from handlers.home import answer_press, publish_home
from handlers.practices._common import changeable_named, changeable_pressed, practice_id_in, pressed_id
from handlers.routing import Call, organiser_submission, view_metadata
from handlers.views_open import open_modal

# Deleting -------------------------------------------------------------------------------------


def delete(call: Call) -> None:
    """Ask the author (or an organiser) to confirm deleting a practice."""
    seen = changeable_named(call, usage="delete <number>")
    if seen is None:
        return
    call.reply(*views.ask_to_delete(seen.practice))


def delete_pressed(deps: Deps) -> Callable[..., None]:
    """The Delete button: ask for confirmation first."""

    def ask(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
        seen = changeable_pressed(deps, body, client, respond)
        if seen is None:
            return
        text, question = views.ask_to_delete(seen.practice)
        tell_privately(client, body, text, respond, blocks_=question)

    return ask


def confirm_delete(deps: Deps) -> WritingWork:
    """Delete the practice and its card, once confirmed: written before the press is acknowledged."""

    def delete_it(
        body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
    ) -> Callable[[], None]:
        done = service.delete(deps, practice_id=pressed_id(body), user_id=body["user"]["id"])
        if done.outcome != service.Outcome.DONE or done.practice is None:
            refused = done.outcome == service.Outcome.REFUSED
            said = _(views.CHANGE_REFUSAL) if refused else _(views.GONE)
            return lambda: answer_press(deps, body, client, respond, said)
        text = views.deleted(done.practice)

        def tell() -> None:
            if body.get("response_url"):
                respond(replace_original=True, **blocks.notice(text))
            else:
                answer_press(deps, body, client, respond, text)

        return tell

    return delete_it


def keep(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
    """Keep the practice: the question goes away, nothing changes."""
    if body.get("response_url"):
        respond(delete_original=True)


# Moderation -----------------------------------------------------------------------------------


def queue(call: Call) -> None:
    """The practices waiting for approval, oldest first, with Approve and Reject."""
    waiting = service.queue(call.deps)
    call.reply(*views.queue_message(waiting.waiting, waiting.count, moderation=call.deps.settings.moderation))


def _answer_moderator(deps: Deps, body: dict[str, Any], client: WebClient, respond: Respond, text: str) -> None:
    """Answer the organiser where they pressed: beside the queue entry in a message, or at the top of App Home."""
    if body.get("response_url"):
        respond(replace_original=False, response_type="ephemeral", **blocks.notice(text))
    else:
        answer_press(deps, body, client, respond, text)


def approve_pressed(deps: Deps) -> WritingWork:
    """Approve: publish the practice; its card and the word to its author are owed before the 200."""

    def approve(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> Callable[[], None]:
        approved = service.approve(deps, practice_id=pressed_id(body), moderator=body["user"]["id"])
        if approved is None:
            decided = _(views.DECIDED)
            return lambda: _answer_moderator(deps, body, client, respond, decided)
        text = views.approved_for_moderator(approved.practice, approved.posted_in)
        return lambda: _answer_moderator(deps, body, client, respond, text)

    return approve


def reject_pressed(deps: Deps) -> Callable[..., None]:
    """Reject…: ask the organiser for the reason the author will read."""

    def ask_reason(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
        practice = service.get(deps, practice_id=pressed_id(body))
        if practice is None or not practice.is_pending:
            _answer_moderator(deps, body, client, respond, _(views.DECIDED))
            return
        from_home = (body.get("view") or {}).get("type") == "home"
        open_modal(client, body["trigger_id"], views.reject_modal(practice, from_home=from_home))

    return ask_reason


def save_rejection(app: App, deps: Deps) -> Callable[..., None]:
    """The reason's submission: reject, and tell the author why in a direct message."""

    def submitted(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        if not organiser_submission(deps, body, ack):
            return
        moderator = body["user"]["id"]
        view = body["view"]
        meta = view_metadata(view)
        try:
            reason = views.read_reason(forms.submitted_values(view.get("state") or {}))
        except forms.FormErrors as error:
            ack(response_action="errors", errors=error.errors)
            return
        practice_id = practice_id_in(meta.get("practice_id")) or 0
        practice = service.reject(deps, practice_id=practice_id, moderator=moderator, reason=reason)
        if practice is None:
            ack(response_action="update", view=error_view(_(views.DECIDED)))
            return
        done = views.rejected(practice)
        ack(response_action="update", view=blocks.notice_modal(_("Rejected"), done))

        if meta.get("home"):

            def tell(body: dict[str, Any], client: WebClient, respond: Respond | None, context: BoltContext) -> None:
                publish_home(client, deps, moderator, notice=done)

            after_ack(app, tell, body=body, client=client, respond=None, context=context, saved_first=True)

    return submitted
