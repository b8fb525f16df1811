"""`tci-bot shell`: a local Slack workspace in the terminal, driving the real bot."""

from __future__ import annotations

import queue
import re
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape

from bot.config import Settings
from bot.demo import seed_demo
from bot.localslack import BotResponse, Delivery
from bot.localslack.local import GROUP_CHANNEL, PEOPLE, LocalBot
from bot.localslack.render import Renderer
from bot.logs import configure_logging

HELP = """[bold]Type as you would in Slack:[/bold]
  /tci help, /meetings, /practice, /announce ...   slash commands
  @bot when is the next meeting?                    mention the bot in #learning-group
  any other text                                    a direct message to the bot
[bold]And these:[/bold]
  :press N  (or just N)   press button N
  :as organiser|member|guest   switch who you are
  :home                    open the bot's App Home tab
  :wait [seconds]          wait and show what the bot posts on its own (default 5)
  :help   :quit
In a form, type each field's value; an empty line keeps what is shown; :cancel closes the form."""


class Shell:
    """The terminal conversation: reads lines, sends them as a person would, shows what Slack shows."""

    def __init__(self, bot: LocalBot, console: Console, who: str, lines: Iterator[str], interactive: bool):
        self.bot = bot
        self.console = console
        self.lines = lines
        self.interactive = interactive
        self.user = PEOPLE[who]
        self.inbox: queue.Queue[Delivery] = queue.Queue()
        self.lock = threading.Lock()
        self.renderer = Renderer(
            names={u.id: u.name for u in PEOPLE.values()} | {bot.emulator.bot_user_id: "bot"},
            channels={GROUP_CHANNEL: "learning-group"},
            tz=self.user.tz,
        )
        self._filled: set[str] = set()
        bot.emulator.subscribe(self.inbox.put)

    # reading

    def ask(self, prompt: str) -> str | None:
        """Read one line (None at the end of input); echo it when input is not a terminal."""
        if self.interactive:
            try:
                return input(prompt)
            except EOFError:
                return None
        line = next(self.lines, None)
        if line is not None:
            self.console.print(f"[dim]{escape(prompt)}[/dim]{escape(line)}", highlight=False)
        return line

    # showing

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
        if where is None:
            return
        if d.kind in ("view_open", "view_push", "view_update"):
            return  # forms are filled in by `fill`
        if d.kind == "delete":
            self.console.print(f"[dim]{where}: a message was deleted[/dim]")
            return
        if d.kind == "file":
            size = len(d.raw.get("content") or b"")
            self.console.print(f"{where}: [bold]file[/bold] {escape(str(d.raw.get('filename')))} ({size} bytes)")
            return
        label = {"update": " (updated)", "ephemeral": " (only you can see this)", "home": ""}.get(d.kind, "")
        if d.kind == "response" and d.raw.get("response_type", "ephemeral") == "ephemeral":
            label = " (only you can see this)"
        self.console.print(f"[bold green]{where}[/bold green]{label}", highlight=False)
        message = {"ts": d.ts, "text": d.text, "blocks": d.blocks}
        blocks = (d.view or {}).get("blocks") if d.kind == "home" else d.blocks
        self.print_lines(self.renderer.message(d.text, blocks, message=message, channel=d.channel))

    def _where(self, d: Delivery) -> str | None:
        me = self.user.id
        dm = self.bot.emulator.im_channel(me)
        if d.kind in ("ephemeral", "response") and d.user not in (None, me):
            return None
        if d.kind == "home":
            return "App Home" if d.user == me else None
        if d.kind in ("view_open", "view_push", "view_update"):
            return "form" if d.user in (None, me) else None
        if d.channel and d.channel.startswith("D") and d.channel != dm:
            return None
        thread = " (in thread)" if d.thread_ts else ""
        if d.channel == dm:
            return f"bot → you (direct message){thread}"
        name = self.renderer.channels.get(d.channel or "", d.channel or "")
        return f"bot in #{name}{thread}"

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
        if not text:
            return True
        if text in (":quit", ":q", ":exit"):
            return False
        if text in (":help", ":h", "?"):
            self.console.print(HELP, highlight=False)
            return True
        if text.startswith(":as"):
            who = text[3:].strip().lower()
            if who not in PEOPLE:
                self.console.print("[red]Say :as organiser, :as member or :as guest.[/red]")
                return True
            self.user = PEOPLE[who]
            self.renderer.tz = self.user.tz
            self.console.print(f"[dim]You are now {self.user.real_name} ({who}, {self.user.tz}).[/dim]")
            return True
        if text.startswith(":wait"):
            seconds = text[5:].strip()
            self.bot.emulator.wait_for(lambda: False, timeout=float(seconds) if seconds.isdecimal() else 5.0)
            self.settle()
            return True
        if text == ":home":
            self.answered(ws.open_home(self.user.id))
            return True
        if text.startswith(":press") or text.isdecimal():
            self.press(text.removeprefix(":press").strip())
            return True
        if text.startswith(":"):
            self.console.print(f"[red]Unknown {escape(text.split()[0])}; :help lists what you can type.[/red]")
            return True
        if text.startswith("/"):
            command, _, rest = text.partition(" ")
            self.answered(ws.slash_command(self.user.id, command, self.escape_mentions(rest.strip())))
        elif text.startswith("@"):
            question = self.escape_mentions(text.split(None, 1)[1] if " " in text else "")
            self.console.print(f"[dim]you in #learning-group: @bot {escape(question)}[/dim]")
            self.answered(ws.mention(self.user.id, question))
        else:
            self.answered(ws.direct_message(self.user.id, text))
        return True

    def escape_mentions(self, text: str) -> str:
        """Turn @name and #channel into Slack's escaped mentions, as Slack does for the bot."""
        by_name = {u.name: u.id for u in PEOPLE.values()}

        def user(match: re.Match[str]) -> str:
            name = match.group(1)
            return f"<@{by_name[name]}|{name}>" if name in by_name else match.group(0)

        text = re.sub(r"(?<![<\w])@([a-z0-9._-]+)", user, text)
        return text.replace("#learning-group", f"<#{GROUP_CHANNEL}|learning-group>")

    def print_lines(self, lines: list[str]) -> None:
        """Print rendered lines indented under their sender."""
        for line in lines:
            for part in line.split("\n"):
                self.console.print("  " + part, highlight=False)

    def answered(self, response: BotResponse) -> None:
        """Show the bot's immediate answer (the acknowledgement) and what followed it."""
        if response.status == 404:
            self.console.print("[red]The bot has no such command.[/red]")
        elif response.status != 200:
            self.console.print(f"[red]The bot answered HTTP {response.status}.[/red]")
        body = response.json()
        if isinstance(body, dict) and (body.get("text") or body.get("blocks")):
            self.console.print("[bold green]bot[/bold green] (only you can see this)", highlight=False)
            self.print_lines(self.renderer.message(body.get("text"), body.get("blocks")))
        self.settle()

    def press(self, number: str) -> None:
        """Press the button with this number."""
        button = self.renderer.buttons.get(int(number)) if number.isdecimal() else None
        if button is None:
            self.console.print("[red]No such button; the numbers are shown beside each button.[/red]")
            return
        ws = self.bot.workspace
        assert ws is not None
        if button.action.get("url"):
            self.console.print(f"[dim]opens {escape(button.action['url'])}[/dim]")
        self.answered(
            ws.press_button(
                self.user.id,
                action_id=button.action.get("action_id", ""),
                value=button.action.get("value"),
                block_id=button.block_id,
                message=button.message if button.view is None else None,
                channel=button.channel,
                view=button.view,
            )
        )

    # forms

    def fill_forms(self) -> None:
        """Fill in any form the bot opened for the current person, field by field."""
        emulator = self.bot.emulator
        opened = [
            d for d in list(emulator.deliveries) if d.kind in ("view_open", "view_push") and d.user == self.user.id
        ]
        for delivery in opened:
            view_id = (delivery.view or {}).get("id")
            if not view_id or view_id in self._filled:
                continue
            self._filled.add(view_id)
            self.fill(emulator.view(view_id))

    def fill(self, view: dict[str, Any]) -> None:
        """Ask for each input of `view`, submit it, and ask again for the fields the bot refused."""
        ws = self.bot.workspace
        assert ws is not None
        values: dict[str, dict[str, Any]] = {}
        errors: dict[str, str] = {}
        while True:
            title = view.get("title", {}).get("text", "")
            self.console.print(f"[bold magenta]┌ {escape(title)}[/bold magenta]", highlight=False)
            for line in self.renderer.blocks([b for b in view.get("blocks", []) if b.get("type") != "input"]):
                self.console.print("│ " + line, highlight=False)
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
                if value is _CANCEL:
                    ws.close_view(self.user.id, view)
                    self.console.print("[dim]└ form closed[/dim]")
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
                view = body["view"]
                values, errors = {}, {}
                continue
            self.settle()
            return

    def ask_field(self, block: dict[str, Any]) -> dict[str, Any] | object:
        """Ask for one input's value and return it in Slack's state shape."""
        element = block.get("element", {})
        action_id = element.get("action_id", "value")
        kind = element.get("type", "plain_text_input")
        label = block.get("label", {}).get("text", block.get("block_id"))
        optional = " (optional)" if block.get("optional") else ""
        hint = block.get("hint", {}).get("text")
        initial = element.get("initial_value") or element.get("initial_date") or element.get("initial_time")
        options = element.get("options", [])
        if kind in ("static_select", "radio_buttons", "checkboxes") and options:
            for number, option in enumerate(options, 1):
                self.console.print(f"│   {number}. {escape(option['text']['text'])}", highlight=False)
        if hint:
            self.console.print(f"│ [dim]{escape(hint)}[/dim]", highlight=False)
        shown = f" [{initial}]" if initial else ""
        answer = self.ask(f"│ {label}{optional}{shown}: ")
        if answer is None or answer.strip() == ":cancel":
            return _CANCEL
        answer = answer.strip() or (initial or "")
        if kind in ("static_select", "radio_buttons"):
            chosen = _choose(options, answer)
            return {action_id: {"type": kind, "selected_option": chosen[0] if chosen else None}}
        if kind == "checkboxes":
            return {action_id: {"type": kind, "selected_options": _choose(options, answer)}}
        if kind == "datepicker":
            return {action_id: {"type": kind, "selected_date": answer or None}}
        if kind == "timepicker":
            return {action_id: {"type": kind, "selected_time": answer or None}}
        return {action_id: {"type": kind, "value": answer or None}}


