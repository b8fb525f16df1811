"""RSVP presses written before they are acknowledged, and how soon the meeting's card shows them.

A hybrid meeting is announced in the group channel by `/meetings announce`; then distinct people
press "Attend in person" and "Attend online" on its card, in turn, so that every press records a new
registration (and owes the card's update) before its 200. The store also holds a busy group's
meetings and registrations (benchmarks.seed). On SQLite, and on PostgreSQL when a server answers
(see benchmarks.databases), this measures:

- the acknowledgement of each press, from 8 clients at once, beside the bare Bolt app
  (`process_before_response=True`) acknowledging the same block_actions payloads, on a server of its
  own measured in the same run just before the bot;
- the time from sending a press until the card in the emulator shows a count that includes it: each
  of 8 clients presses, then waits for the card to show its press before pressing again. Once a press
  is acknowledged, its place among the answers of its kind is read from the store (the answers to one
  meeting are committed one after another, under its lock); the card includes the press from the
  first version whose count of that kind reaches that place;
- what each person is told privately: "You're registered", or (when the store's wait ran out) that
  nothing was changed and to try again; every confirmed press, and no other, must be in the store;
- how soon after the burst the card shows the store's counts.

The sender updates a card no more than once a second in a channel (CHANNEL_POSTS_PER_SECOND), so a
press made while the card was just updated waits that long: that interval is the press-to-card floor.
"""

from __future__ import annotations

import logging
import secrets
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.cards import CardBoard, MeetingStore, PrivateAnswers
from benchmarks.common import (
    BARE_FLOOR,
    BOT,
    GROUP_CHANNEL,
    MEMBER,
    ORGANISER,
    BenchmarkError,
    Row,
    RunConfig,
    failures_row,
    percentile,
    shutdown_row,
)
from benchmarks.databases import Engine, database, postgres_unavailable, settle, skipped_rows
from benchmarks.load import ANSWER_TIMEOUT_SECONDS, LoadResult, Request, button_body, run_requests, slash_command_body
from benchmarks.processes import ServerProcess, serving, target_server
from benchmarks.seed import StoreSize, plan_as_the_bot_did, seed_store
from bot.config import DEFAULT_CHANNEL_POSTS_PER_SECOND
from bot.localslack.emulator import LocalUser, SlackEmulator
from bot.views.meetings import RSVP_IN_PERSON, RSVP_ONLINE

logger = logging.getLogger(__name__)

NAME = "rsvp"
CLIENTS = 8
ANSWERS = (RSVP_IN_PERSON, RSVP_ONLINE)
CONFIRMATION = "You're registered"  # how the private answer to a recorded press begins, in person or online

ACK_TARGET_RATIO = 1.3  # every kind of request is acknowledged within 1.3x the bare floor's p99
THROUGHPUT_TARGET_RATIO = 0.8
CARD_TARGET_RATIO = 2.0  # at most one update behind: the pace's interval, then the next update
SETTLE_TARGET_SECONDS = 60.0  # every card shows the store's counts within a minute
PACE_MS = 1000.0 / DEFAULT_CHANNEL_POSTS_PER_SECOND
HEALTHY_TIMEOUT_SECONDS = 30.0
ANNOUNCE_TIMEOUT_SECONDS = 10.0
MIN_BURST_SECONDS = 60.0
SLOWEST_EXPECTED_RPS = 10.0


@dataclass(frozen=True)
class Sizes:
    """Presses per phase: unmeasured warm-up, the measured burst, and each client's presses awaiting the card."""

    warmup: int
    measured: int
    card_rounds: int
    store: StoreSize

    @property
    def pressers(self) -> int:
        """How many distinct people press on the bot in one run."""
        return self.warmup + self.measured + CLIENTS * self.card_rounds


FULL = Sizes(warmup=50, measured=400, card_rounds=5, store=StoreSize())
QUICK = Sizes(warmup=10, measured=50, card_rounds=1, store=StoreSize(meetings=50, registrations=500, people=200))


