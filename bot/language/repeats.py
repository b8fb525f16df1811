"""Meetings that repeat: the rule an organiser chooses or writes, as iCalendar's RRULE, and its words.

"every first Tuesday", "every other Thursday", "monthly on the 12th", and an end: "until 30 Jun 2027" or
"10 times". A rule is kept as RFC 5545 RRULE text (built by icalendar's vRecur) and expanded by
dateutil.rrule from the first meeting's start in the meeting's own zone, so that a meeting at 15:00
stays at 15:00 across the changes of daylight-saving time. An RRULE's UNTIL is in UTC, as the RFC asks
of a start with a zone.

Words are read from each language's `repeats` lists (`locale/<language>/dates.toml`); weekday names come
from Babel. The rule is named in the reader's language with whole phrases from the catalogs.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from enum import StrEnum
from itertools import islice
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from icalendar import vRecur

from bot.language import i18n, weekdays
from bot.language.i18n import N_, _, n_

MAX_OCCURRENCES = 100  # a longer series is refused: two years of a weekly meeting, eight of a monthly one
ICAL_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


class Pattern(StrEnum):
    """How a meeting repeats (the form's choice)."""

    NONE = "none"
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY_WEEKDAY = "monthly_weekday"  # "every first Tuesday"
    MONTHLY_DATE = "monthly_date"  # "every month on day 12"


PATTERN_OPTIONS = (  # the form's choices, labels translated where shown
    (Pattern.NONE, N_("Does not repeat")),
    (Pattern.WEEKLY, N_("Every week")),
    (Pattern.FORTNIGHTLY, N_("Every 2 weeks")),
    (Pattern.MONTHLY_WEEKDAY, N_("Every month, on the same weekday (e.g. every first Tuesday)")),
    (Pattern.MONTHLY_DATE, N_("Every month, on the same date (e.g. the 12th)")),
)

# Each rule's words, as whole phrases, by weekday (Monday first).
EVERY = (
    N_("every Monday"),
    N_("every Tuesday"),
    N_("every Wednesday"),
    N_("every Thursday"),
    N_("every Friday"),
    N_("every Saturday"),
    N_("every Sunday"),
)
EVERY_OTHER = (
    N_("every other Monday"),
    N_("every other Tuesday"),
    N_("every other Wednesday"),
    N_("every other Thursday"),
    N_("every other Friday"),
    N_("every other Saturday"),
    N_("every other Sunday"),
)
EVERY_NTH = {
    1: (
        N_("every first Monday"),
        N_("every first Tuesday"),
        N_("every first Wednesday"),
        N_("every first Thursday"),
        N_("every first Friday"),
        N_("every first Saturday"),
        N_("every first Sunday"),
    ),
    2: (
        N_("every second Monday of the month"),
        N_("every second Tuesday of the month"),
        N_("every second Wednesday of the month"),
        N_("every second Thursday of the month"),
        N_("every second Friday of the month"),
        N_("every second Saturday of the month"),
        N_("every second Sunday of the month"),
    ),
    3: (
        N_("every third Monday"),
        N_("every third Tuesday"),
        N_("every third Wednesday"),
        N_("every third Thursday"),
        N_("every third Friday"),
        N_("every third Saturday"),
        N_("every third Sunday"),
    ),
    4: (
        N_("every fourth Monday"),
        N_("every fourth Tuesday"),
        N_("every fourth Wednesday"),
        N_("every fourth Thursday"),
        N_("every fourth Friday"),
        N_("every fourth Saturday"),
        N_("every fourth Sunday"),
    ),
    5: (
        N_("every fifth Monday"),
        N_("every fifth Tuesday"),
        N_("every fifth Wednesday"),
        N_("every fifth Thursday"),
        N_("every fifth Friday"),
        N_("every fifth Saturday"),
        N_("every fifth Sunday"),
    ),
    -1: (
        N_("every last Monday"),
        N_("every last Tuesday"),
        N_("every last Wednesday"),
        N_("every last Thursday"),
        N_("every last Friday"),
        N_("every last Saturday"),
        N_("every last Sunday"),
    ),
}


class RepeatError(ValueError):
    """A repeat rule that cannot be used, in words for the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Repeat:
    """A rule of repetition. What is left None is taken from the first meeting's date (see `fitted`)."""

    pattern: Pattern
    weekday: int | None = None  # 0 for Monday
    nth: int | None = None  # 1 to 5, or -1 for the last, of the month
    monthday: int | None = None  # 1 to 31
    count: int | None = None  # how many meetings in all
    until: date | None = None  # the last day there may be one, in the meeting's zone

    def fitted(self, first: date) -> Repeat:
        """The rule with its day taken from the first meeting's date where it was not given."""
        if self.pattern in (Pattern.WEEKLY, Pattern.FORTNIGHTLY):
            return replace(self, weekday=first.weekday() if self.weekday is None else self.weekday)
        if self.pattern == Pattern.MONTHLY_WEEKDAY:
            nth = (first.day - 1) // 7 + 1
            return replace(
                self,
                weekday=first.weekday() if self.weekday is None else self.weekday,
                nth=self.nth if self.nth is not None else (-1 if nth == 5 else nth),
            )
        if self.pattern == Pattern.MONTHLY_DATE:
            return replace(self, monthday=self.monthday or first.day)
        return self

    def with_end(self, *, count: int | None, until: date | None) -> Repeat:
        """The same rule with another end."""
        return replace(self, count=count, until=until)

    def rule(self, zone: ZoneInfo) -> str:
        """The RRULE text (without DTSTART) of a fitted rule; its UNTIL is the end of the last day in `zone`, in UTC."""
        parts: dict[str, object] = {}
        if self.pattern in (Pattern.WEEKLY, Pattern.FORTNIGHTLY):
            parts = {"FREQ": "WEEKLY", "BYDAY": ICAL_DAYS[self._weekday]}
            if self.pattern == Pattern.FORTNIGHTLY:
                parts["INTERVAL"] = 2
        elif self.pattern == Pattern.MONTHLY_WEEKDAY:
            parts = {"FREQ": "MONTHLY", "BYDAY": f"{self.nth}{ICAL_DAYS[self._weekday]}"}
        elif self.pattern == Pattern.MONTHLY_DATE:
            parts = {"FREQ": "MONTHLY", "BYMONTHDAY": self.monthday}
        else:
            raise ValueError("a meeting that does not repeat has no rule")
        if self.count is not None:
            parts["COUNT"] = self.count
        elif self.until is not None:
            last = datetime.combine(self.until, time(23, 59, 59), tzinfo=zone).astimezone(UTC)
            parts["UNTIL"] = last
        return vRecur(parts).to_ical().decode()

    @property
    def _weekday(self) -> int:
        if self.weekday is None:
            raise ValueError("fit the rule to its first date first")
        return self.weekday

    @classmethod
    def of_rule(cls, rule: str, zone: ZoneInfo) -> Repeat:
        """The rule an RRULE text (as `rule` writes them) stands for."""
        recur = vRecur.from_ical(rule)
        freq = recur["FREQ"][0]
        count = recur.get("COUNT", [None])[0]
        until_at = recur.get("UNTIL", [None])[0]
        until = until_at.astimezone(zone).date() if isinstance(until_at, datetime) else until_at
        interval = recur.get("INTERVAL", [1])[0]
        if freq == "WEEKLY":
            day = ICAL_DAYS.index(recur["BYDAY"][0])
            pattern = Pattern.FORTNIGHTLY if interval == 2 else Pattern.WEEKLY
            return cls(pattern, weekday=day, count=count, until=until)
        if "BYMONTHDAY" in recur:
            return cls(Pattern.MONTHLY_DATE, monthday=int(recur["BYMONTHDAY"][0]), count=count, until=until)
        byday = str(recur["BYDAY"][0])
        return cls(
            Pattern.MONTHLY_WEEKDAY, weekday=ICAL_DAYS.index(byday[-2:]), nth=int(byday[:-2]), count=count, until=until
        )


def starts(rule: str, first: datetime, zone: ZoneInfo) -> Iterator[datetime]:
    """The starts of a series, in order: the first meeting's wall-clock time, in its zone, on each day of the rule."""
    local = first.astimezone(zone)
    for moment in rrulestr(rule, dtstart=local):
        yield moment.replace(tzinfo=zone)  # the same wall-clock time, with that day's offset


def starts_between(rule: str, first: datetime, zone: ZoneInfo, *, after: datetime, before: datetime) -> list[datetime]:
    """The starts from `after` (included) to `before` (excluded)."""
    found = []
    for moment in starts(rule, first, zone):
        if moment >= before:
            break
        if moment >= after:
            found.append(moment)
    return found


def check(repeat: Repeat, first: datetime, zone: ZoneInfo) -> None:
    """Raise RepeatError unless the rule gives at least one meeting, and at most MAX_OCCURRENCES."""
    if repeat.count is not None and not 1 <= repeat.count <= MAX_OCCURRENCES:
        raise RepeatError(too_many() if repeat.count > MAX_OCCURRENCES else _("Give at least 1 time, e.g. 10 times."))
    if repeat.until is not None and repeat.until < first.astimezone(zone).date():
        raise RepeatError(_("The series ends before its first meeting: give a last date after the start."))
    if repeat.count is None and repeat.until is None:
        return  # it goes on: meetings are created a while ahead
    taken = list(islice(starts(repeat.rule(zone), first, zone), MAX_OCCURRENCES + 1))
    if not taken:
        raise RepeatError(_("That rule gives no meeting before it ends: choose a later last date."))
    if len(taken) > MAX_OCCURRENCES:
        raise RepeatError(too_many())


def too_many() -> str:
    """The problem of a series longer than the bot keeps."""
    return n_(
        "A series has at most {count} meeting: end it sooner, or create another series later.",
        "A series has at most {count} meetings: end it sooner, or create another series later.",
        MAX_OCCURRENCES,
    )


def first_day(repeat: Repeat, start: datetime, zone: ZoneInfo) -> datetime:
    """The first start of the rule at or after `start` (the same wall-clock time), for a rule whose day was given."""
    local = start.astimezone(zone)
    moment = next(starts(replace(repeat, count=None, until=None).rule(zone), local, zone), None)
    if moment is None:  # a rule has a day in every year or two: never without one
        raise RepeatError(_("That rule gives no meeting."))
    return moment


def describe(repeat: Repeat) -> str:
    """The rule in words, in the language spoken now: "every first Tuesday, until 30 Jun 2027"."""
    if repeat.pattern == Pattern.WEEKLY:
        words = _(EVERY[repeat._weekday])
    elif repeat.pattern == Pattern.FORTNIGHTLY:
        words = _(EVERY_OTHER[repeat._weekday])
    elif repeat.pattern == Pattern.MONTHLY_WEEKDAY:
        words = _(EVERY_NTH[repeat.nth or 1][repeat._weekday])
    elif repeat.pattern == Pattern.MONTHLY_DATE:
        words = _("every month on day {day}", day=repeat.monthday)
    else:
        return ""
    if repeat.count is not None:
        return n_("{repeat}, {count} time in all", "{repeat}, {count} times in all", repeat.count, repeat=words)
    if repeat.until is not None:
        return _("{repeat}, until {date}", repeat=words, date=i18n.format_day(repeat.until, "medium"))
    return words


# Reading a rule as people write it ------------------------------------------------------------------


@dataclass(frozen=True)
class Written:
    """A rule read from the start of a text, and the rest of the text (the times, the zone)."""

    repeat: Repeat
    rest: str


@functools.cache
def _table(kind: str) -> dict[str, int]:
    """A table of words and numbers (`repeat_ordinals`, `repeat_numbers`) in every language, folded."""
    found: dict[str, int] = {}
    for language in i18n.available():
        for word, value in i18n.table_in(language, kind).items():
            found.setdefault(weekdays.fold(word), int(value))
    return found


@functools.cache
def _words(kind: str) -> frozenset[str]:
    return frozenset(weekdays.fold(word) for word in i18n.words(kind))


def _weekday(token: str) -> tuple[int, bool] | None:
    """The weekday a word names, and whether it named it in the plural or as an adverb ("mardis", "dienstags",
    "terças-feiras"), which says "every" by itself."""
    names = weekdays.weekday_names()
    if token in names:
        return names[token], False
    for name in (token.rstrip("s"), "-".join(part.rstrip("s") for part in token.split("-"))):
        if name in names:
            return names[name], True
    return None


@functools.cache
def _time_words() -> tuple[frozenset[str], tuple[str, ...]]:
    """The hour words ("Uhr", "h") and the words before a time ("at", "a las", "um", "às"), folded."""
    hours = frozenset(weekdays.fold(word) for word in i18n.words("date_hour"))
    before = tuple(" ".join(weekdays.fold(word).split()) for word in (*i18n.words("date_at"), *i18n.words("date_on")))
    return hours, before


def _given_back(folded: list[str], used: int, filler: frozenset[str]) -> int:
    """Where the rest begins: the fillers ending the rule that begin a time ("every Tuesday at 15:00", "a las 10")
    belong to the time."""
    _hours, before = _time_words()
    start = used
    while start and folded[start - 1] in filler:
        start -= 1
    for begin in range(start, used):
        words = " ".join(folded[begin:used])
        if any(phrase == words or phrase.startswith(words + " ") for phrase in before):
            return begin
    return used


_MONTHDAY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th|\.|º|°|er|o|a)?$")
_SPLIT = re.compile(r"[\s,]+")


