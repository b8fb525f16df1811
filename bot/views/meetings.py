"""Block Kit for meetings: cards, list entries and the words for where and how many.

Pure functions: a meeting (and its counts) in, text and blocks out. When a meeting is, in words and in
Slack's date tokens, is bot.views.meeting_dates.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.language import i18n, repeats
from bot.language.countries import country_name
from bot.language.i18n import N_, _, n_
from bot.language.repeats import Repeat
from bot.views import blocks
from bot.views.calendar import google_calendar_url
from bot.views.meeting_dates import date_token, day_words, local, meeting_days, when_plain, when_text
from store.meetings import Counts
from store.models import Attendance, Meeting, MeetingKind

RSVP_IN_PERSON = "meeting_rsvp_in_person"
WAITLIST_POSITION = "meeting_waitlist_position"
RSVP_ONLINE = "meeting_rsvp_online"
RSVP_NOT_COMING = "meeting_rsvp_not_coming"
RSVP_ACTIONS = {
    RSVP_IN_PERSON: Attendance.IN_PERSON,
    RSVP_ONLINE: Attendance.ONLINE,
    RSVP_NOT_COMING: Attendance.NOT_COMING,
}
CALENDAR_FILE = "meeting_ics"
GOOGLE_CALENDAR = "meeting_google_calendar"
RECAP_SHOW = "meeting_recap_show"  # the card's Recap button: the recap, privately, with a link to its message

KIND_LABELS = {
    MeetingKind.IN_PERSON: N_("In person"),
    MeetingKind.ONLINE: N_("Online"),
    MeetingKind.HYBRID: N_("Hybrid"),
}
ANSWER_LABELS = {  # translated where shown: `answer_label`
    Attendance.IN_PERSON: N_("coming in person"),
    Attendance.ONLINE: N_("joining online"),
    Attendance.NOT_COMING: N_("not coming"),
    Attendance.WAITLISTED: N_("on the waitlist for an in-person place"),
    Attendance.OFFERED: N_("offered a freed place: see your direct messages"),
}


def answer_label(answer: Attendance) -> str:
    """Someone's answer to a meeting in words (`coming in person`), in the language spoken now."""
    return _(ANSWER_LABELS[answer])


def kind_label(meeting: Meeting) -> str:
    """The meeting's kind as a label (`In person`), in the language spoken now."""
    kind = MeetingKind(meeting.kind)
    return _(KIND_LABELS[kind]) if kind in KIND_LABELS else meeting.kind


def place_plain(meeting: Meeting) -> str:
    """Where the meeting is, as plain words in the reader's language (`Messe Essen, Essen, Germany`, `online`)."""
    parts = (meeting.venue.strip(), meeting.city.strip(), country_name(meeting.country.strip()))
    where = ", ".join(part for part in parts if part)
    if meeting.kind == MeetingKind.ONLINE:
        return _("online")
    if meeting.kind == MeetingKind.HYBRID:
        return _("{place}, and online", place=where) if where else _("a place to be announced, and online")
    return where or _("a place to be announced")


def place_text(meeting: Meeting, *, over: bool = False) -> str:
    """Where the meeting is and how to join it, as mrkdwn (for a meeting `over`, no link to come)."""
    lines = []
    if meeting.has_places:
        parts = [meeting.venue, meeting.city, country_name(meeting.country)]
        where = ", ".join(blocks.escape(part) for part in parts if part)
        lines.append(f":round_pushpin: {where}" if where else _(":round_pushpin: place to be announced"))
    if meeting.is_online:
        if meeting.join_url:
            link = blocks.link(meeting.join_url, _("join link"))
            lines.append(_(":computer: Online: {link}", link=link))
        elif over or meeting.is_cancelled:
            lines.append(_(":computer: Online"))
        else:
            lines.append(_(":computer: Online (the join link comes later)"))
    if meeting.agenda_url:
        agenda = blocks.link(meeting.agenda_url, _("Agenda"))
        lines.append(f":clipboard: {agenda}")
    return "\n".join(lines)


