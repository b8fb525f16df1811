"""Practices at the scale of years of sharing: seeding, ranked search in the store and through the bot, export.

The store is seeded with 100,000 generated practices (5,000 in a quick run). Then:

- the store's search is called directly for a fixed mix of queries, beside a primary-key lookup
  made in the same rounds;
- `tci-bot run` is started on that store and `/practice search <words>` is sent from a few clients,
  each waiting for its answer (posted to the response_url) before it asks again, beside the bare
  Bolt apps answering `/meetings` the same way (an empty acknowledgement, then `ok` to the response_url);
- the CSV export of every practice is timed in a fresh process, beside the standard library writing
  the same rows, and its peak memory is compared at a tenth of the practices and at all of them.

The store is the embedded SQLite file; as `practices_scale_postgresql` it is a private schema on a
PostgreSQL server when one answers (see benchmarks.databases). There, seeding, the store's search and
the search through the bot are measured (beside the bare Bolt app the ratios use); the export's
baseline reads SQLite directly, so the export is measured on SQLite only.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import logging
import os
import random
import resource
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from benchmarks.common import (
    BARE_DEFAULT,
    BARE_FLOOR,
    BOT,
    GROUP_CHANNEL,
    MEMBER,
    ORGANISER,
    BenchmarkError,
    Row,
    RunConfig,
    Sizes,
    failures_row,
    percentile,
    shutdown_row,
)
from benchmarks.databases import Engine, database, postgres_unavailable, settle, skipped_rows
from benchmarks.load import ANSWER_TIMEOUT_SECONDS, LoadResult, Request, run_requests, slash_command_body
from benchmarks.meetings_scale import RESPOND_KEY, AnswerBoard, Measurement, WatchedEmulator
from benchmarks.processes import (
    PROJECT_ROOT,
    ServerProcess,
    child_environment,
    project_pythonpath,
    serving,
    target_server,
)
from benchmarks.seed_practices import seed_practices
from bot.language import i18n
from bot.localslack.emulator import SlackEmulator
from store.db import make_engine
from store.models import Practice, PracticeStatus
from store.practices import CANDIDATES, EXPORT_COLUMNS, Vocabulary, search, search_words
from store.practices._search import _Terms, _tsquery

logger = logging.getLogger(__name__)

NAME = "practices scale"
CLIENTS = 4
SEED = 20_261_126
# The mix of searches, as people type them: (what it is, the words).
QUERIES: tuple[tuple[str, str], ...] = (
    ("rare word", "exoskeleton"),
    ("two common words", "digital skills"),
    ("prefix", "digit"),
    ("title word", "bootcamp"),
    ("no match", "zeppelin"),
    ("four words", "cluster data sharing platform"),
)

SEARCH_TARGET_MS = 10.0
# The p99 of each through the bot, at most this many times bare Bolt pbr's in the same run.
ACK_RATIO_TARGET = 1.3
ANSWER_RATIO_TARGET = 3.0
EXPORT_TARGET_SECONDS = 5.0
MEMORY_RATIO_TARGET = 2.0  # flat memory gives about 1; memory growing with the rows gives 10
# Below this, an export has not yet filled its fixed buffers (fetch batches, SQLite's page cache), so the
# ratio says nothing about growth (at 500 rows the peak is a third of the plateau it reaches by 5,000).
MIN_MEMORY_ROWS = 5_000
HEALTHY_TIMEOUT_SECONDS = 60.0
MIN_BURST_SECONDS = 60.0
SLOWEST_EXPECTED_RPS = 5.0
CHILD_TIMEOUT_SECONDS = 300.0
# The bare apps do not touch the store, so on PostgreSQL only the one the ratios use is measured again.
TARGETS = {Engine.SQLITE: (BOT, BARE_DEFAULT, BARE_FLOOR), Engine.POSTGRESQL: (BOT, BARE_FLOOR)}
SEARCH_LABEL = "/practice search"
BARE_LABEL = "/meetings via response_url"
PK_LOOKUP = "session.get(Practice, id)"
EXPORT_FLOOR = f"{NAME}: sqlite3 + csv.writer"


@dataclass(frozen=True)
class Plan:
    """How big a run is."""

    practices: int
    search_warmup_rounds: int  # unmeasured rounds of the whole mix
    search_rounds: int  # measured rounds: each query of the mix once, and as many primary-key lookups
    requests: Sizes  # slash commands per server


FULL = Plan(practices=100_000, search_warmup_rounds=10, search_rounds=200, requests=Sizes(warmup=200, measured=2000))
QUICK = Plan(practices=5_000, search_warmup_rounds=5, search_rounds=40, requests=Sizes(warmup=30, measured=200))
QUICK_POSTGRESQL = Plan(
    practices=5_000, search_warmup_rounds=3, search_rounds=20, requests=Sizes(warmup=10, measured=80)
)
# How each engine finds and ranks the practices, for the rows' notes.
INDEXES = {
    Engine.SQLITE: ("SQLite FTS5", "bm25", "FTS5 kept by triggers"),
    Engine.POSTGRESQL: (
        "PostgreSQL tsvector + GIN (after VACUUM ANALYZE, as autovacuum would)",
        "ts_rank_cd",
        "a generated tsvector with a GIN index",
    ),
}


def _benchmark(target: str, engine: Engine = Engine.SQLITE) -> str:
    return f"{engine.benchmark_name(NAME)}: {target}"


def _pct(values: list[float], pct: int) -> float:
    return percentile(values, pct) if values else float("nan")


def _ratio(value: float, base: float) -> float | None:
    return round(value / base, 3) if base > 0 else None


# Seeding


def _seed(database_url: str, count: int, now: datetime) -> float:
    """Seed `count` practices; return the seconds it took."""
    started = time.perf_counter()
    seeded = seed_practices(database_url, now=now, count=count)
    seconds = time.perf_counter() - started
    logger.info(
        "seeded %d practices in %.2f s (%.0f a second): %d published, %d pending, %d authors, %d useful-marks",
        seeded.practices,
        seconds,
        seeded.practices / seconds,
        seeded.published,
        seeded.pending,
        seeded.authors,
        seeded.useful_marks,
    )
    return seconds


# Search in the store


@dataclass
class StoreSearch:
    """Latencies of the store's search, by query, and of the primary-key lookups made beside them."""

    by_query: dict[str, list[float]]
    lookups_ms: list[float]
    matches: dict[str, int] = field(default_factory=dict)  # rows holding every word: what the search ranks

    @property
    def search_ms(self) -> list[float]:
        """Every search latency of the mix."""
        return [ms for values in self.by_query.values() for ms in values]


