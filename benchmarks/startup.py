"""Start-up time of `tci-bot run`: from spawning the process until GET /healthz answers 200.

Three kinds of start are taken in turn, round after round (10 rounds, 2 in a quick run), so that the
machine's busy moments fall on all of them alike:

- the bot in HTTP mode on a migrated SQLite store the size of a small group's, as after a restart
  (in a full run, one unmeasured start first warms the files it reads and lets the scheduler plan what
  it plans once; its stop counts);
- the bot's first start on an empty store: the migrations run before it answers;
- the bare Bolt app (Bolt's defaults) on the same server stack: the baseline.

Each process is stopped with SIGTERM once it answers, and the time from SIGTERM to its exit is measured
too: a restart under a process supervisor is the one and then the other. With nothing in flight a stop
takes about a second, so one still running 10 s after SIGTERM is killed (its threads' stacks logged first)
and counted. The median is the figure.
"""

from __future__ import annotations

import logging
import secrets
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.common import (
    BARE_DEFAULT,
    BOT,
    GROUP_CHANNEL,
    MEMBER,
    ORGANISER,
    Row,
    RunConfig,
    bot_database_url,
    shutdown_row,
)
from benchmarks.processes import ServerProcess, target_server
from benchmarks.seed import GroupSize, seed_group
from bot.localslack.emulator import SlackEmulator

logger = logging.getLogger(__name__)

NAME = "startup"
GROUP = GroupSize()
MIGRATED = f"{BOT}, migrated store"
EMPTY = f"{BOT}, first start on an empty store"
KINDS = (MIGRATED, EMPTY, BARE_DEFAULT)

# While the bot restarts, slash commands and button presses sent to it fail (Slack does not retry them)
# and events come back only after a minute: a supervisor's restart should take seconds.
STARTUP_TARGET_SECONDS = 5.0
HEALTHY_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 10.0  # idle, the bot stops in about a second


@dataclass(frozen=True)
class Plan:
    """How many starts of each kind."""

    rounds: int
    warm_up: bool  # one unmeasured start on the migrated store first


FULL = Plan(rounds=10, warm_up=True)
QUICK = Plan(rounds=2, warm_up=False)


@dataclass
class Starts:
    """What the starts of one kind measured."""

    healthy: list[float] = field(default_factory=list)  # seconds from spawn to the first 200 from /healthz
    stops: list[float] = field(default_factory=list)  # seconds from SIGTERM to exit
    exit_codes: list[int] = field(default_factory=list)
    errors_logged: bool = False

    @property
    def exit_code(self) -> int:
        """The first exit code that was not 0, or 0."""
        return next((code for code in self.exit_codes if code != 0), 0)

    @property
    def killed(self) -> int:
        """Stops that did not end by themselves within the stop timeout."""
        return sum(1 for code in self.exit_codes if code < 0)


def start_once(process: ServerProcess, into: Starts) -> None:
    """Start `process`, time it until healthy, stop it and time the stop."""
    process.start()
    try:
        into.healthy.append(process.wait_healthy(HEALTHY_TIMEOUT_SECONDS))
        stopping = time.perf_counter()
        into.exit_codes.append(process.stop(STOP_TIMEOUT_SECONDS))
        into.stops.append(time.perf_counter() - stopping)
    finally:
        if process.running:
            process.kill()
    code = into.exit_codes[-1] if into.exit_codes else None
    if code is not None and code < 0:
        logger.warning("%s had to be killed (exit code %d)", process.name, code)
    elif code:
        logger.warning("%s exited with code %s; its output:\n%s", process.name, code, process.log_tail())
    elif "Traceback" in process.log_tail():
        into.errors_logged = True
        logger.warning("%s logged errors; the end of its output:\n%s", process.name, process.log_tail())