@dataclass
class Measurement:
    """What one server measured; the card's figures only for the bot."""

    startup_seconds: float = 0.0
    warmup: LoadResult | None = None
    burst: LoadResult | None = None
    cards: LoadResult | None = None
    settle_seconds: float = float("nan")  # from the burst's end until the card showed the store's counts
    confirmed: set[str] = field(default_factory=set)  # told privately that their answer was recorded
    refused: dict[str, str] = field(default_factory=dict)  # told anything else, and what
    stored: set[str] = field(default_factory=set)  # those who pressed with a registration in the store
    exit_code: int | None = None
    errors_logged: bool = False
    extra_failures: list[str] = field(default_factory=list)

    @property
    def bursts(self) -> list[LoadResult]:
        """The bursts that ran."""
        return [burst for burst in (self.warmup, self.burst, self.cards) if burst is not None]

    @property
    def failures(self) -> int:
        """Presses not acknowledged (or whose card never came), and anything else that went wrong."""
        return sum(burst.failures for burst in self.bursts) + len(self.extra_failures)

    @property
    def acknowledged(self) -> int:
        """Presses answered 200."""
        return sum(len(burst.latencies_ms) for burst in self.bursts)


@dataclass(frozen=True)
class Floor:
    """The bare floor's measurement, and the engine whose run it was measured in."""

    engine: Engine
    measured: Measurement


def _pressers(count: int) -> list[LocalUser]:
    return [LocalUser(id=f"U0RSVP{n:05d}", name=f"rsvp{n}", real_name=f"Presser {n}") for n in range(1, count + 1)]


