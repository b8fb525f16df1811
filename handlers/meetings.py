"""/meetings: the group's meetings. Listing, registering, calendars, and organisers' changes.

Every message about a meeting stays true: the announcement card is updated in place when
registrations or the meeting change, and registrants are told when its time or place moves
or it is cancelled.
"""

from __future__ import annotations

import csv
import io
import logging
import threading
from collections import defaultdict
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import format_offset
from bot.deps import Deps
from bot.language.quick_meeting import QuickMeetingError, parse_quick
from bot.registry import ActionSpec, Kind
from bot.services import planning
from bot.services.export import safe_cell
from bot.views import blocks, forms
from bot.views import meeting_form as form
from bot.views import meetings as views
from bot.views.calendar import calendar_domain as domain_of
from bot.views.calendar import calendar_file, ics_filename
from handlers.errors import after_ack, error_view
from handlers.home import answer_press
from handlers.routing import (
    BY_NUMBER,
    Call,
    CommandRouter,
    Subcommand,
    meeting_number,
    organiser_submission,
    pressed_value,
    register_action,
    view_metadata,
)
from store import faq as faq_store
from store import meetings as store
from store import people as people_store
from store.meetings import MeetingDraft
from store.models import Attendance, Meeting, Person

logger = logging.getLogger(__name__)

LIST_LIMIT = 10
HOME_LIMIT = 5
QUICK_SAVE = "meeting_quick_save"
QUICK_FORM = "meeting_quick_form"
QUICK_DISCARD = "meeting_quick_discard"
CANCEL_CONFIRM = "meeting_cancel_confirm"
CANCEL_KEEP = "meeting_cancel_keep"
ANNOUNCE = "meeting_announce"
CREATE = "meeting_create"
EDIT = "meeting_edit"
ATTENDEES_CSV = "meeting_attendees_csv"
FAQ_USAGE = "`/meetings faq add Do I pay for travel? | Yes: participants pay their own travel. | travel, hotel`"


def register(app: App, deps: Deps) -> None:
    """Register /meetings, its buttons, the meeting form and the meetings' App Home section."""
    router = CommandRouter(
        name="/meetings",
        description="Upcoming meetings: details, registration, calendar",
        intro="the group's meetings: when and where they are, registering, and adding them to your calendar.",
        default="list",
    )
    sub = router.add
    sub(Subcommand("list", "upcoming meetings, with buttons to register and add them to your calendar", list_upcoming))
    sub(Subcommand("next", "the next meeting in full", show_next))
    sub(Subcommand(BY_NUMBER, "one meeting in full", show_one, examples=("3",)))
    sub(Subcommand("past", "meetings that have taken place", list_past))
    sub(
        Subcommand(
            "add",
            "create a meeting: a form, or one line with natural dates",
            add,
            usage="add [title, date time-time zone, city, capacity N]",
            organiser_only=True,
            examples=("add Essen workshop, 11 Feb 2027 9:00-17:00 CET, Essen, capacity 40",),
        )
    )
    sub(Subcommand("edit", "change a meeting (a form, filled in)", edit, usage="edit <number>", organiser_only=True))
    sub(
        Subcommand(
            "cancel", "cancel a meeting, after you confirm", cancel, usage="cancel <number>", organiser_only=True
        )
    )
    sub(
        Subcommand(
            "announce",
            "post the meeting's card, with its buttons, to the group channel",
            announce,
            usage="announce <number>",
            organiser_only=True,
        )
    )
    sub(
        Subcommand(
            "attendees",
            "who is coming, online, waiting and not coming; add `csv` for a file",
            attendees,
            usage="attendees <number> [csv]",
            organiser_only=True,
        )
    )
    sub(
        Subcommand(
            "reminders",
            "whether meeting reminders come to you by direct message; `off` or `on` to change it",
            reminders,
            usage="reminders [off|on]",
            examples=("reminders off",),
        )
    )
    sub(Subcommand("faq", "the group's frequently asked questions", list_faq))
    sub(
        Subcommand(
            "faq add",
            "add a question and its answer",
            add_faq,
            usage="faq add question | answer | keywords",
            organiser_only=True,
        )
    )
    sub(Subcommand("faq remove", "remove a question", remove_faq, usage="faq remove <number>", organiser_only=True))
    router.register(app, deps)
    deps.registry.scopes.add("files:write")  # calendar files and attendee lists go to direct messages

    for action_id, answer in views.RSVP_ACTIONS.items():
        register_action(app, deps, action_id, rsvp(deps), f"answer a meeting: {answer}")
    register_action(app, deps, views.CALENDAR_FILE, send_calendar_file(deps), "get a meeting's calendar file")
    app.action(views.GOOGLE_CALENDAR)(lambda ack: ack())  # a link: Slack opens it; nothing to do
    register_action(app, deps, QUICK_SAVE, quick_save(deps), "save a meeting typed on one line", organiser_only=True)
    register_action(app, deps, QUICK_FORM, quick_form(deps), "finish a meeting in the form", organiser_only=True)
    register_action(app, deps, QUICK_DISCARD, discard, "discard a meeting typed on one line")
    register_action(app, deps, CANCEL_CONFIRM, confirm_cancel(deps), "cancel a meeting", organiser_only=True)
    register_action(app, deps, CANCEL_KEEP, discard, "keep a meeting after all")
    register_action(app, deps, ANNOUNCE, announce_pressed(deps), "announce a meeting", organiser_only=True)
    register_action(app, deps, CREATE, open_new_form(deps), "open the new-meeting form", organiser_only=True)
    register_action(app, deps, EDIT, open_edit_form(deps), "open a meeting's form", organiser_only=True)
    register_action(app, deps, ATTENDEES_CSV, attendees_csv(deps), "download attendees as CSV", organiser_only=True)
    deps.registry.add_action(ActionSpec(Kind.VIEW, form.CALLBACK_ID, "save a meeting from the form", True))
    app.view(form.CALLBACK_ID)(save_form(app, deps))
    deps.home_sections.append(home_section)


