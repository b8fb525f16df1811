"""Organisers mark who came: the form of the registrants from the attendees list, walk-ins from the workspace
and by name, the export's outcome of each registration, and `/meetings stats` with its chart."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest

from bot.localslack.local import GUEST, MEMBER, ORGANISER, LocalBot
from bot.localslack.records import LocalUser
from bot.services import export
from bot.views import attendance as views
from bot.views import meetings as meeting_views
from store import attendance as attendance_store
from tests.helpers import Clock, changed_tables, private_answer, ring_at, store_snapshot, wait_delivery
from tests.test_attendance import START, came, online_call
from tests.test_meetings import texts

NEWCOMER = "U0NEW"  # in the workspace, never registered


@pytest.fixture
def clock() -> Clock:
    return Clock(START - timedelta(days=2))


@pytest.fixture
def bot(clocked_bot: LocalBot) -> LocalBot:
    clocked_bot.emulator.add_user(LocalUser(id=NEWCOMER, name="nuno", real_name="Nuno Newcomer"))
    return clocked_bot


def open_form(bot: LocalBot, user: str, meeting_id: int) -> dict[str, Any]:
    ws = bot.workspace
    assert ws is not None
    before = len(bot.emulator.deliveries)
    ws.press_button(user, action_id=views.MARK, value=str(meeting_id))
    bot.wait_idle()
    opened = next(d for d in bot.emulator.deliveries[before:] if d.kind == "view_open" and d.user == user)
    assert opened.view is not None and opened.view["callback_id"] == views.FORM
    return opened.view


def submit(bot: LocalBot, user: str, view: dict[str, Any], ticked: list[str], walk_ins: list[str], guests: str) -> Any:
    ws = bot.workspace
    assert ws is not None
    state: dict[str, dict[str, dict[str, Any]]] = {
        "came_0": {"value": {"type": "checkboxes", "selected_options": [{"value": u} for u in ticked]}},
        views.WALK_INS: {"value": {"type": "multi_users_select", "selected_users": walk_ins}},
        views.GUESTS: {"value": {"type": "plain_text_input", "value": guests}},
    }
    return ws.submit_view(user, view, state).json()


def test_an_organiser_marks_who_came_from_the_attendees_list(bot: LocalBot, clock: Clock) -> None:
    meeting = online_call(bot)  # the member registered online; the organiser said they could not come
    ws = bot.workspace
    assert ws is not None
    ws.press_button(GUEST.id, action_id=meeting_views.RSVP_ONLINE, value=str(meeting.id))
    bot.wait_idle()

    # Before the meeting, the list has no button to mark it, and a forged press opens nothing.
    ws.slash_command(ORGANISER.id, "/meetings", f"attendees {meeting.id}")
    early = private_answer(bot.emulator, ORGANISER.id, "Online exchange")
    assert "Mark attendance" not in texts(early.blocks)
    ws.press_button(ORGANISER.id, action_id=views.MARK, value=str(meeting.id))
    private_answer(bot.emulator, ORGANISER.id, "Attendance is marked from 15 minutes before")

    ring_at(bot, clock, START + timedelta(minutes=10))
    ws.slash_command(ORGANISER.id, "/meetings", f"attendees {meeting.id}")
    wait_delivery(bot.emulator, lambda d: d.user == ORGANISER.id and "Mark attendance" in texts(d.blocks))
    view = open_form(bot, ORGANISER.id, meeting.id or 0)
    boxes = next(b for b in view["blocks"] if b.get("block_id") == "came_0")
    assert [o["value"] for o in boxes["element"]["options"]] == [MEMBER.id, GUEST.id]
    assert "initial_options" not in boxes["element"]

    answer = submit(bot, ORGANISER.id, view, [MEMBER.id], [NEWCOMER], "Jón Sigurðsson\n  Marie  Curie \n\n")
    assert answer["response_action"] == "update", answer
    saved = texts(answer["view"]["blocks"])
    assert "there, from the workspace: 2" in saved and "by name: 2" in saved
    assert "registered and not there: 1" in saved
    assert sorted(came(bot, meeting)) == sorted([MEMBER.id, NEWCOMER])
    with bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        assert attendance_store.guests(session=session, meeting_id=meeting.id or 0) == ["Jón Sigurðsson", "Marie Curie"]

    # The list shows it, and the form opens again with what was marked.
    ws.slash_command(ORGANISER.id, "/meetings", f"attendees {meeting.id}")
    listed = private_answer(bot.emulator, ORGANISER.id, "*There* (2)")
    assert "Jón Sigurðsson, Marie Curie" in (listed.text or "")
    again = open_form(bot, ORGANISER.id, meeting.id or 0)
    boxes = next(b for b in again["blocks"] if b.get("block_id") == "came_0")
    assert [o["value"] for o in boxes["element"]["initial_options"]] == [MEMBER.id, NEWCOMER]
    guests = next(b for b in again["blocks"] if b.get("block_id") == views.GUESTS)
    assert guests["element"]["initial_value"] == "Jón Sigurðsson\nMarie Curie"

    # Unticking takes someone out; the guests given replace those before.
    answer = submit(bot, ORGANISER.id, again, [NEWCOMER], [], "")
    assert "registered and not there: 2" in texts(answer["view"]["blocks"])
    assert came(bot, meeting) == [NEWCOMER]
    with bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        assert attendance_store.guests(session=session, meeting_id=meeting.id or 0) == []


def test_bad_guest_names_are_told_beside_the_field_and_members_cannot_mark(bot: LocalBot, clock: Clock) -> None:
    meeting = online_call(bot)
    ring_at(bot, clock, START + timedelta(minutes=10))
    view = open_form(bot, ORGANISER.id, meeting.id or 0)
    engine = bot.service.deps.engine  # type: ignore[union-attr]
    before = store_snapshot(engine)
    too_long = submit(bot, ORGANISER.id, view, [MEMBER.id], [], "x" * 101)
    assert too_long["response_action"] == "errors" and "at most 100 characters" in too_long["errors"][views.GUESTS]
    many = submit(bot, ORGANISER.id, view, [MEMBER.id], [], "\n".join(f"Guest {n}" for n in range(201)))
    assert "At most 200 names" in many["errors"][views.GUESTS]
    stranger = submit(bot, ORGANISER.id, view, [MEMBER.id], ["U0NOBODY"], "")
    assert "not in this Slack workspace" in stranger["errors"][views.WALK_INS]
    refused = submit(bot, MEMBER.id, view, [MEMBER.id], [], "")
    assert refused["response_action"] == "update" and "organisers" in texts(refused["view"]["blocks"])
    ws = bot.workspace
    assert ws is not None
    ws.press_button(MEMBER.id, action_id=views.MARK, value=str(meeting.id))
    private_answer(bot.emulator, MEMBER.id, "organisers")
    assert changed_tables(before, store_snapshot(engine)) == []


def test_the_export_and_stats_show_who_came_and_who_did_not(bot: LocalBot, clock: Clock) -> None:
    meeting = online_call(bot)
    ws = bot.workspace
    assert ws is not None
    ws.press_button(GUEST.id, action_id=meeting_views.RSVP_ONLINE, value=str(meeting.id))
    bot.wait_idle()
    ws.slash_command(ORGANISER.id, "/meetings", "stats")
    private_answer(bot.emulator, ORGANISER.id, "No meeting has taken place yet")

    ring_at(bot, clock, START + timedelta(minutes=10))
    submit(bot, ORGANISER.id, open_form(bot, ORGANISER.id, meeting.id or 0), [MEMBER.id], [NEWCOMER], "Jón")

    out = io.StringIO()
    assert export.write_registrations(bot.service.deps.engine, "csv", out) == 5  # type: ignore[union-attr]
    rows = {(r["slack_id"], r["name"]): r for r in csv.DictReader(io.StringIO(out.getvalue()))}
    outcomes = {key[0] or key[1]: (r["attendance"], r["member"], r["outcome"]) for key, r in rows.items()}
    assert outcomes == {
        MEMBER.id: ("online", "yes", "attended"),
        GUEST.id: ("online", "no", "no-show"),
        ORGANISER.id: ("not_coming", "yes", "not coming"),
        NEWCOMER: ("online", "yes", "walk-in"),
        "Jón": ("guest", "no", "attended"),
    }

    ring_at(bot, clock, START + timedelta(hours=2))
    ws.slash_command(ORGANISER.id, "/meetings", "stats")
    stats = private_answer(bot.emulator, ORGANISER.id, "Attendance at the last meeting")
    shown = "\n".join(str(b["text"]["text"]) for b in stats.blocks or [] if "text" in b)
    assert "registered: 2 · came: 3 (50%) · no-shows: 1 · members: 2 · non-members: 1" in shown, shown
    assert "*Online*: 1 meeting · registered: 2 · came: 3 · attendance rate: 50%" in shown, shown
    chart = wait_delivery(bot.emulator, lambda d: d.kind == "file" and d.raw["filename"].endswith(".png"))
    assert chart.user == ORGANISER.id or chart.channel

    refused = ws.slash_command(MEMBER.id, "/meetings", "stats").json()
    assert "organisers" in refused["text"] and "Attendance at" not in refused["text"]
