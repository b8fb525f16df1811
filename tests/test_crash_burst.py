"""`kill -9` in the middle of a burst of presses and submissions, then a restart: nothing lost, nothing twice.

`tci-bot run` serves a full meeting and a channel while 8 people at a time press RSVP buttons (some
freeing a place, so that someone moves up from the waitlist) and share practices. The process is
killed with SIGKILL after a few dozen answers and started again on the same database. Every press
and submission that was answered 200 is in the store; every stored practice has one card in the
channel, with its ts recorded; the meeting's card shows the store's counts within a minute of the
restart; everyone who moved up is told once.
"""

from __future__ import annotations

import http.client
import random
import signal
import subprocess
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from bot.localslack import Delivery, LocalUser, LocalWorkspace, SlackEmulator
from bot.localslack.local import GROUP_CHANNEL, PEOPLE
from bot.views import meetings as meeting_views
from store import meetings as meetings_store
from store import practices as practices_store
from store import schedule
from store.db import make_engine, session_factory
from store.meetings import MeetingDraft
from store.models import Attendance, MeetingKind, PostStatus, Practice, PracticeStatus
from tests.helpers import settle, wait_delivery
from tests.processes import bot_process
from tests.test_cli import SECRET, free_port
from tests.test_lost_answers import seen
from tests.test_practices import form_state
from tests.test_scheduler import wait_until

PLACES = 3
THREADS = 8
KILL_AFTER = (18, 36)  # answers received before the process is killed
RESTART_SECONDS = 60.0  # the meeting's card shows the store's counts within a minute of the restart
# Freed places are given at once (WAITLIST_OFFER_TIME=off), and kept (MEMBER_PRIORITY=waitlist): everyone who
# moved up is told once, and has the place at the end.
PACE = {
    "POSTS_PER_SECOND": "40",
    "CHANNEL_POSTS_PER_SECOND": "40",
    "POST_LEASE": "2s",
    "WAITLIST_OFFER_TIME": "off",
    "MEMBER_PRIORITY": "waitlist",
}

HOLDERS = [LocalUser(id=f"U0HOLD{n}", name=f"holder{n}", real_name=f"Holder {n}") for n in range(1, PLACES + 1)]
WAITERS = [LocalUser(id=f"U0WAIT{n}", name=f"waiter{n}", real_name=f"Waiter {n}") for n in range(1, PLACES + 1)]
PRESSERS = [LocalUser(id=f"U0RSVP{n:02d}", name=f"rsvp{n}", real_name=f"Presser {n}") for n in range(1, 28)]
AUTHORS = [LocalUser(id=f"U0AUTH{n:02d}", name=f"author{n}", real_name=f"Author {n}") for n in range(1, 31)]
REFUSED = ("nothing was changed", "try again")  # what a person is told when their answer was not recorded


@dataclass(frozen=True)
class Job:
    """One request of the burst: a press (`answer`) or a practice submission (`title`)."""

    user: str
    answer: Attendance | None = None
    title: str = ""


@dataclass(frozen=True)
class Answered:
    """A request the bot answered 200 before it was killed, and the body it answered with."""

    job: Job
    body: str


def burst(rng: random.Random) -> list[Job]:
    """30 presses (three of them freeing a place) and 30 practices, in a random order."""
    presses = [Job(p.id, Attendance.IN_PERSON) for p in PRESSERS[:18]]
    presses += [Job(p.id, Attendance.ONLINE) for p in PRESSERS[18:]]
    practices = [Job(a.id, title=f"Burst practice {n:02d}") for n, a in enumerate(AUTHORS, start=1)]
    jobs = presses + practices
    rng.shuffle(jobs)
    for holder in HOLDERS:  # places are freed early, so that the kill finds promotions under way
        jobs.insert(rng.randrange(THREADS), Job(holder.id, Attendance.NOT_COMING))
    return jobs


def prepare(sessions: sessionmaker[Session]) -> int:
    """A hybrid meeting in a month, its places taken and as many people waiting; return its number."""
    now = datetime.now(UTC)
    with sessions() as session:
        meeting = meetings_store.create_meeting(
            session=session,
            draft=MeetingDraft(
                title="Burst workshop",
                kind=MeetingKind.HYBRID,
                starts_at=now + timedelta(days=30),
                ends_at=now + timedelta(days=30, hours=6),
                timezone="Europe/Madrid",
                city="Madrid",
                country="ES",
                join_url="https://meet.example.org/burst",
                capacity=PLACES,
            ),
            created_by="U0ORG",
            now=now,
        )
        meeting_id = meeting.id or 0
        for n, person in enumerate(HOLDERS + WAITERS):
            meetings_store.register(
                session=session,
                meeting_id=meeting_id,
                slack_id=person.id,
                answer=Attendance.IN_PERSON,
                now=now + timedelta(seconds=n),
            )
        assert meetings_store.counts(session=session, meeting_id=meeting_id).waitlisted == PLACES
    return meeting_id


