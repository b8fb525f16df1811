"""The meeting form answers every field's problem at once, in the modal and on one line."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.localslack.local import ORGANISER, LocalBot
from bot.views import meeting_form, meeting_preview
from store.meetings import EDITABLE, MeetingDraft
from store.models import MeetingKind
from tests.helpers import private_answer
from tests.test_meetings import all_meetings, form_values, open_form

EVERY_FIELD_WRONG = {
    "title": "x" * 151,
    "kind": "cancelled",
    "starts": "tomorrow teatime",
    "ends": "25:00",
    "timezone": "Mars/Olympus",
    "venue": "v" * 256,
    "city": "c" * 101,
    "country": "Atlantis",
    "join_url": "javascript:alert(1)",
    "agenda_url": "ftp://example.org/agenda",
    "description": "d" * 3001,
    "capacity": "-3",
    "deadline": "the day after never",
    "reminders": "0h",
    "repeats": "every blue moon",
    "repeat_end": "e" * 101,
}


def test_a_form_with_every_field_wrong_hears_about_each_field_in_the_first_answer(local_bot: LocalBot) -> None:
    view = open_form(local_bot)
    fields = {block["block_id"] for block in view["blocks"] if block["type"] == "input"}
    assert fields == set(EVERY_FIELD_WRONG), "every field of the form is tried"
    answer = local_bot.workspace.submit_view(  # type: ignore[union-attr]
        ORGANISER.id, view, form_values(**EVERY_FIELD_WRONG)
    ).json()
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == fields, fields - set(answer["errors"])
    errors = answer["errors"]
    assert "150" in errors["title"] and "time zone" in errors["timezone"] and "teatime" in errors["starts"]
    assert "https://" in errors["join_url"] and "https://" in errors["agenda_url"] and "country" in errors["country"]
    assert all_meetings(local_bot) == []


def test_problems_of_the_meeting_as_a_whole_come_with_those_of_its_fields(local_bot: LocalBot) -> None:
    """A start in the past, an end before it and two bad links are told together with a bad capacity."""
    view = open_form(local_bot)
    wrong = form_values(
        starts="1 Jan 2020 10:00",
        ends="08:00",
        join_url="javascript:alert(1)",
        agenda_url="ftp://example.org/agenda",
        capacity="many",
        country="Atlantis",
    )
    answer = local_bot.workspace.submit_view(ORGANISER.id, view, wrong).json()  # type: ignore[union-attr]
    assert answer["response_action"] == "errors"
    errors = answer["errors"]
    assert set(errors) == {"starts", "ends", "join_url", "agenda_url", "capacity", "country"}
    assert "past" in errors["starts"] and "after the start" in errors["ends"]
    assert all_meetings(local_bot) == []


def test_a_wrong_zone_does_not_hide_how_the_times_are_written(local_bot: LocalBot) -> None:
    view = open_form(local_bot)
    answer = local_bot.workspace.submit_view(  # type: ignore[union-attr]
        ORGANISER.id, view, form_values(timezone="Mars/Olympus", ends="teatime", deadline="someday")
    ).json()
    assert set(answer["errors"]) == {"timezone", "ends", "deadline"}


def test_the_one_line_form_tells_every_problem_of_the_meeting_at_once(local_bot: LocalBot) -> None:
    ws = local_bot.workspace
    assert ws is not None
    ws.slash_command(
        ORGANISER.id,
        "/meetings",
        "add Essen workshop, 11 Feb 2020 9:00-17:00 CET, Essen, deadline 1 Mar 2020, join https://meet.example.org/x",
    )
    answer = private_answer(local_bot.emulator, ORGANISER.id, "nothing was saved")
    said = answer.text or ""
    assert "past" in said and "deadline" in said.lower() and "join link" in said, said
    assert all_meetings(local_bot) == []


def test_each_editable_field_is_declared_once_and_reads_back_as_it_was_written() -> None:
    """The form has one input per field of a meeting; a meeting written into the form reads back unchanged."""
    # Whether a meeting is all-day is read from how its start and end are written, not from an input.
    assert [f.attribute for f in meeting_form.MEETING_FIELDS] == [name for name in EDITABLE if name != "all_day"]
    view = meeting_form.modal(
        meeting_form.initial_values(None, zone="Europe/Madrid", default_offsets="1d"), meeting_id=None
    )
    assert [block["block_id"] for block in view["blocks"]] == [f.block_id for f in meeting_form.MEETING_FIELDS]
    limits = {block["block_id"]: block["element"].get("max_length") for block in view["blocks"]}
    assert limits["title"] == 150 and limits["join_url"] == 2000 and limits["timezone"] == 64
    essen = MeetingDraft(
        title="Essen workshop",
        kind=MeetingKind.HYBRID,
        starts_at=datetime(2027, 2, 11, 8, tzinfo=UTC),
        ends_at=datetime(2027, 2, 12, 16, tzinfo=UTC),
        timezone="Europe/Berlin",
        venue="Messe Essen",
        city="Essen",
        country="DE",
        join_url="https://meet.example.org/essen",
        agenda_url="https://example.org/agenda",
        description="Two days on digital ecosystems.",
        capacity=40,
        registration_deadline=datetime(2027, 2, 1, 17, tzinfo=UTC),
        reminder_offsets="7d,1h",
    )
    written = meeting_form.initial_values(essen, zone="Europe/Madrid", default_offsets="1d")
    assert written["country"] == "Germany" and written["starts"].startswith("Thu 11 Feb 2027 09:00")
    read = meeting_form.parse_form(written, now=datetime(2026, 11, 24, tzinfo=UTC))
    assert read == essen
    assert meeting_form.draft_from_json(meeting_form.draft_to_json(essen)) == essen

    # Two days with no times: the form shows the days alone and reads them back as they were.
    summit = replace(
        essen,
        starts_at=datetime(2027, 5, 11, 23, tzinfo=UTC),  # 00:00 on 12 May in Lisbon
        ends_at=datetime(2027, 5, 13, 23, tzinfo=UTC),  # 00:00 on 14 May, the day after the last
        timezone="Europe/Lisbon",
        registration_deadline=None,
        all_day=True,
    )
    written = meeting_form.initial_values(summit, zone="Europe/Madrid", default_offsets="1d")
    assert (written["starts"], written["ends"]) == ("Wed 12 May 2027", "Thu 13 May 2027")
    assert meeting_form.parse_form(written, now=datetime(2026, 11, 24, tzinfo=UTC)) == summit
    assert meeting_form.draft_from_json(meeting_form.draft_to_json(summit)) == summit
    assert "All day: Wed 12 – Thu 13 May 2027" in meeting_preview.summary(summit)


def test_an_end_written_with_an_hour_word_after_such_a_start_is_a_time_of_day() -> None:
    """In the form, a start "mardi 2 mars 2027 14h" makes the end "16h" four o'clock, not sixteen hours on."""
    written = meeting_form.initial_values(None, zone="Europe/Paris", default_offsets="1d")
    written |= {"title": "Atelier numérique", "starts": "mardi 2 mars 2027 14h", "ends": "16h", "kind": "online"}
    read = meeting_form.parse_form(written, now=datetime(2027, 2, 20, tzinfo=UTC))
    paris = ZoneInfo("Europe/Paris")
    assert read.starts_at.astimezone(paris).strftime("%Y-%m-%d %H:%M") == "2027-03-02 14:00"
    assert read.ends_at.astimezone(paris).strftime("%Y-%m-%d %H:%M") == "2027-03-02 16:00"


