"""The recap: organisers write it (`/meetings recap <number>`, the Recap button), everyone reads it (the card's
Recap button, `/meetings <number>`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.language.i18n import N_, _
from bot.registry import ActionSpec, Kind
from bot.services import recaps as service
from bot.views import blocks
from bot.views import recaps as views
from handlers.buttons import ActionWork, register_action
from handlers.home import answer_press
from handlers.meetings._shared import meeting_named, pressed_meeting
from handlers.routing import Call, organiser_submission, view_metadata
from handlers.views_open import open_modal
from store.models import Meeting

REFUSED = {
    "cancelled": N_("{title} was cancelled: it has no recap."),
    "not begun": N_("{title} has not begun: its recap is written once it has taken place."),
}
NO_RECAP = N_("{title} has no recap yet.")


def register_recap(app: App, deps: Deps) -> None:
    """Register the recap's buttons, its form and its renderer."""
    service.register_renderers(deps)
    register_action(app, deps, views.OPEN, open_pressed(deps), "open a meeting's recap form", organiser_only=True)
    register_action(app, deps, views.SHOW, show_pressed(deps), "see a meeting's recap")
    deps.registry.add_action(ActionSpec(Kind.VIEW, views.FORM, "save a meeting's recap", True))
    app.view(views.FORM)(form_submitted(deps))


def _title(meeting: Meeting) -> dict[str, object]:
    return {"title": f"*{blocks.escape(meeting.title)}*", "number": meeting.id}


def _open(deps: Deps, client: WebClient, trigger_id: str, meeting: Meeting, tell: Callable[[str], None]) -> None:
    refused = service.may_recap(meeting, deps.clock())
    if refused:
        tell(_(REFUSED[refused], **_title(meeting)))
        return
    found = service.recap_of(deps, meeting)
    chosen = found.recap.practice_ids if found.recap else []
    library = service.library(deps, chosen=chosen)
    open_modal(client, trigger_id, views.form(meeting, found.recap, library, found.actions))


def recap_command(call: Call) -> None:
    """`/meetings recap <number>`: the recap's form."""
    meeting = meeting_named(call, usage="recap <number>")
    if meeting is not None:
        _open(call.deps, call.client, call.trigger_id, meeting, call.reply)


def open_pressed(deps: Deps) -> ActionWork:
    """The organisers' *Recap* button: the form."""

    def open_it(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
        meeting = pressed_meeting(deps, body)
        if meeting is None:
            answer_press(deps, body, client, respond, _("That meeting no longer exists."))
            return
        _open(deps, client, body["trigger_id"], meeting, lambda said: answer_press(deps, body, client, respond, said))

    return open_it


def form_submitted(deps: Deps) -> Callable[..., None]:
    """The recap's form: checked field by field, then saved with its actions, and closed with what happens next."""

    def submitted(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        if not organiser_submission(deps, body, ack):
            return
        view = body["view"]
        known = {number for number, _title in service.library(deps, limit=1000)}
        answer = views.read(
            view.get("state") or {}, today=deps.clock().astimezone(deps.settings.tz).date(), known_practices=known
        )
        if isinstance(answer, dict):
            ack(response_action="errors", errors=answer)
            return
        strangers = [n for n, a in enumerate(answer.actions, 1) if not deps.people.in_workspace(client, a.owner)]
        if strangers:
            errors = {views.ACTION_OWNER.format(n=n): _(views.NOT_IN_WORKSPACE) for n in strangers}
            ack(response_action="errors", errors=errors)
            return
        number = view_metadata(view).get("meeting_id")
        saved = service.save(
            deps, meeting_id=number if isinstance(number, int) else 0, answer=answer, by=body["user"]["id"]
        )
        if saved is None:
            said = _("That meeting no longer exists.")
        elif saved.refused:
            said = _(REFUSED[saved.refused], **_title(saved.meeting))
        else:
            where = f"<#{saved.channel}>" if saved.channel else ""
            said = views.saved_text(saved.meeting, new=saved.new, actions=len(saved.actions), where=where)
        ack(response_action="update", view=blocks.notice_modal(_("Recap"), said))

    return submitted


def show_pressed(deps: Deps) -> ActionWork:
    """The card's *Recap* button: the recap privately, with a link to its message; organisers may edit it."""

    def show(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
        meeting = pressed_meeting(deps, body)
        if meeting is None:
            answer_press(deps, body, client, respond, _("That meeting no longer exists."))
            return
        lines, buttons = recap_view(deps, client, meeting, body["user"]["id"])
        text = "\n".join(lines)
        if body.get("response_url"):
            respond(
                response_type="ephemeral",
                replace_original=False,
                **blocks.message(text, [blocks.section(blocks.clip(text, 2900)), *buttons]),
            )
        else:
            answer_press(deps, body, client, respond, text)

    return show


def recap_view(deps: Deps, client: WebClient, meeting: Meeting, user_id: str) -> tuple[list[str], list[blocks.Block]]:
    """The recap's lines with a link to its message in the thread, and the organisers' Edit button."""
    found = service.recap_of(deps, meeting)
    buttons: list[blocks.Block] = []
    if deps.people.is_organiser(user_id) and not service.may_recap(meeting, deps.clock()):
        label = _("Edit the recap") if found.recap else _("Write the recap")
        buttons.append(blocks.actions(blocks.button(label, views.OPEN, str(meeting.id)), block_id="recap-edit"))
    if found.recap is None:
        return [_(NO_RECAP, **_title(meeting))], buttons
    named = f"{blocks.escape(meeting.title)} (#{meeting.id})"
    lines = [_("*Recap of {title}*", title=named)]
    lines += views.recap_lines(found.recap, found.practices, found.actions)
    if found.recap.posted_channel and found.recap.posted_ts:
        try:
            link = client.chat_getPermalink(channel=found.recap.posted_channel, message_ts=found.recap.posted_ts)
            lines.append(blocks.link(str(link["permalink"]), _("The recap in the card's thread")))
        except SlackApiError:
            pass  # the message is gone: the recap is still here
    return lines, buttons
