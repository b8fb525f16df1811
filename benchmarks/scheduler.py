"""The scheduler's timing: how close to their time posts go out, and how fast a meeting reminder fans out.

Both run the whole bot in this process (`LocalBot`: the emulator, the Bolt app, the scheduler and the
sender) on a fresh SQLite store, and watch what the emulated Slack receives:

- precision: 200 announcements (50 in a quick run), each to its own channel so that no pacing binds,
  due at random times over the next 60 s (10 s), planned in one go. Lateness is the wall-clock time the
  emulator received a post minus its due time; the baseline is a bare APScheduler `BackgroundScheduler`
  firing date jobs at the same offsets (no store, no Slack), run after the bot;
- fan-out: one channel reminder of a meeting with 1,000 registrants (200), due at once, which plans a
  direct reminder for each through the sender's own fan-out. The emulator refuses chat.postMessage faster
  than 1 a second per channel and 100 a second across the workspace, the bot is told the same rates, and
  three 429s with Retry-After 1 are injected on the way. The time from the reminder being due to the last
  direct message is set against the least the limits allow.
"""

from __future__ import annotations

import json
import logging
import random
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

from benchmarks.common import GROUP_CHANNEL, BenchmarkError, Row, RunConfig, bot_database_url, percentile
from bot.config import load_settings
from bot.deps import Deps
from bot.localslack.emulator import Delivery
from bot.localslack.local import ORGANISER, LocalBot
from bot.sender import METADATA_EVENT
from store import meetings as meetings_store
from store import schedule
from store.meetings import MeetingDraft
from store.models import Attendance, MeetingKind, PostKind, PostStatus
from store.schedule import PlannedPost

logger = logging.getLogger(__name__)

PRECISION = "schedule precision"
FANOUT = "schedule fanout"
SEED = 20_260_301
POSTED = "chat.postMessage"
SETTLE_SECONDS = 1.0  # the scheduler's first sweep and replanning run as it starts
QUIET_SECONDS = 1.0  # waited after the last expected post, for any duplicate to show
STORE_LIMIT = 10_000

LATENESS_TARGET_MS = 1000.0
LEAD_SECONDS = 1.0  # the earliest due time, after planning starts: planning is not what is timed
UNBOUND_RATE = 500.0  # posts a second: high enough that pacing never holds a post back

FANOUT_RATE = 100.0  # posts a second across the workspace: the emulator's limit and the bot's setting
FANOUT_CHANNEL_RATE = 1.0  # posts a second in any one channel: likewise
INJECTED_RETRY_AFTER = 1  # seconds, for each injected 429
INJECTED_429S = 3
FANOUT_TARGET_RATIO = 1.2
MEETING_STARTS_IN = timedelta(hours=3)
# The libraries `tci-bot run` logs at WARNING only (bot.logs): their INFO lines would be timed too.
NOISY_LOGGERS = ("apscheduler", "slack_sdk", "slack_bolt", "cheroot", "alembic")


@dataclass(frozen=True)
class Plan:
    """How big a run is."""

    announcements: int
    spread_seconds: float  # announcements are due at random times within this after LEAD_SECONDS
    registrants: int


FULL = Plan(announcements=200, spread_seconds=60.0, registrants=1000)
QUICK = Plan(announcements=50, spread_seconds=10.0, registrants=200)


def _benchmark(name: str, target: str) -> str:
    return f"{name}: {target}"


def _ms(seconds: list[float], pct: int) -> float:
    """The `pct`-th percentile of `seconds` in milliseconds (100: the largest)."""
    if not seconds:
        return float("nan")
    return round((max(seconds) if pct == 100 else percentile(seconds, pct)) * 1000.0, 3)


def _ratio(value: float, base: float) -> float | None:
    return round(value / base, 3) if base > 0 else None


class Arrivals:
    """When the emulator received each scheduled post (wall-clock seconds), by the key in its metadata.

    It is an emulator subscriber, called from the emulator's thread right after it has handled the call.
    """

    def __init__(self, on_arrival: Callable[[Delivery, int], None] | None = None) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)
        self.count = 0
        self._on_arrival = on_arrival
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)

    def __call__(self, delivery: Delivery) -> None:
        metadata = delivery.metadata or {}
        if delivery.kind != "message" or metadata.get("event_type") != METADATA_EVENT:
            return
        at = time.time()
        key = str((metadata.get("event_payload") or {}).get("key"))
        with self._changed:
            self.times[key].append(at)
            self.count += 1
            count = self.count
            self._changed.notify_all()
        if self._on_arrival is not None:
            self._on_arrival(delivery, count)

    def wait_for(self, count: int, timeout: float) -> bool:
        """Wait until `count` posts have arrived; False if `timeout` passed first."""
        with self._changed:
            return self._changed.wait_for(lambda: self.count >= count, timeout=timeout)

    def first(self, keys: list[str]) -> dict[str, float]:
        """The first arrival of each key that arrived."""
        with self._lock:
            return {key: self.times[key][0] for key in keys if self.times.get(key)}

    def copies(self, keys: list[str]) -> Counter[int]:
        """How many keys arrived how many times (0 for those lost)."""
        with self._lock:
            return Counter(len(self.times.get(key, ())) for key in keys)


