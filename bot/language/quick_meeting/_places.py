"""Reading where a one-line meeting is: its city ("Essen, Germany") and its country."""

from __future__ import annotations

from bot.language.countries import country_name
from bot.language.i18n import _
from bot.language.places import city_info, country_code
from bot.language.quick_meeting._reading import Reading
from bot.language.quick_meeting._text import MAX_CITY, free_text
from bot.language.when import quote


def set_city(reading: Reading, text: str, following: str | None, problems: list[str], *, known: bool) -> int:
    """Take a city, and the country after it if there is one ("Essen, Germany"); return the parts used."""
    name = free_text(text, "city", MAX_CITY, problems)
    code = country_code(following) if following is not None else None
    if code and city_info(name, country=code) is None and city_info(following or "") is not None:
        code = None  # the next part is another city, not this one's country
    if reading.city_name:
        problems.append(
            _("I found two cities, {first} and {second}. Give one.", first=quote(reading.city_name), second=quote(name))
        )
        return 2 if code else 1
    city = city_info(name, country=code) if code else city_info(name)
    if code and city is None and known:
        problems.append(
            _(
                "I don't know a city called {city} in {country}. Check the spelling, or leave the country out.",
                city=quote(name),
                country=country_name(code),
            )
        )
        return 2
    reading.city = city
    reading.city_name = city.name if city is not None else name
    reading.country = code or (city.country_code if city is not None else reading.country)
    return 2 if code else 1


def set_country(reading: Reading, text: str, problems: list[str]) -> None:
    """Take a country given on its own ("country: Germany")."""
    code = country_code(text)
    if code is None:
        problems.append(
            _("I don't know the country {country}. Use its name or code, e.g. “Germany” or “DE”.", country=quote(text))
        )
    else:
        reading.country = code
