"""Slack takes a call and its answer is lost: every interactive post still reaches Slack exactly once.

For each kind of post a person's action owes (a practice's card, a meeting card's update, the answer
to a mention, a waitlist promotion, a calendar file, "you are now an organiser"), the emulator
performs the call as Slack would (the message is in the channel) and then answers 500 or closes
the connection without an answer. The bot cannot tell whether the message went out; once it has
recovered, the channel holds the message once, not twice and not never.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest

from bot.config import Settings
from bot.localslack import SlackEmulator
from bot.localslack.local import GROUP_CHANNEL, MEMBER, ORGANISER, LocalBot
from bot.views import meetings as meeting_views
from store import meetings as meetings_store
from store import people as people_store
from store import practices as practices_store
from store import schedule
from store.models import Attendance, Meeting, PostStatus, Practice, PracticeStatus
from tests.helpers import settle
from tests.test_meetings import make_meeting
from tests.test_practices import form_state, open_form
from tests.test_scheduler import FAST, wait_until

WAYS = ["500", "drop"]
RECOVERY_SECONDS = 30.0  # the sender tries again after a short backoff; generous for a busy machine
QUIET_SECONDS = 3.0  # longer than any retry's backoff here: a second copy would have come by then


@pytest.fixture
def bot(settings: Settings) -> Iterator[LocalBot]:
    """The whole bot, with Slack's pace and the lease shortened so that a retry comes within seconds."""
    # Freed places are given at once here (WAITLIST_OFFER_TIME=off): the promotion is what is told once.
    local = LocalBot(replace(settings, **FAST, waitlist_offer_time=None)).start()  # type: ignore[arg-type]
    try:
        yield local
    finally:
        local.stop()


def deps(bot: LocalBot) -> Any:
    assert bot.service is not None
    return bot.service.deps


def seen(message: dict[str, Any]) -> str:
    """Everything a reader sees of a message, as one string."""
    return (message.get("text") or "") + json.dumps(message.get("blocks") or [], ensure_ascii=False)


def bot_messages(emulator: SlackEmulator, channel: str, contains: str) -> list[dict[str, Any]]:
    """The bot's messages in a channel (its threads included) that show `contains`."""
    return [m for m in emulator.messages(channel) if m.get("bot_id") and contains in seen(m)]


def owed(bot: LocalBot) -> list[str]:
    """The keys of posts the store still owes now (pending or being sent, and due)."""
    with deps(bot).sessions() as session:
        rows = schedule.posts(session=session, statuses=[PostStatus.PENDING, PostStatus.SENDING], limit=1000)
    now = deps(bot).clock()
    return [row.key for row in rows if row.due_at <= now]


def recover(bot: LocalBot, arrived: Callable[[], bool], what: str) -> None:
    """Wait until `what` has arrived and nothing is owed any more, then until Slack is quiet."""
    try:
        wait_until(lambda: arrived() and not owed(bot), timeout=RECOVERY_SECONDS)
    except AssertionError:
        still = owed(bot)
        raise AssertionError(
            f"not recovered in {RECOVERY_SECONDS:g} s: "
            + (f"{what}: {'yes' if arrived() else 'no'}" + (f"; still owed: {still}" if still else ""))
        ) from None
    settle(bot.emulator, quiet=QUIET_SECONDS, timeout=3 * QUIET_SECONDS)


def assert_lost(emulator: SlackEmulator, method: str, how: str) -> None:
    """The fault did happen: Slack performed a call of `method` and its answer never reached the bot."""
    assert any(call.lost == how for call in emulator.calls_to(method)), f"no {method} call lost its answer"


def stored_meeting(bot: LocalBot, meeting_id: int) -> Meeting:
    with deps(bot).sessions() as session:
        meeting = meetings_store.get_meeting(session=session, meeting_id=meeting_id)
    assert meeting is not None
    return meeting