@contextmanager
def _quiet_libraries() -> Iterator[None]:
    """Log the libraries as `tci-bot run` does, at WARNING, for the benchmark's duration."""
    loggers = [logging.getLogger(name) for name in NOISY_LOGGERS]
    levels = [each.level for each in loggers]
    for each in loggers:
        each.setLevel(max(logging.WARNING, each.getEffectiveLevel()))
    try:
        yield
    finally:
        for each, level in zip(loggers, levels, strict=True):
            each.setLevel(level)


@contextmanager
def _local_bot(workdir: Path, *, posts_per_second: float, channel_posts_per_second: float) -> Iterator[LocalBot]:
    """The whole bot on a fresh SQLite store in `workdir` (migrated as it starts), its first sweep done."""
    data_dir = workdir / "bot-data"
    env = {
        "DATABASE_URL": bot_database_url(data_dir),
        "DATA_DIR": str(data_dir),
        "GROUP_NAME": "Digitization learning group",
        "GROUP_TIMEZONE": "Europe/Madrid",
    }
    settings = replace(
        load_settings(env, require_slack=False),
        posts_per_second=posts_per_second,
        channel_posts_per_second=channel_posts_per_second,
    )
    bot = LocalBot(settings).start()
    try:
        time.sleep(SETTLE_SECONDS)
        sender = bot.service.scheduler.sender if bot.service else None
        if sender is None or not bot.emulator.wait_for(lambda: not sender.busy, timeout=10.0):
            raise BenchmarkError("the scheduler did not settle after starting")
        yield bot
    finally:
        bot.stop()


def _deps(bot: LocalBot) -> Deps:
    assert bot.service is not None
    return bot.service.deps


def _plan(deps: Deps, posts: list[PlannedPost]) -> None:
    with deps.sessions() as session:
        schedule.plan(session=session, posts=posts, now=deps.clock())
    deps.wake()


def _statuses(deps: Deps, kinds: list[str]) -> Counter[str]:
    with deps.sessions() as session:
        return Counter(post.status for post in schedule.posts(session=session, kinds=kinds, limit=STORE_LIMIT))


# Precision


@dataclass(frozen=True)
class Precision:
    """What the precision run measured: lateness in seconds, and what arrived how often."""

    lateness: list[float]
    planned: int
    copies: Counter[int]
    not_sent: int  # rows in the store not `sent` at the end
    baseline: list[float]


def _offsets(plan: Plan) -> list[float]:
    rng = random.Random(SEED)
    return sorted(LEAD_SECONDS + rng.uniform(0.0, plan.spread_seconds) for _ in range(plan.announcements))


def _bot_precision(workdir: Path, offsets: list[float]) -> tuple[list[float], Counter[int], int]:
    """Plan an announcement at each offset from now; return lateness, copies by key, and rows not sent."""
    keys = [f"bench:precision:{index:04d}" for index in range(len(offsets))]
    channels = [f"C0P{index + 1:04d}" for index in range(len(offsets))]
    arrivals = Arrivals()
    with _local_bot(workdir, posts_per_second=UNBOUND_RATE, channel_posts_per_second=UNBOUND_RATE) as bot:
        emulator = bot.emulator
        for channel in channels:
            emulator.add_channel(channel, channel.lower())
        emulator.subscribe(arrivals)
        deps = _deps(bot)
        now = deps.clock()
        due = [now + timedelta(seconds=offset) for offset in offsets]
        payload = json.dumps({"text": "A scheduled announcement for the benchmark.", "by": ORGANISER.id})
        posts = [
            PlannedPost(key=key, kind=PostKind.ANNOUNCEMENT, channel=channel, due_at=at, payload=payload)
            for key, channel, at in zip(keys, channels, due, strict=True)
        ]
        started = time.perf_counter()
        _plan(deps, posts)
        logger.info("planned %d announcements in %.3f s", len(posts), time.perf_counter() - started)
        if not arrivals.wait_for(len(keys), timeout=offsets[-1] + 30.0):
            logger.warning("only %d of %d announcements arrived", arrivals.count, len(keys))
        time.sleep(QUIET_SECONDS)
        received = arrivals.first(keys)
        lateness = [received[key] - at.timestamp() for key, at in zip(keys, due, strict=True) if key in received]
        statuses = _statuses(deps, [PostKind.ANNOUNCEMENT])
        return lateness, arrivals.copies(keys), sum(statuses.values()) - statuses[PostStatus.SENT]


