"""The store says "unavailable" in its own words when the database is away or busy, and only then."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from store import StoreUnavailable, db
from store import people as people_store
from store.db import make_engine, session_factory


@pytest.fixture
def engine(migrated_url: str) -> Iterator[Engine]:
    engine = make_engine(migrated_url, pool_size=1, max_overflow=0, pool_timeout=0.2)
    yield engine
    engine.dispose()


def test_no_free_connection_in_time_is_unavailable(engine: Engine) -> None:
    with engine.connect() as held:
        held.execute(text("SELECT 1"))
        with pytest.raises(StoreUnavailable) as raised:
            engine.connect()
    assert "QueuePool limit" in str(raised.value)
    with engine.connect() as connection:  # free again: the store answers
        assert connection.execute(text("SELECT 1")).scalar() == 1


def test_a_bug_is_not_unavailable(engine: Engine) -> None:
    with session_factory(engine)() as session:
        with pytest.raises(IntegrityError) as raised:
            session.execute(text("INSERT INTO app_state (key, value) VALUES ('k', 'v'), ('k', 'w')"))
        assert not isinstance(raised.value, StoreUnavailable)


def test_a_write_while_another_program_holds_sqlite_locked_is_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    engine = make_engine(f"sqlite:///{path}?timeout=0.2")
    from store import migrate

    migrate.upgrade(engine)
    lock = sqlite3.connect(path, isolation_level=None)
    try:
        lock.execute("BEGIN EXCLUSIVE")
        with session_factory(engine)() as session, pytest.raises(StoreUnavailable) as raised:
            people_store.set_organiser(session=session, slack_id="U0ANA", organiser=True)
        assert "database is locked" in str(raised.value).splitlines()[0]
        assert isinstance(raised.value, OperationalError), "code that caught SQLAlchemy's error still does"
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    with session_factory(engine)() as session:
        assert people_store.set_organiser(session=session, slack_id="U0ANA", organiser=True).is_organiser
    engine.dispose()


def test_a_database_that_cannot_be_opened_is_unavailable(tmp_path: Path) -> None:
    folder = tmp_path / "bot.db"
    folder.mkdir()  # a folder where the file should be
    engine = make_engine(f"sqlite:///{folder}")
    with pytest.raises(StoreUnavailable), engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    engine.dispose()


def test_a_connection_the_server_dropped_is_unavailable_and_the_next_one_works(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("a server that drops a connection: PostgreSQL only")
    admin = make_engine(engine.url.render_as_string(hide_password=False))
    with engine.connect() as connection:
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
        with admin.begin() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(StoreUnavailable) as raised:
            connection.execute(text("SELECT 1"))
    assert raised.value.connection_invalidated
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1
    admin.dispose()


def _pooled_then_dropped(engine: Engine) -> int:
    """Use a pooled connection, give it back, and have the server drop it; its backend's pid."""
    admin = make_engine(engine.url.render_as_string(hide_password=False))
    with engine.connect() as connection:
        pid = int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())
    with admin.begin() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()
    return pid


def test_a_pooled_connection_dropped_while_it_sat_idle_is_replaced_unseen(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("a server that drops a connection: PostgreSQL only")
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)  # every connection taken from the pool is asked
    dropped = _pooled_then_dropped(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT pg_backend_pid()")).scalar_one() != dropped


def test_a_pooled_connection_dropped_a_moment_after_use_is_told_once(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("a server that drops a connection: PostgreSQL only")
    dropped = _pooled_then_dropped(engine)  # back in the pool for less than PING_AFTER_IDLE_SECONDS
    with pytest.raises(StoreUnavailable) as raised, engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    assert raised.value.connection_invalidated
    with engine.connect() as connection:
        assert connection.execute(text("SELECT pg_backend_pid()")).scalar_one() != dropped
