"""Several processes: `tci-bot run` once, then twice on one port (SHARE_PORT=on), on one PostgreSQL database.

The store is seeded as in meetings_scale (1,000 meetings, 20,000 registrations). The same clients send
the same requests (a question in plain words, answered in its thread through the outbox, and
`/meetings`, answered at its response_url) to one process and then to two behind the same port, where
the kernel spreads the connections between them. Throughput and the answer's p99 are printed side by
side, with the ratio of two processes' to one's. The load comes from this process, on the same CPUs.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
import time
from pathlib import Path

from benchmarks import meetings_scale
from benchmarks.common import BOT, GROUP_CHANNEL, MEMBER, ORGANISER, Row, RunConfig, Sizes, free_port, percentile
from benchmarks.databases import Engine, database, postgres_unavailable, skipped_rows
from benchmarks.load import LoadResult
from benchmarks.processes import bot_server, serving

logger = logging.getLogger(__name__)

NAME = "several processes"
PROCESSES = (1, 2)
HEALTHY_TIMEOUT_SECONDS = 60.0
LISTENING_TIMEOUT_SECONDS = 30.0
FULL = Sizes(warmup=100, measured=1000)
QUICK = Sizes(warmup=5, measured=30)
_LISTEN = "0A"  # the state of a listening socket in /proc/net/tcp


def listeners(port: int) -> int:
    """How many sockets listen on `port` on this machine (Linux's /proc/net/tcp and tcp6)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as lines:
            for line in list(lines)[1:]:
                local, state = line.split()[1], line.split()[3]
                count += state == _LISTEN and int(local.rsplit(":", 1)[1], 16) == port
    return count


def _wait_listening(port: int, count: int) -> None:
    deadline = time.monotonic() + LISTENING_TIMEOUT_SECONDS
    while listeners(port) < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{count} processes did not all listen on port {port}")
        time.sleep(0.05)


def _measure(bench: meetings_scale._Bench, workdir: Path, count: int) -> dict[str, LoadResult]:
    port = free_port()
    processes = [
        bot_server(
            f"{BOT} {n} of {count}",
            emulator=bench.emulator,
            signing_secret=bench.signing_secret,
            workdir=workdir,
            data_dir=bench.data_dir,
            group_channel=GROUP_CHANNEL,
            organiser_ids=(ORGANISER.id,),
            database_url=bench.database_url,
            settings={**meetings_scale.UNPACED, "SHARE_PORT": "on"},
            port=port,
        )
        for n in range(1, count + 1)
    ]
    bursts: dict[str, LoadResult] = {}
    with contextlib.ExitStack() as stack:
        for started, process in enumerate(processes, start=1):
            stack.enter_context(serving(process, healthy_timeout=HEALTHY_TIMEOUT_SECONDS))
            _wait_listening(port, started)
        for scenario in meetings_scale.SCENARIOS:
            bench.burst(port, scenario, bench.sizes.warmup)
            burst = bench.burst(port, scenario, bench.sizes.measured)
            bursts[scenario.label] = burst
            logger.info(
                "%s, %s: %d requests in %.2f s (%.0f a second), %d failed",
                _processes(count),
                scenario.label,
                burst.requests,
                burst.wall_seconds,
                burst.throughput,
                burst.failures,
            )
    return bursts


def _processes(count: int) -> str:
    return f"{count} process" if count == 1 else f"{count} processes"


def _rows(results: dict[int, dict[str, LoadResult]]) -> list[Row]:
    benchmark = f"{NAME}: bot on {Engine.POSTGRESQL.value}"
    one, two = results[PROCESSES[0]], results[PROCESSES[-1]]
    rows: list[Row] = []
    for label in one:
        for count, bursts in results.items():
            burst = bursts[label]
            ok = None if burst.failures == 0 else False
            note = f"{meetings_scale.CLIENTS} clients; {burst.failures} failed"
            rows += [
                Row(benchmark, f"throughput {label}, {_processes(count)}", round(burst.throughput, 1), "req/s", ok=ok),
                Row(
                    benchmark,
                    f"answer p99 {label}, {_processes(count)}",
                    round(percentile(burst.answer_ms, 99), 3),
                    "ms",
                    ok=ok,
                    note=note,
                ),
            ]
        ratio = two[label].throughput / one[label].throughput if one[label].throughput else float("nan")
        rows.append(
            Row(
                benchmark,
                f"throughput {label}, {PROCESSES[-1]} processes over {PROCESSES[0]}",
                round(ratio, 3),
                "x",
                baseline=f"{benchmark}, {PROCESSES[0]} process",
                ratio=round(ratio, 3),
                note="one port (SO_REUSEPORT), one database; the clients share the machine's CPUs",
            )
        )
    return rows


def run(config: RunConfig) -> list[Row]:
    """Measure one process, then two on one port, on one PostgreSQL database."""
    if (reason := postgres_unavailable()) is not None:
        return skipped_rows(NAME, reason)
    sizes = QUICK if config.quick else FULL
    board = meetings_scale.AnswerBoard()
    results: dict[int, dict[str, LoadResult]] = {}
    with (
        tempfile.TemporaryDirectory(prefix="tci-bench-") as tmp,
        database(Engine.POSTGRESQL, Path(tmp) / "bot-data") as database_url,
        meetings_scale.WatchedEmulator(board, users=(ORGANISER, MEMBER)) as emulator,
    ):
        emulator.add_channel(GROUP_CHANNEL, "learning-group")
        for number, channel in enumerate(meetings_scale.QUESTION_CHANNELS):
            emulator.add_channel(channel, f"questions-{number}")
        bench = meetings_scale._Bench(sizes, emulator, board, Path(tmp), database_url)
        bench.seed()
        for count in PROCESSES:
            results[count] = _measure(bench, Path(tmp), count)
    return _rows(results)