def _bare_precision(offsets: list[float]) -> list[float]:
    """Fire a bare APScheduler date job at each offset from now; return each one's lateness in seconds."""
    fired: dict[int, float] = {}
    done = threading.Event()

    def fire(index: int) -> None:
        fired[index] = time.time()
        if len(fired) == len(offsets):
            done.set()

    scheduler = BackgroundScheduler(timezone=UTC, job_defaults={"misfire_grace_time": None})
    scheduler.start()
    try:
        now = time.time()
        due = [now + offset for offset in offsets]
        for index, at in enumerate(due):
            scheduler.add_job(fire, "date", run_date=datetime.fromtimestamp(at, UTC), args=[index])
        done.wait(timeout=offsets[-1] + 30.0)
    finally:
        scheduler.shutdown(wait=False)
    return [fired[index] - at for index, at in enumerate(due) if index in fired]


def _precision_rows(measured: Precision, plan: Plan) -> list[Row]:
    bot = _benchmark(PRECISION, "bot")
    bare = _benchmark(PRECISION, "bare APScheduler")
    lost, duplicated = measured.copies[0], sum(n for copies, n in measured.copies.items() if copies > 1)
    exact = lost == 0 and duplicated == 0 and measured.not_sent == 0
    setting = (
        f"{plan.announcements} announcements, each to its own channel, due at random over "
        f"{LEAD_SECONDS:g}–{LEAD_SECONDS + plan.spread_seconds:g} s after planning (one plan call); "
        "lateness = emulator's receipt (wall clock) − due time"
    )
    late, base = measured.lateness, measured.baseline
    p99 = _ms(late, 99)
    earliest = min(late, default=float("nan")) * 1000.0
    return [
        Row(bot, "lateness p50", _ms(late, 50), "ms", baseline=bare, ratio=_ratio(_ms(late, 50), _ms(base, 50))),
        Row(
            bot,
            "lateness p99",
            p99,
            "ms",
            target=f"< {LATENESS_TARGET_MS:g} ms",
            baseline=bare,
            ratio=_ratio(p99, _ms(base, 99)),
            ok=exact and p99 < LATENESS_TARGET_MS,
            note=setting,
        ),
        Row(
            bot,
            "lateness max",
            _ms(late, 100),
            "ms",
            baseline=bare,
            ratio=_ratio(_ms(late, 100), _ms(base, 100)),
            note=f"earliest: {earliest:+.1f} ms",
        ),
        Row(bot, "posted", len(late), "posts", target=f"{measured.planned}", ok=len(late) == measured.planned),
        Row(bot, "lost", lost, "posts", target="0", ok=lost == 0),
        Row(bot, "duplicated", duplicated, "posts", target="0", ok=duplicated == 0, note="keys posted more than once"),
        Row(bot, "rows not sent", measured.not_sent, "rows", target="0", ok=measured.not_sent == 0),
        Row(bare, "lateness p50", _ms(base, 50), "ms"),
        Row(bare, "lateness p99", _ms(base, 99), "ms", note="date jobs firing time.time() at the same offsets"),
        Row(bare, "lateness max", _ms(base, 100), "ms"),
        Row(bare, "fired", len(base), "jobs", target=f"{measured.planned}", ok=len(base) == measured.planned),
    ]


def run_precision(config: RunConfig) -> list[Row]:
    """Time how late announcements planned at random times go out, against bare APScheduler."""
    plan = QUICK if config.quick else FULL
    offsets = _offsets(plan)
    with _quiet_libraries(), tempfile.TemporaryDirectory(prefix="tci-bench-") as workdir:
        lateness, copies, not_sent = _bot_precision(Path(workdir), offsets)
        baseline = _bare_precision(offsets)
    measured = Precision(lateness, len(offsets), copies, not_sent, baseline)
    logger.info("lateness p99: bot %.1f ms, bare APScheduler %.1f ms", _ms(lateness, 99), _ms(baseline, 99))
    return _precision_rows(measured, plan)


