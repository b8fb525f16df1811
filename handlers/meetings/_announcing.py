"""Organisers' announcing and cancelling: the meeting's card in the group channel, and the people told."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.services import meetings as service
from bot.views import blocks
from bot.views import meetings as views
from handlers.buttons import WritingWork
from handlers.home import answer_press
from handlers.meetings._shared import CANCEL_CONFIRM, CANCEL_KEEP, meeting_named, pressed_meeting, pressed_number
from handlers.routing import Call

# views.update's answers when the pressed modal is no longer as it was: changed since, or closed.
VIEW_MOVED_ON = frozenset({"hash_conflict", "not_found"})


def cancel(call: Call) -> None:
    """Ask the organiser to confirm cancelling a meeting."""
    meeting = meeting_named(call, usage="cancel <number>")
    if meeting is None:
        return
    if meeting.is_cancelled:
        call.reply(f"Meeting #{meeting.id} is already cancelled. Nothing was changed.")
        return
    told = service.registrant_count(call.deps, meeting_id=meeting.id or 0)
    text = (
        f"Cancel *{blocks.escape(meeting.title)}* (#{meeting.id}), {views.when_text(meeting)}? "
        f"The {told} people registered will be told, and its card will say it is cancelled."
    )
    dialog = blocks.confirm(
        "Cancel this meeting?",
        f"{meeting.title} will be cancelled for everyone.",
        yes="Cancel it",
        no="Keep it",
        danger=True,
    )
    confirm = blocks.button("Cancel the meeting", CANCEL_CONFIRM, str(meeting.id), style="danger", confirm=dialog)
    keep = blocks.button("Keep it", CANCEL_KEEP, str(meeting.id))
    call.reply(blocks.escape(f"Cancel {meeting.title}?"), [blocks.section(text), blocks.actions(confirm, keep)])


def confirm_cancel(deps: Deps) -> WritingWork:
    """Cancel the meeting: its card's update and the words to the registrants are written with it."""

    def cancel_it(
        body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
    ) -> Callable[[], None]:
        cancelled = service.cancel_meeting(deps, meeting_id=pressed_number(body))
        if cancelled is None:
            said = blocks.notice("That meeting is already cancelled or gone.")
        else:
            meeting = cancelled.meeting
            card = " and I'm updating its card" if meeting.card_ts else ""
            said = blocks.notice(
                f":x: *{blocks.escape(meeting.title)}* (#{meeting.id}) is cancelled. "
                f"I'm telling the {cancelled.told} people registered{card}."
            )

        def tell() -> None:
            respond(replace_original=True, **said)

        return tell

    return cancel_it


def announced_text(announced: service.Announced) -> str:
    """What announcing a meeting came to, in words."""
    meeting = announced.meeting
    title = blocks.escape(meeting.title)
    outcome = announced.outcome
    if outcome == service.Announcement.NO_CHANNEL:
        return "GROUP_CHANNEL is not set, so there is no group channel to announce in. Ask the operator to set it."
    if outcome == service.Announcement.CANCELLED:
        return f"Meeting #{meeting.id} is cancelled; there is nothing to announce."
    if outcome == service.Announcement.OVER:
        return f"Meeting #{meeting.id} has already taken place; there is nothing to announce."
    if outcome == service.Announcement.UP_TO_DATE:
        return f"*{title}* was announced already in <#{announced.channel}>; its card is up to date."
    return f":mega: Announced *{title}* in <#{announced.channel}>. Its card updates itself as people register."


def announce(call: Call) -> None:
    """Post the meeting's card to the group channel."""
    meeting = meeting_named(call, usage="announce <number>")
    if meeting is not None:
        call.reply(announced_text(service.post_card(call.deps, meeting)))


def _replaced(client: WebClient, view: dict[str, Any], text: str) -> bool:
    """Show the outcome in the modal that was pressed, unless it has changed or closed since (its hash says)."""
    try:
        client.views_update(
            view_id=view["id"],
            hash=view.get("hash"),
            view=blocks.modal("Announced", [blocks.section(text)], close="Done"),
        )
    except SlackApiError as error:
        if error.response.get("error") in VIEW_MOVED_ON:
            return False
        raise
    return True


def announce_pressed(deps: Deps) -> WritingWork:
    """The Announce button (in App Home, a saved meeting's modal, or a preview): the card is owed before the 200."""

    def announce_it(
        body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
    ) -> Callable[[], None]:
        meeting = pressed_meeting(deps, body)
        text = announced_text(service.post_card(deps, meeting)) if meeting else "That meeting no longer exists."
        view = body.get("view") or {}

        def tell() -> None:
            if view.get("type") == "modal" and _replaced(client, view, text):
                return
            answer_press(deps, body, client, respond, text)

        return tell

    return announce_it