# Members' commands ----------------------------------------------------------------------------


def list_upcoming(call: Call) -> None:
    """List upcoming meetings with their buttons."""
    deps = call.deps
    with deps.sessions() as session:
        meetings = store.upcoming_meetings(session=session, now=deps.clock(), limit=LIST_LIMIT + 1)
        shown = meetings[:LIST_LIMIT]
        ids = [m.id for m in shown if m.id is not None]
        counts = store.counts_for(session=session, meeting_ids=ids)
        answers = store.answers_of(session=session, slack_id=call.user_id, meeting_ids=ids)
    if not shown:
        call.reply(nothing_planned(deps, call.user_id))
        return
    body: list[blocks.Block] = [
        blocks.section(f"*Upcoming meetings* ({len(shown)}{'+' if len(meetings) > len(shown) else ''})")
    ]
    for meeting in shown:
        body += [blocks.divider(), *views.entry(meeting, counts[meeting.id or 0], answers.get(meeting.id or 0))]
    if len(meetings) > len(shown):
        body.append(blocks.context(f"Showing the first {LIST_LIMIT}. `/meetings <number>` shows any one in full."))
    if deps.settings.feed_url:
        body.append(blocks.context(subscribe_text(deps)))
    text = "Upcoming meetings:\n" + "\n".join(
        f"#{m.id} {m.title}: {views.when_plain(m)}, {views.place_plain(m)}" for m in shown
    )
    call.reply(blocks.escape(text), body)


def subscribe_text(deps: Deps) -> str:
    """The line that offers the calendar feed, which keeps every meeting current in one's calendar."""
    return f":calendar: {blocks.link(deps.settings.feed_url, 'Subscribe to all meetings')} in your calendar app."


def nothing_planned(deps: Deps, user_id: str) -> str:
    """What to say when no meeting is planned."""
    text = "No meetings are planned yet."
    if deps.people.is_organiser(user_id):
        text += " Create one with `/meetings add`."
    return text


def show_next(call: Call) -> None:
    """Show the next meeting in full."""
    with call.deps.sessions() as session:
        meeting = store.next_meeting(session=session, now=call.deps.clock())
    if meeting is None:
        call.reply(nothing_planned(call.deps, call.user_id))
        return
    _show(call, meeting)


def show_one(call: Call) -> None:
    """Show one meeting in full."""
    meeting = _meeting_named(call)
    if meeting is not None:
        _show(call, meeting)


def _show(call: Call, meeting: Meeting) -> None:
    with call.deps.sessions() as session:
        counts = store.counts(session=session, meeting_id=meeting.id or 0)
        mine = store.registration_of(session=session, meeting_id=meeting.id or 0, slack_id=call.user_id)
    answer = Attendance(mine.attendance) if mine else None
    now = call.deps.clock()
    body = views.details(meeting, counts, answer, now=now)
    if meeting.ends_at <= now:
        body = [b for b in body if b.get("type") != "actions"]
    if call.deps.people.is_organiser(call.user_id) and not meeting.is_cancelled and meeting.ends_at > now:
        body.append(organiser_buttons(meeting))
    text = f"{meeting.title} (#{meeting.id}): {views.when_plain(meeting)}, {views.place_plain(meeting)}"
    call.reply(blocks.escape(text), body)


