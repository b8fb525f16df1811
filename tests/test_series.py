"""Meetings that repeat, through Slack: a series typed on one line or chosen in the form, created ahead, edited.

Each meeting of a series is a meeting of its own (registration, places, reminders, card); the series'
rule is expanded in the meeting's own zone, so that 15:00 in Madrid stays 15:00 across daylight-saving.
"""

from __future__ import annotations

import time as clock_time
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from icalendar import Calendar

from bot.language import repeats
from bot.language.repeats import Pattern, Repeat
from bot.localslack import SlackEmulator
from bot.localslack.local import GROUP_CHANNEL, MEMBER, ORGANISER, PEOPLE, LocalBot
from bot.services import meetings as service
from bot.views import meetings as views
from handlers import meetings as handler
from store import meetings as store
from store import series as series_store
from store.db import make_engine, session_factory
from store.meetings import MeetingDraft
from store.models import Meeting, MeetingSeries
from tests.conftest import make_settings
from tests.helpers import Clock, private_answer, wait_delivery
from tests.processes import bot_process
from tests.test_calendar import TOKEN, fetch
from tests.test_meetings import form_values, open_form, texts
from tests.test_scheduler import wait_until

MADRID = ZoneInfo("Europe/Madrid")
START = datetime(2027, 1, 5, 15, 0, tzinfo=MADRID)  # the first Tuesday of January 2027
LINE = "Monthly digitization call, every first Tuesday 15:00 Europe/Madrid, online, https://meet.example.org/tci"


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 12, 1, 21, 0, tzinfo=UTC))  # a Tuesday evening: December's first Tuesday is over


@pytest.fixture
def bot(clocked_bot: LocalBot) -> LocalBot:
    return clocked_bot


def series_meetings(bot: LocalBot) -> list[Meeting]:
    """Every meeting of every series, cancelled ones too, soonest first."""
    with bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        found = [
            meeting
            for series in series_store.all_series(session=session)
            for meeting in series_store.occurrences(session=session, series_id=series.id or 0)
        ]
    return sorted(found, key=lambda m: m.starts_at)


def every_series(bot: LocalBot) -> list[MeetingSeries]:
    with bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        return series_store.all_series(session=session)


def preview(bot: LocalBot, text: str) -> Any:
    ws = bot.workspace
    assert ws is not None
    ws.slash_command(ORGANISER.id, "/meetings", f"add {text}")
    return private_answer(bot.emulator, ORGANISER.id, "Here is what I understood")


def save_preview(bot: LocalBot, shown: Any, *, says: str = "Saved as meeting") -> Any:
    """Press the preview's Save as the organiser; the answer that says `says`."""
    ws = bot.workspace
    assert ws is not None
    save = next(
        element
        for block in shown.blocks or []
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == handler.QUICK_SAVE
    )
    ws.press_button(ORGANISER.id, action_id=handler.QUICK_SAVE, value=save["value"], message={"blocks": shown.blocks})
    bot.wait_idle()
    return wait_delivery(bot.emulator, lambda d: d.kind == "response" and says in (d.text or ""))


def local_starts(meetings: list[Meeting]) -> list[datetime]:
    return [m.starts_at.astimezone(MADRID) for m in meetings]


# The rule, expanded -------------------------------------------------------------------------------


def test_a_weekly_meeting_keeps_its_wall_clock_time_across_both_daylight_saving_changes() -> None:
    repeat = Repeat(Pattern.WEEKLY).fitted(date(2027, 3, 16)).with_end(count=None, until=date(2027, 11, 9))
    first = datetime(2027, 3, 16, 15, 0, tzinfo=MADRID)
    starts = list(repeats.starts(repeat.rule(MADRID), first, MADRID))
    assert len(starts) == 35 and all(s.weekday() == 1 and s.time() == time(15, 0) for s in starts)
    offsets = {s.date(): s.utcoffset() for s in starts}
    assert offsets[date(2027, 3, 23)] == timedelta(hours=1), "before the spring change (28 Mar)"
    assert offsets[date(2027, 3, 30)] == timedelta(hours=2), "after it: 15:00 is 13:00 UTC"
    assert offsets[date(2027, 10, 26)] == timedelta(hours=2) and offsets[date(2027, 11, 2)] == timedelta(hours=1)
    assert starts[-1].date() == date(2027, 11, 9), "the last day is included"


