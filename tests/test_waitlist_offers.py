"""Offers from the waitlist: a freed place is offered to the first in line by direct message, held while
the offer runs, and goes to the next when it is declined or lapses. Through signed presses and the emulator.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.config import Settings
from bot.localslack import Delivery
from bot.localslack.local import GUEST, MEMBER, ORGANISER, LocalBot
from bot.localslack.records import LocalUser
from bot.views import meetings as views
from bot.views import offers as offer_views
from store import meetings as store
from store import schedule
from store.meetings import MeetingDraft
from store.models import Attendance, Meeting, MeetingKind, PostKind, PostStatus
from tests.helpers import private_answer, wait_delivery
from tests.test_meetings import press, take_offer

SOON = datetime.now(UTC).replace(microsecond=0, second=0, minute=0) + timedelta(days=30)
DANA = LocalUser(id="U0DANA", name="dana", real_name="Dana Weber")


def full_meeting(bot: LocalBot, **overrides: Any) -> Meeting:
    """A meeting of one place: the organiser has it, the member and then Dana wait."""
    values: dict[str, Any] = {
        "title": "Essen workshop",
        "kind": MeetingKind.IN_PERSON,
        "starts_at": SOON,
        "ends_at": SOON + timedelta(hours=8),
        "timezone": "Europe/Berlin",
        "city": "Essen",
        "country": "DE",
        "capacity": 1,
    } | overrides
    bot.emulator.add_user(DANA)
    with bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        meeting = store.create_meeting(session=session, draft=MeetingDraft(**values), created_by=ORGANISER.id, now=SOON)
    for user in (ORGANISER.id, MEMBER.id, DANA.id):
        press(bot, user, views.RSVP_IN_PERSON, meeting)
    return meeting


def standing(bot: LocalBot, meeting: Meeting) -> dict[str, str]:
    with bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        return {r.slack_id: r.attendance for r, _p in store.attendees(session=session, meeting_id=meeting.id or 0)}


def offers_to(bot: LocalBot, user: str) -> list[Delivery]:
    channel = bot.emulator.im_channel(user)
    return [
        d
        for d in bot.emulator.deliveries
        if d.kind == "message" and d.channel == channel and "A place freed up" in (d.text or "")
    ]


def offer_to(bot: LocalBot, user: str) -> Delivery:
    channel = bot.emulator.im_channel(user)
    return wait_delivery(
        bot.emulator, lambda d: d.kind == "message" and d.channel == channel and "A place freed up" in (d.text or "")
    )


def test_a_freed_place_is_offered_in_order_declined_passed_on_and_taken(local_bot: LocalBot) -> None:
    meeting = full_meeting(local_bot)
    press(local_bot, ORGANISER.id, views.RSVP_NOT_COMING, meeting)

    offer = offer_to(local_bot, MEMBER.id)
    assert "Take the place" in str(offer.blocks) and "No longer needed" in str(offer.blocks)
    assert standing(local_bot, meeting)[MEMBER.id] == Attendance.OFFERED
    assert not offers_to(local_bot, DANA.id), "one place, one offer"
    ws = local_bot.workspace
    assert ws is not None
    listed = ws.slash_command(ORGANISER.id, "/meetings", f"attendees {meeting.id}")
    local_bot.wait_idle()
    shown = listed.body if isinstance(listed.body, str) else listed.body.decode()
    if "Offered a freed place" not in shown:
        shown = private_answer(local_bot.emulator, ORGANISER.id, "Offered a freed place").text or ""
    assert "Offered a freed place" in shown

    take_offer(local_bot, MEMBER.id, offer, action_id=offer_views.OFFER_DECLINE)
    private_answer(local_bot.emulator, MEMBER.id, "you no longer need a place")
    assert standing(local_bot, meeting)[MEMBER.id] == Attendance.NOT_COMING
    dana_offer = offer_to(local_bot, DANA.id)

    # The member's own offer is closed: pressing it again changes nothing.
    take_offer(local_bot, MEMBER.id, offer)
    private_answer(local_bot.emulator, MEMBER.id, "That offer closed")
    # Someone else's offer: pressing its button changes nothing either.
    take_offer(local_bot, GUEST.id, dana_offer)
    private_answer(local_bot.emulator, GUEST.id, "That offer was made to someone else")
    assert standing(local_bot, meeting)[DANA.id] == Attendance.OFFERED

    take_offer(local_bot, DANA.id, dana_offer)
    private_answer(local_bot.emulator, DANA.id, "The place is yours")
    assert standing(local_bot, meeting)[DANA.id] == Attendance.IN_PERSON
    with local_bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        lapses = [p for p in schedule.posts(session=session, limit=100) if p.kind == PostKind.OFFER_LAPSE]
    assert {p.status for p in lapses} == {PostStatus.CANCELLED}, "a closed offer never lapses"


def test_an_offer_not_answered_in_time_lapses_once_and_the_next_is_offered(settings: Settings) -> None:
    bot = LocalBot(replace(settings, waitlist_offer_time=timedelta(seconds=2))).start()
    try:
        meeting = full_meeting(bot)
        press(bot, ORGANISER.id, views.RSVP_NOT_COMING, meeting)
        offer = offer_to(bot, MEMBER.id)
        channel = bot.emulator.im_channel(MEMBER.id)
        wait_delivery(
            bot.emulator,
            lambda d: d.kind == "message" and d.channel == channel and "not taken in time" in (d.text or ""),
            timeout=40,
        )
        offer_to(bot, DANA.id)
        assert standing(bot, meeting) == {
            ORGANISER.id: Attendance.NOT_COMING,
            MEMBER.id: Attendance.WAITLISTED,
            DANA.id: Attendance.OFFERED,
        }
        take_offer(bot, MEMBER.id, offer)
        private_answer(bot.emulator, MEMBER.id, "That offer closed at")
        time.sleep(0.5)
        lapsed = [d for d in bot.emulator.deliveries if d.channel == channel and "not taken in time" in (d.text or "")]
        assert len(lapsed) == 1 and len(offers_to(bot, DANA.id)) == 1
    finally:
        bot.stop()


def test_no_offer_outlives_the_meetings_start(local_bot: LocalBot) -> None:
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=2)
    meeting = full_meeting(local_bot, starts_at=soon, ends_at=soon + timedelta(hours=2))
    press(local_bot, ORGANISER.id, views.RSVP_NOT_COMING, meeting)
    offer_to(local_bot, MEMBER.id)
    with local_bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        (lapse,) = [p for p in schedule.posts(session=session, limit=100) if p.kind == PostKind.OFFER_LAPSE]
    assert lapse.due_at == soon, "24 hours shortened to the start"


def test_an_offer_due_while_the_bot_was_down_lapses_once_when_it_is_back(settings: Settings) -> None:
    quick = replace(settings, waitlist_offer_time=timedelta(seconds=2))
    first = LocalBot(quick).start()
    try:
        meeting = full_meeting(first)
        press(first, ORGANISER.id, views.RSVP_NOT_COMING, meeting)
        offer_to(first, MEMBER.id)
    finally:
        first.stop()  # down before the offer is due
    time.sleep(2.5)
    again = LocalBot(quick).start()
    try:
        again.emulator.add_user(DANA)
        channel = again.emulator.im_channel(MEMBER.id)
        wait_delivery(
            again.emulator,
            lambda d: d.kind == "message" and d.channel == channel and "not taken in time" in (d.text or ""),
            timeout=40,
        )
        offer_to(again, DANA.id)
        time.sleep(0.5)
        lapsed = [
            d for d in again.emulator.deliveries if d.channel == channel and "not taken in time" in (d.text or "")
        ]
        assert len(lapsed) == 1 and len(offers_to(again, DANA.id)) == 1
        assert not [d for d in first.emulator.deliveries if "not taken in time" in (d.text or "")]
        assert standing(again, meeting)[DANA.id] == Attendance.OFFERED
    finally:
        again.stop()


def test_anyone_waiting_sees_their_place_in_line_with_a_button(local_bot: LocalBot) -> None:
    meeting = full_meeting(local_bot)
    ws = local_bot.workspace
    assert ws is not None
    one = ws.slash_command(DANA.id, "/meetings", str(meeting.id))
    local_bot.wait_idle()
    shown = one.body if isinstance(one.body, str) else one.body.decode()
    if views.WAITLIST_POSITION not in shown:
        shown = str(private_answer(local_bot.emulator, DANA.id, "Essen workshop (#").blocks)
    assert views.WAITLIST_POSITION in shown, "the waitlisted see the button"
    press(local_bot, DANA.id, views.WAITLIST_POSITION, meeting)
    said = private_answer(local_bot.emulator, DANA.id, "on the waitlist for").text or ""
    assert "You are number 2 on the waitlist for *Essen workshop*" in said
    press(local_bot, ORGANISER.id, views.WAITLIST_POSITION, meeting)
    private_answer(local_bot.emulator, ORGANISER.id, "You are not on the waitlist")
