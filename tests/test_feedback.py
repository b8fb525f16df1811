"""Feedback through Slack: asked once of each person registered, a while after the meeting; rated and commented once."""

from __future__ import annotations

import csv
import io
import json
import time as clock_time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.localslack import LocalUser, SlackEmulator
from bot.localslack.local import GUEST, MEMBER, ORGANISER, PEOPLE, LocalBot
from bot.services import export, planning
from bot.views import feedback as views
from bot.views import meetings as meeting_views
from store import feedback as store
from store import meetings as meetings_store
from store import schedule
from store.db import make_engine, session_factory
from store.meetings import MeetingDraft
from store.models import Attendance, Meeting, PostKind
from store.schedule import PlannedPost
from tests.helpers import Clock, private_answer, wait_delivery
from tests.processes import bot_process
from tests.test_meetings import make_meeting, texts
from tests.test_scheduler import wait_until

START = datetime(2027, 3, 4, 14, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(START - timedelta(days=10))


@pytest.fixture
def bot(clocked_bot: LocalBot) -> LocalBot:
    return clocked_bot


def meeting_with_people(bot: LocalBot) -> Meeting:
    """A two-hour meeting with Bruno online, Carla in person and Ana who cannot come, its posts planned."""
    meeting = make_meeting(bot, starts_at=START, ends_at=START + timedelta(hours=2), capacity=10)
    ws = bot.workspace
    assert ws is not None
    for person, answer in ((MEMBER, meeting_views.RSVP_ONLINE), (GUEST, meeting_views.RSVP_IN_PERSON)):
        ws.press_button(person.id, action_id=answer, value=str(meeting.id))
    ws.press_button(ORGANISER.id, action_id=meeting_views.RSVP_NOT_COMING, value=str(meeting.id))
    bot.wait_idle()
    planning.plan_meeting(bot.service.deps, meeting.id or 0)  # type: ignore[union-attr]
    return meeting


def after_the_meeting(bot: LocalBot, clock: Clock, meeting: Meeting) -> None:
    clock.now = meeting.ends_at + timedelta(hours=2, minutes=1)
    scheduler = bot.service.scheduler  # type: ignore[union-attr]
    scheduler.ring()
    scheduler.ring()  # a second round finds nothing more to send
    assert bot.wait_idle(timeout=20)


def requests_to(bot: LocalBot, user: str) -> list[dict[str, Any]]:
    channel = bot.emulator.im_channel(user)
    return [m for m in bot.emulator.messages(channel) if m.get("bot_id") and "Rate it from 1" in (m.get("text") or "")]


def press(bot: LocalBot, user: str, value: str, message: dict[str, Any] | None = None) -> None:
    ws = bot.workspace
    assert ws is not None
    rating = value.rpartition(":")[2]
    ws.press_button(
        user, action_id=views.rate_action(int(rating) if rating.isdigit() else 3), value=value, message=message
    )
    bot.wait_idle()


def test_each_person_registered_is_asked_once_and_their_rating_kept_once(bot: LocalBot, clock: Clock) -> None:
    meeting = meeting_with_people(bot)
    after_the_meeting(bot, clock, meeting)
    [asked] = requests_to(bot, MEMBER.id)
    assert len(requests_to(bot, GUEST.id)) == 1 and requests_to(bot, ORGANISER.id) == [], "not who could not come"
    shown = texts(asked["blocks"])
    assert asked["text"].startswith(f"How was *Essen workshop* (#{meeting.id}) (Thu 4 Mar 2027, 15:00")
    assert all(f'"{meeting.id}:{n}"' in shown for n in range(1, 6)), "five buttons, 1 to 5"

    press(bot, MEMBER.id, f"{meeting.id}:4", message=asked)
    thanks = wait_delivery(bot.emulator, lambda d: d.kind == "response" and "you rated" in (d.text or ""))
    assert f"Thank you: you rated *Essen workshop* (#{meeting.id}) 4 out of 5." == thanks.text
    assert views.OPEN_COMMENT in texts(thanks.blocks)
    press(bot, MEMBER.id, f"{meeting.id}:1", message=asked)
    again = wait_delivery(bot.emulator, lambda d: d.kind == "response" and "already" in (d.text or ""))
    assert "4 out of 5 already; a rating is given once" in (again.text or "")
    with bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        kept = store.feedback_of(session=session, meeting_id=meeting.id or 0, slack_id=MEMBER.id)
        rows = schedule.posts(session=session, kinds=[PostKind.FEEDBACK_DM], limit=10)
    assert kept is not None and kept.rating == 4
    assert sorted(r.channel for r in rows) == sorted([MEMBER.id, GUEST.id]), "one request each"


def test_a_rating_from_someone_not_asked_or_outside_one_to_five_changes_nothing(bot: LocalBot, clock: Clock) -> None:
    meeting = meeting_with_people(bot)
    after_the_meeting(bot, clock, meeting)
    press(bot, ORGANISER.id, f"{meeting.id}:5")
    private_answer(bot.emulator, ORGANISER.id, "Only the people asked about a meeting can rate it")
    for forged in (f"{meeting.id}:9", f"{meeting.id}:0", "x:3", f"{meeting.id}:-1"):
        press(bot, MEMBER.id, forged)
    private_answer(bot.emulator, MEMBER.id, "That rating is not one the bot offered")
    with bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        assert store.results(session=session, meeting_id=meeting.id or 0).total == 0


def test_a_comment_is_kept_once_within_slacks_limit_and_organisers_see_the_results_without_names(
    bot: LocalBot, clock: Clock
) -> None:
    meeting = meeting_with_people(bot)
    after_the_meeting(bot, clock, meeting)
    press(bot, MEMBER.id, f"{meeting.id}:4")
    press(bot, GUEST.id, f"{meeting.id}:5")
    ws = bot.workspace
    assert ws is not None
    ws.press_button(MEMBER.id, action_id=views.OPEN_COMMENT, value=str(meeting.id))
    opened = wait_delivery(bot.emulator, lambda d: d.kind == "view_open" and d.user == MEMBER.id)
    assert opened.view is not None and opened.view["callback_id"] == views.COMMENT_FORM

    def submit(text: str) -> dict[str, Any]:
        state = {views.COMMENT: {"value": {"type": "plain_text_input", "value": text}}}
        return ws.submit_view(MEMBER.id, opened.view, state).json()  # type: ignore[arg-type]

    too_long = submit("x" * 3001)
    assert too_long["response_action"] == "errors" and "3,000" in too_long["errors"][views.COMMENT]
    assert "Thank you: your comment is with the organisers." in texts(
        submit("More time for the tool demos.")["view"]["blocks"]
    )
    assert "a comment is given once" in texts(submit("And coffee.")["view"]["blocks"])

    ws.slash_command(ORGANISER.id, "/meetings", f"feedback {meeting.id}")
    results = private_answer(bot.emulator, ORGANISER.id, "Feedback on")
    shown = (results.text or "") + texts(results.blocks)
    assert "2 ratings, average 4.5 out of 5" in shown and "More time for the tool demos." in shown
    assert "And coffee." not in shown and MEMBER.id not in shown and GUEST.id not in shown
    refused = ws.slash_command(MEMBER.id, "/meetings", f"feedback {meeting.id}").json()
    assert "organisers" in refused["text"] and "Feedback on" not in refused["text"], refused


def test_nobody_is_asked_when_feedback_is_off(settings: Settings, clock: Clock) -> None:
    from dataclasses import replace

    with LocalBot(replace(settings, feedback_after=None), clock=clock) as bot:
        meeting = meeting_with_people(bot)
        after_the_meeting(bot, clock, meeting)
        assert requests_to(bot, MEMBER.id) == [] and requests_to(bot, GUEST.id) == []


def test_the_feedback_export_holds_each_rating_and_comment_without_who_gave_it(bot: LocalBot, clock: Clock) -> None:
    meeting = meeting_with_people(bot)
    after_the_meeting(bot, clock, meeting)
    press(bot, MEMBER.id, f"{meeting.id}:4")
    press(bot, GUEST.id, f"{meeting.id}:2")
    out = io.StringIO()
    deps = bot.service.deps  # type: ignore[union-attr]
    assert export.write_feedback(deps.engine, "csv", out) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(r["meeting_title"], r["rating"], r["comment"]) for r in rows] == [
        ("Essen workshop", "4", ""),
        ("Essen workshop", "2", ""),
    ]
    assert MEMBER.id not in out.getvalue() and GUEST.id not in out.getvalue()


