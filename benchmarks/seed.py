"""A store the size of a busy group's: meetings past and to come, people, registrations and FAQ entries.

`seed_group` fills a small group's store instead: a few hundred people, tens of meetings, thousands of practices.

The same random seed gives the same store, relative to `now`, on every run.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from benchmarks.seed_practices import seed_practices
from bot.config import load_settings
from bot.deps import build_deps
from bot.services import planning
from store.db import make_engine
from store.migrate import upgrade
from store.models import Attendance, FaqEntry, Meeting, MeetingKind, MeetingStatus, Membership, Person, Registration

SEED = 20_240_611
PAST_SHARE = 1 / 3
HORIZON = timedelta(days=730)  # meetings are spread over two years behind and two years ahead
SOONEST = timedelta(hours=6)  # no meeting starts sooner than this, so none is under way during a run
CANCELLED_SHARE = 0.02
NOT_COMING_SHARE = 0.1
CAPACITY = (20, 60)
HOURS = (2, 8)
BATCH = 5_000

# (city, ISO country, IANA zone, venue)
PLACES: tuple[tuple[str, str, str, str], ...] = (
    ("Toronto", "CA", "America/Toronto", "MaRS Discovery District"),
    ("Madrid", "ES", "Europe/Madrid", "Campus Madrid"),
    ("Berlin", "DE", "Europe/Berlin", "Factory Berlin"),
    ("Essen", "DE", "Europe/Berlin", "Zeche Zollverein"),
    ("London", "GB", "Europe/London", "Somerset House"),
    ("Lisbon", "PT", "Europe/Lisbon", "LX Factory"),
    ("New York", "US", "America/New_York", "Civic Hall"),
    ("Mexico City", "MX", "America/Mexico_City", "Centro Cultural de España"),
)
ONLINE_ZONES = ("Europe/Madrid", "America/Toronto", "Europe/London", "UTC")
TOPICS = (
    "Digital twins",
    "Process mining",
    "Data governance",
    "Low-code in practice",
    "Change management",
    "Automation clinic",
    "Case studies",
)
PERSON_ZONES = ("Europe/Madrid", "Europe/Berlin", "America/Toronto", "America/New_York", "Europe/London", None)
FAQ: tuple[tuple[str, str, str], ...] = (
    ("Do I pay for travel?", "Participants pay their own travel and hotel.", "travel, hotel, pay, cost"),
    ("Is there a fee?", "Meetings are free for members.", "fee, price, cost, free"),
    ("Can I bring a guest?", "Yes, register them as a guest with an organiser.", "guest, bring, friend"),
    ("Are meetings recorded?", "Online and hybrid meetings are recorded for members.", "recording, recorded, video"),
    ("How do I propose a topic?", "Write to an organiser or post in the group channel.", "topic, propose, idea, talk"),
)


@dataclass(frozen=True)
class StoreSize:
    """How much the seeded store holds."""

    meetings: int = 1_000
    registrations: int = 20_000
    people: int = 2_000  # the member included
    member_meetings: int = 12  # meetings the member is registered to, about a third of them past


@dataclass(frozen=True)
class Seeded:
    """What was written."""

    meetings: int
    upcoming: int
    cancelled: int
    people: int
    registrations: int
    member_registrations: int
    faq_entries: int


def seed_store(database_url: str, *, now: datetime, member_id: str, organiser_id: str, size: StoreSize) -> Seeded:
    """Bring the database at `database_url` to the current schema and fill it to `size`."""
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        rng = random.Random(SEED)
        people = _people(rng, now=now, member_id=member_id, count=size.people)
        meetings = _meetings(rng, now=now, organiser_id=organiser_id, count=size.meetings)
        registrations = _registrations(rng, meetings, people, now=now, member_id=member_id, size=size)
        faq = [
            {"question": q, "answer": a, "keywords": k, "created_by": organiser_id, "created_at": now}
            for q, a, k in FAQ
        ]
        with Session(engine) as session:
            _insert(session, Person, people)
            _insert(session, Meeting, meetings)
            _insert(session, Registration, registrations)
            _insert(session, FaqEntry, faq)
            session.commit()
    finally:
        engine.dispose()
    return Seeded(
        meetings=len(meetings),
        upcoming=sum(1 for m in meetings if m["ends_at"] > now and m["status"] == MeetingStatus.SCHEDULED),
        cancelled=sum(1 for m in meetings if m["status"] == MeetingStatus.CANCELLED),
        people=len(people),
        registrations=len(registrations),
        member_registrations=sum(1 for r in registrations if r["slack_id"] == member_id),
        faq_entries=len(faq),
    )


def plan_as_the_bot_did(environment: Mapping[str, str]) -> int:
    """Plan the seeded meetings' reminders as the bot with `environment` plans them when a meeting is made.

    A live store holds the reminders of its meetings from the day each was made, and the bot's start only
    checks them; a seeded store holds none, and the first start would plan all of them (seconds of work at
    1,000 meetings) while it is measured. Returns the number of posts planned or changed.
    """
    deps = build_deps(load_settings(environment, require_slack=False))
    try:
        return planning.plan_upcoming_meetings(deps)
    finally:
        deps.engine.dispose()


def _insert(session: Session, table: type[Any], rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        session.execute(insert(table), rows[start : start + BATCH])


def _people(rng: random.Random, *, now: datetime, member_id: str, count: int) -> list[dict[str, Any]]:
    member = {
        "slack_id": member_id,
        "display_name": "bruno",
        "tz": "Europe/Madrid",
        "is_guest": False,
        "is_organiser": False,
        "membership": Membership.AUTO,
        "profile_checked_at": now,
        "created_at": now - HORIZON,
    }
    others = [
        {
            "slack_id": f"U0P{number:06d}",
            "display_name": f"person{number}",
            "tz": rng.choice(PERSON_ZONES),
            "is_guest": rng.random() < 0.05,
            "is_organiser": False,
            "membership": Membership.AUTO,
            "profile_checked_at": now - timedelta(days=rng.randint(0, 60)),
            "created_at": now - timedelta(days=rng.randint(1, 900)),
        }
        for number in range(1, count)
    ]
    return [member, *others]


def _meetings(rng: random.Random, *, now: datetime, organiser_id: str, count: int) -> list[dict[str, Any]]:
    past = round(count * PAST_SHARE)
    rows = []
    for number in range(1, count + 1):
        if number <= past:
            starts = now - SOONEST - (HORIZON - SOONEST) * rng.random()
        else:
            starts = now + SOONEST + (HORIZON - SOONEST) * rng.random()
        starts = starts.replace(minute=30 * (starts.minute // 30), second=0, microsecond=0)
        kind = rng.choices((MeetingKind.IN_PERSON, MeetingKind.ONLINE, MeetingKind.HYBRID), weights=(2, 1, 1))[0]
        online = kind == MeetingKind.ONLINE
        city, country, zone, venue = ("", "", rng.choice(ONLINE_ZONES), "") if online else rng.choice(PLACES)
        topic = rng.choice(TOPICS)
        created = min(starts - timedelta(days=rng.randint(14, 120)), now - timedelta(days=rng.randint(1, 30)))
        rows.append(
            {
                "id": number,
                "title": f"{topic} ({city or 'online'}) #{number}",
                "kind": kind,
                "starts_at": starts,
                "ends_at": starts + timedelta(hours=rng.randint(*HOURS)),
                "timezone": zone,
                "venue": venue,
                "city": city,
                "country": country,
                "join_url": "" if kind == MeetingKind.IN_PERSON else f"https://meet.example.org/m{number}",
                "agenda_url": f"https://docs.example.org/agenda/{number}" if rng.random() < 0.5 else "",
                "description": f"{topic}: talks, a workshop and time to talk shop.",
                "capacity": None if online else rng.randint(*CAPACITY),
                "registration_deadline": starts - timedelta(days=2) if rng.random() < 0.3 else None,
                "reminder_offsets": "",
                "status": MeetingStatus.CANCELLED if rng.random() < CANCELLED_SHARE else MeetingStatus.SCHEDULED,
                "sequence": 0,
                "card_channel": None,
                "card_ts": None,
                "created_by": organiser_id,
                "created_at": created,
                "updated_at": created,
            }
        )
    return rows


def _shares(rng: random.Random, total: int, parts: int, most: int) -> list[int]:
    """Split `total` into `parts` uneven whole shares of at least 1 and at most `most`."""
    shares = [total // parts + (1 if i < total % parts else 0) for i in range(parts)]
    for _ in range(parts * 2):
        giver, taker = rng.randrange(parts), rng.randrange(parts)
        amount = min(rng.randint(0, 12), shares[giver] - 1, most - shares[taker])
        if giver != taker and amount > 0:
            shares[giver] -= amount
            shares[taker] += amount
    return shares


def _registrations(
    rng: random.Random,
    meetings: Sequence[dict[str, Any]],
    people: Sequence[dict[str, Any]],
    *,
    now: datetime,
    member_id: str,
    size: StoreSize,
) -> list[dict[str, Any]]:
    others = [p["slack_id"] for p in people if p["slack_id"] != member_id]
    split = round(len(meetings) * PAST_SHARE)  # the first meetings are the past ones
    upcoming_count = size.member_meetings * 2 // 3
    member_meetings = set(rng.sample([m["id"] for m in meetings[split:]], upcoming_count))
    member_meetings |= set(rng.sample([m["id"] for m in meetings[:split]], size.member_meetings - upcoming_count))
    extra = len(member_meetings)
    shares = _shares(rng, size.registrations - extra, len(meetings), len(others))
    rows: list[dict[str, Any]] = []
    for meeting, share in zip(meetings, shares, strict=True):
        chosen = rng.sample(others, share)
        if meeting["id"] in member_meetings:
            chosen.insert(rng.randint(0, len(chosen)), member_id)
        places = meeting["capacity"]
        taken = 0
        for slack_id in chosen:
            latest = min(now, meeting["starts_at"])
            answered = meeting["created_at"] + (latest - meeting["created_at"]) * rng.random()
            attendance = _attendance(rng, meeting["kind"])
            if attendance == Attendance.IN_PERSON and places is not None:
                if taken >= places:
                    attendance = Attendance.WAITLISTED
                else:
                    taken += 1
            rows.append(
                {
                    "meeting_id": meeting["id"],
                    "slack_id": slack_id,
                    "attendance": attendance,
                    "answered_at": answered,
                    "created_at": answered,
                }
            )
    return rows


def _attendance(rng: random.Random, kind: str) -> Attendance:
    if rng.random() < NOT_COMING_SHARE:
        return Attendance.NOT_COMING
    if kind == MeetingKind.IN_PERSON:
        return Attendance.IN_PERSON
    if kind == MeetingKind.ONLINE:
        return Attendance.ONLINE
    return rng.choice((Attendance.IN_PERSON, Attendance.ONLINE))


@dataclass(frozen=True)
class GroupSize:
    """A small group's store after a few years: its people, meetings with registrations, and practices."""

    people: int = 200  # those who registered to meetings, the member included, and the practices' authors
    practice_authors: int = 50
    meetings: int = 50
    registrations: int = 1_000
    practices: int = 5_000

    def describe(self) -> str:
        """The size in a few words, for a row's note."""
        return (
            f"{self.people:,} people, {self.meetings:,} meetings with {self.registrations:,} registrations, "
            f"{self.practices:,} practices"
        )


def seed_group(database_url: str, *, now: datetime, member_id: str, organiser_id: str, size: GroupSize) -> None:
    """Bring the database at `database_url` to the current schema and fill it as a small group's store."""
    seed_store(
        database_url,
        now=now,
        member_id=member_id,
        organiser_id=organiser_id,
        size=StoreSize(
            meetings=size.meetings,
            registrations=size.registrations,
            people=size.people - size.practice_authors,
            member_meetings=min(12, size.meetings // 4),
        ),
    )
    seed_practices(database_url, now=now, count=size.practices, authors=size.practice_authors)