class _Bench:
    """One engine's run: the emulator, the card it shows, the store, and the servers one after another."""

    def __init__(
        self,
        sizes: Sizes,
        emulator: SlackEmulator,
        board: CardBoard,
        answers: PrivateAnswers,
        workdir: Path,
        database_url: str,
    ) -> None:
        self.sizes = sizes
        self.emulator = emulator
        self.board = board
        self.answers = answers
        self.workdir = workdir
        self.database_url = database_url
        self.signing_secret = secrets.token_hex(16)
        self.store = MeetingStore(database_url)
        self.people = [user.id for user in _pressers(sizes.pressers)]

    def seed(self) -> None:
        """A busy group's store, the meeting to press on, and the people who press."""
        now = datetime.now(UTC)
        seeded = seed_store(
            self.database_url, now=now, member_id=MEMBER.id, organiser_id=ORGANISER.id, size=self.sizes.store
        )
        # Places for everyone who presses, so that every "in person" is a place and not the waitlist.
        self.store.add_meeting(
            meeting_id=seeded.meetings + 1, now=now, organiser_id=ORGANISER.id, capacity=self.sizes.pressers
        )
        self.store.add_people(self.people, now=now)
        plan_as_the_bot_did(self.server(BOT).environment)
        settle(self.database_url)
        logger.info(
            "seeded %d meetings, %d registrations and %d people who press",
            seeded.meetings,
            seeded.registrations,
            len(self.people),
        )

    def server(self, target: str) -> ServerProcess:
        """Prepare the process of `target` on a free port."""
        return target_server(
            target,
            emulator=self.emulator,
            signing_secret=self.signing_secret,
            workdir=self.workdir,
            data_dir=self.workdir / "bot-data",
            database_url=self.database_url,
        )

    def presses(self, people: list[str], message_ts: str) -> list[Request]:
        """One press on the card by each of `people`, in person and online in turn."""
        requests = []
        for index, person in enumerate(people):
            action_id = ANSWERS[index % len(ANSWERS)]
            body = button_body(
                self.emulator,
                user_id=person,
                action_id=action_id,
                value=str(self.store.meeting_id),
                channel=GROUP_CHANNEL,
                message_ts=message_ts,
            )
            requests.append(Request(body, key=person))
        return requests

    def burst(self, port: int, requests: list[Request], *, wait_card: bool = False) -> LoadResult:
        """Send `requests` from the clients; with `wait_card`, each waits for the card to show its press."""
        return run_requests(
            port,
            self.signing_secret,
            requests,
            expect=b"",
            clients=CLIENTS,
            time_limit=max(MIN_BURST_SECONDS, len(requests) / SLOWEST_EXPECTED_RPS),
            wait_answer=self.wait_card if wait_card else None,
        )

    def wait_card(self, request: Request, _ack_body: bytes, _acked: float) -> float | None:
        """When the card first showed the press `request` made, or None when it did not within the timeout."""
        placed = self.store.place(request.key)
        if placed is None:
            return None
        answer, place = placed
        return self.board.wait_for(answer, place, ANSWER_TIMEOUT_SECONDS)

    def announce(self, port: int) -> str:
        """Have the organiser announce the meeting; return the card's ts once the bot has recorded it."""
        body = slash_command_body(
            self.emulator,
            user_id=ORGANISER.id,
            command="/meetings",
            text=f"announce {self.store.meeting_id}",
            channel=GROUP_CHANNEL,
        )
        answered = run_requests(
            port, self.signing_secret, [Request(body)], expect=b"", clients=1, time_limit=ANNOUNCE_TIMEOUT_SECONDS
        )
        ts = self.board.wait_posted(ANNOUNCE_TIMEOUT_SECONDS) if answered.failures == 0 else None
        if ts is None or not self.store.wait_card_recorded(ts, ANNOUNCE_TIMEOUT_SECONDS):
            raise BenchmarkError(f"the meeting's card was not posted and recorded ({answered.first_failure or ts})")
        return ts

    def measure_floor(self) -> Measurement:
        """The bare Bolt app acknowledging as many presses of the same shape, by people of its own."""
        measurement = Measurement()
        people = [f"U0BARE{n:05d}" for n in range(1, self.sizes.warmup + self.sizes.measured + 1)]
        process = self.server(BARE_FLOOR)
        with serving(process, healthy_timeout=HEALTHY_TIMEOUT_SECONDS) as lifetime:
            measurement.warmup = self.burst(process.port, self.presses(people[: self.sizes.warmup], "1.000001"))
            measurement.burst = self.burst(process.port, self.presses(people[self.sizes.warmup :], "1.000001"))
            _log_burst(BARE_FLOOR, "presses", measurement.burst)
        measurement.startup_seconds = lifetime.startup_seconds
        measurement.exit_code = lifetime.exit_code
        return measurement

    def measure_bot(self) -> Measurement:
        """Announce the meeting, press on its card (a burst, then waiting for the card), then stop the bot."""
        measurement = Measurement()
        warmup_end = self.sizes.warmup
        burst_end = warmup_end + self.sizes.measured
        process = self.server(BOT)
        with serving(process, healthy_timeout=HEALTHY_TIMEOUT_SECONDS) as lifetime:
            ts = self.announce(process.port)
            measurement.warmup = self.burst(process.port, self.presses(self.people[:warmup_end], ts))
            measurement.burst = self.burst(process.port, self.presses(self.people[warmup_end:burst_end], ts))
            ended = time.perf_counter()
            _log_burst(BOT, "presses", measurement.burst)
            measurement.settle_seconds = self.settle(ended, measurement)
            measurement.cards = self.burst(process.port, self.presses(self.people[burst_end:], ts), wait_card=True)
            _log_burst(BOT, "presses awaiting the card", measurement.cards)
            self.settle(time.perf_counter(), measurement)
            self.outcomes(measurement)
        measurement.startup_seconds = lifetime.startup_seconds
        measurement.exit_code = lifetime.exit_code
        if "Traceback" in process.log_tail():
            measurement.errors_logged = True
            logger.warning("%s logged errors; the end of its output:\n%s", BOT, process.log_tail())
        return measurement

    def settle(self, since: float, measurement: Measurement) -> float:
        """Seconds from `since` until the card showed the store's counts; a failure when it did not in a minute."""
        counts = self.store.counts()
        shown = self.board.wait_showing(counts.in_person, counts.online, SETTLE_TARGET_SECONDS)
        if shown is None:
            latest = self.board.latest()
            measurement.extra_failures.append(f"the card shows {latest} and the store {counts}")
            return float("nan")
        return max(shown - since, 0.0)

    def outcomes(self, measurement: Measurement) -> None:
        """What each person who pressed was told, and whether the store holds their answer."""
        people = set(self.people)
        if not self.answers.wait_answered(people, ANSWER_TIMEOUT_SECONDS):
            told = self.answers.confirmed() | self.answers.refused().keys()
            logger.warning("%d people who pressed were never answered privately", len(people - told))
        measurement.confirmed = self.answers.confirmed() & people
        measurement.refused = {user: text for user, text in self.answers.refused().items() if user in people}
        measurement.stored = self.store.registered() & people


