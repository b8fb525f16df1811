"""Queries about meetings and registrations: listing, changing, and places with a waitlist."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, inspect, or_, update
from sqlmodel import Session, col, select

from store.db import abandon, commit
from store.models import Attendance, Meeting, MeetingStatus, Person, Registration
from store.people import ensure_person

# Changes that registrants are told about: when it is, and where or how to get there.
TIME_OR_PLACE = ("starts_at", "ends_at", "timezone", "kind", "venue", "city", "country", "join_url")
ATTENDING = (Attendance.IN_PERSON, Attendance.ONLINE, Attendance.WAITLISTED)


@dataclass(frozen=True)
class MeetingDraft:
    """The fields of a meeting as an organiser gave them, validated by the caller."""

    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    venue: str = ""
    city: str = ""
    country: str = ""
    join_url: str = ""
    agenda_url: str = ""
    description: str = ""
    capacity: int | None = None
    registration_deadline: datetime | None = None
    reminder_offsets: str = ""

    def values(self) -> dict[str, Any]:
        """The draft as column values."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def of(cls, meeting: Meeting) -> MeetingDraft:
        """The editable fields of a stored meeting."""
        return cls(**{name: getattr(meeting, name) for name in EDITABLE})


# What a meeting is made of, as an organiser gives it (the draft's fields, in order); everything else is
# the bot's bookkeeping. The meeting form declares an input for each (bot/views/meeting_form.py).
EDITABLE: tuple[str, ...] = tuple(f.name for f in fields(MeetingDraft))


def stored_length(column: str) -> int:
    """The most characters the meetings table keeps in `column` (the form holds its input to it)."""
    length = getattr(inspect(Meeting).columns[column].type, "length", None)
    if not isinstance(length, int):
        raise ValueError(f"meetings.{column} has no length limit")
    return length


@dataclass(frozen=True)
class Counts:
    """How many people answered what."""

    in_person: int = 0
    online: int = 0
    not_coming: int = 0
    waitlisted: int = 0

    def places_left(self, capacity: int | None) -> int | None:
        """In-person places still free, or None when there is no limit."""
        return None if capacity is None else max(capacity - self.in_person, 0)


@dataclass(frozen=True)
class Change:
    """What an edit changed."""

    meeting: Meeting
    changed: tuple[str, ...]
    promoted: tuple[str, ...] = ()  # people moved up from the waitlist by a larger capacity
    before: dict[str, Any] = field(default_factory=dict)  # what each changed field held before

    @property
    def time_or_place(self) -> bool:
        """Whether registrants must be told (the time, the place or the way to join changed)."""
        return any(name in TIME_OR_PLACE for name in self.changed)


@dataclass(frozen=True)
class RegistrationResult:
    """What happened when someone answered a meeting."""

    attendance: Attendance  # where they stand now
    previous: Attendance | None
    promoted: tuple[str, ...] = field(default_factory=tuple)  # people moved up from the waitlist
    bumped: tuple[str, ...] = field(default_factory=tuple)  # non-members whose provisional place went to a member

    @property
    def changed(self) -> bool:
        """Whether the answer differs from the one stored before."""
        return self.attendance != self.previous


class RegistrationClosed(Exception):
    """The meeting was cancelled or has started: no answer is recorded."""


def create_meeting(*, session: Session, draft: MeetingDraft, created_by: str, now: datetime) -> Meeting:
    """Store a new meeting."""
    meeting = Meeting(**draft.values(), created_by=created_by, created_at=now, updated_at=now)
    session.add(meeting)
    commit(session)
    session.refresh(meeting)
    return meeting


def get_meeting(*, session: Session, meeting_id: int) -> Meeting | None:
    """Return the meeting with this id, if there is one."""
    return session.get(Meeting, meeting_id)


def update_meeting(*, session: Session, meeting_id: int, draft: MeetingDraft, now: datetime) -> Change | None:
    """Apply an organiser's edit; a larger capacity moves people up from the waitlist."""
    _lock(session, meeting_id)
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        abandon(session)
        return None
    values = draft.values()
    changed = tuple(name for name in EDITABLE if getattr(meeting, name) != values[name])
    before = {name: getattr(meeting, name) for name in changed}
    for name in changed:
        setattr(meeting, name, values[name])
    promoted: list[str] = []
    if changed:
        meeting.sequence += 1
        meeting.updated_at = now
        promoted = _fill_places(session, meeting, now)
    session.add(meeting)
    commit(session)
    session.refresh(meeting)
    return Change(meeting=meeting, changed=changed, promoted=tuple(promoted), before=before)


