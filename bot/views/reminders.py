"""Block Kit for scheduled meeting posts: reminders in the channel and by direct message, and "starting now".

Pure functions: a meeting and the moment of posting in, a message out. Times are Slack date
tokens (each reader sees their own zone); a direct reminder also spells out the reader's time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import humanize
from babel.dates import format_timedelta

from bot.language import i18n
from bot.language.i18n import N_, _
from bot.views import blocks
from bot.views import meetings as views
from store.models import Meeting

REMINDERS_OFF_HINT = N_("You get this because you registered. `/meetings reminders off` stops these reminders.")


def starts_in(meeting: Meeting, now: datetime) -> str:
    """`in a day`, `in 7 days`, `in an hour` (to the nearest minute), `in 30 seconds`; `now` once it begins.

    English keeps humanize's words ("in a day"); the other languages have Babel's ("dentro de 1 día").
    """
    seconds = round((meeting.starts_at - now).total_seconds())
    if seconds < 1:
        return _("now")
    if seconds >= 90:
        seconds = round(seconds / 60) * 60  # a reminder a moment late still says "in an hour"
    if i18n.language() != i18n.SOURCE_LANGUAGE:
        return format_timedelta(timedelta(seconds=seconds), add_direction=True, locale=i18n.language())
    return "in " + humanize.naturaldelta(timedelta(seconds=seconds))


def reader_time(meeting: Meeting, zone_name: str | None) -> str:
    """`Thu 3 Dec, 10:00 your time (Europe/Madrid)`, or "" when the reader's zone is unknown or the meeting
    is on dates alone (its days are the same in every zone)."""
    if not zone_name or meeting.all_day:
        return ""
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        return ""
    start = meeting.starts_at.astimezone(zone)
    moment = f"{views.day_words(start.date(), 'day')}, {start:%H:%M}"
    return _("{time} your time ({zone})", time=moment, zone=zone_name)


def channel_reminder(meeting: Meeting, now: datetime) -> dict[str, object]:
    """The reminder in the group channel, with the buttons to register and add it to a calendar."""
    title = blocks.escape(meeting.title)
    when = starts_in(meeting, now)
    text = _(":alarm_clock: *{title}* starts {when}.", title=title, when=when) + f"\n{views.when_text(meeting)}"
    place = views.place_text(meeting)
    body = [blocks.section(f"{text}\n{place}" if place else text), *views.meeting_actions(meeting, where="reminder")]
    return blocks.message(_("Reminder: {title} starts {when}.", title=title, when=when), body)


def direct_reminder(meeting: Meeting, now: datetime, zone_name: str | None, *, here: bool = False) -> dict[str, object]:
    """The reminder to one registered person: their own time, the place or join link, the calendar; close to the
    start (`here`), the button that says they are there."""
    title = blocks.escape(meeting.title)
    when = starts_in(meeting, now)
    mine = reader_time(meeting, zone_name)
    if mine:
        first = _(":alarm_clock: Reminder: *{title}* starts {when}, {yours}.", title=title, when=when, yours=mine)
    else:
        first = _(":alarm_clock: Reminder: *{title}* starts {when}.", title=title, when=when)
    place = views.place_text(meeting)
    lines = [first, views.when_text(meeting)] + ([place] if place else [])
    body = [
        blocks.section("\n".join(lines)),
        blocks.actions(
            *([here_button(meeting)] if here else []),
            *views.calendar_buttons(meeting),
            block_id=f"meeting-{meeting.id}-reminder",
        ),
        blocks.context(_(REMINDERS_OFF_HINT)),
    ]
    return blocks.message(_("Reminder: {title} starts {when}.", title=title, when=when), body)


def starting_now(meeting: Meeting) -> dict[str, object]:
    """The post when an online meeting begins: the join link, large, and the button that says one is there."""
    title = blocks.escape(meeting.title)
    if meeting.join_url:
        join = blocks.link(meeting.join_url, _("Join the meeting"))
        text = _(":large_green_circle: *{title}* is starting now. {join}", title=title, join=join)
    else:
        text = _(":large_green_circle: *{title}* is starting now. The join link is on its card.", title=title)
    body = [blocks.section(text), blocks.actions(here_button(meeting), block_id=f"meeting-{meeting.id}-here")]
    return blocks.message(_("{title} is starting now.", title=title), body)


IM_HERE = "meeting_here"


def here_button(meeting: Meeting) -> blocks.Block:
    """*I'm here*: the organisers see who came."""
    return blocks.button(_(":wave: I'm here"), IM_HERE, str(meeting.id), style="primary")


def here_said(meeting: Meeting, said: str, *, walked_in: bool = False) -> str:
    """What pressing *I'm here* came to, in words (`said` is one of the service's outcomes)."""
    title = blocks.escape(meeting.title)
    if said == "here" and walked_in:
        return _(
            ":wave: Welcome to *{title}*: you are on its list of who came, though you had not registered.", title=title
        )
    if said == "here":
        return _(":wave: Thanks: the organisers see that you are at *{title}*.", title=title)
    if said == "already":
        return _("You said you are at *{title}* already; once is enough.", title=title)
    if said == "too early":
        return _("*{title}* has not begun: say you are there from 15 minutes before its start.", title=title)
    if said == "over":
        return _("*{title}* is over: who came was taken during it.", title=title)
    return _("*{title}* was cancelled; nobody is taken as there.", title=title)


def delayed_note(message: dict[str, object], due_at: datetime) -> dict[str, object]:
    """The same message with a line saying it is late and when it was due."""
    # Slack's pattern for the date: its {date_short_pretty} and {time} are Slack's, kept as they are.
    pattern = _("{date_short_pretty} at {time}")
    due = views.date_token(due_at, pattern, f"{due_at:%Y-%m-%d %H:%M} UTC")
    note = blocks.context(_(":hourglass: Delayed: this was due {due}, while the bot was not able to post.", due=due))
    body = list(message.get("blocks") or [])  # type: ignore[call-overload]
    if len(body) >= blocks.MESSAGE_BLOCKS_LIMIT:
        body = body[: blocks.MESSAGE_BLOCKS_LIMIT - 1]
    return {**message, "blocks": [*body, note]}
