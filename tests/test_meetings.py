"""/meetings through the real Bolt app: signed requests in, Web API calls out, the store afterwards."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.request import urlopen

import pytest

from bot.config import Secret, Settings
from bot.localslack import Delivery
from bot.localslack.local import GROUP_CHANNEL, GUEST, MEMBER, ORGANISER, LocalBot
from bot.views import meetings as views
from bot.views.meetings import when_plain
from handlers import meetings as handler
from store import faq as faq_store
from store import meetings as store
from store.meetings import MeetingDraft
from store.models import Meeting, MeetingKind
from tests.helpers import private_answer, settle, wait_delivery

SOON = datetime.now(UTC).replace(microsecond=0, second=0, minute=0) + timedelta(days=60)


def make_meeting(bot: LocalBot, **overrides: Any) -> Meeting:
    values: dict[str, Any] = {
        "title": "Essen workshop",
        "kind": MeetingKind.HYBRID,
        "starts_at": SOON,
        "ends_at": SOON + timedelta(hours=8),
        "timezone": "Europe/Berlin",
        "venue": "Messe Essen",
        "city": "Essen",
        "country": "DE",
        "join_url": "https://meet.example.org/essen",
        "capacity": 1,
    }
    values.update(overrides)
    with bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        return store.create_meeting(session=session, draft=MeetingDraft(**values), created_by=ORGANISER.id, now=now())


def now() -> datetime:
    return datetime.now(UTC)


def stored(bot: LocalBot, meeting_id: int) -> Meeting:
    with bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        meeting = store.get_meeting(session=session, meeting_id=meeting_id)
    assert meeting is not None
    return meeting


def counts(bot: LocalBot, meeting_id: int) -> store.Counts:
    with bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        return store.counts(session=session, meeting_id=meeting_id)


def all_meetings(bot: LocalBot) -> list[Meeting]:
    with bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        return store.upcoming_meetings(session=session, now=now(), limit=100)


def texts(blocks: list[dict[str, Any]] | None) -> str:
    """Everything a reader sees in blocks, as one string."""
    return json.dumps(blocks or [])


def dm_to(bot: LocalBot, user: str, contains: str) -> Delivery:
    channel = bot.emulator.im_channel(user)
    return wait_delivery(
        bot.emulator, lambda d: d.kind == "message" and d.channel == channel and contains in texts(d.blocks)
    )


def take_offer(bot: LocalBot, user: str, offer: Delivery, action_id: str = "meeting_offer_take") -> None:
    """Press a button of the offer a person was sent by direct message."""
    assert bot.workspace is not None
    buttons = [e for b in offer.blocks or [] if b.get("type") == "actions" for e in b["elements"]]
    value = next(e["value"] for e in buttons if e["action_id"] == action_id)
    message = {"ts": offer.ts, "blocks": offer.blocks, "text": offer.text}
    response = bot.workspace.press_button(
        user, action_id=action_id, value=value, message=message, channel=offer.channel
    )
    assert response.status == 200
    bot.wait_idle()


def card_message(bot: LocalBot) -> dict[str, Any]:
    """The meeting's card as the group channel shows it, once the bot has sent what it owes."""
    assert bot.wait_idle()
    messages = [m for m in bot.emulator.messages(GROUP_CHANNEL) if m.get("bot_id")]
    assert messages, "no card in the group channel"
    return messages[-1]


def press(bot: LocalBot, user: str, action_id: str, meeting: Meeting, message: dict[str, Any] | None = None) -> None:
    assert bot.workspace is not None
    response = bot.workspace.press_button(user, action_id=action_id, value=str(meeting.id), message=message)
    assert response.status == 200
    bot.wait_idle()


FORM = {
    "title": "Toronto meeting",
    "kind": MeetingKind.HYBRID,
    "starts": "",
    "ends": "17:00",
    "timezone": "America/Toronto",
    "venue": "MaRS Discovery District",
    "city": "Toronto",
    "country": "Canada",
    "join_url": "https://meet.example.org/toronto",
    "agenda_url": "https://example.org/agenda",
    "description": "Clusters and digital ecosystems. <!channel> should not ping.",
    "capacity": "30",
    "deadline": "",
    "reminders": "7d,1d,1h",
}


def form_values(**overrides: str) -> dict[str, dict[str, dict[str, Any]]]:
    values = {**FORM, "starts": f"{(SOON + timedelta(days=30)):%d %b %Y} 09:00", **overrides}
    state: dict[str, dict[str, dict[str, Any]]] = {}
    for block_id, text in values.items():
        if block_id in ("kind", "repeats", "scope"):
            option = {"value": text, "text": {"type": "plain_text", "text": text}}
            state[block_id] = {"value": {"type": "static_select", "selected_option": option}}
        else:
            state[block_id] = {"value": {"type": "plain_text_input", "value": text or None}}
    return state


