"""Country names from ISO 3166 codes, for every part of the bot that shows or exports them.

English names are the everyday ones of ISO 3166 ("Germany"); the other languages' come from Babel's
locale data ("Alemania", "Deutschland", "Allemagne").
"""

from __future__ import annotations

import functools

import pycountry
from babel import Locale

from bot.language import i18n


def country_name(code: str, language: str | None = None) -> str:
    """A country's name in `language` (the language spoken now): "DE" gives "Germany", "Alemania"...

    The code itself when it is unknown, "" for none. Exports and calendar files pass English.
    """
    return _name(code.upper(), language or i18n.language()) if code else ""


@functools.cache
def _name(code: str, language: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    if language != i18n.SOURCE_LANGUAGE:
        spoken = Locale.parse(language).territories.get(code)
        if spoken:
            return str(spoken)
    return str(getattr(country, "common_name", None) or country.name)
