"""Answers beyond one meeting's facts: who is coming, one's own meetings, sharing a practice, the organisers,
a meeting's time elsewhere, the meeting in progress, and a meeting that was cancelled.

Data in, a message out, in the language being spoken; text from people is escaped. Names of those coming
are not given: a member sees counts, organisers see names in `/meetings attendees`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from bot.language.i18n import _, n_
from bot.views import blocks
from bot.views.meeting_dates import day_words, meeting_days, when_plain, when_text
from bot.views.meetings import answer_label, meeting_actions, title_line
from store.meetings import Counts
from store.models import Attendance, Meeting, Person

MINE_LIMIT = 10  # meetings named in the answer to "which meetings am I registered for?"


def _reply(text: str, meeting: Meeting | None = None) -> dict[str, Any]:
    body = [blocks.section(text)]
    if meeting is not None:
        body.extend(meeting_actions(meeting, where="answer"))
    return blocks.message(text, body)


def attendees_answer(
    meeting: Meeting, counts: Counts, my_answer: Attendance | None, named: Sequence[str] = ()
) -> dict[str, Any]:
    """Who is coming, as counts, and the asker's own answer; by name, those who chose to be named to members."""
    title = title_line(meeting)
    lines = [
        _(
            "For {title}: {in_person} in person, {online} online, {waiting} on the waitlist.",
            title=title,
            in_person=counts.in_person,
            online=counts.online,
            waiting=counts.waitlisted,
        )
    ]
    if my_answer is not None:
        lines.append(_("Your answer: {answer}.", answer=answer_label(my_answer)))
    if named:
        people = ", ".join(blocks.escape(name) for name in named[:30])
        lines.append(_("Among them, named as they chose: {people}.", people=people))
    lines.append(_("Organisers see the names in `/meetings attendees {number}`.", number=meeting.id))
    return _reply("\n".join(lines), meeting)


def mine_answer(mine: Sequence[tuple[Meeting, Attendance]]) -> dict[str, Any]:
    """The upcoming meetings the asker is coming to or waiting for."""
    if not mine:
        return blocks.notice(
            _("You are not registered for any upcoming meeting. `/meetings` lists them, with buttons to answer.")
        )
    lines = [
        _("• {title}: {when} ({answer})", title=title_line(m), when=when_text(m), answer=answer_label(answer))
        for m, answer in mine[:MINE_LIMIT]
    ]
    heading = n_(
        "You are registered for {count} upcoming meeting:",
        "You are registered for {count} upcoming meetings:",
        len(mine),
    )
    return blocks.notice("\n".join([heading, *lines]))


def how_to_share_answer() -> dict[str, Any]:
    """How a practice is shared."""
    return blocks.notice(
        _(
            "To share a practice, type `/practice share`: a form asks for its title, your organisation, "
            "a summary and the evidence. You can also share a message as a practice from its ⋯ menu "
            "(*Share as practice*). `/practice search &lt;words&gt;` finds the practices shared so far."
        )
    )


def organisers_answer(organisers: Sequence[Person]) -> dict[str, Any]:
    """Who the organisers are, by name, without pinging them."""
    names = [blocks.escape(person.display_name or person.slack_id) for person in organisers]
    if not names:
        return blocks.notice(_("The group has no organisers named yet."))
    return blocks.notice(
        n_(
            "The group's organiser: {names}.",
            "The group's organisers: {names}.",
            len(names),
            names=", ".join(names),
        )
    )


def time_in_answer(meeting: Meeting, zone: str, place: str, *, over: bool) -> dict[str, Any]:
    """The meeting's start and end in another zone (a city's)."""
    there = ZoneInfo(zone)
    start, end = meeting.starts_at.astimezone(there), meeting.ends_at.astimezone(there)
    if meeting.all_day:  # its days are the same everywhere
        when = when_plain(meeting)
    elif start.date() == end.date():
        when = f"{day_words(start.date(), 'long')}, {start:%H:%M}–{end:%H:%M} {end.tzname()}"
    else:
        when = f"{day_words(start.date(), 'long')}, {start:%H:%M} – {day_words(end.date(), 'long')}, {end:%H:%M}"
    values = {"title": title_line(meeting), "place": blocks.escape(place), "when": when, "zone": zone}
    text = (
        _("In {place} time ({zone}), {title} was on {when}.", **values)
        if over
        else _("In {place} time ({zone}), {title} is on {when}.", **values)
    )
    text += "\n" + _("In the meeting's own zone: {when}.", when=when_plain(meeting))
    return _reply(text, None if over else meeting)


def now_answer(in_progress: Sequence[Meeting], upcoming_line: str) -> dict[str, Any]:
    """The meeting in progress, with its join link; or that none is, and what is coming up."""
    if not in_progress:
        return blocks.notice(_("No meeting is happening now. {upcoming}", upcoming=upcoming_line))
    lines = []
    for meeting in in_progress:
        end = day_words(meeting.ends_at.astimezone(ZoneInfo(meeting.timezone)).date(), "short")
        until = f"{end}, {meeting.ends_at.astimezone(ZoneInfo(meeting.timezone)):%H:%M %Z}"
        if meeting.all_day:  # until the end of its last day
            until = day_words(meeting_days(meeting)[1], "short")
        if meeting.is_online and meeting.join_url:
            lines.append(
                _(
                    "{title} is happening now, until {until}. Join here: {link}",
                    title=title_line(meeting),
                    until=until,
                    link=blocks.link(meeting.join_url, _("join link")),
                )
            )
        else:
            lines.append(_("{title} is happening now, until {until}.", title=title_line(meeting), until=until))
    return blocks.notice("\n".join(lines))


def cancelled_answer(meeting: Meeting, upcoming_line: str) -> dict[str, Any]:
    """The meeting asked about was cancelled: say so, and never answer about another one."""
    title = f"*{blocks.escape(meeting.title)}* (#{meeting.id})"
    return blocks.notice(
        _(
            "{title} was cancelled; it was planned for {when}. {upcoming}",
            title=title,
            when=blocks.escape(when_plain(meeting)),
            upcoming=upcoming_line,
        )
    )