def test_every_fifth_friday_skips_the_months_that_have_none() -> None:
    written = repeats.read("every fifth Friday 9:00")
    assert written is not None and written.rest == "9:00"
    first = repeats.first_day(written.repeat, datetime(2027, 1, 1, 9, 0, tzinfo=MADRID), MADRID)
    assert first.date() == date(2027, 1, 29)
    rule = written.repeat.with_end(count=4, until=None).rule(MADRID)
    days = [s.date() for s in repeats.starts(rule, first, MADRID)]
    assert days == [date(2027, 1, 29), date(2027, 4, 30), date(2027, 7, 30), date(2027, 10, 29)]


def test_the_rule_is_read_and_named_as_people_write_it() -> None:
    cases = {
        "every first Tuesday 15:00 CET": (Pattern.MONTHLY_WEEKDAY, "every first Tuesday"),
        "every other Thursday at 10:00": (Pattern.FORTNIGHTLY, "every other Thursday"),
        "every 2 weeks on Friday 9:00": (Pattern.FORTNIGHTLY, "every other Friday"),
        "every last Friday of the month 16:00": (Pattern.MONTHLY_WEEKDAY, "every last Friday"),
        "monthly on the 12th 15:00": (Pattern.MONTHLY_DATE, "every month on day 12"),
        "every Wednesday 9:00": (Pattern.WEEKLY, "every Wednesday"),
    }
    for text, (pattern, words) in cases.items():
        written = repeats.read(text)
        assert written is not None and written.repeat.pattern == pattern, text
        fitted = written.repeat.fitted(date(2027, 1, 12))
        assert repeats.describe(Repeat.of_rule(fitted.rule(MADRID), MADRID)) == words, text
    assert repeats.read("Essen") is None and repeats.read("Messe Essen, Hall 3") is None
    assert repeats.read_count("10 times") == 10 and repeats.read_until("until 30 Jun 2027") == "30 Jun 2027"


# Created on one line, shown by its next meeting ---------------------------------------------------


def test_a_one_line_series_is_saved_with_its_meetings_ahead_and_listed_by_its_next_one(bot: LocalBot) -> None:
    shown = preview(bot, LINE)
    assert "Repeats: every first Tuesday" in (shown.text or "")
    assert "From Tue 5 Jan 2027 15:00 to Tue 5 Jan 2027 17:00 (Europe/Madrid)" in (shown.text or "")
    saved = save_preview(bot, shown)
    assert "It repeats every first Tuesday. 2 meetings of the series exist so far" in (saved.text or "")

    meetings = series_meetings(bot)
    assert local_starts(meetings) == [START, datetime(2027, 2, 2, 15, 0, tzinfo=MADRID)], "90 days ahead"
    assert {m.kind for m in meetings} == {"online"} and {m.join_url for m in meetings} == {
        "https://meet.example.org/tci"
    }
    [series] = every_series(bot)
    assert series.rule == "FREQ=MONTHLY;BYDAY=1TU" and series.timezone == "Europe/Madrid"

    ws = bot.workspace
    assert ws is not None
    ws.slash_command(MEMBER.id, "/meetings")
    listing = private_answer(bot.emulator, MEMBER.id, "Upcoming meetings")
    assert "Monthly digitization call: Tue 5 Jan 2027, 15:00–17:00 CET, online (every first Tuesday)" in (
        listing.text or ""
    )
    assert "2 Feb" not in texts(listing.blocks), "a series is listed by its next meeting"
    assert ":repeat: Repeats every first Tuesday" in texts(listing.blocks)

    # Each meeting is a meeting of its own: registering for the first leaves the second untouched.
    ws.press_button(MEMBER.id, action_id=views.RSVP_ONLINE, value=str(meetings[0].id))
    bot.wait_idle()
    with bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        assert store.counts(session=session, meeting_id=meetings[0].id or 0).online == 1
        assert store.counts(session=session, meeting_id=meetings[1].id or 0).online == 0


