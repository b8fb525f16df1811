"""Reading the links of a one-line meeting: the join link and the agenda's."""

from __future__ import annotations

import re

from bot.language import markup
from bot.language.i18n import _
from bot.language.links import is_web_link
from bot.language.quick_meeting._reading import Reading
from bot.language.when import quote

_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):(\S*)$", re.IGNORECASE)
_RISKY_SCHEMES = {"javascript", "data", "vbscript", "file", "mailto", "tel", "ftp", "sms"}


def set_join(reading: Reading, text: str) -> None:
    """Take the join link, unless there is one already."""
    url = web_link(text, reading.problems)
    if url and reading.join_url and url != reading.join_url:
        reading.problems.append(_("I found two join links. Give one, and write an agenda link as “agenda https://…”."))
    elif url:
        reading.join_url = url


def is_link(part: str) -> bool:
    """Whether a part is a link of any kind (checked later for being a web link)."""
    match = _SCHEME.match(markup.unwrap_link(part))
    return match is not None and (match[2].startswith("//") or match[1].lower() in _RISKY_SCHEMES)


def web_link(text: str, problems: list[str]) -> str:
    """Return a web link, or "" after saying why it cannot be used."""
    url = markup.unwrap_link(text)
    if is_web_link(url):
        return url
    problems.append(
        _(
            "{link} is not a web link I can use. Links start with https://, e.g. “https://meet.example.org/tci”.",
            link=quote(url),
        )
    )
    return ""
