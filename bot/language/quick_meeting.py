"""The one-line meeting organisers type after `/meetings add`, read into a draft and what was assumed.

"Essen workshop, 11 Feb 2027 9:00-17:00 CET, Essen, capacity 40": the title first, then, in any
order and separated by commas, the date and times, a city (and its country), a venue, a capacity,
how people attend, a join link, an agenda link, a registration deadline and a time zone.
Checks that need the clock or the whole draft (in the future, ends after it starts) are the caller's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.durations import parse_duration
from bot.language import markup
from bot.language.countries import country_name
from bot.language.i18n import _, format_number
from bot.language.links import is_web_link
from bot.language.places import City, city_info, country_code
from bot.language.when import (
    WhenError,
    parse_deadline,
    parse_end,
    parse_moment,
    parse_zone,
    quote,
    split_zone,
    zone_for_abbreviation,
)
from store.meetings import MeetingDraft
from store.models import MeetingKind

MAX_LENGTH = 1000
MAX_PARTS = 20
MAX_TITLE = 150
MAX_VENUE = 255
MAX_CITY = 100
MAX_CAPACITY = 100_000
DEFAULT_LENGTH = timedelta(hours=2)
EXAMPLE = "“Essen workshop, 11 Feb 2027 9:00-17:00 CET, Essen, capacity 40”"  # a command, as typed: not translated

KINDS = {
    "online": MeetingKind.ONLINE,
    "hybrid": MeetingKind.HYBRID,
    "in person": MeetingKind.IN_PERSON,
    "in-person": MeetingKind.IN_PERSON,
    "on site": MeetingKind.IN_PERSON,
    "on-site": MeetingKind.IN_PERSON,
    "onsite": MeetingKind.IN_PERSON,
    "face to face": MeetingKind.IN_PERSON,
}

_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):(\S*)$", re.IGNORECASE)
_RISKY_SCHEMES = {"javascript", "data", "vbscript", "file", "mailto", "tel", "ftp", "sms"}
_AGENDA = re.compile(r"^agenda\s*:?\s*(<?[a-z][a-z0-9+.\-]*:\S+)$", re.IGNORECASE)
_JOIN = re.compile(r"^(?:join(?:\s+link)?|link|video|call)\s*:?\s*(<?[a-z][a-z0-9+.\-]*:\S+)$", re.IGNORECASE)
_VENUE = re.compile(r"^(?:venue\s*:?|at)\s+(.+)$|^venue\s*:\s*(.+)$", re.IGNORECASE)
_CAPACITY = re.compile(r"^(?:capacity|places|seats)\s*:?\s*(.+)$|^(\S+)\s+(?:places|seats)$", re.IGNORECASE)
_ZONE = re.compile(r"^(?:zone|tz|time\s*zone)\s*:?\s*(.+)$", re.IGNORECASE)
_DEADLINE = re.compile(
    r"^(?:deadline|registration\s+deadline|register\s+by|registration\s+by|sign\s+up\s+by|rsvp\s+by"
    r"|registrations?\s+closes?)\s*:?\s*(.+)$",
    re.IGNORECASE,
)
_CITY = re.compile(r"^city\s*:?\s*(.+)$", re.IGNORECASE)
_COUNTRY = re.compile(r"^country\s*:?\s*(.+)$", re.IGNORECASE)
_FOR = re.compile(r"^(?P<start>.*\S)\s+for\s+(?P<length>.+)$", re.IGNORECASE)
_RANGE = re.compile(
    r"\s+(?:to|until|till)\s+|\s*[–—]\s*"  # "9:00 to 17:00", "9:00–17:00"
    r"|(?:(?<=\d:\d\d)|(?<=\d\.\d\d)|(?<=[ap]m)|(?<=[ap]\.m\.))\s*-\s*",  # "9:00-17:00", "9am - 5pm"
    re.IGNORECASE,
)


@dataclass(frozen=True)
class QuickMeeting:
    """A meeting read from one line, and what was assumed to fill the gaps."""

    draft: MeetingDraft
    notes: tuple[str, ...] = ()


class QuickMeetingError(ValueError):
    """The line could not be read; `problems` says what to fix, one message for the person each.

    `draft` is the meeting as far as it could be read (a title and times were), so that the
    caller can check it too and tell every problem in one answer; None when there is too little.
    """

    def __init__(self, problems: list[str], *, draft: MeetingDraft | None = None) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems
        self.draft = draft


@dataclass(frozen=True)
class _Times:
    """The start and, if given, the end of a meeting, with the zone written beside them."""

    start: datetime
    end: datetime | None
    zone_token: str  # "CET", "+01:00" or "" (an IANA name given there is returned as the zone)
    zone: ZoneInfo | None


@dataclass
class _Reading:
    """What the parts of the line said so far."""

    title: str = ""
    when: str = ""
    times: _Times | None = None  # the times as first read, in the organiser's zone
    city: City | None = None
    city_name: str = ""
    country: str = ""
    venue: str = ""
    join_url: str = ""
    agenda_url: str = ""
    capacity: int | None = None
    deadline: str = ""
    zone: ZoneInfo | None = None
    kind: str = ""
    when_problem: bool = False  # the date was given but could not be read, and the person was told why
    problems: list[str] = field(default_factory=list)


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
    fallback = _zone_or_none(default_zone) or _zone_or_none(group_zone) or ZoneInfo("UTC")
    reading = _Reading()
    parts = _split(text)
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
    if _is_link(first) or (any(ch.isdigit() for ch in first) and _times_or_none(first, fallback, now) is not None):
        reading.problems.append(_("Please start with the meeting's title, e.g. {example}.", example=EXAMPLE))
    else:
        reading.title = _free_text(first, "title", MAX_TITLE, reading.problems)
        if not reading.title and not reading.problems:
            reading.problems.append(_("Please start with the meeting's title, e.g. {example}.", example=EXAMPLE))
        parts = parts[1:]
    index = 0
    while index < len(parts):
        index += _take(parts, index, reading, fallback, now)
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


def _build(reading: _Reading, default_zone: str, group_zone: str, fallback: ZoneInfo, now: datetime) -> QuickMeeting:
    """Choose the zone, read the times in it, and fill the gaps, saying what was assumed."""
    notes: list[str] = []
    first = reading.times or _times(reading.when, fallback, now)
    zone, zone_note = _choose_zone(reading, first, default_zone, group_zone, fallback, now)
    if zone_note:
        notes.append(zone_note)
    try:
        times = first if zone.key == fallback.key else _times(reading.when, zone, now)
    except WhenError as error:
        raise QuickMeetingError([error.message]) from None
    ends_at = times.end
    if ends_at is None:
        ends_at = times.start + DEFAULT_LENGTH
        notes.append(_("No end time given: I assumed 2 hours."))
    deadline = None
    if reading.deadline:
        try:
            deadline = parse_deadline(reading.deadline, zone=zone, now=now)
        except WhenError as error:
            raise QuickMeetingError([error.message]) from None
    kind = reading.kind
    has_place = bool(reading.city_name or reading.venue)
    if not kind:
        if has_place:
            kind = MeetingKind.IN_PERSON
            if reading.join_url:
                notes.append(
                    _(
                        "There is a place and a join link: I assumed in person; "
                        "add “hybrid” if people can also join online."
                    )
                )
        elif reading.join_url:
            kind = MeetingKind.ONLINE
        else:
            kind = MeetingKind.IN_PERSON
            notes.append(_("No place or join link given: I assumed in person."))
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
    )
    return QuickMeeting(draft=draft, notes=tuple(notes))


def _choose_zone(
    reading: _Reading, times: _Times, default_zone: str, group_zone: str, fallback: ZoneInfo, now: datetime
) -> tuple[ZoneInfo, str]:
    """The meeting's zone and a note on where it came from: given, the city's, the abbreviation's or yours."""
    token = times.zone_token.upper()
    explicit = reading.zone or times.zone
    if explicit is not None:
        if reading.city is not None and reading.city.timezone != explicit.key:
            return (
                explicit,
                _(
                    "{city} is in {city_zone}, but you chose {zone}: I used {zone}.",
                    city=reading.city.name,
                    city_zone=reading.city.timezone,
                    zone=explicit.key,
                ),
            )
        return explicit, ""
    if reading.city is not None:
        zone = ZoneInfo(reading.city.timezone)
        note = _("Time zone taken from the city: {zone}.", zone=zone.key)
        if token and not _agrees(reading.when, zone, times.start, now):
            kept = _(
                "The times were given in {token}, which is not the time there; I kept them as {token}.", token=token
            )
            note = f"{note} {kept}"
        return zone, note
    if token:
        preferred = [name for name in (default_zone, group_zone) if _zone_or_none(name) is not None]
        if token[0].isalpha():
            name = zone_for_abbreviation(token, times.start, preferred=preferred)
            if name is not None:
                return ZoneInfo(name), _("Time zone taken from {token}: {zone}.", token=token, zone=name)
        for name in preferred:
            if _agrees(reading.when, ZoneInfo(name), times.start, now):
                return ZoneInfo(name), _("Time zone taken from {token}: {zone}.", token=token, zone=name)
        return fallback, _(
            "The times are in {token}; I show the meeting in your time zone, {zone}. "
            "Add e.g. “zone Europe/Berlin” to choose another.",
            token=token,
            zone=fallback.key,
        )
    if fallback.key == default_zone:
        note = _(
            "No time zone given: I used yours, {zone}. Add e.g. “zone Europe/Berlin” to choose another.",
            zone=fallback.key,
        )
    else:
        note = _(
            "No time zone given: I used the group's, {zone}. Add e.g. “zone Europe/Berlin” to choose another.",
            zone=fallback.key,
        )
    return fallback, note