def test_the_scheduler_creates_the_meetings_ahead_once_even_when_two_rounds_run_at_once(
    bot: LocalBot, clock: Clock
) -> None:
    save_preview(bot, preview(bot, LINE))
    deps = bot.service.deps  # type: ignore[union-attr]
    clock.now = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        created = sorted(pool.map(lambda _: service.extend_series(deps), range(2)))
    assert created == [0, 3], "one round created them, the other found them there"
    starts = local_starts(series_meetings(bot))
    days = [date(2027, 1, 5), date(2027, 2, 2), date(2027, 4, 6), date(2027, 5, 4), date(2027, 6, 1)]
    assert [s.date() for s in starts] == days, "none for March, which had begun; 90 days ahead from now"
    assert all(s.time() == time(15, 0) for s in starts), "15:00 in Madrid after the spring change too"
    assert starts[2].utcoffset() == timedelta(hours=2)
    assert service.extend_series(deps) == 0


def test_an_announced_series_announces_each_next_meeting_when_the_one_before_is_over(
    bot: LocalBot, clock: Clock
) -> None:
    save_preview(bot, preview(bot, LINE))
    first, _second = series_meetings(bot)
    ws = bot.workspace
    assert ws is not None
    ws.slash_command(ORGANISER.id, "/meetings", f"announce {first.id}")
    bot.wait_idle()
    cards = [m for m in bot.emulator.messages(GROUP_CHANNEL) if m.get("bot_id")]
    assert len(cards) == 1 and "5 Jan" in texts(cards[0]["blocks"])
    assert "Repeats every first Tuesday" in texts(cards[0]["blocks"])

    clock.now = first.ends_at + timedelta(minutes=1)
    deps = bot.service.deps  # type: ignore[union-attr]
    service.extend_series(deps)
    service.extend_series(deps)
    bot.wait_idle()
    cards = [m for m in bot.emulator.messages(GROUP_CHANNEL) if m.get("bot_id")]
    assert len(cards) == 2, "the next meeting's card, once"
    assert "2 Feb" in texts(cards[1]["blocks"])


# Created in the form --------------------------------------------------------------------------------


def test_the_form_creates_a_weekly_series_of_a_number_of_times(bot: LocalBot) -> None:
    view = open_form(bot)
    ids = [block.get("block_id") for block in view["blocks"]]
    assert ids.index("repeats") == ids.index("timezone") + 1 and "repeat_end" in ids
    starts = "12 Jan 2027 09:00"
    answer = bot.workspace.submit_view(  # type: ignore[union-attr]
        ORGANISER.id, view, form_values(starts=starts, ends="11:00", repeats="weekly", repeat_end="6 times")
    ).json()
    assert answer["response_action"] == "update", answer
    said = texts(answer["view"]["blocks"])
    assert "It repeats every Tuesday, 6 times in all. 6 meetings of the series exist so far" in said
    meetings = series_meetings(bot)
    toronto = ZoneInfo("America/Toronto")
    assert [m.starts_at.astimezone(toronto).date() for m in meetings] == [
        date(2027, 1, 12) + timedelta(weeks=n) for n in range(6)
    ]
    assert {m.starts_at.astimezone(toronto).time() for m in meetings} == {time(9, 0)}
    assert {m.capacity for m in meetings} == {30}, "every meeting has its own places"


