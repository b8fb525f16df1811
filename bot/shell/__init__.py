"""`tci-bot shell`: a local Slack workspace in the terminal, driving the real bot."""

from __future__ import annotations

import json
import queue
import re
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from bot.config import Settings
from bot.demo import DEMO_DATABASE, seed_demo
from bot.durations import parse_duration
from bot.localslack import BotResponse, Delivery, LocalUser
from bot.localslack.local import PEOPLE, LocalBot
from bot.localslack.records import truthy
from bot.localslack.render import (
    CHANNEL_CHOICE,
    MANY_CHOICES,
    SINGLE_CHOICE,
    Renderer,
    Shown,
    emojize,
    initial_options,
    option_label,
)
from bot.logs import configure_logging
from bot.registry import ShortcutSpec
from store import people as people_store
from store.models import Person

HELP = r"""[bold]Type as you would in Slack:[/bold]
  /tci help, /meetings, /practice, /announce ...   slash commands
  @bot when is the next meeting?                    mention the bot in #learning-group
  any other text                                    a direct message to the bot
[bold]And these:[/bold]
  :press N  (or just N)          press button N
  :shortcut N \[name]             run a message shortcut (such as Share as practice) on message N
  :as organiser|member|guest     become another person (:as ana, :as @bruno work too)
  :who  (or :as alone)           who you are, and your role as the bot's store has it now
  :home                          open the bot's App Home tab
  :wait \[time]                   wait (5 s unless given: :wait 30, :wait 2m) and show what the bot posts on its own
  :help   :quit  (or Ctrl-D)
In a form, type each field's value; an empty line keeps what is shown, - empties a text field; a menu takes
an option's number or its words (a first few letters will do); :cancel closes the form, :quit closes it and leaves."""

# Channels of the local workspace besides the group's, so that a form's channel can be chosen.
OTHER_CHANNELS = {"C0GENERAL": "general", "C0RANDOM": "random"}
SHELL_DATABASE = "shell.db"
WAIT_DEFAULT = timedelta(seconds=5)
CLEAR = "-"  # typed in a form's text field: empty it (an empty line keeps what it holds)
VIEW_KINDS = ("view_open", "view_push", "view_update")


def shell_database_url(data_dir: Path, *, demo: bool) -> str:
    """The shell's own SQLite file: the demo's, or `shell.db`, kept between runs; never DATABASE_URL."""
    return f"sqlite:///{data_dir / (DEMO_DATABASE if demo else SHELL_DATABASE)}"