def counts_text(meeting: Meeting, counts: Counts) -> str:
    """`In person 12/40 · Online 5 · Waitlist 3`, as the meeting's kind calls for."""
    number = i18n.format_number
    parts = []
    if meeting.has_places:
        if meeting.capacity is not None and counts.provisional:
            parts.append(
                _(
                    "In person {count}/{capacity} ({provisional} provisional)",
                    count=number(counts.in_person),
                    capacity=number(meeting.capacity),
                    provisional=number(counts.provisional),
                )
            )
        elif meeting.capacity is not None:
            parts.append(
                _("In person {count}/{capacity}", count=number(counts.in_person), capacity=number(meeting.capacity))
            )
        else:
            parts.append(_("In person {count}", count=number(counts.in_person)))
    if meeting.is_online:
        parts.append(_("Online {count}", count=number(counts.online)))
    if counts.waitlisted or (meeting.capacity is not None and meeting.has_places):
        parts.append(_("Waitlist {count}", count=number(counts.waitlisted)))
    return " · ".join(parts)


def title_line(meeting: Meeting) -> str:
    """The meeting's title, escaped, with its number and a mark when cancelled."""
    title = blocks.escape(meeting.title)
    if meeting.is_cancelled:
        return _(":x: ~*{title}* (#{number})~ *Cancelled*", title=title, number=meeting.id)
    return f"*{title}* (#{meeting.id})"


def rsvp_buttons(meeting: Meeting, answer: Attendance | None = None) -> list[blocks.Block]:
    """The answer buttons the meeting's kind allows; the reader's current answer is highlighted."""
    value = str(meeting.id)
    buttons = []
    if meeting.has_places:
        buttons.append(
            blocks.button(
                _("Attend in person"),
                RSVP_IN_PERSON,
                value,
                style="primary" if answer in (Attendance.IN_PERSON, Attendance.WAITLISTED) else None,
            )
        )
    if meeting.is_online:
        buttons.append(
            blocks.button(
                _("Attend online"), RSVP_ONLINE, value, style="primary" if answer == Attendance.ONLINE else None
            )
        )
    buttons.append(
        blocks.button(
            _("Can't come"), RSVP_NOT_COMING, value, style="danger" if answer == Attendance.NOT_COMING else None
        )
    )
    if answer == Attendance.WAITLISTED:
        buttons.append(blocks.button(_("My place in line"), WAITLIST_POSITION, value))
    return buttons


def position_text(meeting: Meeting, position: int | None) -> str:
    """The private answer to *My place in line*."""
    title = blocks.escape(meeting.title)
    if position is None:
        return _(
            "You are not on the waitlist for *{title}*. `/meetings {number}` shows your answer.",
            title=title,
            number=meeting.id,
        )
    return _(
        "You are number {position} on the waitlist for *{title}*; members come first, then by when each asked. "
        "When a place frees up and it is your turn, I'll offer it to you by direct message.",
        position=position,
        title=title,
    )


def calendar_buttons(meeting: Meeting) -> list[blocks.Block]:
    """Add-to-calendar buttons: an .ics file sent privately, and Google Calendar's own page."""
    google = blocks.button(_("Google Calendar"), GOOGLE_CALENDAR, str(meeting.id))
    google["url"] = google_calendar_url(meeting)
    return [blocks.button(_("Calendar file (.ics)"), CALENDAR_FILE, str(meeting.id)), google]


def in_progress(meeting: Meeting, now: datetime | None) -> bool:
    """Whether the meeting has begun and not yet ended (never, when `now` is not known)."""
    return now is not None and not meeting.is_cancelled and meeting.starts_at <= now < meeting.ends_at


def meeting_actions(
    meeting: Meeting, answer: Attendance | None = None, *, where: str = "", now: datetime | None = None
) -> list[blocks.Block]:
    """The row of buttons under a meeting, or nothing for a cancelled one or one in progress (`now` given)."""
    if meeting.is_cancelled or in_progress(meeting, now):
        return []
    block_id = f"meeting-{meeting.id}{'-' + where if where else ''}"
    return [blocks.actions(*rsvp_buttons(meeting, answer), *calendar_buttons(meeting), block_id=block_id)]


