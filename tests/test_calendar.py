"""Meetings in calendars: the .ics file, the Google Calendar link, the subscribable feed and its settings."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import parse_qs, urlsplit
from urllib.request import Request, urlopen
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event
from sqlmodel import Session

from bot.config import ConfigError, load_settings
from bot.localslack.local import LocalBot
from bot.server import HttpServer, WebApp
from bot.views.calendar import (
    calendar_domain,
    calendar_file,
    google_calendar_url,
    ics_filename,
    meeting_event,
    meeting_uid,
)
from store.db import make_engine, session_factory
from store.meetings import MeetingDraft, cancel_meeting, create_meeting, update_meeting
from store.models import Meeting, MeetingKind
from tests.conftest import make_settings

NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
DOMAIN = "bot.example.org"
TOKEN = "s3cret-calendar-token-0123456789"
ESSEN = MeetingDraft(
    title="Essen workshop",
    kind=MeetingKind.HYBRID,
    starts_at=datetime(2027, 2, 11, 9, 0, tzinfo=BERLIN).astimezone(UTC),
    ends_at=datetime(2027, 2, 11, 17, 0, tzinfo=BERLIN).astimezone(UTC),
    timezone="Europe/Berlin",
    venue="Zeche Zollverein",
    city="Essen",
    country="DE",
    join_url="https://meet.example.org/essen",
    agenda_url="https://docs.example.org/essen-agenda",
    description="Digital twins in regional clusters.",
)


@pytest.fixture
def session(migrated_url: str) -> Iterator[Session]:
    """A session on a migrated database of each engine."""
    engine = make_engine(migrated_url)
    with session_factory(engine)() as session:
        yield session
    engine.dispose()


def add(session: Session, draft: MeetingDraft = ESSEN, now: datetime = NOW) -> Meeting:
    return create_meeting(session=session, draft=draft, created_by="U0ORG", now=now)


def only_event(data: bytes) -> Event:
    calendar = Calendar.from_ical(data)
    assert len(calendar.events) == 1
    return calendar.events[0]


def test_a_meeting_becomes_a_calendar_with_its_own_zone(session: Session) -> None:
    meeting = add(session)
    data = calendar_file([meeting], name="Digitization learning group", domain=DOMAIN)
    calendar = Calendar.from_ical(data)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["X-WR-CALNAME"] == "Digitization learning group"
    assert [zone.tz_name for zone in calendar.timezones] == ["Europe/Berlin"]
    assert calendar.get_missing_tzids() == set()

    event = calendar.events[0]
    assert event["UID"] == f"meeting-{meeting.id}@{DOMAIN}" == meeting_uid(meeting, domain=DOMAIN)
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert event["DTEND"].params["TZID"] == "Europe/Berlin"
    assert event.start == datetime(2027, 2, 11, 8, 0, tzinfo=UTC)
    assert event.start.replace(tzinfo=None) == datetime(2027, 2, 11, 9, 0)  # written in Berlin's wall time
    assert event.end == meeting.ends_at
    assert str(event["SUMMARY"]) == "Essen workshop"
    assert str(event["LOCATION"]) == "Zeche Zollverein, Essen, Germany"
    description = str(event["DESCRIPTION"])
    assert "Digital twins" in description
    assert "https://meet.example.org/essen" in description and "https://docs.example.org/essen-agenda" in description
    assert str(event["URL"]) == "https://meet.example.org/essen"
    assert event["SEQUENCE"] == 0 and event["STATUS"] == "CONFIRMED"
    assert event.stamp == NOW and event.created == NOW and event.last_modified == NOW


def test_an_edit_keeps_the_uid_and_raises_the_sequence(session: Session) -> None:
    meeting = add(session)
    before = only_event(calendar_file([meeting], name="Group", domain=DOMAIN))
    later = NOW + timedelta(days=2)
    moved = replace(ESSEN, starts_at=ESSEN.starts_at + timedelta(hours=1), ends_at=ESSEN.ends_at + timedelta(hours=1))
    change = update_meeting(session=session, meeting_id=meeting.id or 0, draft=moved, now=later)
    assert change is not None
    after = only_event(calendar_file([change.meeting], name="Group", domain=DOMAIN))
    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after.start == datetime(2027, 2, 11, 9, 0, tzinfo=UTC)
    assert after.stamp == later and after.last_modified == later and after.created == NOW


def test_a_cancelled_meeting_says_so(session: Session) -> None:
    meeting = add(session)
    cancelled = cancel_meeting(session=session, meeting_id=meeting.id or 0, now=NOW + timedelta(hours=1))
    assert cancelled is not None
    event = only_event(calendar_file([cancelled], name="Group", domain=DOMAIN))
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == 1
    assert event["UID"] == f"meeting-{meeting.id}@{DOMAIN}"


def test_an_online_meeting_is_located_at_its_link(session: Session) -> None:
    online = replace(ESSEN, kind=MeetingKind.ONLINE, title="Online café", venue="", city="", country="")
    event = meeting_event(add(session, online), domain=DOMAIN)
    assert str(event["LOCATION"]) == "https://meet.example.org/essen"


def test_several_zones_and_no_method(session: Session) -> None:
    toronto = ZoneInfo("America/Toronto")
    other = replace(
        ESSEN,
        title="Toronto visit",
        starts_at=datetime(2027, 6, 1, 10, 0, tzinfo=toronto).astimezone(UTC),
        ends_at=datetime(2027, 6, 1, 12, 0, tzinfo=toronto).astimezone(UTC),
        timezone="America/Toronto",
        country="CA",
    )
    data = calendar_file([add(session), add(session, other)], name="Group", domain=DOMAIN, method=None)
    calendar = Calendar.from_ical(data)
    assert "METHOD" not in calendar
    assert sorted(zone.tz_name for zone in calendar.timezones) == ["America/Toronto", "Europe/Berlin"]
    assert [event["DTSTART"].params["TZID"] for event in calendar.events] == ["Europe/Berlin", "America/Toronto"]


def test_the_google_link_gives_utc_times_and_the_meeting_zone(session: Session) -> None:
    url = google_calendar_url(add(session))
    assert url.startswith("https://calendar.google.com/calendar/render?")
    query = parse_qs(urlsplit(url).query)
    assert query["action"] == ["TEMPLATE"]
    assert query["text"] == ["Essen workshop"]
    assert query["dates"] == ["20270211T080000Z/20270211T160000Z"]
    assert query["ctz"] == ["Europe/Berlin"]
    assert query["location"] == ["Zeche Zollverein, Essen, Germany"]
    assert "Digital twins" in query["details"][0] and "https://meet.example.org/essen" in query["details"][0]


def summit(zone: str = "Europe/Lisbon") -> MeetingDraft:
    """Two days with no times: from 00:00 on 12 May 2027 to 00:00 on 14 May, in `zone`."""
    there = ZoneInfo(zone)
    return replace(
        ESSEN,
        title="Digital summit",
        starts_at=datetime(2027, 5, 12, tzinfo=there).astimezone(UTC),
        ends_at=datetime(2027, 5, 14, tzinfo=there).astimezone(UTC),
        timezone=zone,
        all_day=True,
    )


@pytest.mark.parametrize("zone", ["Europe/Lisbon", "America/Toronto", "Pacific/Auckland"])
def test_an_all_day_meeting_is_dated_with_its_days_alone(session: Session, zone: str) -> None:
    """DTSTART;VALUE=DATE and DTEND;VALUE=DATE (the day after the last), whatever the meeting's zone."""
    data = calendar_file([add(session, summit(zone))], name="Group", domain=DOMAIN)
    assert b"DTSTART;VALUE=DATE:20270512" in data and b"DTEND;VALUE=DATE:20270514" in data
    calendar = Calendar.from_ical(data)
    [event] = calendar.events
    assert (event.start, event.end) == (date(2027, 5, 12), date(2027, 5, 14))
    assert "TZID" not in event["DTSTART"].params and list(calendar.timezones) == [], "dates have no zone"

    query = parse_qs(urlsplit(google_calendar_url(add(session, summit(zone)))).query)
    assert query["dates"] == ["20270512/20270514"]