def cancel_meeting(*, session: Session, meeting_id: int, now: datetime) -> Meeting | None:
    """Mark a meeting cancelled (registrations are kept, for the record)."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        return None
    if not meeting.is_cancelled:
        meeting.status = MeetingStatus.CANCELLED
        meeting.sequence += 1
        meeting.updated_at = now
        session.add(meeting)
        commit(session)
        session.refresh(meeting)
    return meeting


def set_card(*, session: Session, meeting_id: int, channel: str, ts: str) -> None:
    """Remember where a meeting's announcement card was posted."""
    session.execute(update(Meeting).where(col(Meeting.id) == meeting_id).values(card_channel=channel, card_ts=ts))
    commit(session)


def upcoming_meetings(*, session: Session, now: datetime, limit: int = 20) -> list[Meeting]:
    """Meetings not yet over and not cancelled, soonest first."""
    statement = (
        select(Meeting)
        .where(col(Meeting.status) == MeetingStatus.SCHEDULED, col(Meeting.ends_at) > now)
        .order_by(col(Meeting.starts_at), col(Meeting.id))
        .limit(limit)
    )
    return list(session.exec(statement))


def next_meeting(*, session: Session, now: datetime) -> Meeting | None:
    """The next meeting not yet over, or None."""
    found = upcoming_meetings(session=session, now=now, limit=1)
    return found[0] if found else None


def past_meetings(*, session: Session, now: datetime, limit: int = 20) -> list[Meeting]:
    """Meetings that have ended (cancelled ones included, marked), most recent first."""
    statement = (
        select(Meeting)
        .where(col(Meeting.ends_at) <= now)
        .order_by(col(Meeting.starts_at).desc(), col(Meeting.id).desc())
        .limit(limit)
    )
    return list(session.exec(statement))


def cancelled_meetings(*, session: Session, now: datetime, limit: int = 20) -> list[Meeting]:
    """Cancelled meetings that were still to come, soonest first."""
    statement = (
        select(Meeting)
        .where(col(Meeting.status) == MeetingStatus.CANCELLED, col(Meeting.ends_at) > now)
        .order_by(col(Meeting.starts_at), col(Meeting.id))
        .limit(limit)
    )
    return list(session.exec(statement))


def meetings_between(*, session: Session, start: datetime, end: datetime) -> list[Meeting]:
    """Scheduled meetings starting in [start, end), soonest first."""
    statement = (
        select(Meeting)
        .where(
            col(Meeting.status) == MeetingStatus.SCHEDULED,
            col(Meeting.starts_at) >= start,
            col(Meeting.starts_at) < end,
        )
        .order_by(col(Meeting.starts_at), col(Meeting.id))
    )
    return list(session.exec(statement))


def counts_for(*, session: Session, meeting_ids: Iterable[int]) -> dict[int, Counts]:
    """How many people answered what, for each of the meetings (one query)."""
    ids = list(meeting_ids)
    if not ids:
        return {}
    found: dict[int, dict[str, int]] = {meeting_id: {} for meeting_id in ids}
    statement = (
        select(Registration.meeting_id, Registration.attendance, func.count())
        .where(col(Registration.meeting_id).in_(ids))
        .group_by(col(Registration.meeting_id), col(Registration.attendance))
    )
    for meeting_id, attendance, count in session.exec(statement):
        found[meeting_id][attendance] = count
    return {meeting_id: Counts(**values) for meeting_id, values in found.items()}


def counts(*, session: Session, meeting_id: int) -> Counts:
    """How many people answered what, for one meeting."""
    return counts_for(session=session, meeting_ids=[meeting_id])[meeting_id]


def registration_of(*, session: Session, meeting_id: int, slack_id: str) -> Registration | None:
    """This person's answer to this meeting, if any."""
    statement = select(Registration).where(
        col(Registration.meeting_id) == meeting_id, col(Registration.slack_id) == slack_id
    )
    return session.exec(statement).first()


def answers_of(*, session: Session, slack_id: str, meeting_ids: Iterable[int]) -> dict[int, Attendance]:
    """This person's answers to each of the meetings that they answered."""
    ids = list(meeting_ids)
    if not ids:
        return {}
    statement = select(Registration.meeting_id, Registration.attendance).where(
        col(Registration.slack_id) == slack_id, col(Registration.meeting_id).in_(ids)
    )
    return {meeting_id: Attendance(attendance) for meeting_id, attendance in session.exec(statement)}


