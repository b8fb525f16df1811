"""After the meeting: the recap an organiser writes (posted in the card's thread, answered from, in the calendar
and the export) and the actions agreed (told to their owners, reminded once, listed and marked done)."""

from __future__ import annotations

import csv
import io
import json
import signal
import time as clock_time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.localslack import LocalUser, SlackEmulator
from bot.localslack.local import GROUP_CHANNEL, GUEST, MEMBER, ORGANISER, PEOPLE, LocalBot
from bot.services import export
from bot.services import meetings as meeting_service
from bot.views import actions as action_views
from bot.views import recaps as views
from store import actions as actions_store
from store import practices as practices_store
from store import recaps as recaps_store
from store import schedule
from store.after_models import ActionStatus
from store.db import make_engine, session_factory
from store.models import Meeting, PostKind
from store.practices import PracticeDraft
from store.schedule import PlannedPost
from tests.helpers import Clock, changed_tables, private_answer, ring_at, store_snapshot, wait_delivery
from tests.processes import bot_process
from tests.test_meetings import make_meeting, texts
from tests.test_scheduler import wait_until

START = datetime(2027, 2, 11, 8, 0, tzinfo=UTC)
END = START + timedelta(hours=8)
SLIDES = "https://example.org/essen/slides.pdf"
RECORDING = "https://example.org/essen/recording"


@pytest.fixture
def clock() -> Clock:
    return Clock(START - timedelta(days=3))


@pytest.fixture
def bot(clocked_bot: LocalBot) -> LocalBot:
    return clocked_bot


def held_meeting(bot: LocalBot, clock: Clock) -> Meeting:
    """The Essen workshop, announced, with Bruno registered; then over."""
    meeting = make_meeting(bot, starts_at=START, ends_at=END, capacity=30)
    ws = bot.workspace
    assert ws is not None
    ws.slash_command(ORGANISER.id, "/meetings", f"announce {meeting.id}")
    bot.wait_idle()
    ws.press_button(MEMBER.id, action_id="meeting_rsvp_in_person", value=str(meeting.id))
    bot.wait_idle()
    ring_at(bot, clock, END + timedelta(hours=1))
    return meeting_service.find_meeting(bot.service.deps, meeting_id=meeting.id or 0) or meeting  # type: ignore[union-attr]


def published_practice(bot: LocalBot) -> int:
    with bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        practice = practices_store.create_practice(
            session=session,
            draft=PracticeDraft(
                title="Digital skills vouchers", kind="Initiative", topic="Skills", summary="Vouchers."
            ),
            author=MEMBER.id,
            now=START - timedelta(days=30),
            moderated=False,
        )
    return practice.id or 0


def open_form(bot: LocalBot, meeting: Meeting) -> dict[str, Any]:
    ws = bot.workspace
    assert ws is not None
    before = len(bot.emulator.deliveries)
    ws.slash_command(ORGANISER.id, "/meetings", f"recap {meeting.id}")
    bot.wait_idle()
    opened = next(d for d in bot.emulator.deliveries[before:] if d.kind == "view_open" and d.user == ORGANISER.id)
    assert opened.view is not None and opened.view["callback_id"] == views.FORM
    return opened.view


def state(**fields: Any) -> dict[str, dict[str, dict[str, Any]]]:
    """The form's state: text fields by block id; `practices` a list of numbers; action rows as tuples."""
    values: dict[str, dict[str, dict[str, Any]]] = {}
    for block_id in (views.SUMMARY, views.SLIDES, views.RECORDING, views.MINUTES):
        values[block_id] = {"value": {"type": "plain_text_input", "value": fields.get(block_id, "")}}
    chosen = [{"value": str(n)} for n in fields.get("practices", [])]
    values[views.PRACTICES] = {"value": {"type": "multi_static_select", "selected_options": chosen}}
    for n, (title, owner, due) in enumerate(fields.get("actions", []), 1):
        values[views.ACTION_TITLE.format(n=n)] = {"value": {"type": "plain_text_input", "value": title}}
        values[views.ACTION_OWNER.format(n=n)] = {"value": {"type": "users_select", "selected_user": owner}}
        values[views.ACTION_DUE.format(n=n)] = {"value": {"type": "datepicker", "selected_date": due}}
    return values


