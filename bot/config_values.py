"""Reading one setting's value: lengths of time, rates, choices, crontab lines and addresses, each checked.

Each reader returns the value, or the default with a problem added for `load_settings` to report.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.durations import format_duration, parse_duration

MAX_CHOICES = 100  # a Slack select menu holds at most 100 options
MAX_CHOICE_LENGTH = 75  # nor an option's text more than 75 characters
TRUE = ("1", "true", "yes", "on")
FALSE = ("0", "false", "no", "off", "")


def parse_offsets(text: str) -> tuple[timedelta, ...]:
    """Parse `7d,1d,1h` into offsets, largest first; raise ValueError on anything else."""
    offsets = []
    for part in text.split(","):
        if not part.strip():
            continue
        offset = parse_duration(part)
        if offset is None:
            raise ValueError(part)
        offsets.append(offset)
    if not offsets or any(offset <= timedelta(0) for offset in offsets):
        raise ValueError(text)
    return tuple(sorted(set(offsets), reverse=True))


def format_offset(offset: timedelta) -> str:
    """Write an offset the way REMINDER_OFFSETS spells it (`1d`, `36h`, `90m`)."""
    return format_duration(offset)


def cron_trigger(schedule: str, zone: ZoneInfo) -> CronTrigger:
    """The trigger for a crontab line (minute hour day month day-of-week) in `zone`."""
    fields = schedule.split()
    if len(fields) != 5:
        raise ValueError("five fields are needed: minute hour day month day-of-week")
    if any(ch.isdigit() for ch in fields[4]):
        # APScheduler counts 0 as Monday, crontab as Sunday: names leave no doubt.
        raise ValueError("write the day of the week as a name (mon, tue, ... sun), not a number")
    return CronTrigger.from_crontab(schedule, timezone=zone)


def schedule(text: str, name: str, zone: ZoneInfo, problems: list[str]) -> str:
    """A crontab line, checked; "" when it is off."""
    text = " ".join(text.split())
    if text.lower() in FALSE:
        return ""
    try:
        cron_trigger(text, zone)
    except ValueError as error:
        problems.append(
            f"{name} should be a crontab line in GROUP_TIMEZONE such as '0 9 * * mon' (Mondays at 09:00), "
            f"or off ({error}; not understood: {text})"
        )
    return text


def length(text: str, default: str, name: str, problems: list[str]) -> timedelta:
    """One length of time (`6h`, `30s`); the default's, and a problem, when it cannot be read."""
    try:
        (length,) = parse_offsets(text or default)
    except ValueError:
        problems.append(
            f"{name} should be one duration with unit d, h, m or s, such as {default} (not understood: {text})"
        )
        (length,) = parse_offsets(default)
    return length


def rate(text: str, default: float, name: str, problems: list[str]) -> float:
    """A positive number of posts a second."""
    if not text:
        return default
    try:
        rate = float(text)
    except ValueError:
        rate = 0.0
    if not 0 < rate <= 1000:
        problems.append(
            f"{name} should be a number of posts a second above 0, such as {default:g} (not understood: {text})"
        )
        return default
    return rate


def choices(text: str, default: tuple[str, ...], name: str, problems: list[str]) -> tuple[str, ...]:
    """Parse a semicolon-separated list of choices for a select menu, or keep the default."""
    if not text:
        return default
    choices = tuple(dict.fromkeys(part.strip() for part in text.split(";") if part.strip()))
    too_long = [choice for choice in choices if len(choice) > MAX_CHOICE_LENGTH]
    if not choices or len(choices) > MAX_CHOICES or too_long:
        problems.append(
            f"{name} should be 1 to {MAX_CHOICES} choices separated by semicolons, each at most "
            f"{MAX_CHOICE_LENGTH} characters, such as Initiative;Policy;Tool"
        )
        return default
    return choices


def is_base_url(url: str) -> bool:
    """Whether `url` is an http(s) address with a host and nothing after its path."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # a malformed port raises ValueError
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and not parts.query
        and not parts.fragment
        and not re.search(r"\s", url)
    )


def length_or_off(text: str, default: str, name: str, problems: list[str]) -> timedelta | None:
    """A length of time, or None for "off" (the default's when empty)."""
    if text.lower() in FALSE[:-1]:
        return None
    return length(text, default, name, problems)