def card(meeting: Meeting, counts: Counts, rule: Repeat | None = None, *, recap: bool = False) -> dict[str, Any]:
    """The announcement card posted to the group channel; it is updated in place when things change. Once the
    meeting has a recap, the card says so, with a button that shows it."""
    heading = _("Cancelled: {title}", title=meeting.title) if meeting.is_cancelled else meeting.title
    lines = [when_text(meeting), repeats_line(rule), place_text(meeting)]
    body = [blocks.header(heading), blocks.section("\n".join(line for line in lines if line))]
    if meeting.description:
        body.append(blocks.section(blocks.escape(blocks.clip(meeting.description, 1500))))
    if meeting.is_cancelled:
        body.append(blocks.section(_(":x: *This meeting is cancelled.* Registrations are closed.")))
    else:
        details_line = _(
            "{counts} · `/meetings {number}` for details", counts=counts_text(meeting, counts), number=meeting.id
        )
        body.append(blocks.context(details_line))
        body.extend(meeting_actions(meeting))
    if recap:
        said = _(":memo: The recap is in this card's thread: summary, slides, recording, minutes.")
        body += [blocks.section(said), blocks.actions(blocks.button(_("Recap"), RECAP_SHOW, str(meeting.id)))]
    return blocks.message(blocks.escape(card_text(meeting)), body)


def card_text(meeting: Meeting) -> str:
    """The card's words where blocks cannot be shown (notifications): title, when and where."""
    when, where = when_plain(meeting), place_plain(meeting)
    if meeting.is_cancelled:
        return _("Cancelled: {title}: {when}, {place}", title=meeting.title, when=when, place=where)
    return f"{meeting.title}: {when}, {where}"


def entry(
    meeting: Meeting,
    counts: Counts,
    answer: Attendance | None = None,
    *,
    where: str = "",
    now: datetime | None = None,
    rule: Repeat | None = None,
) -> list[blocks.Block]:
    """A meeting in a list: title, when (and how its series repeats), where, counts, the reader's answer, and its
    buttons.

    With `now`, a meeting that has begun is shown happening now, with its join link and no buttons to answer.
    """
    over = now is not None and meeting.ends_at <= now
    lines = [title_line(meeting), when_text(meeting), repeats_line(rule), place_text(meeting, over=over)]
    if in_progress(meeting, now):
        lines.insert(1, happening_now(meeting))
    small = [counts_text(meeting, counts)]
    if answer is not None:
        small.append(_("You: *{answer}*", answer=answer_label(answer)))
    return [
        blocks.section("\n".join(line for line in lines if line)),
        blocks.context(" · ".join(part for part in small if part)),
        *meeting_actions(meeting, answer, where=where, now=now),
    ]


def repeats_line(rule: Repeat | None) -> str:
    """`:repeat: Repeats every first Tuesday` for a meeting of a series; nothing for a meeting on its own."""
    return _(":repeat: Repeats {rule}", rule=repeats.describe(rule)) if rule is not None else ""


def happening_now(meeting: Meeting) -> str:
    """`:red_circle: Happening now, until 17:00 CET`, with the join link when it can be joined online."""
    end = local(meeting.ends_at, meeting)
    until = day_words(meeting_days(meeting)[1], "day") if meeting.all_day else f"{end:%H:%M} {end.tzname()}"
    if meeting.is_online and meeting.join_url:
        link = blocks.link(meeting.join_url, _("join now"))
        return _(":red_circle: *Happening now*, until {until}: {link}", until=until, link=link)
    return _(":red_circle: *Happening now*, until {until}", until=until)


def details(
    meeting: Meeting, counts: Counts, answer: Attendance | None, *, now: datetime, rule: Repeat | None = None
) -> list[blocks.Block]:
    """One meeting in full."""
    body = entry(meeting, counts, answer, now=now, rule=rule)
    facts = [_("Kind: {kind}", kind=kind_label(meeting))]
    if meeting.capacity is not None and meeting.has_places and not meeting.is_cancelled and meeting.ends_at > now:
        left = counts.places_left(meeting.capacity) or 0
        facts.append(n_("Places left: {count}", "Places left: {count}", left))
    if meeting.registration_deadline is not None:
        by = deadline_token(meeting)
        if meeting.registration_deadline <= now:
            facts.append(_("Register by {deadline} (closed)", deadline=by))
        else:
            facts.append(_("Register by {deadline}", deadline=by))
    body.insert(1, blocks.context(" · ".join(facts)))
    if meeting.description:
        body.insert(1, blocks.section(blocks.escape(blocks.clip(meeting.description, 2900))))
    return body