def submit(bot: LocalBot, user: str, view: dict[str, Any], **fields: Any) -> dict[str, Any]:
    ws = bot.workspace
    assert ws is not None
    answer = ws.submit_view(user, view, state(**fields)).json()
    bot.wait_idle()
    return answer


def thread_messages(bot: LocalBot, meeting: Meeting) -> list[dict[str, Any]]:
    return [
        m
        for m in bot.emulator.messages(GROUP_CHANNEL)
        if m.get("bot_id") and m.get("thread_ts") == meeting.card_ts and m.get("ts") != meeting.card_ts
    ]


def test_a_recap_is_posted_in_the_cards_thread_and_answers_questions(bot: LocalBot, clock: Clock) -> None:
    meeting = held_meeting(bot, clock)
    assert meeting.card_ts
    practice = published_practice(bot)
    view = open_form(bot, meeting)
    options = next(b for b in view["blocks"] if b.get("block_id") == views.PRACTICES)["element"]["options"]
    assert [o["value"] for o in options] == [str(practice)]

    due = (END + timedelta(days=20)).date().isoformat()
    answer = submit(
        bot,
        ORGANISER.id,
        view,
        summary="Three cluster services shown; vouchers to be piloted.",
        slides_url=SLIDES,
        recording_url="example.org/essen/recording",  # typed without https://
        practices=[practice],
        actions=[("Draft the vouchers pilot", MEMBER.id, due)],
    )
    assert answer["response_action"] == "update", answer
    assert "Recap of *Essen workshop* (#1) saved." in texts(answer["view"]["blocks"])

    [posted] = thread_messages(bot, meeting)
    assert "Three cluster services shown" in texts(posted["blocks"]) and SLIDES in texts(posted["blocks"])
    assert "#1 Digital skills vouchers" in texts(posted["blocks"]) and "Draft the vouchers pilot" in texts(
        posted["blocks"]
    )
    with bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        recap = recaps_store.get_recap(session=session, meeting_id=meeting.id or 0)
        assert recap is not None and recap.recording_url == RECORDING and recap.posted_ts == posted["ts"]
        [action] = actions_store.list_actions(session=session, meeting_id=meeting.id)
    assert (action.owner_id, action.due_on, action.status) == (MEMBER.id, date.fromisoformat(due), ActionStatus.OPEN)

    # The card links to it; the owner is told, with the Done button.
    card = next(m for m in bot.emulator.messages(GROUP_CHANNEL) if m.get("ts") == meeting.card_ts)
    assert views.SHOW in texts(card["blocks"])
    told = [
        m for m in bot.emulator.messages(bot.emulator.im_channel(MEMBER.id)) if "You own an action" in (m["text"] or "")
    ]
    assert len(told) == 1 and action_views.DONE in texts(told[0]["blocks"])

    # Questions in plain words are answered from it, in the asker's language too.
    ws = bot.workspace
    assert ws is not None
    for question, expected in (
        ("where are the slides from Essen?", SLIDES),
        ("was the Essen workshop recorded?", "was recorded"),
        ("¿dónde están las diapositivas de Essen?", "Las diapositivas de *Essen workshop* (#1)"),
    ):
        before = len(bot.emulator.deliveries)
        ws.mention(GUEST.id, question)
        bot.wait_idle()
        reply = next(d for d in bot.emulator.deliveries[before:] if d.kind == "message" and d.thread_ts)
        assert expected in (reply.text or "") + texts(reply.blocks), (question, reply.text)

    # `/meetings 1` shows it, the card's button shows it with a link, the calendar and the export carry it.
    ws.slash_command(MEMBER.id, "/meetings", str(meeting.id))
    shown = wait_delivery(bot.emulator, lambda d: d.user == MEMBER.id and "*Recap*" in texts(d.blocks))
    assert SLIDES in texts(shown.blocks)
    ws.press_button(MEMBER.id, action_id=views.SHOW, value=str(meeting.id))
    private_answer(bot.emulator, MEMBER.id, "The recap in the card's thread")
    ics = meeting_service.calendar_of(bot.service.deps, [meeting]).decode()  # type: ignore[union-attr]
    assert "Recap:" in ics and "Slides: https://example.org/essen/slides.pdf" in ics.replace("\r\n ", "")
    out = io.StringIO()
    assert export.write_recaps(bot.service.deps.engine, "csv", out) == 1  # type: ignore[union-attr]
    [row] = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert (row["slides_url"], row["practices"]) == (SLIDES, str(practice))
    out = io.StringIO()
    assert export.write_actions(bot.service.deps.engine, "json", out) == 1  # type: ignore[union-attr]
    assert json.loads(out.getvalue())[0]["due_on"] == due

    # Editing brings the same message up to date: one recap in the thread.
    view = open_form(bot, meeting)
    summary = next(b for b in view["blocks"] if b.get("block_id") == views.SUMMARY)
    assert summary["element"]["initial_value"].startswith("Three cluster services")
    submit(bot, ORGANISER.id, view, summary="Four services shown.", slides_url=SLIDES, practices=[practice])
    [posted] = thread_messages(bot, meeting)
    assert "Four services shown." in texts(posted["blocks"])


