"""Queries for exports that span areas: every registration with its meeting and person, and the feedback."""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, literal, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from store.after_models import Action, MeetingGuest, Recap
from store.models import Attendance, Feedback, Meeting, Person, Registration

# The columns of a registrations export, in order.
REGISTRATION_COLUMNS = (
    "meeting_id",
    "meeting_title",
    "meeting_starts_at",
    "meeting_status",
    "slack_id",
    "name",
    "attendance",
    "member",
    "answered_at",
    "attended_at",
    "outcome",  # registered, attended, walk-in, no-show, waitlisted, not coming; guest rows are by name
)
GUEST = "guest"  # the attendance of someone who came without registering and is not in the workspace


def export_registration_rows(engine: Engine, *, batch: int = 1000) -> Generator[dict[str, Any]]:
    """Yield every registration as a flat row, by meeting start then registration, streaming from the database.

    Plain columns are fetched in batches on a server-side cursor (no objects kept in a session),
    so memory does not grow with the count. `member` is whether the group counts the person as one.
    """
    # Without a person row (never the case through the bot) the person counts as a full workspace user.
    other = aliased(Registration)
    taken = exists().where(col(other.meeting_id) == col(Meeting.id), col(other.attended_at).is_not(None))
    query = (
        select(
            col(Registration.meeting_id),
            col(Meeting.title),
            col(Meeting.starts_at),
            col(Meeting.status),
            col(Registration.slack_id),
            func.coalesce(col(Person.display_name), "").label("name"),
            col(Registration.attendance),
            Person.is_member.label("member"),
            col(Registration.answered_at),
            col(Registration.attended_at),
            taken.label("taken"),
        )
        .join(Meeting, col(Meeting.id) == col(Registration.meeting_id))
        .outerjoin(Person, col(Person.slack_id) == col(Registration.slack_id))
        .order_by(col(Meeting.starts_at), col(Meeting.id), col(Registration.id))
    )
    guests = (
        select(
            col(MeetingGuest.meeting_id),
            col(Meeting.title),
            col(Meeting.starts_at),
            col(Meeting.status),
            literal(""),
            col(MeetingGuest.name),
            literal(GUEST),
            literal(False),
            literal(None),
            col(MeetingGuest.added_at),
            literal(True),
        )
        .join(Meeting, col(Meeting.id) == col(MeetingGuest.meeting_id))
        .order_by(col(Meeting.starts_at), col(Meeting.id), col(MeetingGuest.id))
    )
    with Session(engine) as session:
        for statement in (query, guests):
            result = session.execute(statement.execution_options(yield_per=batch, stream_results=True))
            for row in result:
                *columns, answered_at, attended_at, was_taken = row
                outcome = _outcome(columns[6], answered_at, attended_at, bool(was_taken))
                yield dict(zip(REGISTRATION_COLUMNS, [*columns, answered_at, attended_at, outcome], strict=True))


def _outcome(attendance: str, answered_at: datetime | None, attended_at: datetime | None, taken: bool) -> str:
    """What a registration came to: a walk-in's answer and attendance carry the same moment."""
    if attendance == GUEST:
        return "attended"
    if attended_at is not None:
        return "walk-in" if answered_at == attended_at else "attended"
    if attendance in (Attendance.IN_PERSON, Attendance.ONLINE):
        return "no-show" if taken else "registered"
    if attendance in (Attendance.WAITLISTED, Attendance.OFFERED):
        return "waitlisted"
    return "not coming"


# The columns of a feedback export, in order: no one's identity, as the request promises.
FEEDBACK_COLUMNS = ("meeting_id", "meeting_title", "meeting_starts_at", "rating", "comment", "given_at")


def export_feedback_rows(engine: Engine, *, batch: int = 1000) -> Generator[dict[str, Any]]:
    """Yield every rating with its comment and meeting, by meeting start, streaming from the database."""
    query = (
        select(
            col(Feedback.meeting_id),
            col(Meeting.title),
            col(Meeting.starts_at),
            col(Feedback.rating),
            col(Feedback.comment),
            col(Feedback.created_at),
        )
        .join(Meeting, col(Meeting.id) == col(Feedback.meeting_id))
        .order_by(col(Meeting.starts_at), col(Meeting.id), col(Feedback.id))
    )
    with Session(engine) as session:
        result = session.execute(query.execution_options(yield_per=batch, stream_results=True))
        for row in result:
            yield dict(zip(FEEDBACK_COLUMNS, row, strict=True))


RECAP_COLUMNS = (
    "meeting_id",
    "meeting_title",
    "meeting_starts_at",
    "summary",
    "slides_url",
    "recording_url",
    "minutes_url",
    "practices",  # the numbers of the practices presented, "12;40"
    "updated_at",
)


def export_recap_rows(engine: Engine, *, batch: int = 1000) -> Generator[dict[str, Any]]:
    """Yield every recap with its meeting, by meeting start."""
    query = (
        select(
            col(Recap.meeting_id),
            col(Meeting.title),
            col(Meeting.starts_at),
            col(Recap.summary),
            col(Recap.slides_url),
            col(Recap.recording_url),
            col(Recap.minutes_url),
            col(Recap.practices),
            col(Recap.updated_at),
        )
        .join(Meeting, col(Meeting.id) == col(Recap.meeting_id))
        .order_by(col(Meeting.starts_at), col(Meeting.id))
    )
    with Session(engine) as session:
        for row in session.execute(query.execution_options(yield_per=batch, stream_results=True)):
            values = dict(zip(RECAP_COLUMNS, row, strict=True))
            values["practices"] = str(values["practices"]).replace(",", ";")
            yield values


ACTION_COLUMNS = (
    "action_id",
    "title",
    "owner_slack_id",
    "owner_name",
    "due_on",
    "status",
    "meeting_id",
    "meeting_title",
    "created_at",
    "closed_at",
)


def export_action_rows(engine: Engine, *, batch: int = 1000) -> Generator[dict[str, Any]]:
    """Yield every action with its owner and meeting, by number."""
    query = (
        select(
            col(Action.id),
            col(Action.title),
            col(Action.owner_id),
            func.coalesce(col(Person.display_name), ""),
            col(Action.due_on),
            col(Action.status),
            col(Action.meeting_id),
            func.coalesce(col(Meeting.title), ""),
            col(Action.created_at),
            col(Action.closed_at),
        )
        .outerjoin(Person, col(Person.slack_id) == col(Action.owner_id))
        .outerjoin(Meeting, col(Meeting.id) == col(Action.meeting_id))
        .order_by(col(Action.id))
    )
    with Session(engine) as session:
        for row in session.execute(query.execution_options(yield_per=batch, stream_results=True)):
            yield dict(zip(ACTION_COLUMNS, row, strict=True))
