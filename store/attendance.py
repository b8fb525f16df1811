"""Attendance: who said "I'm here" at a meeting, registered or not."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from store.after_models import MeetingGuest
from store.db import commit
from store.meetings import lock_meeting
from store.models import Attendance, Meeting, MeetingKind, MeetingStatus, Person, Registration
from store.people import ensure_person

# The answers of those expected to come: whoever holds one and is not marked came is a no-show, once
# attendance is taken. Those waiting or offered a place had none to come to.
EXPECTED = (Attendance.IN_PERSON, Attendance.ONLINE)


@dataclass(frozen=True)
class Here:
    """What saying "I'm here" came to."""

    registration: Registration
    new: bool  # recorded now (not said before)
    walked_in: bool  # they had not registered: a registration was made for them


def mark_here(*, session: Session, meeting: Meeting, slack_id: str, now: datetime) -> Here:
    """Record that `slack_id` is at the meeting; someone who had not registered (or said they could not come) is
    registered as they came: online for an online meeting, else in person."""
    lock_meeting(session, meeting.id or 0)
    ensure_person(session=session, slack_id=slack_id)
    registration = session.exec(
        select(Registration).where(col(Registration.meeting_id) == meeting.id, col(Registration.slack_id) == slack_id)
    ).first()
    if registration is not None and registration.attended_at is not None:
        return Here(registration, new=False, walked_in=False)
    here = _came(session, meeting, registration, slack_id, now)
    commit(session)
    session.refresh(here.registration)
    return here


def _came(session: Session, meeting: Meeting, registration: Registration | None, slack_id: str, now: datetime) -> Here:
    """Mark one person as there; someone without a place to come to is registered as they came (a walk-in's
    answer and attendance carry the same moment)."""
    came = Attendance.ONLINE if meeting.kind == MeetingKind.ONLINE else Attendance.IN_PERSON
    walked_in = registration is None or registration.attendance not in EXPECTED
    if registration is None:
        registration = Registration(
            meeting_id=meeting.id or 0, slack_id=slack_id, attendance=came, answered_at=now, created_at=now
        )
    elif walked_in:
        registration.attendance = came
        registration.answered_at = now
    registration.attended_at = now
    session.add(registration)
    return Here(registration, new=True, walked_in=walked_in)


@dataclass(frozen=True)
class Taken:
    """What an organiser's attendance came to."""

    came: int  # registered and there, walk-ins from the workspace included
    no_shows: int  # registered to come and not there
    guests: int  # not in the workspace, by name
    walked_in: bool  # someone without a place was taken in (the counts changed)


def take_attendance(
    *,
    session: Session,
    meeting: Meeting,
    came: Collection[str],
    guests: Sequence[str],
    by: str,
    now: datetime,
) -> Taken:
    """Set who was at the meeting as an organiser marked it: everyone in `came` there (registered as they came
    where they had no place), every other registrant not; the guests by name replace those given before."""
    meeting_id = meeting.id or 0
    lock_meeting(session, meeting_id)
    registrations = {
        r.slack_id: r for r in session.exec(select(Registration).where(col(Registration.meeting_id) == meeting_id))
    }
    walked_in = False
    for slack_id in came:
        registration = registrations.get(slack_id)
        if registration is not None and registration.attended_at is not None:
            continue
        if registration is None:
            ensure_person(session=session, slack_id=slack_id)
        here = _came(session, meeting, registration, slack_id, now)
        registrations[slack_id] = here.registration
        walked_in = walked_in or here.walked_in
    for slack_id, registration in registrations.items():
        if slack_id not in came and registration.attended_at is not None:
            registration.attended_at = None
            session.add(registration)
    session.execute(delete(MeetingGuest).where(col(MeetingGuest.meeting_id) == meeting_id))
    for name in guests:
        session.add(MeetingGuest(meeting_id=meeting_id, name=name, added_by=by, added_at=now))
    commit(session)
    there = sum(1 for slack_id in registrations if slack_id in came)
    expected = sum(1 for s, r in registrations.items() if r.attendance in EXPECTED and s not in came)
    return Taken(came=there, no_shows=expected, guests=len(guests), walked_in=walked_in)


def guests(*, session: Session, meeting_id: int) -> list[str]:
    """The names of those who came without registering and are not in the workspace, as given."""
    statement = (
        select(MeetingGuest.name).where(col(MeetingGuest.meeting_id) == meeting_id).order_by(col(MeetingGuest.id))
    )
    return list(session.exec(statement))


@dataclass(frozen=True)
class MeetingFigures:
    """One past meeting's attendance: who registered to come, who came, who did not; members and not."""

    meeting: Meeting
    registered: int  # registered to come (in person or online) before it began; walk-ins not counted
    came: int  # registrants and walk-ins who were there, guests by name included
    no_shows: int  # registered and not there, where attendance was taken
    members: int  # of those who came (guests by name are not members)
    non_members: int
    taken: bool  # someone was marked there: without it, nobody counts as a no-show

    @property
    def rate(self) -> float | None:
        """The share of registrants who came, where attendance was taken."""
        if not self.taken or not self.registered:
            return None
        return (self.registered - self.no_shows) / self.registered


def figures(*, session: Session, now: datetime, limit: int = 24) -> list[MeetingFigures]:
    """The attendance of the latest `limit` meetings that have ended (not cancelled), oldest first."""
    meetings = list(
        session.exec(
            select(Meeting)
            .where(col(Meeting.status) == MeetingStatus.SCHEDULED, col(Meeting.ends_at) <= now)
            .order_by(col(Meeting.starts_at).desc(), col(Meeting.id).desc())
            .limit(limit)
        )
    )
    ids = [m.id or 0 for m in meetings]
    rows = session.exec(
        select(Registration, Person)
        .join(Person, col(Person.slack_id) == col(Registration.slack_id))
        .where(col(Registration.meeting_id).in_(ids))
    ).all()
    guest_counts = dict(
        session.exec(
            select(MeetingGuest.meeting_id, func.count())
            .where(col(MeetingGuest.meeting_id).in_(ids))
            .group_by(col(MeetingGuest.meeting_id))
        ).all()
    )
    by_meeting: dict[int, list[tuple[Registration, Person]]] = {}
    for registration, person in rows:
        by_meeting.setdefault(registration.meeting_id, []).append((registration, person))
    found = []
    for meeting in reversed(meetings):
        people = by_meeting.get(meeting.id or 0, [])
        there = [(r, p) for r, p in people if r.attended_at is not None]
        walk_ins = [r for r, _p in there if r.answered_at == r.attended_at]
        registered = sum(1 for r, _p in people if r.attendance in EXPECTED) - len(walk_ins)
        guests_there = guest_counts.get(meeting.id or 0, 0)
        taken = bool(there) or guests_there > 0
        members = sum(1 for _r, p in there if p.is_member)
        found.append(
            MeetingFigures(
                meeting=meeting,
                registered=registered,
                came=len(there) + guests_there,
                no_shows=(registered - (len(there) - len(walk_ins))) if taken else 0,
                members=members,
                non_members=len(there) - members + guests_there,
                taken=taken,
            )
        )
    return found


def attended(*, session: Session, meeting_id: int) -> list[str]:
    """Who said they were at the meeting, in the order they said it."""
    statement = (
        select(Registration.slack_id)
        .where(col(Registration.meeting_id) == meeting_id, col(Registration.attended_at).is_not(None))
        .order_by(col(Registration.attended_at), col(Registration.id))
    )
    return list(session.exec(statement))