def test_bad_recap_input_is_told_beside_its_field_and_nothing_is_written(bot: LocalBot, clock: Clock) -> None:
    meeting = held_meeting(bot, clock)
    view = open_form(bot, meeting)
    engine = bot.service.deps.engine  # type: ignore[union-attr]
    before = store_snapshot(engine)
    yesterday = (END - timedelta(days=1)).date().isoformat()
    answer = submit(
        bot,
        ORGANISER.id,
        view,
        summary="x" * 3001,
        slides_url="javascript:alert(1)",
        minutes_url="ftp://example.org/minutes",
        actions=[("Draft it", MEMBER.id, yesterday), ("", MEMBER.id, ""), ("Owner missing", "", "")],
    )
    assert answer["response_action"] == "errors", answer
    errors = answer["errors"]
    assert "3,000" in errors[views.SUMMARY]
    assert "https://" in errors[views.SLIDES] and "https://" in errors[views.MINUTES]
    assert "due date has passed" in errors[views.ACTION_DUE.format(n=1)]
    assert "Say what the action is" in errors[views.ACTION_TITLE.format(n=2)]
    assert "Choose who owns" in errors[views.ACTION_OWNER.format(n=3)]
    stranger = submit(bot, ORGANISER.id, view, summary="Fine.", actions=[("Draft it", "U0NOBODY", "")])
    assert "not in this Slack workspace" in stranger["errors"][views.ACTION_OWNER.format(n=1)]
    refused = submit(bot, MEMBER.id, view, summary="A member's recap.")
    assert refused["response_action"] == "update" and "organisers" in texts(refused["view"]["blocks"])
    ws = bot.workspace
    assert ws is not None
    ws.press_button(MEMBER.id, action_id=views.OPEN, value=str(meeting.id))
    private_answer(bot.emulator, MEMBER.id, "organisers")
    assert changed_tables(before, store_snapshot(engine)) == []
    before_question = len(bot.emulator.deliveries)
    ws.mention(GUEST.id, "where are the slides from Essen?")
    bot.wait_idle()
    reply = next(d for d in bot.emulator.deliveries[before_question:] if d.kind == "message" and d.thread_ts)
    assert "No recap of *Essen workshop* (#1) has been posted" in (reply.text or "")