def open_form(bot: LocalBot, text: str = "") -> dict[str, Any]:
    assert bot.workspace is not None
    response = bot.workspace.slash_command(ORGANISER.id, "/meetings", f"add {text}".strip())
    assert response.status == 200
    opened = wait_delivery(bot.emulator, lambda d: d.kind == "view_open" and d.user == ORGANISER.id)
    assert opened.view is not None
    return opened.view


def test_an_organiser_creates_a_meeting_in_the_form(local_bot: LocalBot) -> None:
    view = open_form(local_bot)
    assert view["callback_id"] == "meeting_form"
    assert "America/Toronto" not in texts(view["blocks"]) and "Europe/Madrid" in texts(view["blocks"])
    response = local_bot.workspace.submit_view(ORGANISER.id, view, form_values())  # type: ignore[union-attr]
    body = response.json()
    assert body["response_action"] == "update", body
    assert "Meeting saved" in body["view"]["title"]["text"]
    [meeting] = all_meetings(local_bot)
    assert meeting.title == "Toronto meeting" and meeting.kind == MeetingKind.HYBRID
    assert meeting.timezone == "America/Toronto" and meeting.country == "CA" and meeting.capacity == 30
    start = meeting.starts_at.astimezone(meeting.starts_at.tzinfo)
    assert (meeting.ends_at - start) == timedelta(hours=8), "ends 17:00 the same day"
    assert meeting.reminder_offsets == "7d,1d,1h" and meeting.created_by == ORGANISER.id


def test_announce_in_the_saved_form_updates_that_form_unless_it_changed_since(local_bot: LocalBot) -> None:
    ws = local_bot.workspace
    assert ws is not None
    opened = open_form(local_bot)
    ws.submit_view(ORGANISER.id, opened, form_values())
    saved = local_bot.emulator.view(opened["id"])  # the form as Slack holds it after the bot's update
    assert "Meeting saved" in saved["title"]["text"]
    [meeting] = all_meetings(local_bot)
    stale = {**saved, "hash": "1.stale"}  # pressed in a copy of the form from before a later change
    ws.press_button(ORGANISER.id, action_id=handler.ANNOUNCE, value=str(meeting.id), view=stale)
    direct = local_bot.emulator.im_channel(ORGANISER.id)
    told = wait_delivery(local_bot.emulator, lambda d: d.channel == direct and "Announced" in (d.text or ""))
    assert told.kind == "message", "the outcome is told privately, by direct message"
    assert local_bot.emulator.view(opened["id"])["hash"] == saved["hash"], "a form changed since is left as it is"
    [update] = local_bot.emulator.calls_to("views.update")
    assert update.params["hash"] == "1.stale" and update.response and update.response["error"] == "hash_conflict"

    second = open_form(local_bot)
    ws.submit_view(ORGANISER.id, second, form_values(title="Second meeting"))
    current = local_bot.emulator.view(second["id"])
    other = next(m for m in all_meetings(local_bot) if m.title == "Second meeting")
    ws.press_button(ORGANISER.id, action_id=handler.ANNOUNCE, value=str(other.id), view=current)
    assert local_bot.wait_idle()
    assert local_bot.emulator.view(second["id"])["title"]["text"] == "Announced", "the pressed form shows the outcome"


def test_the_form_says_what_is_wrong_field_by_field_and_saves_nothing(local_bot: LocalBot) -> None:
    view = open_form(local_bot)
    bad = form_values(
        starts="1 Jan 2020 10:00",
        timezone="Mars/Olympus",
        capacity="-3",
        join_url="javascript:alert(1)",
        title="x" * 151,
    )
    body = local_bot.workspace.submit_view(ORGANISER.id, view, bad).json()  # type: ignore[union-attr]
    assert body["response_action"] == "errors"
    assert set(body["errors"]) >= {"timezone", "capacity", "title"}
    past = local_bot.workspace.submit_view(  # type: ignore[union-attr]
        ORGANISER.id, view, form_values(starts="1 Jan 2020 10:00")
    ).json()
    assert "past" in past["errors"]["starts"]
    backwards = local_bot.workspace.submit_view(  # type: ignore[union-attr]
        ORGANISER.id, view, form_values(ends="08:00", join_url="javascript:alert(1)", starts="tomorrow teatime")
    ).json()
    assert backwards["response_action"] == "errors" and "starts" in backwards["errors"]
    links = local_bot.workspace.submit_view(  # type: ignore[union-attr]
        ORGANISER.id, view, form_values(ends="08:00", join_url="javascript:alert(1)")
    ).json()
    assert "after the start" in links["errors"]["ends"] and "https://" in links["errors"]["join_url"]
    assert all_meetings(local_bot) == []


