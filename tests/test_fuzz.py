"""Whatever people type, the bot answers with a clear refusal or a well-formed result: property-based tests.

Two layers, as elsewhere in the suite:

- the parsers of typed text, called directly: slash-command routing, the one-line meeting,
  natural dates in any zone, the meeting, practice and announcement forms, questions in plain words;
- the real bot (one `LocalBot` for the module, on SQLite): every slash command as organiser, member
  and guest, every form submitted with drawn values, and questions by direct message and mention.
  Nothing answers 5xx, nothing shows a traceback or pings @channel, nothing logs an unhandled error,
  a refused submission leaves the store as it was, and an accepted one stores what was typed.

The number of examples scales with FUZZ_EXAMPLES (a multiplier, default 1: about a minute on two cores):

    FUZZ_EXAMPLES=10 python -m pytest tests/test_fuzz.py
"""

from __future__ import annotations

import json
import logging
import operator
import os
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import MetaData, select

from bot.config import format_offset, parse_offsets
from bot.durations import parse_duration
from bot.language import links, matching, understanding
from bot.language.markup import mentioned_users
from bot.language.quick_meeting import QuickMeetingError, parse_quick
from bot.language.when import (
    LATEST_YEAR,
    NOT_PLACES,
    WhenError,
    format_local,
    parse_deadline,
    parse_end,
    parse_moment,
    parse_zone,
    split_zone,
)
from bot.localslack.emulator import ApiCall
from bot.localslack.local import GROUP_CHANNEL, GUEST, MEMBER, ORGANISER, PEOPLE, LocalBot
from bot.localslack.workspace import BotResponse, LocalWorkspace
from bot.registry import Kind
from bot.views import announcements as announcement_views
from bot.views import answers, blocks, forms, meeting_form, meeting_preview, practice_form
from handlers.announcements import AnnounceRouter
from handlers.errors import SORRY, STORE_DOWN
from handlers.practices import practice_id_in
from handlers.routing import (
    BY_NUMBER,
    CommandRouter,
    Decision,
    Subcommand,
    meeting_number,
    view_metadata,
)
from store import faq as faq_store
from store import meetings as meetings_store
from store import migrate, schedule
from store import people as people_store
from store import practices as practices_store
from store.db import make_engine
from store.meetings import Counts, MeetingDraft
from store.models import Attendance, FaqEntry, Meeting, MeetingKind, PostKind, PostStatus, ScheduledPost
from tests.conftest import make_settings
from tests.helpers import changed_tables, settle, store_snapshot, wait_delivery

MULTIPLIER = float(os.environ.get("FUZZ_EXAMPLES", "1") or "1")


def examples(count: int) -> int:
    """The number of examples for a property, scaled by FUZZ_EXAMPLES."""
    return max(1, round(count * MULTIPLIER))


def fuzz(count: int) -> Callable[[Any], Any]:
    """Hypothesis settings for a property of `count` examples (scaled); no deadline, the bot is slow at times."""
    return settings(
        max_examples=examples(count),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


# What people type -------------------------------------------------------------------------------

ZONES = sorted(available_timezones())
PLACE_ZONES = sorted(set(ZONES) - NOT_PLACES)
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
# Dates drawn ahead of both NOW and the real clock, so that the bot accepts some meetings whenever this runs;
# a day beyond the default reminders (7 days before), so that none comes due while the examples run.
SOON = max(NOW, datetime.now(UTC)).replace(tzinfo=None, second=0, microsecond=0) + timedelta(days=8)
MARKUP = (
    "<@U0MEM>",
    "<@U0ORG|ana>",
    "<@W0TEAM123>",
    "<#C0GROUP>",
    "<#C0GROUP|learning-group>",
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!subteam^S0TEAM|@clusters>",
    "<!date^1700000000^{date_short}|fallback>",
    "<https://example.org/a?b=1&amp;c=2|a link>",
    "<https://example.org>",
    "<mailto:ana@example.org|mail>",
    "&amp;",
    "&lt;",
    "&gt;",
    "*bold*",
    "`code`",
    "```",
    "> quoted",
    "@channel",
)
QUESTION_WORDS = ("when", "where", "is", "the", "next", "meeting", "?", "agenda", "video link", "travel", "pay")
MORE_QUESTION_WORDS = ("register", "am I registered", "places", "left", "online", "hybrid", "in person", "may")
PLACE_WORDS = ("Essen", "Madrid", "São Paulo", "Reykjavík", "country Spain", "city", "venue", "zone", "join")
DATE_WORDS = ("June", "3rd", "2027", "tomorrow", "next tuesday", "11 Feb 2027", "2027-02-11", "9:00", "17:00")
TIME_WORDS = ("5pm", "noon", "-", "–", "to", "CET", "BRT", "UTC+3", "+05:30", "Europe/Berlin", "for 90m", "3h")
COMMAND_WORDS = ("list", "search", "add", "edit", "faq", "help", "off", "on", "csv", "json", "all", "deadline")
NUMBER_WORDS = ("#1", "#2", "1", "0", "999999999", "1e9", "-3", "²", "٣", "፩፩፩፩", "0001", "9999", "capacity 40")
SEPARATORS = (",", "|", '"', "“", "https://meet.example.org/x")
WORDS = (
    QUESTION_WORDS
    + MORE_QUESTION_WORDS
    + PLACE_WORDS
    + DATE_WORDS
    + TIME_WORDS
    + COMMAND_WORDS
    + NUMBER_WORDS
    + SEPARATORS
)
ODD = (
    "\x00",
    "\x07",
    "\t",
    "\n",
    "\r\n",
    "\u200b",
    "\u202e",
    "\u2066",
    "\ufeff",
    "🎉",
    "👩🏽‍💻",
    "مرحبا بالجميع",
    "שלום",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "Z̤͔ͧ̑̓",
    "\U0010ffff",
)
PIECES = st.one_of(st.sampled_from(MARKUP + WORDS + ODD), st.text(max_size=8))


def typed(max_size: int = 60) -> st.SearchStrategy[str]:
    """Text as a person might type it: anything, Slack markup, dates, emoji, right-to-left text, numbers, floods."""
    return st.one_of(
        st.text(max_size=max_size),
        st.lists(PIECES, max_size=12).map(" ".join),
        st.lists(PIECES, max_size=12).map("".join),
        st.integers().map(str),
        st.floats().map(str),
        st.builds(
            operator.mul, st.sampled_from(["a", "é", "🎉", "<!here> ", "9:00 ", ", ", "|"]), st.integers(1, 3000)
        ),
    )


TEXT = typed()
ZONE = st.sampled_from(ZONES)
NOWS = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2090, 1, 1),
    timezones=st.sampled_from(
        [
            ZoneInfo(name)
            for name in ("UTC", "Europe/Madrid", "America/Toronto", "Pacific/Kiritimati", "America/Sao_Paulo")
        ]
    ),
)

PINGS = re.compile(r"<!(?:channel|here|everyone|subteam\^)")
# What a person must never see: a traceback, an exception's name, an object's repr.
LEAKS = re.compile(r"Traceback|Exception|\b[A-Z][A-Za-z]*Error\(|object at 0x[0-9a-f]+|File \"[^\"]+\", line \d+")


def no_leaks(shown: str, typed_text: str = "") -> None:
    """Assert that what the bot showed holds no traceback or error repr (unless the person typed it)."""
    found = LEAKS.search(shown)
    assert found is None or LEAKS.search(typed_text), f"an error leaked to a person: {found}"
    assert SORRY not in shown and STORE_DOWN not in shown, "the bot apologised for an error of its own"


def mrkdwn(payload: Any) -> Iterator[str]:
    """The texts of a payload that Slack reads as markup: message text, mrkdwn objects, file comments."""
    if isinstance(payload, list):
        for item in payload:
            yield from mrkdwn(item)
    elif isinstance(payload, dict):
        for key, value in payload.items():
            if key in ("text", "initial_comment") and isinstance(value, str):
                if payload.get("type") != "plain_text":
                    yield value
            else:
                yield from mrkdwn(value)


