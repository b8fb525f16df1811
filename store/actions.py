"""Concrete actions: agreed at a meeting (or on their own), owned by one person, open until done or dropped."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, or_, select

from store.after_models import Action, ActionStatus
from store.db import commit
from store.models import Meeting
from store.people import ensure_person


@dataclass(frozen=True)
class NewAction:
    """An action to write: what, who owns it, and by when."""

    title: str
    owner: str
    due: date | None = None


def create_actions(
    *, session: Session, actions: Sequence[NewAction], meeting_id: int | None, by: str, now: datetime
) -> list[Action]:
    """Write the actions (in the caller's transaction, when there is one)."""
    written = []
    for new in actions:
        ensure_person(session=session, slack_id=new.owner)
        action = Action(
            title=new.title,
            owner_id=new.owner,
            due_on=new.due,
            meeting_id=meeting_id,
            created_by=by,
            created_at=now,
            updated_at=now,
        )
        session.add(action)
        written.append(action)
    commit(session)
    for action in written:
        session.refresh(action)
    return written


def get_action(*, session: Session, action_id: int) -> Action | None:
    """One action, by number."""
    return session.get(Action, action_id)


def list_actions(
    *,
    session: Session,
    owner: str | None = None,
    meeting_id: int | None = None,
    statuses: Sequence[str] = (ActionStatus.OPEN,),
    limit: int = 50,
) -> list[Action]:
    """Actions by due date (those without one last), then by number; of one owner or one meeting if given."""
    statement = select(Action).where(col(Action.status).in_(list(statuses)))
    if owner is not None:
        statement = statement.where(col(Action.owner_id) == owner)
    if meeting_id is not None:
        statement = statement.where(col(Action.meeting_id) == meeting_id)
    statement = statement.order_by(col(Action.due_on).is_(None), col(Action.due_on), col(Action.id)).limit(limit)
    return list(session.exec(statement))


def set_status(*, session: Session, action: Action, status: ActionStatus, now: datetime) -> bool:
    """Close (or reopen) an action; whether it changed."""
    if action.status == status:
        return False
    action.status = status
    action.updated_at = now
    action.closed_at = None if status == ActionStatus.OPEN else now
    session.add(action)
    commit(session)
    return True


def due_or_closed(*, session: Session, due_by: date, closed_since: datetime, limit: int = 20) -> list[Action]:
    """For the digest: open actions due by `due_by` (overdue ones too), and those done since `closed_since`."""
    statement = (
        select(Action)
        .where(
            or_(
                (col(Action.status) == ActionStatus.OPEN) & (col(Action.due_on) <= due_by),
                (col(Action.status) == ActionStatus.DONE) & (col(Action.closed_at) >= closed_since),
            )
        )
        .order_by(col(Action.status), col(Action.due_on), col(Action.id))
        .limit(limit)
    )
    return list(session.exec(statement))


def meeting_titles(*, session: Session, actions: Sequence[Action]) -> dict[int, str]:
    """The titles of the meetings these actions were agreed at, by meeting, in one query."""
    ids = {a.meeting_id for a in actions if a.meeting_id is not None}
    if not ids:
        return {}
    rows = session.exec(select(Meeting.id, Meeting.title).where(col(Meeting.id).in_(ids)))
    return {meeting_id or 0: title for meeting_id, title in rows}


def all_actions(*, session: Session) -> list[Action]:
    """Every action, by number (for the export)."""
    return list(session.exec(select(Action).order_by(col(Action.id))))
