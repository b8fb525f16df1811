"""Answers from a store of a busy group's size: `/meetings` and a question in plain words, against bare Bolt apps.

The bot's store is seeded with 1,000 meetings and 20,000 registrations before `tci-bot run` starts:
the embedded SQLite file, or (as `meetings_scale_postgresql`) a private schema on a PostgreSQL server
when one answers (see benchmarks.databases). The bare apps do not touch the store, so on PostgreSQL only
the one the ratios use (`process_before_response=True`) is measured again.
Each request is timed twice: until its acknowledgement (the HTTP response) and until its answer
reaches Slack, whichever way the answer goes: in the acknowledgement's body, posted to the
request's response_url, or through the Web API (a reply in the mention's thread). Each client
waits for its answer before it asks again, so answers queue only as much as a few people at once
would make them. The bare Bolt apps answer the same requests the same ways with a constant `ok`.
"""

from __future__ import annotations

import itertools
import json
import logging
import secrets
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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
from benchmarks.databases import Engine, database, postgres_unavailable, settle, skipped_rows
from benchmarks.load import (
    ANSWER_TIMEOUT_SECONDS,
    JSON_CONTENT_TYPE,
    LoadResult,
    Request,
    event_body,
    mention_event,
    run_requests,
    slash_command_body,
)
from benchmarks.processes import ServerProcess, serving, target_server
from benchmarks.seed import StoreSize, plan_as_the_bot_did, seed_store
from bot.localslack.emulator import Delivery, SlackEmulator

logger = logging.getLogger(__name__)

NAME = "meetings scale"
CLIENTS = 4
QUESTION = "when is the next meeting in Toronto?"
# The same question in each other language the bot speaks, measured on the bot alone beside the English one.
QUESTIONS_IN = {
    "es": "¿cuándo es la próxima reunión en Toronto?",
    "pt": "quando é a próxima reunião em Toronto?",
    "de": "wann ist das nächste Treffen in Toronto?",
    "fr": "quand est la prochaine réunion à Toronto ?",
}
LANGUAGE_RATIO_TARGET = 1.5  # a question in another language costs at most this many times an English one
# Questions go round these channels: Slack takes about one message a second per channel, and the bot
# paces its answers so, so that a burst in one channel would measure the pacing, not the bot. There are
# enough of them that a channel is asked again no sooner than two seconds later at 250 questions a second
# (with 128, at the bot's 125 a second, every 128th answer waited a third of a second for its channel).
# The emulator sets no pace; the bot's own workspace-wide pace (5 posts a second) is lifted, so that the
# answers measure the bot's work and not the spacing between posts, as the bare apps (which post at once).
UNPACED = {"POSTS_PER_SECOND": "1000"}
QUESTION_CHANNELS = tuple(f"C0BENCHQ{n:03d}" for n in range(512))
STORE = StoreSize(meetings=1_000, registrations=20_000, people=2_000)

# The p99 of each, at most this many times bare Bolt pbr's in the same run.
ACK_RATIO_TARGET = 1.3
ANSWER_RATIO_TARGETS = {"/meetings": 2.0, "question (mention)": 3.0}
HEALTHY_TIMEOUT_SECONDS = 30.0
MIN_BURST_SECONDS = 60.0
SLOWEST_EXPECTED_RPS = 5.0

# The bare apps do not touch the store, so on PostgreSQL only the one the ratios use is measured again.
TARGETS = {Engine.SQLITE: (BOT, BARE_DEFAULT, BARE_FLOOR), Engine.POSTGRESQL: (BOT, BARE_FLOOR)}
RESPOND_KEY = "respond:"
THREAD_KEY = "thread:"


FULL = Sizes(warmup=200, measured=2000)
QUICK = Sizes(warmup=50, measured=300)
QUICK_POSTGRESQL = Sizes(warmup=10, measured=80)


