"""Faults: the database going away and coming back, and Slack's Web API failing for a minute.

What a person sees while the store is down is a polite "try again"; `/healthz` says 503 so a
supervisor or load balancer can tell; and when the store is back the same process carries on,
posting what fell due meanwhile. Nothing is half-written, nothing is lost.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest
from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.localslack.local import GROUP_CHANNEL, GUEST, MEMBER, ORGANISER, LocalBot
from bot.views import meetings as views
from handlers.errors import STORE_DOWN
from store import meetings as meetings_store
from store.models import PostKind, PostStatus
from tests.faults import TcpProxy
from tests.helpers import private_answer
from tests.test_scheduler import FAST, announcement, make_meeting, plan, register, rows, scheduled, wait_until

TITLE = "Essen &lt;!channel&gt; workshop"  # the meeting of make_meeting, as people see its title


def health(bot: LocalBot) -> int:
    try:
        with urlopen(f"{bot.base_url}/healthz", timeout=10) as response:
            return int(response.status)
    except HTTPError as error:
        return int(error.code)


def registrations(bot: LocalBot, meeting_id: int) -> meetings_store.Counts:
    with bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        return meetings_store.counts(session=session, meeting_id=meeting_id)


def press_register(bot: LocalBot, user: str, meeting_id: int) -> None:
    assert bot.workspace is not None
    response = bot.workspace.press_button(user, action_id=views.RSVP_IN_PERSON, value=str(meeting_id))
    assert response.status == 200, "Slack always gets its acknowledgement"
    assert "Traceback" not in response.body


def command_answer(bot: LocalBot, user: str, command: str, expected: str) -> None:
    """Run a slash command and wait for a private answer with `expected`, in the acknowledgement or after it."""
    assert bot.workspace is not None
    response = bot.workspace.slash_command(user, command)
    assert response.status == 200, "Slack always gets its acknowledgement"
    assert "Traceback" not in response.body
    if expected not in response.body:
        private_answer(bot.emulator, user, expected, timeout=15)


# PostgreSQL stopped and started ---------------------------------------------------------------


@pytest.fixture
def proxied(migrated_url: str, tmp_path: Path) -> Iterator[tuple[LocalBot, TcpProxy]]:
    """The bot on PostgreSQL, reached through a connection that can be cut as if the server stopped."""
    url = make_url(migrated_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("a server that stops and starts: PostgreSQL only (SQLite's lock is tested below)")
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    through = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    settings = replace(_settings(through, tmp_path), **FAST)  # type: ignore[arg-type]
    bot = LocalBot(settings).start()
    try:
        yield bot, proxy
    finally:
        bot.stop()
        proxy.close()


def _settings(url: str, tmp_path: Path) -> Settings:
    from tests.conftest import make_settings

    return make_settings(url, tmp_path)


def test_postgres_stopped_and_started(proxied: tuple[LocalBot, TcpProxy]) -> None:
    bot, proxy = proxied
    meeting = make_meeting(bot, starts_in=timedelta(days=30), offsets="")
    assert health(bot) == 200

    proxy.cut()
    assert health(bot) == 503, "the health check tells a supervisor the store is down"
    command_answer(bot, MEMBER.id, "/meetings", STORE_DOWN)
    press_register(bot, MEMBER.id, meeting)
    private_answer(bot.emulator, MEMBER.id, STORE_DOWN, timeout=15)
    now = bot.service.deps.clock()  # type: ignore[union-attr]

    proxy.restore()
    wait_until(lambda: health(bot) == 200, timeout=15)
    assert registrations(bot, meeting).in_person == 0, "the refused press wrote nothing"
    press_register(bot, MEMBER.id, meeting)
    private_answer(bot.emulator, MEMBER.id, "registered to come in person")
    assert registrations(bot, meeting).in_person == 1
    command_answer(bot, GUEST.id, "/meetings", TITLE)

    # A post planned now is posted by the same process: it recovered without a restart.
    plan(bot, announcement("announce:after-outage", now, "Back again"))
    wait_until(lambda: len(scheduled(bot.emulator.messages(GROUP_CHANNEL))) == 1, timeout=15)


def test_a_post_due_while_postgres_is_down_goes_out_once_it_is_back(proxied: tuple[LocalBot, TcpProxy]) -> None:
    bot, proxy = proxied
    now = bot.service.deps.clock()  # type: ignore[union-attr]
    plan(
        bot,
        *(announcement(f"announce:down{i}", now + timedelta(seconds=1), f"Due in the outage {i}") for i in range(3)),
    )
    proxy.cut()
    time.sleep(3)  # the alarm rings while the store is away
    assert not scheduled(bot.emulator.messages(GROUP_CHANNEL)), "nothing can be claimed without the store"
    proxy.restore()
    wait_until(lambda: len(scheduled(bot.emulator.messages(GROUP_CHANNEL))) == 3, timeout=20)
    time.sleep(0.5)
    assert len(scheduled(bot.emulator.messages(GROUP_CHANNEL))) == 3, "each once"
    assert {r.status for r in rows(bot, kinds=[PostKind.ANNOUNCEMENT])} == {PostStatus.SENT}


# SQLite locked by another program -------------------------------------------------------------


@pytest.fixture
def sqlite_bot(tmp_path: Path) -> Iterator[tuple[LocalBot, Path]]:
    """The bot on SQLite that waits one second for a lock before saying the store is busy."""
    from store import migrate
    from store.db import make_engine

    path = tmp_path / "bot.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    settings = replace(_settings(f"sqlite:///{path}?timeout=1", tmp_path), **FAST)  # type: ignore[arg-type]
    bot = LocalBot(settings).start()
    try:
        yield bot, path
    finally:
        bot.stop()


def test_sqlite_locked_by_another_program(sqlite_bot: tuple[LocalBot, Path]) -> None:
    bot, path = sqlite_bot
    meeting = make_meeting(bot, starts_in=timedelta(days=30), offsets="")
    lock = sqlite3.connect(path, isolation_level=None)
    try:
        lock.execute("BEGIN EXCLUSIVE")  # e.g. a backup tool or a hand-run script holding the write lock
        assert health(bot) == 503
        press_register(bot, MEMBER.id, meeting)
        private_answer(bot.emulator, MEMBER.id, STORE_DOWN, timeout=15)
        command_answer(bot, GUEST.id, "/meetings", TITLE)  # reading goes on while another program writes
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert health(bot) == 200
    assert registrations(bot, meeting).in_person == 0, "the refused press wrote nothing"
    press_register(bot, MEMBER.id, meeting)
    private_answer(bot.emulator, MEMBER.id, "registered to come in person")
    assert registrations(bot, meeting).in_person == 1


# Slack's Web API failing for a minute ---------------------------------------------------------

OUTAGE_SECONDS = 60


@pytest.fixture
def slack_bot(settings: Settings) -> Iterator[LocalBot]:
    if not settings.is_sqlite:
        pytest.skip("a minute of waiting once is enough: the retries do not depend on the engine")
    bot = LocalBot(replace(settings, **FAST)).start()  # type: ignore[arg-type]
    try:
        yield bot
    finally:
        bot.stop()


def test_slack_failing_for_a_minute_loses_nothing(slack_bot: LocalBot) -> None:
    bot = slack_bot
    emulator = bot.emulator
    deps = bot.service.deps  # type: ignore[union-attr]
    sender = bot.service.scheduler.sender  # type: ignore[union-attr]
    assert sender is not None
    sender.max_retry_delay = 15  # a minute between tries in production; the test need not wait that long
    now = deps.clock()
    # A meeting whose reminder falls due in the outage, with three people registered.
    meeting = make_meeting(bot, starts_in=timedelta(minutes=4, seconds=20), offsets="4m")
    register(bot, meeting, MEMBER.id, ORGANISER.id, GUEST.id)
    from bot.services.planning import plan_meeting

    emulator.go_down(OUTAGE_SECONDS)
    outage_began = time.monotonic()
    plan_meeting(deps, meeting)
    # Announcements due before and all through the outage.
    plan(
        bot,
        *(announcement(f"announce:outage{i}", now + timedelta(seconds=5 * i), f"Outage note {i}") for i in range(10)),
    )

    time.sleep(OUTAGE_SECONDS / 2)
    assert not scheduled(emulator.messages(GROUP_CHANNEL)), "Slack takes nothing while it is down"
    assert not rows(bot, statuses=[PostStatus.FAILED]), "an outage is not a failure"

    ours = [PostKind.ANNOUNCEMENT, PostKind.REMINDER, PostKind.REMINDER_DM]
    wait_until(lambda: [r.status for r in rows(bot, kinds=ours)] == [PostStatus.SENT] * 14, timeout=OUTAGE_SECONDS)
    assert time.monotonic() - outage_began < OUTAGE_SECONDS + 30, "posting resumed soon after Slack came back"
    time.sleep(1)
    posts: list[dict[str, Any]] = scheduled(emulator.messages(GROUP_CHANNEL))
    texts = [json.dumps(p.get("blocks")) + (p.get("text") or "") for p in posts]
    for i in range(10):
        assert sum(f"Outage note {i}" in t for t in texts) == 1, f"announcement {i} once"
    assert sum(TITLE in t for t in texts) == 1, "the channel reminder once"
    for person in (MEMBER, ORGANISER, GUEST):
        assert len(scheduled(emulator.messages(emulator.im_channel(person.id)))) == 1, f"{person.name}'s reminder once"
    sent = rows(bot, kinds=[PostKind.ANNOUNCEMENT])
    assert max(r.attempts for r in sent) > 1, "the posts were retried through the outage"