def _agrees(when: str, zone: ZoneInfo, start: datetime, now: datetime) -> bool:
    """Whether the times, read without the zone written beside them, fall at the same moment in `zone`."""
    body = split_zone(_FOR.sub(r"\g<start>", when))[0]
    first = _RANGE.split(body, maxsplit=1)[0]
    try:
        return parse_moment(split_zone(first)[0], zone=zone, now=now) == start
    except WhenError:
        return False


def _take(parts: list[str], index: int, reading: _Reading, zone: ZoneInfo, now: datetime) -> int:
    """Read the part at `index` into `reading`; return how many parts it used."""
    part = parts[index]
    problems = reading.problems
    following = parts[index + 1] if index + 1 < len(parts) else None
    lowered = " ".join(part.lower().split())
    if lowered in KINDS:
        reading.kind = KINDS[lowered]
        return 1
    if match := _AGENDA.match(part):
        reading.agenda_url = _link(match[1], problems) or reading.agenda_url
        return 1
    if match := _JOIN.match(part):
        _set_join(reading, match[1])
        return 1
    if match := _VENUE.match(part):
        reading.venue = _free_text(match[1] or match[2], "venue", MAX_VENUE, problems)
        return 1
    if match := _CAPACITY.match(part):
        reading.capacity = _capacity(match[1] or match[2], problems)
        return 1
    if match := _ZONE.match(part):
        try:
            reading.zone = parse_zone(match[1])
        except WhenError as error:
            problems.append(error.message)
        return 1
    if match := _DEADLINE.match(part):
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
    if match := _CITY.match(part):
        return _set_city(reading, match[1], following, problems, known=False)
    if match := _COUNTRY.match(part):
        _set_country(reading, match[1], problems)
        return 1
    if _is_link(part):
        _set_join(reading, part)
        return 1
    has_digit = any(ch.isdigit() for ch in part)
    if not has_digit and city_info(part) is not None:
        return _set_city(reading, part, following, problems, known=True)
    return _take_when(parts, index, reading, zone, now, has_digit)


