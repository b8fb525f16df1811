"""The memory `tci-bot run` holds on a small group's host: idle, at its peak under load, and after the load.

The bot runs as a child process on a small group's store (200 people, 50 meetings with 1,000
registrations, 5,000 practices), its Web API the emulator. Its resident set (RSS) and the memory only it
holds (USS, from /proc/<pid>/smaps through psutil) are read:

- idle: once it is healthy and its RSS has stopped changing (the date parser's data, the question words
  and the language detector load at their first use, so an idle bot holds none of them);
- after the first requests: one of each kind of the mix below, answered, which loads what loads at first use;
- under load: every 50 ms while 4 clients send a mix of signed requests for a set time (60 s, 3 s in
  a quick run), each waiting for its answer before it asks again: `/meetings`, `/meetings next`,
  `/practice search <words>`, `/practice list`, `/tci help`, RSVP button presses by 20 people and
  questions in plain words (mentions). The peak is the largest RSS seen;
- after the load: once it has been quiet for 5 s (0.5 s in a quick run).

psutil, which the dev extras install, reads the figures.

The baseline is the bare Bolt app (Bolt's defaults) on the same server stack, measured the same way in
the same run, sent as many requests of the same mix.
"""

from __future__ import annotations

import itertools
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
from types import ModuleType
from typing import TYPE_CHECKING

from benchmarks.common import (
    BARE_DEFAULT,
    BOT,
    GROUP_CHANNEL,
    MEMBER,
    ORGANISER,
    BenchmarkError,
    Row,
    RunConfig,
    bot_database_url,
    failures_row,
    shutdown_row,
)
from benchmarks.load import (
    ANSWER_TIMEOUT_SECONDS,
    JSON_CONTENT_TYPE,
    LoadResult,
    Request,
    button_body,
    event_body,
    mention_event,
    run_requests,
    slash_command_body,
)
from benchmarks.meetings_scale import RESPOND_KEY, THREAD_KEY, AnswerBoard, WatchedEmulator
from benchmarks.practices_scale import QUERIES
from benchmarks.processes import ServerProcess, serving, target_server
from benchmarks.seed import GroupSize, seed_group
from bot.localslack.emulator import LocalUser, SlackEmulator
from bot.views.meetings import RSVP_IN_PERSON, RSVP_NOT_COMING, RSVP_ONLINE
from store.db import make_engine, session_factory
from store.meetings import upcoming_meetings

if TYPE_CHECKING:
    import psutil

logger = logging.getLogger(__name__)

NAME = "memory"
MIB = 1024 * 1024
CLIENTS = 4
GROUP = GroupSize()
PEOPLE = tuple(LocalUser(id=f"U0P{n:06d}", name=f"person{n}", real_name=f"Person {n}") for n in range(1, 21))
QUESTIONS = ("when is the next meeting?", "where is the next meeting in Toronto?", "do I pay for travel?")
RSVPS = (RSVP_IN_PERSON, RSVP_ONLINE, RSVP_NOT_COMING)

# A small group's bot runs on the smallest instance a host sells, commonly 512 MiB, beside the operating
# system and the process supervisor (about 100 MiB), and for the seconds of a restart the old process and
# the new one run side by side. Idle, two processes should fit in 300 MiB; under load, one busy process
# and one starting (about 90 MiB when /healthz first answers) in 350 MiB.
IDLE_TARGET_MIB = 100.0
PEAK_TARGET_MIB = 150.0
GROWTH_TARGET_MIB = 25.0  # after the load, over the first requests: caches filled once, not memory that keeps growing
SECOND_HALF_TARGET_MIB = 5.0  # RSS growth over the load's second half: a leak keeps growing, a cache does not
HOST = "a 512 MiB instance holds the OS and the supervisor (~100 MiB) and, during a restart, two bots"

HEALTHY_TIMEOUT_SECONDS = 60.0
SAMPLE_SECONDS = 0.05
STABLE_MIB = 0.5  # idle once RSS moves less than this over the stable window
IDLE_TIMEOUT_SECONDS = 30.0
MIN_BURST_SECONDS = 60.0
SLOWEST_EXPECTED_RPS = 5.0


@dataclass(frozen=True)
class Plan:
    """How long a run is."""

    load_seconds: float  # how long the bot is loaded; the bare app is sent as many requests
    burst: int  # requests per burst; RSS is read after each
    stable_seconds: float  # RSS unchanged this long counts as idle
    quiet_seconds: float  # waited after the load before reading the memory it left


