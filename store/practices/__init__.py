"""Queries about practices: sharing, moderation, useful-marks, listing, ranked search, figures, export."""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, func, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, col, select

from store.db import commit, upsert
from store.models import PRACTICE_LANGUAGE, Person, Practice, PracticeStatus, UsefulMark
from store.practices._fields import (
    COUNTRY_LIMIT,
    EDITABLE,
    FIELDS,
    ORGANISATION_LIMIT,
    TEXT_LIMIT,
    TITLE_LIMIT,
    URL_LIMIT,
    PracticeDraft,
    PracticeField,
)
from store.practices._index import DEFAULT_LANGUAGES, INDEXED, indexed_columns
from store.practices._search import (
    CANDIDATES,
    MATCH_END,
    MATCH_START,
    MAX_SEARCH_WORDS,
    Hit,
    SearchResult,
    Vocabulary,
    passage,
    search,
    search_words,
    tidy,
)

__all__ = [
    "CANDIDATES",
    "COUNTRY_LIMIT",
    "DEFAULT_LANGUAGES",
    "EDITABLE",
    "FIELDS",
    "MATCH_END",
    "MATCH_START",
    "MAX_SEARCH_WORDS",
    "ORGANISATION_LIMIT",
    "TEXT_LIMIT",
    "TITLE_LIMIT",
    "URL_LIMIT",
    "Hit",
    "PracticeDraft",
    "PracticeField",
    "SearchResult",
    "Vocabulary",
    "passage",
    "search",
    "search_words",
    "tidy",
]


@dataclass(frozen=True)
class Page:
    """One page of a list, newest first, and how many there are in all."""

    practices: list[Practice]
    total: int
    offset: int
    limit: int

    @property
    def has_more(self) -> bool:
        """Whether there is a next page."""
        return self.offset + len(self.practices) < self.total


@dataclass(frozen=True)
class Figures:
    """Counts of published practices: the evidence the group benchmarks with."""

    total: int
    by_topic: list[tuple[str, int]]
    by_kind: list[tuple[str, int]]
    by_country: list[tuple[str, int]]
    by_month: list[tuple[str, int]]  # "2026-11", oldest first
    by_topic_and_country: list[tuple[str, str, int]]


def create_practice(
    *,
    session: Session,
    draft: PracticeDraft,
    author: str,
    now: datetime,
    moderated: bool,
    language: str = PRACTICE_LANGUAGE,
) -> Practice:
    """Store a new practice written in `language`: published at once, or pending when the group moderates.

    Its words go into the full-text index stemmed in that language.
    """
    status = PracticeStatus.PENDING if moderated else PracticeStatus.PUBLISHED
    values: dict[str, Any] = {**draft.values(), "language": language}
    values.update(indexed_columns(values))
    practice = Practice(
        **values,
        author=author,
        status=status,
        created_at=now,
        updated_at=now,
        published_at=None if moderated else now,
    )
    session.add(practice)
    commit(session)
    session.refresh(practice)
    return practice


def get_practice(*, session: Session, practice_id: int) -> Practice | None:
    """Return one practice, whatever its status."""
    return session.get(Practice, practice_id)


def update_practice(
    *,
    session: Session,
    practice_id: int,
    draft: PracticeDraft,
    now: datetime,
    moderated: bool = False,
    language: str | None = None,
) -> Practice | None:
    """Replace the editable fields of a practice, and its language when given; None if it is gone.

    The full-text index follows the new words. A rejected practice, once changed, goes back for
    approval (or is published, without moderation).
    """
    practice = session.get(Practice, practice_id)
    if practice is None:
        return None
    values = {**draft.values(), "language": language or practice.language}
    for name, value in {**values, **indexed_columns(values)}.items():
        setattr(practice, name, value)
    for name in INDEXED:  # written together, changed or not: PostgreSQL's index is built from all three at once
        flag_modified(practice, name)
    practice.updated_at = now
    if practice.status == PracticeStatus.REJECTED:
        practice.status = PracticeStatus.PENDING if moderated else PracticeStatus.PUBLISHED
        practice.reject_reason = ""
        if not moderated:
            practice.published_at = now
    session.add(practice)
    commit(session)
    session.refresh(practice)
    return practice


