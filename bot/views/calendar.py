"""Meetings for calendars: iCalendar files (RFC 5545), the subscribable feed and Google Calendar links."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vRecur
from icalendar.enums import STATUS

from bot.language import i18n
from bot.language.countries import country_name
from bot.language.when import days_of
from store.after_models import Recap
from store.meetings import MeetingDraft
from store.models import Meeting, MeetingKind, MeetingSeries
from store.series import draft_at

logger = logging.getLogger(__name__)

DEFAULT_DOMAIN = "tci-bot"
PRODID = "-//tci-bot//Meetings//EN"
GOOGLE_CALENDAR_URL = "https://calendar.google.com/calendar/render"
MAX_GOOGLE_URL_LENGTH = 2000  # Slack's limit for a URL button; the link is kept shorter than this
ELLIPSIS = "…"
_GOOGLE_TIME = "%Y%m%dT%H%M%SZ"
_GOOGLE_DAY = "%Y%m%d"
_SLUG_LENGTH = 48
# How far before and after the meetings the VTIMEZONE rules reach.
_ZONE_MARGIN = timedelta(days=366)


def calendar_domain(public_url: str) -> str:
    """Return the domain of meeting UIDs: the host of PUBLIC_URL, else the bot's name."""
    host = urlsplit(public_url).hostname if public_url else None
    return host or DEFAULT_DOMAIN


def meeting_uid(meeting: Meeting, *, domain: str) -> str:
    """Return the meeting's stable iCalendar UID, the same through every edit."""
    if meeting.id is None:
        raise ValueError("a meeting needs an id (store it first) to have a calendar UID")
    return f"meeting-{meeting.id}@{domain or DEFAULT_DOMAIN}"


def place(meeting: Meeting) -> str:
    """Return where the meeting happens in person: venue, city and country, as one line."""
    parts = (meeting.venue.strip(), meeting.city.strip(), country_name(meeting.country.strip(), i18n.SOURCE_LANGUAGE))
    return ", ".join(part for part in parts if part)


def location(meeting: Meeting) -> str:
    """Return the meeting's calendar location: the place, or the join link for an online meeting."""
    where = "" if meeting.kind == MeetingKind.ONLINE else place(meeting)
    return where or meeting.join_url


def _links(meeting: Meeting) -> str:
    lines = []
    if meeting.join_url:
        lines.append(f"Join: {meeting.join_url}")
    if meeting.agenda_url:
        lines.append(f"Agenda: {meeting.agenda_url}")
    return "\n".join(lines)


def _details(description: str, links: str, recap: Recap | None = None) -> str:
    return "\n\n".join(part for part in (description.strip(), links, _recap(recap)) if part)


def _recap(recap: Recap | None) -> str:
    """The recap as a calendar keeps it, after the meeting's own details."""
    if recap is None:
        return ""
    lines = ["Recap:", recap.summary.strip()] if recap.summary.strip() else ["Recap:"]
    for label, url in (
        ("Slides", recap.slides_url),
        ("Recording", recap.recording_url),
        ("Minutes", recap.minutes_url),
    ):
        if url:
            lines.append(f"{label}: {url}")
    return "\n".join(lines) if len(lines) > 1 else ""


def event_span(meeting: Meeting) -> tuple[date, date] | tuple[datetime, datetime]:
    """The event's start and end: in the meeting's own zone, or its first day and the day after its last
    (DTSTART;VALUE=DATE, DTEND;VALUE=DATE, RFC 5545 3.6.1) for a meeting on dates alone."""
    zone = ZoneInfo(meeting.timezone)
    if meeting.all_day:
        first, last = days_of(meeting.starts_at, meeting.ends_at, zone)
        return first, last + timedelta(days=1)
    return meeting.starts_at.astimezone(zone), meeting.ends_at.astimezone(zone)


def meeting_event(meeting: Meeting, *, domain: str, recap: Recap | None = None) -> Event:
    """Build the meeting's VEVENT, its times in the meeting's own zone (its days, for a meeting on dates alone);
    its description ends with the recap, once there is one."""
    start, end = event_span(meeting)
    return Event.new(
        uid=meeting_uid(meeting, domain=domain),
        stamp=meeting.updated_at.astimezone(UTC),
        start=start,
        end=end,
        summary=meeting.title,
        location=location(meeting) or None,
        description=_details(meeting.description, _links(meeting), recap) or None,
        url=meeting.join_url or None,
        sequence=meeting.sequence,
        status=STATUS.CANCELLED if meeting.is_cancelled else STATUS.CONFIRMED,
        created=meeting.created_at.astimezone(UTC),
        last_modified=meeting.updated_at.astimezone(UTC),
    )


@dataclass(frozen=True)
class SeriesEntry:
    """A series for a calendar: its row, its meetings' fields as it keeps them, and every meeting of it that exists."""

    series: MeetingSeries
    template: MeetingDraft
    meetings: Sequence[Meeting]


def series_uid(series: MeetingSeries, *, domain: str) -> str:
    """The series' stable iCalendar UID, shared by its event and the events of its meetings changed on their own."""
    return f"series-{series.id}@{domain or DEFAULT_DOMAIN}"


def _rule(entry: SeriesEntry) -> vRecur:
    """The series' RRULE; for meetings on dates alone, its UNTIL a date too, as DTSTART is (RFC 5545 3.3.10)."""
    recur = vRecur.from_ical(entry.series.rule)
    until = recur.get("UNTIL")
    if entry.template.all_day and until:
        recur["UNTIL"] = [until[0].astimezone(ZoneInfo(entry.series.timezone)).date()]
    return recur


