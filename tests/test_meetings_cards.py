"""A meeting's card stays true under load: it ends showing what the store holds, however the updates cross."""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from bot.localslack.emulator import LocalUser
from bot.localslack.local import GROUP_CHANNEL, ORGANISER, LocalBot
from bot.views import meetings as views
from store import meetings as store
from store.meetings import Counts
from store.models import Attendance
from tests.test_meetings import card_message, counts, make_meeting, now

PEOPLE = [
    LocalUser(id=f"U0P{i:02d}", name=f"person{i}", real_name=f"Person {i}", tz="Europe/Berlin") for i in range(12)
]


def test_answers_pressed_at_once_leave_the_card_with_the_final_counts(
    local_bot: LocalBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twelve people answer the same card at the same moment; the card ends showing what the store holds."""
    meeting = make_meeting(local_bot, capacity=4)
    ws = local_bot.workspace
    assert ws is not None
    ws.slash_command(ORGANISER.id, "/meetings", f"announce {meeting.id}")
    local_bot.wait_idle()
    card = card_message(local_bot)
    built = views.card

    def slow_card(meeting: Any, counts: Counts, *rule: Any, **marks: Any) -> dict[str, Any]:
        time.sleep(random.uniform(0, 0.25))  # widens the gap between reading the counts and sending the card
        return built(meeting, counts, *rule, **marks)

    monkeypatch.setattr(views, "card", slow_card)
    for person in PEOPLE:
        local_bot.emulator.add_user(person)
    answers = [views.RSVP_ONLINE if i % 3 == 0 else views.RSVP_IN_PERSON for i in range(len(PEOPLE))]

    def press(i: int) -> int:
        return ws.press_button(PEOPLE[i].id, action_id=answers[i], value=str(meeting.id), message=card).status

    with ThreadPoolExecutor(len(PEOPLE)) as pool:
        assert set(pool.map(press, range(len(PEOPLE)))) == {200}
    assert local_bot.wait_idle()
    assert counts(local_bot, meeting.id) == Counts(in_person=4, online=4, waitlisted=4)
    small_print = [
        element["text"]
        for block in card_message(local_bot)["blocks"]
        if block["type"] == "context"
        for element in block["elements"]
    ]
    assert small_print == [f"In person 4/4 · Online 4 · Waitlist 4 · `/meetings {meeting.id}` for details"]
    assert len([m for m in local_bot.emulator.messages(GROUP_CHANNEL) if m.get("bot_id")]) == 1


def test_a_card_sent_with_old_counts_is_sent_again_with_the_new(local_bot: LocalBot) -> None:
    """Two processes may send one card at once, the older counts arriving last: whoever sent last reads
    the store again and sends what it holds, so the card ends as the store is."""
    meeting = make_meeting(local_bot, capacity=4)
    ws = local_bot.workspace
    assert ws is not None and local_bot.service is not None
    ws.slash_command(ORGANISER.id, "/meetings", f"announce {meeting.id}")
    assert local_bot.wait_idle()
    deps = local_bot.service.deps
    late = PEOPLE[0]
    local_bot.emulator.add_user(late)
    registered = threading.Event()

    def register_meanwhile(delivery: Any) -> None:
        # While Slack takes the first update, someone registers through another process (no row here).
        if delivery.kind == "update" and not registered.is_set():
            registered.set()
            with deps.sessions() as session:
                store.register(
                    session=session, meeting_id=meeting.id or 0, slack_id=late.id, answer=Attendance.ONLINE, now=now()
                )

    local_bot.emulator.subscribe(register_meanwhile)
    assert ws.press_button(PEOPLE[1].id, action_id=views.RSVP_IN_PERSON, value=str(meeting.id)).status == 200
    assert local_bot.wait_idle()
    assert registered.is_set()
    assert counts(local_bot, meeting.id) == Counts(in_person=1, online=1)
    shown = str(card_message(local_bot)["blocks"])
    assert "In person 1/4" in shown and "· Online 1" in shown, "the card ends with the store's counts"