def delete_practice(*, session: Session, practice_id: int) -> Practice | None:
    """Delete a practice and its useful-marks; return it as it was (for removing its card), or None."""
    practice = session.get(Practice, practice_id)
    if practice is None:
        return None
    session.exec(delete(UsefulMark).where(col(UsefulMark.practice_id) == practice_id))
    session.delete(practice)
    commit(session)
    return practice


def set_card(*, session: Session, practice_id: int, channel: str, ts: str) -> None:
    """Remember where a practice's card was posted."""
    session.exec(update(Practice).where(col(Practice.id) == practice_id).values(card_channel=channel, card_ts=ts))
    commit(session)


def moderate(
    *, session: Session, practice_id: int, approve: bool, moderator: str, now: datetime, reason: str = ""
) -> Practice | None:
    """Approve or reject a pending practice; None if it is gone or was already decided (by someone else)."""
    values: dict[str, Any] = {"moderated_by": moderator, "updated_at": now}
    if approve:
        values.update(status=PracticeStatus.PUBLISHED, published_at=now)
    else:
        values.update(status=PracticeStatus.REJECTED, reject_reason=reason)
    decided = session.exec(
        update(Practice)
        .where(col(Practice.id) == practice_id, col(Practice.status) == PracticeStatus.PENDING)
        .values(**values)
    )
    commit(session)
    if decided.rowcount != 1:
        return None
    practice = session.get(Practice, practice_id)
    if practice is not None:
        session.refresh(practice)
    return practice


def pending(*, session: Session, limit: int = 50) -> list[Practice]:
    """The moderation queue, oldest first."""
    query = (
        select(Practice)
        .where(col(Practice.status) == PracticeStatus.PENDING)
        .order_by(col(Practice.created_at), col(Practice.id))
        .limit(limit)
    )
    return list(session.exec(query))


def pending_count(*, session: Session) -> int:
    """How many practices wait for an organiser."""
    query = select(func.count()).select_from(Practice).where(col(Practice.status) == PracticeStatus.PENDING)
    return int(session.exec(query).one())


def list_practices(
    *,
    session: Session,
    topic: str | None = None,
    kind: str | None = None,
    country: str | None = None,
    author: str | None = None,
    statuses: Sequence[str] = (PracticeStatus.PUBLISHED,),
    offset: int = 0,
    limit: int = 10,
) -> Page:
    """A page of practices, newest first, filtered by topic, kind, country or author."""
    conditions: list[ColumnElement[bool]] = [col(Practice.status).in_(list(statuses))]
    for column, value in ((Practice.topic, topic), (Practice.kind, kind), (Practice.country, country)):
        if value:
            conditions.append(col(column) == value)
    if author:
        conditions.append(col(Practice.author) == author)
    total = int(session.exec(select(func.count()).select_from(Practice).where(*conditions)).one())
    query = (
        select(Practice)
        .where(*conditions)
        .order_by(col(Practice.created_at).desc(), col(Practice.id).desc())
        .offset(offset)
        .limit(limit)
    )
    return Page(practices=list(session.exec(query)), total=total, offset=offset, limit=limit)


def newest(*, session: Session, limit: int = 5) -> list[Practice]:
    """The newest published practices."""
    return list_practices(session=session, limit=limit).practices


def published_between(*, session: Session, start: datetime, end: datetime, limit: int = 50) -> list[Practice]:
    """Practices published in [start, end), oldest first (what a digest of the period lists)."""
    query = (
        select(Practice)
        .where(
            col(Practice.status) == PracticeStatus.PUBLISHED,
            col(Practice.published_at) >= start,
            col(Practice.published_at) < end,
        )
        .order_by(col(Practice.published_at), col(Practice.id))
        .limit(limit)
    )
    return list(session.exec(query))


def mark_useful(*, session: Session, practice_id: int, slack_id: str, now: datetime) -> tuple[bool, int]:
    """Toggle `slack_id`'s useful-mark on a practice; return whether it is marked now, and the count."""
    removed = session.exec(
        delete(UsefulMark).where(col(UsefulMark.practice_id) == practice_id, col(UsefulMark.slack_id) == slack_id)
    )
    if removed.rowcount == 0:
        # A second press of the same person at the same moment finds the mark made: it stays marked.
        session.execute(
            upsert(session, UsefulMark)
            .values(practice_id=practice_id, slack_id=slack_id, created_at=now)
            .on_conflict_do_nothing()
        )
    commit(session)
    return removed.rowcount == 0, useful_count(session=session, practice_id=practice_id)


