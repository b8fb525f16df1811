"""Reading the parts written as free text: the title, the venue and the city."""

from __future__ import annotations

from bot.language import markup
from bot.language.i18n import _, format_number

MAX_TITLE = 150
MAX_VENUE = 255
MAX_CITY = 100


def free_text(text: str, what: str, limit: int, problems: list[str]) -> str:
    """Return a title, venue or city (`what`) as written, after checking it holds no mentions and is not too long."""
    value = text.strip()
    if len(value) >= 2 and value[0] in '"“' and value[-1] in '"”':
        value = value[1:-1].strip()
    if markup.has_mention(value):
        problems.append(_mentioned(what))
        return ""
    value = markup.decode(value)
    if len(value) > limit:
        problems.append(_too_long(what, length=format_number(len(value)), limit=format_number(limit)))
        return ""
    return value


def _mentioned(what: str) -> str:
    """The problem of a mention in the title, venue or city."""
    if what == "title":
        return _("Please leave mentions such as @channel out of the title.")
    if what == "venue":
        return _("Please leave mentions such as @channel out of the venue.")
    return _("Please leave mentions such as @channel out of the city.")


def _too_long(what: str, *, length: str, limit: str) -> str:
    """The problem of a title, venue or city longer than it may be."""
    if what == "title":
        return _(
            "The title is too long ({length} characters; at most {limit}). Please shorten it.",
            length=length,
            limit=limit,
        )
    if what == "venue":
        return _(
            "The venue is too long ({length} characters; at most {limit}). Please shorten it.",
            length=length,
            limit=limit,
        )
    return _(
        "The city is too long ({length} characters; at most {limit}). Please shorten it.", length=length, limit=limit
    )