@pytest.mark.parametrize(
    ("repeat_end", "problem"),
    [
        ("500 times", "at most 100 meetings"),
        ("until 1 Jan 2027", "ends before its first meeting"),
        ("whenever", "a last date (30 Jun 2027) or a number of times"),
        ("0 times", "at least 1"),
    ],
)
def test_a_series_that_cannot_be_is_refused_beside_its_field_and_nothing_is_stored(
    bot: LocalBot, repeat_end: str, problem: str
) -> None:
    view = open_form(bot)
    answer = bot.workspace.submit_view(  # type: ignore[union-attr]
        ORGANISER.id, view, form_values(starts="12 Jan 2027 09:00", repeats="weekly", repeat_end=repeat_end)
    ).json()
    assert answer["response_action"] == "errors"
    assert problem in answer["errors"]["repeat_end"], answer["errors"]
    assert series_meetings(bot) == [] and every_series(bot) == []


def test_a_fifth_weekday_series_that_ends_before_any_fifth_weekday_gives_no_meeting(bot: LocalBot) -> None:
    ws = bot.workspace
    assert ws is not None
    line = "add Call, every fifth Friday 9:00 CET, https://meet.example.org/c, until 20 Jan 2027"
    ws.slash_command(ORGANISER.id, "/meetings", line)
    said = private_answer(bot.emulator, ORGANISER.id, "nothing was saved")
    assert "The series ends before its first meeting" in (said.text or ""), said.text
    assert every_series(bot) == []


# Edited: one meeting, the following ones, or all still to come ---------------------------------------


def as_opened(view: dict[str, Any], **changes: str) -> dict[str, dict[str, dict[str, Any]]]:
    """The form's state as it was opened (its initial values), with `changes` typed or chosen."""
    state: dict[str, dict[str, dict[str, Any]]] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        block_id = block["block_id"]
        if element["type"] == "static_select":
            value = changes.get(block_id, (element.get("initial_option") or {}).get("value"))
            option = {"value": value, "text": {"type": "plain_text", "text": value}}
            state[block_id] = {"value": {"type": "static_select", "selected_option": option}}
        else:
            value = changes.get(block_id, element.get("initial_value"))
            state[block_id] = {"value": {"type": "plain_text_input", "value": value or None}}
    return state


def monthly_series(bot: LocalBot, clock: Clock) -> list[Meeting]:
    """The monthly call with five meetings created (January to May 2027), the first of them over."""
    save_preview(bot, preview(bot, LINE))
    clock.now = datetime(2027, 2, 10, 12, 0, tzinfo=UTC)
    service.extend_series(bot.service.deps)  # type: ignore[union-attr]
    clock.now = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)  # back to January: the first is over, the others to come
    meetings = series_meetings(bot)
    assert len(meetings) == 5
    return meetings


def edit(bot: LocalBot, meeting: Meeting, **changes: str) -> dict[str, Any]:
    ws = bot.workspace
    assert ws is not None
    ws.slash_command(ORGANISER.id, "/meetings", f"edit {meeting.id}")
    opened = wait_delivery(bot.emulator, lambda d: d.kind == "view_open" and d.user == ORGANISER.id)
    assert opened.view is not None
    view = opened.view
    scope = next(b for b in view["blocks"] if b.get("block_id") == "scope")
    assert "This meeting is one of a series: every first Tuesday." in texts([scope])
    answer: dict[str, Any] = ws.submit_view(ORGANISER.id, view, as_opened(view, **changes)).json()
    bot.wait_idle()
    return answer


def parsed_calendar(bot: LocalBot, meeting: Meeting) -> Calendar:
    return Calendar.from_ical(service.calendar_of(bot.service.deps, [meeting]))  # type: ignore[union-attr]


def occurrences_in(calendar: Calendar) -> list[tuple[datetime, str]]:
    """What a calendar app shows: every occurrence of 2027, expanded by recurring-ical-events."""
    events = recurring_ical_events.of(calendar).between(datetime(2027, 1, 1), datetime(2028, 1, 1))
    return sorted((event["DTSTART"].dt.astimezone(MADRID), str(event["SUMMARY"])) for event in events)


