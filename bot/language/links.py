"""Web links as people type them: the one check every form, the one-line meeting and imports use."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

URL_LIMIT = 2000


def is_web_link(url: str) -> bool:
    """Whether `url` is an http(s) link with a host, printable, without spaces, at most URL_LIMIT long.

    No javascript:, mailto: or other schemes: a link the bot shows must open a web page.
    """
    if not url or len(url) > URL_LIMIT or not url.isprintable() or any(c.isspace() for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
# A host name with at least one dot and a top-level name of letters, then a path, query or fragment.
_BARE_HOST = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*\.[a-z]{{2,}}(?:[/?#]\S*)?$", re.IGNORECASE)


def with_scheme(text: str) -> str:
    """A link typed without its scheme ("www.example.org/practice") as the https link it means; else as typed."""
    link = text.strip()
    if link and "://" not in link and _BARE_HOST.match(link):
        return f"https://{link}"
    return link
