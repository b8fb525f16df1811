"""Feedback on meetings: the rating buttons of the request, the comment's form, and the organisers' results."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.language.i18n import N_, _
from bot.services import feedback as service
from bot.views import blocks, forms
from bot.views import feedback as views
from bot.views.meeting_form import too_long
from handlers.buttons import ActionWork, WritingWork, register_action
from handlers.home import answer_press
from handlers.meetings._shared import meeting_named, pressed_number
from handlers.routing import Call, pressed_value, view_metadata
from handlers.views_open import open_modal
from store.feedback import RATINGS

FORGED = N_("That rating is not one the bot offered: press one of the buttons, 1 to 5.")


def register_feedback(app: App, deps: Deps) -> None:
    """Register the rating buttons, the comment's button and form, and the feedback renderers."""
    service.register_renderers(deps)
    for rating in RATINGS:
        register_action(app, deps, views.rate_action(rating), rate_pressed(deps), "rate a meeting", writes=True)
    register_action(app, deps, views.OPEN_COMMENT, open_comment(deps), "comment on a meeting")
    app.view(views.COMMENT_FORM)(comment_submitted(deps))


def rate_pressed(deps: Deps) -> WritingWork:
    """A rating button: taken once, from someone the bot asked, before the press is acknowledged."""

    def rate(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> Callable[[], None]:
        number, _colon, given = pressed_value(body).partition(":")
        user_id = body["user"]["id"]
        if not (number.isdigit() and len(number) <= 9 and given.isdigit() and len(given) == 1):
            return lambda: answer_press(deps, body, client, respond, _(FORGED))
        try:
            answered = service.rate(deps, meeting_id=int(number), slack_id=user_id, rating=int(given))
        except ValueError:
            return lambda: answer_press(deps, body, client, respond, _(FORGED))
        meeting = answered.meeting
        if answered.outcome == service.Outcome.GONE or meeting is None:
            return lambda: answer_press(deps, body, client, respond, _("That meeting no longer exists."))
        if answered.outcome == service.Outcome.NOT_ASKED:
            said = _("Only the people asked about a meeting can rate it, once each; nothing was recorded.")
            return lambda: answer_press(deps, body, client, respond, said)
        new = answered.outcome == service.Outcome.STORED
        message = views.thanked(meeting, answered.rating, new=new, commented=answered.commented)

        def tell() -> None:
            if body.get("response_url"):
                respond(replace_original=True, **message)
            else:
                answer_press(deps, body, client, respond, message["text"])

        return tell

    return rate


def open_comment(deps: Deps) -> ActionWork:
    """The *Add a comment* button: the form, for someone who rated the meeting."""

    def open_it(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
        meeting = service.rated_meeting(deps, meeting_id=pressed_number(body), slack_id=body["user"]["id"])
        if meeting is None:
            answer_press(deps, body, client, respond, _("Rate the meeting first; a comment goes beside a rating."))
            return
        open_modal(client, body["trigger_id"], views.comment_form(meeting))

    return open_it


def comment_submitted(deps: Deps) -> Callable[..., None]:
    """The comment's form: checked (Slack's length), kept once, before the form closes."""

    def submitted(ack: Ack, body: dict[str, Any]) -> None:
        view = body["view"]
        try:
            text = forms.submitted_values(view.get("state") or {}).get(views.COMMENT, "")
        except forms.FormErrors as error:
            ack(response_action="errors", errors=error.errors)
            return
        if not text:
            ack(response_action="errors", errors={views.COMMENT: _("Write your comment, or cancel.")})
            return
        if len(text) > views.COMMENT_LIMIT:
            ack(response_action="errors", errors={views.COMMENT: too_long(views.COMMENT_LIMIT, len(text))})
            return
        number = view_metadata(view).get("meeting_id")
        answered = service.comment(
            deps, meeting_id=int(number) if isinstance(number, int) else 0, slack_id=body["user"]["id"], text=text
        )
        if answered.outcome == service.Outcome.STORED:
            said = _("Thank you: your comment is with the organisers.")
        elif answered.outcome == service.Outcome.ALREADY:
            said = _("You commented on this meeting already; a comment is given once.")
        else:
            said = _("Rate the meeting first; a comment goes beside a rating.")
        ack(response_action="update", view=blocks.notice_modal(_("Your comment"), said))

    return submitted


def show_results(call: Call) -> None:
    """`/meetings feedback <number>`: the ratings, their average and the comments, without names."""
    meeting = meeting_named(call, usage="feedback <number>")
    if meeting is None:
        return
    call.reply(*views.results_message(meeting, service.results(call.deps, meeting_id=meeting.id or 0)))
