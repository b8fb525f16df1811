"""Block Kit for meetings: cards, list entries and the words for when, where and how many.

Pure functions: a meeting (and its counts) in, text and blocks out. Times are written with
Slack's `<!date^...>` token so each reader sees their own zone, with the meeting's zone beside.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.language.countries import country_name
from bot.views import blocks
from bot.views.calendar import google_calendar_url, place
from store.meetings import Counts
from store.models import Attendance, Meeting, MeetingKind

RSVP_IN_PERSON = "meeting_rsvp_in_person"
RSVP_ONLINE = "meeting_rsvp_online"
RSVP_NOT_COMING = "meeting_rsvp_not_coming"
RSVP_ACTIONS = {
    RSVP_IN_PERSON: Attendance.IN_PERSON,
    RSVP_ONLINE: Attendance.ONLINE,
    RSVP_NOT_COMING: Attendance.NOT_COMING,
}
CALENDAR_FILE = "meeting_ics"
GOOGLE_CALENDAR = "meeting_google_calendar"

KIND_LABELS = {MeetingKind.IN_PERSON: "In person", MeetingKind.ONLINE: "Online", MeetingKind.HYBRID: "Hybrid"}
ANSWER_LABELS = {
    Attendance.IN_PERSON: "coming in person",
    Attendance.ONLINE: "joining online",
    Attendance.NOT_COMING: "not coming",
    Attendance.WAITLISTED: "on the waitlist for an in-person place",
}


def date_token(moment: datetime, pattern: str, fallback: str) -> str:
    """Slack's date token: shown in the reader's zone, with `fallback` where it cannot be."""
    return f"<!date^{int(moment.timestamp())}^{pattern}|{fallback}>"


def local(moment: datetime, meeting: Meeting) -> datetime:
    """The moment in the meeting's own zone."""
    return moment.astimezone(ZoneInfo(meeting.timezone))


def when_plain(meeting: Meeting) -> str:
    """When the meeting is, in its own zone, in plain text: `Thu 11 Feb 2027, 09:00–17:00 CET`."""
    start, end = local(meeting.starts_at, meeting), local(meeting.ends_at, meeting)
    day = start.strftime("%a %-d %b %Y")
    if start.date() == end.date():
        return f"{day}, {start:%H:%M}–{end:%H:%M} {end.tzname()}"
    return f"{day}, {start:%H:%M} {start.tzname()} – {end:%a %-d %b %Y}, {end:%H:%M} {end.tzname()}"


def when_text(meeting: Meeting) -> str:
    """When the meeting is, in the reader's zone, with the meeting's own zone beside it."""
    start, end = local(meeting.starts_at, meeting), local(meeting.ends_at, meeting)
    same_day = start.date() == end.date()
    first = date_token(meeting.starts_at, "{date_long_pretty}, {time}", f"{start:%A %-d %B %Y}, {start:%H:%M}")
    if same_day:
        last = date_token(meeting.ends_at, "{time}", f"{end:%H:%M}")
    else:
        last = date_token(meeting.ends_at, "{date_long_pretty}, {time}", f"{end:%A %-d %B %Y}, {end:%H:%M}")
    return f"{first} – {last} _(there: {when_plain(meeting)}, {meeting.timezone})_"


def place_plain(meeting: Meeting) -> str:
    """Where the meeting is, as plain words (`Messe Essen, Essen, Germany`, `online`)."""
    where = place(meeting)
    if meeting.kind == MeetingKind.ONLINE:
        return "online"
    if meeting.kind == MeetingKind.HYBRID:
        return f"{where or 'a place to be announced'}, and online"
    return where or "a place to be announced"


def place_text(meeting: Meeting) -> str:
    """Where the meeting is and how to join it, as mrkdwn."""
    lines = []
    if meeting.has_places:
        parts = [meeting.venue, meeting.city, country_name(meeting.country)]
        where = ", ".join(blocks.escape(part) for part in parts if part) or "place to be announced"
        lines.append(f":round_pushpin: {where}")
    if meeting.is_online:
        if meeting.join_url:
            lines.append(f":computer: Online: {blocks.link(meeting.join_url, 'join link')}")
        else:
            lines.append(":computer: Online (the join link comes later)")
    if meeting.agenda_url:
        lines.append(f":clipboard: {blocks.link(meeting.agenda_url, 'Agenda')}")
    return "\n".join(lines)


def counts_text(meeting: Meeting, counts: Counts) -> str:
    """`In person 12/40 · Online 5 · Waitlist 3`, as the meeting's kind calls for."""
    parts = []
    if meeting.has_places:
        capacity = f"/{meeting.capacity}" if meeting.capacity is not None else ""
        parts.append(f"In person {counts.in_person}{capacity}")
    if meeting.is_online:
        parts.append(f"Online {counts.online}")
    if counts.waitlisted or (meeting.capacity is not None and meeting.has_places):
        parts.append(f"Waitlist {counts.waitlisted}")
    return " · ".join(parts)


def title_line(meeting: Meeting) -> str:
    """The meeting's title, escaped, with its number and a mark when cancelled."""
    title = f"*{blocks.escape(meeting.title)}* (#{meeting.id})"
    return f":x: ~{title}~ *Cancelled*" if meeting.is_cancelled else title


