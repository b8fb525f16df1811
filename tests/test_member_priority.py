"""Members' priority, as the group's rule says: a non-member's in-person place is provisional until the
registration deadline (or MEMBER_PRIORITY_BEFORE before the start), and gives way to a member who asks.

Through signed presses and the emulator, and on the store with threads pressing at once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from bot.config import Settings
from bot.localslack.local import GUEST, MEMBER, ORGANISER, LocalBot
from bot.views import meetings as views
from store import meetings as store
from store import people as people_store
from store.db import make_engine, session_factory
from store.meetings import MeetingDraft
from store.models import Attendance, Meeting, MeetingKind
from tests.helpers import private_answer, wait_delivery
from tests.test_meetings import press

SOON = datetime.now(UTC).replace(microsecond=0, second=0, minute=0) + timedelta(days=30)
WINDOW = timedelta(days=7)


def meeting_of(bot: LocalBot, **overrides: Any) -> Meeting:
    values: dict[str, Any] = {
        "title": "Essen workshop",
        "kind": MeetingKind.HYBRID,
        "starts_at": SOON,
        "ends_at": SOON + timedelta(hours=8),
        "timezone": "Europe/Berlin",
        "city": "Essen",
        "country": "DE",
        "capacity": 1,
    } | overrides
    with bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        return store.create_meeting(session=session, draft=MeetingDraft(**values), created_by="U0ORG", now=SOON)


def standing(bot: LocalBot, meeting: Meeting) -> dict[str, str]:
    with bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        return {r.slack_id: r.attendance for r, _p in store.attendees(session=session, meeting_id=meeting.id or 0)}


def test_a_member_takes_the_provisional_place_of_a_non_member_who_is_told_their_position(
    local_bot: LocalBot,
) -> None:
    meeting = meeting_of(local_bot)
    press(local_bot, GUEST.id, views.RSVP_IN_PERSON, meeting)
    said = private_answer(local_bot.emulator, GUEST.id, "provisional").text or ""
    assert "As you are not a member of the group, your place is provisional until" in said
    ws = local_bot.workspace
    assert ws is not None
    listed = ws.slash_command(ORGANISER.id, "/meetings", f"attendees {meeting.id}")
    local_bot.wait_idle()
    shown = listed.body.decode() if isinstance(listed.body, bytes) else str(listed.body)
    if "provisional place" not in shown:
        shown = private_answer(local_bot.emulator, ORGANISER.id, "Essen workshop").text or ""
    assert "(not a member; provisional place)" in shown
    assert "In person 1/1 (1 provisional)" in shown, "the counts say so too"

    press(local_bot, MEMBER.id, views.RSVP_IN_PERSON, meeting)
    private_answer(local_bot.emulator, MEMBER.id, "You're registered to come in person")
    assert standing(local_bot, meeting) == {MEMBER.id: Attendance.IN_PERSON, GUEST.id: Attendance.WAITLISTED}
    channel = local_bot.emulator.im_channel(GUEST.id)
    notice = wait_delivery(
        local_bot.emulator,
        lambda d: d.kind == "message" and d.channel == channel and "a member asked" in (d.text or ""),
    )
    assert "you are now number 1 on the waitlist, first among non-members" in (notice.text or "")


def test_places_are_firm_once_the_priority_window_has_closed(settings: Settings) -> None:
    """A meeting without a deadline starting within MEMBER_PRIORITY_BEFORE: the member waits."""
    bot = LocalBot(replace(settings, member_priority_before=timedelta(days=40))).start()
    try:
        meeting = meeting_of(bot)
        press(bot, GUEST.id, views.RSVP_IN_PERSON, meeting)
        assert "provisional" not in (private_answer(bot.emulator, GUEST.id, "registered").text or "")
        press(bot, MEMBER.id, views.RSVP_IN_PERSON, meeting)
        assert standing(bot, meeting) == {GUEST.id: Attendance.IN_PERSON, MEMBER.id: Attendance.WAITLISTED}
    finally:
        bot.stop()


def test_first_come_first_served_when_the_group_chooses_it(settings: Settings) -> None:
    bot = LocalBot(replace(settings, member_priority="waitlist")).start()
    try:
        meeting = meeting_of(bot)
        press(bot, GUEST.id, views.RSVP_IN_PERSON, meeting)
        press(bot, MEMBER.id, views.RSVP_IN_PERSON, meeting)
        assert standing(bot, meeting) == {GUEST.id: Attendance.IN_PERSON, MEMBER.id: Attendance.WAITLISTED}
    finally:
        bot.stop()


def test_the_deadline_ends_the_provisional_places(local_bot: LocalBot) -> None:
    """With a deadline, places are provisional until it, even when the start is near."""
    meeting = meeting_of(local_bot, starts_at=SOON - timedelta(days=26), ends_at=SOON - timedelta(days=25, hours=16))
    press(local_bot, GUEST.id, views.RSVP_IN_PERSON, meeting)
    press(local_bot, MEMBER.id, views.RSVP_IN_PERSON, meeting)
    assert standing(local_bot, meeting)[MEMBER.id] == Attendance.WAITLISTED, "4 days before: no deadline, firm"
    late = meeting_of(
        local_bot,
        title="Lisbon exchange",
        starts_at=SOON - timedelta(days=26),
        ends_at=SOON - timedelta(days=25, hours=16),
        registration_deadline=SOON - timedelta(days=27),
    )
    press(local_bot, GUEST.id, views.RSVP_IN_PERSON, late)
    press(local_bot, MEMBER.id, views.RSVP_IN_PERSON, late)
    assert standing(local_bot, late)[MEMBER.id] == Attendance.IN_PERSON, "before its deadline: provisional"


def workshop(session: Session, now: datetime, *, capacity: int) -> Meeting:
    """An in-person workshop in SOON, with `capacity` places, stored as the store writes it."""
    draft = MeetingDraft(
        title="Essen workshop",
        kind=MeetingKind.IN_PERSON,
        starts_at=SOON,
        ends_at=SOON + timedelta(hours=8),
        timezone="Europe/Berlin",
        capacity=capacity,
    )
    return store.create_meeting(session=session, draft=draft, created_by="U0ORG", now=now)


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    from store import migrate

    migrate.upgrade(engine)
    yield session_factory(engine)
    engine.dispose()


def test_members_never_wait_while_a_non_member_holds_a_provisional_place(sessions: sessionmaker[Session]) -> None:
    """A full meeting held by two guests; four members and two more guests press at once."""
    now = SOON - timedelta(days=20)
    with sessions() as session:
        for n in range(4):
            people_store.ensure_person(session=session, slack_id=f"U0GUEST{n}", is_guest=True)
            people_store.ensure_person(session=session, slack_id=f"U0MEMBER{n}")
        session.commit()
        meeting = workshop(session, now, capacity=2)
        for n in (0, 1):
            store.register(
                session=session,
                meeting_id=meeting.id or 0,
                slack_id=f"U0GUEST{n}",
                answer=Attendance.IN_PERSON,
                now=now,
            )
    pressing = [f"U0MEMBER{n}" for n in range(4)] + ["U0GUEST2", "U0GUEST3"]
    start = threading.Barrier(len(pressing))
    errors: list[BaseException] = []

    def ask(slack_id: str) -> None:
        try:
            start.wait()
            with sessions() as session:
                store.register(
                    session=session,
                    meeting_id=meeting.id or 0,
                    slack_id=slack_id,
                    answer=Attendance.IN_PERSON,
                    now=now,
                    priority_window=WINDOW,
                )
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=ask, args=(slack_id,)) for slack_id in pressing]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    with sessions() as session:
        rows = store.attendees(session=session, meeting_id=meeting.id or 0)
    places = [r.slack_id for r, _p in rows if r.attendance == Attendance.IN_PERSON]
    waiting = [r.slack_id for r, _p in rows if r.attendance == Attendance.WAITLISTED]
    assert len(places) == 2 and all(slack_id.startswith("U0MEMBER") for slack_id in places)
    # The waitlist as served: the two members who came too late, the guests who gave way, the late guests.
    assert all(slack_id.startswith("U0MEMBER") for slack_id in waiting[:2])
    assert set(waiting[2:4]) == {"U0GUEST0", "U0GUEST1"} and set(waiting[4:]) == {"U0GUEST2", "U0GUEST3"}


def test_the_waitlist_follows_the_order_slack_timestamped_the_presses(sessions: sessionmaker[Session]) -> None:
    """Two members press for a full meeting: the one who pressed first by Slack's clock is first in line,
    even when the other's press took the lock first."""
    now = SOON - timedelta(days=3)  # within MEMBER_PRIORITY_BEFORE: places are firm
    with sessions() as session:
        for slack_id in ("U0HOLDER", "U0FIRST", "U0SECOND"):
            people_store.ensure_person(session=session, slack_id=slack_id)
        session.commit()
        meeting = workshop(session, now, capacity=1)
        number = meeting.id or 0
        for slack_id, pressed in (("U0HOLDER", 9), ("U0SECOND", 1), ("U0FIRST", 3)):
            store.register(
                session=session,
                meeting_id=number,
                slack_id=slack_id,
                answer=Attendance.IN_PERSON,
                now=now,
                priority_window=WINDOW,
                asked_at=now - timedelta(seconds=pressed),
            )
        stale = store.register(
            session=session,
            meeting_id=number,
            slack_id="U0LATE",
            answer=Attendance.IN_PERSON,
            now=now,
            asked_at=now - timedelta(hours=1),  # a press time far from now is not believed
        )
        assert stale.attendance == Attendance.WAITLISTED
        rows = store.attendees(session=session, meeting_id=number)
    waiting = [r.slack_id for r, _p in rows if r.attendance == Attendance.WAITLISTED]
    assert waiting == ["U0FIRST", "U0SECOND", "U0LATE"]
