"""Choosing a one-line meeting's time zone: the one given, the city's, the abbreviation's or the person's."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.language import weekdays
from bot.language.i18n import _
from bot.language.quick_meeting._reading import Reading
from bot.language.quick_meeting._times import Times, range_pattern
from bot.language.when import WhenError, parse_moment, split_zone, zone_for_abbreviation


def choose_zone(
    reading: Reading, times: Times, default_zone: str, group_zone: str, fallback: ZoneInfo, now: datetime
) -> tuple[ZoneInfo, str]:
    """The meeting's zone and a note on where it came from: given, the city's, the abbreviation's or yours."""
    token = times.zone_token.upper()
    explicit = reading.zone or times.zone
    if explicit is not None:
        if reading.city is not None and reading.city.timezone != explicit.key:
            return (
                explicit,
                _(
                    "{city} is in {city_zone}, but you chose {zone}: I used {zone}.",
                    city=reading.city.name,
                    city_zone=reading.city.timezone,
                    zone=explicit.key,
                ),
            )
        return explicit, ""
    if reading.city is not None:
        zone = ZoneInfo(reading.city.timezone)
        note = _("Time zone taken from the city: {zone}.", zone=zone.key)
        if token and not _agrees(reading.when, zone, times.start, now):
            kept = _(
                "The times were given in {token}, which is not the time there; I kept them as {token}.", token=token
            )
            note = f"{note} {kept}"
        return zone, note
    if token:
        preferred = [name for name in (default_zone, group_zone) if zone_or_none(name) is not None]
        if token[0].isalpha():
            name = zone_for_abbreviation(token, times.start, preferred=preferred)
            if name is not None and name.upper() == token.upper():
                return ZoneInfo(name), _("Time zone: {zone}.", zone=name)
            if name is not None:
                return ZoneInfo(name), _("Time zone taken from {token}: {zone}.", token=token, zone=name)
        for name in preferred:
            if _agrees(reading.when, ZoneInfo(name), times.start, now):
                return ZoneInfo(name), _("Time zone taken from {token}: {zone}.", token=token, zone=name)
        return fallback, _(
            "The times are in {token}; I show the meeting in your time zone, {zone}. "
            "Add e.g. “zone Europe/Berlin” to choose another.",
            token=token,
            zone=fallback.key,
        )
    if fallback.key == default_zone:
        note = _(
            "No time zone given: I used yours, {zone}. Add e.g. “zone Europe/Berlin” to choose another.",
            zone=fallback.key,
        )
    else:
        note = _(
            "No time zone given: I used the group's, {zone}. Add e.g. “zone Europe/Berlin” to choose another.",
            zone=fallback.key,
        )
    return fallback, note


def _agrees(when: str, zone: ZoneInfo, start: datetime, now: datetime) -> bool:
    """Whether the times, read without the zone written beside them, fall at the same moment in `zone`."""
    body = split_zone(weekdays.for_pattern().sub(r"\g<start>", when))[0]
    first = range_pattern().split(body, maxsplit=1)[0]
    try:
        return parse_moment(split_zone(first)[0], zone=zone, now=now) == start
    except WhenError:
        return False


def zone_or_none(name: str) -> ZoneInfo | None:
    """The IANA zone called `name`, or None when there is none."""
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None