def _store_search(database_url: str, plan: Plan) -> StoreSearch:
    """Run the mix of searches and as many primary-key lookups, each in a fresh session, round after round."""
    rng = random.Random(SEED)
    engine = make_engine(database_url)
    measured = StoreSearch(by_query={label: [] for label, _ in QUERIES}, lookups_ms=[])
    found: dict[str, int] = {}
    vocabulary = Vocabulary()  # kept across searches, as the bot keeps it
    try:
        for round_ in range(plan.search_warmup_rounds + plan.search_rounds):
            keep = round_ >= plan.search_warmup_rounds
            for label, query in QUERIES:
                started = time.perf_counter()
                with Session(engine) as session:
                    result = search(session=session, query=query, languages=i18n.available(), vocabulary=vocabulary)
                searched = time.perf_counter()
                with Session(engine) as session:
                    practice = session.get(Practice, rng.randint(1, plan.practices))
                looked_up = time.perf_counter()
                if practice is None:
                    raise BenchmarkError("a seeded practice is missing: the store was not seeded as planned")
                found[label] = len(result.hits)
                if keep:
                    measured.by_query[label].append((searched - started) * 1000.0)
                    measured.lookups_ms.append((looked_up - searched) * 1000.0)
        with Session(engine) as session:
            measured.matches = {label: _matching_rows(session, query) for label, query in QUERIES}
    finally:
        engine.dispose()
    for label, query in QUERIES:
        values = measured.by_query[label]
        logger.info(
            "store search %-16s %-32r %6d matching rows, %2d hits: p50 %.2f ms, p95 %.2f ms",
            label,
            query,
            measured.matches[label],
            found[label],
            _pct(values, 50),
            _pct(values, 95),
        )
    return measured