class _Bench:
    """The emulator, a scratch directory with the seeded store, and a signing secret."""

    def __init__(self, emulator: SlackEmulator, workdir: Path) -> None:
        self.emulator = emulator
        self.workdir = workdir
        self.signing_secret = secrets.token_hex(16)
        self.migrated_dir = workdir / "bot-data"
        self.empties = 0

    def seed(self) -> None:
        """Fill the store the migrated starts use."""
        started = time.perf_counter()
        seed_group(
            bot_database_url(self.migrated_dir),
            now=datetime.now(UTC),
            member_id=MEMBER.id,
            organiser_id=ORGANISER.id,
            size=GROUP,
        )
        logger.info("seeded %s in %.2f s", GROUP.describe(), time.perf_counter() - started)

    def process(self, kind: str) -> ServerProcess:
        """A fresh process of `kind` on a free port; an empty store gets a directory of its own."""
        if kind == MIGRATED:
            data_dir = self.migrated_dir
        else:
            self.empties += 1
            data_dir = self.workdir / f"empty-{self.empties}"
        target = BARE_DEFAULT if kind == BARE_DEFAULT else BOT
        return target_server(
            target, emulator=self.emulator, signing_secret=self.signing_secret, workdir=self.workdir, data_dir=data_dir
        )


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _ratio(value: float, base: float) -> float | None:
    return round(value / base, 3) if base > 0 else None


def _benchmark(kind: str) -> str:
    return f"{NAME}: {kind}"


def _rows(results: dict[str, Starts], plan: Plan) -> list[Row]:
    bare = results[BARE_DEFAULT]
    bare_healthy, bare_stop = _median(bare.healthy), _median(bare.stops)
    baseline = _benchmark(BARE_DEFAULT)
    setting = (
        f"median of {plan.rounds} starts, the kinds taken in turn; HTTP mode, SQLite; "
        "a supervisor's restart leaves Slack unanswered for as long"
    )
    what = {
        MIGRATED: f"store migrated and seeded: {GROUP.describe()}",
        EMPTY: "every migration runs before /healthz answers",
    }
    rows: list[Row] = []
    for kind in (MIGRATED, EMPTY):
        starts = results[kind]
        median = _median(starts.healthy)
        rows += [
            Row(
                _benchmark(kind),
                "spawn to healthy, median",
                round(median, 3),
                "s",
                target=f"< {STARTUP_TARGET_SECONDS:g} s",
                baseline=baseline,
                ratio=_ratio(median, bare_healthy),
                ok=median < STARTUP_TARGET_SECONDS and max(starts.healthy) < 2 * STARTUP_TARGET_SECONDS,
                note=f"{setting}; {what[kind]}; slowest {max(starts.healthy):.2f} s",
            ),
            Row(
                _benchmark(kind),
                "SIGTERM to exit, median",
                round(_median(starts.stops), 3),
                "s",
                baseline=baseline,
                ratio=_ratio(_median(starts.stops), bare_stop),
                note=f"nothing in flight; slowest {max(starts.stops):.2f} s",
            ),
            shutdown_row(_benchmark(kind), starts.exit_code, starts.errors_logged),
            Row(
                _benchmark(kind),
                "stops that had to be killed",
                starts.killed,
                "stops",
                target="0",
                ok=starts.killed == 0,
                note=(
                    f"of {len(starts.exit_codes)} stops, each SIGTERM sent as soon as /healthz answered; "
                    f"one still running {STOP_TIMEOUT_SECONDS:g} s after SIGTERM has its threads' stacks logged"
                ),
            ),
        ]
    rows += [
        Row(
            baseline,
            "spawn to healthy, median",
            round(bare_healthy, 3),
            "s",
            note=f"median of {plan.rounds} starts; slowest {max(bare.healthy):.2f} s",
        ),
        Row(baseline, "SIGTERM to exit, median", round(bare_stop, 3), "s"),
    ]
    return rows


def run(config: RunConfig) -> list[Row]:
    """Time `tci-bot run` from spawn to a healthy /healthz, on a migrated and on an empty store, beside bare Bolt."""
    plan = QUICK if config.quick else FULL
    results = {kind: Starts() for kind in KINDS}
    with (
        tempfile.TemporaryDirectory(prefix="tci-bench-") as workdir,
        SlackEmulator(users=(ORGANISER, MEMBER)) as emulator,
    ):
        emulator.add_channel(GROUP_CHANNEL, "learning-group")
        bench = _Bench(emulator, Path(workdir))
        bench.seed()
        warm = Starts()
        if plan.warm_up:  # unmeasured: warms the files read and lets the scheduler plan what it plans once
            start_once(bench.process(MIGRATED), warm)
        for round_ in range(plan.rounds):
            for kind in KINDS:
                start_once(bench.process(kind), results[kind])
            logger.info(
                "round %d: %s",
                round_ + 1,
                ", ".join(f"{kind} {results[kind].healthy[-1]:.2f} s" for kind in KINDS),
            )
    results[MIGRATED].exit_codes += warm.exit_codes
    results[MIGRATED].errors_logged |= warm.errors_logged
    return _rows(results, plan)
