"""A meeting's card as people in the group channel see it, what each presser is told, and the store behind.

`CardBoard` follows one card through the emulator's deliveries (its first post, then each
`chat.update`): the counts each version showed, and when. `PrivateAnswers` keeps what each person
was told after pressing. `MeetingStore` is the benchmark's own look into the bot's store: the meeting
it seeds, where a press stands among the answers of its kind, and who is registered.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.localslack.emulator import Delivery
from store import meetings as meetings_store
from store.db import make_engine
from store.models import Attendance, Meeting, MeetingKind, Membership, Person, Registration

# The card's context line: `In person 12/40 · Online 5 · Waitlist 0 · /meetings 7 for details`.
IN_PERSON_COUNT = re.compile(r"In person (\d+)")
ONLINE_COUNT = re.compile(r"Online (\d+)")
POLL_SECONDS = 0.01


@dataclass(frozen=True)
class Shown:
    """The counts one version of the card showed, and when it reached Slack (perf_counter)."""

    at: float
    in_person: int
    online: int

    def count(self, attendance: Attendance) -> int:
        """The count of `attendance` (in person or online) this version showed."""
        return self.in_person if attendance == Attendance.IN_PERSON else self.online


def card_counts(blocks: list[Any] | None) -> tuple[int, int] | None:
    """The in-person and online counts of a meeting card's context line, or None when it has none."""
    for block in blocks or []:
        if not isinstance(block, dict) or block.get("type") != "context":
            continue
        text = " ".join(str(element.get("text") or "") for element in block.get("elements") or [])
        in_person, online = IN_PERSON_COUNT.search(text), ONLINE_COUNT.search(text)
        if in_person and online:
            return int(in_person.group(1)), int(online.group(1))
    return None


class CardBoard:
    """Every version of the one meeting card posted to `channel`, in the order Slack showed them."""

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.ts: str | None = None
        self._shown: list[Shown] = []
        self._changed = threading.Condition()

    def on_delivery(self, delivery: Delivery) -> None:
        """Record a card posted or updated in the channel (called from the emulator's thread)."""
        if delivery.channel != self.channel or delivery.kind not in ("message", "update"):
            return
        counts = card_counts(delivery.blocks)
        if counts is None:
            return
        now = time.perf_counter()
        with self._changed:
            if self.ts is None and delivery.kind == "message":
                self.ts = delivery.ts
            if delivery.ts != self.ts:
                return
            self._shown.append(Shown(now, *counts))
            self._changed.notify_all()

    def wait_posted(self, timeout: float) -> str | None:
        """Wait until the card is posted; return its ts, or None."""
        with self._changed:
            self._changed.wait_for(lambda: self.ts is not None, timeout)
            return self.ts

    def latest(self) -> Shown | None:
        """What the card shows now."""
        with self._changed:
            return self._shown[-1] if self._shown else None

    def wait_for(self, attendance: Attendance, count: int, timeout: float) -> float | None:
        """When the card first showed at least `count` of `attendance`; wait up to `timeout` s, else None."""

        def first() -> Shown | None:
            return next((shown for shown in self._shown if shown.count(attendance) >= count), None)

        with self._changed:
            found = self._changed.wait_for(first, timeout)
            return found.at if found else None

    def wait_showing(self, in_person: int, online: int, timeout: float) -> float | None:
        """Wait until the card shows exactly these counts; return when it first did, or None."""

        def showing() -> Shown | None:
            last = self._shown[-1] if self._shown else None
            return last if last and (last.in_person, last.online) == (in_person, online) else None

        with self._changed:
            found = self._changed.wait_for(showing, timeout)
            return found.at if found else None