def test_an_edit_of_this_meeting_and_the_following_ones_splits_the_series_and_leaves_the_earlier_ones(
    bot: LocalBot, clock: Clock
) -> None:
    meetings = monthly_series(bot, clock)
    third = meetings[2]  # 2 Mar
    answer = edit(bot, third, starts="2 Mar 2027 16:00", ends="18:00", title="Digitization call", scope="following")
    assert answer["response_action"] == "update", answer
    assert "The change was made to 2 more meetings of the series." in texts(answer["view"]["blocks"])

    after = series_meetings(bot)
    assert [(m.starts_at.astimezone(MADRID).strftime("%d %b %H:%M"), m.title) for m in after] == [
        ("05 Jan 15:00", "Monthly digitization call"),
        ("02 Feb 15:00", "Monthly digitization call"),
        ("02 Mar 16:00", "Digitization call"),
        ("06 Apr 16:00", "Digitization call"),
        ("04 May 16:00", "Digitization call"),
    ]
    old, new = every_series(bot)
    assert old.rule == "FREQ=MONTHLY;UNTIL=20270301T225959Z;BYDAY=1TU", "ends the day before the meeting edited"
    assert new.rule == "FREQ=MONTHLY;BYDAY=1TU" and new.starts_at == datetime(2027, 3, 2, 16, 0, tzinfo=MADRID)
    assert {m.series_id for m in after[2:]} == {new.id}

    # A calendar app shows what the store holds, the new series going on after June.
    shown = occurrences_in(parsed_calendar(bot, after[3]))
    assert [(s, t) for s, t in shown if s.month <= 5] == [(m.starts_at.astimezone(MADRID), m.title) for m in after[2:]]
    assert len(shown) == 10 and shown[-1][0] == datetime(2027, 12, 7, 16, 0, tzinfo=MADRID)
    whole = occurrences_in(parsed_calendar(bot, after[0]))  # the first series ended before 2 Mar
    assert [s for s, _t in whole] == local_starts(after[:2])


def test_one_meeting_changed_and_one_cancelled_show_in_calendars_as_an_override_and_an_exception(
    bot: LocalBot, clock: Clock
) -> None:
    meetings = monthly_series(bot, clock)
    second, third = meetings[1], meetings[2]
    answer = edit(bot, second, starts="3 Feb 2027 15:00", ends="17:00")  # only this one, to the Wednesday
    assert answer["response_action"] == "update", answer
    ws = bot.workspace
    assert ws is not None
    ws.slash_command(ORGANISER.id, "/meetings", f"cancel {third.id}")
    confirm = private_answer(bot.emulator, ORGANISER.id, "Cancel")
    button = next(
        e for b in confirm.blocks or [] if b["type"] == "actions" for e in b["elements"] if e.get("style") == "danger"
    )
    ws.press_button(
        ORGANISER.id, action_id=button["action_id"], value=button["value"], message={"blocks": confirm.blocks}
    )
    bot.wait_idle()

    calendar = parsed_calendar(bot, second)
    events = [c for c in calendar.walk("VEVENT")]
    assert len(events) == 2, "the series, and the meeting moved"
    master = next(e for e in events if "RRULE" in e)
    assert (
        master["RRULE"].to_ical() == b"FREQ=MONTHLY;BYDAY=1TU" and master["DTSTART"].params["TZID"] == "Europe/Madrid"
    )
    assert [d.dt for d in master["EXDATE"].dts] == [datetime(2027, 3, 2, 15, 0, tzinfo=MADRID)]
    moved = next(e for e in events if "RECURRENCE-ID" in e)
    assert moved["RECURRENCE-ID"].dt == datetime(2027, 2, 2, 15, 0, tzinfo=MADRID)
    assert moved["UID"] == master["UID"]
    shown = [s for s, _t in occurrences_in(calendar)]
    stored = [m.starts_at.astimezone(MADRID) for m in series_meetings(bot) if not m.is_cancelled]
    assert shown[: len(stored)] == stored, "every meeting of the store, where the store has it"
    assert datetime(2027, 3, 2, 15, 0, tzinfo=MADRID) not in shown, "the cancelled one"
    assert datetime(2027, 2, 3, 15, 0, tzinfo=MADRID) in shown, "the moved one, where it went"
    assert datetime(2027, 2, 2, 15, 0, tzinfo=MADRID) not in shown

    # The others were left as they were.
    after = {m.id: m for m in series_meetings(bot)}
    assert after[meetings[3].id].starts_at == meetings[3].starts_at and not after[meetings[3].id].is_cancelled