_CANCEL = object()


def _choose(options: list[dict[str, Any]], answer: str) -> list[dict[str, Any]]:
    chosen = []
    for part in answer.replace(",", " ").split():
        if part.isdecimal() and 0 < int(part) <= len(options):
            chosen.append(options[int(part) - 1])
        else:
            chosen += [o for o in options if o["text"]["text"].lower() == part.lower() or o.get("value") == part]
    return chosen


def run_shell(
    settings: Settings, *, demo: bool, who: str, stdin: TextIO | None = None, stdout: TextIO | None = None
) -> int:
    """Run the bot offline against a local workspace, reading what the person types."""
    stdin = stdin or sys.stdin
    interactive = stdin.isatty()
    console = Console(
        file=stdout or sys.stdout, highlight=False, soft_wrap=True, force_terminal=None if interactive else False
    )
    configure_logging(settings.log_level, file=settings.data_dir / "shell.log", fmt=settings.log_format)
    if demo:
        demo_db = settings.data_dir / "demo.db"
        for leftover in settings.data_dir.glob("demo.db*"):
            leftover.unlink()
        settings = replace(settings, database_url=f"sqlite:///{demo_db}")
    with LocalBot(settings) as bot:
        if demo:
            seed_demo(bot.service.deps)  # type: ignore[union-attr]
        shell = Shell(bot, console, who, (line.rstrip("\n") for line in stdin), interactive)
        console.print(
            f"[bold]{escape(settings.group_name)}[/bold]: a local workspace with the bot "
            f"({'demo data' if demo else settings.database_label}). You are {shell.user.real_name} ({who}). "
            "Type :help for help, :quit to leave.",
            highlight=False,
        )
        while True:
            shell.show_pending()
            line = shell.ask(f"{shell.user.name}> ")
            if line is None or not shell.send(line):
                break
        shell.show_pending()
    return 0