def deadline_token(meeting: Meeting) -> str:
    """The meeting's registration deadline as a date token, in its own zone where Slack cannot show the reader's."""
    deadline = meeting.registration_deadline
    return moment_token(deadline, meeting) if deadline is not None else ""


def moment_token(moment: datetime, meeting: Meeting) -> str:
    """A moment as a date token (`Mon 1 Feb 2027 18:00`), in the meeting's zone where Slack cannot show the reader's."""
    there = local(moment, meeting)
    fallback = f"{day_words(there.date(), 'date')} {there:%H:%M}"
    return date_token(moment, "{date_short_pretty} {time}", fallback)


def promoted_text(meeting: Meeting) -> str:
    """The direct message to someone who moved up from the waitlist."""
    return _(
        ":tada: Good news: a place freed up at *{title}*, {when}. "
        "You've moved up from the waitlist and are registered to come in person. "
        "If you can't make it any more, press *Can't come* so the next person gets the place.",
        title=blocks.escape(meeting.title),
        when=when_text(meeting),
    )


def bumped_text(meeting: Meeting, position: int) -> str:
    """The direct message to a non-member whose provisional place went to a member."""
    return _(
        ":hourglass_flowing_sand: *{title}*, {when}, was full, and a member asked for an in-person place. "
        "Members have priority until registration closes, so your place was provisional: you are now "
        "number {position} on the waitlist, first among non-members, and you will be told as soon as a place "
        "frees up. You can still join online if the meeting is online too, or press *Can't come*.",
        title=blocks.escape(meeting.title),
        when=when_text(meeting),
        position=position,
    )


def registrants_text(meeting: Meeting, before: Mapping[str, Any] | None = None) -> str:
    """The direct message to those registered when the meeting moved or was cancelled."""
    title = blocks.escape(meeting.title)
    if meeting.is_cancelled:
        return _(
            ":x: *{title}*, {when}, has been *cancelled*. Sorry for the change of plans.",
            title=title,
            when=when_text(meeting),
        )
    changes = what_changed(meeting, before or {})
    if not changes:
        return _(
            ":pushpin: *{title}* has changed. It is now {when}\n{place}\n"
            "Your registration stands; if you can no longer come, press *Can't come*. "
            "The new calendar file updates the meeting in your calendar.",
            title=title,
            when=when_text(meeting),
            place=place_text(meeting),
        )
    return _(
        ":pushpin: *{title}* has changed:\n{changes}\n"
        "Your registration stands; if you can no longer come, press *Can't come*. "
        "The new calendar file updates the meeting in your calendar.",
        title=title,
        changes="\n".join(changes),
    )


WHEN_FIELDS = ("starts_at", "ends_at", "timezone", "all_day")
PLACE_FIELDS = ("kind", "venue", "city", "country")


def what_changed(meeting: Meeting, before: Mapping[str, Any]) -> list[str]:
    """Each change registrants care for, from what to what: the time, the place, the join link."""
    if not before:
        return []
    old = Meeting(**{**meeting.model_dump(), **before})
    lines = []
    if any(name in before for name in WHEN_FIELDS) and when_plain(old) != when_plain(meeting):
        lines.append(
            _(
                ":calendar: Moved from {before} to {after}.",
                before=blocks.escape(when_plain(old)),
                after=blocks.escape(when_plain(meeting)),
            )
        )
    if any(name in before for name in PLACE_FIELDS) and place_plain(old) != place_plain(meeting):
        lines.append(
            _(
                ":round_pushpin: The place changed from {before} to {after}.",
                before=blocks.escape(place_plain(old)),
                after=blocks.escape(place_plain(meeting)),
            )
        )
    if "join_url" in before and meeting.is_online:
        if meeting.join_url:
            lines.append(_(":computer: A new join link: {link}", link=blocks.link(meeting.join_url, _("join link"))))
        else:
            lines.append(_(":computer: The join link was withdrawn; a new one comes later."))
    return lines