def test_an_edit_of_every_meeting_still_to_come_changes_them_and_keeps_the_one_that_took_place(
    bot: LocalBot, clock: Clock
) -> None:
    meetings = monthly_series(bot, clock)
    answer = edit(bot, meetings[3], venue="", capacity="", description="Bring one practice each.", scope="all")
    assert answer["response_action"] == "update", answer
    after = series_meetings(bot)
    assert [m.description for m in after] == ["", *["Bring one practice each."] * 4]
    assert [m.starts_at for m in after] == [m.starts_at for m in meetings], "the times are kept"


def test_a_series_keeps_its_days_an_edit_of_several_that_moves_the_day_is_refused(bot: LocalBot, clock: Clock) -> None:
    meetings = monthly_series(bot, clock)
    answer = edit(bot, meetings[2], starts="7 Apr 2027 15:00", ends="17:00", scope="following")
    assert answer["response_action"] == "errors"
    assert "A series keeps its days" in answer["errors"]["starts"]
    assert [m.starts_at for m in series_meetings(bot)] == [m.starts_at for m in meetings]
    assert len(every_series(bot)) == 1


def test_a_question_about_a_series_is_answered_with_its_next_meeting_and_its_rule(bot: LocalBot) -> None:
    save_preview(bot, preview(bot, LINE))
    first, second = series_meetings(bot)
    ws = bot.workspace
    assert ws is not None
    ws.mention(MEMBER.id, "when is the monthly digitization call?")
    reply = wait_delivery(
        bot.emulator, lambda d: d.kind == "message" and d.channel == GROUP_CHANNEL and d.thread_ts is not None
    )
    shown = (reply.text or "") + texts(reply.blocks)
    assert f"(#{first.id}) is on" in shown and "Repeats every first Tuesday" in shown, shown
    assert f"(#{second.id})" not in shown, "the next meeting of the series, not a later one"


def test_cancelling_a_meeting_and_the_following_ones_ends_the_series(bot: LocalBot, clock: Clock) -> None:
    meetings = monthly_series(bot, clock)
    third = meetings[2]
    ws = bot.workspace
    assert ws is not None
    ws.press_button(MEMBER.id, action_id=handler.CANCEL_FOLLOWING, value=str(third.id))
    bot.wait_idle()
    assert not any(m.is_cancelled for m in series_meetings(bot)), "a member's press changes nothing"

    ws.slash_command(ORGANISER.id, "/meetings", f"cancel {third.id}")
    asked = private_answer(bot.emulator, ORGANISER.id, "Cancel Monthly digitization call?")
    assert "It is one of a series (every first Tuesday)." in texts(asked.blocks)
    end = next(
        e
        for b in asked.blocks or []
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == handler.CANCEL_FOLLOWING
    )
    ws.press_button(ORGANISER.id, action_id=end["action_id"], value=end["value"], message={"blocks": asked.blocks})
    bot.wait_idle()
    said = wait_delivery(
        bot.emulator, lambda d: d.kind == "response" and "later meetings of its series" in (d.text or "")
    )
    assert "and the 2 later meetings of its series are cancelled, and no more will be created" in (said.text or "")
    assert [m.is_cancelled for m in series_meetings(bot)] == [False, False, True, True, True]
    clock.now = datetime(2027, 6, 1, tzinfo=UTC)
    assert service.extend_series(bot.service.deps) == 0  # type: ignore[union-attr]
    assert len(series_meetings(bot)) == 5