# Fan-out


@dataclass(frozen=True)
class Fanout:
    """What the fan-out run measured."""

    registrants: int
    due_at: float  # wall-clock seconds
    arrivals: list[float]  # wall-clock seconds, the first direct message of each registrant that got one
    copies: Counter[int]  # registrants by how many direct messages carrying the metadata they got
    channel_posts: int  # the channel reminder, as the emulator has it
    not_sent: Counter[str]  # the statuses of rows (reminder and direct ones) not `sent`
    direct_rows: int
    limited: int  # 429s the emulator answered, the injected ones included
    injected: int
    register_seconds: float

    @property
    def floor(self) -> float:
        """The least time the limits allow: every post of the fan-out spaced 1/rate apart, plus the pauses.

        The posts are the channel reminder and the direct ones; the channel reminder goes first.
        """
        return self.registrants / FANOUT_RATE + self.injected * INJECTED_RETRY_AFTER


def _meeting(deps: Deps, registrants: list[str]) -> tuple[int, float]:
    """A meeting in a few hours with `registrants` registered online; its id and the seconds registering took."""
    now = deps.clock()
    draft = MeetingDraft(
        title="Fan-out benchmark",
        kind=MeetingKind.ONLINE,
        starts_at=now + MEETING_STARTS_IN,
        ends_at=now + MEETING_STARTS_IN + timedelta(hours=1),
        timezone="Europe/Madrid",
        join_url="https://meet.example.org/fanout",
        reminder_offsets="1h",
    )
    with deps.sessions() as session:
        meeting_id = meetings_store.create_meeting(session=session, draft=draft, created_by=ORGANISER.id, now=now).id
        assert meeting_id is not None
        started = time.perf_counter()
        for slack_id in registrants:
            meetings_store.register(
                session=session, meeting_id=meeting_id, slack_id=slack_id, answer=Attendance.ONLINE, now=deps.clock()
            )
        return meeting_id, time.perf_counter() - started


