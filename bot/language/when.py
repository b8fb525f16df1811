"""Dates, times and time zones as organisers type them: "11 Feb 2027 9:00 CET", "tomorrow 15:00", "3h".

Everything returned is a UTC-aware datetime; text without a zone is read in the zone the caller
gives (the meeting's, or the organiser's). Day-first dates, as the group is European.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from dateparser.date import DateDataParser
from dateparser.timezones import timezone_info_list

from bot.durations import parse_duration
from bot.language import i18n, weekdays
from bot.language.i18n import _
from bot.language.markup import escape

MAX_LENGTH = 200  # longer text is refused before it reaches the date parser
MAX_ZONE_LENGTH = 64
# Years outside these are typing slips; near year 1 or 9999 date arithmetic would overflow.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999
# Names in the zone database that name no place, and that the date parser cannot read dates in.
NOT_PLACES = frozenset({"Factory", "localtime"})

EXAMPLES = "“11 Feb 2027 9:00”, “2027-02-11 09:00 CET” or “next tuesday 10:00”"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_OFFSET = re.compile(r"^(?:(?:UTC|GMT)[+-]\d{1,2}(?::?\d{2})?|[+-]\d{2}:?\d{2})$", re.IGNORECASE)
_ZONE_NAME = re.compile(r"^[A-Za-z][A-Za-z_]*(?:/[A-Za-z0-9_+\-]+)+$")  # Europe/Berlin, America/Argentina/Salta
_CLOCK = re.compile(
    r"^(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?\s*(?P<half>[ap])\.?m\.?$"  # 5pm, 5:30 p.m.
    r"|^(?P<hour24>\d{1,2})[:.](?P<minute24>\d{2})$"  # 17:00, 17.00
    r"|^(?P<noon>noon|midday)$",
    re.IGNORECASE,
)


# A clock time written with a colon ("9:00", "0:00"): text with one is never a date alone.
_COLON_TIME = re.compile(r"\d\s*:\s*\d")
# Between two full dates: a dash with spaces around it, or an en or em dash ("12 May – 14 May 2027").
_DAYS_APART = re.compile(r"\s+[-–—]\s+|\s*[–—]\s*")
_YEAR = re.compile(r"\b\d{4}\b")


class WhenError(ValueError):
    """A date, time or zone that could not be understood; `message` says how to write it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def quote(text: str, limit: int = 60) -> str:
    """Quote what someone typed, shortened and escaped so that it shows as written in Slack."""
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"“{escape(text)}”"


@functools.cache
def _zone_keys() -> dict[str, str]:
    """Every IANA zone name of a place, by its lower-cased spelling."""
    return {key.lower(): key for key in available_timezones() - NOT_PLACES}


@functools.cache
def _abbreviations() -> dict[str, timedelta]:
    """Zone abbreviations the date parser knows ("CET", "BRT"...), with their offsets from UTC."""
    found: dict[str, timedelta] = {}
    for info in timezone_info_list:
        for name, seconds in info["timezones"]:
            if name.isalpha() and name.upper() not in ("AM", "PM"):
                found.setdefault(name.upper(), timedelta(seconds=seconds))
    found.setdefault("UTC", timedelta(0))
    return found


def parse_zone(text: str) -> ZoneInfo:
    """Return the IANA time zone named in `text` ("Europe/Berlin", any case, or "UTC")."""
    name = text.strip()
    if not name:
        raise WhenError(_("Please name a time zone, e.g. Europe/Madrid."))
    if len(name) > MAX_ZONE_LENGTH:
        raise WhenError(_("{zone} is not a time zone I know. Use a name like Europe/Madrid.", zone=quote(name)))
    key = _zone_keys().get(name.lower().replace(" ", "_"))
    if key is not None:
        try:
            return ZoneInfo(key)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    suggestions = _suggest_zones(name)
    if suggestions:
        raise WhenError(
            _(
                "{zone} is not a time zone I know. Did you mean {suggestions}? Use a name like Europe/Madrid.",
                zone=quote(name),
                suggestions=_either(suggestions),
            )
        )
    raise WhenError(_("{zone} is not a time zone I know. Use a name like Europe/Madrid.", zone=quote(name)))


def _suggest_zones(name: str) -> list[str]:
    """Up to three zone names close to `name`: a city part that matches exactly first, then look-alikes."""
    keys = _zone_keys()
    lowered = name.lower().replace(" ", "_")
    by_city = [key for low, key in sorted(keys.items()) if low.rsplit("/", 1)[-1] == lowered]
    close = [keys[low] for low in difflib.get_close_matches(lowered, keys, n=3, cutoff=0.6)]
    return list(dict.fromkeys(by_city + close))[:3]


