"""Queries about meetings and registrations: listing, changing, and places with a waitlist."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, inspect, update
from sqlmodel import Session, col, select

from store.db import abandon, commit
from store.meeting_queries import ATTENDING as ATTENDING
from store.meeting_queries import Counts as Counts
from store.meeting_queries import MeetingName as MeetingName
from store.meeting_queries import UpcomingList as UpcomingList
from store.meeting_queries import UpcomingNames as UpcomingNames
from store.meeting_queries import attendees as attendees
from store.meeting_queries import cancelled_meetings as cancelled_meetings
from store.meeting_queries import counts as counts
from store.meeting_queries import counts_and_answers as counts_and_answers
from store.meeting_queries import counts_for as counts_for
from store.meeting_queries import meetings_between as meetings_between
from store.meeting_queries import next_meeting as next_meeting
from store.meeting_queries import non_members_in_person as non_members_in_person
from store.meeting_queries import past_meetings as past_meetings
from store.meeting_queries import past_names as past_names
from store.meeting_queries import registrant_ids as registrant_ids
from store.meeting_queries import registration_of as registration_of
from store.meeting_queries import registrations_of as registrations_of
from store.meeting_queries import reminder_recipients as reminder_recipients
from store.meeting_queries import upcoming_meetings as upcoming_meetings
from store.meeting_queries import waitlist_order as waitlist_order
from store.meeting_queries import waitlist_position as waitlist_position
from store.models import Attendance, Meeting, MeetingStatus, Person, Registration
from store.people import ensure_person

# Changes that registrants are told about: when it is, and where or how to get there.
TIME_OR_PLACE = ("starts_at", "ends_at", "timezone", "all_day", "kind", "venue", "city", "country", "join_url")
PRESS_SKEW = timedelta(seconds=30)  # how far before it is handled a press's own time is believed
HOLDING = (Attendance.IN_PERSON, Attendance.OFFERED)  # what takes an in-person place: a place held counts


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
    all_day: bool = False  # dates alone: starts_at and ends_at are 00:00 of the first day and of the day after the last

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
class Change:
    """What an edit changed."""

    meeting: Meeting
    changed: tuple[str, ...]
    promoted: tuple[str, ...] = ()  # people moved up from the waitlist by a larger capacity
    offered: tuple[str, ...] = ()  # or offered the places, when freed places are offered
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
    offered: tuple[str, ...] = field(default_factory=tuple)  # the first in line, offered a freed place

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


def update_meeting(
    *, session: Session, meeting_id: int, draft: MeetingDraft, now: datetime, offers: bool = False
) -> Change | None:
    """Apply an organiser's edit; a larger capacity moves people up from the waitlist (or, with `offers`,
    offers them the places)."""
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
        promoted = _fill_places(session, meeting, now, offers=offers)
    session.add(meeting)
    commit(session)
    session.refresh(meeting)
    moved = tuple(promoted)
    return Change(
        meeting=meeting,
        changed=changed,
        promoted=() if offers else moved,
        offered=moved if offers else (),
        before=before,
    )


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
    offers: bool = False,
    asked_at: datetime | None = None,
) -> RegistrationResult:
    """Record someone's answer; an in-person place is given while any is free, else the waitlist.

    The meeting's row is locked first (a write on SQLite, a row lock on PostgreSQL), so that two
    people asking for the last place at once are served one after the other: one gets it, one waits.
    When an in-person place is given up, the first on the waitlist moves up (members first).
    `asked_at` is when the person pressed, as Slack timestamped it (believed within PRESS_SKEW of `now`): the
    answer is stamped with it, so the waitlist is served in the order of the presses, not of the locks taken.
    With `offers`, a freed place is offered to the first in line (held for them) rather than given.
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
    if answer == Attendance.IN_PERSON and previous == Attendance.OFFERED and registration is not None:
        registration.attendance, registration.answered_at = Attendance.IN_PERSON, now  # the place held is theirs
        session.add(registration)
        commit(session)
        return RegistrationResult(attendance=Attendance.IN_PERSON, previous=previous)
    now_standing = answer
    bumped: list[str] = []
    pressed = asked_at if asked_at is not None and timedelta(0) <= now - asked_at <= PRESS_SKEW else now
    if answer == Attendance.IN_PERSON and meeting.capacity is not None:
        taken = _held(session, meeting_id)
        if taken >= meeting.capacity:
            now_standing = Attendance.WAITLISTED
            until = priority_until(meeting, priority_window)
            asker = session.get(Person, slack_id)
            if until is not None and now < until and asker is not None and asker.is_member:
                bumped = _give_way(session, meeting_id, now)
            now_standing = Attendance.IN_PERSON if bumped else Attendance.WAITLISTED
    if registration is None:
        registration = Registration(
            meeting_id=meeting_id, slack_id=slack_id, attendance=now_standing, answered_at=pressed, created_at=now
        )
    elif previous != now_standing:
        registration.attendance = now_standing
        registration.answered_at = pressed
    session.add(registration)
    session.flush()
    moved = _fill_places(session, meeting, now, offers=offers) if previous in HOLDING else []
    commit(session)
    return RegistrationResult(
        attendance=now_standing,
        previous=previous,
        promoted=() if offers else tuple(moved),
        offered=tuple(moved) if offers else (),
        bumped=tuple(bumped),
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


def lock_meeting(session: Session, meeting_id: int) -> None:
    """Hold the meeting until the transaction ends (its answers and places are changed one at a time)."""
    _lock(session, meeting_id)


def _lock(session: Session, meeting_id: int) -> None:
    # A no-op write as the transaction's first statement: SQLite takes its write lock (waiting
    # for it rather than failing later), PostgreSQL locks the row until commit.
    session.execute(update(Meeting).where(col(Meeting.id) == meeting_id).values(sequence=col(Meeting.sequence)))


def _count(session: Session, meeting_id: int, attendance: Attendance) -> int:
    statement = select(func.count()).where(
        col(Registration.meeting_id) == meeting_id, col(Registration.attendance) == attendance
    )
    return int(session.exec(statement).one())


def _held(session: Session, meeting_id: int) -> int:
    """In-person places taken: given, or held for an offer."""
    return _count(session, meeting_id, Attendance.IN_PERSON) + _count(session, meeting_id, Attendance.OFFERED)


def _fill_places(
    session: Session, meeting: Meeting, now: datetime, *, offers: bool = False, passing: Iterable[str] = ()
) -> list[str]:
    """Move people up from the waitlist while places are free (or, with `offers`, offer them the places,
    held while the offers run); return who moved up or was offered. `passing` are not offered this time."""
    if not meeting.has_places or meeting.starts_at <= now:
        return []
    free = None
    if meeting.capacity is not None:
        free = meeting.capacity - _held(session, meeting.id or 0)
        if free <= 0:
            return []
    statement = (
        select(Registration)
        .join(Person, col(Person.slack_id) == col(Registration.slack_id))
        .where(col(Registration.meeting_id) == meeting.id, col(Registration.attendance) == Attendance.WAITLISTED)
        .order_by(Person.is_member.desc(), col(Registration.answered_at), col(Registration.id))
    )
    skipped = list(passing)
    if skipped:
        statement = statement.where(col(Registration.slack_id).not_in(skipped))
    if free is not None:
        statement = statement.limit(free)
    moved = []
    for registration in session.exec(statement):
        if offers:
            registration.attendance = Attendance.OFFERED  # their turn in the line is kept while it runs
        else:
            registration.attendance = Attendance.IN_PERSON
            registration.answered_at = now
        session.add(registration)
        moved.append(registration.slack_id)
    session.flush()
    return moved


@dataclass(frozen=True)
class OfferSettled:
    """What became of an offer: where its holder stands now, and who is offered the place next."""

    attendance: Attendance
    offered: tuple[str, ...] = ()


def settle_offer(
    *, session: Session, meeting_id: int, slack_id: str, outcome: Attendance, now: datetime
) -> OfferSettled | None:
    """Close an open offer: taken (IN_PERSON), declined (NOT_COMING) or lapsed (WAITLISTED, at the end of the
    line); a place not taken is offered to the next in line. None when the person holds no offer."""
    _lock(session, meeting_id)
    meeting = session.get(Meeting, meeting_id)
    registration = registration_of(session=session, meeting_id=meeting_id, slack_id=slack_id)
    if meeting is None or registration is None or registration.attendance != Attendance.OFFERED:
        abandon(session)
        return None
    registration.attendance, registration.answered_at = outcome, now
    session.add(registration)
    session.flush()
    offered: list[str] = []
    if outcome != Attendance.IN_PERSON and not meeting.is_cancelled:
        offered = _fill_places(session, meeting, now, offers=True, passing=(slack_id,))
    commit(session)
    return OfferSettled(attendance=outcome, offered=tuple(offered))