def test_two_processes_on_one_postgresql_database_ask_each_person_once(migrated_url: str, tmp_path: Path) -> None:
    if not migrated_url.startswith("postgresql"):
        pytest.skip("several bot processes share a PostgreSQL database; SQLite is for one process")
    engine = make_engine(migrated_url)
    sessions = session_factory(engine)
    now = datetime.now(UTC)
    people = [f"U0FB{n:04d}" for n in range(40)]
    draft = MeetingDraft(
        title="Online exchange", kind="online", starts_at=now - timedelta(hours=3),
        ends_at=now - timedelta(hours=2, minutes=30), timezone="Europe/Madrid",
    )  # fmt: skip
    with sessions() as session:
        meeting = meetings_store.create_meeting(session=session, draft=draft, created_by=ORGANISER.id, now=now)
        for person in people:
            meetings_store.register(
                session=session,
                meeting_id=meeting.id or 0,
                slack_id=person,
                answer=Attendance.ONLINE,
                now=now - timedelta(days=1),  # registered the day before
            )
        row = PlannedPost(
            key=f"feedback:{meeting.id}",
            kind=PostKind.FEEDBACK,
            channel="C0GROUP",
            due_at=now + timedelta(seconds=10),  # once both are up
            payload=json.dumps({"meeting": meeting.id}),
        )
        schedule.plan(session=session, posts=[row], now=now)
    with SlackEmulator(users=PEOPLE.values()) as emulator:
        for person in people:
            emulator.add_user(LocalUser(id=person, name=person.lower(), real_name=person))
        with (
            bot_process(tmp_path, emulator, migrated_url),
            bot_process(tmp_path, emulator, migrated_url),
        ):
            asked = lambda: [  # noqa: E731
                d for d in emulator.deliveries if d.kind == "message" and "Rate it from 1" in (d.text or "")
            ]
            wait_until(lambda: len(asked()) >= len(people), timeout=60)
            clock_time.sleep(2)
            delivered = asked()
    assert sorted(d.channel for d in delivered) == sorted(emulator.im_channel(p) for p in people), "each once"
    engine.dispose()


def test_the_request_follows_the_meeting_moved_and_is_withdrawn_when_it_is_cancelled(bot: LocalBot) -> None:
    deps = bot.service.deps  # type: ignore[union-attr]
    meeting = meeting_with_people(bot)
    key = planning.feedback_key(meeting.id or 0)

    def row() -> Any:
        with deps.sessions() as session:
            return schedule.get_post(session=session, key=key)

    assert row().due_at == meeting.ends_at + timedelta(hours=2)
    with deps.sessions() as session:
        moved = replace(
            MeetingDraft.of(meeting), starts_at=START + timedelta(days=1), ends_at=START + timedelta(days=1, hours=2)
        )
        meetings_store.update_meeting(
            session=session, meeting_id=meeting.id or 0, draft=moved, now=START - timedelta(days=9)
        )
    planning.plan_meeting(deps, meeting.id or 0)
    assert row().due_at == START + timedelta(days=1, hours=4), "the same request, at the new time"
    with deps.sessions() as session:
        meetings_store.cancel_meeting(session=session, meeting_id=meeting.id or 0, now=START - timedelta(days=9))
    planning.plan_meeting(deps, meeting.id or 0)
    assert row().status == "cancelled"
