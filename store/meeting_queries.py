"""Reading meetings and their registrations: the lists people see, counts, answers and the waitlist.

Queries only; what changes a meeting or a registration is in store.meetings, which re-exports these.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, bindparam, case, func, not_, or_
from sqlalchemy import select as select_columns
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from store.models import Attendance, Meeting, MeetingStatus, Person, Registration, StoreVersion

ATTENDING = (Attendance.IN_PERSON, Attendance.ONLINE, Attendance.WAITLISTED, Attendance.OFFERED)


@dataclass(frozen=True)
class Counts:
    """How many people answered what."""

    in_person: int = 0
    online: int = 0
    not_coming: int = 0
    waitlisted: int = 0
    provisional: int = 0  # of the in-person places, those of non-members that still give way (set by the caller)

    def places_left(self, capacity: int | None) -> int | None:
        """In-person places still free, or None when there is no limit."""
        return None if capacity is None else max(capacity - self.in_person, 0)


@dataclass(frozen=True, slots=True)
class MeetingName:
    """What tells one meeting from another in a question: its number, its names, its kind, when it is held.

    Read as plain columns, so that matching a question against a few hundred meetings builds no ORM objects;
    the meeting chosen is then read whole.
    """

    id: int
    title: str
    city: str
    venue: str
    country: str
    kind: str
    timezone: str
    starts_at: datetime
    ends_at: datetime


_NAME_COLUMNS = (
    Meeting.id,
    Meeting.title,
    Meeting.city,
    Meeting.venue,
    Meeting.country,
    Meeting.kind,
    Meeting.timezone,
    Meeting.starts_at,
    Meeting.ends_at,
)


def _names(session: Session, statement: Any, now: datetime, limit: int) -> list[MeetingName]:
    return [MeetingName(*row) for row in session.execute(statement, {"now": now, "limit": limit})]


# Another meeting of the same series, to tell a series' next one: made once, as SQLAlchemy then keeps
# what it derives from it (building an alias and its columns anew costs more than running the query).
_SOONER = aliased(Meeting, name="sooner")


def _upcoming_statement(next_of_series: bool) -> SelectOfScalar[Meeting]:
    now: BindParameter[datetime] = bindparam("now")
    live = (col(Meeting.status) == MeetingStatus.SCHEDULED, col(Meeting.ends_at) > now)
    statement = select(Meeting).where(*live)
    if next_of_series:
        sooner = _SOONER
        first = (col(sooner.starts_at) < col(Meeting.starts_at)) | (
            (col(sooner.starts_at) == col(Meeting.starts_at)) & (col(sooner.id) < col(Meeting.id))
        )
        earlier = (
            select(col(sooner.id))
            .where(
                col(sooner.series_id) == col(Meeting.series_id),
                col(sooner.status) == MeetingStatus.SCHEDULED,
                col(sooner.ends_at) > now,
                first,
            )
            .exists()
        )
        statement = statement.where(col(Meeting.series_id).is_(None) | not_(earlier))
    return statement.order_by(col(Meeting.starts_at), col(Meeting.id)).limit(bindparam("limit"))


# The statements people's lists and questions run most, made once with their times and limits as parameters:
# SQLAlchemy then neither builds them again nor works out again which compiled form is theirs.
_UPCOMING = {next_of_series: _upcoming_statement(next_of_series) for next_of_series in (False, True)}
_PAST = (
    select(Meeting)
    .where(col(Meeting.ends_at) <= bindparam("now"))
    .order_by(col(Meeting.starts_at).desc(), col(Meeting.id).desc())
    .limit(bindparam("limit"))
)
_PAST_NAMES = _PAST.with_only_columns(*(col(column) for column in _NAME_COLUMNS))
_CANCELLED = (
    select(Meeting)
    .where(col(Meeting.status) == MeetingStatus.CANCELLED, col(Meeting.ends_at) > bindparam("now"))
    .order_by(col(Meeting.starts_at), col(Meeting.id))
    .limit(bindparam("limit"))
)


def upcoming_meetings(
    *, session: Session, now: datetime, limit: int = 20, next_of_series: bool = False
) -> list[Meeting]:
    """Meetings not yet over and not cancelled, soonest first; with `next_of_series`, a series by its next one only."""
    return list(session.exec(_UPCOMING[next_of_series], params={"now": now, "limit": limit}))


@dataclass(frozen=True)
class NamesNow:
    """The names of the meetings not yet over, as `UpcomingNames` read them for one question."""

    scheduled: tuple[MeetingName, ...]  # as `upcoming_meetings` gives them, in its order
    cancelled: tuple[MeetingName, ...]  # as `cancelled_meetings` gives them, in its order
    version: tuple[Any, ...] = ()  # what the store said of its meetings when they were read


MEETINGS_KEPT = 500  # meetings kept whole for questions; past this many, they are read again


class UpcomingNames:
    """The names of the meetings not yet over, kept between questions and read again when a meeting changed.

    Each use asks the store whether a meeting was added, changed or cancelled since (the counter of changes
    the database moves, `store_versions`: one primary-key lookup), so that a process answers from what the
    store holds, whichever process changed it; the names themselves, a few hundred rows, are read only then,
    or once one of the meetings kept is over. A meeting a question chose is kept whole beside them
    (`meeting`) while the store says that no meeting changed.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: tuple[Any, ...] | None = None
        self._read_at: datetime | None = None
        self._until: datetime | None = None  # when the first of the meetings kept is over
        self._scheduled: tuple[MeetingName, ...] = ()
        self._cancelled: tuple[MeetingName, ...] = ()
        self._meetings: dict[int, Meeting] = {}  # read whole for a question, while `_version` holds

    def read(self, *, session: Session, now: datetime) -> NamesNow:
        """The names as the store has them now: one look at whether a meeting changed, for both lists."""
        version = tuple(session.execute(_MEETINGS_VERSION).one())
        with self._lock:
            fresh = version == self._version and self._read_at is not None and self._read_at <= now
            if fresh and (self._until is None or now < self._until):
                return NamesNow(self._scheduled, self._cancelled, version)
            scheduled: list[MeetingName] = []
            cancelled: list[MeetingName] = []
            for *values, status in session.execute(_NOT_OVER, {"now": now}):
                (cancelled if status == MeetingStatus.CANCELLED else scheduled).append(MeetingName(*values))
            self._version, self._read_at, self._meetings = version, now, {}
            self._until = min((name.ends_at for name in (*scheduled, *cancelled)), default=None)
            self._scheduled, self._cancelled = tuple(scheduled), tuple(cancelled)
            return NamesNow(self._scheduled, self._cancelled, version)

    def meeting(self, *, session: Session, meeting_id: int, names: NamesNow) -> Meeting | None:
        """The meeting, read whole: kept while the store says, as it did when `names` were read, that no
        meeting changed. What it gives is shared by the process's questions, detached from any session:
        read it, never change it."""
        with self._lock:
            kept = self._meetings.get(meeting_id) if names.version == self._version else None
        if kept is not None:
            return kept
        meeting = session.get(Meeting, meeting_id)
        if meeting is None:
            return None
        session.expunge(meeting)
        with self._lock:
            if names.version == self._version:
                if len(self._meetings) >= MEETINGS_KEPT:
                    self._meetings = {}
                self._meetings[meeting_id] = meeting
        return meeting


