"""Questions in every language the bot speaks, read as the English words the bot understands them by.

Each language's `questions.toml` (beside its catalogs) maps its words and phrases, folded, to English
words: "¿Cuándo es la próxima reunión?" is read as "when is the next meeting". Month names come from
Babel's locale data. Which language a question is in is told by the words it shares with each
language's list together with the detector (bot.language.detect): the words decide a short question,
the letters a long one. Adding a language is adding its catalogs and its word lists: no code here
names one.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from babel.dates import get_month_names

from bot.language import detect, i18n
from bot.language.words import (
    ALIASES,
    FUZZY_MIN_LENGTH,
    MEETING_NOUNS,
    MONTHS,
    STOPWORDS,
    TOPIC_WORDS,
)

FUZZY_CUTOFF = 0.8  # how close a misspelt word must be to a known one
TOLD_APART = 0.2  # how far ahead of the second the question's language must be, on a scale of 0 to 2
MISSPELT = 0.5  # what a misspelt word of a language's list counts for, towards telling the language
CLEAR = 3.0  # how many times the detector must believe in one of the tied languages more than in the others
SHORT, LONG = 20, 120  # letters: the detector is not heard below SHORT, and fully from LONG on
ENGLISH_MONTHS = tuple(sorted(MONTHS, key=MONTHS.__getitem__))


def fold(text: str) -> str:
    """Lower-case the text and drop accents and apostrophes, so that "São" matches "Sao"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return plain.lower().replace("'", "").replace("’", "")


def _english_names() -> dict[int, str]:
    return {number: name.lower() for number, name in get_month_names("wide", locale="en").items()}


@dataclass(frozen=True)
class Lexicon:
    """One language's words for questions, folded, each with the English words it stands for."""

    language: str
    words: dict[str, tuple[str, ...]]
    phrases: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]  # longest first
    elisions: frozenset[str]  # "l", "d", "qu": split from the word they are joined to ("l'agenda")
    spelled: tuple[str, ...]  # the words misspellings are corrected to

    def knows(self, word: str) -> bool:
        """Whether the word is one of this language's words for questions (or a month of it)."""
        return word in self.words


@cache
def lexicon(language: str) -> Lexicon:
    """The words questions in `language` are read by."""
    english = _english_names()
    words: dict[str, tuple[str, ...]] = {}
    for form in ("wide", "abbreviated"):
        for context in ("format", "stand-alone"):
            for number, name in get_month_names(form, context, locale=language).items():
                folded = fold(name).rstrip(".")
                if len(folded) >= 3 and folded.isalpha():
                    words.setdefault(folded, (english[number],))
    if language == i18n.SOURCE_LANGUAGE:
        known = STOPWORDS | TOPIC_WORDS | MEETING_NOUNS | frozenset(MONTHS)
        words.update({word: (word,) for word in known})
        words.update({short: (long,) for short, long in ALIASES.items()})
    else:
        table = i18n.table_in(language, "question_words")
        words.update({fold(word): tuple(meaning.split()) for word, meaning in table.items()})
    phrases = sorted(
        (
            (tuple(fold(phrase).split()), tuple(meaning.split()))
            for phrase, meaning in i18n.table_in(language, "question_phrases").items()
        ),
        key=lambda pair: len(pair[0]),
        reverse=True,
    )
    spelled = tuple(sorted(word for word in words if len(word) >= FUZZY_MIN_LENGTH))
    elisions = frozenset(fold(word) for word in i18n.words_in(language, "elisions"))
    return Lexicon(language, words, tuple(phrases), elisions, spelled)


def split_elisions(raws: Sequence[str], language: str) -> list[str]:
    """The words as written, with elided articles and pronouns split off ("l'agenda": "l'", "agenda")."""
    elisions = lexicon(language).elisions
    if not elisions:
        return list(raws)
    out: list[str] = []
    for raw in raws:
        for mark in ("'", "’"):
            head, found, rest = raw.partition(mark)
            if found and rest and fold(head) in elisions:
                out.extend((head + mark, rest))
                break
        else:
            out.append(raw)
    return out


