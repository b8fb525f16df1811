"""The benchmark suite: which benchmarks exist, the command line, the report."""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from benchmarks import (
    ack_latency,
    growth,
    meetings_scale,
    memory,
    practices_scale,
    rsvp,
    scheduler,
    several,
    startup,
)
from benchmarks.common import BenchmarkError, Row, RunConfig
from benchmarks.databases import Engine
from benchmarks.machine import machine_facts
from benchmarks.report import print_report, write_json

logger = logging.getLogger("benchmarks")

# Each benchmark is a module with `run(config) -> list[Row]`; add new ones here, in running order.
# The `_postgresql` ones run on a PostgreSQL server when one answers, and say "skipped" otherwise.
BENCHMARKS: dict[str, Callable[[RunConfig], list[Row]]] = {
    "memory": memory.run,
    "startup": startup.run,
    "ack_latency": ack_latency.run,
    "meetings_scale": meetings_scale.run,
    "meetings_scale_postgresql": partial(meetings_scale.run, engine=Engine.POSTGRESQL),
    "practices_scale": practices_scale.run,
    "practices_scale_postgresql": partial(practices_scale.run, engine=Engine.POSTGRESQL),
    "growth": growth.run,
    "several_processes": several.run,  # PostgreSQL only
    "rsvp": rsvp.run,  # SQLite, then PostgreSQL when a server answers
    "schedule_precision": scheduler.run_precision,
    "schedule_fanout": scheduler.run_fanout,
}
DEFAULT_JSON = Path(__file__).resolve().parent / "results" / "latest.json"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description="Run the bot's benchmarks.")
    parser.add_argument("--quick", action="store_true", help="fewer requests: a smoke run for CI")
    parser.add_argument(
        "--json", type=Path, default=DEFAULT_JSON, help=f"where to write results (default: {DEFAULT_JSON})"
    )
    parser.add_argument("--only", choices=sorted(BENCHMARKS), help="run only this benchmark")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the chosen benchmarks, print the table, write the JSON; exit 1 if a benchmark could not run."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", datefmt="%H:%M:%S")
    config = RunConfig(quick=args.quick)
    names = [args.only] if args.only else list(BENCHMARKS)
    machine = machine_facts()
    started = time.perf_counter()
    rows: list[Row] = []
    errors: dict[str, str] = {}
    for name in names:
        logger.info("running %s%s", name, " (quick)" if config.quick else "")
        try:
            rows += BENCHMARKS[name](config)
        except BenchmarkError as error:
            logger.error("%s could not run: %s", name, error)
            errors[name] = str(error)
        except Exception as error:
            logger.exception("%s failed", name)
            errors[name] = f"{error.__class__.__name__}: {error}"
    report = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": config.quick,
        "machine": machine,
        "benchmarks": names,
        "duration_seconds": round(time.perf_counter() - started, 1),
        "rows": [row.as_dict() for row in rows],
        "errors": errors,
    }
    write_json(args.json, report)
    logger.info("results written to %s", args.json)
    print_report(rows, machine)
    return 1 if errors else 0