def stored_practices(bot: LocalBot) -> list[Practice]:
    with deps(bot).sessions() as session:
        found = practices_store.list_practices(session=session, statuses=tuple(PracticeStatus), limit=100)
    return list(found.practices)


def press(bot: LocalBot, user: str, action_id: str, value: str, message: dict[str, Any] | None = None) -> None:
    assert bot.workspace is not None
    response = bot.workspace.press_button(user, action_id=action_id, value=value, message=message)
    assert response.status == 200 and "Traceback" not in response.body


@pytest.mark.parametrize("how", WAYS)
def test_a_practice_card_is_posted_once(bot: LocalBot, how: str) -> None:
    title = f"Cluster data spaces pilot ({how})"
    view = open_form(bot)
    bot.emulator.lose_answer("chat.postMessage", how=how, channel=GROUP_CHANNEL)
    assert bot.workspace is not None
    response = bot.workspace.submit_view(MEMBER.id, view, form_state(title=title))
    assert response.status == 200 and "is shared in" in response.body

    def card_recorded() -> bool:
        practices = stored_practices(bot)
        cards = {m["ts"] for m in bot_messages(bot.emulator, GROUP_CHANNEL, title)}
        return len(practices) == 1 and practices[0].card_ts in cards

    recover(bot, card_recorded, "the card is in the channel with its ts recorded")
    assert_lost(bot.emulator, "chat.postMessage", how)
    cards = bot_messages(bot.emulator, GROUP_CHANNEL, title)
    assert len(cards) == 1, f"the practice's card is in the channel {len(cards)} times"
    [practice] = stored_practices(bot)
    assert (practice.card_channel, practice.card_ts) == (GROUP_CHANNEL, cards[0]["ts"]), "the card's ts is kept"


@pytest.mark.parametrize("how", WAYS)
def test_a_meeting_card_is_updated_once(bot: LocalBot, how: str) -> None:
    meeting = make_meeting(bot, title=f"Essen workshop ({how})", capacity=5)
    meeting_id = meeting.id or 0
    assert bot.workspace is not None
    bot.workspace.slash_command(ORGANISER.id, "/meetings", f"announce {meeting_id}")
    wait_until(lambda: stored_meeting(bot, meeting_id).card_ts is not None and not owed(bot), timeout=15)
    settle(bot.emulator, quiet=0.5)
    [card] = bot_messages(bot.emulator, GROUP_CHANNEL, meeting.title)
    assert stored_meeting(bot, meeting_id).card_ts == card["ts"]
    before = len(bot.emulator.deliveries)

    bot.emulator.lose_answer("chat.update", how=how)
    press(bot, MEMBER.id, meeting_views.RSVP_IN_PERSON, str(meeting_id), card)

    def shows_the_store() -> bool:
        with deps(bot).sessions() as session:
            counts = meetings_store.counts(session=session, meeting_id=meeting_id)
        now = bot_messages(bot.emulator, GROUP_CHANNEL, meeting.title)
        expected = meeting_views.counts_text(stored_meeting(bot, meeting_id), counts)
        return counts.in_person == 1 and len(now) == 1 and expected in seen(now[0])

    recover(bot, shows_the_store, "the card shows the new count")
    assert_lost(bot.emulator, "chat.update", how)
    updates = [d for d in bot.emulator.deliveries[before:] if d.kind == "update" and d.ts == card["ts"]]
    assert len(updates) == 1, f"one press, and the card was edited {len(updates)} times"
    assert len(bot_messages(bot.emulator, GROUP_CHANNEL, meeting.title)) == 1, "no second card"