def no_pings(*payloads: Any) -> None:
    """Assert that nothing the bot wrote can ping @channel, @here, @everyone or a user group."""
    for text in mrkdwn(list(payloads)):
        assert PINGS.search(text) is None, f"the bot could ping: {text!r}"


def well_formed(message: dict[str, Any]) -> None:
    """Assert that a message payload is what Slack accepts: text, at most 50 blocks, sections within limits."""
    assert isinstance(message.get("text"), str) and message["text"].strip()
    assert len(message["text"]) <= 3000
    body = message.get("blocks") or []
    assert len(body) <= blocks.MESSAGE_BLOCKS_LIMIT
    for block in body:
        text = block.get("text")
        if isinstance(text, dict):
            assert len(text["text"]) <= blocks.SECTION_TEXT_LIMIT


# Slash-command routing ---------------------------------------------------------------------------


def _nothing(call: Any) -> None:
    """A subcommand that does nothing: routing is what is tested."""


def sample_router(router_type: type[CommandRouter] = CommandRouter, default: str = "list") -> CommandRouter:
    """A router shaped like the bot's: one-word and two-word subcommands, a number, organiser-only ones."""
    router = router_type(name="/sample", description="a sample", intro="sample subcommands.", default=default)
    for words, organiser_only in (
        ("list", False),
        ("new", True),
        (BY_NUMBER, False),
        ("faq", False),
        ("faq add", True),
        ("faq remove", True),
        ("organisers", False),
        ("organisers add", True),
    ):
        usage = "number" if words == BY_NUMBER else words
        router.add(
            Subcommand(
                words,
                f"does {usage}",
                _nothing,
                usage=usage,
                organiser_only=organiser_only,
            )
        )
    return router


ROUTER = sample_router()
ANNOUNCE_ROUTER = sample_router(AnnounceRouter, default="new")
ROLES = SimpleNamespace(
    people=SimpleNamespace(
        is_organiser=lambda user_id: user_id == ORGANISER.id,
        shown_as_organiser=lambda user_id: user_id == ORGANISER.id,
    ),
    settings=SimpleNamespace(group_name="Learning group"),
)
SUBCOMMAND_WORDS = st.sampled_from(
    ["list", "new", "3", "#12", "faq", "FAQ add", "faq   remove", "organisers add", "help"]
)
COMMAND_TEXT = st.one_of(TEXT, st.tuples(SUBCOMMAND_WORDS, TEXT).map(" ".join))


def answer_text(decision: Decision) -> str:
    """Everything the acknowledgement says."""
    return json.dumps(decision.answer, ensure_ascii=False)


@fuzz(500)
@given(text=COMMAND_TEXT, user=st.sampled_from([ORGANISER.id, MEMBER.id, GUEST.id]))
@example(text="FAQ ADD <@U0MEM|bruno>", user=MEMBER.id)  # an organiser-only subcommand, in capitals
def test_the_router_answers_or_names_one_subcommand(text: str, user: str) -> None:
    sub, rest = ROUTER.match(text)
    if sub is None:
        assert rest == text
    elif sub.words == BY_NUMBER:
        assert rest == text and re.fullmatch(r"#?\d{1,9}", text.split()[0])
    else:
        assert [token.lower() for token in text.split()[: len(sub.parts)]] == list(sub.parts)
        assert rest == rest.strip() and rest in text
        longer = [other for other in ROUTER.subcommands if len(other.parts) > len(sub.parts)]
        assert all([t.lower() for t in text.split()[: len(o.parts)]] != list(o.parts) for o in longer)

    decision = ROUTER.decide(text, user, ROLES)  # type: ignore[arg-type]
    assert (decision.answer is None) == (decision.subcommand is not None)
    if decision.answer is not None:
        well_formed(decision.answer)
        said = answer_text(decision).replace(f"`{BY_NUMBER}`", "")  # the router's own word for a number
        assert "<" not in said, "what the person typed is quoted back escaped"
    else:
        assert decision.subcommand is not None
        assert not decision.subcommand.organiser_only or user == ORGANISER.id


@fuzz(200)
@given(text=COMMAND_TEXT)
def test_announce_sends_any_text_that_names_no_subcommand_to_the_form(text: str) -> None:
    sub, rest = ANNOUNCE_ROUTER.match(text)
    assert sub is not None
    if sub.words == "new":
        assert rest == ("" if text.strip().lower() == "new" else text.strip())


@fuzz(300)
@given(text=TEXT)
@example(text="²")
@example(text="#٣")
def test_mentions_numbers_and_metadata_are_read_from_any_text(text: str) -> None:
    users = mentioned_users(text)
    assert len(users) == len(set(users))
    assert all(re.fullmatch(r"[UW][A-Z0-9]+", user) and user in text for user in users)
    number = meeting_number(text)
    assert number is None or 0 <= number <= 999_999_999
    practice = practice_id_in(text)
    assert practice is None or 0 <= practice <= 999_999_999
    assert isinstance(view_metadata({"private_metadata": text}), dict)


# The one-line meeting --------------------------------------------------------------------------


LINE_PARTS = (
    "Essen",
    "Essen, Germany",
    "São Paulo",
    "capacity 40",
    "40 places",
    "zone Europe/Lisbon",
    "online",
    "hybrid",
    "in person",
    "venue Messe Essen",
    "at Hall 3 & more",
    "<https://meet.example.org/tci>",
    "agenda https://example.org/agenda",
    "country DE",
    "deadline 1 Feb 2027",
)
ODD_LINE_PARTS = (
    "capacity ²",
    "capacity 0",
    "zone Factory",
    "tz Mars/Olympus",
    "register by 0001",
    "at <!here>",
    "join javascript:alert(1)",
    "city Springfield",
    "country Atlantis",
    '"Quoted, title"',
    "Reykjavik, Madrid",
    "11 Feb 2027 9:00-17:00 CET",
)
WHEN_FORMS = ("{day} {start}-{end}", "{day} {start} for 90m", "{day} {start}", "{day} {start} to {day} {end}")
LINE_ZONES = ("", " CET", " BRT", " Europe/Madrid", " +05:30", " UTC-3")


@st.composite
def meeting_lines(draw: st.DrawFn) -> str:
    """A one-line meeting: a title, a date with times, and some of the other parts in any order; or anything."""
    if draw(st.integers(0, 3)) == 0:
        return draw(TEXT)
    title = draw(st.one_of(st.sampled_from(["Essen workshop", "Toronto <!channel> meeting", "“Quoted, title”"]), TEXT))
    moment = draw(st.datetimes(min_value=SOON, max_value=SOON + timedelta(days=3 * 365)))
    when = draw(st.sampled_from(WHEN_FORMS)).format(
        day=f"{moment:%-d %b %Y}", start=f"{moment:%H:%M}", end=f"{min(moment.hour + 2, 23)}:30"
    ) + draw(st.sampled_from(LINE_ZONES))
    rest = draw(st.lists(st.sampled_from(LINE_PARTS), max_size=4, unique=True))
    rest += draw(st.lists(st.one_of(st.sampled_from(ODD_LINE_PARTS), TEXT), max_size=2))
    return ", ".join([title, *draw(st.permutations([when, *rest]))])


MEETING_LINE = meeting_lines()