def series_events(entry: SeriesEntry, *, domain: str, recaps: Mapping[int, Recap] | None = None) -> list[Event]:
    """The series as one VEVENT with its RRULE, its cancelled meetings as EXDATE, and a VEVENT with RECURRENCE-ID
    for each meeting that differs from what the rule makes of it (RFC 5545 3.8.4.4)."""
    series, template = entry.series, entry.template
    uid = series_uid(series, domain=domain)
    zone = ZoneInfo(series.timezone)
    first = Meeting(**template.values(), id=0, sequence=series.sequence)
    first.created_at, first.updated_at = series.created_at, series.updated_at
    master = meeting_event(first, domain=domain)
    master["UID"] = uid
    master.add("RRULE", _rule(entry))
    events = [master]
    for meeting in entry.meetings:
        if meeting.occurrence_at is None:
            continue
        occurrence = meeting.occurrence_at.astimezone(zone)
        written: date | datetime = occurrence.date() if template.all_day else occurrence
        if meeting.is_cancelled:
            master.add("EXDATE", written)
            continue
        recap = (recaps or {}).get(meeting.id or 0)
        if MeetingDraft.of(meeting) == draft_at(template, occurrence) and recap is None:
            continue  # the rule makes it as it is
        changed = meeting_event(meeting, domain=domain, recap=recap)
        changed["UID"] = uid
        changed.add("RECURRENCE-ID", written)
        events.append(changed)
    return events


def calendar_file(
    meetings: Iterable[Meeting],
    *,
    name: str,
    domain: str,
    method: str | None = "PUBLISH",
    series: Iterable[SeriesEntry] = (),
    recaps: Mapping[int, Recap] | None = None,
) -> bytes:
    """Build an iCalendar file of the meetings and the series, with the time zones they use.

    A meeting of one of the series given is published as part of its series, not on its own.
    """
    calendar = Calendar()
    calendar.prodid = PRODID
    calendar.version = "2.0"
    calendar.calendar_name = name
    if method:
        calendar.method = method
    entries = list(series)
    listed = [m for m in meetings if m.series_id not in {e.series.id for e in entries}]
    for meeting in listed:
        calendar.add_component(meeting_event(meeting, domain=domain, recap=(recaps or {}).get(meeting.id or 0)))
    for entry in entries:
        for event in series_events(entry, domain=domain, recaps=recaps):
            calendar.add_component(event)
        listed += list(entry.meetings)
    if listed:
        first = min(meeting.starts_at for meeting in listed) - _ZONE_MARGIN
        last = max(meeting.ends_at for meeting in listed) + _ZONE_MARGIN
        calendar.add_missing_timezones(first_date=first.date(), last_date=last.date())
    return calendar.to_ical()


def _google_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_GOOGLE_TIME)


def _shorten(text: str, length: int) -> str:
    if length >= len(text):
        return text
    if length <= 0:
        return ""
    return text[:length].rstrip() + ELLIPSIS


def _longest_fitting(build: Callable[[str], str], text: str) -> str | None:
    """The longest shortening of `text` whose link fits, or None when not even an empty one does."""
    if len(build(text)) < MAX_GOOGLE_URL_LENGTH:
        return text
    if len(build("")) >= MAX_GOOGLE_URL_LENGTH:
        return None
    low, high = 0, len(text) - 1  # `low` characters always fit; more than `high` never do
    while low < high:
        middle = (low + high + 1) // 2
        if len(build(_shorten(text, middle))) < MAX_GOOGLE_URL_LENGTH:
            low = middle
        else:
            high = middle - 1
    return _shorten(text, low)


def google_calendar_url(meeting: Meeting) -> str:
    """Return the "add to Google Calendar" link, shortening the details to stay within Slack's limit."""
    if meeting.all_day:  # its days, the last one exclusive, as in the .ics
        first, after = event_span(meeting)
        dates = f"{first.strftime(_GOOGLE_DAY)}/{after.strftime(_GOOGLE_DAY)}"
    else:
        dates = f"{_google_time(meeting.starts_at)}/{_google_time(meeting.ends_at)}"
    return _google_link(
        meeting.title, dates, location(meeting), _links(meeting), meeting.description.strip(), meeting.timezone
    )


# A list shows the same meetings to everyone who asks, and each link is shortened to fit by building it several
# times: each is built once for the meeting as it stands, and kept.
_LINKS_KEPT = 2048


@lru_cache(maxsize=_LINKS_KEPT)
def _google_link(title: str, dates: str, where: str, links: str, description: str, zone: str) -> str:
    def build(details: str, where: str = where) -> str:
        params = {"action": "TEMPLATE", "text": title, "dates": dates}
        if details:
            params["details"] = details
        if where:
            params["location"] = where
        params["ctz"] = zone
        return f"{GOOGLE_CALENDAR_URL}?{urlencode(params, safe='/')}"

    # Shorten the description first and keep the links; then the links; then the location.
    fitting = _longest_fitting(lambda text: build(_details(text, links)), description)
    if fitting is not None:
        return build(_details(fitting, links))
    details = _longest_fitting(build, links)
    if details is not None:
        return build(details)
    where = _longest_fitting(lambda text: build("", text), where) or ""
    return build("", where)


def ics_filename(meeting: Meeting) -> str:
    """Return a file name for the meeting's .ics file, e.g. meeting-12-essen-workshop.ics."""
    ascii_title = unicodedata.normalize("NFKD", meeting.title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    slug = slug[:_SLUG_LENGTH].rstrip("-")
    stem = f"meeting-{meeting.id}" if meeting.id is not None else "meeting"
    return f"{stem}-{slug}.ics" if slug else f"{stem}.ics"
