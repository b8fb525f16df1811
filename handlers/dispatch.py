"""One Bolt listener for each kind of request that the bot answers by name: commands, and buttons.

Bolt tries its listeners in turn for every request, each at the cost of building the arguments of its
matcher. The bot's slash commands are one listener, which finds a command's acknowledgement by its name, and
its buttons another, which finds a press's by its action id: a request is compared with two listeners where
it would be compared with each command and each button in turn.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from typing import Any, Literal

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

Listener = Callable[[Ack, dict[str, Any], WebClient, Respond, BoltContext], None]
Kind = Literal["command", "action"]


def _command_name(body: dict[str, Any]) -> str:
    return str(body.get("command", ""))


def _action_id(body: dict[str, Any]) -> str:
    actions = body.get("actions") or [{}]
    return str(actions[0].get("action_id", ""))


_KEYS: dict[Kind, Callable[[dict[str, Any]], str]] = {"command": _command_name, "action": _action_id}
_TABLES: weakref.WeakKeyDictionary[App, dict[Kind, dict[str, Listener]]] = weakref.WeakKeyDictionary()


def keyed(app: App, kind: Kind) -> dict[str, Listener]:
    """The app's listeners of `kind` by name, to add to: bound to Bolt as one listener at the first call."""
    tables = _TABLES.setdefault(app, {})
    table = tables.get(kind)
    if table is None:
        table = tables[kind] = {}
        _bind(app, kind, table)
    return table


def _bind(app: App, kind: Kind, table: dict[str, Listener]) -> None:
    key = _KEYS[kind]

    def known(body: dict[str, Any]) -> bool:
        return key(body) in table

    def listener(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
        table[key(body)](ack, body, client, respond, context)

    listener.__name__ = f"the bot's {kind}s"
    bind = app.command if kind == "command" else app.action
    bind(re.compile(".+"), matchers=[known])(listener)
