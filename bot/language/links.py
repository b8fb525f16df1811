"""Web links as people type them: the one check every form, the one-line meeting and imports use."""

from __future__ import annotations

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