def _log_burst(target: str, what: str, burst: LoadResult) -> None:
    logger.info(
        "%s %s: %d requests in %.2f s, %d failed%s",
        target,
        what,
        burst.requests,
        burst.wall_seconds,
        burst.failures,
        f" (first: {burst.first_failure})" if burst.first_failure else "",
    )


def _benchmark(target: str, engine: Engine) -> str:
    return f"{engine.benchmark_name(NAME)}: {target}"


def _pct(values: list[float], pct: int) -> float:
    return percentile(values, pct) if values else float("nan")


def _rows(bot: Measurement, floor: Floor, engine: Engine, sizes: Sizes) -> list[Row]:
    assert bot.burst is not None and bot.cards is not None and floor.measured.burst is not None
    name, floor_name = _benchmark(BOT, engine), _benchmark(BARE_FLOOR, floor.engine)
    pace_name = _benchmark("the limits' floor", engine)
    bot_ok = bot.failures == 0
    burst, base = bot.burst, floor.measured.burst
    note = f"{CLIENTS} clients; each press a new registration, written before the 200"
    if engine is not Engine.SQLITE:
        note += f", on {engine.value}"
    p50, p99 = _pct(burst.latencies_ms, 50), _pct(burst.latencies_ms, 99)
    base_p50, base_p99 = _pct(base.latencies_ms, 50), _pct(base.latencies_ms, 99)
    throughput_ratio = burst.throughput / base.throughput if base.throughput else float("nan")
    card_p50, card_p99 = _pct(bot.cards.answer_ms, 50), _pct(bot.cards.answer_ms, 99)
    card_note = (
        f"{CLIENTS} clients, each waiting for the card to show its press before the next; "
        f"{bot.cards.requests} presses; one card update a second in a channel"
    )
    rows = [
        Row(
            name,
            "ack p50 RSVP press",
            round(p50, 3),
            "ms",
            baseline=floor_name,
            ratio=round(p50 / base_p50, 3),
            note=note,
        ),
        Row(
            name,
            "ack p99 RSVP press",
            round(p99, 3),
            "ms",
            target=f"<= {ACK_TARGET_RATIO:g}x bare pbr",
            baseline=floor_name,
            ratio=round(p99 / base_p99, 3),
            ok=bot_ok and p99 / base_p99 <= ACK_TARGET_RATIO,
            note=note,
        ),
        Row(
            name,
            "throughput RSVP presses",
            round(burst.throughput, 1),
            "req/s",
            target=f">= {THROUGHPUT_TARGET_RATIO:g}x bare pbr",
            baseline=floor_name,
            ratio=round(throughput_ratio, 3),
            ok=bot_ok and throughput_ratio >= THROUGHPUT_TARGET_RATIO,
            note=note,
        ),
        Row(name, "press to card p50", round(card_p50, 3), "ms", baseline=pace_name, note=card_note),
        Row(
            name,
            "press to card p99",
            round(card_p99, 3),
            "ms",
            target=f"<= {CARD_TARGET_RATIO:g}x floor",
            baseline=pace_name,
            ratio=round(card_p99 / PACE_MS, 3),
            ok=bot_ok and card_p99 / PACE_MS <= CARD_TARGET_RATIO,
            note=card_note,
        ),
        Row(
            name,
            "burst's end to card showing the store",
            round(bot.settle_seconds, 3),
            "s",
            target=f"< {SETTLE_TARGET_SECONDS:g} s",
            ok=bot.settle_seconds < SETTLE_TARGET_SECONDS,
            note=f"after {sizes.warmup + sizes.measured:,} presses",
        ),
        Row(
            name,
            "presses told to try again",
            len(bot.refused),
            "presses",
            target="0",
            ok=not bot.refused,
            note=f"told: {next(iter(bot.refused.values()))[:90]}" if bot.refused else None,
        ),
        Row(
            name,
            "confirmed presses in the store",
            len(bot.confirmed & bot.stored),
            "presses",
            target=f"= {len(bot.confirmed):,} confirmed, no other",
            ok=bot.stored == bot.confirmed and len(bot.confirmed) + len(bot.refused) == bot.acknowledged,
            note=f"{bot.acknowledged:,} acknowledged",
        ),
        failures_row(name, bot.failures),
        shutdown_row(name, bot.exit_code, bot.errors_logged),
        Row(
            pace_name,
            "press to card p99",
            PACE_MS,
            "ms",
            note="CHANNEL_POSTS_PER_SECOND's interval: a press just after an update waits for the next",
        ),
    ]
    if floor.engine is not engine:
        return rows  # its rows are the other engine's
    floor_ok = None if floor.measured.failures == 0 else False
    rows += [
        Row(floor_name, "ack p50 RSVP press", round(base_p50, 3), "ms", ok=floor_ok, note=f"{CLIENTS} clients"),
        Row(floor_name, "ack p99 RSVP press", round(base_p99, 3), "ms", ok=floor_ok, note=f"{CLIENTS} clients"),
        Row(floor_name, "throughput RSVP presses", round(base.throughput, 1), "req/s", ok=floor_ok),
        failures_row(floor_name, floor.measured.failures),
    ]
    return rows


