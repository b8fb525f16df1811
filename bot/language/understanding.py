"""Understanding questions in plain words: what is asked about, which meeting, which FAQ entry.

Pure functions: text in, a `Question` out; meetings and FAQ entries in, the one meant (or None) out.
No database and no Slack here, so every rule can be tested on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from babel.dates import get_month_names

from bot.language import i18n, lexicon, places
from bot.language.i18n import N_, _
from bot.language.lexicon import fold
from bot.language.reading import WORD, Token, raw_words, strip_markup
from bot.language.reading import tokens as tokens_of
from bot.language.words import (
    AGENDA_WORDS,
    ELSE_WORDS,
    FAQ_WORDS,
    FIRST_PERSON,
    GREETING_WORDS,
    GROUP_WORDS,
    HOW_TO_WORDS,
    JOIN_STRONG,
    JOIN_VERBS,
    JOIN_WEAK,
    KIND_WORDS,
    LIST_WORDS,
    MAY_CONTEXT,
    MEETING_NOUNS,
    MINUTES_WORDS,
    MONTHS,
    NAMED_NOUNS,
    NEXT_WORDS,
    NOW_WORDS,
    ORGANISER_WORDS,
    PAST_WORDS,
    PEOPLE_WORDS,
    PLACES_STRONG,
    PLACES_WEAK,
    PLURAL_NOUNS,
    PRACTICE_WORDS,
    PREPOSITIONS,
    RECORDING_WORDS,
    REGISTERED_WORDS,
    SHARE_WORDS,
    SLIDES_WORDS,
    STOPWORDS,
    THANKS_WORDS,
    TOPIC_WORDS,
    WHEN_WORDS,
    WHERE_WORDS,
)
from store.models import MeetingKind

MAX_QUESTION = 500  # characters of a question that are read; the rest is ignored
FUZZY_CUTOFF = lexicon.FUZZY_CUTOFF


class Topic(StrEnum):
    """What a question is about."""

    WHEN = "when"
    WHERE = "where"
    JOIN = "join"  # the video link, how to join online
    AGENDA = "agenda"
    REGISTERED = "registered"  # the asker's own answer to a meeting
    PLACES = "places"  # places left, full, waitlist
    HOW_TO_REGISTER = "how_to_register"
    LIST = "list"  # the meetings coming up
    FAQ = "faq"  # cost, travel, accommodation, membership: what the organisers' FAQ may answer
    GREETING = "greeting"
    ATTENDEES = "attendees"  # who else is coming
    MINE = "mine"  # the meetings the asker answered
    HOW_TO_SHARE = "how_to_share"  # sharing a practice
    ORGANISERS = "organisers"
    TIME_IN = "time_in"  # a meeting's time in another zone or city
    NOW = "now"  # a meeting in progress
    RECAP = "recap"  # what a meeting left: its slides, recording, minutes
    UNKNOWN = "unknown"


# A kind of meeting as a hint quotes it back ("online"), translated where quoted.
KIND_NAMES = {
    MeetingKind.IN_PERSON: N_("in person"),
    MeetingKind.ONLINE: N_("online"),
    MeetingKind.HYBRID: N_("hybrid"),
}


@dataclass(frozen=True)
class MeetingHint:
    """What in a question may point to one meeting."""

    words: tuple[str, ...] = ()  # folded words that may name it: city, venue, country or title words
    names: tuple[str, ...] = ()  # those of them that look like a name ("Lisbon", "the lisbon meeting")
    label: str = ""  # the names, or else the words, as the person wrote them
    month: int | None = None
    day: int | None = None
    year: int | None = None
    between: tuple[date, date] | None = None  # "today", "this week": first and last day, inclusive
    number: int | None = None  # "#3"
    kind: MeetingKind | None = None  # "the online meeting"
    past: bool = False  # "the last meeting", "when was ..."
    first: bool = False  # "where was the first meeting?": the earliest one
    zone: str | None = None  # "in Toronto time": the IANA zone the asker wants the time in
    zone_label: str = ""  # that place as the person wrote it

    @property
    def specific(self) -> bool:
        """Whether the hint names something beyond "the next meeting"."""
        return bool(self.words or self.dated)

    @property
    def dated(self) -> bool:
        """Whether the hint names a month, a date, a number or a kind of meeting."""
        return bool(self.month or self.day or self.year or self.between or self.number or self.kind)

    def describe(self) -> str:
        """The hint in a few words, to quote back to the person."""
        parts = []
        if self.number is not None:
            parts.append(f"#{self.number}")
        if self.kind is not None:
            parts.append(_(KIND_NAMES.get(MeetingKind(self.kind), KIND_NAMES[MeetingKind.IN_PERSON])))
        if self.label:
            parts.append(self.label)
        if self.day and self.month:
            parts.append(i18n.format_day(date(2000, self.month, self.day), "d MMMM"))
        elif self.month:
            parts.append(get_month_names("wide", "stand-alone", locale=i18n.language())[self.month])
        if self.year:
            parts.append(str(self.year))
        if self.between:
            first, last = (i18n.format_day(day, "d MMM") for day in self.between)
            parts.append(first if first == last else f"{first}–{last}")
        return " ".join(parts)


@dataclass(frozen=True)
class Question:
    """A question as understood: its topic, what points to a meeting, and its cleaned text."""

    topic: Topic
    hint: MeetingHint = field(default_factory=MeetingHint)
    text: str = ""
    thanks: bool = False
    language: str = i18n.SOURCE_LANGUAGE  # the language the answer is written in
    words: tuple[str, ...] = ()  # the question's words, read as English


_DAY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?$")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def _month_of(tokens: Sequence[Token], index: int) -> int | None:
    word = tokens[index].word
    if word not in MONTHS:
        return None
    if word == "may" and fold(tokens[index].raw) == "may":  # also "may I ...": a month only where a month fits
        before = tokens[index - 1].word if index > 0 else ""
        after = tokens[index + 1].word if index + 1 < len(tokens) else ""
        if not (before in MAY_CONTEXT or _DAY.match(before) or _DAY.match(after) or after in MEETING_NOUNS):
            return None
    return MONTHS[word]


@dataclass
class _Dates:
    month: int | None = None
    day: int | None = None
    year: int | None = None
    between: tuple[date, date] | None = None
    used: set[int] = field(default_factory=set)  # token positions taken by dates


def _dates(tokens: Sequence[Token], text: str, today: date) -> _Dates:
    found = _Dates()
    iso = _ISO_DATE.search(text)
    if iso:
        try:
            day = date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        except ValueError:
            day = None
        if day is not None:
            found.between = (day, day)
    words = [token.word for token in tokens]
    for index, word in enumerate(words):
        before = words[index - 1] if index > 0 else ""
        month = _month_of(tokens, index)
        if month is not None:
            found.month, found.used = month, found.used | {index}
            for near in (index - 1, index + 1, index + 2):
                if 0 <= near < len(words) and (digits := _DAY.match(words[near])) and 1 <= int(digits.group(1)) <= 31:
                    found.day = int(digits.group(1))
                    found.used.add(near)
                    break
            if index >= 2 and words[index - 1] == "of" and (digits := _DAY.match(words[index - 2])):
                found.day = int(digits.group(1))
                found.used |= {index - 2, index - 1}
        elif word.isdecimal() and len(word) == 4 and 2000 <= int(word) <= 2100:
            found.year, found.used = int(word), found.used | {index}
        elif word == "today":
            found.between = (today, today)
        elif word == "tomorrow":
            found.between = (today + timedelta(days=1), today + timedelta(days=1))
        elif word == "week" and before in ("this", "next"):
            monday = today - timedelta(days=today.weekday()) + timedelta(days=7 if before == "next" else 0)
            found.between = (monday, monday + timedelta(days=6))
        elif word == "month" and before in ("this", "next"):
            first = today.replace(day=1)
            if before == "next":
                first = (first + timedelta(days=32)).replace(day=1)
            found.month, found.year = first.month, first.year
    return found


def _kind(words: Sequence[str]) -> MeetingKind | None:
    for index, word in enumerate(words):
        following = words[index + 1] if index + 1 < len(words) else ""
        if word in KIND_WORDS and (following in MEETING_NOUNS or following in NAMED_NOUNS):
            return KIND_WORDS[word]
    return None


def _name_like(tokens: Sequence[Token], index: int, *, capitals: bool = True) -> bool:
    """Whether a leftover word looks like a name: capitalised, or right next to "meeting" or after "in".

    `capitals` is False for a language that capitalises every noun (German), where a capital says nothing.
    """
    token = tokens[index]
    if capitals and token.raw[:1].isupper() and not token.first:
        return True
    around = [tokens[i].word for i in (index - 1, index + 1) if 0 <= i < len(tokens)]
    if any(word in MEETING_NOUNS or word in NAMED_NOUNS for word in around):
        return True
    return index > 0 and tokens[index - 1].word in PREPOSITIONS


def _has(words: set[str], *groups: Iterable[str]) -> bool:
    return any(not words.isdisjoint(group) for group in groups)


def _phrase(words: Sequence[str], *phrase: str) -> bool:
    size = len(phrase)
    return any(tuple(words[i : i + size]) == phrase for i in range(len(words) - size + 1))


def recap_part(words: Sequence[str]) -> str:
    """Which part of a recap a question asks for: "slides", "recording", "minutes", or "" for all of it."""
    present = set(words)
    if _has(present, SLIDES_WORDS):
        return "slides"
    if _has(present, RECORDING_WORDS):
        return "recording"
    return "minutes" if "minutes" in present else ""


def _further_topic(words: list[str], present: set[str], *, asking_to: bool, hint: MeetingHint) -> Topic | None:
    """The questions beyond one meeting's facts: sharing, organisers, who is coming, one's own meetings, now."""
    if hint.zone:
        return Topic.TIME_IN
    if _has(present, SLIDES_WORDS, RECORDING_WORDS) or (
        _has(present, MINUTES_WORDS) and not _phrase(words, "how", "many") and not _has(present, WHEN_WORDS)
    ):
        return Topic.RECAP
    if _has(present, SHARE_WORDS) and (_has(present, PRACTICE_WORDS) or asking_to):
        return Topic.HOW_TO_SHARE
    if _has(present, ORGANISER_WORDS) and not _has(present, SHARE_WORDS):
        return Topic.ORGANISERS
    coming = {"coming", "attending", "attend", "participate", "going", "registered", "participants"}
    if _has(present, {"who", "anyone", "anybody"}) and _has(present, coming | ELSE_WORDS):
        return Topic.ATTENDEES
    if _has(present, FIRST_PERSON) and _has(present, {"registered", "signed", "booked", "answered", "going"}):
        plural = _has(present, PLURAL_NOUNS) or (not hint.specific and _has(present, {"which", "what"}))
        if plural and not _phrase(words, "how", "many"):
            return Topic.MINE
    now_asked = _has(present, NOW_WORDS) and not hint.dated and not _has(present, FIRST_PERSON)
    if now_asked and _has(present, MEETING_NOUNS, NAMED_NOUNS, {"happening", "on", "there"}):
        return Topic.NOW
    return None


def _topic(words: list[str], leftover_ok: bool, hint: MeetingHint, *, named: bool) -> Topic:
    """Decide the topic from the words, the strongest signal first."""
    present = set(words)
    how = any(
        w == "how" and (i + 1 >= len(words) or words[i + 1] not in ("many", "much", "long", "far"))
        for i, w in enumerate(words)
    )
    how_many = _phrase(words, "how", "many")
    asking_to = how or _phrase(words, "can", "i") or _phrase(words, "could", "i") or _phrase(words, "may", "i")
    asking_to = asking_to or _phrase(words, "where", "do", "i") or _phrase(words, "where", "can", "i")
    wants_online = _has(present, JOIN_STRONG, JOIN_WEAK)
    further = _further_topic(words, present, asking_to=asking_to, hint=hint)
    if further is not None:
        return further

    if asking_to and _has(present, HOW_TO_WORDS):
        if wants_online and _has(present, JOIN_VERBS):
            return Topic.JOIN
        if "join" in present and _has(present, GROUP_WORDS, {"member", "members", "membership"}):
            return Topic.FAQ
        if _has(present, {"member", "members", "membership"}) and _has(present, {"not", "no"}):
            return Topic.FAQ  # "I'm not a member, can I take part?"
        if _has(present, FAQ_WORDS - {"member", "members"}):
            return Topic.FAQ
        return Topic.HOW_TO_REGISTER
    about_me = _has(present, FIRST_PERSON) and _has(present, REGISTERED_WORDS) and not how_many
    if about_me and (
        not _has(present, FAQ_WORDS - {"free"}) or _has(present, {"registered", "signed", "booked", "status"})
    ):
        return Topic.REGISTERED
    if "who" in present and _has(present, {"coming", "attending", "going", "registered"}):
        return Topic.PLACES
    if _has(present, JOIN_STRONG):
        return Topic.JOIN
    if _has(present, PLACES_STRONG) or (how_many and _has(present, PEOPLE_WORDS)):
        return Topic.PLACES
    if "place" in present and _has(present, PLACES_WEAK | {"free", "any"}):
        return Topic.PLACES
    if _has(present, FAQ_WORDS):
        return Topic.FAQ
    if _has(present, HOW_TO_WORDS):
        return Topic.HOW_TO_REGISTER
    if _has(present, AGENDA_WORDS) or _phrase(words, "what", "on") or _phrase(words, "what", "is", "on"):
        return Topic.AGENDA
    if (words and words[-1] == "about" and "what" in present) or _phrase(words, "what", "about"):
        return Topic.AGENDA
    singular = _has(present, {"meeting", "event", "session", "workshop", "conference", "meetup"})
    if (
        _has(present, PLURAL_NOUNS)
        or (_has(present, LIST_WORDS) and not singular)
        or (_phrase(words, "coming", "up") and not singular)
    ):
        return Topic.LIST
    if _has(present, WHEN_WORDS):
        return Topic.WHEN
    if _has(present, WHERE_WORDS):
        return Topic.WHERE
    if wants_online:
        return Topic.JOIN
    if _has(present, PLACES_WEAK):
        return Topic.PLACES
    if _has(present, GREETING_WORDS, THANKS_WORDS) or _phrase(words, "what", "can", "you", "do"):
        return Topic.GREETING
    mentions_meeting = _has(present, MEETING_NOUNS, NAMED_NOUNS, NEXT_WORDS, {"last", "previous"})
    if leftover_ok and (mentions_meeting or hint.specific or named):
        return Topic.WHEN
    return Topic.UNKNOWN


_NOT_PLACES = STOPWORDS | TOPIC_WORDS | MEETING_NOUNS | NAMED_NOUNS


def _zone_named(tokens: Sequence[Token]) -> tuple[str, str, set[int]] | None:
    """A place whose time the question asks in ("in Toronto time", "hora de Toronto"): zone, name, positions."""
    words = [token.word for token in tokens]
    for index, word in enumerate(words):
        if word != "time":
            continue
        spans = []
        if index + 2 < len(words) and words[index + 1] in ("in", "of", "at"):
            spans += [(index + 2, index + 4), (index + 2, index + 3)]
        spans += [(index - 2, index), (index - 1, index)]
        for start, end in spans:
            if start < 0 or end > len(tokens) or any(words[i] in _NOT_PLACES for i in range(start, end)):
                continue
            name = " ".join(token.raw for token in tokens[start:end])
            city = places.city_info(name)
            if city is not None:
                return city.timezone, name, {*range(start, end), index}
    return None


def understand(
    text: str, *, now: datetime, zone: ZoneInfo, ignore: Iterable[str] = (), asker: str | None = None
) -> Question:
    """Read a question in plain words, in any language the bot speaks: its topic and what points to a meeting.

    `ignore` holds words that never name a meeting (the group's own name, say); `asker` is the asker's
    language, which the answer is in when the question's own cannot be told.
    """
    cleaned = " ".join(strip_markup(text).split())[:MAX_QUESTION]
    asker = asker or i18n.language()
    every_word = [fold(word) for raw in WORD.findall(cleaned) for word in re.split(r"['’]", raw) if word]
    reading = lexicon.language_of_question(cleaned, every_word, asker)
    tokens = tokens_of(raw_words(cleaned, reading.language), reading.language)
    words = [token.word for token in tokens]
    ignored = {fold(word) for word in ignore}
    dates = _dates(tokens, cleaned, now.astimezone(zone).date())
    wanted_zone = _zone_named(tokens)
    if wanted_zone is not None:
        dates.used |= wanted_zone[2]
    number = next((int(token.raw[1:]) for token in tokens if token.raw.startswith("#")), None)
    for index, token in enumerate(tokens[:-1]):  # "meeting number 3", "Treffen Nr. 3", "reunión número 3"
        if number is None and token.word == "number" and tokens[index + 1].word.isdigit():
            number = int(tokens[index + 1].word)
            dates.used |= {index, index + 1}

    leftover: list[int] = []
    for index, token in enumerate(tokens):
        word = token.word
        if index in dates.used or word.startswith("#") or word.isdigit() or len(word) < 2:
            continue
        if word in STOPWORDS or word in TOPIC_WORDS or word in MEETING_NOUNS or word in ignored:
            continue
        if word in MONTHS and _month_of(tokens, index) is not None:
            continue
        leftover.append(index)
    present = set(words)
    past = not present.isdisjoint(PAST_WORDS) and not _phrase(words, "how", "long")
    short = len(tokens) <= 2
    capitals = not i18n.word_lists(reading.language).get("nouns_capitalised", False)
    name_like = [
        i for i in leftover if _name_like(tokens, i, capitals=capitals) or (short and tokens[i].raw[:1].isupper())
    ]
    hint = MeetingHint(
        words=tuple(dict.fromkeys(words[i] for i in leftover)),
        names=tuple(dict.fromkeys(words[i] for i in name_like)),
        label=" ".join(tokens[i].raw for i in (name_like or leftover)),
        month=dates.month,
        day=dates.day,
        year=dates.year,
        between=dates.between,
        number=number,
        kind=_kind(words),
        past=past,
        first=past and "first" in present,
        zone=wanted_zone[0] if wanted_zone else None,
        zone_label=wanted_zone[1] if wanted_zone else "",
    )
    all_names = len(name_like) == len(leftover)
    topic = _topic(words, all_names, hint, named=bool(leftover) and short and all_names)
    return Question(
        topic=topic,
        hint=hint,
        text=cleaned,
        thanks=not present.isdisjoint(THANKS_WORDS),
        language=reading.language if reading.told else asker,
        words=tuple(words),
    )
