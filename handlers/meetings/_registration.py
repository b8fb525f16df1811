"""The answer buttons under a meeting, and its calendar file."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.services import meetings as service
from bot.views import blocks
from bot.views import meetings as views
from bot.views.calendar import calendar_domain, calendar_file, ics_filename
from handlers.buttons import ActionWork, WritingWork
from handlers.home import answer_press
from handlers.meetings._shared import pressed_meeting, pressed_number
from store.models import Attendance, Meeting

NOTHING_CHANGED = "Nothing was changed."


def closed_text(meeting: Meeting | None, closed: service.Closed) -> str:
    """Why the answer was not taken, and what to do instead."""
    if meeting is None or closed == service.Closed.GONE:
        return "That meeting no longer exists. `/meetings` lists the upcoming ones."
    title = f"*{blocks.escape(meeting.title)}*"
    if closed == service.Closed.CANCELLED:
        return f":x: {title} was cancelled, so there is nothing to register for. {NOTHING_CHANGED}"
    if closed == service.Closed.STARTED:
        return f"{title} has already started or taken place, so registration is closed. {NOTHING_CHANGED}"
    if closed == service.Closed.DEADLINE and meeting.registration_deadline is not None:
        deadline = meeting.registration_deadline
        fallback = f"{views.local(deadline, meeting):%-d %b %Y %H:%M}"
        return (
            f"Registration for {title} closed on {views.date_token(deadline, '{date_short_pretty} {time}', fallback)}. "
            "Nothing was changed; if you still need a place, ask an organiser."
        )
    if closed == service.Closed.ONLINE_ONLY:
        return f"{title} is online only: press *Attend online* instead. {NOTHING_CHANGED}"
    return f"{title} is in person only: press *Attend in person* instead. {NOTHING_CHANGED}"


def status_text(answered: service.Answered) -> str:
    """The private answer to a press: where the person stands now."""
    meeting, result = answered.meeting, answered.result
    assert meeting is not None and result is not None
    title = f"*{blocks.escape(meeting.title)}*"
    when = views.when_text(meeting)
    now = result.attendance
    again = "" if result.changed else "You had already answered this. "
    if now == Attendance.IN_PERSON:
        return f":white_check_mark: {again}You're registered to come in person to {title}, {when}."
    if now == Attendance.WAITLISTED:
        where = f" (number {answered.position} in line)" if answered.position else ""
        return (
            f":hourglass_flowing_sand: {again}{title} is full, so you're on the waitlist{where}. "
            "Members of the group come first. If a place frees up you move up and I'll tell you."
        )
    if now == Attendance.ONLINE:
        join = f" The join link: {blocks.link(meeting.join_url, 'join the meeting')}" if meeting.join_url else ""
        return f":computer: {again}You're registered to join {title} online, {when}.{join}"
    freed = " Your place goes to the next person waiting." if result.previous == Attendance.IN_PERSON else ""
    return f":ok_hand: {again}Noted: you're not coming to {title}.{freed} You can change your answer any time."


def rsvp(deps: Deps) -> WritingWork:
    """The work behind the answer buttons: the answer is recorded before the press is acknowledged."""

    def answer_meeting(
        body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
    ) -> Callable[[], None]:
        answer = views.RSVP_ACTIONS[body["actions"][0]["action_id"]]
        user_id = body["user"]["id"]
        deps.people.resolve(client, user_id)  # knows whether they are a guest: the waitlist serves members first
        answered = service.answer_meeting(deps, meeting_id=pressed_number(body), slack_id=user_id, answer=answer)
        if answered.closed is not None or answered.result is None:
            text = closed_text(answered.meeting, answered.closed or service.Closed.GONE)
        else:
            text = status_text(answered)
        return lambda: answer_press(deps, body, client, respond, text)

    return answer_meeting


def send_calendar_file(deps: Deps) -> ActionWork:
    """The work behind the calendar-file button: the .ics arrives in the person's direct messages."""

    def send(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
        user_id = body["user"]["id"]
        meeting = pressed_meeting(deps, body)
        if meeting is None:
            answer_press(deps, body, client, respond, "That meeting no longer exists.")
            return
        channel = client.conversations_open(users=user_id)["channel"]["id"]
        domain = calendar_domain(deps.settings.public_url)
        client.files_upload_v2(
            channel=channel,
            filename=ics_filename(meeting),
            title=f"{meeting.title} (calendar file)",
            content=calendar_file([meeting], name=deps.settings.group_name, domain=domain),
            initial_comment=f"The calendar file for *{blocks.escape(meeting.title)}*: open it to add the meeting "
            "to your calendar. If the meeting changes, open the new file I send and your calendar updates it.",
        )
        if body.get("response_url"):
            respond(
                response_type="ephemeral",
                replace_original=False,
                **blocks.notice(":calendar: I've sent you the calendar file in a direct message."),
            )

    return send