def _either(names: Sequence[str]) -> str:
    """Join names as "A", "A or B", "A, B or C"."""
    return names[0] if len(names) == 1 else _("{names} or {last}", names=", ".join(names[:-1]), last=names[-1])


def split_zone(text: str) -> tuple[str, str]:
    """Split a trailing zone (IANA name, abbreviation or UTC offset) off a date and time."""
    words = text.strip().rsplit(None, 1)
    if len(words) == 2:
        rest, last = words
        if _ZONE_NAME.match(last) or _OFFSET.match(last) or last.upper() in _abbreviations():
            return rest.rstrip(" ,"), last
    return text.strip(), ""


def zone_for_abbreviation(abbrev: str, at: datetime, *, preferred: Sequence[str]) -> str | None:
    """Pick the IANA zone an abbreviation such as "CET" or "BRT" means at `at`, trying `preferred` first."""
    wanted = abbrev.strip().upper()
    if not wanted:
        return None
    offset = _abbreviations().get(wanted)
    for name in preferred:
        try:
            local = at.astimezone(ZoneInfo(name))
        except (ZoneInfoNotFoundError, ValueError):
            continue
        label = (local.tzname() or "").upper()
        if label == wanted:
            return name
        # Many zones now have numeric names ("-03" for São Paulo): match those by offset.
        if label[:1] in "+-" and offset is not None and local.utcoffset() == offset:
            return name
    key = _zone_keys().get(wanted.lower())
    return key if key is not None and key.upper() == wanted else None


def _read(text: str, zone: ZoneInfo, now: datetime) -> tuple[datetime, str]:
    """Read a moment and how precise it is ("time", "day", "month"...), or raise WhenError."""
    cleaned = " ".join(text.split())
    if not cleaned:
        raise WhenError(_("Please give a date and time, e.g. {examples}.", examples=EXAMPLES))
    if len(cleaned) > MAX_LENGTH:
        raise WhenError(_("That date is too long for me. Please write it shortly, e.g. {examples}.", examples=EXAMPLES))
    rest, token = split_zone(cleaned)
    if "/" in token:
        zone, cleaned = parse_zone(token), rest
    if zone.key in NOT_PLACES:
        raise WhenError(
            _("I can't read dates in the time zone {zone}. Add the zone, e.g. “9:00 Europe/Madrid”.", zone=zone.key)
        )
    local_now = now.astimezone(zone).replace(tzinfo=None)
    # What the date parser lacks: "nächsten Dienstag", "mardi prochain" as their dates, "18h" as 18:00.
    cleaned = weekdays.rewrite(cleaned, today=local_now.date())
    parser = DateDataParser(
        languages=list(i18n.available()),  # a date in any language the bot speaks ("15 de marzo de 2027")
        settings={
            "PREFER_DATES_FROM": "future",
            # RETURN_AS_TIMEZONE_AWARE keeps its default: the date is aware only when the text names its zone.
            # A wall time is placed in `zone` below, by zoneinfo, whose rules also hold where the date
            # parser's own zone data has none (after 2037, and Morocco's).
            "RELATIVE_BASE": local_now,
            "TIMEZONE": zone.key,
            "DATE_ORDER": "DMY",
            "RETURN_TIME_AS_PERIOD": True,
        },
    )
    out_of_range = WhenError(
        _(
            "{text} is not between the years {earliest} and {latest}.",
            text=quote(text),
            earliest=EARLIEST_YEAR,
            latest=LATEST_YEAR,
        )
    )
    try:
        data = parser.get_date_data(cleaned)
        if data.date_obj is None:
            raise WhenError(
                _(
                    "I could not read {text} as a date and time. Try e.g. {examples}.",
                    text=quote(text),
                    examples=EXAMPLES,
                )
            )
        found = data.date_obj if data.date_obj.tzinfo is not None else data.date_obj.replace(tzinfo=zone)
        # Whole minutes, as people mean them ("in 2 hours") and as `format_local` writes them back.
        moment = found.astimezone(UTC).replace(second=0, microsecond=0)
    except OverflowError:
        raise out_of_range from None
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise out_of_range
    return moment, data.period or "day"


