"""The views the local workspace holds, as Slack holds them: each person's stack of modals, their Home tab,
and the trigger ids that open a modal once within 3 seconds.

Every change of a view gives it a new `hash`, so a `views.update` made with an older one is refused
(`hash_conflict`), and a form closed, submitted or cleared is gone (`not_found`). The Web API methods
(`bot.localslack.webapi`) and the workspace's submissions both go through here, under the emulator's lock.
"""

from __future__ import annotations

import copy
import secrets
import time
from collections.abc import Callable
from typing import Any

from bot.localslack.records import MAX_VIEW_STACK, TRIGGER_TTL_SECONDS, ApiError

HASH_CHANGED = "hash_conflict"


class ViewStore:
    """Modals and Home tabs by id, with who each belongs to; trigger ids issued and used."""

    def __init__(self, *, team_id: str, app_id: str, bot_id: str, next_id: Callable[[str], str]) -> None:
        self._identity = {"team_id": team_id, "app_id": app_id, "app_installed_team_id": team_id, "bot_id": bot_id}
        self._next_id = next_id
        self.views: dict[str, dict[str, Any]] = {}
        self.owners: dict[str, str] = {}
        self.stacks: dict[str, list[str]] = {}  # a person's open modals, the first one at the bottom
        self.homes: dict[str, str] = {}  # a person's Home tab's view id
        self.triggers: dict[str, tuple[str, float]] = {}  # trigger id: (person, when issued)
        self.used_triggers: set[str] = set()

    # triggers

    def new_trigger(self, user_id: str, trigger: str) -> str:
        """Record `trigger` as issued to `user_id` now."""
        self.triggers[trigger] = (user_id, time.monotonic())
        return trigger

    def consume_trigger(self, trigger: str) -> str:
        """The person a trigger id was issued to; it opens one view, within 3 seconds."""
        issued = self.triggers.pop(trigger, None)
        if issued is None:
            raise ApiError("expired_trigger_id" if trigger in self.used_triggers else "invalid_trigger_id")
        user, created = issued
        self.used_triggers.add(trigger)
        if time.monotonic() - created > TRIGGER_TTL_SECONDS:
            raise ApiError("expired_trigger_id")
        return user

    # views.open, views.push, views.update, views.publish

    def open(self, view: dict[str, Any], user: str) -> dict[str, Any]:
        """A new modal: the only one on the person's stack."""
        stored = self._store(view, user)
        self.stacks[user] = [stored["id"]]
        return stored

    def push(self, view: dict[str, Any], user: str) -> dict[str, Any]:
        """A modal on top of the person's stack (three at most)."""
        stack = self.stacks.setdefault(user, [])
        if len(stack) >= MAX_VIEW_STACK:
            raise ApiError("push_limit_reached")
        stored = self._store(view, user)
        if stack:
            stored["root_view_id"], stored["previous_view_id"] = stack[0], stack[-1]
        stack.append(stored["id"])
        return stored

    def current(self, view_id: str | None, external_id: str | None, given_hash: str | None) -> dict[str, Any]:
        """The view `views.update` names (by id or external id), if it is still as the caller saw it."""
        if not view_id and external_id:
            view_id = next((v["id"] for v in self.views.values() if v["external_id"] == external_id), None)
        current = self.views.get(str(view_id))
        if current is None:
            raise ApiError("not_found")
        if given_hash and given_hash != current["hash"]:
            raise ApiError(HASH_CHANGED)
        return current

    def update(self, current: dict[str, Any], view: dict[str, Any]) -> dict[str, Any]:
        """Replace a view's content, keeping its id and place."""
        return self._store(view, self.owners[current["id"]], view_id=current["id"])

    def publish(self, view: dict[str, Any], user: str, given_hash: str | None) -> dict[str, Any]:
        """Publish a person's Home tab, unless it changed since the caller saw it."""
        current_id = self.homes.get(user)
        if current_id and given_hash and given_hash != self.views[current_id]["hash"]:
            raise ApiError(HASH_CHANGED)
        stored = self._store(view, user, view_id=current_id)
        self.homes[user] = stored["id"]
        return stored

    # what people do with a form

    def submitted(self, view_id: str, answer: dict[str, Any]) -> None:
        """What Slack does with a form's submission answer: update, push, clear, keep (errors) or close it."""
        current = self.views.get(view_id)
        if current is None:
            return
        owner = self.owners[view_id]
        action = answer.get("response_action")
        if action == "update":
            self._store(answer["view"], owner, view_id=view_id)
        elif action == "push":
            stored = self._store(answer["view"], owner)
            stored["root_view_id"], stored["previous_view_id"] = current["root_view_id"], view_id
            self.stacks.setdefault(owner, []).append(stored["id"])
        elif action == "clear":
            for closed in self.stacks.pop(owner, []):
                self.views.pop(closed, None)
        elif action != "errors":
            self.closed(view_id)

    def closed(self, view_id: str) -> None:
        """A form closed: it leaves its person's stack and can no longer be updated."""
        owner = self.owners.get(view_id)
        if owner is not None and view_id in self.stacks.get(owner, []):
            self.stacks[owner].remove(view_id)
        self.views.pop(view_id, None)

    def _store(self, view: dict[str, Any], owner: str, *, view_id: str | None = None) -> dict[str, Any]:
        previous = self.views.get(view_id) if view_id else None
        view_id = view_id or self._next_id("V")
        stored: dict[str, Any] = {
            "callback_id": "",
            "private_metadata": "",
            "external_id": "",
            "clear_on_close": False,
            "notify_on_close": False,
            "root_view_id": view_id,
            "previous_view_id": None,
            **({k: previous[k] for k in ("root_view_id", "previous_view_id")} if previous else {}),
            **copy.deepcopy(view),
            "id": view_id,
            **self._identity,
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "state": {"values": {}},
        }
        self.views[view_id] = stored
        self.owners[view_id] = owner
        return stored