def read(text: str) -> Written | None:
    """Read a rule from the start of `text` ("every first Tuesday 15:00 CET"); None when it does not start with one.

    The rule's words come first; the first word that is none of them begins the rest.
    """
    tokens = [token for token in _SPLIT.split(text.strip()) if token]
    folded = [weekdays.fold(token).strip(".") or token for token in tokens]
    every, other, week, month = (_words(f"repeat_{name}") for name in ("every", "other", "week", "month"))
    frequencies = {
        Pattern.WEEKLY: _words("repeat_weekly"),
        Pattern.FORTNIGHTLY: _words("repeat_fortnightly"),
        Pattern.MONTHLY_WEEKDAY: _words("repeat_monthly"),
    }
    filler = _words("repeat_filler")
    ordinals, numbers = _table("repeat_ordinals"), _table("repeat_numbers")
    hours, _before = _time_words()
    seen: dict[str, object] = {}
    used = 0
    for index, word in enumerate(folded):
        raw = weekdays.fold(tokens[index])
        following = folded[index + 1] if index + 1 < len(folded) else ""
        if word in ordinals and _weekday(following) is not None:  # "segunda terça-feira": the second Tuesday
            seen["nth"] = ordinals[word]
        elif word in every:
            seen["every"] = True
        elif word in other:
            seen["interval"] = 2
        elif word in week:
            seen["week"] = True
        elif word in month:
            seen["month"] = True
        elif any(word in words for words in frequencies.values()):
            seen["frequency"] = next(p for p, words in frequencies.items() if word in words)
        elif word in filler and following:  # "do" is "of the" before it is German's Thursday
            pass
        elif (day := _weekday(word)) is not None:
            seen["weekday"] = day[0]
            if day[1]:
                seen["every"] = True
        elif word in ordinals and "weekday" not in seen:
            seen["nth"] = ordinals[word]
        elif word in numbers or (word.isdecimal() and int(word) <= 4 and following in week):  # "every 2 weeks"
            seen["interval"] = numbers.get(word) or int(word)
        elif (
            (match := _MONTHDAY.match(raw))
            and "monthday" not in seen
            and "weekday" not in seen
            and following not in hours
            and ("month" in seen or seen.get("frequency") == Pattern.MONTHLY_WEEKDAY)
        ):
            if not 1 <= int(match[1]) <= 31:
                break
            seen["monthday"] = int(match[1])
        else:
            break
        used = index + 1
    used = _given_back(folded, used, filler)
    repeat = _repeat(seen)
    if repeat is None:
        return None
    return Written(repeat, " ".join(tokens[used:]))