@fuzz(400)
@given(text=MEETING_LINE, zone=ZONE, now=NOWS)
@example(text="Madrid meeting, 0001", zone="Australia/ACT", now=NOW)
@example(text="Madrid meeting, 1 Feb 2027 9:00", zone="Factory", now=NOW)
@example(text="Casablanca forum, 1 Jan 2027 01:00", zone="Africa/Casablanca", now=NOW)
def test_a_meeting_line_is_read_or_refused_with_reasons(text: str, zone: str, now: datetime) -> None:
    try:
        quick = parse_quick(text, default_zone=zone, group_zone="Europe/Madrid", now=now)
    except QuickMeetingError as error:
        event("refused")
        assert error.problems
        for problem in error.problems:
            assert isinstance(problem, str) and problem.strip()
            assert "<" not in problem and ">" not in problem, "what was typed is quoted escaped"
        return
    event("read")
    draft = quick.draft
    assert draft.title.strip() and len(draft.title) <= 150
    assert draft.starts_at.tzinfo is not None and draft.ends_at.tzinfo is not None
    assert draft.timezone in ZONES
    assert draft.kind in set(MeetingKind)
    assert draft.capacity is None or 0 < draft.capacity <= 100_000
    assert draft.join_url == "" or links.is_web_link(draft.join_url)
    assert draft.registration_deadline is None or draft.registration_deadline.tzinfo is not None
    # The preview's buttons carry the draft as JSON, and bring back exactly this meeting.
    assert meeting_form.draft_from_json(meeting_form.draft_to_json(draft)) == draft
    assert meeting_preview.summary(draft)
    try:
        meeting_form.check(draft, now=now)
    except forms.FormErrors as error:
        assert error.errors


# Natural dates -------------------------------------------------------------------------------------


def _refused(read: Callable[[], Any]) -> Any:
    """Run a reader; return what it read, or None when it refused with a WhenError that says why."""
    try:
        return read()
    except WhenError as error:
        assert error.message.strip() and "<" not in error.message, "what was typed is quoted escaped"
        return None


DATE_TEXT = st.one_of(TEXT, st.lists(st.sampled_from(WORDS + MARKUP[:3]), max_size=6).map(" ".join))


@fuzz(600)
@given(text=DATE_TEXT, zone=ZONE, now=NOWS)
@example(text="0001", zone="Australia/ACT", now=NOW)  # beyond the dates Python holds
@example(text="1JAN0001", zone="Africa/Abidjan", now=NOW)
@example(text="31 Dec 9999 23:00", zone="America/Toronto", now=NOW)
@example(text="0", zone="Factory", now=NOW)  # a zone the date parser cannot read in
@example(text="1795514460001", zone="UTC", now=NOW)  # milliseconds since 1970
def test_dates_are_read_in_any_zone_or_refused(text: str, zone: str, now: datetime) -> None:
    tz = ZoneInfo(zone)
    start = now.astimezone(UTC).replace(second=0, microsecond=0)  # as a start is read: in UTC, to the minute
    for read in (
        lambda: parse_moment(text, zone=tz, now=now),
        lambda: parse_deadline(text, zone=tz, now=now),
        lambda: parse_end(text, start=start, zone=tz, now=now),
    ):
        moment = _refused(read)
        if moment is not None:
            assert moment.tzinfo is not None and moment.utcoffset() == timedelta(0)
            assert (moment.second, moment.microsecond) == (0, 0), "whole minutes, as the forms show them"
            assert moment.year <= LATEST_YEAR + 1
    found = _refused(lambda: parse_zone(text))
    assert found is None or (found.key in ZONES and found.key not in NOT_PLACES)
    length = parse_duration(text)
    assert length is None or length >= timedelta(0)
    _rest, token = split_zone(text)
    assert token == "" or text.strip().endswith(token)


MOMENTS = st.datetimes(min_value=datetime(1973, 1, 1), max_value=datetime(2998, 12, 31), timezones=st.just(UTC))


@fuzz(300)
@given(moment=MOMENTS, zone=st.sampled_from(PLACE_ZONES), now=NOWS)
@example(moment=datetime(2027, 1, 1, 0, 0, tzinfo=UTC), zone="Africa/Casablanca", now=NOW)  # Morocco's own rules
@example(moment=datetime(2038, 7, 1, 7, 0, tzinfo=UTC), zone="Europe/Madrid", now=NOW)  # summer time after 2037
@example(moment=datetime(2027, 10, 31, 0, 30, tzinfo=UTC), zone="Europe/Berlin", now=NOW)  # the hour that repeats
def test_a_formatted_moment_reads_back_to_itself(moment: datetime, zone: str, now: datetime) -> None:
    moment = moment.replace(second=0, microsecond=0)
    tz = ZoneInfo(zone)
    text = format_local(moment, tz)
    assert parse_moment(text, zone=tz, now=now) == moment, text
    assert parse_deadline(text, zone=tz, now=now) == moment, text


@fuzz(150)
@given(zone=st.sampled_from(PLACE_ZONES), spelling=st.sampled_from([str.lower, str.upper, str, str.swapcase]))
def test_every_zone_name_is_known_in_any_case(zone: str, spelling: Callable[[str], str]) -> None:
    assert parse_zone(spelling(zone)).key == zone
    assert parse_zone(f"  {zone.replace('_', ' ')} ").key == zone


@fuzz(200)
@given(
    hours=st.integers(0, 9999),
    minutes=st.integers(0, 99999),
    offsets=st.lists(st.timedeltas(min_value=timedelta(seconds=1), max_value=timedelta(days=999_999_999)), min_size=1),
)
def test_lengths_and_reminder_offsets_read_back(hours: int, minutes: int, offsets: list[timedelta]) -> None:
    if hours or minutes:
        assert parse_duration(f"{hours}h{minutes}m") == timedelta(hours=hours, minutes=minutes)
        assert parse_duration(f"{hours} hours and {minutes} minutes") == timedelta(hours=hours, minutes=minutes)
    offsets = [timedelta(seconds=int(offset.total_seconds())) for offset in offsets]
    spelled = ",".join(format_offset(offset) for offset in offsets)
    assert parse_offsets(spelled) == tuple(sorted(set(offsets), reverse=True))


@fuzz(200)
@given(
    text=st.one_of(
        TEXT,
        st.lists(st.sampled_from(["7d", "1d", "1h", "90m", "30s", "0h", "-1d", "١d"]), max_size=5).map(",".join),
        st.integers(0, 10**12).map(lambda n: f"{n}d"),
    )
)
@example(text="1000000000d")  # more days than a timedelta holds
@example(text="99999999999d")
def test_reminder_offsets_are_read_or_refused(text: str) -> None:
    try:
        offsets = parse_offsets(text)
    except ValueError:
        return
    assert offsets and all(offset > timedelta(0) for offset in offsets)
    assert list(offsets) == sorted(offsets, reverse=True)


# Forms, read directly ------------------------------------------------------------------------------


AHEAD = st.datetimes(min_value=SOON, max_value=SOON + timedelta(days=300))


def ahead_text(zone_names: list[str]) -> st.SearchStrategy[str]:
    """A date and time ahead of NOW and of the real clock, as an organiser types it (or as the form shows it)."""
    return st.one_of(
        AHEAD.map(lambda moment: f"{moment:%-d %b %Y %H:%M}"),
        st.tuples(AHEAD, st.sampled_from(zone_names)).map(
            lambda pair: format_local(pair[0].replace(tzinfo=UTC), ZoneInfo(pair[1]))
        ),
    )


ODD_MOMENTS = st.sampled_from(
    [
        "tomorrow 9:00",
        "next tuesday 10:00",
        "in 2 hours",
        "now",
        "yesterday 9:00",
        "0001",
        "11 Feb 2027",
        "31 Dec 9999 23:00",
        "2027-02-30 10:00",
        "9:00 Mars/Olympus",
        "10:00 Factory",
    ]
)


@dataclass(frozen=True)
class Fields:
    """What people put in a form's fields: values it should take, and odd ones, by block id (else any text)."""

    good: dict[str, st.SearchStrategy[str]]
    odd: dict[str, st.SearchStrategy[str]] = field(default_factory=dict)

    def good_for(self, block_id: str) -> st.SearchStrategy[str]:
        return self.good.get(block_id, TEXT)

    def odd_for(self, block_id: str) -> st.SearchStrategy[str]:
        return st.one_of(self.odd[block_id], TEXT) if block_id in self.odd else TEXT