def parse_moment(text: str, *, zone: ZoneInfo, now: datetime) -> datetime:
    """Read a date and time ("11 Feb 2027 9:00 CET", "tomorrow 15:00"); text without a zone is in `zone`."""
    moment, period = _read(text, zone, now)
    if period == "day":
        raise WhenError(_("{text} has no time: please add a time, e.g. 11 Feb 2027 9:00.", text=quote(text)))
    if period != "time":
        raise WhenError(_("{text} needs a day and a time, e.g. 11 Feb 2027 9:00.", text=quote(text)))
    return moment


def parse_deadline(text: str, *, zone: ZoneInfo, now: datetime) -> datetime:
    """Read a date and time, or a date alone meaning the end of that day (23:59 in `zone`)."""
    moment, period = _read(text, zone, now)
    if period == "time":
        return moment
    if period != "day":
        raise WhenError(_("{text} needs a day, e.g. 1 Feb 2027 or 1 Feb 2027 18:00.", text=quote(text)))
    day = moment.astimezone(zone).date()
    return datetime.combine(day, time(23, 59), tzinfo=zone).astimezone(UTC)


def parse_end(text: str, *, start: datetime, zone: ZoneInfo, now: datetime, hour_words: bool = False) -> datetime:
    """Read when something ends: a time on the start's day ("17:00", "5pm", "18 Uhr"), a length ("3h"), or a
    date and time. With `hour_words` (the start was written "14h") an end such as "16h" is a time, not a length,
    unless that time is not after the start."""
    cleaned = " ".join(text.split())
    if len(cleaned) > MAX_LENGTH:
        raise WhenError(
            _("That end time is too long for me. Please write it like “17:00”, “3h” or “12 Feb 2027 13:00”.")
        )
    clock, token = split_zone(cleaned)
    worded = weekdays.clock_time(clock)
    length = parse_duration(weekdays.english_length(cleaned))
    if worded is not None and (length is None or hour_words):
        day = start.astimezone(zone).date()
        end = parse_moment(f"{day.isoformat()} {worded[0]:02d}:{worded[1]:02d} {token}", zone=zone, now=now)
        if end > start or length is None:
            return end
    if length is not None:  # "3h"; and "2h" after a start at "14h", which cannot be two o'clock
        return start + length
    match = _CLOCK.match(clock)
    if match is not None:
        if match["noon"] is not None:
            hour, minute = 12, 0
        elif match["hour24"] is not None:
            hour, minute = int(match["hour24"]), int(match["minute24"])
        else:
            hour, minute = int(match["hour"]) % 12, int(match["minute"] or 0)
            hour += 12 if match["half"].lower() == "p" else 0
        if hour > 23 or minute > 59:
            raise WhenError(_("{text} is not a time of day. Write the end like “17:00” or “5pm”.", text=quote(text)))
        day = start.astimezone(zone).date()
        return parse_moment(f"{day.isoformat()} {hour:02d}:{minute:02d} {token}", zone=zone, now=now)
    try:
        return parse_moment(cleaned, zone=zone, now=now)
    except WhenError:
        raise WhenError(
            _(
                "I could not read {text} as an end. Write it like “17:00”, “5pm”, “3h”, “90m” or “12 Feb 2027 13:00”.",
                text=quote(text),
            )
        ) from None


def is_date_alone(text: str) -> bool:
    """Whether `text` holds no time of day as written: no "9:00", no hour word ("14h", "10 Uhr")."""
    return _COLON_TIME.search(text) is None and not weekdays.has_hour_word(text)


def parse_day(text: str, *, zone: ZoneInfo, now: datetime) -> date:
    """Read a date alone ("12 May 2027", "12. Mai 2027", "12 mayo 2027", "2027-05-12"); relative days in `zone`.

    A date with a time, even 00:00, is not a date alone: the date parser gives both as midnight, so the
    text tells them apart (a time written with a colon or an hour word), and so does the parser's precision.
    """
    cleaned = " ".join(text.split())
    if not cleaned:
        raise WhenError(_("Please give a date, e.g. 12 May 2027."))
    if cleaned.isdecimal():  # "13" alone is a number before it is a date
        raise _not_a_day(text)
    rest, token = split_zone(cleaned)
    if "/" in token:  # "12 May 2027 Europe/Lisbon": the day as it is in the zone named
        cleaned, zone = rest, parse_zone(token)
    moment, period = _read(cleaned, zone, now)
    if period != "day" or not is_date_alone(text):
        raise _not_a_day(text)
    return moment.astimezone(zone).date()


def _not_a_day(text: str) -> WhenError:
    return WhenError(_("{text} is not a date alone. Write a day like “12 May 2027”.", text=quote(text)))