def test_members_cannot_add_edit_cancel_or_announce(local_bot: LocalBot) -> None:
    meeting = make_meeting(local_bot)
    ws = local_bot.workspace
    assert ws is not None
    for text in ("add", f"edit {meeting.id}", f"cancel {meeting.id}", f"announce {meeting.id}", "faq add a | b"):
        body = ws.slash_command(MEMBER.id, "/meetings", text).json()
        assert "Only the group's organisers" in body["text"], text
    press(local_bot, GUEST.id, handler.CANCEL_CONFIRM, meeting)
    private_answer(local_bot.emulator, GUEST.id, "Only the group's organisers")
    # A forged form submission from a member changes nothing either.
    view = {"id": "V0FORGED", "type": "modal", "callback_id": "meeting_form", "private_metadata": "{}", "blocks": []}
    body = ws.submit_view(MEMBER.id, view, form_values()).json()
    assert "Only the group's organisers" in json.dumps(body)
    assert [m.id for m in all_meetings(local_bot)] == [meeting.id]
    assert not stored(local_bot, meeting.id).is_cancelled and stored(local_bot, meeting.id).card_ts is None


def test_listing_next_details_past_and_unknown_numbers(local_bot: LocalBot) -> None:
    ws = local_bot.workspace
    assert ws is not None
    assert "No meetings are planned yet" in json.dumps(ws.slash_command(MEMBER.id, "/meetings").json() or {}) or (
        private_answer(local_bot.emulator, MEMBER.id, "No meetings are planned yet")
    )
    essen = make_meeting(local_bot)
    online = make_meeting(
        local_bot,
        title="Online exchange",
        kind=MeetingKind.ONLINE,
        starts_at=SOON - timedelta(days=20),
        ends_at=SOON - timedelta(days=20) + timedelta(hours=1),
        venue="",
        city="",
        country="",
        capacity=None,
    )
    make_meeting(
        local_bot,
        title="Madrid kick-off",
        starts_at=datetime(2018, 7, 2, 7, tzinfo=UTC),
        ends_at=datetime(2018, 7, 3, 15, tzinfo=UTC),
        timezone="Europe/Madrid",
    )
    ws.slash_command(MEMBER.id, "/meetings")
    listed = private_answer(local_bot.emulator, MEMBER.id, "Upcoming meetings")
    shown = texts(listed.blocks)
    assert shown.index("Online exchange") < shown.index("Essen workshop")
    assert "Madrid" not in shown
    assert "<!date^" in shown and "Europe/Berlin" in shown, "reader's zone token, meeting's zone beside"
    assert views.RSVP_IN_PERSON in shown and views.CALENDAR_FILE in shown and "calendar.google.com" in shown
    assert "#" in (listed.text or "") and "Essen workshop" in (listed.text or ""), "plain-text fallback"

    ws.slash_command(MEMBER.id, "/meetings", "next")
    nxt = private_answer(local_bot.emulator, MEMBER.id, "Online exchange (#")
    assert "Essen workshop" not in (nxt.text or "")
    ws.slash_command(MEMBER.id, "/meetings", f"#{essen.id}")
    full = private_answer(local_bot.emulator, MEMBER.id, f"Essen workshop (#{essen.id})")
    assert "Places left: 1" in texts(full.blocks) and "Messe Essen" in texts(full.blocks)
    ws.slash_command(MEMBER.id, "/meetings", "past")
    past = private_answer(local_bot.emulator, MEMBER.id, "Past meetings")
    assert "Madrid kick-off" in (past.text or "") and online.title not in (past.text or "")
    ws.slash_command(MEMBER.id, "/meetings", "4242")
    private_answer(local_bot.emulator, MEMBER.id, "There is no meeting #4242")
    body = ws.slash_command(ORGANISER.id, "/meetings", "edit soon").json()
    assert (
        body is None
        or "Which meeting" in json.dumps(body)
        or private_answer(local_bot.emulator, ORGANISER.id, "Which meeting?")
    )