MEETING_FIELDS = Fields(
    good={
        "title": st.sampled_from(["Essen workshop", "  Toronto <!channel> meeting & more  ", "*Online* exchange"]),
        "kind": st.sampled_from([str(kind) for kind in MeetingKind]),
        "starts": ahead_text(["Europe/Berlin", "America/Toronto", "Africa/Casablanca"]),
        "ends": st.sampled_from(["3h", "90m", "1h30m", "2 hours", "23:59"]),
        "timezone": st.one_of(st.sampled_from(PLACE_ZONES), st.just("europe/berlin")),
        "venue": st.sampled_from(["Messe Essen, Hall 3", "<@U0MEM>'s office", ""]),
        "city": st.sampled_from(["Essen", "São Paulo", "Reykjavík", ""]),
        "country": st.sampled_from(["Germany", "DE", "UK", "Côte d'Ivoire", "the Netherlands", ""]),
        "join_url": st.just(""),
        "agenda_url": st.sampled_from(["https://example.org/agenda?a=1&b=<2>", ""]),
        "description": st.one_of(st.just(""), TEXT),
        "capacity": st.one_of(st.just(""), st.integers(1, 100_000).map(str)),
        "deadline": st.just(""),
        "reminders": st.sampled_from(["7d,1d,1h", "2h", "365d", "30s"]),
    },
    odd={
        "kind": st.sampled_from(["in person", "", "cancelled"]),
        "starts": ODD_MOMENTS,
        "ends": st.one_of(st.sampled_from(["17:00", "5pm", "noon", "25:00", "0m", "15d"]), ODD_MOMENTS),
        "timezone": st.sampled_from(["CET", "Factory", "localtime", "Mars/Olympus", "Europe/Berlin/x"]),
        "country": st.sampled_from(["Atlantis", "Kosovo", "XK", "EU"]),
        "join_url": st.sampled_from(
            [
                "https://meet.example.org/x",
                "http://x.org",
                "javascript:alert(1)",
                "https://exa mple.org",
                "<https://x.org>",
            ]
        ),
        "agenda_url": st.sampled_from(["ftp://x", "https://", "//example.org"]),
        "capacity": st.one_of(st.integers(-5, 200_000).map(str), st.sampled_from(["²", "1,000", "40 ", "٣", "1e3"])),
        "deadline": st.one_of(ahead_text(["Europe/Berlin"]), ODD_MOMENTS),
        "reminders": st.sampled_from(["1000000000d", "999999999d", "366d", "0h", "1d,,", "٣d", "-1h", "1w"]),
    },
)
CONFIG = make_settings("sqlite://", Path("/nonexistent"))  # the group's default topics and kinds
PRACTICE_FIELDS = Fields(
    good={
        "title": st.sampled_from(["Digital skills academy", "  <!here> Cluster check & more  ", "*Bold* idea"]),
        "organisation": st.sampled_from(["Basque ICT cluster", "<@U0MEM>'s cluster", ""]),
        "summary": st.one_of(st.sampled_from(["A one-hour self-assessment.", "Line one\nline two <!channel>"]), TEXT),
        "evidence": st.one_of(st.sampled_from(["340 assessments since 2024.", "", "&amp; &lt;b&gt;"]), TEXT),
        "kind": st.sampled_from(CONFIG.practice_kinds),
        "topic": st.sampled_from(CONFIG.practice_topics),
        "country": st.sampled_from(["Spain", "ES", "Portugal", "Brazil", "Iceland", "Côte d'Ivoire", ""]),
        "link": st.sampled_from(["https://example.org/academy?x=<1>&y=2", ""]),
    },
    odd={
        "kind": st.sampled_from(["Kind of my own", "", CONFIG.practice_kinds[0].upper()]),
        "country": st.sampled_from(["Atlantis", "Kosovo", "XK", "EU"]),
        "link": st.sampled_from(["javascript:alert(1)", "example.org", "https://exa mple.org"]),
    },
)
ANNOUNCEMENT_FIELDS = Fields(
    good={
        "text": st.one_of(
            st.sampled_from(["Reading group this Thursday", "  <!channel> doors open & coffee  ", "a\n\nb"]), TEXT
        ),
        "channel": st.sampled_from([GROUP_CHANNEL, "C0OTHER", "G0PRIVATE"]),
        "when": st.one_of(st.just(""), ahead_text(["Europe/Madrid", "Asia/Kolkata"])),
        "meeting": st.sampled_from(["1", "2"]),
    },
    odd={
        "channel": st.sampled_from(["D0DIRECT", "#learning-group", "U0MEM", "C"]),
        "when": st.one_of(ODD_MOMENTS, st.just("in 400 days")),
        "meeting": st.sampled_from(["999999999", "1234567890", "²", "-1", "x", "٣"]),
    },
)
REJECTION_FIELDS = Fields(good={"reason": st.sampled_from(["Please add figures <!channel>", "Too vague & short."])})


def input_blocks(view: dict[str, Any]) -> list[dict[str, Any]]:
    """The input blocks of a modal."""
    return [block for block in view["blocks"] if block.get("type") == "input"]


def element_value(element: dict[str, Any], text: str | None) -> dict[str, Any]:
    """A field's state as Slack sends it on submission: text typed, an option chosen, a channel chosen."""
    kind = element["type"]
    if kind == "static_select":
        option = None if text is None else {"text": {"type": "plain_text", "text": text[:75] or "?"}, "value": text}
        return {"type": kind, "selected_option": option}
    if kind == "conversations_select":
        return {"type": kind, "selected_conversation": text}
    return {"type": kind, "value": text or None}


def state_of(view: dict[str, Any], values: dict[str, str | None]) -> dict[str, Any]:
    """The state Slack sends for a modal with `values` (a block missing from `values` is left out)."""
    state: dict[str, Any] = {}
    for block in input_blocks(view):
        if block["block_id"] in values:
            element = block["element"]
            state[block["block_id"]] = {element["action_id"]: element_value(element, values[block["block_id"]])}
    return state


def initial_state(view: dict[str, Any]) -> dict[str, Any]:
    """The state of a modal submitted as it opened, nothing changed."""
    values: dict[str, str | None] = {}
    for block in input_blocks(view):
        element = block["element"]
        if element["type"] == "static_select":
            values[block["block_id"]] = (element.get("initial_option") or {}).get("value")
        elif element["type"] == "conversations_select":
            values[block["block_id"]] = element.get("initial_conversation")
        else:
            values[block["block_id"]] = element.get("initial_value")
    return state_of(view, values)


@st.composite
def form_values(draw: st.DrawFn, view: dict[str, Any], fields: Fields) -> dict[str, str | None]:
    """Values for every input block of a modal: good ones, and a few made odd, empty, or left out."""
    ids = [block["block_id"] for block in input_blocks(view)]
    values: dict[str, str | None] = {block_id: draw(fields.good_for(block_id)) for block_id in ids}
    for block_id in draw(st.lists(st.sampled_from(ids), max_size=4, unique=True)):
        change = draw(st.sampled_from(["odd", "odd", "empty", "left out"]))
        if change == "odd":
            values[block_id] = draw(fields.odd_for(block_id))
        elif change == "empty":
            values[block_id] = None
        else:
            del values[block_id]
    return values


NEW_MEETING_VIEW = meeting_form.modal(
    meeting_form.initial_values(None, zone="Europe/Madrid", default_offsets="7d,1d,1h"), meeting_id=None
)


def errors_are_beside_fields(errors: dict[str, str], view: dict[str, Any]) -> None:
    """Assert that each problem names a field of the form (Slack refuses errors for blocks it has not)."""
    ids = {block["block_id"] for block in input_blocks(view)}
    assert errors and set(errors) <= ids, set(errors) - ids
    assert all(isinstance(text, str) and text.strip() and len(text) <= 2000 for text in errors.values())


