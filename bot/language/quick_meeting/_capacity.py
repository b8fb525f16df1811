"""Reading the capacity of a one-line meeting: "capacity 40", "40 places"."""

from __future__ import annotations

from bot.language.i18n import _
from bot.language.when import quote

MAX_CAPACITY = 100_000


def read_capacity(text: str, problems: list[str]) -> int | None:
    """Return a number of places, or None after saying why it is not one."""
    value = text.strip()
    if value.isascii() and value.isdigit() and 0 < int(value) <= MAX_CAPACITY:
        return int(value)
    problems.append(
        _(
            "The capacity must be a whole number of places above zero, e.g. “capacity 40”, not {value}.",
            value=quote(value),
        )
    )
    return None
