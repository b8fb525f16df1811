"""The scheduler end to end: rows in the store, posts in the emulated Slack, each exactly once."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.config import Settings
from bot.deps import build_deps
from bot.localslack.local import GROUP_CHANNEL, MEMBER, ORGANISER, LocalBot
from bot.sender import METADATA_EVENT
from bot.services.planning import plan_meeting
from store import meetings as meetings_store
from store import people as people_store
from store import schedule
from store.meetings import MeetingDraft
from store.models import Attendance, MeetingKind, PostKind, PostStatus, ScheduledPost
from store.schedule import PlannedPost
from tests.helpers import private_answer

OURS = [PostKind.ANNOUNCEMENT, PostKind.REMINDER]
FAST = {"posts_per_second": 200.0, "channel_posts_per_second": 200.0, "post_lease": timedelta(seconds=2)}


@pytest.fixture
def fast_settings(settings: Settings) -> Settings:
    """Settings with Slack's pace lifted, so that tests take seconds."""
    return replace(settings, **FAST)  # type: ignore[arg-type]


@pytest.fixture
def bot(fast_settings: Settings) -> Iterator[LocalBot]:
    """The whole bot with its scheduler, against the emulator."""
    local = LocalBot(fast_settings).start()
    try:
        yield local
    finally:
        local.stop()


