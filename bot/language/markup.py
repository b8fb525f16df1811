"""Slack's markup in text, read and written in one place.

Slack sends a message's text with `&`, `<` and `>` escaped, and with its own tokens between
angle brackets: `<@U123|ana>`, `<#C123|general>`, `<!here>`, `<!date^…|fallback>`,
`<https://example.org|label>`. Everything that reads what people typed goes through these
functions, and everything the bot writes in mrkdwn is escaped with `escape`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# One token: its target (what follows "<", up to "|" or ">") and its optional label.
TOKEN = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")
# A user as Slack sends a mention: <@U0123ABCD>, with or without a label. A bare word such as
# UNIVERSITY00001 is only a word, never a person.
_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>")
# Control characters the store cannot keep (PostgreSQL refuses NUL in text) or that nobody types:
# the C0 range without tab, line feed and carriage return.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def escape(text: str) -> str:
    """Escape text for mrkdwn so that it shows as written and can never form a mention or link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def decode(text: str) -> str:
    """Undo Slack's escaping of &, < and >."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _each_token(text: str, replace: Callable[[str, str], str]) -> str:
    """`text` with every token replaced by `replace(target, label)`, then decoded."""
    return decode(TOKEN.sub(lambda match: replace(match.group(1), match.group(2) or ""), text))


def is_mention(target: str) -> bool:
    """Whether a token's target mentions someone, a channel or everyone (`@U…`, `#C…`, `!here`)."""
    return target[:1] in ("@", "#", "!")


def has_mention(text: str) -> bool:
    """Whether the text holds a mention of anyone, any channel or everyone."""
    return any(is_mention(match.group(1)) for match in TOKEN.finditer(text))


def strip(text: str) -> str:
    """The words alone: mentions go, links, channels and dates keep their label."""

    def words(target: str, label: str) -> str:
        if target.startswith(("@", "!")) and not target.startswith("!date^"):
            return " "
        return f" {label} " if label else " "

    return _each_token(text, words)


def readable(text: str) -> str:
    """The text as a person would type it again: mentions as @names, links as their address."""

    def typed(target: str, label: str) -> str:
        if target.startswith("@"):
            return "@" + (label or target[1:])
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!date"):
            return label
        if target.startswith("!"):
            name = label or target[1:].split("^", 1)[0]
            return name if name.startswith("@") else "@" + name
        return f"{label} ({target})" if label and label != target else target

    return _each_token(text, typed)


def unwrap_link(text: str) -> str:
    """A link as Slack sends it (`<https://…|label>`, with `&amp;`) as the plain address; other text decoded."""
    text = text.strip()
    match = TOKEN.fullmatch(text)
    if match and not is_mention(match.group(1)) and ":" in match.group(1):
        text = match.group(1)
    return decode(text)


def mentioned_users(text: str) -> list[str]:
    """The Slack user IDs mentioned in the text (`<@U…>` or `<@U…|name>`), in order, without repeats."""
    return list(dict.fromkeys(match.group(1) for match in _USER.finditer(text)))


def has_control_characters(text: str) -> bool:
    """Whether the text holds a control character (NUL and the like; tabs and line breaks are fine)."""
    return CONTROL_CHARACTERS.search(text) is not None


def without_control_characters(text: str) -> str:
    """The text with every control character taken out (tabs and line breaks stay)."""
    return CONTROL_CHARACTERS.sub("", text)
