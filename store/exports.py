"""Queries for exports that span areas: every registration with its meeting and person."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from store.models import Meeting, Membership, Person, Registration

# The columns of a registrations export, in order.
REGISTRATION_COLUMNS = (
    "meeting_id",
    "meeting_title",
    "meeting_starts_at",
    "slack_id",
    "name",
    "attendance",
    "member",
    "answered_at",
)


def export_registration_rows(engine: Engine, *, batch: int = 1000) -> Iterator[dict[str, Any]]:
    """Yield every registration as a flat row, by meeting start then registration, streaming from the database.

    Plain columns are fetched in batches on a server-side cursor (no objects kept in a session),
    so memory does not grow with the count. `member` is whether the group counts the person as one.
    """
    query = (
        select(
            col(Registration.meeting_id),
            col(Meeting.title),
            col(Meeting.starts_at),
            col(Registration.slack_id),
            func.coalesce(col(Person.display_name), "").label("name"),
            col(Registration.attendance),
            col(Person.membership),
            col(Person.is_guest),
            col(Registration.answered_at),
        )
        .join(Meeting, col(Meeting.id) == col(Registration.meeting_id))
        .outerjoin(Person, col(Person.slack_id) == col(Registration.slack_id))
        .order_by(col(Meeting.starts_at), col(Meeting.id), col(Registration.id))
    )
    with Session(engine) as session:
        result = session.execute(query.execution_options(yield_per=batch, stream_results=True))
        for meeting_id, title, starts_at, slack_id, name, attendance, membership, is_guest, answered_at in result:
            # The same rule as Person.is_member, applied to the two columns it reads.
            person = Person(slack_id=slack_id, membership=membership or Membership.AUTO, is_guest=bool(is_guest))
            yield {
                "meeting_id": int(meeting_id),
                "meeting_title": title,
                "meeting_starts_at": starts_at,
                "slack_id": slack_id,
                "name": name,
                "attendance": attendance,
                "member": person.is_member,
                "answered_at": answered_at,
            }
