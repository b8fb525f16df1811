"""Lengths of time as people and settings write them: one grammar for reminder offsets, windows and lengths.

`7d`, `36h`, `90m`, `45s`, `1h30m`, `1.5 h`, `2 hours`, `90 min`, `2 hours and 30 minutes`: days,
hours (with a decimal), minutes and seconds, each at most once and in that order.
"""

from __future__ import annotations

import re
from datetime import timedelta

_DURATION = re.compile(
    r"^(?:(?P<days>[0-9]+)\s*d)?"
    r"\s*(?:(?P<hours>[0-9]+(?:[.,][0-9]{1,2})?)\s*(?:h|hrs?|hours?))?"
    r"\s*(?:and\s+)?"
    r"(?:(?P<minutes>[0-9]+)\s*(?:m|mins?|minutes?))?"
    r"\s*(?:(?P<seconds>[0-9]+)\s*(?:s|secs?|seconds?))?$",
    re.IGNORECASE,
)


def parse_duration(text: str) -> timedelta | None:
    """Read a length of time, or None if the text is not one (or is longer than a timedelta holds)."""
    match = _DURATION.match(text.strip())
    if match is None or not any(match.group(unit) for unit in ("days", "hours", "minutes", "seconds")):
        return None
    hours = float(match["hours"].replace(",", ".")) if match["hours"] else 0.0
    try:
        return timedelta(
            days=int(match["days"] or 0),
            minutes=round(hours * 60) + int(match["minutes"] or 0),
            seconds=int(match["seconds"] or 0),
        )
    except OverflowError:
        return None


def format_duration(length: timedelta) -> str:
    """Write a length in its largest whole unit (`1d`, `36h`, `90m`, `45s`), as parse_duration reads it."""
    seconds = int(length.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