@fuzz(400)
@given(values=form_values(NEW_MEETING_VIEW, MEETING_FIELDS))
@example(values={"title": "Essen", "starts": "1 Feb 2027 9:00", "ends": "17:00", "timezone": "UTC", "capacity": "²"})
@example(
    values={
        "title": "Essen",
        "starts": "1 Feb 2027 9:00",
        "ends": "17:00",
        "timezone": "UTC",
        "reminders": "1000000000d",
    }
)
@example(
    values={
        "title": "Essen",
        "starts": "1 Feb 2027 9:00",
        "ends": "17:00",
        "timezone": "UTC",
        "reminders": "999999999d",
    }
)
@example(values={"title": "Essen", "starts": "1 Feb 2027 9:00", "ends": "17:00", "timezone": "Factory"})
@example(  # a moment with seconds (here a timestamp in milliseconds) could not be saved again unchanged
    values={"title": "Essen", "starts": "1795514460001", "ends": "3h", "timezone": "Africa/Abidjan"}
)
def test_the_meeting_form_is_saved_or_refused_field_by_field(values: dict[str, str | None]) -> None:
    try:
        submitted = forms.submitted_values({"values": state_of(NEW_MEETING_VIEW, values)})
        draft = meeting_form.parse_form(submitted, now=NOW)
    except forms.FormErrors as error:
        event("refused")
        errors_are_beside_fields(error.errors, NEW_MEETING_VIEW)
        assert error.as_text()
        return
    event("saved")
    assert NOW < draft.starts_at < draft.ends_at <= draft.starts_at + meeting_form.MAX_DURATION
    assert draft.title == submitted["title"] and draft.timezone in PLACE_ZONES
    for offset in parse_offsets(draft.reminder_offsets or "1d"):
        assert draft.starts_at - offset > datetime(1900, 1, 1, tzinfo=UTC)
    # Opening the saved meeting in the form and saving it unchanged keeps it as it is.
    initial = meeting_form.initial_values(draft, zone="Europe/Madrid", default_offsets="7d,1d,1h")
    edit_view = meeting_form.modal(initial, meeting_id=1)
    again = meeting_form.parse_form(
        forms.submitted_values({"values": initial_state(edit_view)}), now=NOW, keep_start=draft.starts_at
    )
    assert again == replace(draft, reminder_offsets=draft.reminder_offsets or "7d,1d,1h")


NEW_PRACTICE_VIEW = practice_form.modal({}, CONFIG, practice_id=None)


@fuzz(250)
@given(values=form_values(NEW_PRACTICE_VIEW, PRACTICE_FIELDS))
def test_the_practice_form_is_saved_or_refused_field_by_field(values: dict[str, str | None]) -> None:
    try:
        submitted = forms.submitted_values({"values": state_of(NEW_PRACTICE_VIEW, values)})
        draft = practice_form.parse_form(submitted, CONFIG)
    except forms.FormErrors as error:
        event("refused")
        errors_are_beside_fields(error.errors, NEW_PRACTICE_VIEW)
        assert practice_form.errors_text(error)
        return
    event("saved")
    assert draft.title == submitted["title"].strip() and draft.summary == submitted["summary"].strip()
    assert draft.kind in CONFIG.practice_kinds and draft.topic in CONFIG.practice_topics
    # Opening the practice in the form and saving it unchanged keeps it as it is.
    edit_view = practice_form.modal(practice_form.initial_values(draft), CONFIG, practice_id=1)
    again = practice_form.parse_form(forms.submitted_values({"values": initial_state(edit_view)}), CONFIG)
    assert again == draft


ANNOUNCE_MEETING = Meeting(
    id=1,
    title="Essen workshop",
    kind=MeetingKind.HYBRID,
    starts_at=NOW + timedelta(days=30),
    ends_at=NOW + timedelta(days=30, hours=8),
    timezone="Europe/Berlin",
)
NEW_ANNOUNCEMENT_VIEW = announcement_views.modal(
    announcement_views.FormInitial(channel=GROUP_CHANNEL), [ANNOUNCE_MEETING], zone=ZoneInfo("Europe/Madrid")
)


@fuzz(300)
@given(values=form_values(NEW_ANNOUNCEMENT_VIEW, ANNOUNCEMENT_FIELDS), zone=st.sampled_from(PLACE_ZONES))
@example(values={"text": "Hello", "channel": GROUP_CHANNEL, "meeting": "²"}, zone="UTC")
def test_the_announcement_form_is_planned_or_refused_field_by_field(values: dict[str, str | None], zone: str) -> None:
    tz = ZoneInfo(zone)
    try:
        submitted = forms.submitted_values({"values": state_of(NEW_ANNOUNCEMENT_VIEW, values)})
        draft = announcement_views.parse_form(submitted, zone=tz, now=NOW)
    except forms.FormErrors as error:
        event("refused")
        errors_are_beside_fields(error.errors, NEW_ANNOUNCEMENT_VIEW)
        return
    event("saved")
    assert draft.text == submitted["text"] and draft.channel == submitted["channel"]
    assert draft.due_at is None or NOW < draft.due_at <= NOW + announcement_views.MAX_AHEAD
    posted = announcement_views.message({"text": draft.text, "by": ORGANISER.id}, ANNOUNCE_MEETING)
    well_formed(posted)
    no_pings(posted)
    # The pending announcement opened again and saved unchanged keeps its time (to the minute it shows).
    if draft.due_at is not None:
        initial = announcement_views.FormInitial(
            text=draft.text, channel=draft.channel, when=format_local(draft.due_at, tz), meeting_id=draft.meeting_id
        )
        edit_view = announcement_views.modal(initial, [ANNOUNCE_MEETING], zone=tz, key="announce:x")
        again = announcement_views.parse_form(
            forms.submitted_values({"values": initial_state(edit_view)}), zone=tz, now=NOW
        )
        shown = draft.due_at.replace(second=0)
        assert again.due_at == (shown if shown > NOW else None)
        assert (again.text, again.channel) == (draft.text, draft.channel)


@fuzz(200)
@given(text=TEXT)
def test_a_message_shared_as_a_practice_fills_the_form_within_its_limits(text: str) -> None:
    values = practice_form.prefill_from_message(text)
    assert len(values["title"]) <= practice_form.TITLE_LIMIT and len(values["summary"]) <= practice_form.TEXT_LIMIT
    assert "link" not in values or links.is_web_link(values["link"])
    practice_form.modal(values, CONFIG, practice_id=None)


# Questions in plain words ------------------------------------------------------------------------


def sample_meetings() -> tuple[list[Meeting], list[Meeting]]:
    """Upcoming and past meetings to answer about; one title tries to ping."""

    def meeting(number: int, title: str, days: int, **extra: Any) -> Meeting:
        return Meeting(
            id=number,
            title=title,
            kind=extra.pop("kind", MeetingKind.IN_PERSON),
            starts_at=NOW + timedelta(days=days),
            ends_at=NOW + timedelta(days=days, hours=8),
            timezone=extra.pop("timezone", "Europe/Berlin"),
            **extra,
        )

    upcoming = [
        meeting(1, "Essen workshop", 30, city="Essen", country="DE", capacity=40, venue="Messe Essen"),
        meeting(
            2,
            "Online <!channel> exchange & more",
            45,
            kind=MeetingKind.ONLINE,
            join_url="https://m.example.org",
            timezone="America/Sao_Paulo",
            description="<!here> agenda & *stuff*",
        ),
        meeting(
            3,
            "São Paulo hybrid",
            90,
            kind=MeetingKind.HYBRID,
            city="São Paulo",
            country="BR",
            capacity=2,
            registration_deadline=NOW + timedelta(days=1),
            agenda_url="https://example.org/agenda",
        ),
    ]
    past = [meeting(4, "Madrid kick-off", -300, city="Madrid", country="ES", timezone="Europe/Madrid")]
    return upcoming, past


UPCOMING, PAST = sample_meetings()
FAQ = [
    FaqEntry(
        id=1,
        question="Do I pay for travel?",
        answer="Yes: <!channel> pay your own way & stay.",
        keywords="travel, hotel",
        created_by=ORGANISER.id,
        created_at=NOW,
    ),
    FaqEntry(
        id=2,
        question="Is it free for members?",
        answer="Free for TCI members.",
        keywords="free, cost",
        created_by=ORGANISER.id,
        created_at=NOW,
    ),
]