def test_announce_register_waitlist_and_live_card(local_bot: LocalBot) -> None:
    meeting = make_meeting(local_bot, capacity=1)
    ws = local_bot.workspace
    assert ws is not None
    ws.slash_command(ORGANISER.id, "/meetings", f"announce {meeting.id}")
    private_answer(local_bot.emulator, ORGANISER.id, "Announced")
    card = card_message(local_bot)
    assert "In person 0/1" in texts(card["blocks"]) and stored(local_bot, meeting.id).card_ts == card["ts"]

    press(local_bot, GUEST.id, views.RSVP_IN_PERSON, meeting, card)
    private_answer(local_bot.emulator, GUEST.id, "registered to come in person")
    assert "In person 1/1" in texts(card_message(local_bot)["blocks"]), "the card was updated in place"
    assert len([m for m in local_bot.emulator.messages(GROUP_CHANNEL) if m.get("bot_id")]) == 1

    # The guest's place was provisional (MEMBER_PRIORITY=provisional): the member takes it, the guest waits.
    press(local_bot, MEMBER.id, views.RSVP_IN_PERSON, meeting, card)
    private_answer(local_bot.emulator, MEMBER.id, "registered to come in person")
    dm_to(local_bot, GUEST.id, "a member asked for an in-person place")
    press(local_bot, ORGANISER.id, views.RSVP_ONLINE, meeting, card)
    private_answer(local_bot.emulator, ORGANISER.id, "join")
    assert "Waitlist 1" in texts(card_message(local_bot)["blocks"])
    assert counts(local_bot, meeting.id) == store.Counts(in_person=1, online=1, waitlisted=1)

    # The freed place is offered to the first in line, and held for them until they take it.
    press(local_bot, MEMBER.id, views.RSVP_NOT_COMING, meeting, card)
    private_answer(local_bot.emulator, MEMBER.id, "not coming")
    offer = dm_to(local_bot, GUEST.id, "A place freed up")
    assert counts(local_bot, meeting.id).in_person == 1, "the place is held while the offer runs"
    take_offer(local_bot, GUEST.id, offer)
    private_answer(local_bot.emulator, GUEST.id, "The place is yours")
    assert counts(local_bot, meeting.id) == store.Counts(in_person=1, online=1, not_coming=1)
    assert "In person 1/1" in texts(card_message(local_bot)["blocks"])


def test_cancelling_updates_the_card_tells_registrants_and_closes_registration(local_bot: LocalBot) -> None:
    meeting = make_meeting(local_bot, capacity=5)
    ws = local_bot.workspace
    assert ws is not None
    ws.slash_command(ORGANISER.id, "/meetings", f"announce {meeting.id}")
    local_bot.wait_idle()
    card = card_message(local_bot)
    press(local_bot, MEMBER.id, views.RSVP_IN_PERSON, meeting, card)
    ws.slash_command(ORGANISER.id, "/meetings", f"cancel {meeting.id}")
    confirm = private_answer(local_bot.emulator, ORGANISER.id, "Cancel Essen workshop?")
    assert "The 1 person registered will be told" in texts(confirm.blocks)
    assert not stored(local_bot, meeting.id).is_cancelled, "nothing happens before the confirmation"
    press(local_bot, ORGANISER.id, handler.CANCEL_CONFIRM, meeting)
    assert stored(local_bot, meeting.id).is_cancelled
    cancelled = card_message(local_bot)
    assert "Cancelled" in texts(cancelled["blocks"]) and '"actions"' not in texts(cancelled["blocks"])
    dm_to(local_bot, MEMBER.id, "has been *cancelled*")

    before = counts(local_bot, meeting.id)
    press(local_bot, GUEST.id, views.RSVP_IN_PERSON, meeting, card)
    private_answer(local_bot.emulator, GUEST.id, "was cancelled")
    assert counts(local_bot, meeting.id) == before


def test_registration_closes_at_the_deadline_but_one_can_still_say_no(local_bot: LocalBot) -> None:
    meeting = make_meeting(local_bot, registration_deadline=now() - timedelta(minutes=1))
    press(local_bot, MEMBER.id, views.RSVP_IN_PERSON, meeting)
    private_answer(local_bot.emulator, MEMBER.id, "closed on")
    assert counts(local_bot, meeting.id) == store.Counts()
    online_only = make_meeting(local_bot, title="Webinar", kind=MeetingKind.ONLINE, capacity=None)
    press(local_bot, MEMBER.id, views.RSVP_IN_PERSON, online_only)
    private_answer(local_bot.emulator, MEMBER.id, "online only")
    press(local_bot, MEMBER.id, views.RSVP_NOT_COMING, meeting)
    private_answer(local_bot.emulator, MEMBER.id, "not coming")


