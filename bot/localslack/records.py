"""What the local Slack emulator keeps and answers: its people, calls, deliveries, faults and errors."""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass, field
from typing import Any

JSON_PARAMS = frozenset({"blocks", "view", "metadata", "files", "attachments"})
MAX_VIEW_STACK = 3
TRIGGER_TTL_SECONDS = 3.0
APP_ID = "A0LOCAL"


@dataclass
class LocalUser:
    """A person of the emulated workspace."""

    id: str
    name: str
    real_name: str
    tz: str = "Europe/Madrid"
    is_restricted: bool = False
    is_admin: bool = False
    locale: str = "en-US"  # their Slack language, told by users.info with include_locale


@dataclass
class ApiCall:
    """One Web API call as the emulator received it."""

    method: str
    params: dict[str, Any]
    token: str | None
    at: float
    status: int = 200  # the HTTP status answered; 0 when the connection was closed without an answer
    response: dict[str, Any] | None = None  # the answer the client received (None when it received none)
    lost: str | None = None  # "500" or "drop" when the call was performed and its answer lost (see lose_answer)
    lost_answer: dict[str, Any] | None = None  # the answer Slack gave and the client never saw


@dataclass
class Delivery:
    """Something a person would see appear in Slack."""

    kind: str
    channel: str | None = None
    user: str | None = None
    ts: str | None = None
    text: str | None = None
    blocks: list[Any] | None = None
    view: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    thread_ts: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)


class ApiError(Exception):
    """A Web API error answer: {"ok": false, "error": ...}."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


@dataclass
class Fault:
    """A failure the emulator was told to answer with, for the next calls of a method."""

    status: int
    remaining: int
    retry_after: int | None
    error: str | None


LOST_ANSWER_WAYS = ("500", "drop")


@dataclass
class LostAnswer:
    """Calls of a method to perform and then lose the answer of: answer 500, or close the connection."""

    how: str
    remaining: int
    channel: str | None  # only calls to this channel (resolved: a user ID is their DM), or any


class AnswerDropped(Exception):
    """The call was performed; close the connection without answering it."""


def truthy(value: Any) -> bool:
    return str(value).lower() in {"1", "true", "yes"}


def decode_params(raw: dict[str, Any]) -> dict[str, Any]:
    params = dict(raw)
    for key in JSON_PARAMS & params.keys():
        value = params[key]
        if isinstance(value, str) and value[:1] in "[{":
            with contextlib.suppress(ValueError):
                params[key] = json.loads(value)
    return params
