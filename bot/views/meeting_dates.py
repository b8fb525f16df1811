"""When a meeting is, in words: its days and times in the language spoken now, and Slack's date tokens.

Times are written with Slack's `<!date^...>` token so each reader sees their own zone, with the meeting's zone
beside. Babel reads its locale data and parses a pattern at every call, and lists, cards and answers write the
same days and the same meetings' times again and again: each is written once for what it depends on (the
moments, the meeting's zone, the language and the reader's zone) and kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_interval, format_skeleton

from bot.language import i18n
from bot.language.i18n import _
from bot.language.when import days_of

# How a day is written: in English with these patterns, in the other languages in their own standard forms.
ENGLISH_DAYS = {"short": "EEE d MMM y", "long": "EEEE d MMMM y", "date": "d MMM y", "day": "EEE d MMM"}
LOCAL_DAYS = {"short": "yMMMEd", "date": "yMMMd", "day": "MMMEd"}  # CLDR skeletons; `long` is the full date
_DAYS_KEPT = 4096  # (day, form, language), and as many meetings' times (a few hundred bytes each)


class Timed(Protocol):
    """What the words for when a meeting is are made of: a meeting, or only its times."""

    @property
    def starts_at(self) -> datetime: ...
    @property
    def ends_at(self) -> datetime: ...
    @property
    def timezone(self) -> str: ...
    @property
    def all_day(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class _Span:
    """A meeting's times alone: what its words are kept by. Moments are equal when they are the same instant,
    and what is written of them depends only on the instant and the meeting's zone."""

    starts_at: datetime
    ends_at: datetime
    timezone: str
    all_day: bool

    @classmethod
    def of(cls, meeting: Timed) -> _Span:
        return cls(meeting.starts_at, meeting.ends_at, meeting.timezone, meeting.all_day)


def day_words(day: date, form: str) -> str:
    """A day in words in the language spoken now: `short`, `long`, `date` or `day` (no year).

    English keeps the bot's forms (`Thu 11 Feb 2027`, `Thursday 11 February 2027`, `11 Feb 2027`, `Thu 11 Feb`);
    the other languages have their own, from CLDR (`jue, 11 feb 2027`, `Donnerstag, 11. Februar 2027`).
    """
    return _day_words(day.date() if isinstance(day, datetime) else day, form, i18n.language())


@lru_cache(maxsize=_DAYS_KEPT)
def _day_words(day: date, form: str, language: str) -> str:
    if language == i18n.SOURCE_LANGUAGE:
        return format_date(day, ENGLISH_DAYS[form], locale=language)
    if form == "long":
        return format_date(day, "full", locale=language)
    return format_skeleton(LOCAL_DAYS[form], day, locale=language)


def date_token(moment: datetime, pattern: str, fallback: str) -> str:
    """Slack's date token: shown in the reader's zone, with `fallback` where it cannot be."""
    return f"<!date^{int(moment.timestamp())}^{pattern}|{fallback}>"


def local(moment: datetime, meeting: Timed) -> datetime:
    """The moment in the meeting's own zone."""
    return moment.astimezone(ZoneInfo(meeting.timezone))


def meeting_days(meeting: Timed) -> tuple[date, date]:
    """The first and last day of a meeting on dates alone."""
    return days_of(meeting.starts_at, meeting.ends_at, ZoneInfo(meeting.timezone))


def days_words(first: date, last: date) -> str:
    """Days in words in the language spoken now: `Wed 12 – Thu 13 May 2027`, or `Wed 12 May 2027` for one day.

    English keeps the bot's day-first forms; the other languages have CLDR's intervals (`Mi., 12. – Do., 13. Mai 2027`).
    """
    return _days_words(first, last, i18n.language())