def test_editing_time_tells_registrants_and_updates_the_card(local_bot: LocalBot) -> None:
    meeting = make_meeting(local_bot, capacity=5)
    ws = local_bot.workspace
    assert ws is not None
    ws.slash_command(ORGANISER.id, "/meetings", f"announce {meeting.id}")
    local_bot.wait_idle()
    press(local_bot, GUEST.id, views.RSVP_ONLINE, meeting, card_message(local_bot))
    ws.slash_command(ORGANISER.id, "/meetings", f"edit {meeting.id}")
    view = wait_delivery(local_bot.emulator, lambda d: d.kind == "view_open").view
    assert view is not None
    shown = texts(view["blocks"])
    assert "Essen workshop" in shown and "Europe/Berlin" in shown and "Messe Essen" in shown
    values = {}
    for block in view["blocks"]:
        element = block["element"]
        if element["type"] == "static_select":
            values[block["block_id"]] = {
                "value": {"type": "static_select", "selected_option": element["initial_option"]}
            }
        else:
            initial = element.get("initial_value")
            if block["block_id"] == "starts":
                initial = f"{(SOON + timedelta(days=1)).astimezone(meeting.starts_at.tzinfo):%d %b %Y} 10:00"
            if block["block_id"] == "ends":
                initial = "18:00"
            values[block["block_id"]] = {"value": {"type": "plain_text_input", "value": initial}}
    body = ws.submit_view(ORGANISER.id, view, values).json()
    assert body["response_action"] == "update" and "Changes saved" in body["view"]["title"]["text"]
    local_bot.wait_idle()
    changed = stored(local_bot, meeting.id)
    assert changed.sequence == 1 and changed.starts_at > meeting.starts_at
    notice = dm_to(local_bot, GUEST.id, "has changed")
    # What changed, from what to what, in the meeting's own zone: never only the new time.
    moved = f"Moved from {when_plain(meeting)} to {when_plain(changed)}."
    assert moved in (notice.text or ""), notice.text
    assert str(int(changed.starts_at.timestamp())) in texts(card_message(local_bot)["blocks"])


def test_attendees_calendar_file_and_csv(local_bot: LocalBot) -> None:
    meeting = make_meeting(local_bot, capacity=1)
    press(local_bot, MEMBER.id, views.RSVP_IN_PERSON, meeting)
    press(local_bot, GUEST.id, views.RSVP_IN_PERSON, meeting)
    ws = local_bot.workspace
    assert ws is not None
    ws.slash_command(ORGANISER.id, "/meetings", f"attendees {meeting.id} csv")
    answer = private_answer(local_bot.emulator, ORGANISER.id, "*In person* (1)")
    assert f"<@{MEMBER.id}>" in (answer.text or "") and "Waitlist" in (answer.text or "")
    upload = wait_delivery(local_bot.emulator, lambda d: d.kind == "file" and d.raw["filename"].endswith(".csv"))
    content = upload.raw["content"].decode() if isinstance(upload.raw["content"], bytes) else upload.raw["content"]
    assert (
        "U0GST" in content and "waitlisted" in content and upload.channel == local_bot.emulator.im_channel(ORGANISER.id)
    )

    press(local_bot, MEMBER.id, views.CALENDAR_FILE, meeting)
    ics = wait_delivery(local_bot.emulator, lambda d: d.kind == "file" and d.raw["filename"].endswith(".ics"))
    data = ics.raw["content"].decode() if isinstance(ics.raw["content"], bytes) else ics.raw["content"]
    assert (
        "BEGIN:VEVENT" in data and "Essen workshop" in data and ics.channel == local_bot.emulator.im_channel(MEMBER.id)
    )


def test_faq_list_add_remove(local_bot: LocalBot) -> None:
    ws = local_bot.workspace
    assert ws is not None
    ws.slash_command(MEMBER.id, "/meetings", "faq")
    private_answer(local_bot.emulator, MEMBER.id, "The FAQ is empty")
    ws.slash_command(
        ORGANISER.id, "/meetings", "faq add Do I pay for travel? | Yes, your own. <!channel> | travel, hotel"
    )
    private_answer(local_bot.emulator, ORGANISER.id, "Added FAQ")
    ws.slash_command(MEMBER.id, "/meetings", "faq")
    listed = private_answer(local_bot.emulator, MEMBER.id, "Do I pay for travel?")
    assert "<!channel>" not in texts(listed.blocks) and "&lt;!channel&gt;" in texts(listed.blocks)
    ws.slash_command(ORGANISER.id, "/meetings", "faq add only a question")
    private_answer(local_bot.emulator, ORGANISER.id, "separated by |")
    with local_bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        [entry] = faq_store.list_faq(session=session)
    ws.slash_command(ORGANISER.id, "/meetings", f"faq remove {entry.id}")
    private_answer(local_bot.emulator, ORGANISER.id, "Removed FAQ")
    ws.slash_command(ORGANISER.id, "/meetings", f"faq remove {entry.id}")
    private_answer(local_bot.emulator, ORGANISER.id, "There is no FAQ entry")