def test_a_feed_with_timed_and_all_day_meetings_has_the_zones_of_the_timed(session: Session) -> None:
    data = calendar_file([add(session), add(session, summit())], name="Group", domain=DOMAIN)
    calendar = Calendar.from_ical(data)
    assert [zone.tz_name for zone in calendar.timezones] == ["Europe/Berlin"]
    assert [event["DTSTART"].params.get("VALUE") for event in calendar.events] == [None, "DATE"]


@pytest.mark.parametrize("letter", ["a", "ü", "€"])
def test_a_long_description_is_shortened_and_the_links_kept(session: Session, letter: str) -> None:
    meeting = add(session, replace(ESSEN, description=letter * 3000))
    url = google_calendar_url(meeting)
    assert len(url) < 2000
    details = parse_qs(urlsplit(url).query)["details"][0]
    assert details.startswith(letter * 10) and "…" in details
    assert "https://meet.example.org/essen" in details and "https://docs.example.org/essen-agenda" in details
    odd = add(session, replace(ESSEN, description=letter * 2999 + "x"))
    assert len(google_calendar_url(odd)) < 2000


def test_the_google_link_fits_even_with_a_huge_join_link(session: Session) -> None:
    huge = replace(ESSEN, kind=MeetingKind.ONLINE, join_url="https://meet.example.org/" + "x" * 1900)
    assert len(google_calendar_url(add(session, huge))) < 2000