def wait_until(predicate: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("timed out waiting")


def rows(bot: LocalBot, **filters: Any) -> list[ScheduledPost]:
    deps = bot.service.deps  # type: ignore[union-attr]
    with deps.sessions() as session:
        return schedule.posts(session=session, limit=5000, **filters)


def scheduled(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The messages the scheduler posted (they carry its metadata)."""
    return [m for m in messages if (m.get("metadata") or {}).get("event_type") == METADATA_EVENT]


def make_meeting(bot: LocalBot, *, starts_in: timedelta, offsets: str, kind: str = MeetingKind.HYBRID) -> int:
    deps = bot.service.deps  # type: ignore[union-attr]
    now = deps.clock()
    draft = MeetingDraft(
        title="Essen <!channel> workshop",
        kind=kind,
        starts_at=now + starts_in,
        ends_at=now + starts_in + timedelta(hours=2),
        timezone="Europe/Madrid",
        city="Essen",
        country="DE",
        join_url="https://meet.example.org/essen",
        reminder_offsets=offsets,
    )
    with deps.sessions() as session:
        meeting = meetings_store.create_meeting(session=session, draft=draft, created_by=ORGANISER.id, now=now)
        return meeting.id or 0


def register(bot: LocalBot, meeting_id: int, *people: str) -> None:
    deps = bot.service.deps  # type: ignore[union-attr]
    with deps.sessions() as session:
        for slack_id in people:
            meetings_store.register(
                session=session, meeting_id=meeting_id, slack_id=slack_id, answer=Attendance.ONLINE, now=deps.clock()
            )


def test_a_reminder_reaches_the_channel_and_each_registrant_once(bot: LocalBot) -> None:
    deps = bot.service.deps  # type: ignore[union-attr]
    with deps.sessions() as session:
        people_store.save_profile(
            session=session, slack_id=MEMBER.id, display_name="Bruno", tz="Europe/Berlin", is_guest=False
        )
    meeting_id = make_meeting(bot, starts_in=timedelta(seconds=4), offsets="3s")
    register(bot, meeting_id, MEMBER.id, ORGANISER.id)
    plan_meeting(deps, meeting_id)

    emulator = bot.emulator
    wait_until(lambda: len(scheduled(emulator.messages(emulator.im_channel(MEMBER.id)))) >= 1)
    wait_until(lambda: len(scheduled(emulator.messages(emulator.im_channel(ORGANISER.id)))) >= 1)
    channel = scheduled(emulator.messages(GROUP_CHANNEL))
    assert len(channel) == 1
    assert (
        "Reminder: Essen &lt;!channel&gt; workshop starts in a few seconds" in channel[0]["text"]
        or "starts" in channel[0]["text"]
    )
    assert "<!channel>" not in json.dumps(channel[0]["blocks"]), "the title cannot ping"
    dm = scheduled(emulator.messages(emulator.im_channel(MEMBER.id)))
    assert len(dm) == 1
    dm_text = json.dumps(dm[0]["blocks"])
    assert "your time (Europe/Berlin)" in dm_text
    assert "meet.example.org/essen" in dm_text, "the join link"
    assert "Google Calendar" in dm_text, "the calendar link"

    wait_until(lambda: len(scheduled(emulator.messages(GROUP_CHANNEL))) == 2)  # "starting now"
    starting = scheduled(emulator.messages(GROUP_CHANNEL))[-1]
    assert "is starting now" in json.dumps(starting["blocks"])
    time.sleep(0.5)
    assert len(scheduled(emulator.messages(emulator.im_channel(MEMBER.id)))) == 1, "no second DM"
    statuses = {(r.kind, r.channel): r.status for r in rows(bot)}
    assert statuses[(PostKind.REMINDER, GROUP_CHANNEL)] == PostStatus.SENT
    assert statuses[(PostKind.REMINDER_DM, MEMBER.id)] == PostStatus.SENT
    assert statuses[(PostKind.STARTING, GROUP_CHANNEL)] == PostStatus.SENT


def test_reminders_off_stops_the_direct_ones_only(bot: LocalBot) -> None:
    workspace = bot.workspace
    assert workspace is not None
    workspace.slash_command(MEMBER.id, "/meetings", "reminders off")
    private_answer(bot.emulator, MEMBER.id, "*off*")
    workspace.slash_command(MEMBER.id, "/meetings", "reminders sometimes")
    private_answer(bot.emulator, MEMBER.id, "takes `off` or `on`")

    meeting_id = make_meeting(bot, starts_in=timedelta(seconds=30), offsets="29s")
    register(bot, meeting_id, MEMBER.id, ORGANISER.id)
    plan_meeting(bot.service.deps, meeting_id)  # type: ignore[union-attr]
    emulator = bot.emulator
    wait_until(lambda: len(scheduled(emulator.messages(emulator.im_channel(ORGANISER.id)))) == 1)
    wait_until(lambda: len(scheduled(emulator.messages(GROUP_CHANNEL))) == 1)
    assert not [r for r in rows(bot) if r.channel == MEMBER.id], "no direct reminder is planned for them"
    assert scheduled(emulator.messages(emulator.im_channel(MEMBER.id))) == []
    assert len(scheduled(emulator.messages(GROUP_CHANNEL))) == 1

    workspace.slash_command(MEMBER.id, "/meetings", "reminders on")
    private_answer(bot.emulator, MEMBER.id, "*on*")


def of_meeting(bot: LocalBot, meeting_id: int, status: str) -> list[ScheduledPost]:
    return [r for r in rows(bot, statuses=[status]) if r.meeting_id == meeting_id]


def test_moving_or_cancelling_a_meeting_replans_its_reminders(bot: LocalBot) -> None:
    deps = bot.service.deps  # type: ignore[union-attr]
    meeting_id = make_meeting(bot, starts_in=timedelta(days=10), offsets="7d,1d,1h")
    plan_meeting(deps, meeting_id)
    pending = {r.key: r for r in of_meeting(bot, meeting_id, PostStatus.PENDING)}
    assert len(pending) == 4  # three reminders and "starting now" for a hybrid meeting
    plan_meeting(deps, meeting_id)
    assert {r.key for r in of_meeting(bot, meeting_id, PostStatus.PENDING)} == set(pending), "planned once"

    with deps.sessions() as session:
        meeting = meetings_store.get_meeting(session=session, meeting_id=meeting_id)
        assert meeting is not None
        old_start = meeting.starts_at
        draft = replace(
            MeetingDraft.of(meeting),
            starts_at=meeting.starts_at + timedelta(days=1),
            ends_at=meeting.ends_at + timedelta(days=1),
            kind=MeetingKind.IN_PERSON,
        )
        meetings_store.update_meeting(session=session, meeting_id=meeting_id, draft=draft, now=deps.clock())
    plan_meeting(deps, meeting_id)
    moved = of_meeting(bot, meeting_id, PostStatus.PENDING)
    assert len(moved) == 3 and not set(r.key for r in moved) & set(pending), "new keys for the new time"
    (hour_before,) = [r for r in moved if r.key.endswith(":1h")]
    assert hour_before.due_at == old_start + timedelta(days=1, hours=-1)
    assert len(of_meeting(bot, meeting_id, PostStatus.CANCELLED)) == 4

    with deps.sessions() as session:
        meetings_store.cancel_meeting(session=session, meeting_id=meeting_id, now=deps.clock())
    plan_meeting(deps, meeting_id)
    assert of_meeting(bot, meeting_id, PostStatus.PENDING) == []


def announcement(key: str, due_at: datetime, text: str = "Hello group", channel: str = GROUP_CHANNEL) -> PlannedPost:
    payload = json.dumps({"text": text, "by": ORGANISER.id})
    return PlannedPost(key=key, kind=PostKind.ANNOUNCEMENT, channel=channel, due_at=due_at, payload=payload)


def plan(bot: LocalBot, *posts: PlannedPost) -> None:
    deps = bot.service.deps  # type: ignore[union-attr]
    with deps.sessions() as session:
        schedule.plan(session=session, posts=list(posts), now=deps.clock())
    deps.wake()


def test_429_with_retry_after_and_500s_still_post_each_once(bot: LocalBot) -> None:
    emulator = bot.emulator
    sender = bot.service.scheduler.sender  # type: ignore[union-attr]
    assert sender is not None
    sender.retry_base = 0.2
    emulator.fail_next("chat.postMessage", status=429, retry_after=1)
    emulator.fail_next("chat.postMessage", status=500, count=2)
    emulator.fail_next("chat.postMessage", status=503, count=1)
    now = bot.service.deps.clock()  # type: ignore[union-attr]
    plan(bot, *(announcement(f"announce:t{i}", now, f"Note {i}") for i in range(6)))

    wait_until(lambda: len(scheduled(emulator.messages(GROUP_CHANNEL))) == 6, timeout=20)
    time.sleep(0.5)
    texts = sorted(json.dumps(m["blocks"]) for m in scheduled(emulator.messages(GROUP_CHANNEL)))
    assert len(texts) == 6 and all(any(f"Note {i}" in t for t in texts) for i in range(6)), "each once"
    calls = emulator.calls_to("chat.postMessage")
    limited = next(c for c in calls if c.status == 429)
    after = [c for c in calls if c.at > limited.at and c.params.get("channel") == GROUP_CHANNEL]
    assert after and after[0].at - limited.at >= 0.99, "Retry-After respected"
    assert {r.status for r in rows(bot, kinds=[PostKind.ANNOUNCEMENT])} == {PostStatus.SENT}
    retried = [r for r in rows(bot, kinds=[PostKind.ANNOUNCEMENT]) if r.attempts > 1]
    assert retried, "the 5xx were retried"


def test_a_permanent_error_fails_the_row_and_tells_the_organisers(bot: LocalBot) -> None:
    emulator = bot.emulator
    emulator.fail_next("chat.postMessage", status=200, error="channel_not_found")
    plan(bot, announcement("announce:lost", bot.service.deps.clock(), channel="C0GONE"))  # type: ignore[union-attr]
    wait_until(lambda: any(r.status == PostStatus.FAILED for r in rows(bot)))
    (failed,) = rows(bot, statuses=[PostStatus.FAILED])
    assert "channel_not_found" in failed.last_error
    wait_until(
        lambda: any(
            "could not be posted" in (m.get("text") or "") for m in emulator.messages(emulator.im_channel(ORGANISER.id))
        )
    )


def test_posts_missed_while_down_go_late_with_a_note_or_are_skipped(fast_settings: Settings) -> None:
    local = LocalBot(fast_settings)
    # The bot was down: rows due ten minutes ago are in the store before it starts.
    deps = build_deps(fast_settings)
    now = datetime.now(UTC)
    with deps.sessions() as session:
        began = meetings_store.create_meeting(
            session=session,
            draft=MeetingDraft(
                title="Already begun",
                kind=MeetingKind.ONLINE,
                starts_at=now - timedelta(minutes=1),
                ends_at=now + timedelta(hours=1),
                timezone="Europe/Madrid",
            ),
            created_by=ORGANISER.id,
            now=now - timedelta(days=1),
        )
        schedule.plan(
            session=session,
            posts=[
                announcement("announce:late", now - timedelta(minutes=10), "Late but useful"),
                PlannedPost(
                    key="meeting:late:1h",
                    kind=PostKind.REMINDER,
                    channel=GROUP_CHANNEL,
                    due_at=now - timedelta(minutes=10),
                    meeting_id=began.id,
                ),
                announcement("announce:stale", now - timedelta(hours=7), "Too old"),
            ],
            now=now - timedelta(hours=8),
        )
    deps.engine.dispose()
    with local:
        emulator = local.emulator
        wait_until(lambda: len(scheduled(emulator.messages(GROUP_CHANNEL))) == 1)
        wait_until(lambda: not rows(local, statuses=[PostStatus.PENDING, PostStatus.SENDING], kinds=OURS))
        (late,) = scheduled(emulator.messages(GROUP_CHANNEL))
        body = json.dumps(late["blocks"])
        assert "Late but useful" in body and "Delayed: this was due" in body
        outcome = {r.key: r for r in rows(local)}
        assert outcome["announce:late"].status == PostStatus.SENT
        assert outcome["meeting:late:1h"].status == PostStatus.SKIPPED
        assert "already begun" in outcome["meeting:late:1h"].last_error
        assert outcome["announce:stale"].status == PostStatus.SKIPPED
        assert "LATE_POST_WINDOW" in outcome["announce:stale"].last_error


def test_a_row_left_sending_by_a_dead_process_is_checked_against_history(bot: LocalBot) -> None:
    deps = bot.service.deps  # type: ignore[union-attr]
    time.sleep(0.3)  # the first sweep has run
    now = deps.clock()
    with deps.sessions() as session:
        schedule.plan(
            session=session,
            posts=[announcement("announce:posted", now, "Posted before the crash"), announcement("announce:not", now)],
            now=now,
        )
        claimed = schedule.claim_due(session=session, worker="dead", now=now, lease=timedelta(seconds=1))
    assert len(claimed) == 2
    posted = next(r for r in claimed if r.key == "announce:posted")
    # The dead process got its message into Slack, but not its outcome into the store.
    WebClient(token=bot.emulator.bot_token, base_url=bot.emulator.base_url).chat_postMessage(
        channel=GROUP_CHANNEL,
        text="Posted before the crash",
        metadata={"event_type": METADATA_EVENT, "event_payload": {"post_id": posted.id, "key": posted.key}},
    )
    deps.wake()  # the alarm is set for when the dead process's lease runs out
    wait_until(lambda: {r.status for r in rows(bot, kinds=[PostKind.ANNOUNCEMENT])} == {PostStatus.SENT})
    texts = [m["text"] for m in scheduled(bot.emulator.messages(GROUP_CHANNEL))]
    assert len(texts) == 2 and texts.count("Posted before the crash") == 1
    assert bot.emulator.calls_to("conversations.history"), "history was checked"
    assert all(r.claimed_by != "dead" for r in rows(bot, kinds=[PostKind.ANNOUNCEMENT]))


def test_stopping_while_a_job_is_about_to_set_the_next_alarm_does_not_hang(
    bot: LocalBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGTERM while a job reads when the next post is due: the job ends, sets no alarm, and the scheduler stops."""
    scheduler = bot.service.scheduler  # type: ignore[union-attr]
    began, go_on = threading.Event(), threading.Event()
    next_due = schedule.next_due

    def slow_next_due(**kwargs: Any) -> datetime | None:
        began.set()
        go_on.wait(5)
        return next_due(**kwargs)

    monkeypatch.setattr(schedule, "next_due", slow_next_due)
    scheduler._aps.add_job(scheduler.wake, id="wake-now")
    assert began.wait(5)
    stopping = threading.Thread(target=scheduler.stop, daemon=True)
    stopping.start()
    time.sleep(0.3)  # the shutdown now waits for the job, holding APScheduler's job lock
    go_on.set()  # the job goes on to set the next alarm
    stopping.join(10)
    assert not stopping.is_alive(), "the scheduler stopped"
