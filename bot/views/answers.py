"""Answers to questions in plain words, built from what the store holds: data in, a message out.

Every answer names the meeting it is about, so that nobody mistakes it for another one. Times are
written for each reader's own zone, with the meeting's zone beside them. Text from people (the
question's words, titles, places, the organisers' FAQ) is escaped: it shows as written and can
never ping anyone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.language import i18n
from bot.language.i18n import N_, _, n_
from bot.language.matching import meetings_matching
from bot.language.repeats import Repeat
from bot.language.understanding import MeetingHint, Question, Topic
from bot.views import blocks
from bot.views import further_answers as further
from bot.views import recaps as recap_views
from bot.views.meetings import (
    ANSWER_LABELS,
    date_token,
    entry,
    local,
    meeting_actions,
    place_plain,
    place_text,
    repeats_line,
    title_line,
    when_plain,
    when_text,
)
from store.after_models import Recap
from store.meetings import Counts
from store.models import Attendance, FaqEntry, Meeting, MeetingKind, Person

LIST_LIMIT = 5  # meetings named in one answer

# Marked here, translated where said (`_(DONT_KNOW)`).
DONT_KNOW = N_(
    "I don't know the answer to that. I can tell you when and where meetings are, how to join online, "
    "what's on the agenda, whether you're registered, how many places are left, and answer the group's FAQ "
    "— or try `/meetings`."
)
WHAT_I_DO = N_(
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
    more: More | None = None,
) -> dict[str, Any]:
    """Build the reply to a question from the meeting, the counts, the asker's answer and the FAQ entry found.

    `now` tells whether a registration deadline has passed; without it, deadlines are only shown. `more`
    holds what the further questions need (one's meetings, the organisers, the meeting in progress).
    """
    topic = question.topic
    more = more or More()
    if faq is not None and topic in (Topic.FAQ, Topic.UNKNOWN):
        return faq_answer(faq, more.faq_text, more.faq_untranslated)
    if topic in (Topic.FAQ, Topic.UNKNOWN):
        return blocks.notice(_(DONT_KNOW))
    if topic == Topic.GREETING:
        return greeting(question, user_id)
    if topic == Topic.LIST:
        return list_answer(question.hint, upcoming)
    if topic in ELSEWHERE:
        return ELSEWHERE[topic](more, upcoming)
    if meeting is None:
        return no_meeting(question.hint, upcoming)
    over = meeting.ends_at <= now if now is not None else all(other.id != meeting.id for other in upcoming)
    if meeting.is_cancelled:
        return further.cancelled_answer(meeting, upcoming_line(upcoming))
    if topic == Topic.HOW_TO_REGISTER:
        return how_to_register_answer(meeting, counts or Counts(), my_answer, over, now=now)
    if topic == Topic.ATTENDEES:
        return further.attendees_answer(meeting, counts or Counts(), my_answer, more.named)
    if topic == Topic.TIME_IN and question.hint.zone:
        return further.time_in_answer(meeting, question.hint.zone, question.hint.zone_label, over=over)
    if topic == Topic.RECAP:
        return recap_views.ask_answer(meeting, more.recap, more.recap_part)
    if topic == Topic.REGISTERED and my_answer == Attendance.WAITLISTED and more.position and not over:
        return waiting_answer(meeting, counts or Counts(), more.position)
    build = BUILDERS.get(topic, when_answer)
    if build is when_answer:
        return when_answer(meeting, counts or Counts(), my_answer, over, rule=more.rule)
    return build(meeting, counts or Counts(), my_answer, over)


@dataclass(frozen=True)
class More:
    """What the answers beyond one meeting's facts are built from."""

    position: int | None = None  # the asker's place on the meeting's waitlist
    mine: tuple[tuple[Meeting, Attendance], ...] = ()
    organisers: tuple[Person, ...] = ()
    in_progress: tuple[Meeting, ...] = ()
    faq_text: tuple[str, str] | None = None  # the FAQ entry's question and answer in the answer's language
    faq_untranslated: str = ""  # the entry's own language, when no translation into the answer's exists
    rule: Repeat | None = None  # how the meeting's series repeats, for a meeting of a series
    recap: Recap | None = None  # the meeting's recap, for a question about its slides, recording or minutes
    recap_part: str = ""  # "slides", "recording", "minutes", or "" for all of it
    named: tuple[str, ...] = ()  # those coming who chose to be named to other members


ELSEWHERE: dict[Topic, Callable[[More, Sequence[Meeting]], dict[str, Any]]] = {
    Topic.MINE: lambda more, upcoming: further.mine_answer(more.mine),
    Topic.HOW_TO_SHARE: lambda more, upcoming: further.how_to_share_answer(),
    Topic.ORGANISERS: lambda more, upcoming: further.organisers_answer(more.organisers),
    Topic.NOW: lambda more, upcoming: further.now_answer(more.in_progress, upcoming_line(upcoming)),
}


def waiting_answer(meeting: Meeting, counts: Counts, position: int) -> dict[str, Any]:
    """The asker is on the waitlist: their place in it."""
    text = _(
        "You are number {position} on the waitlist for an in-person place at {title}; "
        "you will be told as soon as a place frees up.",
        position=position,
        title=title_line(meeting),
    )
    return _with_entry(text, meeting, counts, Attendance.WAITLISTED)


def greeting(question: Question, user_id: str) -> dict[str, Any]:
    """A short friendly answer that says what the bot can do."""
    opening = _("You're welcome!") if question.thanks else _("Hi <@{user}>!", user=user_id)
    return blocks.notice(f"{opening} {_(WHAT_I_DO)}")


def faq_answer(faq: FaqEntry, translated: tuple[str, str] | None = None, untranslated: str = "") -> dict[str, Any]:
    """The organisers' answer to a question they answered before, in the answer's language when translated.

    An entry with no translation into it answers in its own language, and says so.
    """
    question, said = translated or (faq.question, faq.answer)
    text = f"*{blocks.escape(question)}*\n{blocks.escape(said)}"
    if untranslated:
        text += "\n" + _(
            "_This answer is in {language}: the organisers have not translated it yet._",
            language=i18n.name_of(untranslated, in_language=i18n.language()),
        )
    return blocks.notice(blocks.clip(text))


def upcoming_line(meetings: Sequence[Meeting]) -> str:
    """The next few meetings in one line, or that there are none."""
    if not meetings:
        return _("There are no upcoming meetings planned yet.")
    named = "; ".join(
        _("*{title}* (#{number}, {when})", title=blocks.escape(m.title), number=m.id, when=when_plain(m))
        for m in meetings[:LIST_LIMIT]
    )
    if len(meetings) > LIST_LIMIT:
        return n_(
            "Upcoming: {meetings}; and {count} more. `/meetings` lists them all.",
            "Upcoming: {meetings}; and {count} more. `/meetings` lists them all.",
            len(meetings) - LIST_LIMIT,
            meetings=named,
        )
    return _("Upcoming: {meetings}. `/meetings` lists them all.", meetings=named)


def no_meeting(hint: MeetingHint, upcoming: Sequence[Meeting]) -> dict[str, Any]:
    """No meeting fits: say so plainly, and never answer about another one."""
    if hint.specific:
        wanted = blocks.escape(hint.describe())
        return blocks.notice(
            _(
                "I couldn't find a meeting matching “{wanted}”. {upcoming}",
                wanted=wanted,
                upcoming=upcoming_line(upcoming),
            )
        )
    if hint.past:
        return blocks.notice(_("No meeting has taken place yet. {upcoming}", upcoming=upcoming_line(upcoming)))
    return blocks.notice(_("There are no upcoming meetings planned yet. Organisers add them with `/meetings`."))


def list_answer(hint: MeetingHint, upcoming: Sequence[Meeting]) -> dict[str, Any]:
    """Up to five upcoming meetings (those the question names, if it names some): title, when, where."""
    meetings = list(upcoming)
    if hint.specific:
        meetings = meetings_matching(hint, upcoming)
        if not meetings:
            return no_meeting(hint, upcoming)
    if not meetings:
        return no_meeting(MeetingHint(), upcoming)
    lines = [
        _("• {title}: {when} · {place}", title=title_line(m), when=when_text(m), place=blocks.escape(place_plain(m)))
        for m in meetings[:LIST_LIMIT]
    ]
    heading = _("Upcoming meetings:") if len(meetings) > 1 else _("The one upcoming meeting:")
    text = "\n".join([heading, *lines])
    if len(meetings) > LIST_LIMIT:
        more = len(meetings) - LIST_LIMIT
        text += "\n" + n_(
            "…and {count} more: `/meetings` lists them all.", "…and {count} more: `/meetings` lists them all.", more
        )
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


def when_answer(
    meeting: Meeting, counts: Counts, my_answer: Attendance | None, over: bool, *, rule: Repeat | None = None
) -> dict[str, Any]:
    """When the meeting is (and where, since the next question is usually that), and how its series repeats."""
    title, when = title_line(meeting), when_text(meeting)
    said = (
        _("{title} was on {when}", title=title, when=when)
        if over
        else _("{title} is on {when}", title=title, when=when)
    )
    text = "\n".join(line for line in (said, "" if over else repeats_line(rule), place_text(meeting)) if line)
    return _reply(text, meeting, over=over)


def where_answer(meeting: Meeting, counts: Counts, my_answer: Attendance | None, over: bool) -> dict[str, Any]:
    """Where the meeting is, and how to join it online when it can be."""
    title = title_line(meeting)
    place = blocks.escape(place_plain(meeting))
    if meeting.kind == MeetingKind.ONLINE:
        said = _("{title} was online.", title=title) if over else _("{title} is online.", title=title)
    elif over:
        said = _("{title} was at {place}.", title=title, place=place)
    else:
        said = _("{title} is at {place}.", title=title, place=place)
    lines = [said]
    if meeting.is_online and not over:
        lines.append(_join_line(meeting))
    lines.append(f":calendar: {when_text(meeting)}")
    return _reply("\n".join(lines), meeting, over=over)


def _join_line(meeting: Meeting) -> str:
    """The join link, or that it comes later."""
    if meeting.join_url:
        return _(":computer: Online: {link}", link=blocks.link(meeting.join_url, _("join link")))
    return _(":computer: Online (the join link comes later)")


def join_answer(meeting: Meeting, counts: Counts, my_answer: Attendance | None, over: bool) -> dict[str, Any]:
    """The join link, or why there is none."""
    title = title_line(meeting)
    if over:
        text = _("{title} is over: it was on {when}.", title=title, when=blocks.escape(when_plain(meeting)))
    elif not meeting.is_online:
        text = _(
            "{title} is in person only; there is no video link. It is at {place}, {when}",
            title=title,
            place=blocks.escape(place_plain(meeting)),
            when=when_text(meeting),
        )
    elif meeting.join_url:
        text = _(
            "Join {title} online here: {link}\n:calendar: {when}",
            title=title,
            link=blocks.link(meeting.join_url, _("join link")),
            when=when_text(meeting),
        )
    else:
        text = _(
            "The join link for {title} is not out yet; it will be on the meeting's card and in "
            "`/meetings {number}` once the organisers add it.\n:calendar: {when}",
            title=title,
            number=meeting.id,
            when=when_text(meeting),
        )
    return _reply(text, meeting, over=over)


def agenda_answer(meeting: Meeting, counts: Counts, my_answer: Attendance | None, over: bool) -> dict[str, Any]:
    """The agenda link, or the description, or that neither has been posted."""
    title = title_line(meeting)
    description = blocks.escape(blocks.clip(meeting.description, 1500)) if meeting.description else ""
    if meeting.agenda_url:
        text = _("The agenda for {title}: {link}", title=title, link=blocks.link(meeting.agenda_url, _("Agenda")))
        if description:
            text += f"\n{description}"
    elif description:
        text = _(
            "No agenda has been posted yet for {title}; this is what it is about:\n{description}",
            title=title,
            description=description,
        )
    else:
        text = _("No agenda has been posted yet for {title}.", title=title)
    return _reply(text, meeting, over=over)


def registered_answer(meeting: Meeting, counts: Counts, my_answer: Attendance | None, over: bool) -> dict[str, Any]:
    """The asker's own answer to the meeting, with the buttons to give or change it."""
    title = title_line(meeting)
    if over and my_answer:
        return blocks.notice(
            _("{title} is over; you answered: {answer}.", title=title, answer=_(ANSWER_LABELS[my_answer]))
        )
    if over:
        return blocks.notice(_("{title} is over; you had not answered.", title=title))
    sentences = {
        Attendance.IN_PERSON: N_("You are registered to come in person to {title}."),
        Attendance.ONLINE: N_("You are registered to join {title} online."),
        Attendance.WAITLISTED: N_(
            "You are on the waitlist for an in-person place at {title}; you will be told as soon as one frees up."
        ),
        Attendance.NOT_COMING: N_(
            "You answered that you can't come to {title}. Changed your mind? Press a button below."
        ),
        Attendance.OFFERED: N_(
            "A place freed up at {title} and is held for you: take it with the button in my direct message to you."
        ),
    }
    if my_answer:
        text = _(sentences[my_answer], title=title)
    else:
        text = _("You have not answered {title} yet; press a button below.", title=title)
    return _with_entry(text, meeting, counts, my_answer)


def places_answer(meeting: Meeting, counts: Counts, my_answer: Attendance | None, over: bool) -> dict[str, Any]:
    """How many in-person places are left, whether it is full, and the waitlist."""
    title = title_line(meeting)
    if over:
        return blocks.notice(_("{title} is over.", title=title))
    if not meeting.has_places:
        text = _("{title} is online only: there is no limit on places.", title=title) + " " + _joining(counts.online)
        return _reply(text, meeting, over=over)
    left = counts.places_left(meeting.capacity)
    if left is None:
        text = _coming_unlimited(title, counts.in_person)
    elif left > 0:
        text = n_(
            "{count} of {capacity} in-person places are left for {title}.",
            "{count} of {capacity} in-person places are left for {title}.",
            left,
            capacity=meeting.capacity,
            title=title,
        )
        if counts.waitlisted:
            text += " " + n_(
                "{count} person is on the waitlist.", "{count} people are on the waitlist.", counts.waitlisted
            )
    else:
        text = _full(title, meeting.capacity or 0, counts.waitlisted)
        if meeting.is_online:
            text += " " + _("Press *Attend in person* to join the waitlist or *Attend online* to join online.")
        else:
            text += " " + _("Press *Attend in person* to join the waitlist.")
    return _reply(text, meeting, over=over)


def _joining(number: int) -> str:
    """How many are joining online: `No one is joining online.`, `3 people are joining online.`"""
    if number == 0:
        return _("No one is joining online.")
    return n_("{count} person is joining online.", "{count} people are joining online.", number)


def _coming_unlimited(title: str, number: int) -> str:
    """No limit on in-person places, and how many are coming in person."""
    if number == 0:
        return _("There is no limit on in-person places for {title}; no one is coming in person.", title=title)
    return n_(
        "There is no limit on in-person places for {title}; {count} person is coming in person.",
        "There is no limit on in-person places for {title}; {count} people are coming in person.",
        number,
        title=title,
    )


def _full(title: str, capacity: int, waiting: int) -> str:
    """The meeting is full, and how many are on the waitlist."""
    if waiting == 0:
        return n_(
            "{title} is full: all {count} in-person places are taken; no one is on the waitlist.",
            "{title} is full: all {count} in-person places are taken; no one is on the waitlist.",
            capacity,
            title=title,
        )
    if waiting == 1:
        return n_(
            "{title} is full: all {count} in-person places are taken; 1 person is on the waitlist.",
            "{title} is full: all {count} in-person places are taken; 1 person is on the waitlist.",
            capacity,
            title=title,
        )
    return n_(
        "{title} is full: all {count} in-person places are taken; {waiting} people are on the waitlist.",
        "{title} is full: all {count} in-person places are taken; {waiting} people are on the waitlist.",
        capacity,
        title=title,
        waiting=waiting,
    )


def how_to_register_answer(
    meeting: Meeting, counts: Counts, my_answer: Attendance | None, over: bool, *, now: datetime | None = None
) -> dict[str, Any]:
    """How to answer a meeting with the buttons, and the buttons themselves."""
    title = title_line(meeting)
    if over:
        return blocks.notice(
            _("{title} is over, so registration is closed. `/meetings` lists the upcoming ones.", title=title)
        )
    if meeting.has_places and meeting.is_online:
        press = N_(
            "To register for {title}, press *Attend in person*, *Attend online* or *Can't come* below "
            "(the same buttons are on the meeting's card in the channel and in `/meetings`). "
            "You can change your answer the same way at any time."
        )
    elif meeting.has_places:
        press = N_(
            "To register for {title}, press *Attend in person* or *Can't come* below "
            "(the same buttons are on the meeting's card in the channel and in `/meetings`). "
            "You can change your answer the same way at any time."
        )
    else:
        press = N_(
            "To register for {title}, press *Attend online* or *Can't come* below "
            "(the same buttons are on the meeting's card in the channel and in `/meetings`). "
            "You can change your answer the same way at any time."
        )
    text = _(press, title=title)
    if meeting.has_places and meeting.capacity is not None:
        text += " " + _("When the in-person places are taken you join the waitlist; members have priority.")
    deadline = meeting.registration_deadline
    if deadline is not None:
        stamp = date_token(deadline, "{date_short_pretty} {time}", _deadline_plain(deadline, meeting))
        if now is not None and deadline <= now:
            return blocks.notice(
                _(
                    "Registration for {title} closed on {when}; ask one of the organisers if you still want to come.",
                    title=title,
                    when=stamp,
                )
            )
        text += "\n" + _("Registration closes {when}.", when=stamp)
    if my_answer is not None:
        text += "\n" + _("Your answer now: *{answer}*.", answer=_(ANSWER_LABELS[my_answer]))
    return _with_entry(text, meeting, counts, my_answer)


def _deadline_plain(deadline: datetime, meeting: Meeting) -> str:
    """The deadline in the meeting's zone, as plain text: `1 Feb 2027 18:00 CET`."""
    moment = local(deadline, meeting)
    return f"{i18n.format_day(moment, 'd MMM y')} {moment:%H:%M %Z}"


Builder = Callable[[Meeting, Counts, Attendance | None, bool], dict[str, Any]]
BUILDERS: dict[Topic, Builder] = {
    Topic.WHEN: when_answer,
    Topic.WHERE: where_answer,
    Topic.JOIN: join_answer,
    Topic.AGENDA: agenda_answer,
    Topic.REGISTERED: registered_answer,
    Topic.PLACES: places_answer,
}