@fuzz(500)
@given(
    text=st.one_of(TEXT, st.lists(st.sampled_from(WORDS + MARKUP), max_size=10).map(" ".join)),
    zone=ZONE,
    now=NOWS,
    my_answer=st.one_of(st.none(), st.sampled_from(list(Attendance))),
    counts=st.builds(Counts, *[st.integers(0, 50)] * 4),
)
@example(text="when is the ፩፩፩፩ meeting", zone="UTC", now=NOW, my_answer=None, counts=Counts())
def test_any_question_gets_an_answer_of_the_usual_shape(
    text: str, zone: str, now: datetime, my_answer: Attendance | None, counts: Counts
) -> None:
    question = understanding.understand(text, now=now, zone=ZoneInfo(zone), ignore=["Digitization", "learning"])
    assert question.topic in set(understanding.Topic)
    assert len(question.text) <= understanding.MAX_QUESTION
    assert isinstance(question.hint.describe(), str)
    meeting = matching.pick_meeting(question.hint, UPCOMING, PAST)
    assert meeting is None or meeting in UPCOMING + PAST
    faq = matching.match_faq(text, FAQ)
    assert faq is None or faq in FAQ
    reply = answers.answer(
        question,
        meeting=meeting,
        counts=counts,
        my_answer=my_answer,
        faq=faq,
        upcoming=UPCOMING,
        user_id=MEMBER.id,
        now=NOW,
    )
    well_formed(reply)
    shown = json.dumps(reply, ensure_ascii=False)
    no_pings(reply)
    assert set(re.findall(r"<@([A-Z0-9]+)", shown)) <= {MEMBER.id}, "an answer names only the one who asked"


# The real bot ----------------------------------------------------------------------------------------

SAVED_MARKS = (
    ":white_check_mark:",
    ":mega: Posting now",
    ":calendar: Scheduled",
    ":hourglass_flowing_sand: Thank you",
    ":no_entry_sign: Rejected",
)
REFUSED_MARKS = (
    "Only the group's organisers",
    "Only the person who shared",
    "no longer exists",
    "already decided",
    "already posted or cancelled",
    "or is gone",
)
UNWATCHED = {"processed_events"}  # the record of Events API deliveries, written by every event


class Harness:
    """The bot, its store and what it said, for one module of examples."""

    def __init__(self, bot: LocalBot) -> None:
        assert bot.workspace is not None
        self.bot = bot
        self.ws: LocalWorkspace = bot.workspace
        self.views: dict[str, dict[str, Any]] = {}  # the forms, as opened once
        self.ids: dict[str, int] = {}  # rows made for the examples, by name
        self.failures: list[logging.LogRecord] = []
        self.lock = threading.Lock()

    def __repr__(self) -> str:
        return "Harness(the module's bot)"

    @property
    def deps(self) -> Any:
        assert self.bot.service is not None
        return self.bot.service.deps

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table (but the record of event deliveries), to compare after a request."""
        return store_snapshot(self.deps.engine, exclude=UNWATCHED)

    def changed_since(self, before: dict[str, list[tuple[Any, ...]]]) -> list[str]:
        """The tables whose rows changed since `before`."""
        return changed_tables(before, self.snapshot())

    def quiesce(self) -> None:
        """Wait until the bot has done the work after acknowledgements and posted what was due now."""
        assert self.bot.wait_idle(15), "the bot's work after the acknowledgement did not finish"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with self.deps.sessions() as session:
                due = session.exec(
                    select(ScheduledPost).where(
                        ScheduledPost.status.in_([PostStatus.PENDING, PostStatus.SENDING]),  # type: ignore[attr-defined]
                        ScheduledPost.due_at <= datetime.now(UTC),  # type: ignore[operator]
                    )
                ).first()
            if due is None:
                break
            time.sleep(0.02)
        settle(self.bot.emulator, quiet=0.03, timeout=5)
        assert self.bot.wait_idle(15)

    def mark(self) -> tuple[int, int]:
        """A mark in the Web API calls and in what reached people, to read what came after it."""
        return len(self.bot.emulator.calls), len(self.bot.emulator.deliveries)

    def calls_since(self, mark: tuple[int, int]) -> list[ApiCall]:
        """The Web API calls the bot made since `mark`."""
        return list(self.bot.emulator.calls[mark[0] :])

    def said_since(self, mark: tuple[int, int]) -> list[dict[str, Any]]:
        """Everything the bot said since `mark`: Web API calls and answers through response URLs."""
        calls = [call.params for call in self.calls_since(mark)]
        responses = [
            delivery.raw for delivery in list(self.bot.emulator.deliveries[mark[1] :]) if delivery.kind == "response"
        ]
        return calls + responses

    def reset_roles(self) -> None:
        """Give back the roles of the module's three people (commands under test may change them)."""
        with self.deps.sessions() as session:
            for person in people_store.list_organisers(session=session):
                if person.slack_id != ORGANISER.id:
                    people_store.set_organiser(session=session, slack_id=person.slack_id, organiser=False)
            people_store.set_organiser(session=session, slack_id=ORGANISER.id, organiser=True)

    def take_failures(self) -> list[str]:
        """The unhandled errors logged since the last look, as text."""
        with self.lock:
            taken, self.failures[:] = list(self.failures), []
        formatter = logging.Formatter()
        return [
            f"{record.getMessage()}\n{formatter.formatException(record.exc_info)}"
            for record in taken
            if record.exc_info
        ]


class _Failures(logging.Handler):
    """Collect every log record that carries a traceback: an error the bot did not handle."""

    def __init__(self, harness: Harness) -> None:
        super().__init__(level=logging.ERROR)
        self.harness = harness

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            with self.harness.lock:
                self.harness.failures.append(record)


def _seed(harness: Harness) -> None:
    """Meetings, an FAQ entry and a practice, so that the numbers people type name real rows."""
    deps, now = harness.deps, datetime.now(UTC)
    soon = now.replace(second=0, microsecond=0) + timedelta(days=40)
    with deps.sessions() as session:
        for number, (title, kind, capacity) in enumerate(
            [
                ("Essen workshop", MeetingKind.HYBRID, 2),
                ("Online <!here> exchange & more", MeetingKind.ONLINE, None),
                ("Toronto meeting", MeetingKind.IN_PERSON, 30),
            ]
        ):
            meeting = meetings_store.create_meeting(
                session=session,
                draft=MeetingDraft(
                    title=title,
                    kind=kind,
                    starts_at=soon + timedelta(days=number),
                    ends_at=soon + timedelta(days=number, hours=8),
                    timezone="Europe/Berlin",
                    city="Essen",
                    country="DE",
                    capacity=capacity,
                    join_url="https://meet.example.org/x" if kind != MeetingKind.IN_PERSON else "",
                ),
                created_by=ORGANISER.id,
                now=now,
            )
            harness.ids[f"meeting{number}"] = meeting.id or 0
        faq_store.add_faq(
            session=session,
            question="Do I pay for travel?",
            answer="Yes, <!channel> & all.",
            keywords="travel, hotel",
            created_by=ORGANISER.id,
            now=now,
        )
        shared = practices_store.create_practice(
            session=session,
            draft=practices_store.PracticeDraft(
                title="Digital skills academy",
                kind=deps.settings.practice_kinds[0],
                topic=deps.settings.practice_topics[0],
                summary="Training <!here> for SMEs & clusters.",
                country="ES",
            ),
            author=MEMBER.id,
            now=now,
            moderated=False,
        )
        harness.ids["practice"] = shared.id or 0
    for user in PEOPLE.values():  # their profiles, read once, so that later examples change nothing there
        harness.ws.slash_command(user.id, "/tci", "whoami")
    harness.quiesce()


def _open(harness: Harness, user: str, command: str, text: str) -> dict[str, Any]:
    """Open a form the way a person does, and return the view Slack would show."""
    mark = len(harness.bot.emulator.deliveries)
    response = harness.ws.slash_command(user, command, text)
    assert response.status == 200, response.body
    opened = wait_delivery(
        harness.bot.emulator,
        lambda d: d.kind == "view_open" and d.user == user and harness.bot.emulator.deliveries.index(d) >= mark,
    )
    harness.quiesce()
    assert opened.view is not None
    return opened.view


