"""Shared fixtures: a fresh database per test (SQLite, and PostgreSQL when available) and the local bot."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from bot.config import Settings, load_settings
from bot.localslack.local import LocalBot
from bot.localslack.webapi import WebApi
from store import migrate
from store.db import make_engine, session_factory
from tests.helpers import Clock

# Every test checks what the bot sends against Slack's rules, and fails on text Slack would show broken.
WebApi.strict_text = True

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
POSTGRES_SKIP = (
    "PostgreSQL run skipped: TEST_DATABASE_URL is not set "
    "(e.g. TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test)"
)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """Two workers a CPU for `-n auto`: most tests wait (bots in child processes, Slack down for a while),
    so a second worker on each CPU fills those waits (on 2 CPUs, 7 minutes for the suite instead of 10)."""
    return 2 * (os.cpu_count() or 1)


def _postgres_url(schema: str) -> str:
    url = make_url(TEST_DATABASE_URL)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each engine, private to the test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bot.db'}"
        return
    if not TEST_DATABASE_URL:
        pytest.skip(POSTGRES_SKIP)
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(_postgres_url("public"))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _postgres_url(schema)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def migrated_url(database_url: str) -> str:
    """A database of each engine with every migration applied."""
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    engine.dispose()
    return database_url


@pytest.fixture
def engine(migrated_url: str) -> Iterator[Engine]:
    """An engine on a migrated database of each engine, disposed afterwards."""
    engine = make_engine(migrated_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    """Sessions on that engine, for tests of store functions."""
    return session_factory(engine)


def make_settings(database_url: str, tmp_path: Path, **overrides: str) -> Settings:
    """Settings as an operator would give them, for the local workspace."""
    env = {
        "DATABASE_URL": database_url,
        "DATA_DIR": str(tmp_path / "data"),
        "GROUP_NAME": "Digitization learning group",
        "GROUP_TIMEZONE": "Europe/Madrid",
        # The emulator enforces no pace unless a test asks it to, and the tests of the pace set their own:
        # elsewhere a card's update need not wait Slack's second per channel.
        "POSTS_PER_SECOND": "100",
        "CHANNEL_POSTS_PER_SECOND": "100",
        **overrides,
    }
    return load_settings(env, require_slack=False)


@pytest.fixture
def settings(migrated_url: str, tmp_path: Path) -> Settings:
    """Settings pointing at a migrated database."""
    return make_settings(migrated_url, tmp_path)


@pytest.fixture
def clocked_bot(settings: Settings, clock: Clock) -> Iterator[LocalBot]:
    """The real bot on the module's `clock` fixture (a `tests.helpers.Clock` the test moves)."""
    with LocalBot(settings, clock=clock) as bot:
        yield bot


@pytest.fixture
def local_bot(settings: Settings) -> Iterator[LocalBot]:
    """The real bot, served over HTTP on a free port, wired to the Slack emulator."""
    bot = LocalBot(settings).start()
    try:
        yield bot
    finally:
        bot.stop()