def test_app_home_shows_meetings_my_registrations_and_answers_presses(local_bot: LocalBot) -> None:
    meeting = make_meeting(local_bot, capacity=3)
    ws = local_bot.workspace
    assert ws is not None
    ws.open_home(MEMBER.id)
    local_bot.wait_idle()
    home = local_bot.emulator.home_view(MEMBER.id)
    assert home is not None
    shown = texts(home["blocks"])
    assert "Upcoming meetings" in shown and "Essen workshop" in shown and views.RSVP_IN_PERSON in shown
    assert "My registrations" in shown and handler.CREATE not in shown
    ws.press_button(MEMBER.id, action_id=views.RSVP_IN_PERSON, value=str(meeting.id), view=home)
    local_bot.wait_idle()
    home = local_bot.emulator.home_view(MEMBER.id)
    shown = texts(home["blocks"])  # type: ignore[index]
    assert "registered to come in person" in shown and "coming in person" in shown
    ws.open_home(ORGANISER.id)
    local_bot.wait_idle()
    organiser_home = texts(local_bot.emulator.home_view(ORGANISER.id)["blocks"])  # type: ignore[index]
    assert handler.CREATE in organiser_home and handler.ANNOUNCE in organiser_home


@pytest.mark.parametrize("text", ["", "  "])
def test_meetings_with_no_text_lists(local_bot: LocalBot, text: str) -> None:
    make_meeting(local_bot)
    local_bot.workspace.slash_command(MEMBER.id, "/meetings", text)  # type: ignore[union-attr]
    private_answer(local_bot.emulator, MEMBER.id, "Upcoming meetings")
    settle(local_bot.emulator)


def test_quick_add_shows_what_it_understood_and_saves_on_confirmation(local_bot: LocalBot) -> None:
    ws = local_bot.workspace
    assert ws is not None
    year = SOON.year + 1
    ws.slash_command(ORGANISER.id, "/meetings", f"add Essen workshop, 11 Feb {year} 9:00-17:00 CET, Essen, capacity 40")
    preview = private_answer(local_bot.emulator, ORGANISER.id, "Here is what I understood")
    assert "Essen workshop" in (preview.text or "") and "Europe/Berlin" in (preview.text or "")
    assert all_meetings(local_bot) == [], "nothing is saved before the organiser confirms"
    save = next(
        element
        for block in preview.blocks or []
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == handler.QUICK_SAVE
    )
    ws.press_button(ORGANISER.id, action_id=handler.QUICK_SAVE, value=save["value"], message={"blocks": preview.blocks})
    local_bot.wait_idle()
    wait_delivery(local_bot.emulator, lambda d: d.kind == "response" and "Saved as meeting" in (d.text or ""))
    [meeting] = all_meetings(local_bot)
    assert meeting.starts_at == datetime(year, 2, 11, 8, 0, tzinfo=UTC)
    assert meeting.ends_at == datetime(year, 2, 11, 16, 0, tzinfo=UTC)
    assert (meeting.city, meeting.country, meeting.capacity, meeting.timezone) == ("Essen", "DE", 40, "Europe/Berlin")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("Essen workshop, the day after never, Essen", "date"),
        ("Essen workshop, 11 Feb 2020 9:00-17:00 CET, Essen", "past"),
        ("Essen workshop, 11 Feb 2099 9:00-17:00 CET, Essen, capacity -4", "capacity"),
        ("Webinar, 11 Feb 2099 9:00-10:00 UTC, online, javascript:alert(1)", "link"),
    ],
)
def test_quick_add_explains_bad_input_and_saves_nothing(local_bot: LocalBot, text: str, says: str) -> None:
    local_bot.workspace.slash_command(ORGANISER.id, "/meetings", f"add {text}")  # type: ignore[union-attr]
    answer = private_answer(local_bot.emulator, ORGANISER.id, "nothing was saved")
    assert says in (answer.text or "").lower()
    assert all_meetings(local_bot) == []


def test_members_are_offered_the_calendar_feed_that_lists_the_meetings(settings: Settings) -> None:
    token = "feed-token-" + "x" * 16
    configured = replace(settings, public_url="https://bot.example.org", calendar_token=Secret(token))
    with LocalBot(configured) as bot:
        make_meeting(bot)
        bot.workspace.slash_command(MEMBER.id, "/meetings")  # type: ignore[union-attr]
        listed = private_answer(bot.emulator, MEMBER.id, "Upcoming meetings")
        assert f"https://bot.example.org/calendar.ics?token={token}" in texts(listed.blocks)
        with urlopen(f"{bot.base_url}/calendar.ics?token={token}") as response:
            assert b"SUMMARY:Essen workshop" in response.read()


def read(blocks: list[dict[str, Any]] | None) -> str:
    """Everything a reader sees in blocks, as one string, accents as they are."""
    return json.dumps(blocks or [], ensure_ascii=False)