class UpcomingList:
    """The soonest meetings as `/meetings` and App Home list them (a series by its next one), kept between
    requests and read again when a meeting or a series changed, or once one of them is over.

    Each use asks the store, as `UpcomingNames` does, whether a meeting was added, changed or cancelled, and
    whether a series was (a series split in two makes another meeting the next of its series); the meetings
    themselves are read only then. What it gives is shared by every request of the process: read it, never
    change it (the meetings are detached from any session).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: tuple[Any, ...] | None = None
        self._read_at: datetime | None = None
        self._until: datetime | None = None  # when the first of the meetings kept is over
        self._by_limit: dict[int, tuple[Meeting, ...]] = {}

    def meetings(self, *, session: Session, now: datetime, limit: int) -> list[Meeting]:
        """What `upcoming_meetings(limit=limit, next_of_series=True)` gives, in its order."""
        version = tuple(session.execute(_LISTED_VERSION).one())
        with self._lock:
            fresh = version == self._version and self._read_at is not None and self._read_at <= now
            if not (fresh and (self._until is None or now < self._until)):
                self._version, self._read_at, self._until, self._by_limit = version, now, None, {}
            if (kept := self._by_limit.get(limit)) is not None:
                return list(kept)
            found = upcoming_meetings(session=session, now=now, limit=limit, next_of_series=True)
            for meeting in found:
                session.expunge(meeting)
            ends = min((meeting.ends_at for meeting in found), default=None)
            if ends is not None and (self._until is None or ends < self._until):
                self._until = ends
            self._by_limit[limit] = tuple(found)
            return found


def _version_of(name: str) -> Any:
    """The counter the store moves at every change of a meeting ("meetings") or a series ("series")."""
    return select_columns(col(StoreVersion.version)).where(col(StoreVersion.name) == name).scalar_subquery()


# Whether any meeting was added, changed or cancelled: read before the names kept are used.
_MEETINGS_VERSION = select_columns(_version_of("meetings"))
# The same, and whether any series was added or changed: read before the meetings kept for lists are used.
_LISTED_VERSION = select_columns(_version_of("meetings"), _version_of("series"))
# The names of every meeting not yet over, with whether it is cancelled, soonest first.
_NOT_OVER = (
    select_columns(*(col(column) for column in _NAME_COLUMNS), col(Meeting.status))
    .where(col(Meeting.ends_at) > bindparam("now"))
    .order_by(col(Meeting.starts_at), col(Meeting.id))
)


def next_meeting(*, session: Session, now: datetime) -> Meeting | None:
    """The next meeting not yet over, or None."""
    found = upcoming_meetings(session=session, now=now, limit=1)
    return found[0] if found else None


def past_meetings(*, session: Session, now: datetime, limit: int = 20) -> list[Meeting]:
    """Meetings that have ended (cancelled ones included, marked), most recent first."""
    return list(session.exec(_PAST, params={"now": now, "limit": limit}))


def past_names(*, session: Session, now: datetime, limit: int = 20) -> list[MeetingName]:
    """The names of the meetings `past_meetings` gives, in its order."""
    return _names(session, _PAST_NAMES, now, limit)


def cancelled_meetings(*, session: Session, now: datetime, limit: int = 20) -> list[Meeting]:
    """Cancelled meetings that were still to come, soonest first."""
    return list(session.exec(_CANCELLED, params={"now": now, "limit": limit}))


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


_COUNTS = (
    select(Registration.meeting_id, Registration.attendance, func.count())
    .where(col(Registration.meeting_id).in_(bindparam("ids", expanding=True)))
    .group_by(col(Registration.meeting_id), col(Registration.attendance))
)
# The same, with whether one person's answer is among each meeting's answers of each kind.
_COUNTS_AND_ANSWER = _COUNTS.add_columns(
    func.max(case((col(Registration.slack_id) == bindparam("slack_id"), 1), else_=0))
)
_ANSWER = select(Registration).where(
    col(Registration.meeting_id) == bindparam("meeting_id"), col(Registration.slack_id) == bindparam("slack_id")
)


def counts_for(*, session: Session, meeting_ids: Iterable[int]) -> dict[int, Counts]:
    """How many people answered what, for each of the meetings (one query)."""
    ids = list(meeting_ids)
    if not ids:
        return {}
    found: dict[int, dict[str, int]] = {meeting_id: {} for meeting_id in ids}
    for meeting_id, attendance, count in session.exec(_COUNTS, params={"ids": ids}):
        found[meeting_id][attendance] = count
    return _counted(found)


def counts_and_answers(
    *, session: Session, slack_id: str, meeting_ids: Iterable[int]
) -> tuple[dict[int, Counts], dict[int, Attendance]]:
    """How many answered what, for each of the meetings, and this person's answers to them, in one query."""
    ids = list(meeting_ids)
    if not ids:
        return {}, {}
    found: dict[int, dict[str, int]] = {meeting_id: {} for meeting_id in ids}
    answers: dict[int, Attendance] = {}
    for meeting_id, attendance, count, theirs in session.execute(
        _COUNTS_AND_ANSWER, {"ids": ids, "slack_id": slack_id}
    ):
        found[meeting_id][attendance] = count
        if theirs:
            answers[meeting_id] = Attendance(attendance)
    return _counted(found), answers


def _counted(found: dict[int, dict[str, int]]) -> dict[int, Counts]:
    for values in found.values():  # a place held for an offer is taken
        values[Attendance.IN_PERSON] = values.get(Attendance.IN_PERSON, 0) + values.pop(Attendance.OFFERED, 0)
    return {meeting_id: Counts(**values) for meeting_id, values in found.items()}


def counts(*, session: Session, meeting_id: int) -> Counts:
    """How many people answered what, for one meeting."""
    return counts_for(session=session, meeting_ids=[meeting_id])[meeting_id]


def registration_of(*, session: Session, meeting_id: int, slack_id: str) -> Registration | None:
    """This person's answer to this meeting, if any."""
    return session.exec(_ANSWER, params={"meeting_id": meeting_id, "slack_id": slack_id}).first()


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


def non_members_in_person(*, session: Session, meeting_id: int) -> int:
    """How many in-person places non-members hold."""
    statement = (
        select(func.count())
        .select_from(Registration)
        .join(Person, col(Person.slack_id) == col(Registration.slack_id))
        .where(
            col(Registration.meeting_id) == meeting_id,
            col(Registration.attendance) == Attendance.IN_PERSON,
            ~Person.is_member,
        )
    )
    return int(session.exec(statement).one())
