"""Which of the languages the bot speaks a text is written in.

A maintained detector (lingua) restricted to the languages with catalogs, in its low-accuracy mode:
its trigram models for five languages take about 13 MiB, where the high-accuracy ones take 160, and
they are loaded at the first text to judge, not at start. Short texts are where that mode is weak;
questions add what their words say (bot.language.understanding), and a text too short to tell gets
no language rather than a guess.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from bot.language import i18n

if TYPE_CHECKING:
    from lingua import LanguageDetector

CONFIDENT = 0.6  # the share of the detector's belief the first language needs to be taken as the text's
MARGIN = 0.25  # and how far ahead of the second it must be
MIN_LETTERS = 20  # shorter texts are not judged on their letters alone


@cache
def _detector() -> LanguageDetector | None:
    """The detector, built at its first use (after the acknowledgement of the question that needs it)."""
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [IsoCode639_1.from_str(code) for code in i18n.available()]
    if len(codes) < 2:
        return None
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_low_accuracy_mode().build()


def confidences(text: str) -> dict[str, float]:
    """The detector's belief in each language the bot speaks, summing to 1 (empty when it cannot tell)."""
    detector = _detector()
    if detector is None or sum(char.isalpha() for char in text) < 2:
        return {}
    return {
        value.language.iso_code_639_1.name.lower(): value.value
        for value in detector.compute_language_confidence_values(text)
    }


def language_of(text: str) -> str | None:
    """The language a text is written in, when the detector is confident of it; else None."""
    if sum(char.isalpha() for char in text) < MIN_LETTERS:
        return None
    ranked = sorted(confidences(text).items(), key=lambda item: item[1], reverse=True)
    if not ranked:
        return None
    first, belief = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    return first if belief >= CONFIDENT and belief - second >= MARGIN else None