def test_a_recap_waits_for_the_meeting_to_begin(bot: LocalBot, clock: Clock) -> None:
    meeting = make_meeting(bot, starts_at=START, ends_at=END)
    ws = bot.workspace
    assert ws is not None
    ws.slash_command(ORGANISER.id, "/meetings", f"recap {meeting.id}")
    private_answer(bot.emulator, ORGANISER.id, "has not begun")


def test_owners_list_and_close_their_actions_and_are_reminded_once(bot: LocalBot, clock: Clock) -> None:
    meeting = held_meeting(bot, clock)
    due = (END + timedelta(days=10)).date()
    submit(
        bot,
        ORGANISER.id,
        open_form(bot, meeting),
        summary="Pilot agreed.",
        actions=[("Draft the vouchers pilot", MEMBER.id, due.isoformat()), ("Share the survey", GUEST.id, "")],
    )
    ws = bot.workspace
    assert ws is not None
    ws.slash_command(GUEST.id, "/actions", "")
    listed = private_answer(bot.emulator, GUEST.id, "Open actions")
    assert "Draft the vouchers pilot" in texts(listed.blocks) and "Share the survey" in texts(listed.blocks)
    ws.slash_command(MEMBER.id, "/actions", "mine")
    mine = private_answer(bot.emulator, MEMBER.id, "Your open actions")
    assert "Share the survey" not in texts(mine.blocks) and action_views.DONE in texts(mine.blocks)
    ws.slash_command(MEMBER.id, "/actions", f"meeting {meeting.id}")
    private_answer(bot.emulator, MEMBER.id, "Open actions from Essen workshop")

    with bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        drafted, survey = actions_store.list_actions(session=session)
    ws.press_button(GUEST.id, action_id=action_views.DONE, value=str(drafted.id))
    private_answer(bot.emulator, GUEST.id, "Only the owner of an action")

    # The reminder comes once, two days before the due date, in the owner's messages and language.
    ws.slash_command(MEMBER.id, "/tci", "language de")
    bot.wait_idle()
    reminder_at = datetime.combine(due - timedelta(days=2), datetime.min.time(), tzinfo=UTC) + timedelta(hours=10)
    ring_at(bot, clock, reminder_at)
    ring_at(bot, clock, reminder_at + timedelta(hours=1))
    dm = bot.emulator.im_channel(MEMBER.id)
    reminders = [m for m in bot.emulator.messages(dm) if "Zur Erinnerung: Deine Maßnahme" in (m["text"] or "")]
    assert len(reminders) == 1

    ws.press_button(MEMBER.id, action_id=action_views.DONE, value=str(drafted.id))
    bot.wait_idle()
    ws.press_button(GUEST.id, action_id=action_views.DROP, value=str(survey.id))
    bot.wait_idle()
    with bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        statuses = {
            a.title: a.status for a in actions_store.list_actions(session=session, statuses=tuple(ActionStatus))
        }
    assert statuses == {"Draft the vouchers pilot": ActionStatus.DONE, "Share the survey": ActionStatus.DROPPED}
    ws.slash_command(GUEST.id, "/actions", "")
    private_answer(bot.emulator, GUEST.id, "No open actions")

    # The digest lists what was done.
    from bot.services.digest import build_digest

    digest = build_digest(bot.service.deps, start=clock.now - timedelta(days=7), end=clock.now)  # type: ignore[union-attr]
    assert digest is not None and "Draft the vouchers pilot" in texts(digest["blocks"])