def _take_when(parts: list[str], index: int, reading: _Reading, zone: ZoneInfo, now: datetime, datey: bool) -> int:
    """Read the date and times, which may span parts ("Thursday, 11 Feb 2027, 9:00"); else say what is wrong."""
    part = parts[index]
    candidates = [", ".join(parts[index:end]) for end in range(index + 1, min(index + 3, len(parts)) + 1)]
    error: WhenError | None = None
    for used, candidate in enumerate(candidates, start=1):
        try:
            times = _times(candidate, zone, now)
        except WhenError as problem:
            error = error or problem
            continue
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


def _times(text: str, zone: ZoneInfo, now: datetime) -> _Times:
    """Read "11 Feb 2027 9:00-17:00 CET", "… 9:00 to 12 Feb 2027 13:00" or "… 15:00 for 90m"."""
    body, token = split_zone(text)
    given: ZoneInfo | None = None
    if "/" in token:
        given = zone = parse_zone(token)
        token = ""

    def zoned(piece: str) -> str:
        return piece if not token or split_zone(piece)[1] else f"{piece} {token}"

    if match := _FOR.match(body):
        start = parse_moment(zoned(match["start"]), zone=zone, now=now)
        length = parse_duration(match["length"])
        if length is None:
            raise WhenError(
                _(
                    "I could not read {length} as a length. Write it like “90m”, “2h” or “1h30m”.",
                    length=quote(match["length"]),
                )
            )
        return _Times(start, start + length, token or split_zone(match["start"])[1], given)
    pieces = _RANGE.split(body, maxsplit=1)
    start = parse_moment(zoned(pieces[0]), zone=zone, now=now)
    end = parse_end(zoned(pieces[1]), start=start, zone=zone, now=now) if len(pieces) == 2 else None
    return _Times(start, end, token or split_zone(pieces[0])[1], given)


