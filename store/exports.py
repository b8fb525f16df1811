"""Queries for exports that span areas: every registration with its meeting and person, and the feedback."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from store.models import Feedback, Meeting, Person, Registration

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
)


def export_registration_rows(engine: Engine, *, batch: int = 1000) -> Generator[dict[str, Any]]:
    """Yield every registration as a flat row, by meeting start then registration, streaming from the database.

    Plain columns are fetched in batches on a server-side cursor (no objects kept in a session),
    so memory does not grow with the count. `member` is whether the group counts the person as one.
    """
    # Without a person row (never the case through the bot) the person counts as a full workspace user.
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
        )
        .join(Meeting, col(Meeting.id) == col(Registration.meeting_id))
        .outerjoin(Person, col(Person.slack_id) == col(Registration.slack_id))
        .order_by(col(Meeting.starts_at), col(Meeting.id), col(Registration.id))
    )
    with Session(engine) as session:
        result = session.execute(query.execution_options(yield_per=batch, stream_results=True))
        for row in result:
            yield dict(zip(REGISTRATION_COLUMNS, row, strict=True))


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
