"""Costs as the group grows: the same answers from stores of several sizes, and the largest against the smallest.

A question in plain words and `/meetings` are answered from stores of 100, 1,000 and 10,000 meetings
(twenty registrations a meeting, two thirds of the meetings still to come), and `/practice search` from
10,000 and 100,000 practices, each store seeded before `tci-bot run` starts on it (embedded SQLite).
Each answer's p99 is printed at every size, with the ratio of the largest store's to the smallest's:
a cost that stays flat keeps it under 2. The requests and their timing are those of meetings_scale and
practices_scale (4 clients, each waiting for its answer).
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import meetings_scale, practices_scale
from benchmarks.common import (
    BOT,
    GROUP_CHANNEL,
    MEMBER,
    ORGANISER,
    Row,
    RunConfig,
    Sizes,
    bot_database_url,
    percentile,
)
from benchmarks.databases import settle
from benchmarks.seed import StoreSize
from benchmarks.seed_practices import seed_practices
from bot.localslack.emulator import SlackEmulator

logger = logging.getLogger(__name__)

NAME = "growth"
RATIO_TARGET = 2.0  # the largest store's p99 over the smallest's
REGISTRATIONS_PER_MEETING = 20


@dataclass(frozen=True)
class Plan:
    """The store sizes and how many requests each answer gets at each size."""

    meetings: tuple[int, ...]
    practices: tuple[int, ...]
    requests: Sizes


FULL = Plan(meetings=(100, 1_000, 10_000), practices=(10_000, 100_000), requests=Sizes(warmup=50, measured=400))
QUICK = Plan(meetings=(100, 1_000), practices=(1_000, 5_000), requests=Sizes(warmup=5, measured=30))


@dataclass(frozen=True)
class Measured:
    """One answer's p99 at one store size, and the requests that failed there."""

    size: int
    p99_ms: float
    failures: int


@contextlib.contextmanager
def _fresh() -> Iterator[tuple[meetings_scale.AnswerBoard, SlackEmulator, Path, str]]:
    """An answer board, the emulator watching it (with the question channels), a scratch directory, a store."""
    board = meetings_scale.AnswerBoard()
    with (
        tempfile.TemporaryDirectory(prefix="tci-bench-") as tmp,
        meetings_scale.WatchedEmulator(board, users=(ORGANISER, MEMBER)) as emulator,
    ):
        emulator.add_channel(GROUP_CHANNEL, "learning-group")
        for number, channel in enumerate(meetings_scale.QUESTION_CHANNELS):
            emulator.add_channel(channel, f"questions-{number}")
        workdir = Path(tmp)
        (workdir / "bot-data").mkdir()
        yield board, emulator, workdir, bot_database_url(workdir / "bot-data")


def _meetings_answers(plan: Plan) -> dict[str, list[Measured]]:
    found: dict[str, list[Measured]] = {scenario.label: [] for scenario in meetings_scale.SCENARIOS}
    for count in plan.meetings:
        store = StoreSize(meetings=count, registrations=count * REGISTRATIONS_PER_MEETING, people=2_000)
        with _fresh() as (board, emulator, workdir, database_url):
            bench = meetings_scale._Bench(plan.requests, emulator, board, workdir, database_url, store=store)
            bench.seed()
            measurement = bench.measure(BOT, languages=False)
        for label, burst in measurement.bursts.items():
            found[label].append(Measured(count, percentile(burst.answer_ms, 99), burst.failures))
            logger.info("%s at %d meetings: answer p99 %.1f ms", label, count, found[label][-1].p99_ms)
    return found


def _search_answers(plan: Plan) -> list[Measured]:
    found: list[Measured] = []
    for count in plan.practices:
        with _fresh() as (board, emulator, workdir, database_url):
            seed_practices(database_url, now=datetime.now(UTC), count=count)
            settle(database_url)
            bench = practices_scale._Bench(plan.requests, emulator, board, workdir, database_url)
            burst = bench.measure(BOT).bursts[practices_scale.SEARCH_LABEL]
        found.append(Measured(count, percentile(burst.answer_ms, 99), burst.failures))
        logger.info("/practice search at %d practices: answer p99 %.1f ms", count, found[-1].p99_ms)
    return found


def _rows(label: str, unit: str, measured: Sequence[Measured], describe: Callable[[int], str]) -> list[Row]:
    benchmark = f"{NAME}: bot"
    rows = [
        Row(
            benchmark,
            f"answer p99 {label} at {describe(m.size)}",
            round(m.p99_ms, 3),
            "ms",
            ok=None if m.failures == 0 else False,
            note=f"{m.failures} failed" if m.failures else "",
        )
        for m in measured
    ]
    smallest, largest = measured[0], measured[-1]
    ratio = largest.p99_ms / smallest.p99_ms if smallest.p99_ms > 0 else float("nan")
    rows.append(
        Row(
            benchmark,
            f"answer p99 {label}, {largest.size:,} over {smallest.size:,} {unit}",
            round(ratio, 3),
            "x",
            target=f"< {RATIO_TARGET:g}",
            baseline=f"{NAME}: bot at {describe(smallest.size)}",
            ratio=round(ratio, 3),
            ok=all(m.failures == 0 for m in measured) and ratio < RATIO_TARGET,
            note=f"{largest.size // smallest.size}x the store; the same requests at each size",
        )
    )
    return rows


def run(config: RunConfig) -> list[Row]:
    """Answer the same requests from stores of each size; print each p99 and the largest over the smallest."""
    plan = QUICK if config.quick else FULL
    rows: list[Row] = []
    for label, measured in _meetings_answers(plan).items():
        rows += _rows(label, "meetings", measured, lambda size: f"{size:,} meetings")
    rows += _rows(practices_scale.SEARCH_LABEL, "practices", _search_answers(plan), lambda size: f"{size:,} practices")
    return rows
