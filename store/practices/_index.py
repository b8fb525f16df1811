"""The words the full-text index holds: a practice's text stemmed in its own language, accents folded.

Both engines index the same words, made here: SQLite's FTS5 table reads the `search_*` columns this
module fills, and PostgreSQL builds its tsvector from them with the 'simple' configuration (which only
splits and lower-cases). A practice's words are stemmed with the Snowball stemmer of its language, then
their accents are folded, so "reuniones" and "reunión" are both "reunion" and "reunion" typed without
its accent finds them. A search word's language is unknown: it is stemmed in each language the bot
speaks, and matches when any of those forms does.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from typing import Any, Protocol

import snowballstemmer  # type: ignore[import-untyped]  # no type information; PyStemmer's compiled stemmers
from babel import Locale, UnknownLocaleError

from store.models import PRACTICE_LANGUAGE

# The languages a search tries when its caller names none (the bot names those it speaks).
DEFAULT_LANGUAGES = ("en",)
# Snowball's algorithms are named by the language's English name ("spanish"), which Babel gives for its code.
# A language Snowball has no stemmer for is indexed unstemmed (its words as written, accents folded), as
# PostgreSQL's 'simple' would.
_ALGORITHMS = frozenset(snowballstemmer.algorithms())
# Portuguese stems keep the nasal vowel of -ão words, which singular and plural do not share (formação ->
# formaçã, formações -> formaçõ); the index drops a stem's last vowel in these languages (both fold to formac).
_LAST_VOWEL_DROPPED = frozenset({"portuguese"})
_VOWELS = "aeo"
_SHORTEST_STEM = 3

_WORD = re.compile(r"[^\W_]+")
_CACHED_WORDS = 50_000  # (word, language) pairs: a large group's vocabulary, under 10 MiB


class _Stemmer(Protocol):
    def stemWord(self, word: str) -> str: ...


_stemmers = threading.local()  # a Snowball stemmer keeps state while it stems: one per thread


def _stemmer(algorithm: str) -> _Stemmer:
    by_algorithm: dict[str, _Stemmer] = _stemmers.__dict__.setdefault("by_algorithm", {})
    if algorithm not in by_algorithm:
        by_algorithm[algorithm] = snowballstemmer.stemmer(algorithm)
    return by_algorithm[algorithm]


@cache
def algorithm(language: str) -> str | None:
    """The Snowball algorithm that stems `language` ("es" -> "spanish", "pt-BR" -> "portuguese"), if any."""
    code = language.lower().replace("_", "-").split("-")[0]
    try:
        name = (Locale.parse(code).get_language_name("en") or "").lower()
    except (ValueError, UnknownLocaleError):
        return None
    return name if name in _ALGORITHMS else None


@cache
def _fold_letter(letter: str) -> str:
    bare = "".join(part for part in unicodedata.normalize("NFD", letter) if not unicodedata.combining(part))
    return bare if len(bare) == 1 else letter


def fold(text: str) -> str:
    """`text` with the accents taken off its letters, one letter for one ("reunión" -> "reunion")."""
    return text if text.isascii() else "".join(_fold_letter(letter) for letter in text)


@lru_cache(maxsize=_CACHED_WORDS)
def indexed_word(word: str, language: str) -> str:
    """One word as the index holds it for a practice in `language`: lower-cased, stemmed, accents folded."""
    lowered = word.lower()
    stemmer = algorithm(language)
    if stemmer is None:
        return fold(lowered)
    stem = fold(_stemmer(stemmer).stemWord(lowered)) or fold(lowered)
    if stemmer in _LAST_VOWEL_DROPPED and len(stem) > _SHORTEST_STEM and stem[-1] in _VOWELS:
        stem = stem[:-1]
    return stem


def indexed_text(text: str, language: str) -> str:
    """A text as the index holds it for a practice in `language`: its words, each as `indexed_word` makes it."""
    return " ".join(indexed_word(word, language) for word in _WORD.findall(text))


# The columns the index reads, from the fields of the practice they are made of.
INDEXED: Mapping[str, tuple[str, ...]] = {
    "search_title": ("title",),
    "search_organisation": ("organisation",),
    "search_body": ("summary", "evidence"),
}


def indexed_part(column: str, values: Mapping[str, Any]) -> str:
    """One of the index's columns (a key of INDEXED) for a practice with these column values."""
    language = values.get("language") or PRACTICE_LANGUAGE
    return indexed_text(" ".join(str(values.get(name) or "") for name in INDEXED[column]), language)


def indexed_columns(values: Mapping[str, Any]) -> dict[str, str]:
    """Every column the index reads, for a practice with these column values."""
    return {column: indexed_part(column, values) for column in INDEXED}


def shortest_starts(forms: Iterable[str]) -> tuple[str, ...]:
    """The forms no other one starts: as the start of longer words, they match all that the others would."""
    kept: list[str] = []
    for form in sorted(set(forms), key=len):
        if not any(form.startswith(shorter) for shorter in kept):
            kept.append(form)
    return tuple(kept)
