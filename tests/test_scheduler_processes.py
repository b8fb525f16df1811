"""Exactly once across processes: a bot killed mid fan-out, and two bots on one database."""

from __future__ import annotations

import json
import random
import signal
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.localslack import SlackEmulator
from bot.localslack.local import GROUP_CHANNEL, PEOPLE
from bot.sender import METADATA_EVENT
from store import meetings as meetings_store
from store import schedule
from store.db import make_engine, session_factory
from store.meetings import MeetingDraft
from store.models import Attendance, MeetingKind, PostKind, PostStatus
from store.schedule import PlannedPost
from tests.processes import bot_process
from tests.test_scheduler import wait_until

FAN_OUT = 200


def tagged(emulator: SlackEmulator) -> Counter[str]:
    """How many times each scheduled post's key reached Slack."""
    counts: Counter[str] = Counter()
    for call in emulator.calls_to("chat.postMessage"):
        meta = call.params.get("metadata") or {}
        if call.status == 200 and (call.response or {}).get("ok") and meta.get("event_type") == METADATA_EVENT:
            counts[meta["event_payload"]["key"]] += 1
    return counts


def test_a_fan_out_killed_midway_reaches_everyone_exactly_once_after_restart(migrated_url: str, tmp_path: Path) -> None:
    engine = make_engine(migrated_url)
    sessions = session_factory(engine)
    people = [f"U0F{n:05d}" for n in range(FAN_OUT)]
    now = datetime.now(UTC)
    with sessions() as session:
        meeting = meetings_store.create_meeting(
            session=session,
            draft=MeetingDraft(
                title="Fan-out workshop",
                kind=MeetingKind.ONLINE,
                starts_at=now + timedelta(hours=3),
                ends_at=now + timedelta(hours=4),
                timezone="Europe/Madrid",
                join_url="https://meet.example.org/f",
            ),
            created_by="U0ORG",
            now=now,
        )
        for slack_id in people:
            meetings_store.register(
                session=session, meeting_id=meeting.id or 0, slack_id=slack_id, answer=Attendance.ONLINE, now=now
            )
        schedule.plan(
            session=session,
            posts=[
                PlannedPost(
                    key="fanout:reminder",
                    kind=PostKind.REMINDER,
                    channel=GROUP_CHANNEL,
                    due_at=now + timedelta(seconds=2),
                    meeting_id=meeting.id,
                )
            ],
            now=now,
        )
    pace = {"POSTS_PER_SECOND": "40", "CHANNEL_POSTS_PER_SECOND": "40", "POST_LEASE": "2s"}
    with SlackEmulator(users=PEOPLE.values()) as emulator:
        with bot_process(tmp_path, emulator, migrated_url, **pace) as first:
            wait_until(lambda: len(tagged(emulator)) >= FAN_OUT // 3, timeout=30)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        before = len(tagged(emulator))
        assert before < FAN_OUT + 1, "killed before the fan-out was done"
        with sessions() as session:
            stranded = schedule.posts(session=session, statuses=[PostStatus.SENDING, PostStatus.PENDING], limit=5000)
        assert any(r.kind == PostKind.REMINDER_DM for r in stranded), "direct reminders were still to go"

        with bot_process(tmp_path, emulator, migrated_url, **pace):
            wait_until(lambda: len(tagged(emulator)) == FAN_OUT + 1, timeout=60)
            time.sleep(3)  # anything that would post twice has had its chance
        counts = tagged(emulator)
        per_person = Counter(
            call.params["channel"]
            for call in emulator.calls_to("chat.postMessage")
            if call.status == 200 and (call.params.get("metadata") or {}).get("event_type") == METADATA_EVENT
        )
    assert set(counts.values()) == {1}, f"duplicates: {[k for k, v in counts.items() if v > 1][:5]}"
    assert all(per_person[slack_id] == 1 for slack_id in people), "every person has exactly one reminder"
    with sessions() as session:
        rows = schedule.posts(session=session, kinds=[PostKind.REMINDER, PostKind.REMINDER_DM], limit=5000)
    rows = [r for r in rows if r.key.startswith("fanout:reminder")]  # not the meeting's own 1h reminder
    assert len(rows) == FAN_OUT + 1 and {r.status for r in rows} == {PostStatus.SENT}
    engine.dispose()


def test_two_processes_on_one_postgresql_database_post_each_row_once(migrated_url: str, tmp_path: Path) -> None:
    if not migrated_url.startswith("postgresql"):
        pytest.skip("several bot processes share a PostgreSQL database; SQLite is for one process")
    engine = make_engine(migrated_url)
    sessions = session_factory(engine)
    pace = {"POSTS_PER_SECOND": "200", "CHANNEL_POSTS_PER_SECOND": "5", "POST_LEASE": "5s"}
    now = datetime.now(UTC)
    rng = random.Random(5)
    posts = [
        PlannedPost(
            key=f"announce:two:{n}",
            kind=PostKind.ANNOUNCEMENT,
            channel=f"C0T{n % 50:04d}",
            due_at=now + timedelta(seconds=rng.uniform(20, 30)),  # within one minute, once both are up
            payload=json.dumps({"text": f"Row {n}", "by": "U0ORG"}),
        )
        for n in range(500)
    ]
    with sessions() as session:
        schedule.plan(session=session, posts=posts, now=now)
    with SlackEmulator(users=PEOPLE.values()) as emulator:
        with (
            bot_process(tmp_path, emulator, migrated_url, **pace),
            bot_process(tmp_path, emulator, migrated_url, **pace),
        ):
            assert datetime.now(UTC) < now + timedelta(seconds=20), "both were up before the first was due"
            wait_until(lambda: len(tagged(emulator)) == 500, timeout=90)
            time.sleep(2)
        counts = tagged(emulator)
    assert len(counts) == 500 and set(counts.values()) == {1}
    with sessions() as session:
        rows = schedule.posts(session=session, kinds=[PostKind.ANNOUNCEMENT], limit=1000)
    assert {r.status for r in rows} == {PostStatus.SENT}
    workers = Counter(r.claimed_by.rsplit(":", 1)[0] for r in rows)
    assert len(workers) == 2, f"both processes posted: {workers}"
    engine.dispose()


def test_two_processes_lapse_each_offer_once_and_never_hold_one_place_twice(migrated_url: str, tmp_path: Path) -> None:
    """Five places freed at once, offered to the first five of thirty; with two bots on one database, every
    offer lapses once, the next is offered each time, and no more people hold places than there are."""
    if not migrated_url.startswith("postgresql"):
        pytest.skip("several bot processes share a PostgreSQL database; SQLite is for one process")
    engine = make_engine(migrated_url)
    sessions = session_factory(engine)
    now = datetime.now(UTC)
    holders = [f"U0H{n:03d}" for n in range(5)]
    waiting = [f"U0W{n:03d}" for n in range(30)]
    with sessions() as session:
        meeting = meetings_store.create_meeting(
            session=session,
            draft=MeetingDraft(
                title="Offers workshop",
                kind=MeetingKind.IN_PERSON,
                starts_at=now + timedelta(days=3),
                ends_at=now + timedelta(days=3, hours=2),
                timezone="Europe/Madrid",
                capacity=5,
            ),
            created_by="U0ORG",
            now=now,
        )
        for slack_id in holders + waiting:
            meetings_store.register(
                session=session, meeting_id=meeting.id or 0, slack_id=slack_id, answer=Attendance.IN_PERSON, now=now
            )
        offered: list[str] = []
        for slack_id in holders:
            result = meetings_store.register(
                session=session,
                meeting_id=meeting.id or 0,
                slack_id=slack_id,
                answer=Attendance.NOT_COMING,
                now=now,
                offers=True,
            )
            offered += result.offered
        lapses = [
            PlannedPost(
                key=f"offer-lapse:{meeting.id}:{slack_id}:1",
                kind=PostKind.OFFER_LAPSE,
                channel=slack_id,
                due_at=now + timedelta(seconds=20),  # once both processes are up
                meeting_id=meeting.id,
                payload=json.dumps({"meeting_id": meeting.id, "slack_id": slack_id, "stamp": "1"}),
            )
            for slack_id in offered
        ]
        schedule.plan(session=session, posts=lapses, now=now)
    assert len(offered) == 5
    settings = {"WAITLIST_OFFER_TIME": "2s", "POSTS_PER_SECOND": "200", "CHANNEL_POSTS_PER_SECOND": "50"}
    with SlackEmulator(users=PEOPLE.values()) as emulator:
        with (
            bot_process(tmp_path, emulator, migrated_url, **settings),
            bot_process(tmp_path, emulator, migrated_url, **settings),
        ):
            wait_until(lambda: len([k for k in tagged(emulator) if k.startswith("offer-lapse")]) >= 20, timeout=90)
            time.sleep(1)
        counts = tagged(emulator)
    lapsed = {key: n for key, n in counts.items() if key.startswith("offer-lapse")}
    assert len(lapsed) >= 20 and set(lapsed.values()) == {1}, "each offer lapsed once"
    with sessions() as session:
        rows = meetings_store.attendees(session=session, meeting_id=meeting.id or 0)
    held = [r.slack_id for r, _p in rows if r.attendance in (Attendance.IN_PERSON, Attendance.OFFERED)]
    assert len(held) <= 5, f"more people hold places than there are: {held}"
    engine.dispose()