class Shell:
    """The terminal conversation: reads lines, sends them as a person would, shows what Slack shows."""

    def __init__(
        self,
        bot: LocalBot,
        console: Console,
        who: str,
        lines: Iterator[str],
        interactive: bool,
        *,
        files_dir: Path | None = None,
    ):
        self.bot = bot
        self.console = console
        self.lines = lines
        self.interactive = interactive
        self.user = PEOPLE[who]
        self.leaving = False
        self.files_dir = files_dir or bot.settings.data_dir / "files"
        self.inbox: queue.Queue[Delivery] = queue.Queue()
        self.lock = threading.Lock()
        for channel_id, name in OTHER_CHANNELS.items():
            bot.emulator.add_channel(channel_id, name)
        self.renderer = Renderer(
            names={u.id: u.name for u in PEOPLE.values()} | {bot.emulator.bot_user_id: "bot"},
            channels=bot.emulator.channel_names,
            tz=self.user.tz,
            width=None if console.soft_wrap else console.width - 4,
        )
        self._filled: set[tuple[str, str]] = set()  # (view id, hash) of each form version shown
        self._forms: dict[str, Shown] = {}  # view id -> its version shown last
        self._shown: dict[tuple[str, str], Shown] = {}  # (channel, ts) -> how it was last shown
        self._messages: dict[int, Shown] = {}  # message number -> the message, for shortcuts
        self._seen: dict[str, dict[str, str]] = {u.id: {} for u in PEOPLE.values()}  # person -> DM ts -> content
        self._saved: set[Path] = set()
        self._pressed: Shown | None = None
        bot.emulator.subscribe(self.inbox.put)

    # reading

    def ask(self, prompt: str) -> str | None:
        """Read one line (None at the end of input); echo it when input is not a terminal."""
        if self.interactive:
            try:
                return input(prompt)
            except EOFError:
                self.console.print()
                return None
        line = next(self.lines, None)
        if line is not None:
            self.console.print(f"[dim]{escape(prompt)}[/dim]{escape(line)}", highlight=False)
        return line

    # showing

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
            self._retire(self._shown.get((d.channel or "", d.ts or "")), "removed")
            self.console.print(f"[dim]{where}: a message was deleted[/dim]")
            return
        if d.kind == "response" and truthy(d.raw.get("delete_original")):
            old = self._answered_message(d)
            self.console.print(f"[dim]{where}: the bot removed its message{self._buttons_of(old)}[/dim]")
            self._retire(old, "removed")
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
            self._retire(replaced, "replaced")
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

    def _retire(self, shown: Shown | None, why: str) -> None:
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

    def settle(self) -> None:
        """Let the bot finish what the last request started, then show it."""
        self.bot.wait_idle(timeout=10)
        self.show_pending()
        self.fill_forms()

    # acting

    def send(self, line: str) -> bool:
        """Act on one line; return False to leave."""
        ws = self.bot.workspace
        assert ws is not None
        text = line.strip()
        command, _, argument = text.partition(" ")
        argument = argument.strip()
        if not text:
            return True
        if text in (":quit", ":q", ":exit"):
            return False
        if text in (":help", ":h", "?"):
            self.console.print(HELP, highlight=False)
        elif text == ":who" or text == ":as":
            self.say_who()
        elif command == ":as":
            self.become(argument)
        elif command == ":wait":
            self.wait(argument)
        elif text == ":home":
            self.answered(ws.open_home(self.user.id))
        elif command == ":shortcut":
            self.shortcut(argument)
        elif command == ":press" or text.isdecimal():
            self.press(text.removeprefix(":press").strip())
        elif text.startswith(":"):
            self.console.print(f"[red]Unknown {escape(command)}; :help lists what you can type.[/red]")
        elif text.startswith("/"):
            self.answered(ws.slash_command(self.user.id, command, self.escape_mentions(argument)))
        elif text.startswith("@"):
            response = ws.mention(self.user.id, self.escape_mentions(argument))
            number = self._own_message(ws.channel)
            self.console.print(f"[dim]you in #learning-group{number}: @bot {escape(argument)}[/dim]")
            self.answered(response)
        else:
            response = ws.direct_message(self.user.id, text)
            number = self._own_message(self.bot.emulator.im_channel(self.user.id))
            self.console.print(f"[dim]you → bot (direct message){number}[/dim]")
            self.answered(response)
        return not self.leaving

    def _own_message(self, channel: str) -> str:
        """Number the message the person just wrote in `channel`, so that a shortcut can be run on it."""
        mine = [m for m in self.bot.emulator.messages(channel) if m.get("user") == self.user.id]
        if not mine:
            return ""
        shown = self._remember(channel, mine[-1]["ts"], private=False)
        return f" · message {shown.number}"

    def escape_mentions(self, text: str) -> str:
        """Turn @name and #channel into Slack's escaped mentions, as Slack does for the bot."""
        by_name = {u.name: u.id for u in PEOPLE.values()}
        channels = {name: cid for cid, name in self.bot.emulator.channel_names.items()}

        def user(match: re.Match[str]) -> str:
            name = match.group(1)
            return f"<@{by_name[name]}|{name}>" if name in by_name else match.group(0)

        def channel(match: re.Match[str]) -> str:
            name = match.group(1)
            return f"<#{channels[name]}|{name}>" if name in channels else match.group(0)

        text = re.sub(r"(?<![<\w])@([a-z0-9._-]+)", user, text)
        return re.sub(r"(?<![<\w])#([a-z0-9._-]+)", channel, text)

    def answered(self, response: BotResponse) -> None:
        """Show the bot's immediate answer (the acknowledgement) and what followed it."""
        if response.status == 404:
            self.console.print("[red]The bot has no such command.[/red]")
        elif response.status != 200:
            self.console.print(f"[red]The bot answered HTTP {response.status}.[/red]")
        body = response.json()
        if isinstance(body, dict) and (body.get("text") or body.get("blocks")):
            self.console.print("[bold green]bot[/bold green] (only you can see this)", highlight=False)
            shown = Shown(private_to=self.user.id)
            self.print_lines(self.renderer.message(body.get("text"), body.get("blocks"), shown=shown))
        self.settle()

    # the shell's own commands

    def say_who(self, *, now: str = "") -> None:
        """Say who one is, and one's role as the store has it."""
        user = self.user
        self.console.print(
            f"[dim]You are {now}{escape(user.real_name)} (@{user.name}, {user.tz}): {self.role(user)}.[/dim]",
            highlight=False,
        )

    def become(self, who: str) -> None:
        """Become another person of the local workspace, and see what the bot sent them meanwhile."""
        wanted = who.lower().lstrip("@")
        user = PEOPLE.get(wanted) or next((u for u in PEOPLE.values() if u.name == wanted), None)
        if user is None:
            names = ", ".join(f"@{u.name}" for u in PEOPLE.values())
            self.console.print(f"[red]Say :as organiser, :as member or :as guest (or a name: {names}).[/red]")
            return
        self.user = user
        self.renderer.tz = user.tz
        self.say_who(now="now ")
        self.show_missed()

    def role(self, user: LocalUser) -> str:
        """The person's role in words, as the store says now."""
        assert self.bot.service is not None
        with self.bot.service.deps.sessions() as session:
            person = people_store.get_person(session=session, slack_id=user.id)
            met = person is not None
            person = person or Person(slack_id=user.id, is_guest=user.is_restricted)
            organiser, member, guest = person.is_organiser, person.is_member, person.is_guest
        if organiser:
            words = "an organiser" + ("" if member else ", not a member")
        elif member:
            words = "a member"
        else:
            words = "a guest, not a member" if guest else "not a member"
        return words if met else f"{words} (the bot has not met you yet)"

    def wait(self, argument: str) -> None:
        """Wait a while, showing what the bot posts on its own as it arrives."""
        length = _wait_length(argument)
        if length is None:
            self.console.print(
                "[red]:wait takes a number of seconds or a length of time, e.g. :wait 10, :wait 90s or :wait 2m.[/red]"
            )
            return
        self.console.print(f"[dim]waiting {length.total_seconds():g} s…[/dim]")
        deadline = time.monotonic() + length.total_seconds()
        while (left := deadline - time.monotonic()) > 0:
            self.show_pending()
            time.sleep(min(left, 0.1))
        self.settle()

    def shortcut(self, argument: str) -> None:
        """Run a message shortcut on a shown message, as its ⋮ menu does in Slack."""
        number, _, name = argument.partition(" ")
        shown = self._messages.get(int(number)) if number.isdecimal() else None
        if shown is None or shown.channel is None:
            self.console.print("[red]Say :shortcut N, N being a message's number (· message N beside it).[/red]")
            return
        if shown.private_to not in (None, self.user.id):
            self.console.print(f"[red]Message {number} is in someone else's direct messages.[/red]")
            return
        spec = self._message_shortcut(name.strip())
        message = self._current(shown)
        if spec is None:
            return
        if message is None:
            self.console.print(f"[red]Message {number} is gone.[/red]")
            return
        ws = self.bot.workspace
        assert ws is not None
        self.console.print(f"[dim]{escape(spec.name)} on message {number}[/dim]")
        self.answered(
            ws.message_shortcut(self.user.id, callback_id=spec.callback_id, message=message, channel=shown.channel)
        )

    def _message_shortcut(self, name: str) -> ShortcutSpec | None:
        """The app's message shortcut called `name` (the start of its name will do), or its only one."""
        assert self.bot.service is not None
        shortcuts = [s for s in self.bot.service.deps.registry.shortcuts if s.type == "message"]
        wanted = name.lower()
        matches = [s for s in shortcuts if s.name.lower().startswith(wanted) or s.callback_id == name]
        if len(matches) == 1:
            return matches[0]
        if not shortcuts:
            self.console.print("[red]The bot has no message shortcuts.[/red]")
        else:
            names = ", ".join(s.name for s in shortcuts)
            self.console.print(f"[red]Say which shortcut: :shortcut N <name>, one of: {escape(names)}.[/red]")
        return None

    def _current(self, shown: Shown) -> dict[str, Any] | None:
        """The message as its channel holds it now, as Slack sends it with an action; None once it is gone."""
        if shown.channel is None or shown.ts is None:
            return None
        found = next((m for m in self.bot.emulator.messages(shown.channel) if m["ts"] == shown.ts), None)
        if found is None:
            return None
        return {"type": "message", **{key: value for key, value in found.items() if value is not None}}

    def press(self, number: str) -> None:
        """Press the button with this number, after its confirmation dialog if it has one."""
        button = self.renderer.buttons.get(int(number)) if number.isdecimal() else None
        if button is None:
            self.console.print("[red]No such button; the numbers are shown beside each button.[/red]")
            return
        shown = button.shown
        if shown is not None and shown.private_to not in (None, self.user.id):
            owner = next((u for u in PEOPLE.values() if u.id == shown.private_to), None)
            whom = f"@{owner.name}" if owner else "someone else"
            self.console.print(f"[red]Button {number} was shown to {whom} only; :as {whom} to press it.[/red]")
            return
        if shown is not None and shown.gone:
            self.console.print(
                f"[red]That {shown.what} is gone (the bot {shown.gone} it); its buttons no longer work.[/red]"
            )
            return
        if button.action.get("url"):
            self.console.print(f"[dim]opens {escape(button.action['url'])}[/dim]")
        if button.action.get("confirm") and not self.confirmed(button.action["confirm"]):
            return
        message = (self._current(shown) if shown is not None and button.view is None else None) or button.message
        ws = self.bot.workspace
        assert ws is not None
        self._pressed = shown
        try:
            self.answered(
                ws.press_button(
                    self.user.id,
                    action_id=button.action.get("action_id", ""),
                    value=button.action.get("value"),
                    block_id=button.block_id,
                    message=message if button.view is None else None,
                    channel=button.channel,
                    view=button.view,
                )
            )
        finally:
            self._pressed = None

    def confirmed(self, dialog: dict[str, Any]) -> bool:
        """Ask what Slack asks before it sends a press that has a confirmation dialog."""
        title, text = (dialog.get(key, {}).get("text", "") for key in ("title", "text"))
        yes, no = (dialog.get(key, {}).get("text", default) for key, default in (("confirm", "Yes"), ("deny", "No")))
        self.console.print(f"[bold]{escape(title)}[/bold] {escape(text)}", highlight=False)
        answer = (self.ask(f"{yes} (y) or {no} (n)? ") or "").strip().lower()
        if answer in ("y", "yes", yes.lower()):
            return True
        self.console.print(f"[dim]{escape(no)}: nothing was sent.[/dim]")
        return False

    # forms

    def fill_forms(self) -> None:
        """Fill in any form the bot opened (or changed) for the current person, field by field."""
        emulator = self.bot.emulator
        opened = [d for d in list(emulator.deliveries) if d.kind in VIEW_KINDS and d.user == self.user.id]
        for delivery in opened:
            view = delivery.view or {}
            key = (str(view.get("id")), str(view.get("hash")))
            if not view.get("id") or key in self._filled or self.leaving:
                continue
            self._filled.add(key)
            if delivery.kind == "view_update" and not any(k[0] == key[0] for k in self._filled - {key}):
                continue  # a change to a form this person never saw
            self.fill(emulator.view(view["id"]))

    def fill(self, view: dict[str, Any]) -> None:
        """Ask for each input of `view`, submit it, and ask again for the fields the bot refused."""
        ws = self.bot.workspace
        assert ws is not None
        values: dict[str, dict[str, Any]] = {}
        errors: dict[str, str] = {}
        while True:
            shown = self._form_shown(view)
            title = view.get("title", {}).get("text", "")
            self.console.print(f"[bold magenta]┌ {escape(title)}[/bold magenta]", highlight=False)
            others = [b for b in view.get("blocks", []) if b.get("type") != "input"]
            self.print_lines(self.renderer.blocks(others, view=view, shown=shown), indent="│ ")
            if not any(block.get("type") == "input" for block in view.get("blocks", [])):
                # A result screen (saved, scheduled): nothing to fill in; the person closes it.
                close = (view.get("close") or {}).get("text", "Close")
                self.console.print(f"[dim]└ {escape(close)}[/dim]")
                self.settle()
                return
            for block in view.get("blocks", []):
                if block.get("type") != "input":
                    continue
                block_id = block["block_id"]
                if errors and block_id not in errors:
                    continue
                if block_id in errors:
                    self.console.print(f"│ [red]{escape(errors[block_id])}[/red]", highlight=False)
                value = self.ask_field(block)
                if value is _CANCEL or value is _QUIT:
                    ws.close_view(self.user.id, view)
                    self.console.print("[dim]└ form closed[/dim]")
                    self.leaving = value is _QUIT
                    self.settle()
                    return
                values[block_id] = value  # type: ignore[assignment]
            submit = (view.get("submit") or {}).get("text", "Submit")
            self.console.print(f"[dim]└ {escape(submit)}[/dim]")
            response = ws.submit_view(self.user.id, view, values)
            body = response.json() or {}
            action = body.get("response_action")
            if action == "errors":
                errors = body.get("errors", {})
                continue
            if action in ("update", "push"):
                # Slack keeps an updated modal's id (and gives a pushed one its own): the bot may update it later.
                kept = {key: view[key] for key in _VIEW_IDENTITY if key in view} if action == "update" else {}
                view = self._current_view({**body["view"], **kept})
                values, errors = {}, {}
                continue
            self.settle()
            return

    def _current_view(self, view: dict[str, Any]) -> dict[str, Any]:
        """The form as Slack holds it now (its newest hash), or as given when Slack holds no such form."""
        try:
            return self.bot.emulator.view(str(view.get("id") or ""))
        except KeyError:
            return view

    def _form_shown(self, view: dict[str, Any]) -> Shown:
        """Note a form's newest version as shown; the buttons of the version it replaces stop working."""
        shown = Shown(private_to=self.user.id, what="form")
        view_id = str(view.get("id") or "")
        if view_id:
            self._retire(self._forms.get(view_id), "replaced")
            self._forms[view_id] = shown
        return shown

    def ask_field(self, block: dict[str, Any]) -> dict[str, Any] | object:
        """Ask for one input's value and return it in Slack's state shape."""
        element = block.get("element", {})
        action_id = element.get("action_id", "value")
        kind = element.get("type", "plain_text_input")
        label = block.get("label", {}).get("text", block.get("block_id"))
        optional = " (optional)" if block.get("optional") else ""
        hint = block.get("hint", {}).get("text")
        initial = (
            element.get("initial_value")
            or element.get("initial_date")
            or element.get("initial_time")
            or self.renderer.chosen_words(element)
        )
        choices = self._choices(element)
        for number, words in enumerate(choices, 1):
            self.console.print(f"│   {number}. {escape(emojize(words))}", highlight=False)
        if hint:
            self.print_lines([f"[dim]{escape(hint)}[/dim]"], indent="│ ")
        shown = f" [{initial}]" if initial else ""
        while True:
            answer = self.ask(f"│ {label}{optional}{shown}: ")
            if answer is None or answer.strip() == ":quit":
                return _QUIT
            if answer.strip() == ":cancel":
                return _CANCEL
            value = self._field_value(element, answer.strip(), choices)
            if value is not None:
                return {action_id: {"type": kind, **value}}
            self.console.print(
                f"│ [red]{escape(answer.strip())} is none of these: type its number or its first words.[/red]",
                highlight=False,
            )

    def _choices(self, element: dict[str, Any]) -> list[str]:
        """What a menu offers, in words: its options, or the workspace's channels."""
        kind = element.get("type")
        if kind in CHANNEL_CHOICE:
            return ["#" + name for cid, name in self.bot.emulator.channel_names.items() if not cid.startswith("D")]
        if kind in SINGLE_CHOICE or kind in MANY_CHOICES:
            return [option_label(option) for option in element.get("options", [])]
        return []

    def _field_value(self, element: dict[str, Any], answer: str, choices: list[str]) -> dict[str, Any] | None:
        """The state of one input from what was typed (empty keeps its first value); None if no option is named."""
        kind = element.get("type")
        options = element.get("options", [])
        if kind in CHANNEL_CHOICE:
            chosen = element.get(CHANNEL_CHOICE[kind]) if not answer else self._channel(answer, choices)
            return {CHANNEL_CHOICE[kind].replace("initial", "selected"): chosen}
        if kind in SINGLE_CHOICE:
            picked = initial_options(element) if not answer else _choose(options, answer, many=False)
            if answer and not picked:
                return None
            return {"selected_option": picked[0] if picked else None}
        if kind in MANY_CHOICES:
            picked = initial_options(element) if not answer else _choose(options, answer, many=True)
            return {"selected_options": picked} if picked or not answer else None
        first = element.get("initial_value") or element.get("initial_date") or element.get("initial_time") or ""
        answer = "" if answer == CLEAR else answer or first
        if kind == "datepicker":
            return {"selected_date": answer or None}
        if kind == "timepicker":
            return {"selected_time": answer or None}
        return {"value": answer or None}

    def _channel(self, answer: str, choices: list[str]) -> str | None:
        """The channel typed as its number in the list, `#name`, name or id; None (nothing chosen) if none is."""
        if answer.isdecimal() and 0 < int(answer) <= len(choices):
            answer = choices[int(answer) - 1]
        ws = self.bot.workspace
        assert ws is not None
        return ws.find_channel(answer)