def test_meetings_speak_each_readers_language_and_the_card_the_groups(local_bot: LocalBot) -> None:
    """An organiser whose Slack speaks Spanish reads /meetings, the meeting form, its errors and App Home in
    Spanish; the card in the group channel is in the group's language (English here); the member
    offered the freed place is told in German, their Slack's language, although a Spanish speaker freed it."""
    emulator, ws = local_bot.emulator, local_bot.workspace
    assert ws is not None
    emulator.add_user(replace(ORGANISER, locale="es-ES"))
    emulator.add_user(replace(MEMBER, locale="de-DE"))
    meeting = make_meeting(local_bot, capacity=1)

    ws.slash_command(ORGANISER.id, "/meetings")
    listing = read(private_answer(emulator, ORGANISER.id, "Próximas reuniones").blocks)
    assert "*Próximas reuniones* (1)" in listing and "Presencial 0/1 · En línea 0 · Lista de espera 0" in listing
    assert "Asistir en persona" in listing and "No puedo ir" in listing and "allí: " in listing

    view = open_form(local_bot)
    assert view["title"]["text"] == "Nueva reunión" and view["submit"]["text"] == "Guardar"
    assert [b["label"]["text"] for b in view["blocks"]][:3] == ["Título", "Tipo", "Empieza"]
    errors = ws.submit_view(ORGANISER.id, view, form_values(ends="08:00", capacity="-3")).json()["errors"]
    assert errors["ends"] == "El fin debe ser posterior al inicio."
    assert errors["capacity"].startswith("Un número entero positivo de plazas")

    ws.open_home(ORGANISER.id)
    local_bot.wait_idle()
    home = read((emulator.home_view(ORGANISER.id) or {}).get("blocks"))
    assert "Próximas reuniones" in home and "Mis inscripciones" in home and "Nueva reunión" in home

    ws.slash_command(ORGANISER.id, "/meetings", f"announce {meeting.id}")
    private_answer(emulator, ORGANISER.id, "He anunciado")
    card = card_message(local_bot)
    assert "In person 0/1" in texts(card["blocks"]) and "Attend in person" in texts(card["blocks"])

    press(local_bot, ORGANISER.id, views.RSVP_IN_PERSON, meeting, card)
    private_answer(emulator, ORGANISER.id, "Estás inscrito para asistir en persona")
    press(local_bot, MEMBER.id, views.RSVP_IN_PERSON, meeting, card)
    private_answer(emulator, MEMBER.id, "Warteliste (Platz 1)")
    press(local_bot, ORGANISER.id, views.RSVP_NOT_COMING, meeting, card)
    private_answer(emulator, ORGANISER.id, "Tu plaza pasa a la siguiente persona en espera")
    offer = dm_to(local_bot, MEMBER.id, "ist ein Platz frei geworden, und du bist als")
    assert "Platz nehmen" in (offer.text or "") or "Platz nehmen" in texts(offer.blocks)


def test_a_change_notice_says_what_changed_from_what_to_what() -> None:
    from bot.views.meetings import registrants_text

    meeting = Meeting(
        id=7,
        title="Essen workshop",
        kind=MeetingKind.HYBRID,
        starts_at=datetime(2027, 3, 11, 14, tzinfo=UTC),
        ends_at=datetime(2027, 3, 11, 16, tzinfo=UTC),
        timezone="Europe/Berlin",
        venue="Zeche Zollverein",
        city="Essen",
        country="DE",
        join_url="https://meet.example.org/new",
    )
    before = {
        "starts_at": datetime(2027, 3, 4, 14, tzinfo=UTC),
        "ends_at": datetime(2027, 3, 4, 16, tzinfo=UTC),
        "venue": "Messe Essen",
        "join_url": "https://meet.example.org/old",
    }
    said = registrants_text(meeting, before)
    assert "Moved from Thu 4 Mar 2027, 15:00–17:00 CET to Thu 11 Mar 2027, 15:00–17:00 CET." in said
    assert "The place changed from Messe Essen, Essen, Germany, and online to Zeche Zollverein, Essen, Germany" in said
    assert "A new join link: <https://meet.example.org/new|join link>" in said
    assert "has changed. It is now" in registrants_text(meeting, {"title": "Old title"}), "nothing to compare"


