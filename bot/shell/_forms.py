"""Filling in the forms the bot opens: each input asked in turn (menus by number or words), the form
submitted as Slack submits a modal, and asked again for the fields the bot refused, or for the form that
replaces it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.markup import escape

from bot.localslack.render import (
    CHANNEL_CHOICE,
    MANY_CHOICES,
    SINGLE_CHOICE,
    Shown,
    emojize,
    initial_options,
    option_label,
)
from bot.shell._screen import VIEW_KINDS, Screen

CLEAR = "-"  # typed in a form's text field: empty it (an empty line keeps what it holds)


class Forms:
    """The forms of the current person of `screen`, read from `ask`; `settle` runs after each form closes."""

    def __init__(self, screen: Screen, *, ask: Callable[[str], str | None], settle: Callable[[], None]) -> None:
        self.screen = screen
        self.bot = screen.bot
        self.console = screen.console
        self.renderer = screen.renderer
        self.ask = ask
        self.settle = settle
        self.leaving = False  # the person typed :quit in a form: the shell ends once the form is closed
        self._filled: set[tuple[str, str]] = set()  # (view id, hash) of each form version shown
        self._forms: dict[str, Shown] = {}  # view id -> its version shown last

    def fill_forms(self) -> None:
        """Fill in any form the bot opened (or changed) for the current person, field by field."""
        emulator = self.bot.emulator
        opened = [d for d in list(emulator.deliveries) if d.kind in VIEW_KINDS and d.user == self.screen.user.id]
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
            self.screen.print_lines(self.renderer.blocks(others, view=view, shown=shown), indent="│ ")
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
                    ws.close_view(self.screen.user.id, view)
                    self.console.print("[dim]└ form closed[/dim]")
                    self.leaving = value is _QUIT
                    self.settle()
                    return
                values[block_id] = value  # type: ignore[assignment]
            submit = (view.get("submit") or {}).get("text", "Submit")
            self.console.print(f"[dim]└ {escape(submit)}[/dim]")
            response = ws.submit_view(self.screen.user.id, view, values)
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
        shown = Shown(private_to=self.screen.user.id, what="form")
        view_id = str(view.get("id") or "")
        if view_id:
            self.screen.retire(self._forms.get(view_id), "replaced")
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
            self.screen.print_lines([f"[dim]{escape(hint)}[/dim]"], indent="│ ")
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
            picked = initial_options(element) if not answer else choose_options(options, answer, many=False)
            if answer and not picked:
                return None
            return {"selected_option": picked[0] if picked else None}
        if kind in MANY_CHOICES:
            picked = initial_options(element) if not answer else choose_options(options, answer, many=True)
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


def choose_options(options: list[dict[str, Any]], answer: str, *, many: bool) -> list[dict[str, Any]]:
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
    """The one option a part of an answer names: by its number, its value, or its words; None if not just one."""
    if part.isdecimal():
        return options[int(part) - 1] if 0 < int(part) <= len(options) else None
    wanted = part.lower()
    exact = [o for o in options if option_label(o).lower() == wanted or o.get("value") == part]
    starting = [o for o in options if option_label(o).lower().startswith(wanted)]
    found = exact or starting
    return found[0] if len(found) == 1 else None
