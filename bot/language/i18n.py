"""The bot's words in each person's language: gettext catalogs managed with Babel, and the language now spoken.

Every text the bot writes goes through `_` (a sentence, with named `{placeholders}` filled in after it is
translated, so no sentence is ever glued from pieces) or `n_` (a sentence whose form depends on a number,
with the plural rules of each language). `N_` marks a text kept in a constant, translated where it is used.

Which language: `speaking(language)` sets it for the work of one request or one post (a context variable,
copied into the threads that work starts). English is the source; the other languages are the catalogs in
`bot/language/locale/<language>/LC_MESSAGES/`, one per area of the bot (`meetings.mo`, `practices.mo`, ...),
found on disk: adding a language is adding its catalogs (`python .ci/catalogs.py init xx`) and its word lists
(`*.toml` beside its catalogs: the words the bot reads in that language), with no code change.
"""

from __future__ import annotations

import gettext
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent
from babel.support import Translations

SOURCE_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).with_name("locale")

# Babel reads its locale data and parses a pattern at every call, and a list writes the same few numbers again
# and again: each number is written once in each language, and kept.
_NUMBERS_KEPT = 4096

_speaking: ContextVar[str] = ContextVar("speaking", default=SOURCE_LANGUAGE)
_reader_zone: ContextVar[str | None] = ContextVar("reader_zone", default=None)


@cache
def available() -> tuple[str, ...]:
    """The languages the bot speaks: English, and each language with compiled catalogs."""
    found = {path.parent.parent.name for path in LOCALE_DIR.glob("*/LC_MESSAGES/*.mo")}
    return (SOURCE_LANGUAGE, *sorted(found - {SOURCE_LANGUAGE}))


@cache
def word_lists(language: str) -> dict[str, object]:
    """Every word list of one language: the tables of `bot/language/locale/<language>/*.toml`, merged.

    Each area keeps its own file (`words.toml` for the forms, `questions.toml` for questions in plain
    words, `dates.toml` for dates); a list or table named in two files is an error of the lists.
    """
    merged: dict[str, object] = {}
    for path in sorted((LOCALE_DIR / language).glob("*.toml")):
        for name, value in tomllib.loads(path.read_text(encoding="utf-8")).items():
            if name in merged:
                raise ValueError(f"{path}: the list {name!r} is also in another file of {language!r}")
            merged[name] = value
    return merged


def words_in(language: str, kind: str) -> tuple[str, ...]:
    """The words of one list in one language, lower-cased (none when that language has no such list)."""
    listed = word_lists(language).get(kind, [])
    return tuple(str(word).casefold() for word in listed) if isinstance(listed, list) else ()


def table_in(language: str, kind: str) -> dict[str, str]:
    """One table of one language (a word and what it stands for), keys lower-cased."""
    table = word_lists(language).get(kind, {})
    return {str(key).casefold(): str(value) for key, value in table.items()} if isinstance(table, dict) else {}


@cache
def words(kind: str) -> tuple[str, ...]:
    """The words of one list (`capacity`, `places`...) in every language the bot speaks, lower-cased."""
    found: dict[str, None] = {}
    for spoken in available():
        found.update(dict.fromkeys(words_in(spoken, kind)))
    return tuple(found)


def supported(tag: str | None) -> str | None:
    """The language the bot speaks for a language tag (`es`, Slack's `pt-BR`, `es-LA`, `fr_CA`), if any."""
    if not tag:
        return None
    try:
        spoken = Locale.parse(tag.strip(), sep="-" if "-" in tag else "_").language
    except (UnknownLocaleError, ValueError, TypeError):
        spoken = tag.strip().replace("_", "-").split("-", 1)[0].lower()
    return spoken if spoken in available() else None


@cache
def catalog(language: str) -> gettext.NullTranslations:
    """Every area's catalog of one language, merged (English, the source, needs none)."""
    if language == SOURCE_LANGUAGE or language not in available():
        return gettext.NullTranslations()
    merged: Translations | None = None
    for path in sorted((LOCALE_DIR / language / "LC_MESSAGES").glob("*.mo")):
        with path.open("rb") as file:
            area = Translations(file, domain=path.stem)
        if merged is None:
            merged = area
        else:
            merged.merge(area)
    return merged or gettext.NullTranslations()


@contextmanager
def speaking(language: str | None, *, zone: str | None = None) -> Iterator[str]:
    """Speak `language` (the source language when it is not spoken) until the block ends, to a reader in `zone`
    (None: a reader whose zone is not known here, as when writing to someone other than who asked)."""
    chosen = language if language in available() else SOURCE_LANGUAGE
    token = _speaking.set(chosen)
    zone_token = _reader_zone.set(zone)
    try:
        yield chosen
    finally:
        _reader_zone.reset(zone_token)
        _speaking.reset(token)


def speak(language: str | None) -> str:
    """Speak `language` from now on in this context (a request's thread: each request sets its own)."""
    chosen = language if language in available() else SOURCE_LANGUAGE
    _speaking.set(chosen)
    return chosen


def language() -> str:
    """The language spoken now."""
    return _speaking.get()


def read_in(zone: str | None) -> None:
    """Say, for the rest of this request, the time zone of whoever reads what the bot writes (None: unknown, or
    many readers, as in a channel)."""
    _reader_zone.set(zone)


def reader_zone() -> ZoneInfo | None:
    """The time zone of the one reader of what is being written, when there is one and it is known."""
    name = _reader_zone.get()
    try:
        return ZoneInfo(name) if name else None
    except (ValueError, ZoneInfoNotFoundError):
        return None


def _(message: str, /, **values: object) -> str:
    """`message` in the language spoken now, its `{placeholders}` filled with `values`."""
    translated = catalog(language()).gettext(message)
    return translated.format(**values) if values else translated


def n_(singular: str, plural: str, count: int, /, **values: object) -> str:
    """The form of a sentence for `count` in the language spoken now; `{count}` is filled in too."""
    translated = catalog(language()).ngettext(singular, plural, count)
    return translated.format(count=format_number(count), **values)


def N_(message: str, /) -> str:
    """Mark a text to be translated where it is used (`_(CONSTANT)`), not where it is defined."""
    return message


def name_of(language_code: str, *, in_language: str | None = None) -> str:
    """A language's name in that language, as its speakers write it ("español", "Deutsch"), or in another."""
    return Locale.parse(language_code).get_display_name(in_language or language_code) or language_code


def format_number(number: float) -> str:
    """A number written for the language spoken now (1,000 / 1.000 / 1 000)."""
    return _number(number, language())


@lru_cache(maxsize=_NUMBERS_KEPT)
def _number(number: float, language: str) -> str:
    return format_decimal(number, locale=language)


def format_share(ratio: float) -> str:
    """A share written as a percentage for the language spoken now (83 % / 83%)."""
    return format_percent(ratio, locale=language())


def format_day(day: date | datetime, form: str = "full") -> str:
    """A day written for the language spoken now ("Tuesday, 2 March 2027", "martes, 2 de marzo de 2027")."""
    return format_date(day, format=form, locale=language())


def format_moment(moment: datetime, form: str = "medium") -> str:
    """A day and time written for the language spoken now, in `moment`'s own time zone."""
    return format_datetime(moment, format=form, tzinfo=moment.tzinfo, locale=language())
