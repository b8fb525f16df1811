"""Acknowledgement latency of signed slash commands: the bot against bare Bolt apps on the same server stack.

Each server runs in its own process, so the clients' threads never share its interpreter lock.
The bot answers `/tci help` and `/meetings help` in the acknowledgement itself, so these figures are
Bolt's request handling plus what the bot adds to it (middleware, routing, the organiser lookup).
"""

from __future__ import annotations

import logging
import secrets
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.common import (
    BARE_DEFAULT,
    BARE_FLOOR,
    BOT,
    GROUP_CHANNEL,
    MEMBER,
    ORGANISER,
    Row,
    RunConfig,
    Sizes,
    failures_row,
    percentile,
    shutdown_row,
)
from benchmarks.load import LoadResult, run_burst, slash_command_body
from benchmarks.processes import ServerProcess, bare_server, bot_server, serving
from bot.localslack.emulator import SlackEmulator

logger = logging.getLogger(__name__)

NAME = "ack latency"
CLIENTS = 8
COMMANDS: tuple[tuple[str, str], ...] = (("/tci", "help"), ("/meetings", "help"))

ACK_RATIO_TARGET = 1.3  # the acknowledgement's p99 at most this many times bare Bolt pbr's
STARTUP_TARGET_SECONDS = 5.0
THROUGHPUT_TARGET_RATIO = 0.8
HEALTHY_TIMEOUT_SECONDS = 30.0
MIN_BURST_SECONDS = 60.0
SLOWEST_EXPECTED_RPS = 25.0


FULL = Sizes(warmup=200, measured=3000)
QUICK = Sizes(warmup=200, measured=400)


@dataclass(frozen=True)
class Target:
    """A server under test and the answer it gives to every command."""

    label: str
    expect: Callable[[str], bytes]
    is_bot: bool = False


@dataclass
class Measurement:
    """What one server measured: start-up, a burst per command, and how it stopped."""

    startup_seconds: float = 0.0
    bursts: dict[str, LoadResult] = field(default_factory=dict)
    warmup_failures: int = 0
    exit_code: int | None = None

    @property
    def failures(self) -> int:
        """Failed requests, warm-up included."""
        return self.warmup_failures + sum(burst.failures for burst in self.bursts.values())


TARGETS = (
    Target(BOT, expect=lambda command: f"*{command}*".encode(), is_bot=True),
    Target(BARE_DEFAULT, expect=lambda _command: b"ok"),
    Target(BARE_FLOOR, expect=lambda _command: b"ok"),
)


def _label(command: str, text: str) -> str:
    return f"{command} {text}".strip()


def _benchmark(target: str) -> str:
    return f"{NAME}: {target}"


class _Bench:
    """One run: the emulator, a scratch directory, a signing secret, and the servers one after another."""

    def __init__(self, sizes: Sizes, emulator: SlackEmulator, workdir: Path) -> None:
        self.sizes = sizes
        self.emulator = emulator
        self.workdir = workdir
        self.signing_secret = secrets.token_hex(16)

    def server(self, target: Target) -> ServerProcess:
        """Prepare the process of `target` on a free port, with only the settings it needs."""
        if target.is_bot:
            return bot_server(
                target.label,
                emulator=self.emulator,
                signing_secret=self.signing_secret,
                workdir=self.workdir,
                data_dir=self.workdir / "bot-data",
                group_channel=GROUP_CHANNEL,
                organiser_ids=(ORGANISER.id,),
            )
        return bare_server(
            target.label,
            emulator=self.emulator,
            signing_secret=self.signing_secret,
            workdir=self.workdir,
            process_before_response=target.label == BARE_FLOOR,
        )

    def bodies(self, command: str, text: str, count: int) -> list[str]:
        """Build `count` slash command bodies, each with its own response_url and trigger_id."""
        return [
            slash_command_body(self.emulator, user_id=MEMBER.id, command=command, text=text, channel=GROUP_CHANNEL)
            for _ in range(count)
        ]

    def burst(self, port: int, bodies: list[str], expect: bytes) -> LoadResult:
        """Send `bodies` from the concurrent clients, bounded in time."""
        time_limit = max(MIN_BURST_SECONDS, len(bodies) / SLOWEST_EXPECTED_RPS)
        return run_burst(port, self.signing_secret, bodies, expect=expect, clients=CLIENTS, time_limit=time_limit)

    def measure(self, target: Target) -> Measurement:
        """Start `target`, warm it up and measure each command, then stop it."""
        measurement = Measurement()
        process = self.server(target)
        with serving(process, healthy_timeout=HEALTHY_TIMEOUT_SECONDS) as lifetime:
            for command, text in COMMANDS:
                label = _label(command, text)
                expect = target.expect(command)
                warmup = self.burst(process.port, self.bodies(command, text, self.sizes.warmup), expect)
                measurement.warmup_failures += warmup.failures
                burst = self.burst(process.port, self.bodies(command, text, self.sizes.measured), expect)
                measurement.bursts[label] = burst
                logger.info(
                    "%s %s: %d requests in %.2f s, %d failed%s",
                    target.label,
                    label,
                    burst.requests,
                    burst.wall_seconds,
                    burst.failures,
                    f" (first: {burst.first_failure})" if burst.first_failure else "",
                )
                if warmup.first_failure:
                    logger.warning("%s %s warm-up: first failure: %s", target.label, label, warmup.first_failure)
        measurement.startup_seconds = lifetime.startup_seconds
        measurement.exit_code = lifetime.exit_code
        return measurement