def test_a_one_line_meeting_with_an_unreadable_part_is_also_checked_for_its_dates(local_bot: LocalBot) -> None:
    """A capacity that is no number and a date already past are told together, in the first answer."""
    ws = local_bot.workspace
    assert ws is not None
    ws.slash_command(ORGANISER.id, "/meetings", "add Essen workshop, 11 Feb 2020 9:00-17:00 CET, Essen, capacity lots")
    said = private_answer(local_bot.emulator, ORGANISER.id, "nothing was saved").text or ""
    assert "capacity must be a whole number" in said and "Starts: The start is in the past" in said, said
    assert all_meetings(local_bot) == []


def test_a_join_link_typed_without_its_scheme_is_taken_as_https() -> None:
    written = meeting_form.initial_values(None, zone="Europe/Madrid", default_offsets="1d")
    written |= {
        "title": "Monthly call",
        "starts": "2 Mar 2027 15:00",
        "ends": "16:00",
        "kind": "online",
        "join_url": "meet.example.org/tci",
        "agenda_url": "www.example.org/agenda",
    }
    read = meeting_form.parse_form(written, now=datetime(2027, 2, 20, tzinfo=UTC))
    assert (read.join_url, read.agenda_url) == ("https://meet.example.org/tci", "https://www.example.org/agenda")