class PrivateAnswers:
    """What each person was told privately (through a response_url) after pressing: the last answer wins."""

    def __init__(self, confirmation: str) -> None:
        self.confirmation = confirmation
        self._told: dict[str, str] = {}
        self._lock = threading.Lock()

    def on_delivery(self, delivery: Delivery) -> None:
        """Record a private answer (called from the emulator's thread)."""
        if delivery.kind == "response" and delivery.user:
            with self._lock:
                self._told[delivery.user] = delivery.text or ""

    def confirmed(self) -> set[str]:
        """Those told that their answer was recorded."""
        with self._lock:
            return {user for user, text in self._told.items() if self.confirmation in text}

    def refused(self) -> dict[str, str]:
        """Those told anything else (nothing was changed, try again), with what they were told."""
        with self._lock:
            return {user: text for user, text in self._told.items() if self.confirmation not in text}

    def wait_answered(self, people: set[str], timeout: float) -> bool:
        """Wait until each of `people` has been told something."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                if people <= self._told.keys():
                    return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(POLL_SECONDS)


class MeetingStore:
    """The bot's store as the benchmark reads it: the meeting pressed, the people pressing, their answers."""

    def __init__(self, database_url: str) -> None:
        self._engine = make_engine(database_url)
        self.meeting_id = 0

    def close(self) -> None:
        """Release the store's connections."""
        self._engine.dispose()

    def add_meeting(self, *, meeting_id: int, now: datetime, organiser_id: str, capacity: int) -> None:
        """A hybrid meeting two months ahead with `capacity` places, open for answers, not yet announced."""
        starts = (now + timedelta(days=60)).replace(hour=9, minute=0, second=0, microsecond=0)
        with Session(self._engine) as session:
            session.add(
                Meeting(
                    id=meeting_id,
                    title="Clusters and digital ecosystems: the spring meeting",
                    kind=MeetingKind.HYBRID,
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=8),
                    timezone="Europe/Madrid",
                    venue="Campus Madrid",
                    city="Madrid",
                    country="ES",
                    join_url="https://meet.example.org/spring",
                    description="Talks, a workshop and time to compare practices.",
                    capacity=capacity,
                    created_by=organiser_id,
                    created_at=now,
                    updated_at=now,
                )
            )
            session.commit()
        self.meeting_id = meeting_id

    def add_people(self, slack_ids: list[str], *, now: datetime) -> None:
        """People the bot has met, their profiles freshly read: a press needs no users.info first."""
        with Session(self._engine) as session:
            session.add_all(
                Person(
                    slack_id=slack_id,
                    display_name=slack_id.lower(),
                    tz="Europe/Madrid",
                    membership=Membership.AUTO,
                    profile_checked_at=now,
                    created_at=now,
                )
                for slack_id in slack_ids
            )
            session.commit()

    def card_ts(self) -> str | None:
        """The ts of the meeting's card, once the bot has recorded it."""
        with Session(self._engine) as session:
            meeting = session.get(Meeting, self.meeting_id)
            return meeting.card_ts if meeting else None

    def wait_card_recorded(self, ts: str, timeout: float) -> bool:
        """Wait until the bot has recorded `ts` as the meeting's card."""
        deadline = time.monotonic() + timeout
        while self.card_ts() != ts:
            if time.monotonic() >= deadline:
                return False
            time.sleep(POLL_SECONDS)
        return True

    def place(self, slack_id: str) -> tuple[Attendance, int] | None:
        """The person's answer and its place among the answers of that kind (1 is the first recorded).

        Answers to one meeting are written one after another under the meeting's lock, so the order
        of their ids is the order they were committed in: a card whose count of that kind reaches the
        place was rendered after this answer was committed.
        """
        with Session(self._engine) as session:
            mine = meetings_store.registration_of(session=session, meeting_id=self.meeting_id, slack_id=slack_id)
            if mine is None or mine.attendance not in (Attendance.IN_PERSON, Attendance.ONLINE):
                return None
            earlier = select(func.count()).where(
                col(Registration.meeting_id) == self.meeting_id,
                col(Registration.attendance) == mine.attendance,
                col(Registration.id) <= mine.id,
            )
            return Attendance(mine.attendance), int(session.exec(earlier).one())

    def registered(self) -> set[str]:
        """Everyone with an answer to the meeting."""
        with Session(self._engine) as session:
            statement = select(Registration.slack_id).where(col(Registration.meeting_id) == self.meeting_id)
            return set(session.exec(statement))

    def counts(self) -> meetings_store.Counts:
        """How many answered what, as the store holds it."""
        with Session(self._engine) as session:
            return meetings_store.counts(session=session, meeting_id=self.meeting_id)