def pending_practice(harness: Harness) -> int:
    """A practice waiting for approval, to reject."""
    deps = harness.deps
    with deps.sessions() as session:
        practice = practices_store.create_practice(
            session=session,
            draft=practices_store.PracticeDraft(
                title="Waiting <!here>",
                kind=deps.settings.practice_kinds[0],
                topic=deps.settings.practice_topics[0],
                summary="Needs figures.",
            ),
            author=MEMBER.id,
            now=datetime.now(UTC),
            moderated=True,
        )
    return practice.id or 0


def pending_announcement(harness: Harness) -> str:
    """An announcement waiting to be posted in a month, to edit; its key."""
    key = f"announce:fuzz{uuid.uuid4().hex}"
    now = datetime.now(UTC)
    post = schedule.PlannedPost(
        key=key,
        kind=PostKind.ANNOUNCEMENT,
        channel=GROUP_CHANNEL,
        due_at=now + timedelta(days=30),
        payload=json.dumps({"text": "Reading group <!here>", "by": ORGANISER.id}),
    )
    with harness.deps.sessions() as session:
        schedule.plan(session=session, posts=[post], now=now)
    return key


def _press_open(harness: Harness, action_id: str, value: str) -> dict[str, Any]:
    """Press a button that opens a form, as an organiser, and return the view Slack would show."""
    emulator = harness.bot.emulator
    mark = len(emulator.deliveries)
    response = harness.ws.press_button(ORGANISER.id, action_id=action_id, value=value)
    assert response.status == 200, response.body
    opened = wait_delivery(emulator, lambda d: d.kind == "view_open" and emulator.deliveries.index(d) >= mark)
    harness.quiesce()
    assert opened.view is not None
    return opened.view


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """One real bot for the module, on SQLite, with data, its forms opened once the way people open them."""
    folder = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite:///{folder / 'bot.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    bot = LocalBot(make_settings(url, folder)).start()
    harness = Harness(bot)
    handler = _Failures(harness)
    logging.getLogger().addHandler(handler)
    try:
        _seed(harness)
        harness.views["meeting"] = _open(harness, ORGANISER.id, "/meetings", "add")
        harness.views["meeting edit"] = _open(harness, ORGANISER.id, "/meetings", f"edit {harness.ids['meeting0']}")
        harness.views["practice"] = _open(harness, MEMBER.id, "/practice", "")
        harness.views["practice edit"] = _open(harness, MEMBER.id, "/practice", f"edit {harness.ids['practice']}")
        harness.views["announcement"] = _open(harness, ORGANISER.id, "/announce", "")
        harness.views["announcement edit"] = _press_open(harness, "announce_edit", pending_announcement(harness))
        harness.views["rejection"] = _press_open(harness, "practice_reject", str(pending_practice(harness)))
        assert not harness.take_failures()
        yield harness
    finally:
        logging.getLogger().removeHandler(handler)
        bot.stop()


def nothing_went_wrong(harness: Harness, response: BotResponse, mark: tuple[int, int], typed_text: str) -> str:
    """Assert the request was answered as a person should be answered; return all that was shown."""
    assert response.status < 500, response.body
    assert response.status == 200, (response.status, response.body)
    failures = harness.take_failures()
    assert not failures, failures[0]
    refused = [call for call in harness.calls_since(mark) if call.response and not call.response.get("ok")]
    assert not refused, [(call.method, call.response) for call in refused]
    said = harness.said_since(mark)
    shown = "\n".join([response.body, *(json.dumps(payload, ensure_ascii=False) for payload in said)])
    no_leaks(shown, typed_text)
    no_pings(response.json(), *said)
    return shown


def subcommand_words(harness: Harness, command: str) -> list[str]:
    """The words of each subcommand of `command`, as registered."""
    prefix = f"{command} "
    return [
        spec.id.removeprefix(prefix)
        for spec in harness.deps.registry.actions
        if spec.kind == Kind.SUBCOMMAND and spec.id.startswith(prefix)
    ]


NUMBER_ARGUMENTS = ("1", "2", "3", "#1", "1 csv", "999999999", "0", "csv", "json", "json all", "csv all", "off", "on")
NAME_ARGUMENTS = ("<@U0MEM>", "<@U0GST|carla> <@U0BOT>", "<@U0ORG>", "Spain", "tool", "Knowledge", "digital skills")
ODD_ARGUMENTS = ("Do I pay? | Yes <!channel> | travel, hotel", "q | a", '"digital" OR x*', "NEAR(a b)", "-x", "², ٣")
ARGUMENTS = st.one_of(st.just(""), TEXT, st.sampled_from(NUMBER_ARGUMENTS + NAME_ARGUMENTS + ODD_ARGUMENTS))


@st.composite
def command_texts(draw: st.DrawFn, words: list[str]) -> str:
    """What follows a slash command: a subcommand and its arguments, or anything at all."""
    if draw(st.booleans()):
        return draw(TEXT)
    chosen = draw(st.sampled_from(words))
    if chosen == BY_NUMBER:
        chosen = draw(st.sampled_from(["1", "2", "3", "#2", "0", "999999999", "٣"]))
    return f"{chosen} {draw(ARGUMENTS)}".strip()


COMMANDS = ("/meetings", "/practice", "/actions", "/announce", "/tci")


