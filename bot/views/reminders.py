"""Block Kit for scheduled meeting posts: reminders in the channel and by direct message, and "starting now".

Pure functions: a meeting and the moment of posting in, a message out. Times are Slack date
tokens (each reader sees their own zone); a direct reminder also spells out the reader's time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import humanize

from bot.views import blocks
from bot.views import meetings as views
from store.models import Meeting

REMINDERS_OFF_HINT = "You get this because you registered. `/meetings reminders off` stops these reminders."


def starts_in(meeting: Meeting, now: datetime) -> str:
    """`in a day`, `in 7 days`, `in an hour` (to the nearest minute), `in 30 seconds`; `now` once it begins."""
    seconds = round((meeting.starts_at - now).total_seconds())
    if seconds < 1:
        return "now"
    if seconds >= 90:
        seconds = round(seconds / 60) * 60  # a reminder a moment late still says "in an hour"
    return "in " + humanize.naturaldelta(timedelta(seconds=seconds))


def reader_time(meeting: Meeting, zone_name: str | None) -> str:
    """`Thu 3 Dec, 10:00 your time (Europe/Madrid)`, or "" when the reader's zone is unknown."""
    if not zone_name:
        return ""
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        return ""
    start = meeting.starts_at.astimezone(zone)
    return f"{start:%a %-d %b, %H:%M} your time ({zone_name})"


def channel_reminder(meeting: Meeting, now: datetime) -> dict[str, object]:
    """The reminder in the group channel, with the buttons to register and add it to a calendar."""
    title = blocks.escape(meeting.title)
    text = f":alarm_clock: *{title}* starts {starts_in(meeting, now)}.\n{views.when_text(meeting)}"
    place = views.place_text(meeting)
    body = [blocks.section(f"{text}\n{place}" if place else text), *views.meeting_actions(meeting, where="reminder")]
    return blocks.message(f"Reminder: {title} starts {starts_in(meeting, now)}.", body)


def direct_reminder(meeting: Meeting, now: datetime, zone_name: str | None) -> dict[str, object]:
    """The reminder to one registered person: their own time, the place or join link, the calendar."""
    title = blocks.escape(meeting.title)
    mine = reader_time(meeting, zone_name)
    first = f":alarm_clock: Reminder: *{title}* starts {starts_in(meeting, now)}" + (f", {mine}." if mine else ".")
    place = views.place_text(meeting)
    lines = [first, views.when_text(meeting)] + ([place] if place else [])
    body = [
        blocks.section("\n".join(lines)),
        blocks.actions(*views.calendar_buttons(meeting), block_id=f"meeting-{meeting.id}-reminder"),
        blocks.context(REMINDERS_OFF_HINT),
    ]
    return blocks.message(f"Reminder: {title} starts {starts_in(meeting, now)}.", body)


def starting_now(meeting: Meeting) -> dict[str, object]:
    """The post when an online meeting begins: the join link, large."""
    title = blocks.escape(meeting.title)
    join = blocks.link(meeting.join_url, "Join the meeting") if meeting.join_url else "the join link is on its card"
    body = [blocks.section(f":large_green_circle: *{title}* is starting now. {join}")]
    return blocks.message(f"{title} is starting now.", body)


def delayed_note(message: dict[str, object], due_at: datetime) -> dict[str, object]:
    """The same message with a line saying it is late and when it was due."""
    due = views.date_token(due_at, "{date_short_pretty} at {time}", f"{due_at:%Y-%m-%d %H:%M} UTC")
    note = blocks.context(f":hourglass: Delayed: this was due {due}, while the bot was not able to post.")
    body = list(message.get("blocks") or [])  # type: ignore[call-overload]
    if len(body) >= blocks.MESSAGE_BLOCKS_LIMIT:
        body = body[: blocks.MESSAGE_BLOCKS_LIMIT - 1]
    return {**message, "blocks": [*body, note]}
