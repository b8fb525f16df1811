"""Slack messages and views as readable terminal text; buttons numbered so they can be pressed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import emoji
from rich.markup import escape
from rich.text import Text

# Slack's date-token words, shown as Slack would show them in the reader's zone.
_DATE_FORMATS = {
    "date_num": "%Y-%m-%d",
    "date": "%B %-d, %Y",
    "date_short": "%b %-d, %Y",
    "date_long": "%A, %B %-d, %Y",
    "date_pretty": "%B %-d, %Y",
    "date_short_pretty": "%b %-d, %Y",
    "date_long_pretty": "%A, %B %-d, %Y",
    "time": "%H:%M",
    "time_secs": "%H:%M:%S",
}
_DATE_TOKEN = re.compile(r"\{(" + "|".join(_DATE_FORMATS) + r")\}")
_DATE = re.compile(r"<!date\^(\d+)\^([^|>^]*)(?:\^[^|>]*)?\|([^>]*)>")
_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
_CHANNEL = re.compile(r"<#([CGD][A-Z0-9]+)(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!(channel|here|everyone)(?:\|[^>]*)?>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
_BOLD = re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?!\s)([^_\n]+?)_(?![\w_])")
_STRIKE = re.compile(r"(?<![\w~])~(?!\s)([^~\n]+?)~(?![\w~])")
_CODE = re.compile(r"`([^`\n]+)`")
_QUOTE = re.compile(r"^>[ ]?", re.MULTILINE)
# Slack writes a country's flag as its ISO code (`:flag-es:`); the flag is that code in regional indicators.
_FLAG = re.compile(r":flag-([a-z]{2}):")
_REGIONAL_A = 0x1F1E6
# Slack's names that the emoji library spells otherwise.
_SLACK_EMOJI_NAMES = {":large_green_circle:": ":green_circle:"}
# The kinds of menu whose choice is one option, several options, or a channel; and where each keeps its first choice.
SINGLE_CHOICE = ("static_select", "radio_buttons")
MANY_CHOICES = ("checkboxes", "multi_static_select")
CHANNEL_CHOICE = {"conversations_select": "initial_conversation", "channels_select": "initial_channel"}


def emojize(text: str) -> str:
    """Show Slack's emoji codes (`:calendar:`, `:flag-es:`) as the emoji they stand for."""
    text = _FLAG.sub(lambda m: "".join(chr(_REGIONAL_A + ord(c) - ord("a")) for c in m.group(1)), text)
    for slack, known in _SLACK_EMOJI_NAMES.items():
        text = text.replace(slack, known)
    return emoji.emojize(text, language="alias")


def _link(url: str, label: str | None) -> str:
    """A link as words: its label and then its URL, or the URL alone when the label only repeats it."""
    return f"{label} ({url})" if label and not _repeats(url, label) else url


def _repeats(url: str, label: str) -> bool:
    """Whether a link's label is its URL (with or without the scheme, whole or clipped with …)."""
    spelled = (url, url.split("://", 1)[-1])
    clipped = label.removesuffix("…")
    if clipped != label:
        return any(spelling.startswith(clipped) for spelling in spelled)
    return label in spelled


def initial_options(element: dict[str, Any]) -> list[dict[str, Any]]:
    """The options a menu shows as chosen before anyone touches it."""
    if element.get("initial_option"):
        return [element["initial_option"]]
    return list(element.get("initial_options") or [])


def option_label(option: dict[str, Any]) -> str:
    """The words of a menu's option."""
    return str((option.get("text") or {}).get("text", option.get("value", "")))


@dataclass
class Shown:
    """A message or view as it was shown: where it is, who could see it, and whether it is still there."""

    channel: str | None = None
    ts: str | None = None
    number: int | None = None  # the message's number for shortcuts; None for what only one person saw
    private_to: str | None = None  # the one person who saw it (an ephemeral answer, a direct message, App Home)
    gone: str | None = None  # why its buttons no longer work: the bot "replaced" or "removed" it
    what: str = "message"  # or "form"


@dataclass
class Button:
    """A button a person can press: where it is and what it sends."""

    number: int
    label: str
    action: dict[str, Any]
    block_id: str | None
    message: dict[str, Any] | None = None
    channel: str | None = None
    view: dict[str, Any] | None = None
    shown: Shown | None = None


