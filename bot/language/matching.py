"""Choosing what a question means: the meeting it is about, and the FAQ entry that answers it.

Pure functions: meetings (or their names) and FAQ entries in, the one meant (or None) out.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

from bot.language.countries import country_name
from bot.language.lexicon import FUZZY_CUTOFF, fold
from bot.language.reading import WORD, strip_markup
from bot.language.understanding import MAX_QUESTION, MeetingHint
from bot.language.words import ALIASES, FUZZY_MIN_LENGTH, MEETING_NOUNS, STOPWORDS
from store.models import FaqEntry, FaqTranslation, MeetingKind

FAQ_THRESHOLD = 2  # one keyword hit, or two words shared with the entry's question


# Choosing the meeting meant.


class Named(Protocol):
    """What matching reads of a meeting: a store.models.Meeting, or its name alone (store.meetings.MeetingName)."""

    @property
    def id(self) -> int | None: ...
    @property
    def title(self) -> str: ...
    @property
    def city(self) -> str: ...
    @property
    def venue(self) -> str: ...
    @property
    def country(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def timezone(self) -> str: ...
    @property
    def starts_at(self) -> datetime: ...
    @property
    def ends_at(self) -> datetime: ...


M = TypeVar("M", bound=Named)


def _meeting_words(meeting: Named) -> frozenset[str]:
    return _name_words(meeting.title, meeting.city, meeting.venue, meeting.country)


@lru_cache(maxsize=4096)
def _name_words(title: str, city: str, venue: str, country: str) -> frozenset[str]:
    names = [title, city, venue, country, country_name(country) if country else ""]
    return frozenset(fold(word) for name in names for word in re.findall(r"[^\W_]+", name))


@lru_cache(maxsize=65536)
def _same_word(wanted: str, known: str) -> bool:
    if wanted == known or wanted + "s" == known or known + "s" == wanted:
        return True
    if min(len(wanted), len(known)) < FUZZY_MIN_LENGTH:
        return False
    matcher = difflib.SequenceMatcher(None, wanted, known)
    return (
        matcher.real_quick_ratio() >= FUZZY_CUTOFF
        and matcher.quick_ratio() >= FUZZY_CUTOFF
        and matcher.ratio() >= FUZZY_CUTOFF
    )


def _days(meeting: Named) -> list[date]:
    zone = ZoneInfo(meeting.timezone)
    first = meeting.starts_at.astimezone(zone).date()
    last = meeting.ends_at.astimezone(zone).date()
    last = min(last, first + timedelta(days=31))
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _on_dates(hint: MeetingHint, meeting: Named) -> bool:
    if hint.between is None and hint.month is None and hint.day is None and hint.year is None:
        return True  # the hint names no date: every meeting fits
    days = _days(meeting)
    if hint.between is not None and not any(hint.between[0] <= day <= hint.between[1] for day in days):
        return False
    return any(
        (hint.month is None or day.month == hint.month)
        and (hint.day is None or day.day == hint.day)
        and (hint.year is None or day.year == hint.year)
        for day in days
    )


def _of_kind(hint: MeetingHint, meetings: Sequence[M]) -> list[M]:
    if hint.kind is None:
        return list(meetings)
    exact = [meeting for meeting in meetings if meeting.kind == hint.kind]
    if exact or hint.kind == MeetingKind.HYBRID:
        return exact
    return [meeting for meeting in meetings if meeting.kind == MeetingKind.HYBRID]


def _word_score(hint: MeetingHint, meeting: Named) -> int:
    known = _meeting_words(meeting)
    return sum(1 for wanted in hint.words if _names_word(wanted, known))


@lru_cache(maxsize=65536)
def _names_word(wanted: str, known: frozenset[str]) -> bool:
    """Whether one of a meeting's words is `wanted`; kept, as the same few names are asked about again and again."""
    return any(_same_word(wanted, word) for word in known)


