"""Answers to questions in plain words, built from what the store holds: data in, a message out.

Every answer names the meeting it is about, so that nobody mistakes it for another one. Times are
written for each reader's own zone, with the meeting's zone beside them. Text from people (the
question's words, titles, places, the organisers' FAQ) is escaped: it shows as written and can
never ping anyone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from bot.language.matching import meetings_matching
from bot.language.understanding import MeetingHint, Question, Topic
from bot.views import blocks
from bot.views.meetings import (
    ANSWER_LABELS,
    date_token,
    entry,
    local,
    meeting_actions,
    place_plain,
    place_text,
    title_line,
    when_plain,
    when_text,
)
from store.meetings import Counts
from store.models import Attendance, FaqEntry, Meeting

LIST_LIMIT = 5  # meetings named in one answer

DONT_KNOW = (
    "I don't know the answer to that. I can tell you when and where meetings are, how to join online, "
    "what's on the agenda, whether you're registered, how many places are left, and answer the group's FAQ "
    "— or try `/meetings`."
)
WHAT_I_DO = (
    "Ask me about the group's meetings in plain words: “when is the next meeting?”, “where is it?”, "
    "“is there a video link?”, “what's on the agenda?”, “am I registered?”, “how many places are left?”, "
    "“do I pay for travel?”. Or use `/meetings` for the meetings, `/practice` to share or find practices, "
    "and `/tci help` for everything else."
)


def answer(
    question: Question,
    *,
    meeting: Meeting | None,
    counts: Counts | None,
    my_answer: Attendance | None,
    faq: FaqEntry | None,
    upcoming: Sequence[Meeting],
    user_id: str,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Build the reply to a question from the meeting, the counts, the asker's answer and the FAQ entry found.

    `now` tells whether a registration deadline has passed; without it, deadlines are only shown.
    """
    topic = question.topic
    if faq is not None and topic in (Topic.FAQ, Topic.UNKNOWN):
        return faq_answer(faq)
    if topic in (Topic.FAQ, Topic.UNKNOWN):
        return blocks.notice(DONT_KNOW)
    if topic == Topic.GREETING:
        return greeting(question, user_id)
    if topic == Topic.LIST:
        return list_answer(question.hint, upcoming)
    if meeting is None:
        return no_meeting(question.hint, upcoming)
    over = meeting.ends_at <= now if now is not None else all(other.id != meeting.id for other in upcoming)
    if topic == Topic.HOW_TO_REGISTER:
        return how_to_register_answer(meeting, counts or Counts(), my_answer, over, now=now)
    build = BUILDERS[topic]
    return build(meeting, counts or Counts(), my_answer, over)


def greeting(question: Question, user_id: str) -> dict[str, Any]:
    """A short friendly answer that says what the bot can do."""
    opening = "You're welcome!" if question.thanks else f"Hi <@{user_id}>!"
    return blocks.notice(f"{opening} {WHAT_I_DO}")


def faq_answer(faq: FaqEntry) -> dict[str, Any]:
    """The organisers' answer to a question they answered before."""
    text = f"*{blocks.escape(faq.question)}*\n{blocks.escape(faq.answer)}"
    return blocks.notice(blocks.clip(text))


def upcoming_line(meetings: Sequence[Meeting]) -> str:
    """The next few meetings in one line, or that there are none."""
    if not meetings:
        return "There are no upcoming meetings planned yet."
    named = "; ".join(f"*{blocks.escape(m.title)}* (#{m.id}, {when_plain(m)})" for m in meetings[:LIST_LIMIT])
    more = f"; and {len(meetings) - LIST_LIMIT} more" if len(meetings) > LIST_LIMIT else ""
    return f"Upcoming: {named}{more}. `/meetings` lists them all."


def no_meeting(hint: MeetingHint, upcoming: Sequence[Meeting]) -> dict[str, Any]:
    """No meeting fits: say so plainly, and never answer about another one."""
    if hint.specific:
        wanted = blocks.escape(hint.describe())
        return blocks.notice(f"I couldn't find a meeting matching “{wanted}”. {upcoming_line(upcoming)}")
    if hint.past:
        return blocks.notice("No meeting has taken place yet. " + upcoming_line(upcoming))
    return blocks.notice("There are no upcoming meetings planned yet. Organisers add them with `/meetings`.")


