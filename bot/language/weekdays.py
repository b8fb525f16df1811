"""Weekdays and times of day as people write them in every language the bot speaks, put as the date parser reads them.

"nächsten Dienstag 10 Uhr", "próxima terça às 18h", "mardi prochain 14h30", "el próximo martes a las 10":
a weekday with the word for "next" or "this" around it becomes the date it means (an ISO date), and a time
written with an hour word ("18h", "10 Uhr", "a las 10") becomes "18:00", never "in 18 hours".

Nothing here is written for one language: weekday and month names come from Babel's locale data, and the
little words ("next", "at", "o'clock"...) from each language's `dates.toml` beside its catalogs, so that a
language added with its catalogs and its word lists is read too. Words are matched without accents or case.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Final, Literal

from babel.dates import get_day_names, get_month_names

from bot.language import i18n

_WIDTHS: Final[tuple[Literal["wide", "abbreviated"], ...]] = ("wide", "abbreviated")
_CONTEXTS: Final[tuple[Literal["format", "stand-alone"], ...]] = ("format", "stand-alone")


def fold(text: str) -> str:
    """Lower-case `text` and drop its accents ("Mär." gives "mar.", "terça" gives "terca")."""
    return _folded(text)[0]


def _folded(text: str) -> tuple[str, list[int]]:
    """`text` folded, and for each folded character the index of the character of `text` it comes from."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text.replace("’", "'")):
        for part in unicodedata.normalize("NFKD", char.lower()):
            if not unicodedata.combining(part):
                chars.append(part)
                origin.append(index)
    return "".join(chars), origin


def loose(word: str) -> str:
    """A regular expression for `word` as people type it, with or without its accents, any spaces between its words
    (to be compiled with re.IGNORECASE)."""
    pieces = []
    for char in word:
        plain = fold(char)
        if char.isspace():
            pieces.append(r"\s+")
        elif plain != char and len(plain) == 1:
            pieces.append(f"[{re.escape(char)}{re.escape(plain)}]")
        else:
            pieces.append(re.escape(char))
    return "".join(pieces)


def _alternatives(names: Iterable[str]) -> str:
    """A regular expression matching any of `names` (folded), the longest first, spaces as any spaces."""
    unique = sorted({fold(name) for name in names if name.strip()}, key=len, reverse=True)
    return "|".join(r"\s+".join(re.escape(word) for word in name.split()) for name in unique) or r"(?!x)x"


def _words(kind: str) -> str:
    """The words of one list of `dates.toml`, in every language the bot speaks, as a regular expression."""
    return _alternatives(i18n.words(kind))


@functools.cache
def month_names() -> frozenset[str]:
    """Every month's names, wide and abbreviated, in every language the bot speaks, folded and without dots."""
    return frozenset(
        fold(name).rstrip(".")
        for language in i18n.available()
        for width in _WIDTHS
        for context in _CONTEXTS
        for name in get_month_names(width, context, locale=language).values()
    )


@functools.cache
def weekday_names() -> dict[str, int]:
    """Every weekday's names (0 for Monday), wide and abbreviated, in every language the bot speaks.

    A wide name made of two words joined by a hyphen is also known by its first ("terça-feira", "terça").
    A name that is also a month's ("mar") or another day's in another language is left out.
    """
    found: dict[str, int] = {}
    shared: set[str] = set()
    for language in i18n.available():
        for width in _WIDTHS:
            for context in _CONTEXTS:
                for day, name in get_day_names(width, context, locale=language).items():
                    folded = fold(name).rstrip(".")
                    names = {folded, folded.split("-", 1)[0]} if width == "wide" else {folded}
                    for each in names:
                        if found.setdefault(each, day) != day:
                            shared.add(each)
    return {name: day for name, day in found.items() if name not in shared and name not in month_names()}


@functools.cache
def _hour_time() -> re.Pattern[str]:
    """A time written with an hour word: "18h", "14 h", "14h30", "10 Uhr", "10.30 Uhr", "10 o'clock"."""
    return re.compile(
        rf"(?<![\w:.])(?P<hour>\d{{1,2}})(?:[:.](?P<minute>\d{{2}}))?\s*(?:{_words('date_hour')})"
        r"(?P<after>\d{2})?(?!\w)"
    )


@functools.cache
def _at_hour() -> re.Pattern[str]:
    """A number alone after a word for "at" ("a las 10", "um 9"): an hour, unless a month follows it."""
    months = _alternatives(month_names())
    return re.compile(
        rf"(?<!\w)(?:{_words('date_at')})\s+(?P<hour>\d{{1,2}})(?![\w:./-])"
        rf"(?!\s*(?:[ap]\.?m\b|(?:de\s+)?(?:{months})\b))"
    )


@functools.cache
def _at_time() -> re.Pattern[str]:
    """A word for "at" before a time ("à 14:30", "at 5pm"), which the date parser need not see."""
    return re.compile(rf"(?<!\w)(?:{_words('date_at')})\s+(?=\d{{1,2}}(?::\d\d|\s*[ap]\.?m\b))")


@functools.cache
def _on_day() -> re.Pattern[str]:
    """A word for "on" before a day's number ("el 15 de marzo", "am 15. März"), which the date parser need not see."""
    return re.compile(rf"(?<!\w)(?:{_words('date_on')})\s+(?=\d)")


