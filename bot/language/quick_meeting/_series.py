"""A one-line meeting that repeats: "every first Tuesday 15:00 CET", "every other Thursday, 10 times".

The rule's day, when it is written, places the first meeting: the first such day from the date given (or
from today, when only a time is). A rule written without its day ("weekly", "every month") takes it
from the date.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.language import repeats
from bot.language.i18n import _
from bot.language.quick_meeting._reading import Reading
from bot.language.repeats import Pattern, Repeat, RepeatError
from bot.language.when import WhenError, parse_day, quote


def _day_given(repeat: Repeat) -> bool:
    if repeat.pattern == Pattern.MONTHLY_DATE:
        return repeat.monthday is not None
    if repeat.pattern == Pattern.MONTHLY_WEEKDAY:
        return repeat.weekday is not None and repeat.nth is not None
    return repeat.weekday is not None


def first_of_series(
    reading: Reading, start: datetime, end: datetime, zone: ZoneInfo, now: datetime
) -> tuple[Repeat, datetime, datetime, str]:
    """The rule (fitted and checked), the first meeting's start and end, and a note saying what was understood."""
    if reading.repeat is None:
        raise RepeatError(
            _("“10 times” and “until …” are for a meeting that repeats: add how, e.g. “every first Tuesday 15:00”.")
        )
    repeat = reading.repeat
    days = 0
    if _day_given(repeat):
        first = repeats.first_day(repeat, start, zone)
        days = (first.date() - start.astimezone(zone).date()).days
        start, end = first, _later(end, days, zone)
    repeat = repeat.fitted(start.astimezone(zone).date())
    until = None
    if reading.repeat_until:
        try:
            until = parse_day(reading.repeat_until, zone=zone, now=now)
        except WhenError:
            raise RepeatError(
                _(
                    "I could not read the series' last date {date}. Write it like “until 30 Jun 2027”.",
                    date=quote(reading.repeat_until),
                )
            ) from None
    repeat = repeat.with_end(count=reading.repeat_count, until=until)
    repeats.check(repeat, start, zone)
    note = _("The first meeting is the first day the rule gives, as shown above.") if days else ""
    return repeat, start, end, note


def _later(moment: datetime, days: int, zone: ZoneInfo) -> datetime:
    """`moment` that many days later, at the same wall-clock time in `zone`."""
    local = moment.astimezone(zone)
    return (local.replace(tzinfo=None) + timedelta(days=days)).replace(tzinfo=zone)