@dataclass
class Renderer:
    """Turns Slack mrkdwn and blocks into rich markup for one reader."""

    names: dict[str, str] = field(default_factory=dict)  # user id -> name
    channels: dict[str, str] = field(default_factory=dict)  # channel id -> name
    tz: str = "UTC"
    buttons: dict[int, Button] = field(default_factory=dict)
    width: int | None = None  # the columns a row of buttons may take; None: every row on one line
    _next: int = 1

    def mrkdwn(self, text: str) -> str:
        """Convert mrkdwn to rich markup: dates in the reader's zone, mentions by name, emoji as emoji."""

        def date(match: re.Match[str]) -> str:
            when = datetime.fromtimestamp(int(match.group(1)), ZoneInfo(self.tz))
            shown = _DATE_TOKEN.sub(lambda token: when.strftime(_DATE_FORMATS[token.group(1)]), match.group(2))
            return f"{shown} ({when.tzname()})" if "{time" in match.group(2) else shown

        text = _DATE.sub(date, text)
        text = _USER.sub(lambda m: "@" + self.names.get(m.group(1), m.group(2) or m.group(1)), text)
        text = _CHANNEL.sub(lambda m: "#" + self.channels.get(m.group(1), m.group(2) or m.group(1)), text)
        text = _SPECIAL.sub(lambda m: "@" + m.group(1), text)
        text = _LINK.sub(lambda m: _link(m.group(1), m.group(2)), text)
        text = _QUOTE.sub("▎ ", text)
        text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        text = escape(emojize(text))
        text = _CODE.sub(r"[cyan]\1[/cyan]", text)
        text = _BOLD.sub(r"[bold]\1[/bold]", text)
        text = _STRIKE.sub(r"[strike]\1[/strike]", text)
        return _ITALIC.sub(r"[italic]\1[/italic]", text)

    def _button(self, element: dict[str, Any], block_id: str | None, **where: Any) -> str:
        number = self._next
        self._next += 1
        label = emojize((element.get("text") or {}).get("text", "button"))
        self.buttons[number] = Button(number, label, element, block_id, **where)
        return f"[reverse] {number}: {escape(label)} [/reverse]"

    def _menu(self, element: dict[str, Any], block_id: str | None, **where: Any) -> str:
        """A select menu, numbered like a button: pressing it asks which option."""
        number = self._next
        self._next += 1
        if element.get("type") == "checkboxes":  # boxes: each option, ticked or not
            ticked = [option_label(o) for o in initial_options(element)]
            labels = [option_label(o) for o in element.get("options") or []]
            label = "  ".join(("☑ " if shown in ticked else "☐ ") + shown for shown in labels)
        else:
            label = self.chosen_words(element) or (element.get("placeholder") or {}).get("text", "choose")
        self.buttons[number] = Button(number, label, element, block_id, **where)
        return f"[reverse] {number}: ▾ {escape(emojize(label))} [/reverse]"

    def blocks(self, blocks: list[dict[str, Any]], **where: Any) -> list[str]:
        """Render blocks as lines of rich markup; buttons get numbers."""
        lines: list[str] = []
        for block in blocks:
            kind = block.get("type")
            block_id = block.get("block_id")
            if kind == "header":
                lines.append(f"[bold underline]{self.mrkdwn(block['text']['text'])}[/bold underline]")
            elif kind == "section":
                if block.get("text"):
                    lines.append(self.mrkdwn(block["text"]["text"]))
                for item in block.get("fields", []):
                    lines.append("  " + self.mrkdwn(item.get("text", "")))
                accessory = block.get("accessory")
                if accessory and accessory.get("type") == "button":
                    lines.append("  " + self._button(accessory, block_id, **where))
                elif accessory and accessory.get("type") in ("static_select", "checkboxes"):
                    lines.append("  " + self._menu(accessory, block_id, **where))
            elif kind == "context":
                parts = [self.mrkdwn(e.get("text", e.get("alt_text", ""))) for e in block.get("elements", [])]
                lines.append("[dim]" + "  ".join(parts) + "[/dim]")
            elif kind == "divider":
                lines.append("[dim]" + "─" * 40 + "[/dim]")
            elif kind == "actions":
                buttons = [
                    self._button(e, block_id, **where)
                    if e.get("type") == "button"
                    else (self.chosen(e) or f"[{e.get('type')}]")
                    for e in block.get("elements", [])
                ]
                lines.append(self._rows(buttons))
            elif kind == "image":
                lines.append(f"[dim][image: {block.get('alt_text', '')}][/dim]")
            elif kind == "input":
                label = f"[bold]{block.get('label', {}).get('text', '')}[/bold]"
                chosen = self.chosen(block.get("element") or {})
                lines.append(f"{label}: {chosen}" if chosen else label)
            else:
                lines.append(f"[dim][{kind} block][/dim]")
        return lines

    def _rows(self, buttons: list[str]) -> str:
        """Buttons side by side, in rows of at most `width` columns, so that no button is cut in two."""
        rows: list[list[str]] = [[]]
        used = 0
        for button in buttons:
            size = Text.from_markup(button).cell_len
            if rows[-1] and self.width is not None and used + 2 + size > self.width:
                rows.append([])
                used = 0
            used += size + (2 if rows[-1] else 0)
            rows[-1].append(button)
        return "\n".join("  ".join(row) for row in rows)

    def chosen(self, element: dict[str, Any]) -> str:
        """What an input shows before anyone touches it (rich markup): a channel by name, its options."""
        return escape(self.chosen_words(element))

    def chosen_words(self, element: dict[str, Any]) -> str:
        """What an input shows before anyone touches it, in plain words: a channel by name, its options."""
        kind = str(element.get("type"))
        if kind in CHANNEL_CHOICE:
            channel = element.get(CHANNEL_CHOICE[kind])
            return "#" + self.channels.get(channel, channel) if channel else ""
        return ", ".join(option_label(option) for option in initial_options(element))

    def message(self, text: str | None, blocks: list[dict[str, Any]] | None, **where: Any) -> list[str]:
        """Render a message: its blocks, or its text when it has none."""
        if blocks:
            return self.blocks(blocks, **where)
        return [self.mrkdwn(text or "")]