def test_two_processes_on_one_postgresql_database_create_each_meeting_of_a_series_once(
    migrated_url: str, tmp_path: Path
) -> None:
    if not migrated_url.startswith("postgresql"):
        pytest.skip("several bot processes share a PostgreSQL database; SQLite is for one process")
    engine = make_engine(migrated_url)
    sessions = session_factory(engine)
    now = datetime.now(UTC)
    first = (now + timedelta(days=2)).astimezone(MADRID).replace(hour=15, minute=0, second=0, microsecond=0)
    draft = MeetingDraft(
        title="Weekly stand-up", kind="online", starts_at=first.astimezone(UTC),
        ends_at=(first + timedelta(minutes=30)).astimezone(UTC), timezone="Europe/Madrid",
        join_url="https://meet.example.org/standup",
    )  # fmt: skip
    repeat = Repeat(Pattern.WEEKLY).fitted(first.date())
    with sessions() as session:
        series = series_store.create_series(
            session=session, rule=repeat.rule(MADRID), template=draft, created_by=ORGANISER.id, now=now
        )
        series_store.add_meetings(session=session, series=series, starts=[first], created_by=ORGANISER.id, now=now)
        series_store.set_announced(session=session, series_id=series.id or 0)
    with SlackEmulator(users=PEOPLE.values()) as emulator:
        emulator.add_channel(GROUP_CHANNEL, "learning-group")
        with (
            bot_process(tmp_path, emulator, migrated_url, SERIES_AHEAD="200d"),
            bot_process(tmp_path, emulator, migrated_url, SERIES_AHEAD="200d"),
        ):
            wanted = len(list(repeats.starts_between(
                repeat.rule(MADRID), first, MADRID, after=now, before=now + timedelta(days=200)
            )))  # fmt: skip

            def created() -> int:
                with sessions() as session:
                    return len(series_store.occurrences(session=session, series_id=series.id or 0))

            wait_until(lambda: created() >= wanted, timeout=60)
            wait_until(lambda: any(m.get("bot_id") for m in emulator.messages(GROUP_CHANNEL)), timeout=30)
            clock_time.sleep(2)
        cards = [m for m in emulator.messages(GROUP_CHANNEL) if m.get("bot_id")]
    with sessions() as session:
        meetings = series_store.occurrences(session=session, series_id=series.id or 0)
    starts = [m.starts_at for m in meetings]
    assert len(starts) == wanted and len(set(starts)) == wanted, "each meeting once"
    assert {m.starts_at.astimezone(MADRID).time() for m in meetings} == {time(15, 0)}
    assert len(cards) == 1, "the next meeting announced once"
    logs = "".join(path.read_text() for path in tmp_path.glob("bot-*.log"))
    assert "could not create the series' meetings ahead" not in logs
    engine.dispose()


def test_the_calendar_feed_publishes_a_series_as_one_event_that_calendar_apps_expand_as_the_store_holds_it(
    migrated_url: str, tmp_path: Path, clock: Clock
) -> None:
    settings = make_settings(migrated_url, tmp_path, CALENDAR_TOKEN=TOKEN, PUBLIC_URL="https://bot.example.org/")
    with LocalBot(settings, clock=clock) as bot:
        save_preview(bot, preview(bot, f"{LINE}, 4 times"))
        clock.now = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
        service.extend_series(bot.service.deps)  # type: ignore[union-attr]
        meetings = series_meetings(bot)
        status, _headers, body = fetch(f"{bot.base_url}/calendar.ics?token={TOKEN}")
    assert status == 200
    calendar = Calendar.from_ical(body)
    [event] = calendar.walk("VEVENT")
    assert event["RRULE"].to_ical() == b"FREQ=MONTHLY;COUNT=4;BYDAY=1TU"
    assert str(event["UID"]) == f"series-{meetings[0].series_id}@bot.example.org"
    assert [s for s, _t in occurrences_in(calendar)] == local_starts(meetings), "four, as the store holds them"
    assert len(meetings) == 4
