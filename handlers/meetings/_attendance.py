"""Who came, as organisers mark it: the form from the attendees list, and `/meetings stats`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.language.i18n import N_, _
from bot.registry import ActionSpec, Kind
from bot.services import meetings as service
from bot.views import attendance as views
from bot.views import blocks, charts
from handlers.buttons import ActionWork, register_action
from handlers.direct import send_chart
from handlers.home import answer_press
from handlers.meetings._shared import pressed_meeting
from handlers.routing import Call, organiser_submission, view_metadata
from handlers.views_open import open_modal
from store.models import Meeting

TOO_EARLY = N_(
    "Attendance is marked from 15 minutes before the meeting starts; {title} has not begun. "
    "Until then, `/meetings attendees {number}` shows who registered."
)
CANCELLED = N_("{title} was cancelled: there is no attendance to mark.")


def register_attendance(app: App, deps: Deps) -> None:
    """Register the *Mark attendance* button and its form."""
    register_action(app, deps, views.MARK, open_form(deps), "open a meeting's attendance form", organiser_only=True)
    deps.registry.add_action(ActionSpec(Kind.VIEW, views.FORM, "mark who came to a meeting", True))
    app.view(views.FORM)(form_submitted(deps))


def may_mark(deps: Deps, meeting: Meeting) -> bool:
    """Whether the meeting's attendance can be marked now: from shortly before its start, if it was held."""
    return not meeting.is_cancelled and deps.clock() >= meeting.starts_at - service.HERE_FROM


def open_form(deps: Deps) -> ActionWork:
    """*Mark attendance*: the registrants with a box each, for an organiser, once the meeting has begun."""

    def open_it(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
        meeting = pressed_meeting(deps, body)
        if meeting is None:
            answer_press(deps, body, client, respond, _("That meeting no longer exists."))
            return
        values = {"title": f"*{blocks.escape(meeting.title)}*", "number": meeting.id}
        if meeting.is_cancelled:
            answer_press(deps, body, client, respond, _(CANCELLED, **values))
            return
        if not may_mark(deps, meeting):
            answer_press(deps, body, client, respond, _(TOO_EARLY, **values))
            return
        found = service.attendees(deps, meeting=meeting)
        open_modal(client, body["trigger_id"], views.form(meeting, found.rows, found.guests))

    return open_it


def form_submitted(deps: Deps) -> Callable[..., None]:
    """The attendance form: checked, written, then closed with what was saved."""

    def submitted(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        if not organiser_submission(deps, body, ack):
            return
        view = body["view"]
        marking = views.read(view.get("state") or {})
        if isinstance(marking, dict):
            ack(response_action="errors", errors=marking)
            return
        if not all(deps.people.in_workspace(client, slack_id) for slack_id in marking.came):
            ack(response_action="errors", errors={views.WALK_INS: _(views.NOT_IN_WORKSPACE)})
            return
        number = view_metadata(view).get("meeting_id")
        marked = service.take_attendance(
            deps,
            meeting_id=number if isinstance(number, int) else 0,
            came=marking.came,
            guests=marking.guests,
            by=body["user"]["id"],
        )
        meeting, taken = marked.meeting, marked.taken
        if meeting is None:
            said = _("That meeting no longer exists.")
        elif taken is None:
            values = {"title": f"*{blocks.escape(meeting.title)}*", "number": meeting.id}
            said = _(CANCELLED if marked.said == service.Said.CANCELLED else TOO_EARLY, **values)
        else:
            said = views.saved_text(meeting, taken.came, taken.no_shows, taken.guests)
        ack(response_action="update", view=blocks.notice_modal(_("Attendance"), said))

    return submitted


def stats(call: Call) -> None:
    """`/meetings stats`: attendance over the meetings held, as text; the chart goes to direct messages."""
    figures = service.attendance_figures(call.deps)
    heading, body = views.stats_message(figures)
    call.reply(heading, body)
    send_chart(
        call,
        charts.attendance_chart(figures, group_name=call.deps.settings.group_name),
        filename=_("attendance-by-meeting.png"),
        title=_("Attendance by meeting"),
        comment=heading,
    )