def _times_or_none(text: str, zone: ZoneInfo, now: datetime) -> _Times | None:
    """Read the times in `text`, or None when it holds none."""
    try:
        return _times(text, zone, now)
    except WhenError:
        return None


def _set_city(reading: _Reading, text: str, following: str | None, problems: list[str], *, known: bool) -> int:
    """Take a city, and the country after it if there is one ("Essen, Germany"); return the parts used."""
    name = _free_text(text, "city", MAX_CITY, problems)
    code = country_code(following) if following is not None else None
    if code and city_info(name, country=code) is None and city_info(following or "") is not None:
        code = None  # the next part is another city, not this one's country
    if reading.city_name:
        problems.append(
            _("I found two cities, {first} and {second}. Give one.", first=quote(reading.city_name), second=quote(name))
        )
        return 2 if code else 1
    city = city_info(name, country=code) if code else city_info(name)
    if code and city is None and known:
        problems.append(
            _(
                "I don't know a city called {city} in {country}. Check the spelling, or leave the country out.",
                city=quote(name),
                country=country_name(code),
            )
        )
        return 2
    reading.city = city
    reading.city_name = city.name if city is not None else name
    reading.country = code or (city.country_code if city is not None else reading.country)
    return 2 if code else 1


def _set_country(reading: _Reading, text: str, problems: list[str]) -> None:
    """Take a country given on its own ("country: Germany")."""
    code = country_code(text)
    if code is None:
        problems.append(
            _("I don't know the country {country}. Use its name or code, e.g. “Germany” or “DE”.", country=quote(text))
        )
    else:
        reading.country = code


def _set_join(reading: _Reading, text: str) -> None:
    """Take the join link, unless there is one already."""
    url = _link(text, reading.problems)
    if url and reading.join_url and url != reading.join_url:
        reading.problems.append(_("I found two join links. Give one, and write an agenda link as “agenda https://…”."))
    elif url:
        reading.join_url = url


def _is_link(part: str) -> bool:
    """Whether a part is a link of any kind (checked later for being a web link)."""
    match = _SCHEME.match(markup.unwrap_link(part))
    return match is not None and (match[2].startswith("//") or match[1].lower() in _RISKY_SCHEMES)


def _link(text: str, problems: list[str]) -> str:
    """Return a web link, or "" after saying why it cannot be used."""
    url = markup.unwrap_link(text)
    if is_web_link(url):
        return url
    problems.append(
        _(
            "{link} is not a web link I can use. Links start with https://, e.g. “https://meet.example.org/tci”.",
            link=quote(url),
        )
    )
    return ""


def _capacity(text: str, problems: list[str]) -> int | None:
    """Return a number of places, or None after saying why it is not one."""
    value = text.strip()
    if value.isascii() and value.isdigit() and 0 < int(value) <= MAX_CAPACITY:
        return int(value)
    problems.append(
        _(
            "The capacity must be a whole number of places above zero, e.g. “capacity 40”, not {value}.",
            value=quote(value),
        )
    )
    return None


def _free_text(text: str, what: str, limit: int, problems: list[str]) -> str:
    """Return a title, venue or city (`what`) as written, after checking it holds no mentions and is not too long."""
    value = text.strip()
    if len(value) >= 2 and value[0] in '"“' and value[-1] in '"”':
        value = value[1:-1].strip()
    if markup.has_mention(value):
        problems.append(_mentioned(what))
        return ""
    value = markup.decode(value)
    if len(value) > limit:
        problems.append(_too_long(what, length=format_number(len(value)), limit=format_number(limit)))
        return ""
    return value


def _mentioned(what: str) -> str:
    """The problem of a mention in the title, venue or city."""
    if what == "title":
        return _("Please leave mentions such as @channel out of the title.")
    if what == "venue":
        return _("Please leave mentions such as @channel out of the venue.")
    return _("Please leave mentions such as @channel out of the city.")


def _too_long(what: str, *, length: str, limit: str) -> str:
    """The problem of a title, venue or city longer than it may be."""
    if what == "title":
        return _(
            "The title is too long ({length} characters; at most {limit}). Please shorten it.",
            length=length,
            limit=limit,
        )
    if what == "venue":
        return _(
            "The venue is too long ({length} characters; at most {limit}). Please shorten it.",
            length=length,
            limit=limit,
        )
    return _(
        "The city is too long ({length} characters; at most {limit}). Please shorten it.", length=length, limit=limit
    )


def _split(text: str) -> list[str]:
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


def _zone_or_none(name: str) -> ZoneInfo | None:
    """The IANA zone called `name`, or None when there is none."""
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None