def parse_days(text: str, *, zone: ZoneInfo, now: datetime) -> tuple[date, date]:
    """Read the first and last day of "12–13 May 2027", "12-13 May 2027", "30 Apr – 2 May 2027" or "12 May 2027"."""
    cleaned = " ".join(text.split())
    match = _day_range().match(cleaned)
    if match is not None:  # "12-13 May 2027", "12. bis 13. Mai 2027": the first day shares the last's month
        last = parse_day(match["last"], zone=zone, now=now)
        try:
            first = last.replace(day=int(match["day"]))
        except ValueError:
            raise _not_a_day(text) from None
        return _in_order(first, last, text)
    pieces = _DAYS_APART.split(cleaned, maxsplit=1)
    if len(pieces) == 2 and all(pieces):
        last = parse_day(pieces[1], zone=zone, now=now)
        if _YEAR.search(pieces[0]) is None and any(ch.isdigit() for ch in pieces[0]):
            first = parse_day(f"{pieces[0]} {last.year}", zone=zone, now=now)  # "30 Dec – 2 Jan 2028"
            if first > last:
                first = first.replace(year=first.year - 1)
        else:
            first = parse_day(pieces[0], zone=zone, now=now)
        return _in_order(first, last, text)
    day = parse_day(cleaned, zone=zone, now=now)
    return day, day


class DaysOutOfOrder(WhenError):
    """Dates alone whose last day comes before the first."""


def _in_order(first: date, last: date, text: str) -> tuple[date, date]:
    if last < first:
        raise DaysOutOfOrder(_("In {text} the last day comes before the first.", text=quote(text)))
    return first, last


@functools.cache
def _day_range() -> re.Pattern[str]:
    """A day, then a dash or a word for "to" in any language the bot speaks, then a day with its month."""
    until = "|".join(weekdays.loose(word) for word in sorted(i18n.words("date_until"), key=len, reverse=True))
    between = rf"\s*[-–—]\s*|\s+(?:{until})\s+" if until else r"\s*[-–—]\s*"
    return re.compile(rf"^(?P<day>\d{{1,2}})\.?(?:{between})(?P<last>\d{{1,2}}\.?\s*[^\W\d_].*)$", re.IGNORECASE)


def is_day(text: str, *, zone: ZoneInfo, now: datetime) -> bool:
    """Whether `text` is a date alone that can be read ("12 May 2027", not "12 May 2027 9:00")."""
    if not text.strip() or not is_date_alone(text):
        return False
    try:
        parse_day(text, zone=zone, now=now)
    except WhenError:
        return False
    return True


def days_alone(start: str, end: str, *, zone: ZoneInfo, now: datetime) -> bool:
    """Whether a start and end as typed make a meeting on dates alone: the start a date, the end empty or a date."""
    return is_day(start, zone=zone, now=now) and (not end.strip() or is_day(end, zone=zone, now=now))


def end_of_days(text: str, *, start: datetime, zone: ZoneInfo, now: datetime) -> datetime:
    """00:00 after the last day written in `text` (after the day of `start` when `text` is empty), in `zone`, as UTC."""
    last = parse_day(text, zone=zone, now=now) if text.strip() else start.astimezone(zone).date()
    return day_start(last + timedelta(days=1), zone)


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """00:00 of `day` in `zone`, as a UTC datetime (how a meeting on dates alone is stored)."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def days_of(starts_at: datetime, ends_at: datetime, zone: ZoneInfo) -> tuple[date, date]:
    """The first and last day of a meeting on dates alone (stored from 00:00 of the first to 00:00 after the last)."""
    first = starts_at.astimezone(zone).date()
    return first, max(first, ends_at.astimezone(zone).date() - timedelta(days=1))


def format_day(day: date) -> str:
    """Write a day as "Wed 12 May 2027", so that parse_day reads it back."""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def format_local(moment: datetime, zone: ZoneInfo) -> str:
    """Write a moment as it reads in `zone`, e.g. "Thu 11 Feb 2027 09:00", so that parse_moment reads it back."""
    local = moment.astimezone(zone)
    text = f"{WEEKDAYS[local.weekday()]} {local.day} {MONTHS[local.month - 1]} {local.year} {local:%H:%M}"
    # The hour repeated when clocks go back needs its offset to say which one it is.
    offset = local.utcoffset()
    if offset is not None and local.replace(fold=1 - local.fold).utcoffset() != offset:
        minutes = int(offset.total_seconds()) // 60
        sign = "+" if minutes >= 0 else "-"
        text += f" {sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return text