def list_answer(hint: MeetingHint, upcoming: Sequence[Meeting]) -> dict[str, Any]:
    """Up to five upcoming meetings (those the question names, if it names some): title, when, where."""
    meetings = list(upcoming)
    if hint.specific:
        meetings = meetings_matching(hint, upcoming)
        if not meetings:
            return no_meeting(hint, upcoming)
    if not meetings:
        return no_meeting(MeetingHint(), upcoming)
    lines = [f"• {title_line(m)}: {when_text(m)} · {blocks.escape(place_plain(m))}" for m in meetings[:LIST_LIMIT]]
    heading = "Upcoming meetings:" if len(meetings) > 1 else "The one upcoming meeting:"
    text = "\n".join([heading, *lines])
    if len(meetings) > LIST_LIMIT:
        text += f"\n…and {len(meetings) - LIST_LIMIT} more: `/meetings` lists them all."
    return blocks.notice(text)


def _reply(text: str, meeting: Meeting, *, over: bool) -> dict[str, Any]:
    """The text, then (for a meeting still to come) its buttons: answer it, add it to a calendar."""
    body = [blocks.section(text)]
    if not over:
        body.extend(meeting_actions(meeting, where="answer"))
    return blocks.message(text, body)


def _with_entry(text: str, meeting: Meeting, counts: Counts, my_answer: Attendance | None) -> dict[str, Any]:
    """The text, then the meeting as in `/meetings`, with the asker's answer and the buttons to change it."""
    return blocks.message(text, [blocks.section(text), *entry(meeting, counts, my_answer, where="answer")])


def when_answer(meeting: Meeting, counts: Counts, my_answer: Attendance | None, over: bool) -> dict[str, Any]:
    """When the meeting is (and where, since the next question is usually that)."""
    verb = "was" if over else "is"
    text = f"{title_line(meeting)} {verb} on {when_text(meeting)}\n{place_text(meeting)}".rstrip()
    return _reply(text, meeting, over=over)


def where_answer(meeting: Meeting, counts: Counts, my_answer: Attendance | None, over: bool) -> dict[str, Any]:
    """Where the meeting is, and how to join it online when it can be."""
    verb = "was" if over else "is"
    place = blocks.escape(place_plain(meeting))
    lines = [
        f"{title_line(meeting)} {verb} online." if place == "online" else f"{title_line(meeting)} {verb} at {place}."
    ]
    if meeting.is_online and not over:
        lines.append(_join_line(meeting))
    lines.append(f":calendar: {when_text(meeting)}")
    return _reply("\n".join(lines), meeting, over=over)


def _join_line(meeting: Meeting) -> str:
    """The join link, or that it comes later."""
    if meeting.join_url:
        return f":computer: Online: {blocks.link(meeting.join_url, 'join link')}"
    return ":computer: Online (the join link comes later)"


def join_answer(meeting: Meeting, counts: Counts, my_answer: Attendance | None, over: bool) -> dict[str, Any]:
    """The join link, or why there is none."""
    title = title_line(meeting)
    if over:
        text = f"{title} is over: it was on {blocks.escape(when_plain(meeting))}."
    elif not meeting.is_online:
        text = (
            f"{title} is in person only; there is no video link. "
            f"It is at {blocks.escape(place_plain(meeting))}, {when_text(meeting)}"
        )
    elif meeting.join_url:
        text = (
            f"Join {title} online here: {blocks.link(meeting.join_url, 'join link')}\n:calendar: {when_text(meeting)}"
        )
    else:
        text = (
            f"The join link for {title} is not out yet; it will be on the meeting's card and in "
            f"`/meetings {meeting.id}` once the organisers add it.\n:calendar: {when_text(meeting)}"
        )
    return _reply(text, meeting, over=over)


def agenda_answer(meeting: Meeting, counts: Counts, my_answer: Attendance | None, over: bool) -> dict[str, Any]:
    """The agenda link, or the description, or that neither has been posted."""
    title = title_line(meeting)
    description = blocks.escape(blocks.clip(meeting.description, 1500)) if meeting.description else ""
    if meeting.agenda_url:
        text = f"The agenda for {title}: {blocks.link(meeting.agenda_url, 'Agenda')}"
        if description:
            text += f"\n{description}"
    elif description:
        text = f"No agenda has been posted yet for {title}; this is what it is about:\n{description}"
    else:
        text = f"No agenda has been posted yet for {title}."
    return _reply(text, meeting, over=over)


