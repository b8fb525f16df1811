"""Slack messages and views as readable terminal text; buttons numbered so they can be pressed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

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
_CODE = re.compile(r"`([^`\n]+)`")


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


@dataclass
class Renderer:
    """Turns Slack mrkdwn and blocks into rich markup for one reader."""

    names: dict[str, str] = field(default_factory=dict)  # user id -> name
    channels: dict[str, str] = field(default_factory=dict)  # channel id -> name
    tz: str = "UTC"
    buttons: dict[int, Button] = field(default_factory=dict)
    _next: int = 1

    def mrkdwn(self, text: str) -> str:
        """Convert mrkdwn to rich markup, showing dates in the reader's zone and mentions by name."""
        from rich.markup import escape

        def date(match: re.Match[str]) -> str:
            when = datetime.fromtimestamp(int(match.group(1)), ZoneInfo(self.tz))
            shown = _DATE_TOKEN.sub(lambda token: when.strftime(_DATE_FORMATS[token.group(1)]), match.group(2))
            return f"{shown} ({when.tzname()})" if "{time" in match.group(2) else shown

        text = _DATE.sub(date, text)
        text = _USER.sub(lambda m: "@" + self.names.get(m.group(1), m.group(2) or m.group(1)), text)
        text = _CHANNEL.sub(lambda m: "#" + self.channels.get(m.group(1), m.group(2) or m.group(1)), text)
        text = _SPECIAL.sub(lambda m: "@" + m.group(1), text)
        text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})" if m.group(2) else m.group(1), text)
        text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        text = escape(text)
        text = _CODE.sub(r"[cyan]\1[/cyan]", text)
        text = _BOLD.sub(r"[bold]\1[/bold]", text)
        return _ITALIC.sub(r"[italic]\1[/italic]", text)

    def _button(self, element: dict[str, Any], block_id: str | None, **where: Any) -> str:
        number = self._next
        self._next += 1
        label = (element.get("text") or {}).get("text", "button")
        self.buttons[number] = Button(number, label, element, block_id, **where)
        return f"[reverse] {number}: {label} [/reverse]"

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
                lines.append("  ".join(buttons))
            elif kind == "image":
                lines.append(f"[dim][image: {block.get('alt_text', '')}][/dim]")
            elif kind == "input":
                label = f"[bold]{block.get('label', {}).get('text', '')}[/bold]"
                chosen = self.chosen(block.get("element") or {})
                lines.append(f"{label}: {chosen}" if chosen else label)
            else:
                lines.append(f"[dim][{kind} block][/dim]")
        return lines

    def chosen(self, element: dict[str, Any]) -> str:
        """What an input shows before anyone touches it: a channel by name, an option, a first value."""
        from rich.markup import escape

        kind = element.get("type")
        if kind == "conversations_select" and element.get("initial_conversation"):
            channel = element["initial_conversation"]
            return escape("#" + self.channels.get(channel, channel))
        if kind == "static_select" and element.get("initial_option"):
            return escape(element["initial_option"].get("text", {}).get("text", ""))
        return ""

    def message(self, text: str | None, blocks: list[dict[str, Any]] | None, **where: Any) -> list[str]:
        """Render a message: its blocks, or its text when it has none."""
        if blocks:
            return self.blocks(blocks, **where)
        return [self.mrkdwn(text or "")]