def _matching_rows(session: Session, query: str) -> int:
    """How many practices hold every word of `query` (the last as a prefix): the rows the search ranks.

    The words are the store's: each one's forms in every language the bot speaks, as the search tries them.
    """
    words = search_words(query)
    if not words:
        return 0
    forms = _Terms.of(words, i18n.available()).forms
    if session.get_bind().dialect.name != "sqlite":
        params: dict[str, Any] = {}
        matched = _tsquery(params, "w", forms, every_word=True)
        count = text(f"SELECT count(*) FROM practices WHERE status = 'published' AND search_vector @@ {matched}")
        return int(session.execute(count, params).scalar_one())
    terms = []
    for i, alternatives in enumerate(forms):
        star = "*" if i == len(forms) - 1 else ""
        terms.append("(" + " OR ".join(f'"{form}"{star}' for form in alternatives) + ")")
    count = text("SELECT count(*) FROM practices_fts WHERE practices_fts MATCH :match")
    return int(session.execute(count, {"match": " AND ".join(terms)}).scalar_one())


def _store_rows(measured: StoreSearch, plan: Plan, engine: Engine) -> list[Row]:
    search_ms, lookups = measured.search_ms, measured.lookups_ms
    p95s = {label: _pct(values, 95) for label, values in measured.by_query.items()}
    slowest = max(p95s, key=lambda label: p95s[label])
    queries = dict(QUERIES)
    note = (
        f"{INDEXES[engine][0]}, {plan.practices:,} practices; {len(QUERIES)} queries x {plan.search_rounds} rounds, "
        f"each in a fresh session; slowest: {slowest} {queries[slowest]!r} p95 {p95s[slowest]:.1f} ms, "
        f"{measured.matches[slowest]:,} practices hold it, {INDEXES[engine][1]} ranks the newest {CANDIDATES:,}; "
        "ratio to a primary-key lookup in the same rounds"
    )
    p95 = _pct(search_ms, 95)
    lookup_note = f"session.get(Practice, id) of a random id, in a fresh session; {len(lookups)} lookups"
    rows = [
        Row(_benchmark("store", engine), "search p50 (mix)", round(_pct(search_ms, 50), 3), "ms", note=note),
        Row(
            _benchmark("store", engine),
            "search p95 (mix)",
            round(p95, 3),
            "ms",
            target=f"< {SEARCH_TARGET_MS:g} ms",
            baseline=_benchmark(PK_LOOKUP, engine),
            ratio=_ratio(p95, _pct(lookups, 95)),
            ok=p95 < SEARCH_TARGET_MS,
            note=note,
        ),
    ]
    rows += [
        Row(
            _benchmark("store", engine),
            f"search p95 {label} {query!r}",
            round(p95s[label], 3),
            "ms",
            note=f"{measured.matches[label]:,} practices hold every word",
        )
        for label, query in QUERIES
    ]
    rows += [
        Row(_benchmark(PK_LOOKUP, engine), f"lookup p{pct}", round(_pct(lookups, pct), 3), "ms", note=lookup_note)
        for pct in (50, 95)
    ]
    return rows


# Search through the bot


def _search_request(bench: _Bench) -> Request:
    url = bench.emulator.response_url(channel=GROUP_CHANNEL, user=MEMBER.id)
    _, words = QUERIES[next(bench.counter) % len(QUERIES)]
    body = slash_command_body(
        bench.emulator,
        user_id=MEMBER.id,
        command="/practice",
        text=f"search {words}",
        channel=GROUP_CHANNEL,
        response_url=url,
    )
    return Request(body, key=RESPOND_KEY + url.rsplit("/", 1)[1])