@cache
def correct_in(word: str, language: str) -> str:
    """The word of `language` that `word` is a misspelling of, or `word` itself."""
    known = lexicon(language)
    if word in known.words or len(word) < FUZZY_MIN_LENGTH or word.isdigit():
        return word
    # A misspelling keeps its first letter: "sagen" is not "absagen", nor "esen" "spesen".
    close = difflib.get_close_matches(word, [k for k in known.spelled if k[0] == word[0]], n=1, cutoff=FUZZY_CUTOFF)
    if close and (close[0] not in ENGLISH_MONTHS or close[0][:3] == word[:3]):
        return close[0]
    return word


def read_as_english(folded: Sequence[str], language: str) -> list[tuple[int, str]]:
    """Each word's English reading, as (position of the word it came from, English word).

    Phrases first, longest first; a word the language's list lacks is kept as it is (names, and
    English words typed in another language's sentence: "link", "online").
    """
    known = lexicon(language)
    out: list[tuple[int, str]] = []
    index = 0
    while index < len(folded):
        for phrase, said in known.phrases:
            if tuple(folded[index : index + len(phrase)]) == phrase:
                out.extend((index, word) for word in said)
                index += len(phrase)
                break
        else:
            word = folded[index]
            meaning = known.words.get(word)
            if meaning is None and language != i18n.SOURCE_LANGUAGE:
                meaning = known.words.get(correct_in(word, language))
            if meaning is None:
                out.append((index, word))
            else:
                out.extend((index, english) for english in meaning)
            index += 1
    return out


def _shares(folded: Sequence[str]) -> dict[str, float]:
    """For each language, the share of the question's words that are words of its list (a misspelt one counts half)."""
    words = [word for word in folded if not word.isdigit() and not word.startswith("#")]
    if not words:
        return {}
    return {language: sum(_known(word, language) for word in words) / len(words) for language in i18n.available()}


def _known(word: str, language: str) -> float:
    known = lexicon(language)
    if known.knows(word):
        return 1.0
    return MISSPELT if known.knows(correct_in(word, language)) else 0.0


@dataclass(frozen=True)
class Reading:
    """The language a question is read in, and whether it was told with confidence."""

    language: str  # whose word list reads it
    told: bool  # the question is clearly in this language (else the answer is in the asker's)


def language_of_question(text: str, folded: Sequence[str], asker: str) -> Reading:
    """Which language a question is in: its words' share of each language's list, with the detector's belief.

    A question that one language's words read clearly better than the others' is in that language. When
    several read it as well (“Es gratis?”), the asker's language is taken if it is one of them, else the
    detector chooses among them when it is clear.
    """
    shares = _shares(folded)
    if not shares or max(shares.values()) == 0:
        return Reading(asker, told=False)
    # The detector's letters tell little of a short question: its belief weighs more as the question grows.
    letters = sum(char.isalpha() for char in text)
    weight = min(1.0, max(0.0, (letters - SHORT) / (LONG - SHORT)))
    belief = detect.confidences(text)
    scores = {language: share + weight * belief.get(language, 0.0) for language, share in shares.items()}
    ranked = sorted(scores, key=scores.__getitem__, reverse=True)
    first = ranked[0]
    second = scores[ranked[1]] if len(ranked) > 1 else 0.0
    if scores[first] - second >= TOLD_APART:
        return Reading(first, told=True)
    tied = [language for language in ranked if scores[language] > scores[first] - TOLD_APART and shares[language]]
    if asker in tied:
        return Reading(asker, told=False)
    chosen = max(tied, key=lambda language: belief.get(language, 0.0))
    others = max((belief.get(language, 0.0) for language in tied if language != chosen), default=0.0)
    clear = belief.get(chosen, 0.0) >= max(0.5, CLEAR * others)
    return Reading(chosen, told=clear)
