"""Organisers' announcing and cancelling: the meeting's card in the group channel, and the people told."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.language import repeats
from bot.language.i18n import _, n_
from bot.services import meetings as service
from bot.views import blocks
from bot.views import meetings as views
from handlers.buttons import WritingWork
from handlers.home import answer_press
from handlers.meetings._shared import (
    CANCEL_CONFIRM,
    CANCEL_FOLLOWING,
    CANCEL_KEEP,
    meeting_named,
    pressed_meeting,
    pressed_number,
)
from handlers.routing import Call

# views.update's answers when the pressed modal is no longer as it was: changed since, or closed.
VIEW_MOVED_ON = frozenset({"hash_conflict", "not_found"})


def cancel(call: Call) -> None:
    """Ask the organiser to confirm cancelling a meeting."""
    meeting = meeting_named(call, usage="cancel <number>")
    if meeting is None:
        return
    if meeting.is_cancelled:
        call.reply(_("Meeting #{number} is already cancelled. Nothing was changed.", number=meeting.id))
        return
    told = service.registrant_count(call.deps, meeting_id=meeting.id or 0)
    text = n_(
        "Cancel *{title}* (#{number}), {when}? "
        "The {count} person registered will be told, and its card will say it is cancelled.",
        "Cancel *{title}* (#{number}), {when}? "
        "The {count} people registered will be told, and its card will say it is cancelled.",
        told,
        title=blocks.escape(meeting.title),
        number=meeting.id,
        when=views.when_text(meeting),
    )
    dialog = blocks.confirm(
        _("Cancel this meeting?"),
        _("{title} will be cancelled for everyone.", title=meeting.title),
        yes=_("Cancel it"),
        no=_("Keep it"),
        danger=True,
    )
    confirm = blocks.button(_("Cancel the meeting"), CANCEL_CONFIRM, str(meeting.id), style="danger", confirm=dialog)
    keep = blocks.button(_("Keep it"), CANCEL_KEEP, str(meeting.id))
    buttons = [confirm, keep]
    rule = service.series_rule(call.deps, meeting)
    if rule is not None:
        text = "\n".join((text, _("It is one of a series ({rule}).", rule=repeats.describe(rule))))
        ending = blocks.confirm(
            _("End the series?"),
            _("This meeting and every later one of the series will be cancelled, and no more will be created."),
            yes=_("End the series"),
            no=_("Keep it"),
            danger=True,
        )
        end = blocks.button(_("Cancel it and the following ones"), CANCEL_FOLLOWING, str(meeting.id), confirm=ending)
        buttons.insert(1, end)
    fallback = blocks.escape(_("Cancel {title}?", title=meeting.title))
    call.reply(fallback, [blocks.section(text), blocks.actions(*buttons)])


def confirm_cancel(deps: Deps, *, following: bool = False) -> WritingWork:
    """Cancel the meeting (with `following`, it and the later meetings of its series): its card's update and the
    words to the registrants are written with it."""

    def cancel_it(
        body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
    ) -> Callable[[], None]:
        cancelled = service.cancel_meeting(deps, meeting_id=pressed_number(body), following=following)
        if cancelled is None:
            said = blocks.notice(_("That meeting is already cancelled or gone."))
        else:
            said = blocks.notice(cancelled_text(cancelled))

        def tell() -> None:
            respond(replace_original=True, **said)

        return tell

    return cancel_it


def cancelled_text(cancelled: service.Cancelled) -> str:
    """What cancelling a meeting came to: who is being told, and its card."""
    meeting = cancelled.meeting
    values = {"title": blocks.escape(meeting.title), "number": meeting.id}
    if cancelled.others:
        return n_(
            ":x: *{title}* (#{number}) and the {count} later meeting of its series are cancelled, and no more will "
            "be created. I'm telling the people registered and I'm updating the cards.",
            ":x: *{title}* (#{number}) and the {count} later meetings of its series are cancelled, and no more will "
            "be created. I'm telling the people registered and I'm updating the cards.",
            cancelled.others,
            **values,
        )
    if meeting.card_ts:
        return n_(
            ":x: *{title}* (#{number}) is cancelled. "
            "I'm telling the {count} person registered and I'm updating its card.",
            ":x: *{title}* (#{number}) is cancelled. "
            "I'm telling the {count} people registered and I'm updating its card.",
            cancelled.told,
            **values,
        )
    return n_(
        ":x: *{title}* (#{number}) is cancelled. I'm telling the {count} person registered.",
        ":x: *{title}* (#{number}) is cancelled. I'm telling the {count} people registered.",
        cancelled.told,
        **values,
    )


def announced_text(announced: service.Announced) -> str:
    """What announcing a meeting came to, in words."""
    meeting = announced.meeting
    title = blocks.escape(meeting.title)
    outcome = announced.outcome
    if outcome == service.Announcement.NO_CHANNEL:
        return _("GROUP_CHANNEL is not set, so there is no group channel to announce in. Ask the operator to set it.")
    if outcome == service.Announcement.CANCELLED:
        return _("Meeting #{number} is cancelled; there is nothing to announce.", number=meeting.id)
    if outcome == service.Announcement.OVER:
        return _("Meeting #{number} has already taken place; there is nothing to announce.", number=meeting.id)
    if outcome == service.Announcement.UP_TO_DATE:
        return _(
            "*{title}* was announced already in <#{channel}>; its card is up to date.",
            title=title,
            channel=announced.channel,
        )
    return _(
        ":mega: Announced *{title}* in <#{channel}>. Its card updates itself as people register.",
        title=title,
        channel=announced.channel,
    )


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
            view=blocks.modal(_("Announced"), [blocks.section(text)], close=_("Done")),
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
        text = announced_text(service.post_card(deps, meeting)) if meeting else _("That meeting no longer exists.")
        view = body.get("view") or {}

        def tell() -> None:
            if view.get("type") == "modal" and _replaced(client, view, text):
                return
            answer_press(deps, body, client, respond, text)

        return tell

    return announce_it