_CANCEL = object()
_QUIT = object()
_VIEW_IDENTITY = ("id", "hash", "team_id", "app_id", "bot_id", "root_view_id", "previous_view_id")


def _choose(options: list[dict[str, Any]], answer: str, *, many: bool) -> list[dict[str, Any]]:
    """The options an answer names: by number, value or words; commas (or spaces between numbers) part several.

    Words match an option's words whole or as their start, ignoring case, when only one option starts so.
    Nothing is chosen when any part names no option, or more than one is named where one is wanted.
    """
    parts = [part.strip() for part in answer.split(",") if part.strip()]
    if len(parts) == 1 and all(piece.isdecimal() for piece in parts[0].split()):
        parts = parts[0].split()
    chosen: list[dict[str, Any]] = []
    for part in parts:
        option = _option(options, part)
        if option is None:
            return []
        if option not in chosen:
            chosen.append(option)
    return chosen if many or len(chosen) == 1 else []


def _option(options: list[dict[str, Any]], part: str) -> dict[str, Any] | None:
    if part.isdecimal():
        return options[int(part) - 1] if 0 < int(part) <= len(options) else None
    wanted = part.lower()
    exact = [o for o in options if option_label(o).lower() == wanted or o.get("value") == part]
    starting = [o for o in options if option_label(o).lower().startswith(wanted)]
    found = exact or starting
    return found[0] if len(found) == 1 else None


