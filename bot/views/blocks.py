"""Block Kit builders shared by every area: data in, JSON-ready dicts out."""

from __future__ import annotations

from typing import Any

from bot.language.i18n import _
from bot.language.markup import escape as escape  # part of the kit: every view escapes what people wrote

Block = dict[str, Any]

# Slack's limits on what a message or a view may hold.
SECTION_TEXT_LIMIT = 3000
MESSAGE_BLOCKS_LIMIT = 50


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


def button(
    text: str, action_id: str, value: str = "", *, style: str | None = None, confirm: Block | None = None
) -> Block:
    """A button element; with `confirm` (see `confirm`), Slack asks before the press is sent."""
    element: Block = {"type": "button", "text": plain(text, 75), "action_id": action_id}
    if value:
        element["value"] = value
    if style:
        element["style"] = style
    if confirm:
        element["confirm"] = confirm
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


def plain(text: str, limit: int = 150) -> Block:
    """A plain-text object, clipped to `limit` characters."""
    return {"type": "plain_text", "text": clip(text, limit), "emoji": True}


def option(label: str, value: str) -> Block:
    """An option of a select menu (label at most 75 characters, value at most 150)."""
    return {"text": plain(label, 75), "value": value[:150]}


def static_select(options: list[Block], *, placeholder: str = "", initial: str = "", action_id: str = "value") -> Block:
    """A select menu over `options`; `initial` is the value chosen at first, if it is one of them."""
    element: Block = {"type": "static_select", "action_id": action_id, "options": options[:100]}
    if placeholder:
        element["placeholder"] = plain(placeholder)
    chosen = next((o for o in options if o["value"] == initial), None) if initial else None
    if chosen is not None:
        element["initial_option"] = chosen
    return element


def input_block(block_id: str, label: str, element: Block, *, optional: bool = False, hint: str = "") -> Block:
    """A form's input: a label over one element, with an optional hint beneath."""
    block: Block = {"type": "input", "block_id": block_id, "optional": optional, "label": plain(label, 2000)}
    if hint:
        block["hint"] = plain(hint, 2000)
    block["element"] = element
    return block


def modal(
    title: str,
    body: list[Block],
    *,
    callback_id: str = "",
    submit: str = "",
    close: str = "",
    private_metadata: str = "",
) -> dict[str, Any]:
    """A modal view: a title (at most 24 characters), its blocks, and the buttons at its foot (Close by default)."""
    view: dict[str, Any] = {"type": "modal"}
    if callback_id:
        view["callback_id"] = callback_id
    if private_metadata:
        view["private_metadata"] = private_metadata
    view["title"] = plain(title, 24)
    if submit:
        view["submit"] = plain(submit, 24)
    view["close"] = plain(close or _("Close"), 24)
    view["blocks"] = body[:100]
    return view


def notice_modal(title: str, text: str) -> dict[str, Any]:
    """A modal that only says something, with a button to close it."""
    return modal(title, [section(text)])


def confirm(title: str, text: str, *, yes: str, no: str, danger: bool = False) -> Block:
    """A confirmation dialog for a button: Slack asks before the press is sent."""
    dialog: Block = {
        "title": plain(title, 100),
        "text": plain(text, 300),
        "confirm": plain(yes, 30),
        "deny": plain(no, 30),
    }
    if danger:
        dialog["style"] = "danger"
    return dialog
