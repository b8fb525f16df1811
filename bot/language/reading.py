"""How a question's words are read: Slack's markup stripped, each word folded, corrected and put in English.

English words are corrected against the words questions are understood by; another language's are read
through its word list (bot.language.lexicon). Names are kept as written: "the Rome meeting" is not "remote".
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.language import i18n, lexicon, markup
from bot.language.lexicon import FUZZY_CUTOFF, fold
from bot.language.words import (
    ALIASES,
    FUZZY_MIN_LENGTH,
    MEETING_NOUNS,
    MONTH_NAMES,
    MONTHS,
    NAMED_NOUNS,
    STOPWORDS,
    TOPIC_WORDS,
    VOCABULARY,
)

WORD = re.compile(r"#\d+|[^\W_]+(?:['’][^\W_]+)*")


@dataclass
class Token:
    raw: str  # as written
    word: str  # folded, lower case, short forms expanded, misspellings corrected
    first: bool = False  # the first word of the question


def strip_markup(text: str) -> str:
    """Remove Slack's markup: mentions and special mentions go, links keep their label."""
    return markup.strip(text)


@lru_cache(maxsize=4096)
def correct(word: str) -> str:
    """The known word that `word` stands for: a short form, a misspelling of a topic word, or itself."""
    word = ALIASES.get(word, word)
    if word in STOPWORDS or word in TOPIC_WORDS or word in MEETING_NOUNS or word in MONTHS:
        return word
    if len(word) < FUZZY_MIN_LENGTH or word.isdigit():
        return word
    close = difflib.get_close_matches(word, VOCABULARY, n=1, cutoff=FUZZY_CUTOFF)
    if close:
        return close[0]
    month = difflib.get_close_matches(word, MONTH_NAMES, n=1, cutoff=FUZZY_CUTOFF)
    if month and month[0][:3] == word[:3]:
        return month[0]
    return word


def raw_words(text: str, language: str) -> list[str]:
    return lexicon.split_elisions([match.group(0) for match in WORD.finditer(text)], language)


def tokens(raws: Sequence[str], language: str) -> list[Token]:
    """The words of the text, in English, corrected; names are left as written ("the Rome meeting" is not "remote")."""
    if language != i18n.SOURCE_LANGUAGE:
        return _tokens_in(raws, language)
    plain = [ALIASES.get(fold(raw), fold(raw)) for raw in raws]
    words = [correct(word) for word in plain]
    tokens = []
    for index, raw in enumerate(raws):
        word = words[index]
        if word != plain[index]:
            following = words[index + 1] if index + 1 < len(words) else ""
            if (index > 0 and raw[:1].isupper()) or following in MEETING_NOUNS or following in NAMED_NOUNS:
                word = plain[index]
        tokens.append(Token(raw=raw, word=word, first=index == 0))
    return tokens


def _tokens_in(raws: Sequence[str], language: str) -> list[Token]:
    """The words of a question in another language, read as English by that language's word list."""
    folded = [fold(raw) for raw in raws]
    known = lexicon.lexicon(language)
    capitalised_nouns = bool(i18n.word_lists(language).get("nouns_capitalised", False))
    tokens = []
    for position, word in lexicon.read_as_english(folded, language):
        raw = raws[position]
        corrected = folded[position] not in known.words and word != folded[position]
        if corrected and position > 0 and raw[:1].isupper() and not capitalised_nouns:
            word = folded[position]  # a name that looks like a misspelt word: "Sevilla" is not "semana"
        tokens.append(Token(raw=raw, word=word, first=position == 0))
    return tokens
