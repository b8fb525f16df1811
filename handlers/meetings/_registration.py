"""The answer buttons under a meeting, and its calendar file."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.language.i18n import _, format_number
from bot.services import meetings as service
from bot.views import blocks, offers
from bot.views import meetings as views
from bot.views import reminders as reminder_views
from bot.views.calendar import ics_filename
from handlers.buttons import ActionWork, WritingWork
from handlers.home import answer_press
from handlers.meetings._shared import pressed_meeting, pressed_number
from store.models import Attendance, Meeting


def closed_text(meeting: Meeting | None, closed: service.Closed) -> str:
    """Why the answer was not taken, and what to do instead."""
    if meeting is None or closed == service.Closed.GONE:
        return _("That meeting no longer exists. `/meetings` lists the upcoming ones.")
    title = blocks.escape(meeting.title)
    if closed == service.Closed.CANCELLED:
        return _(":x: *{title}* was cancelled, so there is nothing to register for. Nothing was changed.", title=title)
    if closed == service.Closed.STARTED:
        return _(
            "*{title}* has already started or taken place, so registration is closed. Nothing was changed.",
            title=title,
        )
    if closed == service.Closed.DEADLINE and meeting.registration_deadline is not None:
        return _(
            "Registration for *{title}* closed on {deadline}. "
            "Nothing was changed; if you still need a place, ask an organiser.",
            title=title,
            deadline=views.deadline_token(meeting),
        )
    if closed == service.Closed.ONLINE_ONLY:
        return _("*{title}* is online only: press *Attend online* instead. Nothing was changed.", title=title)
    return _("*{title}* is in person only: press *Attend in person* instead. Nothing was changed.", title=title)


def status_text(answered: service.Answered) -> str:
    """The private answer to a press: where the person stands now (and that it was so already, if it was)."""
    meeting, result = answered.meeting, answered.result
    assert meeting is not None and result is not None
    values = {
        "title": blocks.escape(meeting.title),
        "when": views.when_text(meeting),
        "again": "" if result.changed else _("You had already answered this.") + " ",
    }
    now = result.attendance
    if now == Attendance.IN_PERSON and answered.provisional_until is not None:
        return _(
            ":white_check_mark: {again}You're registered to come in person to *{title}*, {when}. As you are not "
            "a member of the group, your place is provisional until {until}: if the meeting is full and a member "
            "asks for a place before then, the place goes to them and you go to the head of the waitlist.",
            until=views.moment_token(answered.provisional_until, meeting),
            **values,
        )
    if now == Attendance.IN_PERSON:
        return _(":white_check_mark: {again}You're registered to come in person to *{title}*, {when}.", **values)
    if now == Attendance.WAITLISTED:
        if answered.position:
            return _(
                ":hourglass_flowing_sand: {again}*{title}* is full, so you're on the waitlist (number {position} "
                "in line). Members of the group come first. If a place frees up you move up and I'll tell you.",
                position=format_number(answered.position),
                **values,
            )
        return _(
            ":hourglass_flowing_sand: {again}*{title}* is full, so you're on the waitlist. "
            "Members of the group come first. If a place frees up you move up and I'll tell you.",
            **values,
        )
    if now == Attendance.ONLINE:
        if meeting.join_url:
            link = blocks.link(meeting.join_url, _("join the meeting"))
            return _(
                ":computer: {again}You're registered to join *{title}* online, {when}. The join link: {link}",
                link=link,
                **values,
            )
        return _(":computer: {again}You're registered to join *{title}* online, {when}.", **values)
    if result.previous == Attendance.IN_PERSON:
        return _(
            ":ok_hand: {again}Noted: you're not coming to *{title}*. Your place goes to the next person waiting. "
            "You can change your answer any time.",
            **values,
        )
    return _(":ok_hand: {again}Noted: you're not coming to *{title}*. You can change your answer any time.", **values)


def rsvp(deps: Deps) -> WritingWork:
    """The work behind the answer buttons: the answer is recorded before the press is acknowledged."""

    def answer_meeting(
        body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
    ) -> Callable[[], None]:
        answer = views.RSVP_ACTIONS[body["actions"][0]["action_id"]]
        user_id = body["user"]["id"]
        deps.people.resolve(client, user_id)  # knows whether they are a guest: the waitlist serves members first
        answered = service.answer_meeting(
            deps, meeting_id=pressed_number(body), slack_id=user_id, answer=answer, asked_at=action_time(body)
        )
        if answered.closed is not None or answered.result is None:
            text = closed_text(answered.meeting, answered.closed or service.Closed.GONE)
        else:
            text = status_text(answered)
        return lambda: answer_press(deps, body, client, respond, text)

    return answer_meeting


def show_position(deps: Deps) -> ActionWork:
    """The work behind *My place in line*: the person's place in the waitlist, privately."""

    def show(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
        meeting, position = service.waitlist_place(deps, meeting_id=pressed_number(body), slack_id=body["user"]["id"])
        text = _("That meeting no longer exists.") if meeting is None else views.position_text(meeting, position)
        answer_press(deps, body, client, respond, text)

    return show


def action_time(body: dict[str, Any]) -> datetime | None:
    """When Slack says the button was pressed (the action's `action_ts`), if it says so readably."""
    try:
        return datetime.fromtimestamp(float(body["actions"][0]["action_ts"]), tz=UTC)
    except (KeyError, IndexError, TypeError, ValueError, OverflowError, OSError):
        return None


def offer_pressed(deps: Deps, *, take: bool) -> WritingWork:
    """The work behind *Take the place* and *No longer needed*: written before the press is acknowledged."""

    def answer_offer(
        body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
    ) -> Callable[[], None]:
        meeting_part, _colon, stamp = str(body["actions"][0].get("value") or "").partition(":")
        user_id = body["user"]["id"]
        number = int(meeting_part) if meeting_part.isdigit() and len(meeting_part) <= 9 else 0
        pressed = service.answer_offer(deps, meeting_id=number, stamp=stamp[:20], slack_id=user_id, take=take)
        meeting = pressed.meeting
        if pressed.reply == service.Reply.TAKEN and meeting is not None:
            text = offers.taken_text(meeting)
        elif pressed.reply == service.Reply.DECLINED and meeting is not None:
            text = offers.declined_text(meeting)
        elif pressed.reply == service.Reply.LAPSED and meeting is not None:
            text = offers.lapsed_answer(meeting, pressed.expired_at)
        elif pressed.reply == service.Reply.NOT_YOURS:
            text = offers.not_yours_text()
        else:
            text = offers.gone_text()
        return lambda: answer_press(deps, body, client, respond, text)

    return answer_offer


def here_pressed(deps: Deps) -> WritingWork:
    """*I'm here*: recorded before the press is acknowledged, during the meeting's time, once."""

    def here(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> Callable[[], None]:
        presence = service.i_am_here(deps, meeting_id=pressed_number(body), slack_id=body["user"]["id"])
        meeting = presence.meeting
        text = (
            reminder_views.here_said(meeting, presence.said, walked_in=presence.walked_in)
            if meeting is not None
            else _("That meeting no longer exists.")
        )
        return lambda: answer_press(deps, body, client, respond, text)

    return here


def send_calendar_file(deps: Deps) -> ActionWork:
    """The work behind the calendar-file button: the .ics arrives in the person's direct messages."""

    def send(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
        user_id = body["user"]["id"]
        meeting = pressed_meeting(deps, body)
        if meeting is None:
            answer_press(deps, body, client, respond, _("That meeting no longer exists."))
            return
        channel = client.conversations_open(users=user_id)["channel"]["id"]
        client.files_upload_v2(
            channel=channel,
            filename=ics_filename(meeting),
            title=_("{title} (calendar file)", title=meeting.title),
            content=service.calendar_of(deps, [meeting]),
            initial_comment=_(
                "The calendar file for *{title}*: open it to add the meeting to your calendar. "
                "If the meeting changes, open the new file I send and your calendar updates it.",
                title=blocks.escape(meeting.title),
            ),
        )
        if body.get("response_url"):
            respond(
                response_type="ephemeral",
                replace_original=False,
                **blocks.notice(_(":calendar: I've sent you the calendar file in a direct message.")),
            )

    return send