def test_the_registry_holds_the_commands_under_test(harness: Harness) -> None:
    assert sorted(spec.name for spec in harness.deps.registry.commands) == sorted(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
@fuzz(60)
@given(data=st.data(), role=st.sampled_from(["organiser", "member", "guest"]))
def test_every_command_answers_everyone_whatever_follows_it(
    harness: Harness, command: str, data: st.DataObject, role: str
) -> None:
    text = data.draw(command_texts(subcommand_words(harness, command)), label="text")
    user = PEOPLE[role].id
    before, mark = harness.snapshot(), harness.mark()
    response = harness.ws.slash_command(user, command, text)
    harness.quiesce()
    shown = nothing_went_wrong(harness, response, mark, text)
    answer = response.json()
    assert answer is None or isinstance(answer, dict)
    if answer:
        well_formed(answer)
    if "Only the group's organisers" in shown:
        assert not harness.changed_since(before), "a refused command changed the store"
    harness.reset_roles()


def _row_of(harness: Harness, name: str) -> Any:
    """The newest row of a table, as a mapping."""
    engine = harness.deps.engine
    meta = MetaData()
    meta.reflect(bind=engine, only=[name])
    table = meta.tables[name]
    with engine.connect() as connection:
        row = connection.execute(select(table).order_by(table.c.id.desc()).limit(1)).mappings().first()
    assert row is not None
    return row


def _row_by_id(harness: Harness, name: str, row_id: int) -> Any:
    engine = harness.deps.engine
    meta = MetaData()
    meta.reflect(bind=engine, only=[name])
    table = meta.tables[name]
    with engine.connect() as connection:
        return connection.execute(select(table).where(table.c.id == row_id)).mappings().first()


def _typed(values: dict[str, str | None], block_id: str) -> str:
    return (values.get(block_id) or "").strip()


def check_meeting_saved(harness: Harness, values: dict[str, str | None], view: dict[str, Any], row_id: Any) -> None:
    """The meeting stored is what was typed, and the saved view shows its title escaped."""
    row = _row_by_id(harness, "meetings", row_id) if row_id else _row_of(harness, "meetings")
    for column in ("title", "venue", "city", "description", "join_url", "agenda_url"):
        assert row[column] == _typed(values, column), column
    assert any(blocks.escape(row["title"]) in text for text in mrkdwn(view)), "the title is shown as typed"


def check_practice_saved(harness: Harness, values: dict[str, str | None], view: dict[str, Any], row_id: Any) -> None:
    """The practice stored is what was typed, and the saved view shows its title escaped."""
    row = _row_by_id(harness, "practices", row_id) if row_id else _row_of(harness, "practices")
    for column in ("title", "organisation", "summary", "evidence", "link"):
        assert row[column] == _typed(values, column), column
    assert any(blocks.escape(row["title"]) in text for text in mrkdwn(view)), "the title is shown as typed"


def check_announcement_saved(harness: Harness, values: dict[str, str | None], view: dict[str, Any], key: Any) -> None:
    """The announcement planned holds the text as typed, for the channel chosen."""
    with harness.deps.sessions() as session:
        edited = schedule.get_post(session=session, key=key) if key else None
    # An edit that changes the meeting cancels the row and plans the announcement afresh.
    cancelled = edited is None or edited.status == PostStatus.CANCELLED
    row = _row_of(harness, "scheduled_posts") if cancelled else edited.model_dump()
    assert row["kind"] == PostKind.ANNOUNCEMENT
    assert json.loads(row["payload"])["text"] == _typed(values, "text")
    assert row["channel"] == values.get("channel", GROUP_CHANNEL)


def check_rejection_saved(harness: Harness, values: dict[str, str | None], view: dict[str, Any], row_id: Any) -> None:
    """The practice is rejected with the reason as typed."""
    row = _row_by_id(harness, "practices", row_id)
    assert row["status"] == "rejected" and row["reject_reason"] == _typed(values, "reason")


@dataclass(frozen=True)
class Form:
    """One of the bot's forms: who fills it, what goes in its fields, and how a saved one is checked."""

    fields: Fields
    check: Callable[[Harness, dict[str, str | None], dict[str, Any], Any], None]
    # The row the form is about (none for a new one), and the metadata that names it, made afresh if need be.
    target: Callable[[Harness], tuple[Any, dict[str, Any] | None]] = lambda harness: (None, None)


def _rejecting(harness: Harness) -> tuple[Any, dict[str, Any]]:
    practice_id = pending_practice(harness)
    return practice_id, {"practice_id": practice_id, "home": False}


def _editing_announcement(harness: Harness) -> tuple[Any, dict[str, Any]]:
    key = pending_announcement(harness)
    return key, {"key": key, "from_home": False}


FORMS = {
    "meeting": Form(MEETING_FIELDS, check_meeting_saved),
    "meeting edit": Form(MEETING_FIELDS, check_meeting_saved, lambda harness: (harness.ids["meeting0"], None)),
    "practice": Form(PRACTICE_FIELDS, check_practice_saved),
    "practice edit": Form(PRACTICE_FIELDS, check_practice_saved, lambda harness: (harness.ids["practice"], None)),
    "announcement": Form(ANNOUNCEMENT_FIELDS, check_announcement_saved),
    "announcement edit": Form(ANNOUNCEMENT_FIELDS, check_announcement_saved, _editing_announcement),
    "rejection": Form(REJECTION_FIELDS, check_rejection_saved, _rejecting),
}


@pytest.mark.parametrize("name", list(FORMS))
@fuzz(40)
@given(data=st.data(), role=st.sampled_from(["organiser", "organiser", "member", "guest"]))
def test_every_form_is_saved_as_typed_or_refused_with_nothing_changed(
    harness: Harness, name: str, data: st.DataObject, role: str
) -> None:
    form = FORMS[name]
    view = harness.views[name]
    target, metadata = form.target(harness)
    if metadata is not None:
        view = {**view, "private_metadata": json.dumps(metadata)}
    values = data.draw(form_values(view, form.fields), label="values")
    user = PEOPLE[role].id
    before, mark = harness.snapshot(), harness.mark()
    response = harness.ws.submit_view(user, view, state_of(view, values))
    harness.quiesce()
    typed_text = json.dumps(values, ensure_ascii=False)
    nothing_went_wrong(harness, response, mark, typed_text)
    answer = response.json()
    assert isinstance(answer, dict), response.body
    if answer.get("response_action") == "errors":
        event("refused beside its fields")
        errors_are_beside_fields(answer["errors"], view)
        assert not harness.changed_since(before), "a refused form changed the store"
        return
    assert answer.get("response_action") == "update", answer
    said = json.dumps(answer["view"], ensure_ascii=False)
    saved = any(mark_ in said for mark_ in SAVED_MARKS)
    refused = any(mark_ in said for mark_ in REFUSED_MARKS)
    assert saved != refused, said
    event("saved" if saved else "refused")
    if refused:
        assert not harness.changed_since(before), "a refused form changed the store"
    else:
        form.check(harness, values, answer["view"], target)


@fuzz(100)
@given(
    text=st.one_of(TEXT, st.lists(st.sampled_from(WORDS + MARKUP), max_size=10).map(" ".join)),
    role=st.sampled_from(["organiser", "member", "guest"]),
    mention=st.booleans(),
)
@example(text="when is the ፩፩፩፩ meeting", role="member", mention=False)
def test_every_question_by_message_or_mention_gets_one_answer(
    harness: Harness, text: str, role: str, mention: bool
) -> None:
    user = PEOPLE[role].id
    before, mark = harness.snapshot(), harness.mark()
    response = harness.ws.mention(user, text) if mention else harness.ws.direct_message(user, text)
    harness.quiesce()
    nothing_went_wrong(harness, response, mark, text)
    where = GROUP_CHANNEL if mention else harness.bot.emulator.im_channel(user)
    replies = [call for call in harness.calls_since(mark) if call.method == "chat.postMessage"]
    assert [call.params.get("channel") for call in replies] == [where], "one answer, where the question was"
    well_formed(replies[0].params)
    if mention:
        assert replies[0].params.get("thread_ts"), "a mention is answered in its thread"
    # A question writes its answer's row in the outbox, and nothing else.
    assert set(harness.changed_since(before)) <= {"scheduled_posts"}, "a question changed the store"


def _buttons(payload: Any) -> Iterator[dict[str, Any]]:
    """Every button in a payload."""
    if isinstance(payload, list):
        for item in payload:
            yield from _buttons(item)
    elif isinstance(payload, dict):
        if payload.get("type") == "button":
            yield payload
        for value in payload.values():
            yield from _buttons(value)


@fuzz(40)
@given(line=MEETING_LINE)
def test_a_meeting_typed_on_one_line_is_saved_as_it_was_shown(harness: Harness, line: str) -> None:
    before, mark = harness.snapshot(), harness.mark()
    response = harness.ws.slash_command(ORGANISER.id, "/meetings", f"add {line}")
    harness.quiesce()
    nothing_went_wrong(harness, response, mark, line)
    assert not harness.changed_since(before), "what was understood is shown first, and nothing is saved yet"
    saves = [button for button in _buttons(harness.said_since(mark)) if button["action_id"] == "meeting_quick_save"]
    event("shown with Save" if saves else "not shown")
    if not saves:
        return
    draft = meeting_form.draft_from_json(saves[0]["value"])
    mark = harness.mark()
    response = harness.ws.press_button(ORGANISER.id, action_id="meeting_quick_save", value=saves[0]["value"])
    harness.quiesce()
    nothing_went_wrong(harness, response, mark, line)
    with harness.deps.sessions() as session:
        saved = meetings_store.get_meeting(session=session, meeting_id=_row_of(harness, "meetings")["id"])
    assert saved is not None and MeetingDraft.of(saved) == draft


@fuzz(30)
@given(text=TEXT, role=st.sampled_from(["organiser", "member", "guest"]))
def test_any_message_shared_as_a_practice_opens_the_form_filled_within_its_limits(
    harness: Harness, text: str, role: str
) -> None:
    user = PEOPLE[role].id
    ts = harness.bot.emulator.post_user_message(GROUP_CHANNEL, MEMBER.id, text)
    before, mark = harness.snapshot(), harness.mark()
    response = harness.ws.message_shortcut(
        user,
        callback_id="share_as_practice",
        message={"type": "message", "ts": ts, "text": text, "user": MEMBER.id},
        channel=GROUP_CHANNEL,
    )
    harness.quiesce()
    nothing_went_wrong(harness, response, mark, text)
    opened = [call.params["view"] for call in harness.calls_since(mark) if call.method == "views.open"]
    assert len(opened) == 1, "the form opens once"
    for block in input_blocks(opened[0]):
        element = block["element"]
        assert len(element.get("initial_value") or "") <= element.get("max_length", 3000), block["block_id"]
    assert not harness.changed_since(before), "opening the form saves nothing"
