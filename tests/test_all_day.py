"""All-day and multi-day meetings through Slack: typed on one line or in the form, shown with their dates alone.

A meeting on dates alone ("12-13 May 2027") is stored from 00:00 of its first day to 00:00 of the
day after its last, in its own zone; everything that shows it writes its days, never 00:00.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar

from bot.language import i18n
from bot.localslack.local import MEMBER, ORGANISER, LocalBot
from bot.views import digest, reminders
from bot.views import meetings as views
from bot.views.calendar import calendar_file, google_calendar_url
from handlers import meetings as handler
from store.models import Meeting
from tests.helpers import private_answer, wait_delivery
from tests.test_meetings import all_meetings, card_message, form_values, make_meeting, open_form, press, stored

YEAR = datetime.now(UTC).year + 1  # May of next year is always ahead
LISBON = ZoneInfo("Europe/Lisbon")
TORONTO = ZoneInfo("America/Toronto")
FIRST, LAST = date(YEAR, 5, 12), date(YEAR, 5, 13)


def two_days() -> str:
    """How the bot writes the summit's days in English: "Wed 12 – Thu 13 May 2027"."""
    return f"{FIRST:%a} 12 – {LAST:%a} 13 May {YEAR}"


def midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


def texts(blocks: list[dict[str, Any]] | None) -> str:
    return json.dumps(blocks or [], ensure_ascii=False)


def save_quick(bot: LocalBot, text: str) -> Meeting:
    """Type `/meetings add <text>` as the organiser, read the preview, press Save; return the meeting saved."""
    ws = bot.workspace
    assert ws is not None
    ws.slash_command(ORGANISER.id, "/meetings", f"add {text}")
    preview = private_answer(bot.emulator, ORGANISER.id, "Here is what I understood")
    assert f"All day: {two_days()}" in (preview.text or ""), preview.text
    assert "00:00" not in (preview.text or "")
    save = next(
        element
        for block in preview.blocks or []
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == handler.QUICK_SAVE
    )
    ws.press_button(ORGANISER.id, action_id=handler.QUICK_SAVE, value=save["value"], message={"blocks": preview.blocks})
    bot.wait_idle()
    wait_delivery(bot.emulator, lambda d: d.kind == "response" and "Saved as meeting" in (d.text or ""))
    [meeting] = all_meetings(bot)
    return meeting


def test_a_one_line_summit_on_two_days_is_saved_all_day_and_shown_with_its_dates(local_bot: LocalBot) -> None:
    meeting = save_quick(local_bot, f"Digital summit, 12-13 May {YEAR}, Lisbon, 40 places")
    assert meeting.all_day and meeting.timezone == "Europe/Lisbon" and meeting.capacity == 40
    assert meeting.starts_at == midnight(FIRST, LISBON)
    assert meeting.ends_at == midnight(LAST + timedelta(days=1), LISBON), "00:00 of the day after the last"

    # /meetings: the list shows the days, and Slack's date tokens carry no time.
    ws = local_bot.workspace
    assert ws is not None
    ws.slash_command(MEMBER.id, "/meetings")
    listing = private_answer(local_bot.emulator, MEMBER.id, "Digital summit")
    assert f"Digital summit: {two_days()}, Lisbon, Portugal" in (listing.text or ""), listing.text
    shown = texts(listing.blocks)
    assert "{date_long_pretty}|" in shown and "{time}" not in shown and "00:00" not in shown
    assert f"{FIRST:%A} 12 May {YEAR}" in shown and f"{LAST:%A} 13 May {YEAR}" in shown, "the tokens' fallbacks"

    # The card in the group channel.
    ws.slash_command(ORGANISER.id, "/meetings", f"announce {meeting.id}")
    card = card_message(local_bot)
    assert two_days() in card["text"] and "00:00" not in card["text"] + texts(card["blocks"])
    assert "{time}" not in texts(card["blocks"])

    # The calendar file: a date-valued start and end, the end the day after the last.
    press(local_bot, MEMBER.id, views.CALENDAR_FILE, meeting)
    ics = wait_delivery(local_bot.emulator, lambda d: d.kind == "file" and d.raw["filename"].endswith(".ics"))
    content = ics.raw["content"]
    [event] = Calendar.from_ical(content if isinstance(content, bytes) else content.encode()).events
    assert event["DTSTART"].params.get("VALUE") == "DATE" and event["DTEND"].params.get("VALUE") == "DATE"
    assert (event.start, event.end) == (FIRST, LAST + timedelta(days=1))
    assert f"DTSTART;VALUE=DATE:{FIRST:%Y%m%d}" in (content.decode() if isinstance(content, bytes) else content)


