"""Helpers for scenario tests: wait for what a person would see."""

from __future__ import annotations

from collections.abc import Callable

from bot.localslack import Delivery, SlackEmulator


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