def send(workspace: LocalWorkspace, job: Job, forms: dict[str, dict[str, Any]], meeting_id: int) -> tuple[int, str]:
    if job.answer is None:
        response = workspace.submit_view(job.user, forms[job.user], form_state(title=job.title))
    else:
        action = {
            Attendance.IN_PERSON: meeting_views.RSVP_IN_PERSON,
            Attendance.ONLINE: meeting_views.RSVP_ONLINE,
            Attendance.NOT_COMING: meeting_views.RSVP_NOT_COMING,
        }[job.answer]
        response = workspace.press_button(job.user, action_id=action, value=str(meeting_id))
    return response.status, response.body


def run_burst(
    process: subprocess.Popen[str],
    jobs: list[Job],
    send_one: Callable[[Job], tuple[int, str]],
    kill_after: int,
) -> list[Answered]:
    """Send the jobs from THREADS threads; SIGKILL the process once `kill_after` answers came back."""
    answered: list[Answered] = []
    lock = threading.Lock()
    killed = threading.Event()

    def one(job: Job) -> None:
        if killed.is_set():
            return
        try:
            status, body = send_one(job)
        except (OSError, http.client.HTTPException):
            return  # the process died under this request: it was never answered (or only in part)
        if status != 200:
            return
        with lock:
            answered.append(Answered(job, body))
            if len(answered) >= kill_after and not killed.is_set():
                killed.set()
                process.send_signal(signal.SIGKILL)

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(one, jobs))
    if not killed.is_set():
        process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    return answered


def form_opened_for(user: str) -> Callable[[Delivery], bool]:
    return lambda delivery: delivery.kind == "view_open" and delivery.user == user


def refused(emulator: SlackEmulator, user: str) -> bool:
    """Whether the person was told privately that their answer was not recorded."""
    return any(
        d.kind in ("response", "ephemeral") and d.user == user and any(r in (d.text or "").lower() for r in REFUSED)
        for d in list(emulator.deliveries)
    )


def card_count(emulator: SlackEmulator, title: str) -> list[dict[str, Any]]:
    return [m for m in emulator.messages(GROUP_CHANNEL) if m.get("bot_id") and title in seen(m)]


def told_moved_up(emulator: SlackEmulator, user: str) -> list[Delivery]:
    channel = emulator.im_channel(user)
    return [
        d
        for d in list(emulator.deliveries)
        if d.kind == "message" and d.channel == channel and "moved up from the waitlist" in (d.text or "")
    ]