def marked_by(*, session: Session, practice_id: int, slack_id: str) -> bool:
    """Whether `slack_id` marked the practice useful."""
    query = select(func.count()).where(col(UsefulMark.practice_id) == practice_id, col(UsefulMark.slack_id) == slack_id)
    return bool(session.exec(query).one())


def useful_count(*, session: Session, practice_id: int) -> int:
    """How many people marked a practice useful."""
    query = select(func.count()).select_from(UsefulMark).where(col(UsefulMark.practice_id) == practice_id)
    return int(session.exec(query).one())


def useful_counts(*, session: Session, practice_ids: Sequence[int]) -> dict[int, int]:
    """Useful counts for several practices at once (missing ids count 0)."""
    if not practice_ids:
        return {}
    return {int(pid): int(count) for pid, count in session.exec(_USEFUL_COUNTS, params={"ids": list(practice_ids)})}


# Made once, the ids a parameter: every list and search of practices runs it.
_USEFUL_COUNTS = (
    select(UsefulMark.practice_id, func.count())
    .where(col(UsefulMark.practice_id).in_(bindparam("ids", expanding=True)))
    .group_by(col(UsefulMark.practice_id))
)


def figures(*, session: Session) -> Figures:
    """Counts of published practices by topic, kind, country, month, and topic with country."""
    published = col(Practice.status) == PracticeStatus.PUBLISHED

    def by(column: Any) -> list[tuple[str, int]]:
        query = select(column, func.count()).where(published).group_by(column).order_by(func.count().desc(), column)
        return [(str(value or ""), int(count)) for value, count in session.exec(query)]

    if session.get_bind().dialect.name == "sqlite":
        month: Any = func.strftime("%Y-%m", col(Practice.created_at))
    else:
        month = func.to_char(func.timezone("UTC", col(Practice.created_at)), "YYYY-MM")
    months = session.exec(select(month, func.count()).where(published).group_by(month).order_by(month))
    pairs = session.exec(
        select(Practice.topic, Practice.country, func.count())
        .where(published)
        .group_by(col(Practice.topic), col(Practice.country))
        .order_by(col(Practice.topic), col(Practice.country))
    )
    by_topic = by(Practice.topic)
    return Figures(
        total=sum(count for _, count in by_topic),
        by_topic=by_topic,
        by_kind=by(Practice.kind),
        by_country=by(Practice.country),
        by_month=[(str(value), int(count)) for value, count in months],
        by_topic_and_country=[(str(t), str(c or ""), int(n)) for t, c, n in pairs],
    )


# The columns of an export, in order.
EXPORT_COLUMNS = (
    "id",
    *EDITABLE,
    "author",
    "author_name",
    "status",
    "useful",
    "created_at",
    "updated_at",
    "published_at",
)


def export_rows(
    engine: Engine, *, statuses: Sequence[str] = (PracticeStatus.PUBLISHED,), batch: int = 1000
) -> Generator[dict[str, Any], None, None]:
    """Yield every practice with the given statuses as a flat row, oldest first, streaming from the database.

    Rows are fetched in batches on a server-side cursor, so memory does not grow with the count.
    """
    useful = (
        select(UsefulMark.practice_id, func.count().label("useful")).group_by(col(UsefulMark.practice_id)).subquery()
    )
    table = sa_inspect(Practice).local_table  # plain columns, in the export's order: no object is built per row
    computed = {
        "author_name": func.coalesce(col(Person.display_name), "").label("author_name"),
        "useful": func.coalesce(useful.c.useful, 0).label("useful"),
    }
    query = (
        select(*(computed[name] if name in computed else table.c[name] for name in EXPORT_COLUMNS))
        .select_from(table)
        .outerjoin(Person, col(Person.slack_id) == table.c.author)
        .outerjoin(useful, useful.c.practice_id == table.c.id)
        .where(table.c.status.in_(list(statuses)))
        .order_by(table.c.id)
    )
    with engine.connect() as connection:
        result = connection.execution_options(stream_results=True, yield_per=batch).execute(query)
        for row in result:
            yield dict(zip(EXPORT_COLUMNS, row, strict=True))
