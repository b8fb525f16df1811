"""The digest and the call for practices: planned in GROUP_TIMEZONE across daylight-saving changes, and posted."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings
from bot.localslack.local import GROUP_CHANNEL, ORGANISER, LocalBot
from bot.services.planning import plan_recurring, recurring_posts
from store import practices as practices_store
from store import schedule
from store.models import PostKind, PostStatus
from store.schedule import PlannedPost
from tests.conftest import make_settings
from tests.test_scheduler import FAST, rows, scheduled, wait_until


def brussels(tmp_path: Path, **overrides: str) -> Settings:
    env = {"GROUP_TIMEZONE": "Europe/Brussels", "GROUP_CHANNEL": "C0GROUP", **overrides}
    return make_settings("sqlite:///" + str(tmp_path / "x.db"), tmp_path, **env)


def next_due(settings: Settings, now: datetime) -> dict[str, datetime]:
    return {kind: post.due_at for kind, post in recurring_posts(settings, now) if post is not None}


def test_the_digest_stays_at_nine_local_across_the_spring_change(tmp_path: Path) -> None:
    settings = brussels(tmp_path)  # Mondays 09:00; Belgium moves to summer time on Sunday 28 March 2027
    before = next_due(settings, datetime(2027, 3, 16, 12, 0, tzinfo=UTC))[PostKind.DIGEST]
    after = next_due(settings, datetime(2027, 3, 23, 12, 0, tzinfo=UTC))[PostKind.DIGEST]
    assert before == datetime(2027, 3, 22, 8, 0, tzinfo=UTC)  # 09:00 CET
    assert after == datetime(2027, 3, 29, 7, 0, tzinfo=UTC)  # 09:00 CEST
    assert after - before == timedelta(days=7, hours=-1)


def test_the_digest_stays_at_nine_local_across_the_autumn_change(tmp_path: Path) -> None:
    settings = brussels(tmp_path)  # back to winter time on Sunday 25 October 2026
    before = next_due(settings, datetime(2026, 10, 13, 12, 0, tzinfo=UTC))[PostKind.DIGEST]
    after = next_due(settings, datetime(2026, 10, 20, 12, 0, tzinfo=UTC))[PostKind.DIGEST]
    assert before == datetime(2026, 10, 19, 7, 0, tzinfo=UTC)  # 09:00 CEST
    assert after == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)  # 09:00 CET
    keys = [post.key for _, post in recurring_posts(settings, datetime(2026, 10, 20, 12, 0, tzinfo=UTC)) if post]
    assert keys[0] == "digest:2026-10-26T09:00"


def test_a_daily_call_on_the_night_of_the_change_runs_once(tmp_path: Path) -> None:
    # 02:30 does not exist on 28 March 2027 in Brussels and happens twice on 31 October 2027.
    settings = brussels(tmp_path, CALL_FOR_PRACTICES_SCHEDULE="30 2 * * *")
    dues = []
    now = datetime(2027, 3, 26, 12, 0, tzinfo=UTC)
    for _ in range(4):
        due = next_due(settings, now)[PostKind.CALL]
        dues.append(due)
        now = due + timedelta(seconds=1)
    assert len(set(dues)) == 4 and all(b > a for a, b in itertools.pairwise(dues))
    # The trigger fires at 02:30 summer time and again at 02:30 winter time; the key is the same.
    keys: dict[str, set[str]] = {}
    now = datetime(2027, 10, 29, 12, 0, tzinfo=UTC)
    for _ in range(5):
        (post,) = [post for kind, post in recurring_posts(settings, now) if kind == PostKind.CALL and post]
        keys.setdefault(f"{post.due_at.astimezone(settings.tz):%Y-%m-%d}", set()).add(post.key)
        now = post.due_at + timedelta(seconds=1)
    assert keys["2027-10-31"] == {"call_for_practices:2027-10-31T02:30"}
    assert all(len(day) == 1 for day in keys.values()), "one call a day, not two on the long night"


def test_schedules_can_be_turned_off_and_are_checked(tmp_path: Path) -> None:
    settings = brussels(tmp_path, DIGEST_SCHEDULE="off")
    assert set(next_due(settings, datetime(2026, 11, 25, tzinfo=UTC))) == {PostKind.CALL}
    with pytest.raises(ConfigError, match=r"DIGEST_SCHEDULE.*day of the week as a name"):
        brussels(tmp_path, DIGEST_SCHEDULE="0 9 * * 1")
    with pytest.raises(ConfigError, match="CALL_FOR_PRACTICES_SCHEDULE"):
        brussels(tmp_path, CALL_FOR_PRACTICES_SCHEDULE="every monday")


@pytest.fixture
def bot(settings: Settings) -> Iterator[LocalBot]:
    local = LocalBot(replace(settings, **FAST)).start()  # type: ignore[arg-type]
    try:
        yield local
    finally:
        local.stop()


def test_the_next_digest_and_call_are_planned_once_and_replanned_when_the_schedule_changes(bot: LocalBot) -> None:
    deps = bot.service.deps  # type: ignore[union-attr]
    wait_until(lambda: len(rows(bot, kinds=[PostKind.DIGEST, PostKind.CALL])) == 2)
    (digest,) = rows(bot, kinds=[PostKind.DIGEST])
    local = digest.due_at.astimezone(deps.settings.tz)
    assert (local.strftime("%a %H:%M"), digest.status) == ("Mon 09:00", PostStatus.PENDING)
    assert plan_recurring(deps) == 0, "planning again changes nothing"

    deps.settings = replace(deps.settings, digest_schedule="0 17 * * fri")
    assert plan_recurring(deps) == 2  # the Monday one cancelled, a Friday one planned
    statuses = {
        (r.due_at.astimezone(deps.settings.tz).strftime("%a %H:%M"), r.status)
        for r in rows(bot, kinds=[PostKind.DIGEST])
    }
    assert statuses == {("Mon 09:00", PostStatus.CANCELLED), ("Fri 17:00", PostStatus.PENDING)}


def test_a_due_digest_lists_the_weeks_practices_and_an_empty_week_is_skipped(bot: LocalBot) -> None:
    deps = bot.service.deps  # type: ignore[union-attr]
    # After the first sweep: it cancels digests due later than its own "now" that it did not plan.
    wait_until(lambda: len(rows(bot, kinds=[PostKind.DIGEST, PostKind.CALL])) == 2)
    now = deps.clock()
    with deps.sessions() as session:
        schedule.plan(
            session=session,
            posts=[PlannedPost(key="digest:empty", kind=PostKind.DIGEST, channel=GROUP_CHANNEL, due_at=now)],
            now=now,
        )
    deps.wake()
    wait_until(lambda: any(r.key == "digest:empty" and r.status == PostStatus.SKIPPED for r in rows(bot)))
    assert "nothing new" in next(r for r in rows(bot) if r.key == "digest:empty").last_error

    with deps.sessions() as session:
        practices_store.create_practice(
            session=session,
            draft=practices_store.PracticeDraft(
                title="Robotics <!here> testbed",
                kind="Tool",
                topic="Knowledge and skill development",
                summary="Shared line.",
            ),
            author=ORGANISER.id,
            now=now - timedelta(days=1),
            moderated=False,
        )
        schedule.plan(
            session=session,
            posts=[
                PlannedPost(key="digest:week", kind=PostKind.DIGEST, channel=GROUP_CHANNEL, due_at=now),
                PlannedPost(key="call:now", kind=PostKind.CALL, channel=GROUP_CHANNEL, due_at=now),
            ],
            now=now,
        )
    deps.wake()
    wait_until(lambda: len(scheduled(bot.emulator.messages(GROUP_CHANNEL))) == 2)
    bodies = [json.dumps(m["blocks"]) for m in scheduled(bot.emulator.messages(GROUP_CHANNEL))]
    assert any("Robotics &lt;!here&gt; testbed" in body and "New practices" in body for body in bodies)
    assert any("Call for practices" in body for body in bodies)
    assert not any("<!here>" in body for body in bodies)
