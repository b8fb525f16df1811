"""Signed Slack requests from concurrent clients, each on its own keep-alive connection, timed one by one."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import http.client
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from benchmarks.common import HOST
from bot.localslack.emulator import SlackEmulator

EVENTS_PATH = "/slack/events"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
VERIFICATION_TOKEN = "local-verification-token"
REQUEST_TIMEOUT_SECONDS = 10.0
JOIN_MARGIN_SECONDS = REQUEST_TIMEOUT_SECONDS + 5.0


def sign(signing_secret: str, body: str, timestamp: int) -> dict[str, str]:
    """Return the signature headers Slack sends with `body`: v0= and the HMAC-SHA256 of v0:ts:body."""
    base = f"v0:{timestamp}:{body}".encode()
    digest = hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}"}


def slash_command_body(emulator: SlackEmulator, *, user_id: str, command: str, text: str, channel: str) -> str:
    """Return the form body Slack posts for a slash command, with a fresh response_url and trigger_id."""
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
        "response_url": emulator.response_url(channel=channel, user=user_id),
        "trigger_id": emulator.new_trigger_id(user_id),
    }
    return urlencode(form)


@dataclass
class LoadResult:
    """What a burst of requests measured: per-request latencies of the good answers, failures, wall time."""

    requests: int
    clients: int
    wall_seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    failures: int = 0
    first_failure: str | None = None

    @property
    def throughput(self) -> float:
        """Requests per second: all requests sent over the wall time of the burst."""
        return self.requests / self.wall_seconds if self.wall_seconds > 0 else 0.0


@dataclass
class _ClientTally:
    latencies_ms: list[float] = field(default_factory=list)
    failures: int = 0
    first_failure: str | None = None

    def fail(self, reason: str, count: int = 1) -> None:
        self.failures += count
        if self.first_failure is None:
            self.first_failure = reason


def _client(
    port: int,
    signing_secret: str,
    bodies: list[str],
    expect: bytes,
    start: threading.Barrier,
    deadline: float,
    tally: _ClientTally,
) -> None:
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_SECONDS)
    try:
        start.wait(timeout=REQUEST_TIMEOUT_SECONDS)
        for index, body in enumerate(bodies):
            if time.monotonic() >= deadline:
                tally.fail("the burst ran out of time", len(bodies) - index)
                return
            data = body.encode()
            headers = {"Content-Type": FORM_CONTENT_TYPE, **sign(signing_secret, body, int(time.time()))}
            sent = time.perf_counter()
            try:
                conn.request("POST", EVENTS_PATH, body=data, headers=headers)
                response = conn.getresponse()
                answer = response.read()
            except (OSError, http.client.HTTPException) as error:
                conn.close()
                tally.fail(f"{error.__class__.__name__}: {error}")
                continue
            elapsed_ms = (time.perf_counter() - sent) * 1000.0
            if response.will_close:
                conn.close()
            if response.status != 200:
                tally.fail(f"HTTP {response.status}: {answer[:200]!r}")
            elif expect not in answer:
                tally.fail(f"unexpected answer: {answer[:200]!r}")
            else:
                tally.latencies_ms.append(elapsed_ms)
    except threading.BrokenBarrierError:
        tally.fail("the clients did not start together", len(bodies))
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
    """Send `bodies` to 127.0.0.1:`port` from `clients` threads at once; each answer must be 200 holding `expect`."""
    shares = [bodies[i::clients] for i in range(clients)]
    tallies = [_ClientTally() for _ in range(clients)]
    start = threading.Barrier(clients + 1)
    deadline = time.monotonic() + time_limit
    threads = [
        threading.Thread(
            target=_client,
            args=(port, signing_secret, share, expect, start, deadline, tally),
            name=f"bench-client-{i}",
            daemon=True,
        )
        for i, (share, tally) in enumerate(zip(shares, tallies, strict=True))
    ]
    for thread in threads:
        thread.start()
    with contextlib.suppress(threading.BrokenBarrierError):
        start.wait(timeout=REQUEST_TIMEOUT_SECONDS)
    began = time.perf_counter()
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()) + JOIN_MARGIN_SECONDS)
    wall = time.perf_counter() - began
    result = LoadResult(requests=len(bodies), clients=clients, wall_seconds=wall)
    for thread, tally in zip(threads, tallies, strict=True):
        if thread.is_alive():
            tally.fail("a client did not finish in time")
        result.latencies_ms.extend(tally.latencies_ms)
        result.failures += tally.failures
        result.first_failure = result.first_failure or tally.first_failure
    return result
