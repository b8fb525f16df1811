"""The database engines a benchmark can run on: the embedded SQLite file, and PostgreSQL when a server answers.

PostgreSQL is found through BENCH_DATABASE_URL, or TEST_DATABASE_URL as the tests use it (for example
`postgresql+psycopg://postgres@127.0.0.1:5432/test`). Each run gets a private schema, created before it
and dropped after it, and the URL it is given sets `search_path` to that schema, so nothing else in the
database is touched. With neither variable set, or no server answering, the PostgreSQL rows say why they
were skipped and the run goes on.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import os
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from benchmarks.common import BenchmarkError, Row, bot_database_url
from store import practices as practices_store
from store.db import make_engine, session_factory

logger = logging.getLogger(__name__)

URL_VARIABLES = ("BENCH_DATABASE_URL", "TEST_DATABASE_URL")
CONNECT_TIMEOUT_SECONDS = 3
SCHEMA_PREFIX = "bench_"


class Engine(enum.StrEnum):
    """A database engine the bot supports."""

    SQLITE = "SQLite"
    POSTGRESQL = "PostgreSQL"

    def benchmark_name(self, name: str) -> str:
        """The name of benchmark `name` on this engine: SQLite, the default, adds nothing."""
        return name if self is Engine.SQLITE else f"{name} on {self.value}"


def postgres_setting() -> tuple[str, str] | None:
    """The variable naming a PostgreSQL server, and its URL, or None when none is set."""
    for variable in URL_VARIABLES:
        value = os.environ.get(variable, "").strip()
        if value:
            return variable, value
    return None


def _server_url(raw: str, *, schema: str | None = None) -> URL:
    url = make_url(raw)
    if url.get_backend_name() != "postgresql":
        raise ArgumentError(f"not a PostgreSQL URL: {url.drivername}")
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    query = {"connect_timeout": str(CONNECT_TIMEOUT_SECONDS)}
    if schema is not None:
        query["options"] = f"-csearch_path={schema}"
    return url.update_query_dict(query)


def _render(url: URL) -> str:
    return url.render_as_string(hide_password=False)


def postgres_unavailable() -> str | None:
    """Why the PostgreSQL runs cannot happen (no variable set, a bad URL, no answer), or None when they can."""
    setting = postgres_setting()
    if setting is None:
        return f"neither {' nor '.join(URL_VARIABLES)} is set"
    variable, raw = setting
    try:
        engine = make_engine(_render(_server_url(raw)))
    except (ArgumentError, ImportError, ValueError) as error:
        return f"{variable} is not a PostgreSQL URL ({error})"
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        reason = str(error.orig if getattr(error, "orig", None) else error).strip().splitlines()[0]
        return f"the server at {variable} does not answer ({reason})"
    finally:
        engine.dispose()
    return None


def postgres_version() -> str | None:
    """The PostgreSQL server's version, when one answers."""
    setting = postgres_setting()
    if setting is None or postgres_unavailable() is not None:
        return None
    engine = make_engine(_render(_server_url(setting[1])))
    try:
        with engine.connect() as connection:
            return str(connection.execute(text("SHOW server_version")).scalar_one())
    except SQLAlchemyError:
        return None
    finally:
        engine.dispose()


def sqlite_version() -> str:
    """The version of the SQLite library the bot's driver is linked with."""
    return sqlite3.sqlite_version


@contextlib.contextmanager
def postgres_schema() -> Iterator[str]:
    """Create a private schema and yield a URL whose search_path is it; drop the schema on leaving."""
    setting = postgres_setting()
    if setting is None:
        raise BenchmarkError("no PostgreSQL URL is set")
    variable, raw = setting
    schema = f"{SCHEMA_PREFIX}{uuid.uuid4().hex[:12]}"
    admin = make_engine(_render(_server_url(raw)))
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        logger.info("PostgreSQL (%s): created schema %s", variable, schema)
        try:
            yield _render(_server_url(raw, schema=schema))
        finally:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            logger.info("PostgreSQL: dropped schema %s", schema)
    finally:
        admin.dispose()


@contextlib.contextmanager
def database(engine: Engine, data_dir: Path) -> Iterator[str]:
    """Yield the URL of an empty database on `engine`: SQLite in `data_dir`, or a private PostgreSQL schema."""
    if engine is Engine.SQLITE:
        yield bot_database_url(data_dir)
        return
    with postgres_schema() as url:
        yield url


SKIPPED = "skipped: no PostgreSQL"


def settle(database_url: str) -> None:
    """After a bulk seed, what the store soon does by itself: tidy the index of the newest practices, as the
    bot does hourly, and on PostgreSQL VACUUM (ANALYZE) the schema's tables, as autovacuum would.

    Without it the index of the newest practices holds every practice seeded and the planner knows nothing of
    the rows just written: the first minutes of searching would measure a store no live bot keeps.
    """
    engine = make_engine(database_url)
    try:
        with session_factory(engine)() as session:
            practices_store.tidy(session)
    finally:
        engine.dispose()
    if make_url(database_url).get_backend_name() != "postgresql":
        return
    engine = make_engine(database_url)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            tables = connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
            ).scalars()
            names = ", ".join(f'"{name}"' for name in tables)
            if names:
                connection.execute(text(f"VACUUM (ANALYZE) {names}"))
    finally:
        engine.dispose()


def skipped_rows(benchmark: str, reason: str) -> list[Row]:
    """The one row a benchmark that could not run on PostgreSQL gives instead of its figures."""
    logger.warning("%s %s (%s)", benchmark, SKIPPED, reason)
    return [Row(benchmark, SKIPPED, float("nan"), "", ok=None, note=reason)]