def _rows(results: dict[str, Measurement]) -> list[Row]:
    bot = results[BOT]
    floor = results[BARE_FLOOR]
    bare = {label: results[label] for label in (BARE_DEFAULT, BARE_FLOOR)}
    bot_ok = bot.failures == 0
    rows = [
        Row(
            _benchmark(BOT),
            "start-up to healthy",
            round(bot.startup_seconds, 3),
            "s",
            target=f"< {STARTUP_TARGET_SECONDS:g} s",
            ok=bot.startup_seconds < STARTUP_TARGET_SECONDS,
        )
    ]
    for command, text in COMMANDS:
        label = _label(command, text)
        burst = bot.bursts[label]
        p50, p99 = _latency(burst, 50), _latency(burst, 99)
        floor_p99 = _latency(floor.bursts[label], 99)
        fastest = max(bare, key=lambda name: bare[name].bursts[label].throughput)
        ratio = burst.throughput / bare[fastest].bursts[label].throughput
        rows += [
            Row(
                _benchmark(BOT),
                f"ack p50 {label}",
                round(p50, 3),
                "ms",
                ok=None if bot_ok else False,
            ),
            Row(
                _benchmark(BOT),
                f"ack p99 {label}",
                round(p99, 3),
                "ms",
                target=f"<= {ACK_RATIO_TARGET:g}x bare pbr",
                baseline=_benchmark(BARE_FLOOR),
                ratio=round(p99 / floor_p99, 3),
                ok=bot_ok and p99 / floor_p99 <= ACK_RATIO_TARGET,
            ),
            Row(
                _benchmark(BOT),
                f"throughput {label}",
                round(burst.throughput, 1),
                "req/s",
                target=f">= {THROUGHPUT_TARGET_RATIO:g}x fastest bare",
                baseline=_benchmark(fastest),
                ratio=round(ratio, 3),
                ok=bot_ok and ratio >= THROUGHPUT_TARGET_RATIO,
            ),
        ]
    rows += [
        failures_row(_benchmark(BOT), bot.failures),
        shutdown_row(_benchmark(BOT), bot.exit_code, errors_logged=False),
    ]
    for name, measurement in bare.items():
        baseline_ok = None if measurement.failures == 0 else False
        for command, text in COMMANDS:
            label = _label(command, text)
            burst = measurement.bursts[label]
            rows += [
                Row(_benchmark(name), f"ack p50 {label}", round(_latency(burst, 50), 3), "ms", ok=baseline_ok),
                Row(_benchmark(name), f"ack p99 {label}", round(_latency(burst, 99), 3), "ms", ok=baseline_ok),
                Row(_benchmark(name), f"throughput {label}", round(burst.throughput, 1), "req/s", ok=baseline_ok),
            ]
        rows.append(failures_row(_benchmark(name), measurement.failures))
    return rows


def _latency(burst: LoadResult, pct: int) -> float:
    return percentile(burst.latencies_ms, pct) if burst.latencies_ms else float("nan")


def run(config: RunConfig) -> list[Row]:
    """Measure the acknowledgement latency and throughput of the bot and of the bare Bolt apps."""
    sizes = QUICK if config.quick else FULL
    results: dict[str, Measurement] = {}
    with (
        tempfile.TemporaryDirectory(prefix="tci-bench-") as workdir,
        SlackEmulator(users=(ORGANISER, MEMBER)) as emulator,
    ):
        emulator.add_channel(GROUP_CHANNEL, "learning-group")
        bench = _Bench(sizes, emulator, Path(workdir))
        for target in TARGETS:
            results[target.label] = bench.measure(target)
        calls = Counter(call.method for call in emulator.calls)
        if calls:
            logger.info("Web API calls during the run: %s", ", ".join(f"{m} x{n}" for m, n in calls.most_common()))
    return _rows(results)