def registrations_of(*, session: Session, slack_id: str, now: datetime) -> list[tuple[Meeting, Attendance]]:
    """The upcoming meetings this person is coming to or waiting for, soonest first."""
    statement = (
        select(Meeting, Registration.attendance)
        .join(Registration, col(Registration.meeting_id) == col(Meeting.id))
        .where(
            col(Registration.slack_id) == slack_id,
            col(Registration.attendance).in_(ATTENDING),
            col(Meeting.status) == MeetingStatus.SCHEDULED,
            col(Meeting.ends_at) > now,
        )
        .order_by(col(Meeting.starts_at))
    )
    return [(meeting, Attendance(attendance)) for meeting, attendance in session.exec(statement)]


def attendees(*, session: Session, meeting_id: int) -> list[tuple[Registration, Person]]:
    """Everyone who answered, by answer, the waitlist in the order it is served, then by time."""
    statement = (
        select(Registration, Person)
        .join(Person, col(Person.slack_id) == col(Registration.slack_id))
        .where(col(Registration.meeting_id) == meeting_id)
        .order_by(col(Registration.attendance), col(Registration.answered_at), col(Registration.id))
    )
    rows = list(session.exec(statement))
    waitlist = waitlist_order([(r, p) for r, p in rows if r.attendance == Attendance.WAITLISTED])
    others = [(r, p) for r, p in rows if r.attendance != Attendance.WAITLISTED]
    return others + waitlist


def waitlist_order(rows: Sequence[tuple[Registration, Person]]) -> list[tuple[Registration, Person]]:
    """The waitlist as it is served: members first (Person.is_member), then by when they asked."""
    return sorted(rows, key=lambda row: (not row[1].is_member, row[0].answered_at, row[0].id or 0))


def waitlist_position(*, session: Session, meeting_id: int, slack_id: str) -> int | None:
    """This person's place in the waitlist (1 is next), or None when they are not waiting."""
    rows = [
        (registration, person)
        for registration, person in attendees(session=session, meeting_id=meeting_id)
        if registration.attendance == Attendance.WAITLISTED
    ]
    for position, (registration, _person) in enumerate(rows, 1):
        if registration.slack_id == slack_id:
            return position
    return None


def registrant_ids(*, session: Session, meeting_id: int) -> list[str]:
    """Who is coming or waiting for a place (the people to tell about a change)."""
    statement = (
        select(Registration.slack_id)
        .where(col(Registration.meeting_id) == meeting_id, col(Registration.attendance).in_(ATTENDING))
        .order_by(col(Registration.id))
    )
    return list(session.exec(statement))


def reminder_recipients(*, session: Session, meeting_id: int) -> list[str]:
    """Who is registered and has not turned meeting reminders off."""
    statement = (
        select(Registration.slack_id)
        .join(Person, col(Person.slack_id) == col(Registration.slack_id), isouter=True)
        .where(
            col(Registration.meeting_id) == meeting_id,
            col(Registration.attendance).in_(ATTENDING),
            or_(col(Person.reminders).is_(None), col(Person.reminders)),
        )
        .order_by(col(Registration.id))
    )
    return list(session.exec(statement))


def priority_until(meeting: Meeting, window: timedelta | None) -> datetime | None:
    """Until when a non-member's in-person place is provisional: the registration deadline, else `window`
    before the start; None when places are first come, first served (`window` None)."""
    if window is None:
        return None
    return meeting.registration_deadline or meeting.starts_at - window


