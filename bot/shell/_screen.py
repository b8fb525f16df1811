"""What the shell shows: the bot's deliveries as the current person sees them, numbered messages and
buttons, the files the bot sends (saved in the files folder), and the direct messages one missed while
being someone else.
"""

from __future__ import annotations

import json
import queue
import threading
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from bot.localslack import Delivery, LocalUser
from bot.localslack.local import PEOPLE, LocalBot
from bot.localslack.records import truthy
from bot.localslack.render import Renderer, Shown

VIEW_KINDS = ("view_open", "view_push", "view_update")


class Screen:
    """What one person of the local workspace sees in the terminal of what the bot does in Slack."""

    def __init__(self, bot: LocalBot, console: Console, user: LocalUser, *, files_dir: Path) -> None:
        self.bot = bot
        self.console = console
        self.user = user
        self.files_dir = files_dir
        self.inbox: queue.Queue[Delivery] = queue.Queue()
        self.lock = threading.Lock()
        self.renderer = Renderer(
            names={u.id: u.name for u in PEOPLE.values()} | {bot.emulator.bot_user_id: "bot"},
            channels=bot.emulator.channel_names,
            tz=user.tz,
            width=None if console.soft_wrap else console.width - 4,
        )
        self._shown: dict[tuple[str, str], Shown] = {}  # (channel, ts) -> how it was last shown
        self._messages: dict[int, Shown] = {}  # message number -> the message, for shortcuts
        self._seen: dict[str, dict[str, str]] = {u.id: {} for u in PEOPLE.values()}  # person -> DM ts -> content
        self._saved: set[Path] = set()
        self._pressed: Shown | None = None
        bot.emulator.subscribe(self.inbox.put)

    def print_lines(self, lines: list[str], indent: str = "  ") -> None:
        """Print lines of rich markup each under `indent`, wrapped at words unless the console keeps lines whole."""
        width = max(self.console.width - len(indent), 20)
        for line in lines:
            for part in line.split("\n"):
                text = Text.from_markup(part, emoji=False)
                for wrapped in [text] if self.console.soft_wrap else text.wrap(self.console, width):
                    self.console.print(Text(indent) + wrapped, highlight=False, emoji=False)

    def show_pending(self) -> None:
        """Print every delivery the emulator has made since the last look."""
        with self.lock:
            while True:
                try:
                    delivery = self.inbox.get_nowait()
                except queue.Empty:
                    return
                self.show(delivery)

    def show(self, d: Delivery) -> None:
        """Print one thing the bot did in Slack, as the current person would see it."""
        where = self._where(d)
        if where is None or d.kind in VIEW_KINDS:
            return  # forms are filled in by `fill_forms`
        if d.kind == "delete":
            self.retire(self._shown.get((d.channel or "", d.ts or "")), "removed")
            self.console.print(f"[dim]{where}: a message was deleted[/dim]")
            return
        if d.kind == "response" and truthy(d.raw.get("delete_original")):
            old = self._answered_message(d)
            self.console.print(f"[dim]{where}: the bot removed its message{self._buttons_of(old)}[/dim]")
            self.retire(old, "removed")
            return
        replaced = self._answered_message(d) if d.kind == "response" and truthy(d.raw.get("replace_original")) else None
        private = d.kind in ("ephemeral", "home") or (
            d.kind == "response" and d.raw.get("response_type", "ephemeral") == "ephemeral"
        )
        if replaced is not None:
            private = replaced.private_to is not None and not (replaced.channel or "").startswith("D")
        notes = ["only you can see this"] if private and d.kind != "home" else []
        if d.kind == "update":
            notes.append("updated")
        if replaced is not None:
            notes.append("replaces its message" + self._buttons_of(replaced))
            self.retire(replaced, "replaced")
        shown = self._remember(d.channel, d.ts, private=private)
        if d.kind == "file":
            self._show_file(where, notes, shown, d.raw.get("filename"), d.raw.get("content"), d.text)
            return
        self._header(where, notes, shown)
        if d.kind == "home":
            self.print_lines(self.renderer.message(None, (d.view or {}).get("blocks"), view=d.view, shown=shown))
            return
        message = {"ts": d.ts, "text": d.text, "blocks": d.blocks}
        self.print_lines(self.renderer.message(d.text, d.blocks, message=message, channel=d.channel, shown=shown))

    def _where(self, d: Delivery) -> str | None:
        me = self.user.id
        dm = self.bot.emulator.im_channel(me)
        if d.kind in ("ephemeral", "response") and d.user not in (None, me):
            return None
        if d.kind == "home":
            return "App Home" if d.user == me else None
        if d.kind in VIEW_KINDS:
            return "form" if d.user in (None, me) else None
        if d.channel and d.channel.startswith("D") and d.channel != dm:
            return None
        if d.channel is None:
            return "bot"
        thread = " (in thread)" if d.thread_ts else ""
        if d.channel == dm:
            return f"bot → you (direct message){thread}"
        name = self.renderer.channels.get(d.channel, d.channel)
        return f"bot in #{name}{thread}"

    def _header(self, where: str, notes: list[str], shown: Shown) -> None:
        said = f" ({'; '.join(notes)})" if notes else ""
        number = f" [dim]· message {shown.number}[/dim]" if shown.number else ""
        self.console.print(f"[bold green]{escape(where)}[/bold green]{escape(said)}{number}", highlight=False)

    def _remember(self, channel: str | None, ts: str | None, *, private: bool) -> Shown:
        """Note a message as shown now: numbered when it is in a channel's history, private when only I saw it."""
        dm = channel is not None and channel.startswith("D")
        shown = Shown(channel=channel, ts=ts, private_to=self.user.id if private or dm else None)
        if channel is None or ts is None:
            return shown
        before = self._shown.get((channel, ts))
        if not private:
            shown.number = before.number if before and before.number else len(self._messages) + 1
            self._messages[shown.number] = shown
        self._shown[(channel, ts)] = shown
        if dm:
            self._mark_seen(channel, ts)
        return shown

    def _answered_message(self, d: Delivery) -> Shown | None:
        """The message a response URL's answer replaces or removes: the one with its ts, or the one pressed."""
        if d.ts is not None:
            return self._shown.get((d.channel or "", d.ts), self._pressed)
        return self._pressed

    def retire(self, shown: Shown | None, why: str) -> None:
        """Make the buttons of a message that is no longer there say so when pressed."""
        if shown is not None:
            shown.gone = why

    def _buttons_of(self, shown: Shown | None) -> str:
        """Which message that was, in words: " with buttons 3, 4" (empty for one without buttons)."""
        numbers = [str(b.number) for b in self.renderer.buttons.values() if shown is not None and b.shown is shown]
        if not numbers:
            return ""
        return f" with button{'s' if len(numbers) > 1 else ''} {', '.join(numbers)}"

    def _show_file(
        self, where: str, notes: list[str], shown: Shown, name: Any, content: Any, comment: str | None
    ) -> None:
        """Save a file the bot shared and say where it is, so that it can be opened."""
        data = content if isinstance(content, bytes) else b""
        path = self.save_file(str(name or "file"), data)
        self._header(where, notes, shown)
        self.console.print(
            f"  [bold]file[/bold] {escape(str(name))} ({len(data)} bytes), saved as {escape(str(path))}",
            highlight=False,
            soft_wrap=True,  # the path stays whole, to be copied
        )
        if comment:
            self.print_lines([self.renderer.mrkdwn(comment)])

    def save_file(self, name: str, content: bytes) -> Path:
        """Write a file the bot sent into the files folder, under a name not yet used in this session."""
        self.files_dir.mkdir(parents=True, exist_ok=True)
        first = self.files_dir / (Path(name).name or "file")
        path, copy = first, 1
        while path in self._saved:
            copy += 1
            path = first.with_name(f"{first.stem}-{copy}{first.suffix}")
        path.write_bytes(content)
        self._saved.add(path)
        return path

    def _mark_seen(self, channel: str, ts: str) -> None:
        message = next((m for m in self.bot.emulator.messages(channel) if m["ts"] == ts), None)
        if message is not None:
            self._seen[self.user.id][ts] = _content(message)

    def show_missed(self) -> None:
        """Show what the bot sent this person by direct message while one was someone else."""
        emulator = self.bot.emulator
        channel = emulator.im_channel(self.user.id)
        seen = self._seen[self.user.id]
        missed = [m for m in emulator.messages(channel) if m.get("bot_id") and seen.get(m["ts"]) != _content(m)]
        if not missed:
            return
        count = f"{len(missed)} direct message{'s' if len(missed) > 1 else ''}"
        self.console.print(f"[dim]Meanwhile the bot sent you {count}:[/dim]")
        for message in missed:
            self._show_from_history(channel, message, updated=message["ts"] in seen)

    def _show_from_history(self, channel: str, message: dict[str, Any], *, updated: bool) -> None:
        thread = " (in thread)" if message.get("thread_ts") not in (None, message["ts"]) else ""
        where = f"bot → you (direct message){thread}"
        notes = ["updated"] if updated else []
        shown = self._remember(channel, message["ts"], private=False)
        for shared in message.get("files") or []:
            kept = self.bot.emulator.files.get(shared.get("id"), {})
            self._show_file(where, notes, shown, shared.get("name"), kept.get("content"), message.get("text"))
        if message.get("files"):
            return
        self._header(where, notes, shown)
        blocks = message.get("blocks")
        self.print_lines(
            self.renderer.message(message.get("text"), blocks, message=message, channel=channel, shown=shown)
        )


def _content(message: dict[str, Any]) -> str:
    """A message's words, blocks and files, to tell whether it changed since it was seen."""
    return json.dumps([message.get(key) for key in ("text", "blocks", "files")], sort_keys=True, default=str)
