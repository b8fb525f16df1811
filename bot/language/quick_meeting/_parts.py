"""Splitting a one-line meeting at its commas, and telling what each part is: a kind, a link, a place, a date…"""

from __future__ import annotations

import functools
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.language import i18n, repeats, weekdays
from bot.language.i18n import _
from bot.language.places import city_info
from bot.language.quick_meeting._capacity import read_capacity
from bot.language.quick_meeting._links import is_link, set_join, web_link
from bot.language.quick_meeting._places import set_city, set_country
from bot.language.quick_meeting._reading import EXAMPLE, Reading
from bot.language.quick_meeting._text import MAX_VENUE, free_text
from bot.language.quick_meeting._times import Times, read_times
from bot.language.when import WhenError, parse_deadline, parse_zone, quote
from store.models import MeetingKind

# How people attend, by the word list that names it in each language's words.toml.
KIND_LISTS = {
    "meeting_online": MeetingKind.ONLINE,
    "meeting_hybrid": MeetingKind.HYBRID,
    "meeting_in_person": MeetingKind.IN_PERSON,
}
_LINK = r"(<?[a-z][a-z0-9+.\-]*:\S+)"


@functools.cache
def named(kind: str, value: str = "(.+)") -> re.Pattern[str]:
    """A part named by a word of the list `kind` in any language ("venue: Hall 3", "lugar Hotel X"), then its value."""
    words = "|".join(weekdays.loose(word) for word in sorted(i18n.words(kind), key=len, reverse=True)) or r"(?!x)x"
    return re.compile(rf"^(?:{words})(?:\s*:\s*|\s+){value}$", re.IGNORECASE)


@functools.cache
def kinds() -> dict[str, MeetingKind]:
    """The words for how people attend ("online", "en línea", "Präsenz"), folded, in every language."""
    return {
        " ".join(weekdays.fold(word).split()): kind for name, kind in KIND_LISTS.items() for word in i18n.words(name)
    }


def kind_in_title(title: str) -> tuple[MeetingKind, str] | None:
    """How people attend, when the title says it ("Hybrid meetup", "Online call"), and the words that say it."""
    folded, origin = weekdays._folded(title)
    found: list[tuple[int, int, MeetingKind]] = []
    for words, kind in kinds().items():
        spaced = r"\s+".join(re.escape(word) for word in words.split())
        for match in re.finditer(rf"(?<!\w){spaced}(?!\w)", folded):
            found.append((match.end() - match.start(), match.start(), kind))
    if not found:
        return None
    length, start, kind = max(found, key=lambda each: (each[0], -each[1]))
    end = origin[start + length - 1] + 1
    return kind, title[origin[start] : end]


def split(text: str) -> list[str]:
    """Split the line at commas, except inside quotes and Slack's <…> links."""
    parts: list[str] = []
    current: list[str] = []
    closing = ""
    for char in text:
        if closing:
            closing = "" if char == closing else closing
        elif char in '"“<':
            closing = {'"': '"', "“": "”", "<": ">"}[char]
        elif char == ",":
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    parts.append("".join(current).strip())
    return [part for part in parts if part]


def take(parts: list[str], index: int, reading: Reading, zone: ZoneInfo, now: datetime) -> int:
    """Read the part at `index` into `reading`; return how many parts it used."""
    part = parts[index]
    problems = reading.problems
    following = parts[index + 1] if index + 1 < len(parts) else None
    kind = kinds().get(" ".join(weekdays.fold(part).split()))
    if kind is not None:
        reading.kind = kind
        return 1
    if (count := repeats.read_count(part)) is not None:
        reading.repeat_count = count
        return 1
    if (until := repeats.read_until(part)) is not None:
        reading.repeat_until = until
        return 1
    if (written := repeats.read(part)) is not None:
        reading.repeat = written.repeat
        if not written.rest:
            return 1
        parts[index] = written.rest  # "every first Tuesday 15:00 CET": the times follow the rule
        return _take_when(parts, index, reading, zone, now, True)
    if match := named("meeting_agenda", _LINK).match(part):
        reading.agenda_url = web_link(match[1], problems) or reading.agenda_url
        return 1
    if match := named("meeting_join", _LINK).match(part):
        set_join(reading, match[1])
        return 1
    if match := named("meeting_venue").match(part):
        reading.venue = free_text(match[1], "venue", MAX_VENUE, problems)
        return 1
    if match := capacity_pattern().match(part):
        reading.capacity = read_capacity(match[1] or match[2], problems)
        return 1
    if match := named("meeting_zone").match(part):
        try:
            reading.zone = parse_zone(match[1])
        except WhenError as error:
            problems.append(error.message)
        return 1
    if match := named("meeting_deadline").match(part):
        reading.deadline = match[1]
        try:
            parse_deadline(match[1], zone=zone, now=now)
        except WhenError:
            problems.append(
                _(
                    "I could not read the deadline {deadline}. "
                    "Write it like “deadline 1 Feb 2027” or “register by 1 Feb 2027 18:00”.",
                    deadline=quote(match[1]),
                )
            )
        return 1
    if match := named("meeting_city").match(part):
        return set_city(reading, match[1], following, problems, known=False)
    if match := named("meeting_country").match(part):
        set_country(reading, match[1], problems)
        return 1
    if is_link(part):
        set_join(reading, part)
        return 1
    has_digit = any(ch.isdigit() for ch in part)
    if not has_digit and city_info(part) is not None:
        return set_city(reading, part, following, problems, known=True)
    return _take_when(parts, index, reading, zone, now, has_digit)


def _take_when(parts: list[str], index: int, reading: Reading, zone: ZoneInfo, now: datetime, datey: bool) -> int:
    """Read the date and times, which may span parts ("Thursday, 11 Feb 2027, 9:00"); else say what is wrong."""
    part = parts[index]
    candidates = [", ".join(parts[index:end]) for end in range(index + 1, min(index + 3, len(parts)) + 1)]
    error: WhenError | None = None
    found: tuple[int, str, Times] | None = None
    for used, candidate in enumerate(candidates, start=1):
        try:
            times = read_times(candidate, zone, now)
        except WhenError as problem:
            error = error or problem
            continue
        # Dates alone give way to a longer reading with times ("11 Feb 2027, 9:00-17:00", "Thursday, 11 Feb 2027").
        found = (used, candidate, times)
        if not times.all_day:
            break
    if found is not None:
        used, candidate, times = found
        if reading.when:
            reading.problems.append(
                _(
                    "I found two dates, {first} and {second}. Give one, with its times, e.g. “11 Feb 2027 9:00-17:00”.",
                    first=quote(reading.when),
                    second=quote(candidate),
                )
            )
        else:
            reading.when, reading.times = candidate, times
        return used
    if datey and not reading.when and error is not None:
        reading.problems.append(error.message)
        reading.when_problem = True
    else:
        reading.problems.append(
            _(
                "I did not understand {part}. Separate the parts with commas, e.g. {example}.",
                part=quote(part),
                example=EXAMPLE,
            )
        )
    return 1


@functools.cache
def capacity_pattern() -> re.Pattern[str]:
    """ "capacity 40", "40 places" in every language the bot speaks ("aforo 30", "30 Plätze", "30 lugares")."""
    before = "|".join(weekdays.loose(word) for word in sorted(i18n.words("capacity"), key=len, reverse=True))
    after = "|".join(weekdays.loose(word) for word in sorted(i18n.words("places"), key=len, reverse=True))
    return re.compile(rf"^(?:{before})(?:\s*:\s*|\s+)(.+)$|^(\S+)\s+(?:{after})$", re.IGNORECASE)