def _repeat(seen: dict[str, object]) -> Repeat | None:
    """The rule the words seen make, or None when they make none."""
    if "every" not in seen and "frequency" not in seen:
        return None
    weekday = seen.get("weekday")
    day = weekday if isinstance(weekday, int) else None
    nth, monthday, interval = seen.get("nth"), seen.get("monthday"), seen.get("interval", 1)
    frequency = seen.get("frequency")
    monthly = bool(seen.get("month")) or frequency == Pattern.MONTHLY_WEEKDAY
    if isinstance(monthday, int):
        return Repeat(Pattern.MONTHLY_DATE, monthday=monthday)
    if isinstance(nth, int) and day is None and monthly and nth > 0:  # "monthly on the 1st"
        return Repeat(Pattern.MONTHLY_DATE, monthday=nth)
    if nth == 2 and (seen.get("week") or (day is not None and not monthly)):
        return Repeat(Pattern.FORTNIGHTLY, weekday=day)  # "every second week", "jeden zweiten Dienstag"
    if isinstance(nth, int) and day is not None:
        return Repeat(Pattern.MONTHLY_WEEKDAY, weekday=day, nth=nth)
    if interval == 2 and not monthly and (seen.get("week") or day is not None):
        return Repeat(Pattern.FORTNIGHTLY, weekday=day)
    if interval != 1:
        return None  # "every other month", "cada dos meses": not a rule the bot keeps
    if frequency == Pattern.FORTNIGHTLY:
        return Repeat(Pattern.FORTNIGHTLY, weekday=day)
    if seen.get("month") or frequency == Pattern.MONTHLY_WEEKDAY:
        return Repeat(Pattern.MONTHLY_WEEKDAY, weekday=day, nth=nth if isinstance(nth, int) else None)
    if day is not None or seen.get("week") or frequency == Pattern.WEEKLY:
        return Repeat(Pattern.WEEKLY, weekday=day)
    return None


@functools.cache
def _count_pattern() -> re.Pattern[str]:
    before = weekdays._alternatives(i18n.words("length_for"))
    after = weekdays._alternatives(i18n.words("repeat_times"))
    return re.compile(rf"^(?:(?:{before})\s+)?(\d{{1,4}})\s+(?:{after})$")


@functools.cache
def _until_pattern() -> re.Pattern[str]:
    return re.compile(rf"^(?:{weekdays._alternatives(i18n.words('repeat_until'))})\s+(?P<day>.+)$")


def read_count(text: str) -> int | None:
    """ "10 times", "for 6 meetings": how many meetings in all; None when the text says no such thing."""
    match = _count_pattern().match(" ".join(weekdays.fold(text).split()))
    return int(match[1]) if match else None


def read_until(text: str) -> str | None:
    """ "until 30 Jun 2027": the last date as written (for the date reader); None when the text says no such thing."""
    written = text.strip()
    folded, origin = weekdays._folded(written)
    match = _until_pattern().match(folded)
    if match is None:
        return None
    return written[origin[match.start("day")] :]
