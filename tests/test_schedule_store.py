"""Scheduled posts in the store: planned once, claimed once across workers, leases, outcomes; on each engine."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import inspect
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from store import meetings as meetings_store
from store import migrate
from store import people as people_store
from store import practices as practices_store
from store import schedule as store
from store.db import make_engine, session_factory
from store.models import PostStatus
from tests import revisions

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def post(
    key: str, *, due: datetime = NOW, meeting_id: int | None = None, channel: str = "C0GROUP"
) -> store.PlannedPost:
    return store.PlannedPost(key=key, kind="reminder", channel=channel, due_at=due, meeting_id=meeting_id)


def test_migration_0004_from_the_previous_revision_and_back(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate.upgrade(engine, "0003")
    # Written as 0003 had practices, with no model of today in the way.
    written = {"kind": "Tool", "topic": "T", "organisation": "", "country": "", "evidence": "", "link": ""}
    revisions.insert(
        engine,
        "practices",
        title="Kept",
        summary="kept across 0004",
        author="U1",
        status="published",
        created_at=NOW,
        updated_at=NOW,
        published_at=NOW,
        **written,
    )
    migrate.upgrade(engine, "0004")
    assert "scheduled_posts" in inspect(engine).get_table_names()
    assert [row["title"] for row in revisions.rows(engine, "practices")] == ["Kept"]
    migrate.upgrade(engine)  # the store's code speaks today's schema
    with session_factory(engine)() as session:
        assert practices_store.search(session=session, query="kept").hits, "0003's rows and index survive"
        assert store.plan(session=session, posts=[post("a")], now=NOW) == 1
    migrate.downgrade(engine, "0003")
    assert "scheduled_posts" not in inspect(engine).get_table_names()
    engine.dispose()


def test_migration_0005_keeps_people_and_their_registrations_and_goes_back(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate.upgrade(engine, "0004")
    revisions.insert(engine, "people", slack_id="U0MEM", display_name="Bruno", created_at=NOW)
    meeting_id = revisions.meeting_with_registration(engine, "U0MEM", NOW)

    migrate.upgrade(engine, "0005")
    (person,) = revisions.rows(engine, "people")
    assert (person["display_name"], person["reminders"]) == ("Bruno", True), "everyone starts with reminders on"
    migrate.upgrade(engine)  # the store's code speaks today's schema
    with session_factory(engine)() as session:
        people_store.set_reminders(session=session, slack_id="U0MEM", wanted=False)
        assert meetings_store.reminder_recipients(session=session, meeting_id=meeting_id) == []
    migrate.downgrade(engine, "0004")
    assert "reminders" not in {c["name"] for c in inspect(engine).get_columns("people")}
    assert len(revisions.rows(engine, "registrations")) == 1, "registrations survive the way back"
    engine.dispose()


def test_a_key_is_planned_once_and_only_pending_posts_move(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        store.plan(session=session, posts=[post("m1-1d", meeting_id=1), post("m1-1h", meeting_id=1)], now=NOW)
        store.plan(session=session, posts=[post("m1-1d", due=NOW + timedelta(hours=2), meeting_id=1)], now=NOW)
        assert [p.due_at for p in store.posts(session=session)] == [NOW, NOW + timedelta(hours=2)]
        [claimed] = store.claim_due(session=session, worker="w1", now=NOW, limit=1)
        assert claimed.key == "m1-1h" and claimed.attempts == 1
        assert store.mark_sent(
            session=session, post_id=claimed.id or 0, worker="w1", channel="C0GROUP", ts="1.2", now=NOW
        )
        store.plan(session=session, posts=[post("m1-1h", due=NOW + timedelta(days=1), meeting_id=1)], now=NOW)
        sent = store.get_post(session=session, key="m1-1h")
        assert sent is not None and sent.status == PostStatus.SENT and sent.due_at == NOW, "a sent post stays sent"
        assert store.cancel(session=session, meeting_id=1, now=NOW) == 1
        assert {p.key: p.status for p in store.posts(session=session)} == {
            "m1-1d": PostStatus.CANCELLED,
            "m1-1h": PostStatus.SENT,
        }


def test_leases_retries_and_outcomes(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        store.plan(session=session, posts=[post("a"), post("b", due=NOW + timedelta(minutes=5))], now=NOW)
        assert [p.key for p in store.claim_due(session=session, worker="w1", now=NOW)] == ["a"]
        assert store.claim_due(session=session, worker="w2", now=NOW + timedelta(minutes=1)) == [], "leased"
        later = NOW + store.DEFAULT_LEASE + timedelta(seconds=1)
        [taken] = store.claim_due(session=session, worker="w2", now=later, limit=1)
        assert taken.key == "a" and taken.attempts == 2 and taken.claimed_by == "w2", "a dead worker's claim expires"
        assert not store.mark_sent(session=session, post_id=taken.id or 0, worker="w1", channel="C", ts="1", now=later)
        retry_at = later + timedelta(seconds=30)
        assert store.mark_retry(
            session=session, post_id=taken.id or 0, worker="w2", error="ratelimited", retry_at=retry_at, now=later
        )
        assert store.next_due(session=session) == retry_at, "the retry comes before b is due"
        assert [p.key for p in store.claim_due(session=session, worker="w3", now=later, limit=1)] == []
        assert [p.key for p in store.claim_due(session=session, worker="w3", now=retry_at, limit=1)] == ["a"]
        assert store.mark_failed(session=session, post_id=taken.id or 0, worker="w3", error="x" * 5000, now=retry_at)
        failed = store.get_post(session=session, key="a")
        assert failed is not None and failed.status == PostStatus.FAILED and len(failed.last_error) == store.ERROR_LIMIT
        [b] = store.claim_due(session=session, worker="w3", now=NOW + timedelta(minutes=5))
        assert store.mark_skipped(session=session, post_id=b.id or 0, worker="w3", reason="meeting began", now=NOW)
        assert store.next_due(session=session) is None


def test_two_workers_claim_every_due_post_exactly_once(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        store.plan(session=session, posts=[post(f"p{i}", due=NOW - timedelta(seconds=i)) for i in range(200)], now=NOW)
    claims: Counter[str] = Counter()
    lock = threading.Lock()
    start = threading.Barrier(4)

    def work(worker: str) -> None:
        start.wait()
        while True:
            with sessions() as session:
                got = store.claim_due(session=session, worker=worker, now=NOW, limit=7)
            if not got:
                return
            with lock:
                claims.update(p.key for p in got)

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(claims) == 200 and set(claims.values()) == {1}