def _injector(bot: LocalBot, registrants: int) -> tuple[Callable[[Delivery, int], None], list[int]]:
    """An arrival hook that makes the next chat.postMessage a 429 at each quarter of the direct messages."""
    at = {registrants * (index + 1) // (INJECTED_429S + 1) for index in range(INJECTED_429S)}
    injected: list[int] = []

    def on_arrival(delivery: Delivery, count: int) -> None:
        if count in at:
            bot.emulator.fail_next(POSTED, status=429, retry_after=INJECTED_RETRY_AFTER)
            injected.append(count)

    return on_arrival, injected


def _measure_fanout(workdir: Path, plan: Plan) -> Fanout:
    registrants = [f"U0F{index + 1:05d}" for index in range(plan.registrants)]
    with _local_bot(workdir, posts_per_second=FANOUT_RATE, channel_posts_per_second=FANOUT_CHANNEL_RATE) as bot:
        emulator = bot.emulator
        emulator.set_rate_limit(POSTED, per_channel_per_second=FANOUT_CHANNEL_RATE, per_second=FANOUT_RATE)
        deps = _deps(bot)
        meeting_id, register_seconds = _meeting(deps, registrants)
        logger.info("registered %d people in %.2f s", len(registrants), register_seconds)
        on_arrival, injected = _injector(bot, len(registrants) + 1)  # the channel reminder arrives too
        arrivals = Arrivals(on_arrival)
        emulator.subscribe(arrivals)
        due = deps.clock()
        reminder = PlannedPost(
            key=f"bench:fanout:{meeting_id}",
            kind=PostKind.REMINDER,
            channel=GROUP_CHANNEL,
            due_at=due,
            meeting_id=meeting_id,
        )
        _plan(deps, [reminder])
        expected = len(registrants) + 1
        limit = 3 * (expected / FANOUT_RATE + INJECTED_429S * INJECTED_RETRY_AFTER) + 30.0
        if not arrivals.wait_for(expected, timeout=limit):
            logger.warning("only %d of %d posts arrived within %.0f s", arrivals.count, expected, limit)
        time.sleep(QUIET_SECONDS)
        dm_keys = [f"{reminder.key}:dm:{slack_id}" for slack_id in registrants]
        copies = Counter(len(_scheduled(emulator.messages(emulator.im_channel(u)))) for u in registrants)
        statuses = _statuses(deps, [PostKind.REMINDER, PostKind.REMINDER_DM])
        return Fanout(
            registrants=len(registrants),
            due_at=due.timestamp(),
            arrivals=sorted(arrivals.first(dm_keys).values()),
            copies=copies,
            channel_posts=len(_scheduled(emulator.messages(GROUP_CHANNEL))),
            not_sent=Counter({s: n for s, n in statuses.items() if s != PostStatus.SENT}),
            direct_rows=sum(statuses.values()) - 1,
            limited=sum(1 for call in emulator.calls_to(POSTED) if call.status == 429),
            injected=len(injected),
            register_seconds=register_seconds,
        )


def _scheduled(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The messages the scheduler posted (they carry its metadata)."""
    return [m for m in messages if (m.get("metadata") or {}).get("event_type") == METADATA_EVENT]


def _fanout_rows(measured: Fanout) -> list[Row]:
    bot = _benchmark(FANOUT, "bot")
    floor_name = _benchmark(FANOUT, "the limits' floor")
    n = measured.registrants
    lost, duplicated = measured.copies[0], sum(count for copies, count in measured.copies.items() if copies > 1)
    not_sent = sum(measured.not_sent.values())
    exact = lost == 0 and duplicated == 0 and not_sent == 0 and measured.channel_posts == 1
    arrivals = measured.arrivals
    total = arrivals[-1] - measured.due_at if arrivals else float("nan")
    ratio = total / measured.floor
    first = arrivals[0] - measured.due_at if arrivals else float("nan")
    paused = measured.injected * INJECTED_RETRY_AFTER
    span = arrivals[-1] - arrivals[0] - paused if len(arrivals) > 1 else 0.0
    rate = (len(arrivals) - 1) / span if span > 0 else float("nan")
    beyond = measured.limited - measured.injected
    metric = f"due to last of {n:,} DMs"
    return [
        Row(
            bot,
            metric,
            round(total, 3),
            "s",
            target=f"<= {FANOUT_TARGET_RATIO:g}x floor",
            baseline=floor_name,
            ratio=round(ratio, 3),
            ok=exact and ratio <= FANOUT_TARGET_RATIO,
            note=(
                f"emulator and bot at {FANOUT_CHANNEL_RATE:g}/s per channel and {FANOUT_RATE:g}/s workspace-wide; "
                f"{measured.injected} injected 429s with Retry-After {INJECTED_RETRY_AFTER} s; "
                "the bot and the emulator share this process"
            ),
        ),
        Row(
            floor_name,
            metric,
            round(measured.floor, 3),
            "s",
            note=(
                f"({n:,} DMs + the channel reminder − 1) / {FANOUT_RATE:g} per s "
                f"+ {measured.injected} × {INJECTED_RETRY_AFTER} s Retry-After"
            ),
        ),
        Row(
            bot,
            "due to first DM",
            round(first, 3),
            "s",
            note="claiming the reminder, planning the DM rows, posting the channel reminder",
        ),
        Row(
            bot,
            "DM rate, first to last",
            round(rate, 1),
            "posts/s",
            target=f"<= {FANOUT_RATE:g}",
            ok=rate <= FANOUT_RATE,
            note=f"the {paused:g} s of Retry-After pauses left out; the bot is set to {FANOUT_RATE:g}/s",
        ),
        Row(bot, "lost DMs", lost, "people", target="0", ok=lost == 0, note="registrants with no DM"),
        Row(bot, "duplicated DMs", duplicated, "people", target="0", ok=duplicated == 0, note="more than one DM"),
        Row(
            bot,
            "rows not sent",
            not_sent,
            "rows",
            target="0",
            ok=not_sent == 0 and measured.direct_rows == n,
            note=f"{measured.direct_rows:,} DM rows planned; not sent: {dict(measured.not_sent) or 'none'}",
        ),
        Row(bot, "429s beyond the injected", beyond, "calls", target="0", ok=beyond == 0),
        Row(bot, f"register {n:,} people", round(measured.register_seconds, 3), "s", note="set-up, not judged"),
    ]


def run_fanout(config: RunConfig) -> list[Row]:
    """Time a meeting reminder's fan-out to every registrant under Slack's limits, against the least they allow."""
    plan = QUICK if config.quick else FULL
    with _quiet_libraries(), tempfile.TemporaryDirectory(prefix="tci-bench-") as workdir:
        measured = _measure_fanout(Path(workdir), plan)
    logger.info(
        "fan-out: %d DMs, last %.2f s after due (floor %.2f s), %d 429s (%d injected)",
        len(measured.arrivals),
        measured.arrivals[-1] - measured.due_at if measured.arrivals else float("nan"),
        measured.floor,
        measured.limited,
        measured.injected,
    )
    return _fanout_rows(measured)