def _run_engine(config: RunConfig, engine: Engine, floor: Floor | None = None) -> tuple[list[Row], Floor]:
    """Measure on `engine`: the bare floor first (unless `floor` was measured earlier in this run), then the bot."""
    sizes = QUICK if config.quick else FULL
    board, answers = CardBoard(GROUP_CHANNEL), PrivateAnswers(CONFIRMATION)
    with (
        tempfile.TemporaryDirectory(prefix="tci-bench-") as workdir,
        database(engine, Path(workdir) / "bot-data") as database_url,
        SlackEmulator(users=(ORGANISER, MEMBER, *_pressers(sizes.pressers))) as emulator,
    ):
        emulator.add_channel(GROUP_CHANNEL, "learning-group")
        emulator.subscribe(board.on_delivery)
        emulator.subscribe(answers.on_delivery)
        bench = _Bench(sizes, emulator, board, answers, Path(workdir), database_url)
        try:
            bench.seed()
            floor = floor or Floor(engine, bench.measure_floor())
            bot = bench.measure_bot()
        finally:
            bench.store.close()
        calls = Counter(call.method for call in emulator.calls)
        logger.info("Web API calls during the run: %s", ", ".join(f"{m} x{n}" for m, n in calls.most_common()))
    for failure in bot.extra_failures:
        logger.warning("%s: %s", engine.benchmark_name(NAME), failure)
    return _rows(bot, floor, engine, sizes), floor


def run(config: RunConfig) -> list[Row]:
    """Measure RSVP presses written before their acknowledgement, and press to card, on SQLite and PostgreSQL.

    The bare floor does not touch the store: a full run measures it again just before the bot on each
    engine, a quick one once, on the first.
    """
    rows, floor = _run_engine(config, Engine.SQLITE)
    if (reason := postgres_unavailable()) is not None:
        return rows + skipped_rows(Engine.POSTGRESQL.benchmark_name(NAME), reason)
    postgres_rows, _ = _run_engine(config, Engine.POSTGRESQL, floor if config.quick else None)
    return rows + postgres_rows
