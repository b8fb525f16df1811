"""Meetings that repeat: a series, its meetings created ahead, and edits to several of them at once.

The store keeps the rule as RRULE text and its first start; the caller expands it (bot.language.repeats)
and hands the starts in. A series' meetings are ordinary meetings that carry `series_id` and the start
the rule gave them (`occurrence_at`): unique together, so that two processes creating the same meeting
create it once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import fields, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from store.db import commit
from store.meetings import MeetingDraft
from store.models import Meeting, MeetingSeries, MeetingStatus

_MOMENTS = ("starts_at", "ends_at", "registration_deadline")


def as_utc(moment: datetime) -> datetime:
    """`moment` in UTC (the unique pair compares equal on both engines)."""
    return moment.astimezone(UTC)


def template_json(draft: MeetingDraft) -> str:
    """A meeting's fields as the JSON a series keeps."""
    values = draft.values()
    for name in _MOMENTS:
        if values[name] is not None:
            values[name] = values[name].isoformat()
    return json.dumps(values, separators=(",", ":"), sort_keys=True)


def template_of(series: MeetingSeries) -> MeetingDraft:
    """The first meeting's fields, as the series keeps them."""
    values: dict[str, Any] = json.loads(series.template)
    for name in _MOMENTS:
        if values.get(name):
            values[name] = datetime.fromisoformat(values[name])
    known = {f.name for f in fields(MeetingDraft)}
    return MeetingDraft(**{name: value for name, value in values.items() if name in known})


def draft_at(template: MeetingDraft, start: datetime) -> MeetingDraft:
    """The template's meeting moved to `start` (aware, in the meeting's zone): the same length on the wall clock,
    the deadline as long before."""
    zone = start.tzinfo
    first = template.starts_at.astimezone(zone)
    wall_length = template.ends_at.astimezone(zone).replace(tzinfo=None) - first.replace(tzinfo=None)
    end = (start.replace(tzinfo=None) + wall_length).replace(tzinfo=zone)
    deadline = template.registration_deadline
    moved = None if deadline is None else start - (template.starts_at - deadline)
    return replace(template, starts_at=as_utc(start), ends_at=as_utc(end), registration_deadline=moved)


def create_series(
    *, session: Session, rule: str, template: MeetingDraft, created_by: str, now: datetime
) -> MeetingSeries:
    """Store a new series (its meetings are added by `add_meetings`)."""
    return _new_series(session, rule=rule, template=template, created_by=created_by, announced=False, now=now)


def _new_series(
    session: Session, *, rule: str, template: MeetingDraft, created_by: str, announced: bool, now: datetime
) -> MeetingSeries:
    series = MeetingSeries(
        rule=rule,
        timezone=template.timezone,
        starts_at=template.starts_at,
        template=template_json(template),
        announced=announced,
        created_by=created_by,
        created_at=now,
        updated_at=now,
    )
    session.add(series)
    commit(session)
    session.refresh(series)
    return series


def get_series(*, session: Session, series_id: int) -> MeetingSeries | None:
    """The series with this id, if there is one."""
    return session.get(MeetingSeries, series_id)


def series_of(*, session: Session, ids: Iterable[int]) -> dict[int, MeetingSeries]:
    """The series with these ids, by id."""
    wanted = set(ids)
    if not wanted:
        return {}
    found = session.exec(select(MeetingSeries).where(col(MeetingSeries.id).in_(wanted))).all()
    return {series.id or 0: series for series in found}


def all_series(*, session: Session) -> list[MeetingSeries]:
    """Every series, oldest first (the scheduler creates their meetings ahead)."""
    return list(session.exec(select(MeetingSeries).order_by(col(MeetingSeries.id))).all())


def lock_series(session: Session, series_id: int) -> None:
    """Hold the series until the transaction ends: SQLite's write lock, PostgreSQL's row lock."""
    session.execute(
        update(MeetingSeries).where(col(MeetingSeries.id) == series_id).values(sequence=col(MeetingSeries.sequence))
    )


def occurrences(*, session: Session, series_id: int) -> list[Meeting]:
    """Every meeting of the series that exists, cancelled ones too, by the start the rule gave them."""
    statement = select(Meeting).where(col(Meeting.series_id) == series_id).order_by(col(Meeting.occurrence_at))
    return list(session.exec(statement).all())


def add_meetings(
    *, session: Session, series: MeetingSeries, starts: Sequence[datetime], created_by: str, now: datetime
) -> list[Meeting]:
    """Create the series' meetings at these starts (as its rule gave them) that do not exist yet; return the new ones.

    The caller holds the series (`lock_series`), so that no other process creates them meanwhile.
    """
    have = {as_utc(m.occurrence_at) for m in occurrences(session=session, series_id=series.id or 0) if m.occurrence_at}
    template = template_of(series)
    created = []
    for start in starts:
        if as_utc(start) in have:
            continue
        draft = draft_at(template, start)
        meeting = Meeting(
            **draft.values(),
            series_id=series.id,
            occurrence_at=as_utc(start),
            created_by=created_by,
            created_at=now,
            updated_at=now,
        )
        session.add(meeting)
        created.append(meeting)
    if created:
        commit(session)
        for meeting in created:
            session.refresh(meeting)
    return created


def set_template(*, session: Session, series: MeetingSeries, template: MeetingDraft, now: datetime) -> None:
    """Keep new fields for the series' meetings still to be created (and for its calendar event)."""
    series.template = template_json(template)
    series.timezone = template.timezone
    series.starts_at = template.starts_at
    series.sequence += 1
    series.updated_at = now
    session.add(series)
    commit(session)


def split(
    *, session: Session, series: MeetingSeries, ended_rule: str, rule: str, template: MeetingDraft, now: datetime
) -> MeetingSeries:
    """End `series` with `ended_rule` and go on with a new series from `template`'s meeting (its first)."""
    series.rule = ended_rule
    series.sequence += 1
    series.updated_at = now
    session.add(series)
    return _new_series(
        session, rule=rule, template=template, created_by=series.created_by, announced=series.announced, now=now
    )


def move_to(
    *, session: Session, meeting: Meeting, series: MeetingSeries, occurrence_at: datetime, now: datetime
) -> None:
    """Make `meeting` a meeting of `series`, at the start its rule gives it there."""
    meeting.series_id = series.id
    meeting.occurrence_at = as_utc(occurrence_at)
    meeting.updated_at = now
    session.add(meeting)
    commit(session)


def set_announced(*, session: Session, series_id: int) -> None:
    """Have the series' meetings announced, each when it is the next one."""
    session.execute(update(MeetingSeries).where(col(MeetingSeries.id) == series_id).values(announced=True))
    commit(session)


def next_of_series(*, session: Session, series_id: int, now: datetime) -> Meeting | None:
    """The series' next meeting not yet over and not cancelled."""
    statement = (
        select(Meeting)
        .where(
            col(Meeting.series_id) == series_id,
            col(Meeting.ends_at) > now,
            col(Meeting.status) == MeetingStatus.SCHEDULED,
        )
        .order_by(col(Meeting.starts_at))
        .limit(1)
    )
    return session.exec(statement).first()


def latest_start(meetings: Iterable[Meeting]) -> datetime | None:
    """The last start the rule gave among these meetings."""
    found = [as_utc(m.occurrence_at) for m in meetings if m.occurrence_at is not None]
    return max(found) if found else None