def registered_answer(meeting: Meeting, counts: Counts, my_answer: Attendance | None, over: bool) -> dict[str, Any]:
    """The asker's own answer to the meeting, with the buttons to give or change it."""
    title = title_line(meeting)
    if over:
        said = f"you answered: {ANSWER_LABELS[my_answer]}" if my_answer else "you had not answered"
        return blocks.notice(f"{title} is over; {said}.")
    sentences = {
        Attendance.IN_PERSON: f"You are registered to come in person to {title}.",
        Attendance.ONLINE: f"You are registered to join {title} online.",
        Attendance.WAITLISTED: (
            f"You are on the waitlist for an in-person place at {title}; you will be told as soon as one frees up."
        ),
        Attendance.NOT_COMING: f"You answered that you can't come to {title}. Changed your mind? Press a button below.",
    }
    text = sentences[my_answer] if my_answer else f"You have not answered {title} yet; press a button below."
    return _with_entry(text, meeting, counts, my_answer)


def places_answer(meeting: Meeting, counts: Counts, my_answer: Attendance | None, over: bool) -> dict[str, Any]:
    """How many in-person places are left, whether it is full, and the waitlist."""
    title = title_line(meeting)
    if over:
        return blocks.notice(f"{title} is over.")
    if not meeting.has_places:
        text = f"{title} is online only: there is no limit on places. {_people(counts.online)} joining online."
        return _reply(text, meeting, over=over)
    left = counts.places_left(meeting.capacity)
    coming = _people(counts.in_person)
    if left is None:
        text = f"There is no limit on in-person places for {title}; {coming.lower()} coming in person."
    elif left > 0:
        text = f"{left} of {meeting.capacity} in-person places are left for {title}."
    else:
        waiting = _people(counts.waitlisted)
        text = f"{title} is full: all {meeting.capacity} in-person places are taken; {waiting.lower()} on the waitlist."
        text += " Press *Attend in person* to join the waitlist"
        text += " or *Attend online* to join online." if meeting.is_online else "."
    if left is not None and left > 0 and counts.waitlisted:
        text += f" {_people(counts.waitlisted)} on the waitlist."
    return _reply(text, meeting, over=over)


def _people(number: int) -> str:
    """`No one is`, `1 person is`, `3 people are`."""
    if number == 0:
        return "No one is"
    return "1 person is" if number == 1 else f"{number} people are"


def how_to_register_answer(
    meeting: Meeting, counts: Counts, my_answer: Attendance | None, over: bool, *, now: datetime | None = None
) -> dict[str, Any]:
    """How to answer a meeting with the buttons, and the buttons themselves."""
    title = title_line(meeting)
    if over:
        return blocks.notice(f"{title} is over, so registration is closed. `/meetings` lists the upcoming ones.")
    choices = []
    if meeting.has_places:
        choices.append("*Attend in person*")
    if meeting.is_online:
        choices.append("*Attend online*")
    choices.append("*Can't come*")
    text = (
        f"To register for {title}, press {', '.join(choices[:-1])} or {choices[-1]} below "
        "(the same buttons are on the meeting's card in the channel and in `/meetings`). "
        "You can change your answer the same way at any time."
    )
    if meeting.has_places and meeting.capacity is not None:
        text += " When the in-person places are taken you join the waitlist; members have priority."
    deadline = meeting.registration_deadline
    if deadline is not None:
        stamp = date_token(deadline, "{date_short_pretty} {time}", f"{local(deadline, meeting):%-d %b %Y %H:%M %Z}")
        if now is not None and deadline <= now:
            return blocks.notice(
                f"Registration for {title} closed on {stamp}; ask one of the organisers if you still want to come."
            )
        text += f"\nRegistration closes {stamp}."
    if my_answer is not None:
        text += f"\nYour answer now: *{ANSWER_LABELS[my_answer]}*."
    return _with_entry(text, meeting, counts, my_answer)


Builder = Callable[[Meeting, Counts, Attendance | None, bool], dict[str, Any]]
BUILDERS: dict[Topic, Builder] = {
    Topic.WHEN: when_answer,
    Topic.WHERE: where_answer,
    Topic.JOIN: join_answer,
    Topic.AGENDA: agenda_answer,
    Topic.REGISTERED: registered_answer,
    Topic.PLACES: places_answer,
}