def list_past(call: Call) -> None:
    """List meetings that have taken place, most recent first."""
    with call.deps.sessions() as session:
        meetings = store.past_meetings(session=session, now=call.deps.clock(), limit=LIST_LIMIT)
        counts = store.counts_for(session=session, meeting_ids=[m.id for m in meetings if m.id is not None])
    if not meetings:
        call.reply("No meetings have taken place yet.")
        return
    body: list[blocks.Block] = [blocks.section("*Past meetings*")]
    for meeting in meetings:
        count = counts[meeting.id or 0]
        came = [f"{count.in_person} in person"] if meeting.has_places else []
        came += [f"{count.online} online"] if meeting.is_online else []
        body += [
            blocks.section(f"{views.title_line(meeting)}\n{views.when_text(meeting)}\n{views.place_text(meeting)}"),
            blocks.context("Registered: " + ", ".join(came)),
        ]
    text = "Past meetings:\n" + "\n".join(f"#{m.id} {m.title}: {views.when_plain(m)}" for m in meetings)
    call.reply(blocks.escape(text), body)


def _meeting_named(call: Call, *, usage: str = "") -> Meeting | None:
    """The meeting whose number the command gives, or None after telling the person what was wrong."""
    number = meeting_number(call.args)
    command = f"/meetings {usage}".strip()
    if number is None:
        said = f" (I read: {blocks.escape(call.args[:50])})" if call.args else ""
        call.reply(
            f"Which meeting? Give its number, e.g. `{command.replace('<number>', '3')}`{said}. "
            "`/meetings` lists them with their numbers."
        )
        return None
    with call.deps.sessions() as session:
        meeting = store.get_meeting(session=session, meeting_id=number)
    if meeting is None:
        call.reply(f"There is no meeting #{number}. `/meetings` lists the upcoming ones with their numbers.")
    return meeting


# Registration ---------------------------------------------------------------------------------


def pressed_meeting(deps: Deps, body: dict[str, Any]) -> Meeting | None:
    """The meeting whose button was pressed, if it still exists."""
    number = meeting_number(pressed_value(body))
    if number is None:
        return None
    with deps.sessions() as session:
        return store.get_meeting(session=session, meeting_id=number)


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


def tell_promoted(deps: Deps, client: WebClient, meeting: Meeting, promoted: tuple[str, ...]) -> None:
    """Tell the people who moved up from the waitlist that they have a place."""
    for slack_id in promoted:
        text = (
            f":tada: Good news: a place freed up at *{blocks.escape(meeting.title)}*, {views.when_text(meeting)}. "
            "You've moved up from the waitlist and are registered to come in person. "
            "If you can't make it any more, press *Can't come* so the next person gets the place."
        )
        _direct_message(client, slack_id, text, views.meeting_actions(meeting, Attendance.IN_PERSON, where="dm"))


def _direct_message(client: WebClient, slack_id: str, text: str, extra: list[blocks.Block] | None = None) -> bool:
    try:
        client.chat_postMessage(channel=slack_id, **blocks.message(text, [blocks.section(text), *(extra or [])]))
    except SlackApiError as error:
        logger.warning("could not send %s a direct message: %s", slack_id, error.response.get("error"))
        return False
    return True


_card_locks: defaultdict[int, threading.Lock] = defaultdict(threading.Lock)


def refresh_card(deps: Deps, client: WebClient, meeting_id: int) -> None:
    """Update the meeting's announcement card in place, from what the store holds now."""
    with _card_locks[meeting_id]:  # counts read and card written in one step, so the last update is the newest
        with deps.sessions() as session:
            meeting = store.get_meeting(session=session, meeting_id=meeting_id)
            if meeting is None or not meeting.card_ts or not meeting.card_channel:
                return
            counts = store.counts(session=session, meeting_id=meeting_id)
        try:
            client.chat_update(channel=meeting.card_channel, ts=meeting.card_ts, **views.card(meeting, counts))
        except SlackApiError as error:
            logger.warning("could not update the card of meeting %s: %s", meeting_id, error.response.get("error"))


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


# Organisers' commands -------------------------------------------------------------------------


