"""Reading the date and times of a one-line meeting: "11 Feb 2027 9:00-17:00 CET", "… 15:00 for 90m", "12–13 May"."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.durations import parse_duration
from bot.language import i18n, weekdays
from bot.language.i18n import _
from bot.language.when import (
    DaysOutOfOrder,
    WhenError,
    day_start,
    is_date_alone,
    parse_days,
    parse_end,
    parse_moment,
    parse_zone,
    quote,
    split_zone,
)


@functools.cache
def range_pattern() -> re.Pattern[str]:
    """What stands between a start and an end: "9:00-17:00", "9am to 5pm", "14h à 16h", "10 Uhr bis 12 Uhr"."""
    # Where a start time ends: "9:00", "9.00", "9am", "9 a.m.", "noon" (as when.parse_end reads them), "14h".
    ends = [r"(?<=\d:\d\d)", r"(?<=\d\.\d\d)", r"(?<=[ap]m)", r"(?<=[ap]\.m\.)", r"(?<=noon)", r"(?<=midday)"]
    for word in i18n.words("date_hour"):
        ends += [rf"(?<=\d{re.escape(word)})", rf"(?<=\d {re.escape(word)})"]  # fixed widths, as lookbehinds are
    until = "|".join(weekdays.loose(word) for word in sorted(i18n.words("date_until"), key=len, reverse=True))
    after_time = f"(?:{'|'.join(ends)})"
    return re.compile(
        rf"{after_time}\s+(?:{until})\s+"  # "9:00 to 17:00", "14h à 16h"
        r"|\s*[–—]\s*"  # "9:00–17:00"
        rf"|{after_time}\s*-\s*",  # "9:00-17:00", "9am - 5pm", "14h-16h"
        re.IGNORECASE,
    )


@dataclass(frozen=True)
class Times:
    """The start and, if given, the end of a meeting, with the zone written beside them."""

    start: datetime
    end: datetime | None
    zone_token: str  # "CET", "+01:00" or "" (an IANA name given there is returned as the zone)
    zone: ZoneInfo | None
    all_day: bool = False  # dates alone: from 00:00 of the first day to 00:00 of the day after the last


def read_times(text: str, zone: ZoneInfo, now: datetime) -> Times:
    """Read "11 Feb 2027 9:00-17:00 CET", "… 9:00 to 12 Feb 2027 13:00", "… 15:00 for 90m", or dates alone
    ("12–13 May 2027", "12. Mai 2027"), which make an all-day meeting."""
    try:
        return _read_timed(text, zone, now)
    except WhenError as timed:
        if not is_date_alone(text):
            raise
        try:
            return _read_days(text, zone, now)
        except DaysOutOfOrder:
            raise
        except WhenError:
            raise timed from None


def _read_days(text: str, zone: ZoneInfo, now: datetime) -> Times:
    """Read dates alone: the meeting runs from 00:00 of the first day to 00:00 after the last, in the zone."""
    body, token = split_zone(text)
    given: ZoneInfo | None = None
    if "/" in token:
        given = zone = parse_zone(token)
        token = ""
    first, last = parse_days(body, zone=zone, now=now)
    return Times(day_start(first, zone), day_start(last + timedelta(days=1), zone), token, given, all_day=True)


def _read_timed(text: str, zone: ZoneInfo, now: datetime) -> Times:
    body, token = split_zone(text)
    given: ZoneInfo | None = None
    if "/" in token:
        given = zone = parse_zone(token)
        token = ""

    def zoned(piece: str) -> str:
        return piece if not token or split_zone(piece)[1] else f"{piece} {token}"

    if match := weekdays.for_pattern().match(body):
        start = parse_moment(zoned(match["start"]), zone=zone, now=now)
        length = parse_duration(weekdays.english_length(match["length"]))
        if length is None:
            raise WhenError(
                _(
                    "I could not read {length} as a length. Write it like “90m”, “2h” or “1h30m”.",
                    length=quote(match["length"]),
                )
            )
        return Times(start, start + length, token or split_zone(match["start"])[1], given)
    pieces = range_pattern().split(body, maxsplit=1)
    start = parse_moment(zoned(pieces[0]), zone=zone, now=now)
    end = None
    if len(pieces) == 2:  # "14h-16h": an end written like its start is a time of day, not sixteen hours
        hour_words = weekdays.has_hour_word(pieces[0])
        end = parse_end(zoned(pieces[1]), start=start, zone=zone, now=now, hour_words=hour_words)
    return Times(start, end, token or split_zone(pieces[0])[1], given)


def times_or_none(text: str, zone: ZoneInfo, now: datetime) -> Times | None:
    """Read the times in `text`, or None when it holds none."""
    try:
        return read_times(text, zone, now)
    except WhenError:
        return None