def test_the_form_with_a_date_alone_saves_an_all_day_meeting(local_bot: LocalBot) -> None:
    view = open_form(local_bot)
    values = form_values(starts=f"12 May {YEAR}", ends="")
    body = local_bot.workspace.submit_view(ORGANISER.id, view, values).json()  # type: ignore[union-attr]
    assert body["response_action"] == "update", body
    [meeting] = all_meetings(local_bot)
    assert meeting.all_day and meeting.timezone == "America/Toronto"
    assert (meeting.starts_at, meeting.ends_at) == (midnight(FIRST, TORONTO), midnight(LAST, TORONTO)), "one day"

    # Editing it: the form shows its day alone, and a second day written as a date makes it two.
    assert views.when_plain(meeting) == f"{FIRST:%a} 12 May {YEAR}"
    ws = local_bot.workspace
    assert ws is not None
    ws.slash_command(ORGANISER.id, "/meetings", f"edit {meeting.id}")
    opened = wait_delivery(
        local_bot.emulator, lambda d: d.kind == "view_open" and d.user == ORGANISER.id and d.view is not view
    )
    assert opened.view is not None
    prefill = {b["block_id"]: b["element"].get("initial_value") for b in opened.view["blocks"] if b["type"] == "input"}
    assert (prefill["starts"], prefill["ends"]) == (f"{FIRST:%a} 12 May {YEAR}", f"{FIRST:%a} 12 May {YEAR}")


def test_a_date_alone_end_before_the_start_is_refused_beside_the_end_and_nothing_is_saved(
    local_bot: LocalBot,
) -> None:
    view = open_form(local_bot)
    values = form_values(starts=f"14 May {YEAR}", ends=f"13 May {YEAR}")
    body = local_bot.workspace.submit_view(ORGANISER.id, view, values).json()  # type: ignore[union-attr]
    assert body["response_action"] == "errors", body
    assert body["errors"] == {"ends": "The end must come after the start."}
    assert all_meetings(local_bot) == []


def test_each_language_writes_the_days_and_the_google_link_has_dates_alone(local_bot: LocalBot) -> None:
    meeting = make_meeting(
        local_bot,
        title="Digital summit",
        starts_at=midnight(FIRST, LISBON),
        ends_at=midnight(LAST + timedelta(days=1), LISBON),
        timezone="Europe/Lisbon",
        all_day=True,
    )
    written = {}
    for language in ("en", "es", "pt", "de", "fr"):
        with i18n.speaking(language):
            written[language] = views.when_plain(meeting)
    assert written["en"] == two_days()
    assert all(f"{YEAR}" in text and ":" not in text for text in written.values()), written
    assert "13. Mai" in written["de"] and "13 mai" in written["fr"] and "may" in written["es"]

    link = parse_qs(urlsplit(google_calendar_url(stored(local_bot, meeting.id or 0))).query)
    assert link["dates"] == [f"{FIRST:%Y%m%d}/{LAST + timedelta(days=1):%Y%m%d}"]

    feed = Calendar.from_ical(calendar_file([meeting], name="Group", domain="bot.example.org"))
    assert [e["DTSTART"].params.get("VALUE") for e in feed.events] == ["DATE"]


def test_app_home_answers_and_reminders_show_the_days_alone(local_bot: LocalBot) -> None:
    meeting = make_meeting(
        local_bot,
        title="Digital summit",
        starts_at=midnight(FIRST, LISBON),
        ends_at=midnight(LAST + timedelta(days=1), LISBON),
        timezone="Europe/Lisbon",
        venue="",
        city="Lisbon",
        country="PT",
        all_day=True,
    )
    ws, emu = local_bot.workspace, local_bot.emulator
    assert ws is not None
    ws.open_home(MEMBER.id)
    local_bot.wait_idle()
    home = emu.home_view(MEMBER.id)
    assert home is not None
    shown = texts(home["blocks"])
    assert "Digital summit" in shown and "{date_long_pretty}|" in shown and "{time}" not in shown
    assert "00:00" not in shown

    ws.direct_message(MEMBER.id, "when is the next meeting?")
    dm = wait_delivery(emu, lambda d: d.kind == "message" and d.channel == emu.im_channel(MEMBER.id))
    said = (dm.text or "") + texts(dm.blocks)
    assert "Digital summit" in said and "00:00" not in said and "{time}" not in said, said

    week_before = meeting.starts_at - timedelta(days=7)
    for message in (
        reminders.channel_reminder(meeting, week_before),
        reminders.direct_reminder(meeting, week_before, "America/Toronto"),
    ):
        words = texts(message["blocks"])  # type: ignore[arg-type]
        assert "in 7 days" in words and "00:00" not in words and "your time" not in words, words
        assert "{date_long_pretty}|" in words and "{time}" not in words
    in_digest = texts(digest.meeting_lines(meeting))
    assert "Digital summit" in in_digest and "{time}" not in in_digest and "00:00" not in in_digest
