"""Who came: *I'm here* on the "starting now" post and the last reminder, during the meeting's time, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.localslack.local import GROUP_CHANNEL, GUEST, MEMBER, ORGANISER, LocalBot
from bot.services import planning
from bot.views import meetings as meeting_views
from bot.views import reminders as reminder_views
from store import attendance as attendance_store
from store import feedback as feedback_store
from store import meetings as meetings_store
from store.models import Attendance, Meeting, MeetingKind
from tests.helpers import Clock, private_answer, ring_at
from tests.test_meetings import make_meeting, texts

START = datetime(2027, 3, 4, 15, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(START - timedelta(days=2))


@pytest.fixture
def bot(clocked_bot: LocalBot) -> LocalBot:
    return clocked_bot


def online_call(bot: LocalBot) -> Meeting:
    meeting = make_meeting(
        bot,
        title="Online exchange",
        kind=MeetingKind.ONLINE,
        starts_at=START,
        ends_at=START + timedelta(hours=1),
        venue="",
        city="",
        country="",
        capacity=None,
    )
    ws = bot.workspace
    assert ws is not None
    ws.press_button(MEMBER.id, action_id=meeting_views.RSVP_ONLINE, value=str(meeting.id))
    ws.press_button(ORGANISER.id, action_id=meeting_views.RSVP_NOT_COMING, value=str(meeting.id))
    bot.wait_idle()
    planning.plan_meeting(bot.service.deps, meeting.id or 0)  # type: ignore[union-attr]
    return meeting


def here(bot: LocalBot, user: str, meeting: Meeting) -> str:
    ws = bot.workspace
    assert ws is not None
    before = len(bot.emulator.deliveries)
    ws.press_button(user, action_id=reminder_views.IM_HERE, value=str(meeting.id))
    bot.wait_idle()
    answer = next(
        d
        for d in reversed(bot.emulator.deliveries[before:])
        if d.kind in ("response", "ephemeral", "message")
        and d.user in (user, None)
        and "*Online exchange*" in (d.text or "")
    )
    return answer.text or ""


def came(bot: LocalBot, meeting: Meeting) -> list[str]:
    with bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        return attendance_store.attended(session=session, meeting_id=meeting.id or 0)


def test_the_starting_post_and_the_last_reminder_carry_im_here(bot: LocalBot, clock: Clock) -> None:
    meeting = online_call(bot)
    ring_at(bot, clock, START - timedelta(hours=1))  # the 1h reminder, to the one registered
    dm = [m for m in bot.emulator.messages(bot.emulator.im_channel(MEMBER.id)) if "Reminder" in (m.get("text") or "")]
    assert dm and reminder_views.IM_HERE in texts(dm[-1]["blocks"])
    ring_at(bot, clock, START)
    starting = [m for m in bot.emulator.messages(GROUP_CHANNEL) if "is starting now" in (m.get("text") or "")]
    assert starting and reminder_views.IM_HERE in texts(starting[-1]["blocks"])
    assert meeting.id is not None


def test_im_here_counts_during_the_meeting_once_and_takes_in_who_had_not_registered(
    bot: LocalBot, clock: Clock
) -> None:
    meeting = online_call(bot)
    ring_at(bot, clock, START - timedelta(minutes=20))
    assert "has not begun" in here(bot, MEMBER.id, meeting) and came(bot, meeting) == []
    ring_at(bot, clock, START + timedelta(minutes=5))
    assert "the organisers see that you are at" in here(bot, MEMBER.id, meeting)
    assert "already" in here(bot, MEMBER.id, meeting)
    assert "though you had not registered" in here(bot, GUEST.id, meeting)  # came without registering
    assert "though you had not registered" in here(bot, ORGANISER.id, meeting)  # had said they could not
    assert sorted(came(bot, meeting)) == sorted([MEMBER.id, GUEST.id, ORGANISER.id])
    with bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        walk_in = meetings_store.registration_of(session=session, meeting_id=meeting.id or 0, slack_id=GUEST.id)
        assert walk_in is not None and walk_in.attendance == Attendance.ONLINE

    ws = bot.workspace
    assert ws is not None
    ws.slash_command(ORGANISER.id, "/meetings", f"attendees {meeting.id}")
    listed = private_answer(bot.emulator, ORGANISER.id, "*There*")
    assert "*There* (3)" in (listed.text or "")

    ring_at(bot, clock, START + timedelta(hours=1, minutes=1))
    assert "is over" in here(bot, MEMBER.id, meeting)


def test_where_attendance_was_taken_feedback_is_asked_of_those_who_came(bot: LocalBot, clock: Clock) -> None:
    meeting = online_call(bot)
    ws = bot.workspace
    assert ws is not None
    ws.press_button(GUEST.id, action_id=meeting_views.RSVP_ONLINE, value=str(meeting.id))
    bot.wait_idle()
    clock.now = START + timedelta(minutes=5)
    here(bot, GUEST.id, meeting)
    with bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        asked = feedback_store.who_took_part(session=session, meeting_id=meeting.id or 0)
    assert asked == [GUEST.id], "Bruno registered but did not say he came"
