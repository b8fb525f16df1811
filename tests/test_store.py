"""The store: migrations from empty and back, and the people and events queries, on each engine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from store import events as events_store
from store import migrate
from store import people as people_store
from store.db import make_engine, on_its_own, one_transaction, reading, session_factory
from store.models import Person


def test_migrations_from_empty_to_head_and_back(database_url: str) -> None:
    engine = make_engine(database_url)
    assert migrate.current_revision(engine) is None
    migrate.upgrade(engine)
    assert migrate.is_current(engine)
    assert {"people", "processed_events", "app_state"} <= set(inspect(engine).get_table_names())
    migrate.downgrade(engine, "base")
    assert "people" not in inspect(engine).get_table_names()
    migrate.upgrade(engine)
    assert migrate.is_current(engine)
    engine.dispose()


def test_sqlite_runs_in_wal_mode(tmp_path: object) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/sub/dir/bot.db")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_configured_organisers_are_seeded_once(migrated_url: str) -> None:
    engine = make_engine(migrated_url)
    sessions = session_factory(engine)
    with sessions() as session:
        assert people_store.seed_organisers(session=session, slack_ids=["U0AAA", "U0BBB"]) == ["U0AAA", "U0BBB"]
        people_store.set_organiser(session=session, slack_id="U0AAA", organiser=False)
        # A later start with the same configuration leaves the removal alone and seeds only new ids.
        assert people_store.seed_organisers(session=session, slack_ids=["U0AAA", "U0BBB", "U0CCC"]) == ["U0CCC"]
        assert [p.slack_id for p in people_store.list_organisers(session=session)] == ["U0BBB", "U0CCC"]
        assert not people_store.is_organiser(session=session, slack_id="U0AAA")
    engine.dispose()


def test_profiles_and_membership(migrated_url: str) -> None:
    engine = make_engine(migrated_url)
    sessions = session_factory(engine)
    checked = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    with sessions() as session:
        guest = people_store.save_profile(
            session=session,
            slack_id="U0GST",
            display_name="Carla",
            tz="America/Toronto",
            is_guest=True,
            checked_at=checked,
        )
        assert not guest.is_member
        people_store.set_membership(session=session, slack_id="U0GST", member=True)
        people_store.set_membership(session=session, slack_id="U0MEM", member=False)
    with sessions() as session:
        guest = people_store.get_person(session=session, slack_id="U0GST")
        assert guest is not None and guest.is_member and guest.tz == "America/Toronto"
        assert guest.profile_checked_at == checked
        decided = people_store.list_members_set_by_organisers(session=session)
        assert [(p.slack_id, p.is_member) for p in decided] == [("U0GST", True), ("U0MEM", False)]
    engine.dispose()


def test_an_event_is_claimed_once_and_forgotten_later(migrated_url: str) -> None:
    engine = make_engine(migrated_url)
    sessions = session_factory(engine)
    old = datetime(2026, 11, 1, tzinfo=UTC)
    with sessions() as session:
        assert events_store.claim_event(session=session, event_id="Ev1", received_at=old)
        assert not events_store.claim_event(session=session, event_id="Ev1")
        assert events_store.claim_event(session=session, event_id="Ev2", received_at=old + timedelta(days=10))
        assert events_store.forget_events(session=session, before=old + timedelta(days=1)) == 1
        assert events_store.claim_event(session=session, event_id="Ev1")
    engine.dispose()


def test_someone_new_met_by_two_requests_at_once_is_recorded_once(migrated_url: str) -> None:
    """A button press and an App Home opening from a new person, together: one row, no error."""
    engine = make_engine(migrated_url)
    sessions = session_factory(engine)
    with sessions() as first:
        people_store.ensure_person(session=first, slack_id="U0NEW")
        first.commit()
    with sessions() as second:
        looked = second.get
        calls: list[object] = []

        def missing_at_first(entity: Any, key: Any, **kwargs: Any) -> Any:
            calls.append(key)  # the second request looked just before the first one committed
            return None if len(calls) == 1 else looked(entity, key, **kwargs)

        second.get = missing_at_first  # type: ignore[method-assign]
        people_store.save_profile(
            session=second, slack_id="U0NEW", display_name="Nuno", tz="Europe/Lisbon", is_guest=False
        )
    with sessions() as third:
        (person,) = third.exec(select(Person)).all()
        assert (person.slack_id, person.display_name, person.tz) == ("U0NEW", "Nuno", "Europe/Lisbon")
    engine.dispose()


def test_a_write_on_its_own_leaves_the_next_transaction_whole(migrated_url: str) -> None:
    """One statement committed as it runs; the connection, given back, holds the next transaction together."""
    engine = make_engine(migrated_url, pool_size=1, max_overflow=0)
    sessions = session_factory(engine)
    with sessions() as session:
        on_its_own(session).execute(text("INSERT INTO app_state (key, value) VALUES ('alone', '1')"))
    # The same pooled connection.
    with sessions() as session, pytest.raises(IntegrityError), one_transaction(session):
        session.execute(text("INSERT INTO app_state (key, value) VALUES ('together', '1')"))
        session.execute(text("INSERT INTO app_state (key, value) VALUES ('alone', '2')"))
    with sessions() as session:
        kept = dict(session.execute(text("SELECT key, value FROM app_state WHERE key IN ('alone', 'together')")).all())
    assert kept == {"alone": "1"}, "the write on its own was committed; the failed transaction left nothing"
    engine.dispose()


def test_a_reading_session_sees_each_write_as_committed_and_gives_back_a_whole_connection(migrated_url: str) -> None:
    """No transaction around a reading session's statements, each seeing what was committed before it (as
    SQLite's driver does for reads anyway); on PostgreSQL the connection, given back, holds the next
    transaction together."""
    pooled = {"pool_size": 1, "max_overflow": 0} if "postgresql" in migrated_url else {}
    engine, writer = make_engine(migrated_url, **pooled), make_engine(migrated_url)
    sessions, writes = session_factory(engine), session_factory(writer)
    values = "SELECT value FROM app_state WHERE key = 'seen'"
    with writes() as session:
        session.execute(text("INSERT INTO app_state (key, value) VALUES ('seen', 'before')"))
        session.commit()
    with sessions() as session:
        read = reading(session)
        first = read.execute(text(values)).scalar_one()
        with writes() as other:
            other.execute(text("UPDATE app_state SET value = 'after' WHERE key = 'seen'"))
            other.commit()
        second = read.execute(text(values)).scalar_one()
        if engine.dialect.name == "postgresql":
            begun = [read.execute(text("SELECT now(), pg_sleep(0.01)")).scalar_one() for _ in range(2)]
            assert begun[0] < begun[1], "each statement began a transaction of its own"
    assert (first, second) == ("before", "after")
    if engine.dialect.name == "postgresql":
        with sessions() as session:  # the same pooled connection, in a transaction again
            started = [session.execute(text("SELECT now()")).scalar_one() for _ in range(2)]
        assert started[0] == started[1], "now() is the transaction's start: both statements are in one"
    engine.dispose()
    writer.dispose()
