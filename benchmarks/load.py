"""Signed Slack requests from concurrent clients, each on its own keep-alive connection, timed one by one.

A client sends its next request once the previous one is acknowledged, or, when the burst waits for
answers, once the previous answer has reached Slack: each client is one person waiting for the bot.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import hmac
import http.client
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from benchmarks.common import HOST
from bot.localslack.emulator import SlackEmulator

EVENTS_PATH = "/slack/events"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
JSON_CONTENT_TYPE = "application/json"
VERIFICATION_TOKEN = "local-verification-token"
REQUEST_TIMEOUT_SECONDS = 10.0
ANSWER_TIMEOUT_SECONDS = 10.0  # the longest a client waits for an answer after the acknowledgement
JOIN_MARGIN_SECONDS = REQUEST_TIMEOUT_SECONDS + ANSWER_TIMEOUT_SECONDS + 5.0


def sign(signing_secret: str, body: str, timestamp: int) -> dict[str, str]:
    """Return the signature headers Slack sends with `body`: v0= and the HMAC-SHA256 of v0:ts:body."""
    base = f"v0:{timestamp}:{body}".encode()
    digest = hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}"}


def slash_command_body(
    emulator: SlackEmulator,
    *,
    user_id: str,
    command: str,
    text: str,
    channel: str,
    response_url: str | None = None,
) -> str:
    """Return the form body Slack posts for a slash command, with a fresh (or the given) response_url and trigger_id."""
    user = emulator.users.get(user_id)
    form = {
        "token": VERIFICATION_TOKEN,
        "team_id": emulator.team_id,
        "team_domain": emulator.team_domain,
        "channel_id": channel,
        "channel_name": emulator.channel_name(channel),
        "user_id": user_id,
        "user_name": user.name if user else user_id,
        "command": command,
        "text": text,
        "api_app_id": emulator.app_id,
        "is_enterprise_install": "false",
        "response_url": response_url or emulator.response_url(channel=channel, user=user_id),
        "trigger_id": emulator.new_trigger_id(user_id),
    }
    return urlencode(form)


def button_body(
    emulator: SlackEmulator,
    *,
    user_id: str,
    action_id: str,
    value: str,
    channel: str,
    message_ts: str,
    response_url: str | None = None,
) -> str:
    """Return the form body Slack posts when `user_id` presses a button in a message of `channel`."""
    user = emulator.users.get(user_id)
    name = user.name if user else user_id
    payload = {
        "type": "block_actions",
        "user": {"id": user_id, "username": name, "name": name, "team_id": emulator.team_id},
        "api_app_id": emulator.app_id,
        "token": VERIFICATION_TOKEN,
        "team": {"id": emulator.team_id, "domain": emulator.team_domain},
        "enterprise": None,
        "is_enterprise_install": False,
        "trigger_id": emulator.new_trigger_id(user_id),
        "channel": {"id": channel, "name": emulator.channel_name(channel)},
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": False},
        "response_url": response_url or emulator.response_url(channel=channel, user=user_id, message_ts=message_ts),
        "state": {"values": {}},
        "actions": [
            {
                "action_id": action_id,
                "block_id": "actions",
                "type": "button",
                "value": value,
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


def mention_event(emulator: SlackEmulator, *, user_id: str, channel: str, text: str) -> dict[str, Any]:
    """Return an app_mention event for a new message of `user_id` in `channel`; its ts is unique."""
    full_text = f"<@{emulator.bot_user_id}> {text}"
    ts = emulator.post_user_message(channel, user_id, full_text)
    return {
        "type": "app_mention",
        "user": user_id,
        "text": full_text,
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        "team": emulator.team_id,
    }


def event_body(emulator: SlackEmulator, event: dict[str, Any], *, event_id: str) -> str:
    """Return the JSON body Slack posts to deliver `event` through the Events API."""
    envelope = {
        "token": VERIFICATION_TOKEN,
        "team_id": emulator.team_id,
        "api_app_id": emulator.app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": emulator.team_id,
                "user_id": emulator.bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }
    return json.dumps(envelope)


@dataclass(frozen=True)
class Request:
    """One signed request to send: its body, how the body is encoded, and the key its later answer is known by."""

    body: str
    content_type: str = FORM_CONTENT_TYPE
    key: str = ""


# Given a request, its acknowledgement's body and when that came (perf_counter), block until the answer
# reaches Slack and return when it did, or None when it did not come in time.
AnswerWait = Callable[[Request, bytes, float], float | None]


@dataclass
class LoadResult:
    """What a burst of requests measured: acknowledgement and answer latencies, failures, wall time."""

    requests: int
    clients: int
    wall_seconds: float
    latencies_ms: list[float] = field(default_factory=list)  # request sent to acknowledgement received
    answer_ms: list[float] = field(default_factory=list)  # request sent to answer received by Slack
    failures: int = 0
    first_failure: str | None = None

    @property
    def throughput(self) -> float:
        """Requests per second: all requests sent over the wall time of the burst."""
        return self.requests / self.wall_seconds if self.wall_seconds > 0 else 0.0


@dataclass
class _ClientTally:
    latencies_ms: list[float] = field(default_factory=list)
    answer_ms: list[float] = field(default_factory=list)
    failures: int = 0
    first_failure: str | None = None

    def fail(self, reason: str, count: int = 1) -> None:
        self.failures += count
        if self.first_failure is None:
            self.first_failure = reason


def _client(
    port: int,
    signing_secret: str,
    requests: list[Request],
    expect: bytes,
    wait_answer: AnswerWait | None,
    start: threading.Barrier,
    deadline: float,
    tally: _ClientTally,
) -> None:
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_SECONDS)
    try:
        start.wait(timeout=REQUEST_TIMEOUT_SECONDS)
        for index, request in enumerate(requests):
            if time.monotonic() >= deadline:
                tally.fail("the burst ran out of time", len(requests) - index)
                return
            data = request.body.encode()
            headers = {"Content-Type": request.content_type, **sign(signing_secret, request.body, int(time.time()))}
            sent = time.perf_counter()
            try:
                conn.request("POST", EVENTS_PATH, body=data, headers=headers)
                response = conn.getresponse()
                answer = response.read()
            except (OSError, http.client.HTTPException) as error:
                conn.close()
                tally.fail(f"{error.__class__.__name__}: {error}")
                continue
            acked = time.perf_counter()
            if response.will_close:
                conn.close()
            if response.status != 200:
                tally.fail(f"HTTP {response.status}: {answer[:200]!r}")
                continue
            if expect not in answer:
                tally.fail(f"unexpected answer: {answer[:200]!r}")
                continue
            tally.latencies_ms.append((acked - sent) * 1000.0)
            if wait_answer is not None:
                arrived = wait_answer(request, answer, acked)
                if arrived is None:
                    tally.fail(f"no answer reached Slack for {request.key or 'a request'}")
                else:
                    tally.answer_ms.append((arrived - sent) * 1000.0)
    except threading.BrokenBarrierError:
        tally.fail("the clients did not start together", len(requests))
    finally:
        conn.close()


def run_burst(
    port: int,
    signing_secret: str,
    bodies: list[str],
    *,
    expect: bytes,
    clients: int,
    time_limit: float,
) -> LoadResult:
    """Send form `bodies` to 127.0.0.1:`port` from `clients` threads at once; each answer must be 200 with `expect`."""
    requests = [Request(body) for body in bodies]
    return run_requests(port, signing_secret, requests, expect=expect, clients=clients, time_limit=time_limit)


@contextlib.contextmanager
def _without_collections() -> Iterator[None]:
    """Hold this process's cyclic garbage collector for the length of a burst.

    The clients share this process with the emulator, which keeps every call and delivery it is sent:
    as they pile up, each full collection here stops every client and the emulator together, for longer
    the more there is (0.07 s, then 0.2 s, every second or two of a `/meetings` burst), and the server
    under test would be charged with the wait, the more so the larger its answers. Reference counting
    still frees what the burst drops; the collection runs once the burst is over.
    """
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        gc.collect()


def run_requests(
    port: int,
    signing_secret: str,
    requests: list[Request],
    *,
    expect: bytes,
    clients: int,
    time_limit: float,
    wait_answer: AnswerWait | None = None,
) -> LoadResult:
    """Send `requests` from `clients` threads at once; with `wait_answer`, each client also waits for each answer."""
    shares = [requests[i::clients] for i in range(clients)]
    tallies = [_ClientTally() for _ in range(clients)]
    start = threading.Barrier(clients + 1)
    deadline = time.monotonic() + time_limit
    threads = [
        threading.Thread(
            target=_client,
            args=(port, signing_secret, share, expect, wait_answer, start, deadline, tally),
            name=f"bench-client-{i}",
            daemon=True,
        )
        for i, (share, tally) in enumerate(zip(shares, tallies, strict=True))
    ]
    with _without_collections():
        for thread in threads:
            thread.start()
        with contextlib.suppress(threading.BrokenBarrierError):
            start.wait(timeout=REQUEST_TIMEOUT_SECONDS)
        began = time.perf_counter()
        for thread in threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()) + JOIN_MARGIN_SECONDS)
        wall = time.perf_counter() - began
    result = LoadResult(requests=len(requests), clients=clients, wall_seconds=wall)
    for thread, tally in zip(threads, tallies, strict=True):
        if thread.is_alive():
            tally.fail("a client did not finish in time")
        result.latencies_ms.extend(tally.latencies_ms)
        result.answer_ms.extend(tally.answer_ms)
        result.failures += tally.failures
        result.first_failure = result.first_failure or tally.first_failure
    return result
