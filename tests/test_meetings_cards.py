"""A meeting's card stays true under load: refreshes line up per meeting, in one process and across several."""

from __future__ import annotations

import gc
import itertools
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.config import Settings
from bot.deps import Deps, build_deps
from bot.localslack.emulator import LocalUser
from bot.localslack.local import GROUP_CHANNEL, ORGANISER, LocalBot
from bot.services import meetings as service
from bot.views import meetings as views
from store import locks
from store import meetings as store
from store.meetings import Counts, MeetingDraft
from tests.test_meetings import SOON, card_message, counts, make_meeting, now

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

    def slow_card(meeting: Any, counts: Counts) -> dict[str, Any]:
        time.sleep(random.uniform(0, 0.25))  # widens the gap between reading the counts and sending the card
        return built(meeting, counts)

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


class SlowSlack(WebClient):
    """A Web API client whose card updates take a while, and that notes when each began and ended."""

    def __init__(self) -> None:
        super().__init__(token="xoxb-test")
        self.updates: list[tuple[str, float, float]] = []
        self._lock = threading.Lock()

    def chat_update(self, **kwargs: Any) -> Any:  # type: ignore[override]
        began = time.monotonic()
        time.sleep(0.3)
        with self._lock:
            self.updates.append((kwargs["ts"], began, time.monotonic()))
        return {"ok": True}


def announced_meeting(deps: Deps, ts: str) -> int:
    """A meeting whose card is in the group channel at `ts`."""
    draft = MeetingDraft(
        title="Online exchange",
        kind="online",
        starts_at=SOON,
        ends_at=SOON + timedelta(hours=1),
        timezone="Europe/Berlin",
    )
    with deps.sessions() as session:
        meeting = store.create_meeting(session=session, draft=draft, created_by=ORGANISER.id, now=now())
        store.set_card(session=session, meeting_id=meeting.id or 0, channel=GROUP_CHANNEL, ts=ts)
    return meeting.id or 0


def refresh_at_once(calls: list[tuple[Deps, int]], client: SlowSlack) -> None:
    """Refresh the given cards from threads of their own, all started together."""
    start = threading.Barrier(len(calls))

    def refresh(call: tuple[Deps, int]) -> None:
        start.wait()
        service.refresh_card(call[0], client, call[1])

    with ThreadPoolExecutor(len(calls)) as pool:
        list(pool.map(refresh, calls))


def overlapping(updates: list[tuple[str, float, float]]) -> bool:
    """Whether any two of the card updates were being sent at the same time."""
    spans = sorted((began, ended) for _ts, began, ended in updates)
    return any(later[0] < earlier[1] for earlier, later in itertools.pairwise(spans))


def test_two_processes_refreshing_one_card_take_turns(settings: Settings) -> None:
    """Two bots on one PostgreSQL database (two engines, as two processes have) send one card's updates
    one after the other; the cards of two different meetings are updated side by side."""
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("several bot processes share a database on PostgreSQL only")
    first, second = build_deps(settings), build_deps(settings)
    try:
        essen, online = announced_meeting(first, "1.000001"), announced_meeting(first, "1.000002")
        same = SlowSlack()
        refresh_at_once([(first, essen), (second, essen)], same)
        assert len(same.updates) == 2 and not overlapping(same.updates), same.updates
        different = SlowSlack()
        refresh_at_once([(first, essen), (second, online)], different)
        assert len(different.updates) == 2 and overlapping(different.updates), different.updates
    finally:
        first.engine.dispose()
        second.engine.dispose()


def test_threads_of_one_process_refreshing_one_card_take_turns(settings: Settings) -> None:
    """In one process (the only one SQLite serves), refreshes of one card line up too."""
    deps = build_deps(settings)
    try:
        meeting_id = announced_meeting(deps, "1.000001")
        client = SlowSlack()
        refresh_at_once([(deps, meeting_id)] * 3, client)
        assert len(client.updates) == 3 and not overlapping(client.updates), client.updates
    finally:
        deps.engine.dispose()


def test_the_card_locks_do_not_accumulate(settings: Settings) -> None:
    """A lock is kept only while a card is being refreshed: after many meetings' cards, none is left."""
    deps = build_deps(settings)
    try:
        with deps.sessions() as session, store.card_lock(session=session, meeting_id=1):
            assert locks.locks_held() == 1
        client = WebClient(token="xoxb-test")
        client.chat_update = lambda **_kwargs: {"ok": True}  # type: ignore[method-assign]
        ids = [announced_meeting(deps, f"2.{i:06d}") for i in range(200)]
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda meeting_id: service.refresh_card(deps, client, meeting_id), ids))
        gc.collect()
        assert locks.locks_held() == 0
    finally:
        deps.engine.dispose()