def test_a_meeting_in_progress_is_shown_happening_now_with_its_link_and_no_buttons(local_bot: LocalBot) -> None:
    now = datetime.now(UTC)
    with local_bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        meeting = store.create_meeting(
            session=session,
            draft=MeetingDraft(
                title="Monthly digitization call",
                kind=MeetingKind.ONLINE,
                starts_at=now - timedelta(minutes=10),
                ends_at=now + timedelta(minutes=50),
                timezone="Europe/Madrid",
                join_url="https://meet.example.org/monthly",
            ),
            created_by=ORGANISER.id,
            now=now - timedelta(days=2),
        )
    ws = local_bot.workspace
    assert ws is not None
    listed = ws.slash_command(MEMBER.id, "/meetings", "")
    local_bot.wait_idle()
    shown = texts(listed.json().get("blocks")) if listed.body.strip() else ""
    if "Monthly digitization call" not in shown:
        shown = texts(private_answer(local_bot.emulator, MEMBER.id, "Monthly digitization call").blocks)
    assert "Happening now" in shown and "https://meet.example.org/monthly|join now" in shown
    assert views.RSVP_ONLINE not in shown, "no answering a meeting that has begun"
    one = ws.slash_command(MEMBER.id, "/meetings", str(meeting.id))
    local_bot.wait_idle()
    details = texts(one.json().get("blocks")) if one.body.strip() else ""
    if "Happening now" not in details:
        details = texts(private_answer(local_bot.emulator, MEMBER.id, "Monthly digitization call (#").blocks)
    assert "Happening now" in details and views.RSVP_ONLINE not in details


def test_a_past_meeting_promises_no_link_and_a_cancelled_one_counts_no_places(local_bot: LocalBot) -> None:
    """What a newcomer saw: a 2018 online meeting "(the join link comes later)", a cancelled one "Places left: 0"."""
    past_start = datetime(2018, 6, 10, 9, tzinfo=UTC)
    with local_bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        past = store.create_meeting(
            session=session,
            draft=MeetingDraft(
                title="Online kick-off",
                kind=MeetingKind.ONLINE,
                starts_at=past_start,
                ends_at=past_start + timedelta(hours=1),
                timezone="Europe/Madrid",
            ),
            created_by=ORGANISER.id,
            now=past_start - timedelta(days=10),
        )
    cancelled = make_meeting(local_bot, capacity=5, title="Madrid roundtable")
    with local_bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        store.cancel_meeting(session=session, meeting_id=cancelled.id or 0, now=now())
    ws = local_bot.workspace
    assert ws is not None
    for meeting, title in ((past, "Online kick-off"), (cancelled, "Madrid roundtable")):
        reply = ws.slash_command(MEMBER.id, "/meetings", str(meeting.id))
        local_bot.wait_idle()
        shown = texts(reply.json().get("blocks")) if reply.body.strip() else ""
        if title not in shown:
            shown = texts(private_answer(local_bot.emulator, MEMBER.id, f"{title} (#").blocks)
        assert "comes later" not in shown, title
        assert "Places left" not in shown, title
    ws.slash_command(MEMBER.id, "/meetings", "past")
    listed = texts(private_answer(local_bot.emulator, MEMBER.id, "Past meetings").blocks)
    assert "Online kick-off" in listed and "comes later" not in listed


def test_app_home_says_when_more_meetings_are_planned_than_it_shows(local_bot: LocalBot) -> None:
    for n in range(7):
        make_meeting(
            local_bot,
            title=f"Meeting {n}",
            starts_at=SOON + timedelta(days=n),
            ends_at=SOON + timedelta(days=n, hours=2),
        )
    assert local_bot.workspace is not None
    local_bot.workspace.open_home(MEMBER.id)
    local_bot.wait_idle()
    home = texts(local_bot.emulator.home_view(MEMBER.id)["blocks"])  # type: ignore[index]
    assert "Meeting 4" in home and "Meeting 5" not in home
    assert "More meetings are planned" in home


def test_the_members_list_names_only_real_exceptions(local_bot: LocalBot) -> None:
    """Re-adding a full member, or removing a guest who never was one, leaves no exception to list."""
    ws = local_bot.workspace
    assert ws is not None
    press(local_bot, MEMBER.id, views.RSVP_ONLINE, make_meeting(local_bot))  # the bot meets both
    press(local_bot, GUEST.id, views.RSVP_ONLINE, make_meeting(local_bot, title="Lisbon exchange"))
    for text in (f"members remove <@{MEMBER.id}>", f"members add <@{MEMBER.id}>", f"members remove <@{GUEST.id}>"):
        ws.slash_command(ORGANISER.id, "/tci", text)
        local_bot.wait_idle()
    listed = ws.slash_command(ORGANISER.id, "/tci", "members")
    local_bot.wait_idle()
    shown = listed.body if listed.body.strip() else ""
    if "Added as members" not in shown:
        shown = private_answer(local_bot.emulator, ORGANISER.id, "Added as members").text or ""
    assert "Added as members: nobody." in shown and "Removed from members: nobody." in shown, shown
    ws.slash_command(ORGANISER.id, "/tci", f"members add <@{GUEST.id}>")
    local_bot.wait_idle()
    ws.slash_command(ORGANISER.id, "/tci", "members")
    assert f"Added as members: <@{GUEST.id}>." in (
        private_answer(local_bot.emulator, ORGANISER.id, "Added as members: <@").text or ""
    )