def _content(message: dict[str, Any]) -> str:
    """A message's words, blocks and files, to tell whether it changed since it was seen."""
    return json.dumps([message.get(key) for key in ("text", "blocks", "files")], sort_keys=True, default=str)


def _wait_length(argument: str) -> timedelta | None:
    """How long `:wait` waits: a number of seconds or a length such as 2m; None for anything else."""
    if not argument:
        return WAIT_DEFAULT
    try:
        seconds = float(argument)
    except ValueError:
        return parse_duration(argument)
    return timedelta(seconds=seconds) if 0 <= seconds < 86_400 else None


def run_shell(
    settings: Settings,
    *,
    demo: bool,
    who: str,
    socket_mode: bool = False,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Run the bot offline against a local workspace on its own database, reading what the person types.

    With `socket_mode` the bot takes the workspace's requests over Socket Mode instead of signed HTTP.
    """
    stdin = stdin or sys.stdin
    interactive = stdin.isatty()
    out = stdout or sys.stdout
    console = Console(
        file=out,
        highlight=False,
        emoji=False,
        force_terminal=None if interactive else False,
        soft_wrap=not out.isatty(),  # a transcript written to a file or a pipe keeps its lines whole
    )
    configure_logging(settings.log_level, file=settings.data_dir / "shell.log", fmt=settings.log_format)
    if demo:
        for leftover in settings.data_dir.glob(f"{DEMO_DATABASE}*"):
            leftover.unlink()
    settings = replace(settings, database_url=shell_database_url(settings.data_dir, demo=demo))
    with LocalBot(settings, socket_mode=socket_mode) as bot:
        if demo:
            seed_demo(bot.service.deps)  # type: ignore[union-attr]
        shell = Shell(bot, console, who, (line.rstrip("\n") for line in stdin), interactive)
        data = "demo data" if demo else "the shell's own data"
        over = " over Socket Mode" if socket_mode else ""
        console.print(
            f"[bold]{escape(settings.group_name)}[/bold]: a local workspace with the bot{over} ({data} in "
            f"{escape(settings.database_label.removeprefix('sqlite:///'))}; files it sends are saved in "
            f"{escape(str(shell.files_dir))}). You are {shell.user.real_name} ({who}). "
            "Type :help for help, :quit to leave.",
            highlight=False,
        )
        try:
            shell.show_missed()
            while True:
                shell.show_pending()
                line = shell.ask(f"{shell.user.name}> ")
                if line is None or not shell.send(line):
                    break
            shell.show_pending()
        except KeyboardInterrupt:
            console.print("\n[dim]Left the local workspace.[/dim]")
    return 0