@functools.cache
def _weekday() -> re.Pattern[str]:
    """A weekday, with the words for "on", "next" or "this" around it ("el próximo martes", "mardi prochain")."""
    return re.compile(
        rf"(?<!\w)(?:(?:{_words('date_on')})\s+)?(?:(?:(?P<next>{_words('date_next')})|(?P<this>{_words('date_this')}))\s+)?"
        rf"(?P<day>{_alternatives(weekday_names())})\.?(?!\w)"
        rf"(?:\s+(?P<after>{_words('date_next_after')})(?!\w))?"
    )


@functools.cache
def _written_date() -> re.Pattern[str]:
    """A date written out: a month's name, or numbers (2027-02-11, 11/02/2027, 11.02.)."""
    return re.compile(
        rf"(?<!\w)(?:{_alternatives(month_names())})(?!\w)"
        r"|\d{4}-\d{1,2}-\d{1,2}|(?<![\d:])\d{1,2}/\d{1,2}(?:/\d{2,4})?|(?<![\d:])\d{1,2}\.\d{1,2}\.(?:\d{2,4})?"
    )


def _replace(pattern: re.Pattern[str], text: str, replace: Callable[[re.Match[str]], str | None]) -> str:
    """Replace what `pattern` matches in folded `text` by what `replace` says (None keeps it as written)."""
    folded, origin = _folded(text)
    pieces: list[str] = []
    last = 0
    for match in pattern.finditer(folded):
        if match.end() == match.start():
            continue
        start, end = origin[match.start()], origin[match.end() - 1] + 1
        instead = replace(match)
        pieces.extend((text[last:start], text[start:end] if instead is None else instead))
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def _clock(hour: str, minute: str | None) -> str | None:
    """An hour and a minute written as HH:MM, or None when they are no time of day."""
    hours, minutes = int(hour), int(minute or 0)
    return f"{hours:02d}:{minutes:02d}" if hours <= 23 and minutes <= 59 else None


def _times_of_day(text: str) -> str:
    """Write the times given with an hour word or after a word for "at" as "HH:MM"; drop "at" and "on" before
    numbers."""
    text = _replace(_hour_time(), text, lambda match: _clock(match["hour"], match["minute"] or match["after"]))
    text = _replace(_at_hour(), text, lambda match: _clock(match["hour"], None))
    text = _replace(_at_time(), text, lambda match: "")
    return _replace(_on_day(), text, lambda match: "")


def day_after(day: int, today: date, *, today_too: bool) -> date:
    """The next weekday `day` (0 for Monday) after `today`, or from `today` on with `today_too`."""
    ahead = (day - today.weekday()) % 7
    return today + timedelta(days=ahead if ahead or today_too else 7)


def rewrite(text: str, *, today: date) -> str:
    """Put a date and time as the date parser reads them: a weekday as its date, an hour word's time as HH:MM.

    A weekday alone or after "next" is the next such day after today; after "this", the next from today on.
    Next to a date written out ("Thu 11 Feb 2027") the weekday is left to the date parser.
    """
    text = _times_of_day(text)
    if _written_date().search(fold(text)) is None:
        days = weekday_names()

        def when(match: re.Match[str]) -> str:
            return day_after(days[match["day"]], today, today_too=match["this"] is not None).isoformat()

        text = _replace(_weekday(), text, when)
    return " ".join(text.split())


def clock_time(text: str) -> tuple[int, int] | None:
    """The time of day that `text` is, when it is one written with an hour word ("18h", "10 Uhr", "14h30")."""
    match = _hour_time().fullmatch(fold(" ".join(text.split())))
    if match is None or _clock(match["hour"], match["minute"] or match["after"]) is None:
        return None
    return int(match["hour"]), int(match["minute"] or match["after"] or 0)


def has_hour_word(text: str) -> bool:
    """Whether `text` gives a time with an hour word ("mardi 14h", "10 Uhr"), as people who write "9h-17h" do."""
    return _hour_time().search(fold(text)) is not None


@functools.cache
def _length_words() -> tuple[tuple[re.Pattern[str], str], ...]:
    units = (("length_days", "d"), ("length_hours", "h"), ("length_minutes", "m"), ("length_and", "and"))
    return tuple(
        (re.compile(rf"(?<![^\W\d_])(?:{_words(kind)})(?![^\W_])", re.IGNORECASE), english) for kind, english in units
    )


def english_length(text: str) -> str:
    """A length written in any language the bot speaks, in the units the length reader knows.

    "2 Stunden" gives "2 h", "1 hora y 30 minutos" "1 h and 30 m"; English is left as it is.
    """
    folded = fold(text)
    for pattern, english in _length_words():
        folded = pattern.sub(f" {english} ", folded)
    return " ".join(folded.split())


@functools.cache
def for_pattern() -> re.Pattern[str]:
    """ "<start> for <length>", with the word for "for" in any language the bot speaks ("für", "durante")."""
    words = "|".join(loose(word) for word in sorted(i18n.words("length_for"), key=len, reverse=True)) or r"(?!x)x"
    return re.compile(rf"^(?P<start>.*\S)\s+(?:{words})\s+(?P<length>.+)$", re.IGNORECASE)
