"""What every benchmark shares: the row format, the run options, the workspace and small statistics."""

from __future__ import annotations

import socket
import statistics
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bot.localslack.emulator import LocalUser

HOST = "127.0.0.1"
# The emulated workspace the benchmarks talk to: the group's channel, one organiser and one member.
GROUP_CHANNEL = "C0GROUP"
ORGANISER = LocalUser(id="U0ORG", name="ana", real_name="Ana Organiser")
MEMBER = LocalUser(id="U0MEM", name="bruno", real_name="Bruno Member")


@dataclass(frozen=True)
class RunConfig:
    """How a benchmark should run."""

    quick: bool = False


@dataclass(frozen=True)
class Row:
    """One measured figure, with its target and, where it has one, the baseline it is compared with."""

    benchmark: str
    metric: str
    value: float
    unit: str
    target: str | None = None
    baseline: str | None = None
    ratio: float | None = None
    ok: bool | None = None
    note: str | None = None  # how it was measured, when the metric's name does not say

    def as_dict(self) -> dict[str, Any]:
        """Return the row as plain JSON-ready data."""
        return asdict(self)


def failures_row(benchmark: str, failures: int) -> Row:
    """How many requests a server failed to answer: the target is none."""
    return Row(benchmark, "failed requests", failures, "requests", target="0", ok=failures == 0)


def shutdown_row(benchmark: str, exit_code: int | None, errors_logged: bool) -> Row:
    """How the bot's process ended when stopped: 0 and no error in its log."""
    return Row(
        benchmark,
        "clean shutdown exit code",
        exit_code if exit_code is not None else -1,
        "",
        target="0",
        ok=exit_code == 0 and not errors_logged,
    )


class BenchmarkError(Exception):
    """A benchmark could not measure what it set out to; the message says why."""


def bot_database_url(data_dir: Path) -> str:
    """Return the URL of the embedded SQLite store the bot keeps in `data_dir`."""
    return f"sqlite:///{data_dir / 'tci-bot.db'}"


def percentile(values: list[float], pct: int) -> float:
    """Return the `pct`-th percentile (1..99) of `values`."""
    if not values:
        raise ValueError("no values")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def free_port() -> int:
    """Return a TCP port on the loopback interface that nothing listens on just now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


# The servers every latency benchmark compares: the bot, and bare Bolt apps on the same server stack.
BOT = "bot"
BARE_DEFAULT = "bare Bolt defaults"
BARE_FLOOR = "bare Bolt pbr"


@dataclass(frozen=True)
class Sizes:
    """How many requests each scenario gets: unmeasured warm-up, then measured."""

    warmup: int
    measured: int