@pytest.mark.parametrize("how", WAYS)
def test_the_answer_to_a_mention_is_posted_once(bot: LocalBot, how: str) -> None:
    make_meeting(bot, title="Toronto meeting")
    bot.emulator.lose_answer("chat.postMessage", how=how, channel=GROUP_CHANNEL)
    assert bot.workspace is not None
    response = bot.workspace.mention(MEMBER.id, "when is the next meeting?")
    assert response.status == 200
    [question] = [m for m in bot.emulator.messages(GROUP_CHANNEL) if m.get("user") == MEMBER.id]

    def answers() -> list[dict[str, Any]]:
        return [m for m in bot.emulator.messages(GROUP_CHANNEL) if m.get("bot_id") and m["thread_ts"] == question["ts"]]

    recover(bot, lambda: bool(answers()), "the answer is in the thread")
    assert_lost(bot.emulator, "chat.postMessage", how)
    assert len(answers()) == 1, f"the question was answered {len(answers())} times"
    assert "Toronto meeting" in seen(answers()[0])


@pytest.mark.parametrize("how", WAYS)
def test_a_waitlist_promotion_is_told_once(bot: LocalBot, how: str) -> None:
    meeting = make_meeting(bot, title=f"Madrid meeting ({how})", capacity=1)
    meeting_id = meeting.id or 0
    with deps(bot).sessions() as session:
        for slack_id in (ORGANISER.id, MEMBER.id):  # the organiser has the place, the member waits
            meetings_store.register(
                session=session,
                meeting_id=meeting_id,
                slack_id=slack_id,
                answer=Attendance.IN_PERSON,
                now=deps(bot).clock(),
            )
    bot.emulator.lose_answer("chat.postMessage", how=how, channel=MEMBER.id)
    press(bot, ORGANISER.id, meeting_views.RSVP_NOT_COMING, str(meeting_id))

    def told() -> list[dict[str, Any]]:
        return bot_messages(bot.emulator, bot.emulator.im_channel(MEMBER.id), "moved up from the waitlist")

    recover(bot, lambda: bool(told()), "the member is told they moved up")
    assert_lost(bot.emulator, "chat.postMessage", how)
    assert len(told()) == 1, f"the member was told {len(told())} times that they moved up"
    with deps(bot).sessions() as session:
        counts = meetings_store.counts(session=session, meeting_id=meeting_id)
    assert (counts.in_person, counts.waitlisted) == (1, 0)


@pytest.mark.parametrize("how", WAYS)
def test_a_calendar_file_is_sent_once(bot: LocalBot, how: str) -> None:
    meeting = make_meeting(bot, title=f"Reykjavik meeting ({how})")
    bot.emulator.lose_answer("files.completeUploadExternal", how=how)
    press(bot, MEMBER.id, meeting_views.CALENDAR_FILE, str(meeting.id))
    dm = bot.emulator.im_channel(MEMBER.id)

    def files() -> list[dict[str, Any]]:
        return [
            m
            for m in bot.emulator.messages(dm)
            if any(str(f.get("name", "")).endswith(".ics") for f in m.get("files") or [])
        ]

    recover(bot, lambda: bool(files()), "the calendar file is in the direct messages")
    assert_lost(bot.emulator, "files.completeUploadExternal", how)
    assert len(files()) == 1, f"the calendar file is in the direct messages {len(files())} times"
    shared = [d for d in bot.emulator.deliveries if d.kind == "file" and d.channel == dm]
    assert len(shared) == 1


@pytest.mark.parametrize("how", WAYS)
def test_a_new_organiser_is_told_once(bot: LocalBot, how: str) -> None:
    bot.emulator.lose_answer("chat.postMessage", how=how, channel=MEMBER.id)
    assert bot.workspace is not None
    response = bot.workspace.slash_command(ORGANISER.id, "/tci", f"organisers add <@{MEMBER.id}>")
    assert response.status == 200

    def told() -> list[dict[str, Any]]:
        return bot_messages(bot.emulator, bot.emulator.im_channel(MEMBER.id), "made you an organiser")

    recover(bot, lambda: bool(told()), "the new organiser is told")
    assert_lost(bot.emulator, "chat.postMessage", how)
    assert len(told()) == 1, f"the new organiser was told {len(told())} times"
    with deps(bot).sessions() as session:
        person = people_store.get_person(session=session, slack_id=MEMBER.id)
    assert person is not None and person.is_organiser