def test_app_home_shows_my_actions_and_organisers_recaps(bot: LocalBot, clock: Clock) -> None:
    meeting = held_meeting(bot, clock)
    submit(bot, ORGANISER.id, open_form(bot, meeting), actions=[("Draft the vouchers pilot", MEMBER.id, "")])
    ws = bot.workspace
    assert ws is not None
    ws.open_home(MEMBER.id)
    home = wait_delivery(bot.emulator, lambda d: d.kind == "home" and d.user == MEMBER.id)
    assert "My actions" in texts(home.view["blocks"] if home.view else []) and "Draft the vouchers pilot" in texts(
        home.view["blocks"] if home.view else []
    )
    ws.open_home(ORGANISER.id)
    home = wait_delivery(bot.emulator, lambda d: d.kind == "home" and d.user == ORGANISER.id)
    assert f"Recap #{meeting.id}" in texts(home.view["blocks"] if home.view else [])


OWNERS = [f"U0AC{n:04d}" for n in range(30)]


def plan_reminders(migrated_url: str, *, due_in: timedelta) -> None:
    """Thirty owners' actions, each with its reminder due once a bot is up (`due_in` from now)."""
    engine = make_engine(migrated_url)
    now = datetime.now(UTC)
    owners = OWNERS
    with session_factory(engine)() as session:
        written = actions_store.create_actions(
            session=session,
            actions=[actions_store.NewAction(f"Action of {o}", o, (now + timedelta(days=2)).date()) for o in owners],
            meeting_id=None,
            by=ORGANISER.id,
            now=now,
        )
        rows = [
            PlannedPost(
                key=f"action-due:{a.id}:{a.due_on.isoformat() if a.due_on else ''}",
                kind=PostKind.ACTION_DUE,
                channel=a.owner_id,
                due_at=now + due_in,
                payload=json.dumps({"action": a.id}),
            )
            for a in written
        ]
        schedule.plan(session=session, posts=rows, now=now)
    engine.dispose()


def reminded(emulator: SlackEmulator) -> list[Any]:
    return [d for d in emulator.deliveries if d.kind == "message" and "A reminder: your action" in (d.text or "")]


def test_a_restart_midway_reminds_each_owner_once(migrated_url: str, tmp_path: Path) -> None:
    plan_reminders(migrated_url, due_in=timedelta(seconds=2))
    pace = {"POSTS_PER_SECOND": "10", "CHANNEL_POSTS_PER_SECOND": "10", "POST_LEASE": "2s"}
    with SlackEmulator(users=PEOPLE.values()) as emulator:
        for owner in OWNERS:
            emulator.add_user(LocalUser(id=owner, name=owner.lower(), real_name=owner))
        with bot_process(tmp_path, emulator, migrated_url, **pace) as first:
            wait_until(lambda: len(reminded(emulator)) >= 5, timeout=60)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        assert len(reminded(emulator)) < len(OWNERS), "stopped before every owner was reminded"
        with bot_process(tmp_path, emulator, migrated_url, **pace):
            wait_until(lambda: len(reminded(emulator)) >= len(OWNERS), timeout=60)
            clock_time.sleep(3)  # anything that would post twice has had its chance
        delivered = reminded(emulator)
    assert sorted(d.channel for d in delivered) == sorted(emulator.im_channel(o) for o in OWNERS), "each once"


def test_two_processes_on_one_postgresql_database_remind_each_owner_once(migrated_url: str, tmp_path: Path) -> None:
    if not migrated_url.startswith("postgresql"):
        pytest.skip("several bot processes share a PostgreSQL database; SQLite is for one process")
    plan_reminders(migrated_url, due_in=timedelta(seconds=10))  # once both are up
    owners = OWNERS
    with SlackEmulator(users=PEOPLE.values()) as emulator:
        for owner in owners:
            emulator.add_user(LocalUser(id=owner, name=owner.lower(), real_name=owner))
        with bot_process(tmp_path, emulator, migrated_url), bot_process(tmp_path, emulator, migrated_url):
            wait_until(lambda: len(reminded(emulator)) >= len(owners), timeout=60)
            clock_time.sleep(2)
            delivered = reminded(emulator)
    assert sorted(d.channel for d in delivered) == sorted(emulator.im_channel(o) for o in owners), "each once"
