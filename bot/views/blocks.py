"""Block Kit builders shared by every area: data in, JSON-ready dicts out."""

from __future__ import annotations

from typing import Any

Block = dict[str, Any]

# Slack's limits on what a message or a view may hold.
SECTION_TEXT_LIMIT = 3000
MESSAGE_BLOCKS_LIMIT = 50


def escape(text: str) -> str:
    """Escape text for mrkdwn so that it shows as written and can never form a mention or link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str, label: str) -> str:
    """A mrkdwn link whose URL and label cannot break out of it (nor mention or ping anyone)."""
    safe_url = escape(url).replace("|", "%7C")
    return f"<{safe_url}|{escape(label)}>"


def clip(text: str, limit: int = SECTION_TEXT_LIMIT) -> str:
    """Shorten text to Slack's limit for one field, marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def section(text: str, **extra: Any) -> Block:
    """A section of mrkdwn text."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text)}, **extra}


def header(text: str) -> Block:
    """A header line (plain text, at most 150 characters)."""
    return {"type": "header", "text": {"type": "plain_text", "text": clip(text, 150), "emoji": True}}


def context(*texts: str) -> Block:
    """A line of small print."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(t)} for t in texts[:10]]}


def divider() -> Block:
    """A horizontal rule."""
    return {"type": "divider"}


def button(text: str, action_id: str, value: str = "", *, style: str | None = None) -> Block:
    """A button element."""
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": clip(text, 75), "emoji": True},
        "action_id": action_id,
    }
    if value:
        element["value"] = value
    if style:
        element["style"] = style
    return element


def actions(*elements: Block, block_id: str | None = None) -> Block:
    """A row of interactive elements."""
    block: Block = {"type": "actions", "elements": list(elements)}
    if block_id:
        block["block_id"] = block_id
    return block


def message(text: str, blocks: list[Block] | None = None) -> dict[str, Any]:
    """A message payload: plain-text fallback plus blocks."""
    payload: dict[str, Any] = {"text": clip(text, 3000)}
    if blocks is not None:
        payload["blocks"] = blocks[:MESSAGE_BLOCKS_LIMIT]
    return payload


def notice(text: str) -> dict[str, Any]:
    """A short private answer: one section, the same words as fallback."""
    return message(text, [section(text)])


def text_input(
    block_id: str, label: str, hint: str, required: bool, limit: int, multiline: bool, initial: str
) -> Block:
    """A form's plain-text input with its label, hint, limit and first value."""
    element: Block = {"type": "plain_text_input", "action_id": "value", "max_length": limit}
    if multiline:
        element["multiline"] = True
    if initial:
        element["initial_value"] = initial[:limit]
    return {
        "type": "input",
        "block_id": block_id,
        "optional": not required,
        "label": {"type": "plain_text", "text": label},
        "hint": {"type": "plain_text", "text": hint},
        "element": element,
    }
