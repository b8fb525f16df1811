"""The shell's conversation: each line typed is sent to the bot as a person of the local workspace would
send it (a slash command, a mention, a direct message, a button pressed, a message shortcut), or is one
of the shell's own commands (:as, :who, :wait, :home, :help).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from bot.durations import parse_duration
from bot.localslack import BotResponse, LocalUser
from bot.localslack.local import PEOPLE, LocalBot
from bot.localslack.render import Button, Shown, option_label
from bot.registry import ShortcutSpec
from bot.shell._forms import Forms, choose_options
from bot.shell._screen import Screen
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
WAIT_DEFAULT = timedelta(seconds=5)


class Shell(Screen):
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
        for channel_id, name in OTHER_CHANNELS.items():
            bot.emulator.add_channel(channel_id, name)
        super().__init__(bot, console, PEOPLE[who], files_dir=files_dir or bot.settings.data_dir / "files")
        self.lines = lines
        self.interactive = interactive
        self.forms = Forms(self, ask=self.ask, settle=self.settle)

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

    def settle(self) -> None:
        """Let the bot finish what the last request started, then show it."""
        self.bot.wait_idle(timeout=10)
        self.show_pending()
        self.forms.fill_forms()

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
        return not self.forms.leaving

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
        if button.action.get("type") in ("static_select", "checkboxes"):
            self.choose(button)
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

    def choose(self, menu: Button) -> None:
        """Choose an option of a select menu in a view (App Home or a form), by its number or words; or, for
        boxes, the options to leave ticked (`none` for none)."""
        options = menu.action.get("options") or []
        boxes = menu.action.get("type") == "checkboxes"
        for number, option in enumerate(options, 1):
            self.console.print(f"   {number}. {escape(option_label(option))}", highlight=False)
        answer = self.ask("tick (numbers, or none): " if boxes else "choose: ")
        ws = self.bot.workspace
        if boxes and ws is not None and menu.view is not None:
            ticked = (
                [] if (answer or "").strip().lower() == "none" else choose_options(options, answer or "", many=True)
            )
            if ticked or (answer or "").strip().lower() == "none":
                values = [str(option.get("value")) for option in ticked]
                action_id = menu.action.get("action_id", "")
                self.answered(
                    ws.tick_boxes(self.user.id, action_id=action_id, view=self._current_view_of(menu), ticked=values)
                )
                return
        chosen = choose_options(options, answer or "", many=False)
        if not chosen or menu.view is None or ws is None:
            self.console.print(
                "[red]Nothing chosen: give one option's number or words.[/red]"
                if not chosen
                else "[red]Menus work in App Home and forms here.[/red]"
            )
            return
        self.answered(
            ws.choose_option(
                self.user.id,
                action_id=menu.action.get("action_id", ""),
                option=chosen[0],
                block_id=menu.block_id or "",
                view=self._current_view_of(menu),
            )
        )

    def _current_view_of(self, menu: Button) -> dict[str, Any]:
        """The view a menu is in, as Slack holds it now (a Home tab republished since keeps its id)."""
        assert menu.view is not None
        try:
            return self.bot.emulator.view(str(menu.view.get("id") or ""))
        except KeyError:
            return menu.view

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


def _wait_length(argument: str) -> timedelta | None:
    """How long `:wait` waits: a number of seconds or a length such as 2m; None for anything else."""
    if not argument:
        return WAIT_DEFAULT
    try:
        seconds = float(argument)
    except ValueError:
        return parse_duration(argument)
    return timedelta(seconds=seconds) if 0 <= seconds < 86_400 else None