def test_a_burst_killed_midway_loses_no_answer_and_posts_each_card_once(migrated_url: str, tmp_path: Path) -> None:
    engine = make_engine(migrated_url)
    sessions = session_factory(engine)
    rng = random.Random(14)
    kill_after = rng.randint(*KILL_AFTER)
    jobs = burst(rng)
    meeting_id = prepare(sessions)

    def published() -> list[Practice]:
        with sessions() as session:
            found = practices_store.list_practices(session=session, statuses=(PracticeStatus.PUBLISHED,), limit=100)
        return list(found.practices)

    def card_shows_the_store() -> bool:
        with sessions() as session:
            meeting = meetings_store.get_meeting(session=session, meeting_id=meeting_id)
            counts = meetings_store.counts(session=session, meeting_id=meeting_id)
        assert meeting is not None
        cards = [m for m in emulator.messages(GROUP_CHANNEL) if meeting.card_ts and m["ts"] == meeting.card_ts]
        return len(cards) == 1 and meeting_views.counts_text(meeting, counts) in seen(cards[0])

    def promoted() -> list[str]:
        with sessions() as session:
            return [
                w.id
                for w in WAITERS
                if (r := meetings_store.registration_of(session=session, meeting_id=meeting_id, slack_id=w.id))
                and r.attendance == Attendance.IN_PERSON
            ]

    def owed() -> list[str]:
        with sessions() as session:
            rows = schedule.posts(session=session, statuses=[PostStatus.PENDING, PostStatus.SENDING], limit=1000)
        return [row.key for row in rows if row.due_at <= datetime.now(UTC)]

    def every_card_recorded() -> bool:
        return all(p.card_ts in {m["ts"] for m in card_count(emulator, p.title)} for p in published())

    everyone = [*PEOPLE.values(), *HOLDERS, *WAITERS, *PRESSERS, *AUTHORS]
    with SlackEmulator(users=everyone) as emulator:
        emulator.add_channel(GROUP_CHANNEL, "learning-group")
        port = free_port()
        with bot_process(tmp_path, emulator, migrated_url, PORT=str(port), **PACE) as first:
            workspace = LocalWorkspace(
                events_url=f"http://127.0.0.1:{port}/slack/events",
                signing_secret=SECRET,
                emulator=emulator,
                channel=GROUP_CHANNEL,
            )
            assert workspace.slash_command("U0ORG", "/meetings", f"announce {meeting_id}").status == 200
            wait_until(card_shows_the_store, timeout=RESTART_SECONDS)
            forms: dict[str, dict[str, Any]] = {}
            for author in AUTHORS:
                assert workspace.slash_command(author.id, "/practice").status == 200
                opened = wait_delivery(emulator, form_opened_for(author.id))
                assert opened.view is not None
                forms[author.id] = opened.view
            settle(emulator, quiet=0.3)

            answered = run_burst(first, jobs, lambda job: send(workspace, job, forms, meeting_id), kill_after)
        assert len(answered) >= kill_after, f"only {len(answered)} answers before the kill"

        # Every request answered 200 before the kill is in the store.
        with sessions() as session:
            stored = practices_store.list_practices(session=session, statuses=tuple(PracticeStatus), limit=100)
            titles = {p.title for p in stored.practices}
            lost_presses = []
            for item in answered:
                job = item.job
                if job.answer is None:
                    if "is shared in" in item.body:
                        assert job.title in titles, f"{job.title!r} was answered as shared and is not stored"
                    continue
                got = meetings_store.registration_of(session=session, meeting_id=meeting_id, slack_id=job.user)
                wanted = {job.answer, Attendance.WAITLISTED} if job.answer == Attendance.IN_PERSON else {job.answer}
                if (got is None or got.attendance not in wanted) and not refused(emulator, job.user):
                    lost_presses.append(job.user)
        presses = sum(1 for item in answered if item.job.answer is not None)
        assert not lost_presses, f"{len(lost_presses)} of {presses} presses answered 200 left no registration"

        # Started again on the same database: what was owed arrives, once.
        with bot_process(tmp_path, emulator, migrated_url, **PACE):
            try:
                wait_until(
                    lambda: (
                        every_card_recorded()
                        and card_shows_the_store()
                        and all(told_moved_up(emulator, user) for user in promoted())
                        and not owed()
                    ),
                    timeout=RESTART_SECONDS,
                )
            except AssertionError:
                unposted = [p.title for p in published() if not card_count(emulator, p.title)]
                unrecorded = [p.title for p in published() if p.card_ts is None]
                raise AssertionError(
                    f"{RESTART_SECONDS:g} s after the restart: {len(unposted)} practices never posted, "
                    f"{len(unrecorded)} cards' ts not recorded, meeting card up to date: {card_shows_the_store()}, "
                    f"not told they moved up: {[u for u in promoted() if not told_moved_up(emulator, u)]}, "
                    f"still owed: {len(owed())}"
                ) from None
            settle(emulator, quiet=3.0, timeout=15)

            doubled = {p.title: n for p in published() if (n := len(card_count(emulator, p.title))) != 1}
            assert not doubled, f"practices whose card is not in the channel once: {doubled}"
            assert card_shows_the_store()
            assert len(card_count(emulator, "Burst workshop")) == 1, "one meeting card"
            told = {p.id: len(told_moved_up(emulator, p.id)) for p in everyone}
            assert all(told[user] == 1 for user in promoted()), "every waiter who moved up is told once"
            # A presser can move up too: one whose profile Slack was too slow to give is served as a guest,
            # after the members. Whoever was told has the place, and nobody is told twice.
            with sessions() as session:
                placed = {
                    p.id
                    for p in everyone
                    if (r := meetings_store.registration_of(session=session, meeting_id=meeting_id, slack_id=p.id))
                    and r.attendance == Attendance.IN_PERSON
                }
            assert all(n <= 1 for n in told.values()), f"told twice: {told}"
            assert {user for user, n in told.items() if n} <= placed, "told of a place they do not have"
    engine.dispose()