def better_named(hint: MeetingHint, cancelled: Sequence[M], chosen: M | None) -> M | None:
    """The cancelled meeting the question names, if it names it better than the meeting chosen (or none was).

    "When is the Madrid roundtable?" after the roundtable's cancellation is about the roundtable, not an
    older Madrid meeting that shares one word with it.
    """
    found = _by_dates(hint, cancelled)
    if not hint.words:  # "the April meeting": a cancelled one only when no other fits the dates
        return found[0] if found and chosen is None else None
    best = max(found, key=lambda meeting: _word_score(hint, meeting), default=None)
    if best is None or _word_score(hint, best) == 0:
        return None
    if chosen is not None and _word_score(hint, chosen) >= _word_score(hint, best):
        return None
    return best


def _by_words(hint: MeetingHint, meetings: Sequence[M]) -> list[M]:
    scored = []
    for position, meeting in enumerate(meetings):
        score = _word_score(hint, meeting)
        if score:
            scored.append((-score, position, meeting))
    return [meeting for _, _, meeting in sorted(scored, key=lambda row: row[:2])]


def _by_dates(hint: MeetingHint, meetings: Sequence[M]) -> list[M]:
    found = [
        meeting
        for meeting in meetings
        if (hint.number is None or meeting.id == hint.number) and _on_dates(hint, meeting)
    ]
    return _of_kind(hint, found)


def meetings_matching(hint: MeetingHint, meetings: Sequence[M]) -> list[M]:
    """The meetings that fit everything the hint names, best first (ties keep the given order)."""
    found = _by_dates(hint, meetings)
    return _by_words(hint, found) if hint.words else found


def pick_meeting(hint: MeetingHint, upcoming: Sequence[M], past: Sequence[M]) -> M | None:
    """The meeting a question means: the next one, or the one its words, month or date name; None if none fits.

    Words that match no meeting are let go unless they look like a name ("the Lisbon meeting"):
    then no meeting is the honest answer.
    """
    first, then = (past, upcoming) if hint.past else (upcoming, past)
    if hint.first and hint.past:
        first = sorted(past, key=lambda meeting: (meeting.starts_at, meeting.id or 0))
    if not hint.specific:
        return first[0] if first else None
    for meetings in (first, then):
        found = meetings_matching(hint, meetings)
        if found:
            return found[0]
    if hint.names:
        return None
    if not hint.dated:
        return first[0] if first else None
    for meetings in (first, then):
        found = _by_dates(hint, meetings)
        if found:
            return found[0]
    return None


# Choosing the FAQ entry meant.


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _content(text: str) -> set[str]:
    words = (ALIASES.get(fold(raw), fold(raw)) for raw in WORD.findall(text))
    return {_stem(word) for word in words if word not in STOPWORDS and word not in MEETING_NOUNS and len(word) > 1}


def _near(wanted: str, words: set[str]) -> bool:
    if wanted in words:
        return True
    if len(wanted) < FUZZY_MIN_LENGTH:
        return False
    return any(
        len(word) >= FUZZY_MIN_LENGTH and difflib.SequenceMatcher(None, wanted, word).ratio() >= 0.85 for word in words
    )


def match_faq(
    text: str,
    entries: Sequence[FaqEntry],
    *,
    also: Iterable[str] = (),
    translations: Mapping[int, Mapping[str, FaqTranslation]] | None = None,
) -> FaqEntry | None:
    """The FAQ entry that answers the question, or None when none fits well enough.

    `also` holds the question's words as read in English, so that an entry written in English answers
    a question asked in another language ("¿quién paga el viaje?" shares "travel" with it); an entry's
    translations are matched as well as the entry itself.
    """
    asked = _content(strip_markup(text)[:MAX_QUESTION]) | _content(" ".join(also))
    if not asked:
        return None
    best: FaqEntry | None = None
    best_score = 0
    for entry in entries:
        versions = [(entry.question, entry.keywords)]
        versions += [(t.question, t.keywords) for t in (translations or {}).get(entry.id or 0, {}).values()]
        score = max(_faq_score(asked, question, keywords) for question, keywords in versions)
        if score > best_score:
            best, best_score = entry, score
    return best if best_score >= FAQ_THRESHOLD else None


def _faq_score(asked: set[str], question: str, keywords: str) -> int:
    hits = 0
    for keyword in keywords.split(","):
        needed = _content(keyword)
        if needed and all(_near(word, asked) for word in needed):
            hits += 1
    shared = sum(1 for word in _content(question) if _near(word, asked))
    return 2 * hits + shared