def _bare_request(bench: _Bench) -> Request:
    url = bench.emulator.response_url(channel=GROUP_CHANNEL, user=MEMBER.id)
    body = slash_command_body(
        bench.emulator, user_id=MEMBER.id, command="/meetings", text="", channel=GROUP_CHANNEL, response_url=url
    )
    return Request(body, key=RESPOND_KEY + url.rsplit("/", 1)[1])


class _Bench:
    """The bot against the bare apps: the emulator, the answer board, a scratch directory, a signing secret."""

    def __init__(
        self, sizes: Sizes, emulator: SlackEmulator, board: AnswerBoard, workdir: Path, database_url: str
    ) -> None:
        self.sizes = sizes
        self.emulator = emulator
        self.board = board
        self.workdir = workdir
        self.data_dir = workdir / "bot-data"
        self.database_url = database_url
        self.signing_secret = secrets.token_hex(16)
        self.counter = itertools.count()
        self.acknowledged_answers: Counter[str] = Counter()

    def server(self, target: str) -> ServerProcess:
        """Prepare the process of `target` on a free port."""
        return target_server(
            target,
            emulator=self.emulator,
            signing_secret=self.signing_secret,
            workdir=self.workdir,
            data_dir=self.data_dir,
            database_url=self.database_url,
        )

    def wait_answer(self, request: Request, ack_body: bytes, acked: float) -> float | None:
        """Return when the answer reached the response_url; an answer in the acknowledgement is a failure."""
        if ack_body.strip():
            # Help, usage or a refusal: the search never ran (is the subcommand there?).
            self.board.forget(request.key)
            text = ack_body[:160].decode(errors="replace")
            if not self.acknowledged_answers[text]:
                logger.warning("answered in the acknowledgement, not by a search: %s", text)
            self.acknowledged_answers[text] += 1
            return None
        return self.board.wait(request.key, ANSWER_TIMEOUT_SECONDS)

    def burst(self, port: int, build: Callable[[_Bench], Request], count: int) -> LoadResult:
        """Send `count` fresh requests from the clients, each waiting for its answers."""
        requests = [build(self) for _ in range(count)]
        for request in requests:
            self.board.expect(request.key)
        try:
            return run_requests(
                port,
                self.signing_secret,
                requests,
                expect=b"",
                clients=CLIENTS,
                time_limit=max(MIN_BURST_SECONDS, count / SLOWEST_EXPECTED_RPS),
                wait_answer=self.wait_answer,
            )
        finally:
            self.board.clear()

    def measure(self, target: str) -> Measurement:
        """Start `target`, warm it up, measure its searches (or the bare apps' stand-in), then stop it."""
        build, label = (_search_request, SEARCH_LABEL) if target == BOT else (_bare_request, BARE_LABEL)
        measurement = Measurement()
        process = self.server(target)
        with serving(process, healthy_timeout=HEALTHY_TIMEOUT_SECONDS) as lifetime:
            warmup = self.burst(process.port, build, self.sizes.warmup)
            measurement.warmup_failures += warmup.failures
            if warmup.first_failure:
                logger.warning("%s warm-up: first failure: %s", target, warmup.first_failure)
            burst = self.burst(process.port, build, self.sizes.measured)
            measurement.bursts[label] = burst
            logger.info(
                "%s %s: %d requests in %.2f s, %d failed%s; an answer: %.100r",
                target,
                label,
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


def _through_bot(database_url: str, plan: Plan, workdir: Path, engine: Engine) -> dict[str, Measurement]:
    results: dict[str, Measurement] = {}
    board = AnswerBoard()
    with WatchedEmulator(board, users=(ORGANISER, MEMBER)) as emulator:
        emulator.add_channel(GROUP_CHANNEL, "learning-group")
        bench = _Bench(plan.requests, emulator, board, workdir, database_url)
        for target in TARGETS[engine]:
            results[target] = bench.measure(target)
        calls = Counter(call.method for call in emulator.calls)
        if calls:
            logger.info("Web API calls during the run: %s", ", ".join(f"{m} x{n}" for m, n in calls.most_common()))
    return results


def _bot_rows(results: dict[str, Measurement], plan: Plan, engine: Engine) -> list[Row]:
    bot, floor = results[BOT], results[BARE_FLOOR]
    burst, base = bot.bursts[SEARCH_LABEL], floor.bursts[BARE_LABEL]
    setting = (
        f"{CLIENTS} clients on {os.cpu_count()} CPUs, {plan.practices:,} practices on {engine.value}, "
        "the store mix's queries in turn; "
        "baseline: bare Bolt (pbr) posting `ok` to the response_url of /meetings"
    )
    limits = {
        "ack": "the acknowledgement shares the bot's process with the searches under way",
        "answer": "each answer waits for its search; 4 clients' searches and acknowledgements share 2 CPUs",
    }
    rows: list[Row] = []
    for what, values, base_values, most in (
        ("ack", burst.latencies_ms, base.latencies_ms, ACK_RATIO_TARGET),
        ("answer", burst.answer_ms, base.answer_ms, ANSWER_RATIO_TARGET),
    ):
        note = f"{setting}; {limits[what]}"
        p99 = _pct(values, 99)
        rows += [
            Row(_benchmark(BOT, engine), f"{what} p{pct} {SEARCH_LABEL}", round(_pct(values, pct), 3), "ms", note=note)
            for pct in (50, 95)
        ]
        rows.append(
            Row(
                _benchmark(BOT, engine),
                f"{what} p99 {SEARCH_LABEL}",
                round(p99, 3),
                "ms",
                target=f"<= {most:g}x bare pbr",
                baseline=_benchmark(BARE_FLOOR, engine),
                ratio=_ratio(p99, _pct(base_values, 99)),
                ok=bot.failures == 0 and p99 <= most * _pct(base_values, 99),
                note=note,
            )
        )
    rows += [
        failures_row(_benchmark(BOT, engine), bot.failures),
        shutdown_row(_benchmark(BOT, engine), bot.exit_code, bot.errors_logged),
    ]
    for name in (BARE_DEFAULT, BARE_FLOOR):
        if name not in results:
            continue
        measurement = results[name]
        bare = measurement.bursts[BARE_LABEL]
        baseline_ok = None if measurement.failures == 0 else False
        for what, values in (("ack", bare.latencies_ms), ("answer", bare.answer_ms)):
            rows += [
                Row(
                    _benchmark(name, engine),
                    f"{what} p{pct} {BARE_LABEL}",
                    round(_pct(values, pct), 3),
                    "ms",
                    ok=baseline_ok,
                    note=f"{CLIENTS} clients",
                )
                for pct in (50, 99)
            ]
        rows.append(failures_row(_benchmark(name, engine), measurement.failures))
    return rows


# Export, each in a fresh process


@dataclass(frozen=True)
class ExportRun:
    """What one export in a fresh process measured."""

    rows: int
    seconds: float
    bytes_written: int
    rss_growth_kib: int  # peak RSS after the export minus the peak before it

    @property
    def rss_growth_mib(self) -> float:
        """The growth of peak RSS, in MiB."""
        return self.rss_growth_kib / 1024.0


ALL_STATUSES = tuple(str(status) for status in PracticeStatus)


def _export_child(mode: str, database_url: str, out: Path) -> ExportRun:
    """Run one export (`bot` for bot.export, `floor` for sqlite3 and csv.writer) in a fresh interpreter."""
    argv = [sys.executable, "-m", "benchmarks.practices_scale", mode, database_url, str(out)]
    env = child_environment({"PYTHONPATH": project_pythonpath()})
    try:
        done = subprocess.run(
            argv, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=CHILD_TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise BenchmarkError(f"the {mode} export took more than {CHILD_TIMEOUT_SECONDS:.0f} s") from error
    if done.returncode != 0:
        raise BenchmarkError(f"the {mode} export failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return ExportRun(**figures)


def _exports(small_url: str, big_url: str, workdir: Path) -> dict[str, ExportRun]:
    runs = {
        "small": _export_child("bot", small_url, workdir / "small.csv"),
        "big": _export_child("bot", big_url, workdir / "big.csv"),
        "floor": _export_child("floor", big_url, workdir / "floor.csv"),
    }
    for name, run_ in runs.items():
        logger.info(
            "export %s: %d rows, %.1f MB in %.2f s; peak RSS grew %.1f MiB",
            name,
            run_.rows,
            run_.bytes_written / 1e6,
            run_.seconds,
            run_.rss_growth_mib,
        )
    return runs


def _export_rows(runs: dict[str, ExportRun], plan: Plan) -> list[Row]:
    small, big, floor = runs["small"], runs["big"], runs["floor"]
    rows_ok = big.rows == plan.practices
    memory_ratio = big.rss_growth_kib / max(small.rss_growth_kib, 1)
    judged = small.rows >= MIN_MEMORY_ROWS
    memory_note = f"flat memory gives about 1; the stdlib floor grew {floor.rss_growth_mib:.1f} MiB"
    if not judged:
        memory_note += f"; not judged: under {MIN_MEMORY_ROWS:,} rows the fixed buffers are not full yet"
    return [
        Row(
            _benchmark("export"),
            f"CSV of {big.rows:,} practices",
            round(big.seconds, 3),
            "s",
            target=f"< {EXPORT_TARGET_SECONDS:g} s",
            baseline=EXPORT_FLOOR,
            ratio=_ratio(big.seconds, floor.seconds),
            ok=rows_ok and big.seconds < EXPORT_TARGET_SECONDS,
            note=(
                f"bot.services.export.write_practices to a file, every status, in a fresh process; "
                f"{big.bytes_written / 1e6:.1f} MB; baseline: the same join read with sqlite3 and written by "
                f"csv.writer, {floor.seconds:.2f} s; the gap is per-cell Python: UTC times read back and "
                "written as ISO 8601, formula cells neutralised, country names added"
            ),
        ),
        Row(
            _benchmark("export"),
            f"peak RSS growth at {small.rows:,}",
            round(small.rss_growth_mib, 2),
            "MiB",
            note="peak RSS after the export minus RSS before it (VmHWM, reset at the start), in a fresh process",
        ),
        Row(
            _benchmark("export"),
            f"peak RSS growth at {big.rows:,}",
            round(big.rss_growth_mib, 2),
            "MiB",
            target=f"ratio < {MEMORY_RATIO_TARGET:g} (rows x{big.rows / max(small.rows, 1):.0f})",
            baseline=f"{_benchmark('export')} at {small.rows:,}",
            ratio=round(memory_ratio, 3),
            ok=(rows_ok and memory_ratio < MEMORY_RATIO_TARGET) if judged else None,
            note=memory_note,
        ),
    ]


def _child_export(mode: str, database_url: str, out: Path) -> ExportRun:
    """Export in this process and measure it; the entry point of the fresh interpreter."""
    if mode == "bot":
        from bot.services.export import write_practices

        engine = make_engine(database_url)
        with engine.connect():  # the pool's first connection is part of the process, not of the export
            pass
        with out.open("w", encoding="utf-8", newline="") as stream:
            before = _start_peak()
            started = time.perf_counter()
            rows = write_practices(engine, "csv", stream, statuses=ALL_STATUSES)
            seconds = time.perf_counter() - started
            after = _peak_kib()
        engine.dispose()
    else:
        path = make_url(database_url).database or ""
        with sqlite3.connect(path) as connection, out.open("w", encoding="utf-8", newline="") as stream:
            before = _start_peak()
            started = time.perf_counter()
            rows = _floor_export(connection, stream)
            seconds = time.perf_counter() - started
            after = _peak_kib()
    return ExportRun(rows=rows, seconds=seconds, bytes_written=out.stat().st_size, rss_growth_kib=after - before)


# ru_maxrss of a child process starts at its parent's peak (Linux keeps it across fork and exec), so where
# /proc is, the peak is read from VmHWM, restarted at the current RSS just before the export.
_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _proc_status_kib(field: str) -> int | None:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _start_peak() -> int:
    """Restart the peak RSS at the current RSS where Linux allows it; return the peak to measure growth from."""
    try:
        _CLEAR_REFS.write_text("5")  # resets VmHWM to VmRSS
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    current = _proc_status_kib("VmRSS")
    return current if current is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _peak_kib() -> int:
    """The peak RSS of this process, in KiB."""
    peak = _proc_status_kib("VmHWM") if _CLEAR_REFS.exists() else None
    return peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


FLOOR_QUERY = """
    SELECT p.id, p.title, p.kind, p.topic, p.organisation, p.country, p.summary, p.evidence, p.link, p.author,
           coalesce(pe.display_name, ''), p.status, coalesce(u.useful, 0), p.created_at, p.updated_at, p.published_at
    FROM practices AS p
    LEFT JOIN people AS pe ON pe.slack_id = p.author
    LEFT JOIN (SELECT practice_id, count(*) AS useful FROM useful_marks GROUP BY practice_id) AS u
        ON u.practice_id = p.id
    ORDER BY p.id
"""


def _floor_export(connection: sqlite3.Connection, stream: Any) -> int:
    """Write the export's join as CSV with nothing but sqlite3 and csv.writer; return the rows written."""
    writer = csv.writer(stream)
    writer.writerow(EXPORT_COLUMNS)
    cursor = connection.execute(FLOOR_QUERY)
    count = 0
    while batch := cursor.fetchmany(1000):
        writer.writerows(batch)
        count += len(batch)
    return count


# The benchmark


def run(config: RunConfig, engine: Engine = Engine.SQLITE) -> list[Row]:
    """Seed many practices, then time search in the store and through the bot, and (on SQLite) the export."""
    if engine is Engine.POSTGRESQL and (reason := postgres_unavailable()) is not None:
        return skipped_rows(engine.benchmark_name(NAME), reason)
    plan = QUICK if config.quick else FULL
    if config.quick and engine is Engine.POSTGRESQL:
        plan = QUICK_POSTGRESQL
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="tci-bench-") as tmp:
        workdir = Path(tmp)
        with database(engine, workdir / "bot-data") as database_url:
            seconds = _seed(database_url, plan.practices, now)
            settle(database_url)
            rows = [
                Row(
                    _benchmark("seed", engine),
                    f"insert {plan.practices:,} practices",
                    round(seconds, 3),
                    "s",
                    note=(
                        f"{plan.practices / seconds:,.0f} a second; Core executemany in batches, "
                        f"{INDEXES[engine][2]}, useful-marks included"
                    ),
                )
            ]
            rows += _store_rows(_store_search(database_url, plan), plan, engine)
            rows += _bot_rows(_through_bot(database_url, plan, workdir, engine), plan, engine)
        if engine is Engine.SQLITE:
            small_url = f"sqlite:///{workdir / 'tenth' / 'practices.db'}"
            _seed(small_url, plan.practices // 10, now)
            rows += _export_rows(_exports(small_url, database_url, workdir), plan)
    return rows


def main(argv: list[str] | None = None) -> int:
    """Export once and print what it measured as one JSON line (run by the benchmark in a fresh process)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.practices_scale", description=main.__doc__)
    parser.add_argument("mode", choices=("bot", "floor"))
    parser.add_argument("database_url")
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    measured = _child_export(args.mode, args.database_url, args.out)
    sys.stdout.write(json.dumps(asdict(measured)) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
