"""Recaps: what a meeting left (summary, links, the practices presented), one per meeting."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from store.after_models import Recap
from store.db import commit
from store.meetings import lock_meeting


@dataclass(frozen=True)
class RecapFields:
    """What an organiser writes in a recap."""

    summary: str = ""
    slides_url: str = ""
    recording_url: str = ""
    minutes_url: str = ""
    practices: tuple[int, ...] = ()


def get_recap(*, session: Session, meeting_id: int) -> Recap | None:
    """The meeting's recap, if one was written."""
    return session.get(Recap, meeting_id)


def recaps_of(*, session: Session, meeting_ids: Iterable[int]) -> dict[int, Recap]:
    """The recaps of these meetings, by meeting."""
    ids = list(meeting_ids)
    if not ids:
        return {}
    return {r.meeting_id: r for r in session.exec(select(Recap).where(col(Recap.meeting_id).in_(ids)))}


def save_recap(*, session: Session, meeting_id: int, fields: RecapFields, by: str, now: datetime) -> tuple[Recap, bool]:
    """Write the meeting's recap (a new one, or the one there replaced); whether it is new. The meeting is held
    meanwhile, so two organisers saving at once write one after the other."""
    lock_meeting(session, meeting_id)
    recap = session.get(Recap, meeting_id)
    new = recap is None
    if recap is None:
        recap = Recap(meeting_id=meeting_id, created_by=by, created_at=now)
    recap.summary = fields.summary
    recap.slides_url = fields.slides_url
    recap.recording_url = fields.recording_url
    recap.minutes_url = fields.minutes_url
    recap.practices = ",".join(str(n) for n in fields.practices)
    recap.updated_by = by
    recap.updated_at = now
    session.add(recap)
    commit(session)
    session.refresh(recap)
    return recap, new


def set_posted(*, session: Session, meeting_id: int, channel: str, ts: str) -> None:
    """Record where the recap's message is (in the card's thread), in the caller's transaction."""
    recap = session.get(Recap, meeting_id)
    if recap is not None and not recap.posted_ts:
        recap.posted_channel, recap.posted_ts = channel, ts
        session.add(recap)


def all_recaps(*, session: Session) -> list[Recap]:
    """Every recap, by meeting number."""
    return list(session.exec(select(Recap).order_by(col(Recap.meeting_id))))
