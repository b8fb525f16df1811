"""Feedback on meetings: one rating (1 to 5) and one comment per person and meeting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from store.db import commit
from store.models import Attendance, Feedback, PostKind, PostStatus, Registration, ScheduledPost

RATINGS = range(1, 6)


@dataclass(frozen=True)
class Rated:
    """What a rating came to: the feedback as stored, and whether this press stored it."""

    feedback: Feedback
    new: bool


def was_asked(*, session: Session, meeting_id: int, slack_id: str) -> bool:
    """Whether the bot asked `slack_id` for feedback on the meeting (its request was sent)."""
    statement = select(
        exists().where(
            col(ScheduledPost.kind) == PostKind.FEEDBACK_DM,
            col(ScheduledPost.meeting_id) == meeting_id,
            col(ScheduledPost.channel) == slack_id,
            col(ScheduledPost.status) == PostStatus.SENT,
        )
    )
    return bool(session.exec(statement).one())


def feedback_of(*, session: Session, meeting_id: int, slack_id: str) -> Feedback | None:
    """Someone's feedback on a meeting, if they gave it."""
    statement = select(Feedback).where(col(Feedback.meeting_id) == meeting_id, col(Feedback.slack_id) == slack_id)
    return session.exec(statement).first()


def rate(*, session: Session, meeting_id: int, slack_id: str, rating: int, now: datetime) -> Rated:
    """Store a rating, unless one is stored already (which stays as it was)."""
    if rating not in RATINGS:
        raise ValueError(f"a rating is 1 to 5, not {rating}")
    earlier = feedback_of(session=session, meeting_id=meeting_id, slack_id=slack_id)
    if earlier is not None:
        return Rated(earlier, new=False)
    feedback = Feedback(meeting_id=meeting_id, slack_id=slack_id, rating=rating, created_at=now, updated_at=now)
    session.add(feedback)
    try:
        commit(session)
    except IntegrityError:  # the same person's other press, at the same moment: theirs stands
        session.rollback()
        stored = feedback_of(session=session, meeting_id=meeting_id, slack_id=slack_id)
        assert stored is not None
        return Rated(stored, new=False)
    session.refresh(feedback)
    return Rated(feedback, new=True)


def add_comment(*, session: Session, meeting_id: int, slack_id: str, comment: str, now: datetime) -> Feedback | None:
    """Keep someone's comment beside their rating, once; None when they gave no rating, or commented before."""
    feedback = feedback_of(session=session, meeting_id=meeting_id, slack_id=slack_id)
    if feedback is None or feedback.comment:
        return None
    feedback.comment = comment
    feedback.updated_at = now
    session.add(feedback)
    commit(session)
    session.refresh(feedback)
    return feedback


@dataclass(frozen=True)
class Results:
    """A meeting's feedback: how many gave each rating, and the comments, oldest first."""

    counts: dict[int, int]
    comments: list[str]

    @property
    def total(self) -> int:
        """How many rated the meeting."""
        return sum(self.counts.values())

    @property
    def average(self) -> float | None:
        """The average rating, or None when nobody rated."""
        return sum(r * n for r, n in self.counts.items()) / self.total if self.total else None


def results(*, session: Session, meeting_id: int) -> Results:
    """A meeting's feedback, without who gave it."""
    rows = session.exec(select(Feedback).where(col(Feedback.meeting_id) == meeting_id).order_by(col(Feedback.id))).all()
    counts = {rating: 0 for rating in RATINGS}
    for row in rows:
        counts[row.rating] = counts.get(row.rating, 0) + 1
    return Results(counts, [row.comment for row in rows if row.comment])


def who_took_part(*, session: Session, meeting_id: int) -> list[str]:
    """Who came, where attendance was taken (someone said "I'm here"); else who was registered to come, in person
    or online (not those waiting, nor those who said they could not)."""
    came = session.exec(
        select(Registration.slack_id)
        .where(col(Registration.meeting_id) == meeting_id, col(Registration.attended_at).is_not(None))
        .order_by(col(Registration.id))
    ).all()
    if came:
        return list(came)
    statement = (
        select(Registration.slack_id)
        .where(
            col(Registration.meeting_id) == meeting_id,
            col(Registration.attendance).in_((Attendance.IN_PERSON, Attendance.ONLINE)),
        )
        .order_by(col(Registration.id))
    )
    return list(session.exec(statement))