FULL = Plan(load_seconds=60.0, burst=400, stable_seconds=3.0, quiet_seconds=5.0)
QUICK = Plan(load_seconds=3.0, burst=100, stable_seconds=1.0, quiet_seconds=0.5)


@dataclass
class Footprint:
    """What one server's memory did, in bytes, and how its load went."""

    idle_rss: int = 0
    idle_uss: int | None = None
    idle_seconds: float = 0.0  # from healthy to idle
    first_use_rss: int = 0  # after one request of each kind
    threads: int = 0
    peak_rss: int = 0
    after_rss: int = 0
    after_uss: int | None = None
    checkpoints: list[tuple[int, int]] = field(default_factory=list)  # (requests sent, RSS) after each burst
    requests: int = 0
    load_seconds: float = 0.0
    failures: int = 0
    first_failure: str | None = None
    exit_code: int | None = None
    errors_logged: bool = False

    @property
    def first_use(self) -> int:
        """RSS after one request of each kind minus RSS idle: what loads at its first use."""
        return self.first_use_rss - self.idle_rss

    @property
    def growth(self) -> int:
        """RSS after the load minus RSS after the first requests."""
        return self.after_rss - self.first_use_rss

    @property
    def second_half_growth(self) -> int:
        """RSS at the load's end minus RSS at its middle (the first checkpoint past half the requests)."""
        if len(self.checkpoints) < 2:
            return 0
        half = self.checkpoints[-1][0] / 2
        middle = next(rss for sent, rss in self.checkpoints if sent >= half)
        return self.checkpoints[-1][1] - middle


def _mib(value: float | None) -> float:
    return float("nan") if value is None else round(value / MIB, 1)


def _ratio(value: float | None, base: float | None) -> float | None:
    return round(value / base, 3) if value is not None and base else None


def _psutil() -> ModuleType:
    """psutil, which the dev extras install; without it the benchmark cannot read memory."""
    try:
        import psutil
    except ImportError as error:
        raise BenchmarkError("psutil is missing: install the project with `pip install -e '.[dev]'`") from error
    return psutil


class Sampler:
    """Read a process's RSS every SAMPLE_SECONDS on a thread of its own and keep the largest."""

    def __init__(self, process: psutil.Process) -> None:
        self._process = process
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)
        self.peak = 0
        self.samples = 0

    def _run(self) -> None:
        psutil = _psutil()
        while not self._stop.is_set():
            try:
                rss = self._process.memory_info().rss
            except psutil.Error:
                return
            self.peak = max(self.peak, rss)
            self.samples += 1
            self._stop.wait(SAMPLE_SECONDS)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5.0)


def _uss(process: psutil.Process) -> int | None:
    """The process's unique set size, where the system tells it."""
    try:
        return int(getattr(process.memory_full_info(), "uss", 0)) or None
    except (_psutil().AccessDenied, NotImplementedError):
        return None


def _settle(process: psutil.Process, plan: Plan) -> tuple[int, float]:
    """Wait until RSS has stayed within STABLE_MIB for `plan.stable_seconds`; return it and the wait."""
    started = since = time.perf_counter()
    low = high = process.memory_info().rss
    while True:
        time.sleep(SAMPLE_SECONDS * 2)
        now = time.perf_counter()
        rss = process.memory_info().rss
        if max(high, rss) - min(low, rss) >= STABLE_MIB * MIB:
            since, low, high = now, rss, rss
        else:
            low, high = min(low, rss), max(high, rss)
        if now - since >= plan.stable_seconds:
            return rss, since - started
        if now - started > IDLE_TIMEOUT_SECONDS:
            logger.warning("RSS did not settle within %.0f s; taking it as idle", IDLE_TIMEOUT_SECONDS)
            return rss, now - started


