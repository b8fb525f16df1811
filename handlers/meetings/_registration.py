"""The answer buttons under a meeting, and its calendar file."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient

from bot.deps import Deps
from bot.views import blocks
from bot.views import meetings as views
from bot.views.calendar import calendar_domain as domain_of
from bot.views.calendar import calendar_file, ics_filename
from handlers.home import answer_press
from handlers.meetings._cards import refresh_card, tell_promoted
from handlers.meetings._shared import pressed_meeting
from store import meetings as store
from store.models import Attendance, Meeting

logger = logging.getLogger(__name__)


def why_closed(meeting: Meeting | None, answer: Attendance, deps: Deps) -> str | None:
    """Why this answer cannot be taken now, or None when it can."""
    if meeting is None:
        return "That meeting no longer exists. `/meetings` lists the upcoming ones."
    title = f"*{blocks.escape(meeting.title)}*"
    now = deps.clock()
    if meeting.is_cancelled:
        return f":x: {title} was cancelled, so there is nothing to register for. Nothing was changed."
    if meeting.starts_at <= now:
        return f"{title} has already started or taken place, so registration is closed. Nothing was changed."
    deadline = meeting.registration_deadline
    if deadline is not None and deadline <= now and answer != Attendance.NOT_COMING:
        closed = f"{views.local(deadline, meeting):%-d %b %Y %H:%M}"
        return (
            f"Registration for {title} closed on {views.date_token(deadline, '{date_short_pretty} {time}', closed)}. "
            "Nothing was changed; if you still need a place, ask an organiser."
        )
    if answer == Attendance.IN_PERSON and not meeting.has_places:
        return f"{title} is online only: press *Attend online* instead. Nothing was changed."
    if answer == Attendance.ONLINE and not meeting.is_online:
        return f"{title} is in person only: press *Attend in person* instead. Nothing was changed."
    return None


def status_text(meeting: Meeting, result: store.RegistrationResult, position: int | None) -> str:
    """The private answer to a press: where the person stands now."""
    title = f"*{blocks.escape(meeting.title)}*"
    when = views.when_text(meeting)
    now = result.attendance
    again = "" if result.changed else "You had already answered this. "
    if now == Attendance.IN_PERSON:
        return f":white_check_mark: {again}You're registered to come in person to {title}, {when}."
    if now == Attendance.WAITLISTED:
        where = f" (number {position} in line)" if position else ""
        return (
            f":hourglass_flowing_sand: {again}{title} is full, so you're on the waitlist{where}. "
            "Members of the group come first. If a place frees up you move up and I'll tell you."
        )
    if now == Attendance.ONLINE:
        join = f" The join link: {blocks.link(meeting.join_url, 'join the meeting')}" if meeting.join_url else ""
        return f":computer: {again}You're registered to join {title} online, {when}.{join}"
    freed = " Your place goes to the next person waiting." if result.previous == Attendance.IN_PERSON else ""
    return f":ok_hand: {again}Noted: you're not coming to {title}.{freed} You can change your answer any time."


def rsvp(deps: Deps) -> Any:
    """The work behind the answer buttons."""

    def answer_meeting(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
        action = body["actions"][0]
        answer = views.RSVP_ACTIONS[action["action_id"]]
        user_id = body["user"]["id"]
        deps.people.resolve(client, user_id)  # knows whether they are a guest: the waitlist serves members first
        meeting = pressed_meeting(deps, body)
        problem = why_closed(meeting, answer, deps)
        if problem is not None or meeting is None:
            answer_press(deps, body, client, respond, problem or "")
            return
        with deps.sessions() as session:
            try:
                result = store.register(
                    session=session, meeting_id=meeting.id or 0, slack_id=user_id, answer=answer, now=deps.clock()
                )
            except store.RegistrationClosed:
                answer_press(deps, body, client, respond, why_closed(pressed_meeting(deps, body), answer, deps) or "")
                return
            position = None
            if result.attendance == Attendance.WAITLISTED:
                position = store.waitlist_position(session=session, meeting_id=meeting.id or 0, slack_id=user_id)
        answer_press(deps, body, client, respond, status_text(meeting, result, position))
        if result.changed:
            refresh_card(deps, client, meeting.id or 0)
        tell_promoted(deps, client, meeting, result.promoted)

    return answer_meeting


def send_calendar_file(deps: Deps) -> Any:
    """The work behind the calendar-file button: the .ics arrives in the person's direct messages."""

    def send(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
        user_id = body["user"]["id"]
        meeting = pressed_meeting(deps, body)
        if meeting is None:
            answer_press(deps, body, client, respond, "That meeting no longer exists.")
            return
        channel = client.conversations_open(users=user_id)["channel"]["id"]
        client.files_upload_v2(
            channel=channel,
            filename=ics_filename(meeting),
            title=f"{meeting.title} (calendar file)",
            content=calendar_file([meeting], name=deps.settings.group_name, domain=calendar_domain(deps)),
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


def calendar_domain(deps: Deps) -> str:
    """The domain that makes meeting UIDs unique."""
    return domain_of(deps.settings.public_url)