def rsvp_buttons(meeting: Meeting, answer: Attendance | None = None) -> list[blocks.Block]:
    """The answer buttons the meeting's kind allows; the reader's current answer is highlighted."""
    value = str(meeting.id)
    buttons = []
    if meeting.has_places:
        buttons.append(
            blocks.button(
                "Attend in person",
                RSVP_IN_PERSON,
                value,
                style="primary" if answer in (Attendance.IN_PERSON, Attendance.WAITLISTED) else None,
            )
        )
    if meeting.is_online:
        buttons.append(
            blocks.button("Attend online", RSVP_ONLINE, value, style="primary" if answer == Attendance.ONLINE else None)
        )
    buttons.append(
        blocks.button("Can't come", RSVP_NOT_COMING, value, style="danger" if answer == Attendance.NOT_COMING else None)
    )
    return buttons


def calendar_buttons(meeting: Meeting) -> list[blocks.Block]:
    """Add-to-calendar buttons: an .ics file sent privately, and Google Calendar's own page."""
    google = blocks.button("Google Calendar", GOOGLE_CALENDAR, str(meeting.id))
    google["url"] = google_calendar_url(meeting)
    return [blocks.button("Calendar file (.ics)", CALENDAR_FILE, str(meeting.id)), google]


def meeting_actions(meeting: Meeting, answer: Attendance | None = None, *, where: str = "") -> list[blocks.Block]:
    """The row of buttons under a meeting, or nothing for a cancelled one."""
    if meeting.is_cancelled:
        return []
    block_id = f"meeting-{meeting.id}{'-' + where if where else ''}"
    return [blocks.actions(*rsvp_buttons(meeting, answer), *calendar_buttons(meeting), block_id=block_id)]


def card(meeting: Meeting, counts: Counts) -> dict[str, Any]:
    """The announcement card posted to the group channel; it is updated in place when things change."""
    body = [
        blocks.header(("Cancelled: " if meeting.is_cancelled else "") + meeting.title),
        blocks.section(f"{when_text(meeting)}\n{place_text(meeting)}"),
    ]
    if meeting.description:
        body.append(blocks.section(blocks.escape(blocks.clip(meeting.description, 1500))))
    if meeting.is_cancelled:
        body.append(blocks.section(":x: *This meeting is cancelled.* Registrations are closed."))
    else:
        body.append(blocks.context(f"{counts_text(meeting, counts)} · `/meetings {meeting.id}` for details"))
        body.extend(meeting_actions(meeting))
    state = "Cancelled: " if meeting.is_cancelled else ""
    text = f"{state}{meeting.title}: {when_plain(meeting)}, {place_plain(meeting)}"
    return blocks.message(blocks.escape(text), body)


def entry(meeting: Meeting, counts: Counts, answer: Attendance | None = None, *, where: str = "") -> list[blocks.Block]:
    """A meeting in a list: title, when, where, counts, the reader's answer, and its buttons."""
    lines = [title_line(meeting), when_text(meeting), place_text(meeting)]
    small = [counts_text(meeting, counts)]
    if answer is not None:
        small.append(f"You: *{ANSWER_LABELS[answer]}*")
    return [
        blocks.section("\n".join(line for line in lines if line)),
        blocks.context(" · ".join(part for part in small if part)),
        *meeting_actions(meeting, answer, where=where),
    ]


def details(meeting: Meeting, counts: Counts, answer: Attendance | None, *, now: datetime) -> list[blocks.Block]:
    """One meeting in full."""
    body = entry(meeting, counts, answer)
    facts = [f"Kind: {KIND_LABELS.get(MeetingKind(meeting.kind), meeting.kind)}"]
    if meeting.capacity is not None and meeting.has_places:
        left = counts.places_left(meeting.capacity)
        facts.append(f"Places left: {left}")
    if meeting.registration_deadline is not None:
        deadline = local(meeting.registration_deadline, meeting)
        closed = " (closed)" if meeting.registration_deadline <= now else ""
        facts.append(
            "Register by "
            + date_token(meeting.registration_deadline, "{date_short_pretty} {time}", f"{deadline:%-d %b %Y %H:%M}")
            + closed
        )
    body.insert(1, blocks.context(" · ".join(facts)))
    if meeting.description:
        body.insert(1, blocks.section(blocks.escape(blocks.clip(meeting.description, 2900))))
    return body


def promoted_text(meeting: Meeting) -> str:
    """The direct message to someone who moved up from the waitlist."""
    return (
        f":tada: Good news: a place freed up at *{blocks.escape(meeting.title)}*, {when_text(meeting)}. "
        "You've moved up from the waitlist and are registered to come in person. "
        "If you can't make it any more, press *Can't come* so the next person gets the place."
    )


def registrants_text(meeting: Meeting) -> str:
    """The direct message to those registered when the meeting moved or was cancelled."""
    title = f"*{blocks.escape(meeting.title)}*"
    if meeting.is_cancelled:
        return f":x: {title}, {when_text(meeting)}, has been *cancelled*. Sorry for the change of plans."
    return (
        f":pushpin: {title} has changed. It is now {when_text(meeting)}\n{place_text(meeting)}\n"
        "Your registration stands; if you can no longer come, press *Can't come*. "
        "The new calendar file updates the meeting in your calendar."
    )