def register(
    *,
    session: Session,
    meeting_id: int,
    slack_id: str,
    answer: Attendance,
    now: datetime,
    priority_window: timedelta | None = None,
) -> RegistrationResult:
    """Record someone's answer; an in-person place is given while any is free, else the waitlist.

    The meeting's row is locked first (a write on SQLite, a row lock on PostgreSQL), so that two
    people asking for the last place at once are served one after the other: one gets it, one waits.
    When an in-person place is given up, the first on the waitlist moves up (members first).
    With `priority_window`, a member who asks for a place in a full meeting before `priority_until`
    takes the provisional place of the non-member who got one last; that person goes to the head of
    the non-members' waitlist.
    The caller checks that the meeting is open for this answer; a meeting cancelled or started in
    the meantime raises RegistrationClosed, checked under the lock.
    """
    _lock(session, meeting_id)
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        abandon(session)
        raise LookupError(f"meeting {meeting_id} not found")
    if meeting.is_cancelled or meeting.starts_at <= now:
        abandon(session)  # cancelled or started since the caller looked: nothing is written
        raise RegistrationClosed(meeting_id)
    ensure_person(session=session, slack_id=slack_id)
    registration = registration_of(session=session, meeting_id=meeting_id, slack_id=slack_id)
    previous = Attendance(registration.attendance) if registration else None
    if answer == Attendance.IN_PERSON and previous in (Attendance.IN_PERSON, Attendance.WAITLISTED):
        abandon(session)  # asked again for what they have: keep their place or their turn
        return RegistrationResult(attendance=previous, previous=previous)
    now_standing = answer
    bumped: list[str] = []
    if answer == Attendance.IN_PERSON and meeting.capacity is not None:
        taken = _count(session, meeting_id, Attendance.IN_PERSON)
        if taken >= meeting.capacity:
            now_standing = Attendance.WAITLISTED
            until = priority_until(meeting, priority_window)
            asker = session.get(Person, slack_id)
            if until is not None and now < until and asker is not None and asker.is_member:
                bumped = _give_way(session, meeting_id, now)
                now_standing = Attendance.IN_PERSON if bumped else Attendance.WAITLISTED
    if registration is None:
        registration = Registration(
            meeting_id=meeting_id, slack_id=slack_id, attendance=now_standing, answered_at=now, created_at=now
        )
    elif previous != now_standing:
        registration.attendance = now_standing
        registration.answered_at = now
    session.add(registration)
    session.flush()
    promoted = _fill_places(session, meeting, now) if previous == Attendance.IN_PERSON else []
    commit(session)
    return RegistrationResult(
        attendance=now_standing, previous=previous, promoted=tuple(promoted), bumped=tuple(bumped)
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _give_way(session: Session, meeting_id: int, now: datetime) -> list[str]:
    """The non-member who got an in-person place last goes to the head of the non-members' waitlist."""
    holders = (
        select(Registration)
        .join(Person, col(Person.slack_id) == col(Registration.slack_id))
        .where(
            col(Registration.meeting_id) == meeting_id,
            col(Registration.attendance) == Attendance.IN_PERSON,
            ~Person.is_member,
        )
        .order_by(col(Registration.answered_at).desc(), col(Registration.id).desc())
        .limit(1)
    )
    holder = session.exec(holders).first()
    if holder is None:
        return []
    waiting = (
        select(func.min(Registration.answered_at))
        .join(Person, col(Person.slack_id) == col(Registration.slack_id))
        .where(
            col(Registration.meeting_id) == meeting_id,
            col(Registration.attendance) == Attendance.WAITLISTED,
            ~Person.is_member,
        )
    )
    first_waiting = session.exec(waiting).one()
    holder.attendance = Attendance.WAITLISTED
    if first_waiting is not None and _aware(first_waiting) <= _aware(holder.answered_at):
        holder.answered_at = _aware(first_waiting) - timedelta(microseconds=1)  # ahead of the other non-members
    session.add(holder)
    session.flush()
    return [holder.slack_id]


def _lock(session: Session, meeting_id: int) -> None:
    # A no-op write as the transaction's first statement: SQLite takes its write lock (waiting
    # for it rather than failing later), PostgreSQL locks the row until commit.
    session.execute(update(Meeting).where(col(Meeting.id) == meeting_id).values(sequence=col(Meeting.sequence)))


def _count(session: Session, meeting_id: int, attendance: Attendance) -> int:
    statement = select(func.count()).where(
        col(Registration.meeting_id) == meeting_id, col(Registration.attendance) == attendance
    )
    return int(session.exec(statement).one())


def _fill_places(session: Session, meeting: Meeting, now: datetime) -> list[str]:
    """Move people up from the waitlist while places are free; return who moved up."""
    if not meeting.has_places:
        return []
    free = None
    if meeting.capacity is not None:
        free = meeting.capacity - _count(session, meeting.id or 0, Attendance.IN_PERSON)
        if free <= 0:
            return []
    statement = (
        select(Registration)
        .join(Person, col(Person.slack_id) == col(Registration.slack_id))
        .where(col(Registration.meeting_id) == meeting.id, col(Registration.attendance) == Attendance.WAITLISTED)
        .order_by(Person.is_member.desc(), col(Registration.answered_at), col(Registration.id))
    )
    if free is not None:
        statement = statement.limit(free)
    moved = []
    for registration in session.exec(statement):
        registration.attendance = Attendance.IN_PERSON
        registration.answered_at = now
        session.add(registration)
        moved.append(registration.slack_id)
    session.flush()
    return moved