class AnswerBoard:
    """When each awaited answer reached Slack, by its key: the response_url's token or the thread's ts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: dict[str, threading.Event] = {}
        self._arrived: dict[str, float] = {}
        self._last_text = ""
        self._last_body: bytes | None = None

    @property
    def last_text(self) -> str:
        """The text of the last answer recorded (a response_url's body is read only when this is asked)."""
        with self._lock:
            text, body = self._last_text, self._last_body
        if body is None:
            return text
        try:
            return str(json.loads(body or b"{}").get("text") or "")
        except ValueError:
            return ""

    def expect(self, key: str) -> None:
        """Start waiting for the answer known by `key`."""
        with self._lock:
            self._waiting[key] = threading.Event()

    def arrived(self, key: str, text: str | None, at: float | None = None, *, body: bytes | None = None) -> None:
        """Record that the answer known by `key` (its text, or the JSON `body` holding it) reached Slack `at`
        (perf_counter; by default now); answers nobody waits for are ignored."""
        at = time.perf_counter() if at is None else at
        with self._lock:
            event = self._waiting.get(key)
            if event is None or event.is_set():
                return
            self._arrived[key] = at
            self._last_text, self._last_body = text or "", body
        event.set()

    def on_delivery(self, delivery: Delivery, at: float | None = None) -> None:
        """Record a message posted in a thread through the Web API."""
        if delivery.kind == "message" and delivery.thread_ts:
            self.arrived(THREAD_KEY + delivery.thread_ts, delivery.text, at)

    def wait(self, key: str, timeout: float) -> float | None:
        """Wait for the answer known by `key`; return when it arrived (perf_counter), or None."""
        with self._lock:
            event = self._waiting.get(key)
        if event is None or not event.wait(timeout):
            self.forget(key)
            return None
        with self._lock:
            self._waiting.pop(key, None)
            return self._arrived.pop(key)

    def forget(self, key: str) -> None:
        """Stop waiting for the answer known by `key`."""
        with self._lock:
            self._waiting.pop(key, None)
            self._arrived.pop(key, None)

    def clear(self) -> None:
        """Stop waiting for every answer still awaited."""
        with self._lock:
            self._waiting.clear()
            self._arrived.clear()


class WatchedEmulator(SlackEmulator):
    """The Slack emulator, also telling the board when each answer reached it.

    An answer reached Slack when the whole request carrying it has been read: what the emulator then
    does with it (checking its blocks, keeping it) is Slack's own work, done under the emulator's lock
    and the more slowly the larger the message, and is not counted against the app that sent it.
    """

    def __init__(self, board: AnswerBoard, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._board = board
        self._received = threading.local()
        self.subscribe(self._delivered)

    def _delivered(self, delivery: Delivery) -> None:
        self._board.on_delivery(delivery, getattr(self._received, "at", None))

    def handle_http(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        """Answer one HTTP request; an answer it carries, once accepted, is recorded on the board."""
        self._received.at = received = time.perf_counter()
        answer = super().handle_http(path, headers, body)
        kind, _, token = urlsplit(path).path.lstrip("/").partition("/")
        if kind == "respond" and answer[0] == 200:
            self._board.arrived(RESPOND_KEY + token, None, received, body=body)
        return answer


@dataclass(frozen=True)
class Scenario:
    """A kind of request a person makes, and how to build a fresh one."""

    label: str
    build: Callable[[_Bench], Request]


def _meetings_list(bench: _Bench) -> Request:
    url = bench.emulator.response_url(channel=GROUP_CHANNEL, user=MEMBER.id)
    body = slash_command_body(
        bench.emulator, user_id=MEMBER.id, command="/meetings", text="", channel=GROUP_CHANNEL, response_url=url
    )
    return Request(body, key=RESPOND_KEY + url.rsplit("/", 1)[1])


def _asking(text: str) -> Callable[[_Bench], Request]:
    def build(bench: _Bench) -> Request:
        channel = QUESTION_CHANNELS[next(bench.channel_turns) % len(QUESTION_CHANNELS)]
        event = mention_event(bench.emulator, user_id=MEMBER.id, channel=channel, text=text)
        body = event_body(bench.emulator, event, event_id=f"Ev0BENCH{next(bench.event_ids):08d}")
        return Request(body, content_type=JSON_CONTENT_TYPE, key=THREAD_KEY + event["ts"])

    return build


_question = _asking(QUESTION)
ENGLISH_QUESTION = "question (mention)"
SCENARIOS = (Scenario("/meetings", _meetings_list), Scenario(ENGLISH_QUESTION, _question))
# Measured on the bot only: the bare apps answer every language alike.
LANGUAGE_SCENARIOS = tuple(
    Scenario(f"question (mention, {language})", _asking(text)) for language, text in QUESTIONS_IN.items()
)


@dataclass
class Measurement:
    """What one server measured: a burst per scenario, and how it started and stopped."""

    startup_seconds: float = 0.0
    bursts: dict[str, LoadResult] = field(default_factory=dict)
    # CPU time the server used during each measured burst, a request: steadier than the latencies on a
    # shared machine, as it does not count the time a request waits for a CPU.
    cpu_ms: dict[str, float] = field(default_factory=dict)
    warmup_failures: int = 0
    exit_code: int | None = None
    errors_logged: bool = False

    @property
    def failures(self) -> int:
        """Failed requests (no acknowledgement, or no answer), warm-up included."""
        return self.warmup_failures + sum(burst.failures for burst in self.bursts.values())


class _Bench:
    """One run: the emulator, the answer board, a scratch directory, a signing secret."""

    def __init__(
        self,
        sizes: Sizes,
        emulator: SlackEmulator,
        board: AnswerBoard,
        workdir: Path,
        database_url: str,
        store: StoreSize = STORE,
    ) -> None:
        self.sizes = sizes
        self.store = store
        self.emulator = emulator
        self.board = board
        self.workdir = workdir
        self.database_url = database_url
        self.signing_secret = secrets.token_hex(16)
        self.event_ids = itertools.count(1)
        self.channel_turns = itertools.count()

    def server(self, target: str) -> ServerProcess:
        """Prepare the process of `target` on a free port."""
        return target_server(
            target,
            emulator=self.emulator,
            signing_secret=self.signing_secret,
            workdir=self.workdir,
            data_dir=self.data_dir,
            database_url=self.database_url,
            settings=UNPACED,
        )

    @property
    def language_sizes(self) -> Sizes:
        """Each other language's question is measured on fewer requests than the English one."""
        return Sizes(warmup=max(5, self.sizes.warmup // 5), measured=max(40, self.sizes.measured // 3))

    @property
    def data_dir(self) -> Path:
        """Where the bot keeps its store."""
        return self.workdir / "bot-data"

    def seed(self) -> None:
        """Fill the bot's store before it starts."""
        started = time.perf_counter()
        seeded = seed_store(
            self.database_url,
            now=datetime.now(UTC),
            member_id=MEMBER.id,
            organiser_id=ORGANISER.id,
            size=self.store,
        )
        logger.info(
            "seeded the store in %.2f s: %d meetings (%d upcoming, %d cancelled), %d people, "
            "%d registrations (%d of the member's), %d FAQ entries",
            time.perf_counter() - started,
            seeded.meetings,
            seeded.upcoming,
            seeded.cancelled,
            seeded.people,
            seeded.registrations,
            seeded.member_registrations,
            seeded.faq_entries,
        )
        started = time.perf_counter()
        planned = plan_as_the_bot_did(self.server(BOT).environment)
        logger.info(
            "planned the meetings' posts as the bot does (%d rows) in %.2f s", planned, time.perf_counter() - started
        )
        settle(self.database_url)

    def wait_answer(self, request: Request, ack_body: bytes, acked: float) -> float | None:
        """Return when the answer to `request` reached Slack: with the acknowledgement, or later."""
        if ack_body.strip():
            self.board.forget(request.key)
            return acked
        return self.board.wait(request.key, ANSWER_TIMEOUT_SECONDS)

    def burst(self, port: int, scenario: Scenario, count: int) -> LoadResult:
        """Send `count` fresh requests of `scenario` from the clients, each waiting for its answers."""
        requests = [scenario.build(self) for _ in range(count)]
        for request in requests:
            self.board.expect(request.key)
        time_limit = max(MIN_BURST_SECONDS, count / SLOWEST_EXPECTED_RPS)
        try:
            return run_requests(
                port,
                self.signing_secret,
                requests,
                expect=b"",
                clients=CLIENTS,
                time_limit=time_limit,
                wait_answer=self.wait_answer,
            )
        finally:
            self.board.clear()

    def measure(self, target: str, *, languages: bool = True) -> Measurement:
        """Start `target`, warm it up and measure each scenario (for the bot, with `languages`, each language's
        question too), then stop it."""
        measurement = Measurement()
        process = self.server(target)
        scenarios = SCENARIOS + (LANGUAGE_SCENARIOS if target == BOT and languages else ())
        with serving(process, healthy_timeout=HEALTHY_TIMEOUT_SECONDS) as lifetime:
            for scenario in scenarios:
                sizes = self.sizes if scenario in SCENARIOS else self.language_sizes
                warmup = self.burst(process.port, scenario, sizes.warmup)
                measurement.warmup_failures += warmup.failures
                if warmup.first_failure:
                    logger.warning("%s %s warm-up: first failure: %s", target, scenario.label, warmup.first_failure)
                cpu_before = process.cpu_seconds()
                burst = self.burst(process.port, scenario, sizes.measured)
                cpu_after = process.cpu_seconds()
                measurement.bursts[scenario.label] = burst
                if cpu_before is not None and cpu_after is not None and burst.requests:
                    measurement.cpu_ms[scenario.label] = (cpu_after - cpu_before) * 1000.0 / burst.requests
                logger.info(
                    "%s %s: %d requests in %.2f s, %d failed%s; an answer: %.80r",
                    target,
                    scenario.label,
                    burst.requests,
                    burst.wall_seconds,
                    burst.failures,
                    f" (first: {burst.first_failure})" if burst.first_failure else "",
                    self.board.last_text,
                )
        measurement.startup_seconds = lifetime.startup_seconds
        measurement.exit_code = lifetime.exit_code
        if "Traceback" in process.log_tail():
            measurement.errors_logged = True
            logger.warning("%s logged errors; the end of its output:\n%s", target, process.log_tail())
        return measurement


def _benchmark(target: str, engine: Engine) -> str:
    return f"{engine.benchmark_name(NAME)}: {target}"


def _pct(values: list[float], pct: int) -> float:
    return percentile(values, pct) if values else float("nan")


def _rows(results: dict[str, Measurement], engine: Engine) -> list[Row]:
    bot = results[BOT]
    floor = results[BARE_FLOOR]
    bot_ok = bot.failures == 0
    store_note = f"{CLIENTS} clients; {STORE.meetings:,} meetings, {STORE.registrations:,} registrations"
    if engine is not Engine.SQLITE:
        store_note += f" on {engine.value}"
    rows: list[Row] = []
    for scenario in SCENARIOS:
        label = scenario.label
        burst, base = bot.bursts[label], floor.bursts[label]
        for what, values, base_values, most in (
            ("ack", burst.latencies_ms, base.latencies_ms, ACK_RATIO_TARGET),
            ("answer", burst.answer_ms, base.answer_ms, ANSWER_RATIO_TARGETS[label]),
        ):
            p50, p95, p99 = (_pct(values, pct) for pct in (50, 95, 99))
            ratio = p99 / _pct(base_values, 99)
            target = f"<= {most:g}x bare pbr"
            rows += [
                Row(_benchmark(BOT, engine), f"{what} p50 {label}", round(p50, 3), "ms", note=store_note),
                Row(_benchmark(BOT, engine), f"{what} p95 {label}", round(p95, 3), "ms", note=store_note),
                Row(
                    _benchmark(BOT, engine),
                    f"{what} p99 {label}",
                    round(p99, 3),
                    "ms",
                    target=target,
                    baseline=_benchmark(BARE_FLOOR, engine),
                    ratio=round(ratio, 3),
                    ok=bot_ok and ratio <= most,
                    note=store_note,
                ),
            ]
    rows += _cpu_rows(bot, floor, engine, store_note)
    rows += _language_rows(bot, engine, store_note)
    rows += [
        failures_row(_benchmark(BOT, engine), bot.failures),
        shutdown_row(_benchmark(BOT, engine), bot.exit_code, bot.errors_logged),
    ]
    for name in (BARE_DEFAULT, BARE_FLOOR):
        if name not in results:
            continue
        measurement = results[name]
        baseline_ok = None if measurement.failures == 0 else False
        note = f"{CLIENTS} clients"
        for scenario in SCENARIOS:
            burst = measurement.bursts[scenario.label]
            for what, values in (("ack", burst.latencies_ms), ("answer", burst.answer_ms)):
                rows += [
                    Row(
                        _benchmark(name, engine),
                        f"{what} p{pct} {scenario.label}",
                        round(_pct(values, pct), 3),
                        "ms",
                        ok=baseline_ok,
                        note=note,
                    )
                    for pct in (50, 99)
                ]
        rows.append(failures_row(_benchmark(name, engine), measurement.failures))
    return rows


def _cpu_rows(bot: Measurement, floor: Measurement, engine: Engine, note: str) -> list[Row]:
    """The server's CPU time a request, the bot's beside the bare floor's: what the latencies are made of."""
    rows: list[Row] = []
    for scenario in SCENARIOS:
        label = scenario.label
        if label not in bot.cpu_ms:
            continue
        base = floor.cpu_ms.get(label)
        rows.append(
            Row(
                _benchmark(BOT, engine),
                f"CPU a request {label}",
                round(bot.cpu_ms[label], 3),
                "ms",
                baseline=_benchmark(BARE_FLOOR, engine) if base else None,
                ratio=round(bot.cpu_ms[label] / base, 3) if base else None,
                note=note + "; user and system time of the server during the burst",
            )
        )
        if base:
            rows.append(Row(_benchmark(BARE_FLOOR, engine), f"CPU a request {label}", round(base, 3), "ms"))
    return rows


def _language_rows(bot: Measurement, engine: Engine, note: str) -> list[Row]:
    """A question's answer time in each other language, beside the English one measured in the same run."""
    english = bot.bursts[ENGLISH_QUESTION].answer_ms
    rows: list[Row] = []
    for scenario in LANGUAGE_SCENARIOS:
        burst = bot.bursts.get(scenario.label)
        if burst is None:
            continue
        for pct in (50, 99):
            ratio = _pct(burst.answer_ms, pct) / _pct(english, pct)
            rows.append(
                Row(
                    _benchmark(BOT, engine),
                    f"answer p{pct} {scenario.label} / English",
                    round(_pct(burst.answer_ms, pct), 3),
                    "ms",
                    target=f"<= {LANGUAGE_RATIO_TARGET:g}x English" if pct == 99 else None,
                    baseline=f"{_benchmark(BOT, engine)}: {ENGLISH_QUESTION}",
                    ratio=round(ratio, 3),
                    ok=(burst.failures == 0 and ratio <= LANGUAGE_RATIO_TARGET) if pct == 99 else None,
                    note=note,
                )
            )
    return rows


def run(config: RunConfig, engine: Engine = Engine.SQLITE) -> list[Row]:
    """Measure acknowledgement and answer latency of `/meetings` and a question against a large store."""
    if engine is Engine.POSTGRESQL and (reason := postgres_unavailable()) is not None:
        return skipped_rows(engine.benchmark_name(NAME), reason)
    sizes = QUICK if config.quick else FULL
    if config.quick and engine is Engine.POSTGRESQL:
        sizes = QUICK_POSTGRESQL
    board = AnswerBoard()
    results: dict[str, Measurement] = {}
    with (
        tempfile.TemporaryDirectory(prefix="tci-bench-") as workdir,
        database(engine, Path(workdir) / "bot-data") as database_url,
        WatchedEmulator(board, users=(ORGANISER, MEMBER)) as emulator,
    ):
        emulator.add_channel(GROUP_CHANNEL, "learning-group")
        for number, channel in enumerate(QUESTION_CHANNELS):
            emulator.add_channel(channel, f"questions-{number}")
        bench = _Bench(sizes, emulator, board, Path(workdir), database_url)
        bench.seed()
        for target in TARGETS[engine]:
            results[target] = bench.measure(target)
        calls = Counter(call.method for call in emulator.calls)
        if calls:
            logger.info("Web API calls during the run: %s", ", ".join(f"{m} x{n}" for m, n in calls.most_common()))
    return _rows(results, engine)
