"""Country names from ISO 3166 codes, for every part of the bot that shows or exports them."""

from __future__ import annotations

import functools

import pycountry


@functools.cache
def country_name(code: str) -> str:
    """Return a country's everyday English name ("DE" gives "Germany"), the code if unknown, "" for none."""
    if not code:
        return ""
    country = pycountry.countries.get(alpha_2=code.upper())
    if country is None:
        return code.upper()
    return str(getattr(country, "common_name", None) or country.name)