def test_file_names_are_ascii_slugs(session: Session) -> None:
    meeting = add(session)
    assert ics_filename(meeting) == f"meeting-{meeting.id}-essen-workshop.ics"
    accented = add(session, replace(ESSEN, title="Réunion à Málaga: ¿qué tal?"))
    assert ics_filename(accented) == f"meeting-{accented.id}-reunion-a-malaga-que-tal.ics"
    chinese = add(session, replace(ESSEN, title="会议"))
    assert ics_filename(chinese) == f"meeting-{chinese.id}.ics"


def test_the_uid_domain_comes_from_the_public_url() -> None:
    assert calendar_domain("https://bot.example.org") == "bot.example.org"
    assert calendar_domain("http://Bot.Example.org:8443/tci") == "bot.example.org"
    assert calendar_domain("") == "tci-bot"


# The feed over HTTP.


def fetch(url: str, *, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    try:
        with urlopen(Request(url, method=method), timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_the_feed_lists_upcoming_meetings_to_holders_of_the_token(
    migrated_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(migrated_url, tmp_path, CALENDAR_TOKEN=TOKEN, PUBLIC_URL="https://bot.example.org/")
    now = datetime.now(UTC)
    soon = replace(ESSEN, starts_at=now + timedelta(days=10), ends_at=now + timedelta(days=10, hours=8))
    with LocalBot(settings) as bot:
        assert bot.service is not None
        with bot.service.deps.sessions() as session:
            upcoming = add(session, soon, now)
            past = replace(soon, starts_at=now - timedelta(days=365), ends_at=now - timedelta(days=364))
            add(session, past, now)
            gone = add(session, replace(soon, title="Called off"), now)
            cancel_meeting(session=session, meeting_id=gone.id or 0, now=now)
        feed = f"{bot.base_url}/calendar.ics"
        with caplog.at_level(logging.DEBUG):
            status, headers, body = fetch(f"{feed}?token={TOKEN}")
            assert status == 200
            assert headers["Content-Type"] == "text/calendar; charset=utf-8"
            assert headers["Content-Disposition"] == 'inline; filename="meetings.ics"'
            assert headers["Cache-Control"] == "no-cache"
            calendar = Calendar.from_ical(body)
            assert calendar["X-WR-CALNAME"] == "Digitization learning group"
            assert [str(event["UID"]) for event in calendar.events] == [f"meeting-{upcoming.id}@bot.example.org"]

            status, headers, body = fetch(f"{feed}?token={TOKEN}", method="HEAD")
            assert status == 200 and body == b"" and headers["Content-Type"].startswith("text/calendar")

            for url in (f"{feed}?token=wrong-{TOKEN}", feed, f"{feed}?token="):
                status, headers, body = fetch(url)
                assert status == 403 and headers["Content-Type"] == "application/json"
                assert b"BEGIN:VCALENDAR" not in body
            assert fetch(f"{feed}?token={TOKEN}", method="POST")[0] == 405
            assert fetch(f"{bot.base_url}/healthz")[0] == 200
        assert TOKEN not in caplog.text


def test_the_feed_is_off_without_a_token() -> None:
    def calendar() -> bytes:
        raise AssertionError("the feed is off")

    for app in (WebApp(None, lambda: True), WebApp(None, lambda: True, calendar=calendar, calendar_token="")):
        server = HttpServer(app, host="127.0.0.1", port=0)
        server.start()
        try:
            base = f"http://127.0.0.1:{server.port}"
            assert fetch(f"{base}/calendar.ics?token={TOKEN}")[0] == 404
            assert fetch(f"{base}/calendar.ics")[0] == 404
            assert fetch(f"{base}/healthz")[0] == 200
        finally:
            server.stop()


def test_a_plain_web_app_serves_the_feed() -> None:
    app = WebApp(None, lambda: True, calendar=lambda: b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", calendar_token=TOKEN)
    server = HttpServer(app, host="127.0.0.1", port=0)
    server.start()
    try:
        base = f"http://127.0.0.1:{server.port}/calendar.ics"
        assert fetch(f"{base}?token={TOKEN}")[:3:2] == (200, b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
        assert fetch(f"{base}?token={TOKEN[:-1]}")[0] == 403
    finally:
        server.stop()


# Settings of the feed.


def test_the_feed_settings_are_read() -> None:
    settings = load_settings({"CALENDAR_TOKEN": TOKEN, "PUBLIC_URL": "https://bot.example.org/"}, require_slack=False)
    assert settings.calendar_token.reveal() == TOKEN
    assert settings.public_url == "https://bot.example.org"
    assert settings.feed_url == f"https://bot.example.org/calendar.ics?token={TOKEN}"
    assert TOKEN not in repr(settings) + str(settings)


def test_the_feed_url_is_empty_unless_both_are_set() -> None:
    assert load_settings({"CALENDAR_TOKEN": TOKEN}, require_slack=False).feed_url == ""
    assert load_settings({"PUBLIC_URL": "https://bot.example.org"}, require_slack=False).feed_url == ""
    settings = load_settings({}, require_slack=False)
    assert not settings.calendar_token and settings.public_url == "" and settings.feed_url == ""


def test_a_short_calendar_token_is_refused() -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings({"CALENDAR_TOKEN": "short-token"}, require_slack=False)
    assert len(raised.value.problems) == 1
    assert raised.value.problems[0].startswith("CALENDAR_TOKEN should be")
    assert "at least 16 characters" in raised.value.problems[0]
    assert "short-token" not in str(raised.value)


@pytest.mark.parametrize(
    "value", ["bot.example.org", "ftp://bot.example.org", "https://", "https://bot.example.org/?x=1", "http://a b"]
)
def test_a_public_url_must_be_http(value: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings({"PUBLIC_URL": value}, require_slack=False)
    assert len(raised.value.problems) == 1
    assert raised.value.problems[0].startswith("PUBLIC_URL should be")