def add(call: Call) -> None:
    """Open the new-meeting form, or understand a one-line meeting and show it before saving."""
    person = call.deps.people.resolve(call.client, call.user_id)
    if not call.args:
        _open_form(call.deps, call.client, call.trigger_id, None, person, reply_to=call.channel_id)
        return
    settings = call.deps.settings
    try:
        quick = parse_quick(
            call.args,
            default_zone=person.tz or settings.group_timezone,
            group_zone=settings.group_timezone,
            now=call.deps.clock(),
        )
        form.check(quick.draft, now=call.deps.clock())
    except QuickMeetingError as error:
        problems = "\n".join(f"• {p}" for p in error.problems)
        call.reply(f"I couldn't make a meeting of that, so nothing was saved:\n{problems}\n{QUICK_HELP}")
        return
    except forms.FormErrors as error:
        call.reply(f"That meeting isn't right yet, so nothing was saved:\n{error.as_text(form.LABELS)}\n{QUICK_HELP}")
        return
    call.reply(*_preview(quick.draft, quick.notes))


QUICK_HELP = (
    "Write it as: title, date and times with a zone, city, capacity. For example: "
    "`/meetings add Essen workshop, 11 Feb 2027 9:00-17:00 CET, Essen, capacity 40`. "
    "Or type `/meetings add` alone for the form."
)


def _preview(draft: MeetingDraft, notes: tuple[str, ...]) -> tuple[str, list[blocks.Block]]:
    value = form.draft_to_json(draft)
    text = "Here is what I understood:\n" + form.summary(draft)
    body = [blocks.section(text)]
    if notes:
        body.append(blocks.context(*[blocks.escape(n) for n in notes]))
    buttons = [blocks.button("Open in the form", QUICK_FORM, value), blocks.button("Discard", QUICK_DISCARD, "x")]
    if len(value) <= 2000:  # a button's value holds at most 2,000 characters
        buttons.insert(0, blocks.button("Save", QUICK_SAVE, value, style="primary"))
    body.append(blocks.actions(*buttons, block_id="meeting-quick"))
    return text, body