class _Mix:
    """Fresh requests of the mix, in a fixed order; each kind's builder gets how many of that kind came before.

    The same mix, built anew, gives the same sequence: the bare app is sent what the bot was sent.
    """

    def __init__(self, emulator: SlackEmulator, meeting_ids: list[int]) -> None:
        self.emulator = emulator
        self.meeting_ids = meeting_ids
        self.turn = itertools.count()
        self.event_ids = itertools.count(1)
        self.kinds: Counter[str] = Counter()  # requests built so far, by kind
        self.builders: tuple[tuple[str, Callable[[int], Request]], ...] = (
            ("/meetings", lambda n: self._slash(n, "/meetings", "")),
            ("/practice search", lambda n: self._slash(n, "/practice", f"search {QUERIES[n % len(QUERIES)][1]}")),
            ("RSVP button", self._press),
            ("question (mention)", self._question),
            ("/meetings next", lambda n: self._slash(n, "/meetings", "next")),
            ("/practice list", lambda n: self._slash(n, "/practice", "list")),
            ("RSVP button", self._press),
            ("/tci help", lambda n: self._slash(n, "/tci", "help")),
        )

    def _user(self, n: int) -> str:
        return PEOPLE[n % len(PEOPLE)].id

    def _slash(self, n: int, command: str, text: str) -> Request:
        user = self._user(n)
        url = self.emulator.response_url(channel=GROUP_CHANNEL, user=user)
        body = slash_command_body(
            self.emulator, user_id=user, command=command, text=text, channel=GROUP_CHANNEL, response_url=url
        )
        return Request(body, key=RESPOND_KEY + url.rsplit("/", 1)[1])

    def _press(self, n: int) -> Request:
        user = self._user(n)
        meeting = self.meeting_ids[n % len(self.meeting_ids)]
        message_ts = f"{1_700_000_000 + meeting}.000100"
        url = self.emulator.response_url(channel=GROUP_CHANNEL, user=user, message_ts=message_ts)
        body = button_body(
            self.emulator,
            user_id=user,
            action_id=RSVPS[(n // len(self.meeting_ids)) % len(RSVPS)],
            value=str(meeting),
            channel=GROUP_CHANNEL,
            message_ts=message_ts,
            response_url=url,
        )
        return Request(body, key=RESPOND_KEY + url.rsplit("/", 1)[1])

    def _question(self, n: int) -> Request:
        text = QUESTIONS[n % len(QUESTIONS)]
        event = mention_event(self.emulator, user_id=self._user(n), channel=GROUP_CHANNEL, text=text)
        body = event_body(self.emulator, event, event_id=f"Ev0MEM{next(self.event_ids):08d}")
        return Request(body, content_type=JSON_CONTENT_TYPE, key=THREAD_KEY + event["ts"])

    def requests(self, count: int) -> list[Request]:
        """The next `count` requests of the mix."""
        out = []
        for _ in range(count):
            label, build = self.builders[next(self.turn) % len(self.builders)]
            out.append(build(self.kinds[label]))
            self.kinds[label] += 1
        return out


class _Bench:
    """One run: the emulator, the answer board, the store, a scratch directory, a signing secret."""

    def __init__(self, plan: Plan, emulator: SlackEmulator, board: AnswerBoard, workdir: Path) -> None:
        self.plan = plan
        self.emulator = emulator
        self.board = board
        self.workdir = workdir
        self.data_dir = workdir / "bot-data"
        self.signing_secret = secrets.token_hex(16)
        self.psutil = _psutil()

    def seed(self) -> list[int]:
        """Fill the bot's store as a small group's; return the ids of the upcoming meetings."""
        started = time.perf_counter()
        url = bot_database_url(self.data_dir)
        now = datetime.now(UTC)
        seed_group(url, now=now, member_id=MEMBER.id, organiser_id=ORGANISER.id, size=GROUP)
        engine = make_engine(url)
        try:
            with session_factory(engine)() as session:
                ids = [m.id for m in upcoming_meetings(session=session, now=now, limit=GROUP.meetings) if m.id]
        finally:
            engine.dispose()
        logger.info("seeded %s in %.2f s", GROUP.describe(), time.perf_counter() - started)
        if not ids:
            raise BenchmarkError("the seeded store has no upcoming meeting to answer")
        return ids

    def server(self, target: str) -> ServerProcess:
        """Prepare the process of `target` on a free port."""
        return target_server(
            target,
            emulator=self.emulator,
            signing_secret=self.signing_secret,
            workdir=self.workdir,
            data_dir=self.data_dir,
        )

    def wait_answer(self, request: Request, ack_body: bytes, acked: float) -> float | None:
        """Return when the answer to `request` reached Slack: with the acknowledgement, or later."""
        if ack_body.strip():
            self.board.forget(request.key)
            return acked
        return self.board.wait(request.key, ANSWER_TIMEOUT_SECONDS)

    def burst(self, port: int, requests: list[Request]) -> LoadResult:
        """Send `requests` from the clients, each waiting for its answers."""
        for request in requests:
            self.board.expect(request.key)
        try:
            return run_requests(
                port,
                self.signing_secret,
                requests,
                expect=b"",
                clients=CLIENTS,
                time_limit=max(MIN_BURST_SECONDS, len(requests) / SLOWEST_EXPECTED_RPS),
                wait_answer=self.wait_answer,
            )
        finally:
            self.board.clear()

    def measure(self, target: str, mix: _Mix, count: int | None) -> Footprint:
        """Start `target`, read its memory idle, under `count` requests (or the plan's time), and after."""
        footprint = Footprint()
        process = self.server(target)
        with serving(process, healthy_timeout=HEALTHY_TIMEOUT_SECONDS) as lifetime:
            try:
                watched = self.psutil.Process(process.pid)
                self._footprint(watched, process, mix, count, footprint)
            except self.psutil.Error as error:
                raise BenchmarkError(f"{target}: its memory could not be read ({error})") from error
        footprint.exit_code = lifetime.exit_code
        if "Traceback" in process.log_tail():
            footprint.errors_logged = True
            logger.warning("%s logged errors; the end of its output:\n%s", target, process.log_tail())
        logger.info(
            "%s: idle %.1f MiB after %.1f s, peak %.1f MiB, after %.1f MiB; %d requests in %.1f s, %d failed%s",
            target,
            footprint.idle_rss / MIB,
            footprint.idle_seconds,
            footprint.peak_rss / MIB,
            footprint.after_rss / MIB,
            footprint.requests,
            footprint.load_seconds,
            footprint.failures,
            f" (first: {footprint.first_failure})" if footprint.first_failure else "",
        )
        return footprint

    def _footprint(
        self, watched: psutil.Process, process: ServerProcess, mix: _Mix, count: int | None, out: Footprint
    ) -> None:
        out.idle_rss, out.idle_seconds = _settle(watched, self.plan)
        out.idle_uss = _uss(watched)
        out.threads = watched.num_threads()
        first = self.burst(process.port, mix.requests(len(mix.builders)))
        out.requests += len(mix.builders)
        out.failures += first.failures
        out.first_failure = first.first_failure
        out.first_use_rss = watched.memory_info().rss
        started = time.perf_counter()
        with Sampler(watched) as sampler:
            while True:
                elapsed = time.perf_counter() - started
                if count is None and elapsed >= self.plan.load_seconds:
                    break
                if count is not None and out.requests >= count:
                    break
                size = self.plan.burst if count is None else min(self.plan.burst, count - out.requests)
                burst = self.burst(process.port, mix.requests(size))
                out.requests += size
                out.failures += burst.failures
                out.first_failure = out.first_failure or burst.first_failure
                out.checkpoints.append((out.requests, watched.memory_info().rss))
        out.load_seconds = time.perf_counter() - started
        out.peak_rss = max(sampler.peak, *(rss for _, rss in out.checkpoints))
        time.sleep(self.plan.quiet_seconds)
        out.after_rss = watched.memory_info().rss
        out.after_uss = _uss(watched)


def _benchmark(target: str) -> str:
    return f"{NAME}: {target}"


def _rows(results: dict[str, Footprint], plan: Plan, kinds: Counter[str]) -> list[Row]:
    bot, bare = results[BOT], results[BARE_DEFAULT]
    base = _benchmark(BARE_DEFAULT)
    bot_ok = bot.failures == 0
    mix = ", ".join(f"{label} x{count}" for label, count in kinds.most_common())
    load = (
        f"{bot.requests:,} requests from {CLIENTS} clients over {bot.load_seconds:.0f} s, each waiting for its answer; "
        f"{GROUP.describe()}"
    )
    rows = [
        Row(
            _benchmark(BOT),
            "RSS idle",
            _mib(bot.idle_rss),
            "MiB",
            target=f"< {IDLE_TARGET_MIB:g} MiB",
            baseline=base,
            ratio=_ratio(bot.idle_rss, bare.idle_rss),
            ok=bot.idle_rss < IDLE_TARGET_MIB * MIB,
            note=(
                f"read once RSS held within {STABLE_MIB:g} MiB for {plan.stable_seconds:g} s; it settled "
                f"{bot.idle_seconds:.1f} s after /healthz answered (the date parser's data, the question words and "
                f"the language detector load at first use); {bot.threads} threads; {HOST}: two idle bots in 300 MiB"
            ),
        ),
        Row(
            _benchmark(BOT),
            "USS idle",
            _mib(bot.idle_uss),
            "MiB",
            baseline=base,
            ratio=_ratio(bot.idle_uss, bare.idle_uss),
            note="memory only this process holds (shared libraries left out)",
        ),
        Row(
            _benchmark(BOT),
            "RSS peak under load",
            _mib(bot.peak_rss),
            "MiB",
            target=f"< {PEAK_TARGET_MIB:g} MiB",
            baseline=base,
            ratio=_ratio(bot.peak_rss, bare.peak_rss),
            ok=bot_ok and bot.peak_rss < PEAK_TARGET_MIB * MIB,
            note=(
                f"largest RSS read every {SAMPLE_SECONDS * 1000:g} ms; {load}; mix: {mix}; "
                f"{HOST}: a busy bot and a starting one in 350 MiB"
            ),
        ),
        Row(
            _benchmark(BOT),
            "RSS after load",
            _mib(bot.after_rss),
            "MiB",
            baseline=base,
            ratio=_ratio(bot.after_rss, bare.after_rss),
            note=f"{plan.quiet_seconds:g} s after the last answer",
        ),
        Row(
            _benchmark(BOT),
            "USS after load",
            _mib(bot.after_uss),
            "MiB",
            baseline=base,
            ratio=_ratio(bot.after_uss, bare.after_uss),
        ),
        Row(
            _benchmark(BOT),
            "RSS after the first requests, over idle",
            _mib(bot.first_use),
            "MiB",
            baseline=base,
            note=(
                f"one request of each of the {len(kinds)} kinds of the mix: what loads at its first use "
                f"(the date parser's data, the question words, the language detector); the bare app "
                f"{_mib(bare.first_use):g} MiB"
            ),
        ),
        Row(
            _benchmark(BOT),
            "RSS growth, after load over the first requests",
            _mib(bot.growth),
            "MiB",
            target=f"< {GROWTH_TARGET_MIB:g} MiB",
            baseline=base,
            ratio=_ratio(bot.growth, bare.growth) if bare.growth > MIB else None,
            ok=bot_ok and bot.growth < GROWTH_TARGET_MIB * MIB,
            note=(
                "what the load fills once after the first requests (compiled queries, connections, people and "
                "meetings kept in mind); "
                f"the bare app grew {_mib(bare.growth):g} MiB"
            ),
        ),
        Row(
            _benchmark(BOT),
            "RSS growth over the load's second half",
            _mib(bot.second_half_growth),
            "MiB",
            target=f"< {SECOND_HALF_TARGET_MIB:g} MiB",
            ok=(bot_ok and bot.second_half_growth < SECOND_HALF_TARGET_MIB * MIB)
            if len(bot.checkpoints) >= 4
            else None,
            note=(
                f"RSS after the last burst minus RSS after the burst at half the requests ({len(bot.checkpoints)} "
                "bursts): memory that keeps growing with requests would show here"
                + ("" if len(bot.checkpoints) >= 4 else "; not judged: too few bursts in a quick run")
            ),
        ),
        failures_row(_benchmark(BOT), bot.failures),
        shutdown_row(_benchmark(BOT), bot.exit_code, bot.errors_logged),
    ]
    bare_ok = None if bare.failures == 0 else False
    rows += [
        Row(base, "RSS idle", _mib(bare.idle_rss), "MiB", ok=bare_ok, note=f"{bare.threads} threads"),
        Row(base, "USS idle", _mib(bare.idle_uss), "MiB", ok=bare_ok),
        Row(
            base,
            "RSS peak under load",
            _mib(bare.peak_rss),
            "MiB",
            ok=bare_ok,
            note=f"the same {bare.requests:,} requests of the mix in {bare.load_seconds:.1f} s",
        ),
        Row(base, "RSS after load", _mib(bare.after_rss), "MiB", ok=bare_ok),
        Row(base, "USS after load", _mib(bare.after_uss), "MiB", ok=bare_ok),
        Row(base, "RSS growth, after load over the first requests", _mib(bare.growth), "MiB", ok=bare_ok),
        failures_row(base, bare.failures),
    ]
    return rows


def run(config: RunConfig) -> list[Row]:
    """Read the bot's memory idle, under a sustained mix of requests and after it, beside a bare Bolt app."""
    plan = QUICK if config.quick else FULL
    board = AnswerBoard()
    results: dict[str, Footprint] = {}
    with (
        tempfile.TemporaryDirectory(prefix="tci-bench-") as workdir,
        WatchedEmulator(board, users=(ORGANISER, MEMBER, *PEOPLE)) as emulator,
    ):
        emulator.add_channel(GROUP_CHANNEL, "learning-group")
        bench = _Bench(plan, emulator, board, Path(workdir))
        meeting_ids = bench.seed()
        mix = _Mix(emulator, meeting_ids)
        results[BOT] = bench.measure(BOT, mix, None)
        kinds = Counter(mix.kinds)
        results[BARE_DEFAULT] = bench.measure(BARE_DEFAULT, _Mix(emulator, meeting_ids), results[BOT].requests)
        calls = Counter(call.method for call in emulator.calls)
        if calls:
            logger.info("Web API calls during the run: %s", ", ".join(f"{m} x{n}" for m, n in calls.most_common()))
    return _rows(results, plan, kinds)
