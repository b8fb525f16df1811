"""The one-line meeting organisers type after `/meetings add`, read into a draft and what was assumed.

"Essen workshop, 11 Feb 2027 9:00-17:00 CET, Essen, capacity 40": the title first, then, in any
order and separated by commas, the date and times (or dates alone for an all-day meeting: "12–13 May 2027"),
a city (and its country), a venue, a capacity,
how people attend, a join link, an agenda link, a registration deadline and a time zone.
Checks that need the clock or the whole draft (in the future, ends after it starts) are the caller's.
The parts are read by kind: `_parts` splits the line and tells them apart, `_times`, `_zones`, `_places`,
`_links`, `_capacity` and `_text` read each one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.language.i18n import N_, _, format_number
from bot.language.quick_meeting._links import is_link
from bot.language.quick_meeting._parts import kind_in_title, split, take
from bot.language.quick_meeting._reading import EXAMPLE, Reading
from bot.language.quick_meeting._series import first_of_series
from bot.language.quick_meeting._text import MAX_TITLE, free_text
from bot.language.quick_meeting._times import read_times, times_or_none
from bot.language.quick_meeting._zones import choose_zone, zone_or_none
from bot.language.repeats import Repeat, RepeatError
from bot.language.when import WhenError, parse_deadline
from store.meetings import MeetingDraft
from store.models import MeetingKind

MAX_LENGTH = 1000
MAX_PARTS = 20
DEFAULT_LENGTH = timedelta(hours=2)
TITLED = {  # how people attend, read from the title's words
    MeetingKind.HYBRID: N_("The title says “{word}”: I took it as a hybrid meeting."),
    MeetingKind.ONLINE: N_("The title says “{word}”: I took it as an online meeting."),
    MeetingKind.IN_PERSON: N_("The title says “{word}”: I took it as an in-person meeting."),
}


@dataclass(frozen=True)
class QuickMeeting:
    """A meeting read from one line, and what was assumed to fill the gaps."""

    draft: MeetingDraft
    notes: tuple[str, ...] = ()
    repeat: Repeat | None = None  # how it repeats, fitted to its first start and checked


class QuickMeetingError(ValueError):
    """The line could not be read; `problems` says what to fix, one message for the person each.

    `draft` is the meeting as far as it could be read (a title and times were), so that the
    caller can check it too and tell every problem in one answer; None when there is too little.
    """

    def __init__(self, problems: list[str], *, draft: MeetingDraft | None = None) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems
        self.draft = draft


def parse_quick(text: str, *, default_zone: str, group_zone: str, now: datetime) -> QuickMeeting:
    """Read a one-line meeting ("Essen workshop, 11 Feb 2027 9:00-17:00 CET, Essen, capacity 40").

    `text` is as Slack sends it: links arrive as <https://...>, and &, <, > as &amp;, &lt;, &gt;.
    """
    if len(text) > MAX_LENGTH:
        raise QuickMeetingError(
            [
                _(
                    "That is too long for one line ({length} characters; at most {limit}). "
                    "Type `/meetings add` alone to open the form.",
                    length=format_number(len(text)),
                    limit=format_number(MAX_LENGTH),
                )
            ]
        )
    fallback = zone_or_none(default_zone) or zone_or_none(group_zone) or ZoneInfo("UTC")
    reading = Reading()
    parts = split(text)
    if len(parts) > MAX_PARTS:
        raise QuickMeetingError(
            [
                _(
                    "That line has {count} parts; a meeting needs fewer. Type `/meetings add` alone to open the form.",
                    count=format_number(len(parts)),
                )
            ]
        )
    if not parts:
        raise QuickMeetingError(
            [_("Please write the meeting's title, date and time, e.g. {example}.", example=EXAMPLE)]
        )
    first = parts[0]
    if is_link(first) or (any(ch.isdigit() for ch in first) and times_or_none(first, fallback, now) is not None):
        reading.problems.append(_("Please start with the meeting's title, e.g. {example}.", example=EXAMPLE))
    else:
        reading.title = free_text(first, "title", MAX_TITLE, reading.problems)
        if not reading.title and not reading.problems:
            reading.problems.append(_("Please start with the meeting's title, e.g. {example}.", example=EXAMPLE))
        parts = parts[1:]
    index = 0
    while index < len(parts):
        index += take(parts, index, reading, fallback, now)
    if not reading.when and not reading.when_problem:
        reading.problems.append(
            _("When is it? Add a date and a time after the title, e.g. {example}.", example=EXAMPLE)
        )
    if reading.problems:
        partial = None
        if reading.title and reading.when and not reading.when_problem:
            try:
                partial = _build(reading, default_zone, group_zone, fallback, now).draft
            except (QuickMeetingError, WhenError):
                partial = None
        raise QuickMeetingError(reading.problems, draft=partial)
    return _build(reading, default_zone, group_zone, fallback, now)


def _kind_of(reading: Reading, notes: list[str]) -> str:
    """How people attend when the line does not say: from the place and the link, unless the title says otherwise
    ("Hybrid meetup" with a city and a link); what was assumed goes into `notes`."""
    has_place = bool(reading.city_name or reading.venue)
    guessed: list[str] = []
    if has_place:
        kind = MeetingKind.IN_PERSON
        if reading.join_url:
            guessed.append(
                _("There is a place and a join link: I assumed in person; add “hybrid” if people can also join online.")
            )
    elif reading.join_url:
        kind = MeetingKind.ONLINE
    else:
        kind = MeetingKind.IN_PERSON
        guessed.append(_("No place or join link given: I assumed in person."))
    titled = kind_in_title(reading.title)
    if titled is not None and titled[0] != kind:
        kind, guessed = titled[0], [_(TITLED[titled[0]], word=titled[1])]
    notes.extend(guessed)
    return kind


def _build(reading: Reading, default_zone: str, group_zone: str, fallback: ZoneInfo, now: datetime) -> QuickMeeting:
    """Choose the zone, read the times in it, and fill the gaps, saying what was assumed."""
    notes: list[str] = []
    first = reading.times or read_times(reading.when, fallback, now)
    zone, zone_note = choose_zone(reading, first, default_zone, group_zone, fallback, now)
    if zone_note:
        notes.append(zone_note)
    try:
        times = first if zone.key == fallback.key else read_times(reading.when, zone, now)
    except WhenError as error:
        raise QuickMeetingError([error.message]) from None
    ends_at = times.end
    if ends_at is None:
        ends_at = times.start + DEFAULT_LENGTH
        notes.append(_("No end time given: I assumed 2 hours."))
    repeat = None
    if reading.repeat is not None or reading.repeat_count is not None or reading.repeat_until:
        try:
            repeat, start, ends_at, series_note = first_of_series(reading, times.start, ends_at, zone, now)
        except RepeatError as error:
            raise QuickMeetingError([error.message]) from None
        times = replace(times, start=start)
        if series_note:
            notes.append(series_note)
    deadline = None
    if reading.deadline:
        try:
            deadline = parse_deadline(reading.deadline, zone=zone, now=now)
        except WhenError as error:
            raise QuickMeetingError([error.message]) from None
    kind = reading.kind or _kind_of(reading, notes)
    draft = MeetingDraft(
        title=reading.title,
        kind=str(kind),
        starts_at=times.start,
        ends_at=ends_at,
        timezone=zone.key,
        venue=reading.venue,
        city=reading.city_name,
        country=reading.country,
        join_url=reading.join_url,
        agenda_url=reading.agenda_url,
        capacity=reading.capacity,
        registration_deadline=deadline,
        all_day=times.all_day,
    )
    return QuickMeeting(draft=draft, notes=tuple(notes), repeat=repeat)