def quick_save(deps: Deps) -> Any:
    """Save the meeting shown in a preview."""

    def save(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
        try:
            draft = form.draft_from_json(pressed_value(body))
            form.check(draft, now=deps.clock())
        except forms.FormErrors as error:
            respond(replace_original=True, **blocks.notice(f"Not saved:\n{error.as_text(form.LABELS)}\n{QUICK_HELP}"))
            return
        except (ValueError, TypeError):
            respond(replace_original=True, **blocks.notice("That preview is out of date; nothing was saved."))
            return
        with deps.sessions() as session:
            meeting = store.create_meeting(
                session=session, draft=draft, created_by=body["user"]["id"], now=deps.clock()
            )
        planning.plan_meeting(deps, meeting.id or 0)
        text = f":white_check_mark: Saved as meeting #{meeting.id}: *{blocks.escape(meeting.title)}*."
        respond(replace_original=True, **blocks.message(text, [blocks.section(text), organiser_buttons(meeting)]))

    return save


def quick_form(deps: Deps) -> Any:
    """Open the form filled with a preview's meeting."""

    def open_it(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
        draft = form.draft_from_json(pressed_value(body))
        person = deps.people.resolve(client, body["user"]["id"])
        _open_form(deps, client, body["trigger_id"], draft, person, meeting_id=None)

    return open_it


def discard(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
    """Remove a preview or a confirmation: nothing is saved or changed."""
    if body.get("response_url"):
        respond(delete_original=True)


def _open_form(
    deps: Deps,
    client: WebClient,
    trigger_id: str,
    draft: MeetingDraft | None,
    person: Person,
    *,
    meeting_id: int | None = None,
    reply_to: str = "",
) -> None:
    offsets = ",".join(format_offset(o) for o in deps.settings.reminder_offsets)
    zone = person.tz or deps.settings.group_timezone
    initial = form.initial_values(draft, zone=zone, default_offsets=offsets)
    client.views_open(trigger_id=trigger_id, view=form.modal(initial, meeting_id=meeting_id, reply_to=reply_to))


def open_new_form(deps: Deps) -> Any:
    """The App Home button that opens the new-meeting form."""

    def open_it(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
        person = deps.people.resolve(client, body["user"]["id"])
        _open_form(deps, client, body["trigger_id"], None, person)

    return open_it


def open_edit_form(deps: Deps) -> Any:
    """The Edit button: the form, filled with the meeting."""

    def open_it(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
        meeting = pressed_meeting(deps, body)
        if meeting is None or meeting.is_cancelled:
            answer_press(deps, body, client, respond, "That meeting no longer exists or was cancelled.")
            return
        person = deps.people.resolve(client, body["user"]["id"])
        _open_form(deps, client, body["trigger_id"], MeetingDraft.of(meeting), person, meeting_id=meeting.id)

    return open_it


def edit(call: Call) -> None:
    """Open the form filled with the meeting."""
    meeting = _meeting_named(call, usage="edit <number>")
    if meeting is None:
        return
    if meeting.is_cancelled:
        call.reply(
            f"Meeting #{meeting.id} was cancelled, so it can't be edited. Create a new one with `/meetings add`."
        )
        return
    person = call.deps.people.resolve(call.client, call.user_id)
    _open_form(
        call.deps,
        call.client,
        call.trigger_id,
        MeetingDraft.of(meeting),
        person,
        meeting_id=meeting.id,
        reply_to=call.channel_id,
    )


def save_form(app: App, deps: Deps) -> Any:
    """The form's submission: checked field by field, saved, then cards and registrants brought up to date."""

    def submitted(ack: Any, body: dict[str, Any], client: WebClient, context: Any) -> None:
        if not organiser_submission(deps, body, ack):
            return
        user_id = body["user"]["id"]
        view = body["view"]
        meeting_id = view_metadata(view).get("meeting_id")
        now = deps.clock()
        old = None
        if meeting_id:
            with deps.sessions() as session:
                old = store.get_meeting(session=session, meeting_id=int(meeting_id))
            if old is None or old.is_cancelled:
                ack(response_action="update", view=error_view("That meeting no longer exists or was cancelled."))
                return
        try:
            draft = form.parse_form(
                forms.submitted_values(view.get("state") or {}), now=now, keep_start=old.starts_at if old else None
            )
        except forms.FormErrors as error:
            ack(response_action="errors", errors=error.errors)
            return
        change = None
        with deps.sessions() as session:
            if old is not None:
                change = store.update_meeting(session=session, meeting_id=old.id or 0, draft=draft, now=now)
                meeting = change.meeting if change else old
            else:
                meeting = store.create_meeting(session=session, draft=draft, created_by=user_id, now=now)
        ack(response_action="update", view=saved_view(meeting, edited=old is not None))

        def bring_up_to_date(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
            planning.plan_meeting(deps, meeting.id or 0)  # its reminders: planned, moved or unchanged
            if change is None or not change.changed:
                return
            refresh_card(deps, client, meeting.id or 0)
            if change.time_or_place:
                tell_registrants(deps, client, meeting, changed=True)
            tell_promoted(deps, client, meeting, change.promoted)

        after_ack(app, bring_up_to_date, body=body, client=client, respond=None, context=context)

    return submitted


def saved_view(meeting: Meeting, *, edited: bool) -> dict[str, Any]:
    """The modal shown once a meeting is saved: what was saved and what to do next."""
    verb = "Changes saved" if edited else "Meeting saved"
    text = (
        f":white_check_mark: {verb}: *{blocks.escape(meeting.title)}* is meeting #{meeting.id}.\n"
        f"{views.when_text(meeting)}\n{views.place_text(meeting)}"
    )
    body = [blocks.section(text)]
    if not meeting.card_ts:
        body.append(
            blocks.actions(blocks.button("Announce in the group channel", ANNOUNCE, str(meeting.id), style="primary"))
        )
    else:
        body.append(blocks.context("Its card in the group channel has been updated."))
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": verb},
        "close": {"type": "plain_text", "text": "Done"},
        "blocks": body,
    }


def tell_registrants(deps: Deps, client: WebClient, meeting: Meeting, *, changed: bool) -> int:
    """Tell everyone registered that the meeting moved or was cancelled; return how many were told."""
    with deps.sessions() as session:
        people = store.registrant_ids(session=session, meeting_id=meeting.id or 0)
    title = f"*{blocks.escape(meeting.title)}*"
    if meeting.is_cancelled:
        text = f":x: {title}, {views.when_text(meeting)}, has been *cancelled*. Sorry for the change of plans."
        extra: list[blocks.Block] = []
    else:
        text = (
            f":pushpin: {title} has changed. It is now {views.when_text(meeting)}\n{views.place_text(meeting)}\n"
            "Your registration stands; if you can no longer come, press *Can't come*. "
            "The new calendar file updates the meeting in your calendar."
        )
        extra = views.meeting_actions(meeting, where="dm")
    return sum(_direct_message(client, slack_id, text, extra) for slack_id in people)


def cancel(call: Call) -> None:
    """Ask the organiser to confirm cancelling a meeting."""
    meeting = _meeting_named(call, usage="cancel <number>")
    if meeting is None:
        return
    if meeting.is_cancelled:
        call.reply(f"Meeting #{meeting.id} is already cancelled. Nothing was changed.")
        return
    with call.deps.sessions() as session:
        told = len(store.registrant_ids(session=session, meeting_id=meeting.id or 0))
    text = (
        f"Cancel *{blocks.escape(meeting.title)}* (#{meeting.id}), {views.when_text(meeting)}? "
        f"The {told} people registered will be told, and its card will say it is cancelled."
    )
    confirm = blocks.button("Cancel the meeting", CANCEL_CONFIRM, str(meeting.id), style="danger")
    confirm["confirm"] = {
        "title": {"type": "plain_text", "text": "Cancel this meeting?"},
        "text": {"type": "plain_text", "text": blocks.clip(f"{meeting.title} will be cancelled for everyone.", 300)},
        "confirm": {"type": "plain_text", "text": "Cancel it"},
        "deny": {"type": "plain_text", "text": "Keep it"},
        "style": "danger",
    }
    keep = blocks.button("Keep it", CANCEL_KEEP, str(meeting.id))
    call.reply(blocks.escape(f"Cancel {meeting.title}?"), [blocks.section(text), blocks.actions(confirm, keep)])


def confirm_cancel(deps: Deps) -> Any:
    """Cancel the meeting, update its card, and tell the registrants."""

    def cancel_it(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
        before = pressed_meeting(deps, body)
        if before is None or before.is_cancelled:
            respond(replace_original=True, **blocks.notice("That meeting is already cancelled or gone."))
            return
        with deps.sessions() as session:
            meeting = store.cancel_meeting(session=session, meeting_id=before.id or 0, now=deps.clock())
        assert meeting is not None
        planning.plan_meeting(deps, meeting.id or 0)  # its pending reminders and announcements are cancelled
        refresh_card(deps, client, meeting.id or 0)
        told = tell_registrants(deps, client, meeting, changed=True)
        respond(
            replace_original=True,
            **blocks.notice(
                f":x: *{blocks.escape(meeting.title)}* (#{meeting.id}) is cancelled. "
                f"I told the {told} people registered{' and updated its card' if meeting.card_ts else ''}."
            ),
        )

    return cancel_it


def announce(call: Call) -> None:
    """Post the meeting's card to the group channel."""
    meeting = _meeting_named(call, usage="announce <number>")
    if meeting is not None:
        call.reply(post_card(call.deps, call.client, meeting))


def announce_pressed(deps: Deps) -> Any:
    """The Announce button (in App Home, a saved meeting's modal, or a preview)."""

    def announce_it(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
        meeting = pressed_meeting(deps, body)
        text = post_card(deps, client, meeting) if meeting else "That meeting no longer exists."
        view = body.get("view") or {}
        if view.get("type") == "modal":
            done = {
                "type": "modal",
                "title": {"type": "plain_text", "text": "Announced"},
                "close": {"type": "plain_text", "text": "Done"},
                "blocks": [blocks.section(text)],
            }
            client.views_update(view_id=view["id"], view=done)
            return
        answer_press(deps, body, client, respond, text)

    return announce_it


def post_card(deps: Deps, client: WebClient, meeting: Meeting) -> str:
    """Post (or bring up to date) the meeting's card in the group channel; say what happened."""
    channel = deps.settings.group_channel
    if not channel:
        return "GROUP_CHANNEL is not set, so there is no group channel to announce in. Ask the operator to set it."
    if meeting.is_cancelled:
        return f"Meeting #{meeting.id} is cancelled; there is nothing to announce."
    if meeting.ends_at <= deps.clock():
        return f"Meeting #{meeting.id} has already taken place; there is nothing to announce."
    if meeting.card_ts and meeting.card_channel:
        refresh_card(deps, client, meeting.id or 0)
        title = blocks.escape(meeting.title)
        return f"*{title}* was announced already in <#{meeting.card_channel}>; its card is up to date."
    with deps.sessions() as session:
        counts = store.counts(session=session, meeting_id=meeting.id or 0)
    posted = client.chat_postMessage(channel=channel, unfurl_links=False, **views.card(meeting, counts))
    with deps.sessions() as session:
        store.set_card(session=session, meeting_id=meeting.id or 0, channel=posted["channel"], ts=posted["ts"])
    title = blocks.escape(meeting.title)
    return f":mega: Announced *{title}* in <#{channel}>. Its card updates itself as people register."


def attendees(call: Call) -> None:
    """Who answered what, privately; with `csv`, as a file too."""
    meeting = _meeting_named(call, usage="attendees <number>")
    if meeting is None:
        return
    with call.deps.sessions() as session:
        rows = store.attendees(session=session, meeting_id=meeting.id or 0)
        counts = store.counts(session=session, meeting_id=meeting.id or 0)
    groups: dict[str, list[str]] = defaultdict(list)
    for registration, person in rows:
        mark = "" if person.is_member else " (not a member)"
        groups[registration.attendance].append(f"{person.mention}{mark}")
    lines = [f"*{blocks.escape(meeting.title)}* (#{meeting.id}): {views.counts_text(meeting, counts)}"]
    for attendance, label in (
        (Attendance.IN_PERSON, "In person"),
        (Attendance.ONLINE, "Online"),
        (Attendance.WAITLISTED, "Waitlist, in the order places are given"),
        (Attendance.NOT_COMING, "Not coming"),
    ):
        names = groups.get(attendance, [])
        if names:
            shown = ", ".join(f"{i}. {n}" if attendance == Attendance.WAITLISTED else n for i, n in enumerate(names, 1))
            lines.append(f"*{label}* ({len(names)}): {blocks.clip(shown, 2500)}")
    if not rows:
        lines.append("Nobody has answered yet.")
    body = [blocks.section("\n".join(lines))]
    if call.args.split()[1:2] == ["csv"]:
        send_attendees_csv(call.deps, call.client, call.user_id, meeting, rows)
        body.append(blocks.context("The CSV file is in your direct messages."))
    else:
        body.append(
            blocks.actions(blocks.button("Download as CSV", ATTENDEES_CSV, str(meeting.id)), block_id="attendees")
        )
    call.reply("\n".join(lines), body)


def attendees_rows_csv(meeting: Meeting, rows: list[tuple[Any, Person]]) -> str:
    """The attendees of a meeting as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["meeting", "slack_id", "name", "attendance", "member", "answered_at"])
    for registration, person in rows:
        writer.writerow(
            [
                meeting.id,
                person.slack_id,
                safe_cell(person.display_name),
                registration.attendance,
                "yes" if person.is_member else "no",
                registration.answered_at.isoformat(),
            ]
        )
    return out.getvalue()


def send_attendees_csv(
    deps: Deps, client: WebClient, user_id: str, meeting: Meeting, rows: list[tuple[Any, Person]]
) -> None:
    """Upload the attendees' CSV to the organiser's direct messages."""
    channel = client.conversations_open(users=user_id)["channel"]["id"]
    client.files_upload_v2(
        channel=channel,
        filename=f"meeting-{meeting.id}-attendees.csv",
        title=f"Attendees of {meeting.title}",
        content=attendees_rows_csv(meeting, rows),
        initial_comment=f"Attendees of *{blocks.escape(meeting.title)}* (#{meeting.id}).",
    )


def attendees_csv(deps: Deps) -> Any:
    """The Download as CSV button."""

    def send(body: dict[str, Any], client: WebClient, respond: Any, context: Any) -> None:
        meeting = pressed_meeting(deps, body)
        if meeting is None:
            answer_press(deps, body, client, respond, "That meeting no longer exists.")
            return
        with deps.sessions() as session:
            rows = store.attendees(session=session, meeting_id=meeting.id or 0)
        send_attendees_csv(deps, client, body["user"]["id"], meeting, rows)
        answer_press(deps, body, client, respond, "The CSV file is in your direct messages.")

    return send


# FAQ --------------------------------------------------------------------------------------------


def reminders(call: Call) -> None:
    """Show, or turn on or off, the person's meeting reminders by direct message."""
    word = call.args.strip().lower()
    if word not in ("", "on", "off"):
        call.reply(
            f"`/meetings reminders` takes `off` or `on` (not “{blocks.escape(blocks.clip(word, 40))}”). "
            "For example: `/meetings reminders off`."
        )
        return
    with call.deps.sessions() as session:
        if word:
            person = people_store.set_reminders(session=session, slack_id=call.user_id, wanted=word == "on")
        else:
            person = people_store.ensure_person(session=session, slack_id=call.user_id)
            session.commit()
        wanted = person.reminders
    offsets = ", ".join(format_offset(offset) for offset in call.deps.settings.reminder_offsets)
    if wanted:
        state = f"*on*: before each meeting you registered for ({offsets} before, unless a meeting says otherwise)"
        change = "`/meetings reminders off` stops them."
    else:
        state = "*off*: you get no reminders by direct message; the group channel still has them"
        change = "`/meetings reminders on` starts them again."
    prefix = ":white_check_mark: Done. " if word else ""
    call.reply(f"{prefix}Meeting reminders by direct message are {state}. {change}")


def list_faq(call: Call) -> None:
    """List the FAQ."""
    with call.deps.sessions() as session:
        entries = faq_store.list_faq(session=session)
    if not entries:
        hint = f" Add one: {FAQ_USAGE}" if call.deps.people.is_organiser(call.user_id) else ""
        call.reply(f"The FAQ is empty so far.{hint}")
        return
    lines = [f"*{e.id}. {blocks.escape(e.question)}*\n{blocks.escape(e.answer)}" for e in entries]
    body = [blocks.section("*Frequently asked questions*")] + [blocks.section(line) for line in lines[:45]]
    body.append(blocks.context("You can also just ask me: mention me or send me a direct message."))
    call.reply("Frequently asked questions:\n" + "\n".join(lines), body)


def add_faq(call: Call) -> None:
    """Add a question, its answer and its keywords."""
    parts = [part.strip() for part in call.args.split("|")]
    if len(parts) < 2 or not parts[0] or not parts[1]:
        call.reply(
            f"Give the question and its answer separated by |, and keywords after another | if you like: {FAQ_USAGE}"
        )
        return
    question, answer = parts[0], parts[1]
    keywords = ", ".join(
        word.strip().lower() for word in "|".join(parts[2:]).replace("|", ",").split(",") if word.strip()
    )
    problems = []
    if len(question) > 300:
        problems.append(f"the question has {len(question)} characters; at most 300")
    if len(answer) > 3000:
        problems.append(f"the answer has {len(answer)} characters; at most 3,000")
    if len(keywords) > 500:
        problems.append("the keywords take more than 500 characters")
    if problems:
        call.reply(f"Nothing was added: {'; '.join(problems)}.")
        return
    with call.deps.sessions() as session:
        entry = faq_store.add_faq(
            session=session,
            question=question,
            answer=answer,
            keywords=keywords,
            created_by=call.user_id,
            now=call.deps.clock(),
        )
    call.reply(
        f":white_check_mark: Added FAQ {entry.id}: *{blocks.escape(question)}*\n{blocks.escape(answer)}\n"
        f"Keywords: {blocks.escape(keywords) or 'none'}. People who ask me about it now get this answer."
    )


def remove_faq(call: Call) -> None:
    """Remove a question from the FAQ."""
    number = meeting_number(call.args)
    if number is None:
        call.reply("Which question? Give its number, e.g. `/meetings faq remove 2`; `/meetings faq` lists them.")
        return
    with call.deps.sessions() as session:
        entry = faq_store.remove_faq(session=session, entry_id=number)
    if entry is None:
        call.reply(f"There is no FAQ entry {number}, so nothing was removed. `/meetings faq` lists them.")
        return
    call.reply(f":wastebasket: Removed FAQ {number}: {blocks.escape(entry.question)}")


# App Home -------------------------------------------------------------------------------------


def organiser_buttons(meeting: Meeting) -> blocks.Block:
    """What organisers can do with a meeting from where they see it."""
    buttons = [blocks.button("Edit", EDIT, str(meeting.id))]
    if not meeting.card_ts:
        buttons.insert(0, blocks.button("Announce", ANNOUNCE, str(meeting.id), style="primary"))
    buttons.append(blocks.button("Attendees (CSV)", ATTENDEES_CSV, str(meeting.id)))
    return blocks.actions(*buttons, block_id=f"meeting-{meeting.id}-organise")


def home_section(person: Person, deps: Deps) -> list[blocks.Block]:
    """Upcoming meetings with their buttons, the reader's registrations, and organisers' buttons."""
    now = deps.clock()
    with deps.sessions() as session:
        meetings = store.upcoming_meetings(session=session, now=now, limit=HOME_LIMIT)
        ids = [m.id for m in meetings if m.id is not None]
        counts = store.counts_for(session=session, meeting_ids=ids)
        answers = store.answers_of(session=session, slack_id=person.slack_id, meeting_ids=ids)
        mine = store.registrations_of(session=session, slack_id=person.slack_id, now=now)
    body: list[blocks.Block] = [blocks.header("Upcoming meetings")]
    if person.is_organiser:
        body.append(
            blocks.actions(blocks.button("New meeting", CREATE, "new", style="primary"), block_id="meetings-organise")
        )
    if not meetings:
        body.append(blocks.section("No meetings are planned yet."))
    for meeting in meetings:
        body += views.entry(meeting, counts[meeting.id or 0], answers.get(meeting.id or 0), where="home")
        if person.is_organiser:
            body.append(organiser_buttons(meeting))
    if deps.settings.feed_url:
        body.append(blocks.context(subscribe_text(deps)))
    body.append(blocks.header("My registrations"))
    if mine:
        lines = [
            f"• {views.title_line(meeting)}: {views.ANSWER_LABELS[answer]}, {views.when_text(meeting)}"
            for meeting, answer in mine[:10]
        ]
        body.append(blocks.section("\n".join(lines)))
    else:
        body.append(blocks.section("You haven't registered for any upcoming meeting."))
    return body