@lru_cache(maxsize=_DAYS_KEPT)
def _days_words(first: date, last: date, language: str) -> str:
    if language != i18n.SOURCE_LANGUAGE:
        return format_interval(first, last, LOCAL_DAYS["short"], locale=language)
    if first == last:
        return _day_words(first, "short", language)
    if (first.year, first.month) == (last.year, last.month):
        opening = format_date(first, "EEE d", locale=language)
    elif first.year == last.year:
        opening = _day_words(first, "day", language)
    else:
        opening = _day_words(first, "short", language)
    return f"{opening} – {_day_words(last, 'short', language)}"


def day_token(day: date) -> str:
    """A day as Slack's date token, without a time: at noon UTC, so that it is the same day in nearly every zone."""
    return date_token(datetime.combine(day, time(12), tzinfo=UTC), "{date_long_pretty}", day_words(day, "long"))


def when_plain(meeting: Timed) -> str:
    """When the meeting is, in its own zone, in plain text: `Thu 11 Feb 2027, 09:00–17:00 CET`.

    A meeting on dates alone is its days: `Wed 12 – Thu 13 May 2027`.
    """
    return _when_plain(_Span.of(meeting), i18n.language())


@lru_cache(maxsize=_DAYS_KEPT)
def _when_plain(meeting: _Span, language: str) -> str:  # written in `language`, the one spoken now
    if meeting.all_day:
        return days_words(*meeting_days(meeting))
    start, end = local(meeting.starts_at, meeting), local(meeting.ends_at, meeting)
    day = day_words(start.date(), "short")
    if start.date() == end.date():
        return f"{day}, {start:%H:%M}–{end:%H:%M} {end.tzname()}"
    last_day = day_words(end.date(), "short")
    return f"{day}, {start:%H:%M} {start.tzname()} – {last_day}, {end:%H:%M} {end.tzname()}"


def when_text(meeting: Timed) -> str:
    """When the meeting is, in the reader's zone, with the meeting's own zone beside it; a meeting on dates
    alone is its days, the same for every reader."""
    reader = i18n.reader_zone()
    return _when_text(_Span.of(meeting), i18n.language(), reader.key if reader is not None else None)


@lru_cache(maxsize=_DAYS_KEPT)
def _when_text(meeting: _Span, language: str, reader_zone: str | None) -> str:  # `language` is the one spoken now
    if meeting.all_day:
        days = meeting_days(meeting)
        if days[0] == days[1]:
            return day_token(days[0])
        return _("{first} – {last}", first=day_token(days[0]), last=day_token(days[1]))
    start, end = local(meeting.starts_at, meeting), local(meeting.ends_at, meeting)
    same_day = start.date() == end.date()
    first_day = day_words(start.date(), "long")
    first = date_token(meeting.starts_at, "{date_long_pretty}, {time}", f"{first_day}, {start:%H:%M}")
    if same_day:
        last = date_token(meeting.ends_at, "{time}", f"{end:%H:%M}")
    else:
        last_day = day_words(end.date(), "long")
        last = date_token(meeting.ends_at, "{date_long_pretty}, {time}", f"{last_day}, {end:%H:%M}")
    if reader_zone == meeting.timezone:  # the reader's own times are the meeting's: said once
        return _("{start} – {end} _({zone})_", start=first, end=last, zone=meeting.timezone)
    there = when_plain(meeting)
    if reader_zone is not None and _same_days(meeting, ZoneInfo(reader_zone)):  # the day is the reader's too
        there = f"{start:%H:%M}–{end:%H:%M} {end.tzname()}" if same_day else there
    return _(
        "{start} – {end} _(there: {there}, {zone})_",
        start=first,
        end=last,
        there=there,
        zone=meeting.timezone,
    )


def _same_days(meeting: Timed, reader: ZoneInfo) -> bool:
    """Whether the meeting starts and ends on the same days for the reader as in its own zone."""
    own = (local(meeting.starts_at, meeting).date(), local(meeting.ends_at, meeting).date())
    theirs = (meeting.starts_at.astimezone(reader).date(), meeting.ends_at.astimezone(reader).date())
    return own == theirs
