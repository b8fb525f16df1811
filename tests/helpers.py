"""Helpers for scenario tests: wait for what a person would see."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from bot.localslack import Delivery, SlackEmulator
from bot.localslack.local import LocalBot
from bot.localslack.workspace import BotResponse, LocalWorkspace


def wait_delivery(emulator: SlackEmulator, match: Callable[[Delivery], bool], *, timeout: float = 5.0) -> Delivery:
    """Wait until the emulator has delivered something matching; return it."""
    found: list[Delivery] = []

    def seen() -> bool:
        found[:] = [d for d in list(emulator.deliveries) if match(d)]
        return bool(found)

    assert emulator.wait_for(seen, timeout=timeout), "nothing matching reached Slack in time"
    return found[0]


def private_answer(emulator: SlackEmulator, user: str, contains: str, *, timeout: float = 5.0) -> Delivery:
    """Wait for a private answer (ephemeral, or response_url) to `user` containing `contains`."""
    return wait_delivery(
        emulator,
        lambda d: d.kind in ("response", "ephemeral") and d.user == user and contains in (d.text or ""),
        timeout=timeout,
    )


def settle(emulator: SlackEmulator, quiet: float = 0.2, timeout: float = 5.0) -> None:
    """Wait until the emulator has received no call for `quiet` seconds."""
    import time

    deadline = time.monotonic() + timeout
    count = len(emulator.calls)
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.02)
        if len(emulator.calls) != count:
            count = len(emulator.calls)
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= quiet:
            return


def store_snapshot(engine: Engine, *, exclude: Collection[str] = ()) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the store (but those in `exclude`), in a stable order, to compare later."""
    names = sorted(set(inspect(engine).get_table_names()) - set(exclude))
    with engine.connect() as connection:
        return {
            name: sorted((tuple(row) for row in connection.execute(text(f'SELECT * FROM "{name}"'))), key=repr)
            for name in names
        }


def changed_tables(before: dict[str, list[tuple[Any, ...]]], after: dict[str, list[tuple[Any, ...]]]) -> list[str]:
    """The tables whose rows differ between two snapshots (a table that appeared or went counts too)."""
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


def captured_request(workspace: LocalWorkspace, send: Callable[[LocalWorkspace], object]) -> tuple[str, str]:
    """The body and content type that `send` would post to the bot, kept instead of sent."""
    kept: list[tuple[str, str]] = []

    def keep(body: str, content_type: str, **_options: Any) -> BotResponse:
        kept.append((body, content_type))
        return BotResponse(200, "", {})

    workspace.post = keep  # type: ignore[method-assign]
    try:
        send(workspace)
    finally:
        del workspace.post
    [request] = kept
    return request


def ring_at(bot: LocalBot, clock: Clock, moment: datetime) -> None:
    """Move the test's clock to `moment`, ring the scheduler, and wait until what fell due is sent."""
    clock.now = moment
    assert bot.service is not None
    bot.service.scheduler.ring()
    assert bot.wait_idle(timeout=20)


class Clock:
    """The bot's clock, moved by the test (`LocalBot(settings, clock=...)`, or the `clocked_bot` fixture)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now
