"""The reader's own settings in App Home: reminders by direct message one by one, the digest by direct message
too, and one's name shown to other members among those coming."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.localslack.local import GROUP_CHANNEL, GUEST, MEMBER, ORGANISER, LocalBot
from bot.services import planning
from bot.views import meetings as meeting_views
from bot.views import personal as views
from store import people as people_store
from store import practices as practices_store
from store import schedule
from store.models import PostKind
from store.practices import PracticeDraft
from store.schedule import PlannedPost
from tests.helpers import Clock, ring_at, wait_delivery
from tests.test_meetings import make_meeting, texts

START = datetime(2027, 3, 4, 15, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(START - timedelta(days=10))


@pytest.fixture
def bot(clocked_bot: LocalBot) -> LocalBot:
    return clocked_bot


def home(bot: LocalBot, user: str) -> dict[str, Any]:
    ws = bot.workspace
    assert ws is not None
    before = len(bot.emulator.deliveries)
    ws.open_home(user)
    bot.wait_idle()
    published = [d for d in bot.emulator.deliveries[before:] if d.kind == "home" and d.user == user]
    assert published and published[-1].view is not None
    return published[-1].view


def tick(bot: LocalBot, user: str, action_id: str, ticked: list[str]) -> dict[str, Any]:
    """Tick boxes in the reader's Home; the Home published again, with what was saved at its top."""
    ws = bot.workspace
    assert ws is not None
    view = home(bot, user)
    before = len(bot.emulator.deliveries)
    assert ws.tick_boxes(user, action_id=action_id, view=view, ticked=ticked).status == 200
    bot.wait_idle()
    published = [d for d in bot.emulator.deliveries[before:] if d.kind == "home" and d.user == user]
    assert published and published[-1].view is not None
    return published[-1].view


def person(bot: LocalBot, user: str) -> Any:
    with bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        return people_store.get_person(session=session, slack_id=user)


def reminders_to(bot: LocalBot, user: str) -> list[str]:
    channel = bot.emulator.im_channel(user)
    return [m["text"] for m in bot.emulator.messages(channel) if m.get("bot_id") and "Reminder:" in (m["text"] or "")]


def test_a_member_keeps_the_reminders_they_tick_and_none_else(bot: LocalBot, clock: Clock) -> None:
    shown = home(bot, MEMBER.id)
    boxes = next(
        b["accessory"] for b in shown["blocks"] if (b.get("accessory") or {}).get("action_id") == views.REMINDERS
    )
    labels = [o["text"]["text"] for o in boxes["options"]]
    assert labels == ["1 week before", "1 day before", "1 hour before"]
    assert [o["value"] for o in boxes["initial_options"]] == ["7d", "1d", "1h"]

    saved = tick(bot, MEMBER.id, views.REMINDERS, ["1d", "1h"])
    assert "Saved: your meeting reminders by direct message." in texts(saved["blocks"])
    assert (person(bot, MEMBER.id).reminders, person(bot, MEMBER.id).reminders_off) == (True, "7d")
    boxes = next(
        b["accessory"] for b in saved["blocks"] if (b.get("accessory") or {}).get("action_id") == views.REMINDERS
    )
    assert [o["value"] for o in boxes["initial_options"]] == ["1d", "1h"]

    meeting = make_meeting(bot, starts_at=START, ends_at=START + timedelta(hours=2), capacity=10)
    ws = bot.workspace
    assert ws is not None
    for user in (MEMBER.id, GUEST.id):
        ws.press_button(user, action_id=meeting_views.RSVP_IN_PERSON, value=str(meeting.id))
    bot.wait_idle()
    planning.plan_meeting(bot.service.deps, meeting.id or 0)  # type: ignore[union-attr]
    ring_at(bot, clock, START - timedelta(days=7) + timedelta(minutes=1))
    assert reminders_to(bot, MEMBER.id) == [] and len(reminders_to(bot, GUEST.id)) == 1
    ring_at(bot, clock, START - timedelta(days=1) + timedelta(minutes=1))
    assert len(reminders_to(bot, MEMBER.id)) == 1 and len(reminders_to(bot, GUEST.id)) == 2

    saved = tick(bot, MEMBER.id, views.REMINDERS, [])
    assert "no meeting reminders by direct message" in texts(saved["blocks"])
    assert person(bot, MEMBER.id).reminders is False
    ring_at(bot, clock, START - timedelta(hours=1) + timedelta(minutes=1))
    assert len(reminders_to(bot, MEMBER.id)) == 1 and len(reminders_to(bot, GUEST.id)) == 3


def test_the_digest_comes_by_direct_message_to_those_who_tick_it_once(bot: LocalBot, clock: Clock) -> None:
    saved = tick(bot, MEMBER.id, views.DIGEST, [views.ON])
    assert "the weekly digest comes to your direct messages too" in texts(saved["blocks"])
    assert person(bot, MEMBER.id).digest_dm is True
    deps = bot.service.deps  # type: ignore[union-attr]
    with deps.sessions() as session:
        practices_store.create_practice(
            session=session,
            draft=PracticeDraft(title="Open data portal", kind="Initiative", topic="Data", summary="What we did."),
            author=ORGANISER.id,
            now=clock.now - timedelta(days=1),
            moderated=False,
        )
        due = clock.now + timedelta(minutes=1)
        schedule.plan(
            session=session,
            posts=[PlannedPost(key="digest:settings", kind=PostKind.DIGEST, channel=GROUP_CHANNEL, due_at=due)],
            now=clock.now,
        )
    ring_at(bot, clock, clock.now + timedelta(minutes=2))
    ring_at(bot, clock, clock.now + timedelta(minutes=3))  # a second round sends nothing more
    in_channel = [m for m in bot.emulator.messages(GROUP_CHANNEL) if "Open data portal" in texts(m["blocks"])]
    direct = [
        m for m in bot.emulator.messages(bot.emulator.im_channel(MEMBER.id)) if "Open data portal" in texts(m["blocks"])
    ]
    elsewhere = [
        m for m in bot.emulator.messages(bot.emulator.im_channel(GUEST.id)) if "Open data portal" in texts(m["blocks"])
    ]
    assert (len(in_channel), len(direct), len(elsewhere)) == (1, 1, 0)


def test_members_see_the_names_of_those_who_chose_to_be_named(bot: LocalBot, clock: Clock) -> None:
    meeting = make_meeting(bot, starts_at=START, ends_at=START + timedelta(hours=2), capacity=10)
    ws = bot.workspace
    assert ws is not None
    for user in (GUEST.id, ORGANISER.id):
        ws.press_button(user, action_id=meeting_views.RSVP_IN_PERSON, value=str(meeting.id))
    bot.wait_idle()

    def asked() -> str:
        before = len(bot.emulator.deliveries)
        ws.mention(MEMBER.id, "who else is coming to the Essen workshop?")
        bot.wait_idle()
        reply = next(d for d in bot.emulator.deliveries[before:] if d.kind == "message" and d.thread_ts)
        return reply.text or ""

    assert "Among them" not in asked()
    saved = tick(bot, GUEST.id, views.LISTED, [views.ON])
    assert "other members see your name" in texts(saved["blocks"])
    answer = asked()
    assert "Among them, named as they chose: carla." in answer, answer  # her Slack display name
    assert "<@" not in answer  # a name, not a mention: nobody is notified
    wait_delivery(bot.emulator, lambda d: d.kind == "home" and d.user == GUEST.id)
