"""Scheduled posts: planning them once, claiming them atomically, and recording how each attempt went.

Every post is a row before anything is posted. A process claims due rows with one statement
that only one process can win for a row (PostgreSQL: `FOR UPDATE SKIP LOCKED`; SQLite: the
database's single writer), under a lease: a process that dies while posting leaves rows in
`sending`, and once the lease runs out another process claims them again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import and_, bindparam, case, func, or_, update
from sqlalchemy import select as select_columns
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from store.db import commit, in_transaction, on_its_own, rows_changed
from store.models import PostStatus, ScheduledPost

DEFAULT_LEASE = timedelta(minutes=2)
ERROR_LIMIT = 1000


@dataclass(frozen=True)
class PlannedPost:
    """What to post, where and when, under a key that names it once and for all."""

    key: str
    kind: str
    channel: str
    due_at: datetime
    meeting_id: int | None = None
    payload: str = ""


def plan(*, session: Session, posts: Sequence[PlannedPost], now: datetime) -> int:
    """Insert each post unless its key exists; a pending one with the key takes the new time and content.

    Posts already sending, sent, failed, skipped or cancelled are left as they are, so planning
    the same reminder again never posts it twice. Returns how many rows were inserted or changed.
    """
    if not posts:
        return 0
    rows = [
        {
            "key": post.key,
            "kind": post.kind,
            "channel": post.channel,
            "meeting_id": post.meeting_id,
            "payload": post.payload,
            "due_at": post.due_at,
            "status": PostStatus.PENDING,
            "attempts": 0,
            "last_error": "",
            "claimed_by": "",
            "created_at": now,
            "updated_at": now,
        }
        for post in posts
    ]
    # One statement, its rows sent in batches within the engine's bound-parameter limit.
    changed = len(session.execute(_upsert(session.get_bind().dialect.name), rows).all())
    commit(session)
    return changed


@cache
def _upsert(dialect: str) -> Any:
    """The insert-or-update of `plan`, made once for each engine so that its compiled form is reused."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = ScheduledPost.__table__  # type: ignore[attr-defined]  # the table: a Core statement, many rows
    statement = insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=["key"],
        set_={
            "channel": statement.excluded.channel,
            "payload": statement.excluded.payload,
            "due_at": statement.excluded.due_at,
            "updated_at": statement.excluded.updated_at,
        },
        # Only a pending row that would change: re-planning the same thing writes nothing.
        where=and_(
            table.c.status == PostStatus.PENDING,
            or_(
                table.c.channel != statement.excluded.channel,
                table.c.payload != statement.excluded.payload,
                table.c.due_at != statement.excluded.due_at,
            ),
        ),
    )
    return statement.returning(table.c.id)


def cancel(*, session: Session, now: datetime, meeting_id: int | None = None, keys: Sequence[str] = ()) -> int:
    """Cancel the pending posts of a meeting, or with the given keys; return how many."""
    conditions: list[Any] = []
    if meeting_id is not None:
        conditions.append(col(ScheduledPost.meeting_id) == meeting_id)
    if keys:
        conditions.append(col(ScheduledPost.key).in_(list(keys)))
    if not conditions:
        return 0
    result = session.execute(
        update(ScheduledPost)
        .where(or_(*conditions), col(ScheduledPost.status) == PostStatus.PENDING)
        .values(status=PostStatus.CANCELLED, updated_at=now)
    )
    commit(session)
    return rows_changed(result)


def cancel_stale(
    *, session: Session, now: datetime, prefix: str, keep_prefix: str, keep_keys: Sequence[str], kinds: Sequence[str]
) -> int:
    """Cancel pending posts under `prefix` that a new plan no longer holds; return how many.

    A row goes if its key is not under `keep_prefix` (it was planned for another time), or if
    it is of one of `kinds` and not among `keep_keys` (its offset or kind was dropped).
    """
    result = session.execute(
        update(ScheduledPost)
        .where(
            col(ScheduledPost.status) == PostStatus.PENDING,
            col(ScheduledPost.key).startswith(prefix, autoescape=True),
            or_(
                ~col(ScheduledPost.key).startswith(keep_prefix, autoescape=True),
                and_(col(ScheduledPost.kind).in_(list(kinds)), col(ScheduledPost.key).not_in(list(keep_keys) or [""])),
            ),
        )
        .values(status=PostStatus.CANCELLED, updated_at=now)
    )
    commit(session)
    return rows_changed(result)


def cancel_future(*, session: Session, now: datetime, kind: str, keep_key: str = "") -> int:
    """Cancel the pending posts of `kind` due after `now`, except `keep_key` (a schedule changed or was turned off)."""
    result = session.execute(
        update(ScheduledPost)
        .where(
            col(ScheduledPost.status) == PostStatus.PENDING,
            col(ScheduledPost.kind) == kind,
            col(ScheduledPost.due_at) > now,
            col(ScheduledPost.key) != keep_key,
        )
        .values(status=PostStatus.CANCELLED, updated_at=now)
    )
    commit(session)
    return rows_changed(result)


def _claimable(now: Any) -> Any:
    return or_(
        and_(
            col(ScheduledPost.status) == PostStatus.PENDING,
            col(ScheduledPost.due_at) <= now,
            or_(col(ScheduledPost.not_before).is_(None), col(ScheduledPost.not_before) <= now),
        ),
        and_(col(ScheduledPost.status) == PostStatus.SENDING, col(ScheduledPost.lease_until) < now),
    )


def due_count(*, session: Session, now: datetime) -> int:
    """How many posts could be claimed now (due, or left by a worker whose lease ran out)."""
    claimable = select(func.count()).select_from(ScheduledPost).where(_claimable(now))
    return int(session.exec(claimable).one())


def claim_due(
    *, session: Session, worker: str, now: datetime, limit: int = 50, lease: timedelta = DEFAULT_LEASE
) -> list[ScheduledPost]:
    """Claim up to `limit` due posts for `worker`, oldest due first; no two workers get the same row.

    Rows left in `sending` by a worker whose lease ran out are claimed again: their sender
    must check the channel's history (the message metadata names the row) before posting.
    """
    statement = _CLAIM[session.get_bind().dialect.name == "postgresql"]
    values = {"now": now, "limit": limit, "worker": worker, "lease_until": now + lease, "updated_at": now}
    if not (in_transaction(session) or session.in_transaction()):
        on_its_own(session)  # one statement: its own transaction
    claimed = list(session.scalars(statement, values))
    commit(session)
    return sorted(claimed, key=lambda post: (post.due_at, post.id or 0))


def _claim_statement(*, skip_locked: bool) -> Any:
    """The claim, made once for each engine: its time, limit, worker and lease are parameters."""
    columns = ScheduledPost.__table__.c  # type: ignore[attr-defined]
    due = (
        select(ScheduledPost.id)
        .where(_claimable(bindparam("now", type_=columns.due_at.type)))
        .order_by(col(ScheduledPost.due_at))
        .limit(bindparam("limit"))
    )
    if skip_locked:  # PostgreSQL: a row another worker is claiming is left to it
        due = due.with_for_update(skip_locked=True)
    return (
        update(ScheduledPost)
        .where(col(ScheduledPost.id).in_(due.scalar_subquery()))
        .values(
            status=PostStatus.SENDING,
            claimed_by=bindparam("worker", type_=columns.claimed_by.type),
            lease_until=bindparam("lease_until", type_=columns.lease_until.type),
            attempts=ScheduledPost.attempts + 1,
            updated_at=bindparam("updated_at", type_=columns.updated_at.type),
        )
        .returning(ScheduledPost)
    )


_CLAIM = {skip_locked: _claim_statement(skip_locked=skip_locked) for skip_locked in (False, True)}


def renew(*, session: Session, post_id: int, worker: str, now: datetime, lease: timedelta = DEFAULT_LEASE) -> bool:
    """Extend `worker`'s lease on a row it is still posting; False if it no longer holds it."""
    return _change_held(session, _HELD, post_id, worker, lease_until=now + lease, updated_at=now)


def release(*, session: Session, post_id: int, worker: str, now: datetime) -> bool:
    """Give back a claimed row that was not attempted (the process is stopping); it is due again at once."""
    return _finish(session, post_id, worker, now, statement=_GIVEN_BACK, status=PostStatus.PENDING)


def last_sent(*, session: Session, kind: str, before: datetime) -> ScheduledPost | None:
    """The latest post of `kind` sent, due before `before` (where the next digest's period starts)."""
    query = (
        select(ScheduledPost)
        .where(
            col(ScheduledPost.kind) == kind,
            col(ScheduledPost.status) == PostStatus.SENT,
            col(ScheduledPost.due_at) < before,
        )
        .order_by(col(ScheduledPost.due_at).desc())
        .limit(1)
    )
    return session.exec(query).first()


def mark_sent(*, session: Session, post_id: int, worker: str, channel: str, ts: str, now: datetime) -> bool:
    """Record that `worker` posted the row; False if it no longer holds it (another worker took it over)."""
    sent = {"posted_channel": channel, "posted_ts": ts, "sent_at": now}
    return _finish(session, post_id, worker, now, status=PostStatus.SENT, **sent)


def mark_retry(*, session: Session, post_id: int, worker: str, error: str, retry_at: datetime, now: datetime) -> bool:
    """Give the row back for another attempt at `retry_at`, with what went wrong."""
    return _finish(
        session, post_id, worker, now, status=PostStatus.PENDING, last_error=error[:ERROR_LIMIT], not_before=retry_at
    )


def mark_failed(*, session: Session, post_id: int, worker: str, error: str, now: datetime) -> bool:
    """Record that every attempt failed, with the last error."""
    return _finish(session, post_id, worker, now, status=PostStatus.FAILED, last_error=error[:ERROR_LIMIT])


def mark_skipped(*, session: Session, post_id: int, worker: str, reason: str, now: datetime) -> bool:
    """Record that the post was not made because its time had passed, and why."""
    return _finish(session, post_id, worker, now, status=PostStatus.SKIPPED, last_error=reason[:ERROR_LIMIT])


# A row that is still its worker's (claimed by it and not yet finished), changed as each use says. The
# statements are made once: only the values change from one use to the next.
_POSTS = ScheduledPost.__table__  # type: ignore[attr-defined]
_HELD = update(_POSTS).where(
    _POSTS.c.id == bindparam("held_id"),
    _POSTS.c.status == PostStatus.SENDING,
    _POSTS.c.claimed_by == bindparam("held_by"),
)
_GIVEN_BACK = _HELD.values(attempts=_POSTS.c.attempts - 1)  # not attempted: the claim does not count


def _holder(post_id: int, worker: str) -> dict[str, Any]:
    return {"held_id": post_id, "held_by": worker}


def _finish(
    session: Session, post_id: int, worker: str, now: datetime, *, statement: Any = _HELD, **values: Any
) -> bool:
    return _change_held(session, statement, post_id, worker, lease_until=None, updated_at=now, **values)


def _change_held(session: Session, statement: Any, post_id: int, worker: str, **values: Any) -> bool:
    """Run one of the statements above on the row; True if `worker` still held it."""
    result = session.execute(statement, {**_holder(post_id, worker), **values})
    commit(session)
    # The row as this session may hold it is read again at its next use (the statement is not the ORM's).
    held = session.identity_map.get(Session.identity_key(ScheduledPost, post_id))
    if held is not None:
        session.expire(held)
    return rows_changed(result) == 1


def next_due(*, session: Session) -> datetime | None:
    """When a post next becomes claimable: a pending one's time (or next attempt), or a lease running out."""
    pending = (
        select(
            case(
                (col(ScheduledPost.not_before) > col(ScheduledPost.due_at), col(ScheduledPost.not_before)),
                else_=col(ScheduledPost.due_at),
            ).label("at")
        )
        .where(col(ScheduledPost.status) == PostStatus.PENDING)
        .order_by("at")
        .limit(1)
    )
    leased = select(func.min(col(ScheduledPost.lease_until))).where(col(ScheduledPost.status) == PostStatus.SENDING)
    times = [_aware(session.exec(pending).first()), _aware(session.exec(leased).one())]
    present = [moment for moment in times if moment is not None]
    return min(present) if present else None


def _aware(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(str(value))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def posts(
    *,
    session: Session,
    statuses: Sequence[str] = (),
    kinds: Sequence[str] = (),
    since: datetime | None = None,
    limit: int = 200,
) -> list[ScheduledPost]:
    """Planned posts by due time: those with the given statuses and kinds, due after `since`."""
    query = select(ScheduledPost)
    if statuses:
        query = query.where(col(ScheduledPost.status).in_(list(statuses)))
    if kinds:
        query = query.where(col(ScheduledPost.kind).in_(list(kinds)))
    if since is not None:
        query = query.where(col(ScheduledPost.due_at) >= since)
    return list(session.exec(query.order_by(col(ScheduledPost.due_at), col(ScheduledPost.id)).limit(limit)))


@dataclass(frozen=True)
class Held:
    """A planned row as planning compares it with a new plan: what `plan` would change, and whether it may."""

    key: str
    kind: str
    status: str
    channel: str
    payload: str
    due_at: datetime

    def takes(self, post: PlannedPost) -> bool:
        """Whether planning `post` again would change this row (only a pending row that differs changes)."""
        return self.status == PostStatus.PENDING and (self.channel, self.payload, self.due_at) != (
            post.channel,
            post.payload,
            post.due_at,
        )


_HELD_COLUMNS = (_POSTS.c.key, _POSTS.c.kind, _POSTS.c.status, _POSTS.c.channel, _POSTS.c.payload, _POSTS.c.due_at)
KEYS_AT_ONCE = 500  # keys in one IN (…): within every engine's bound-parameter limit


def held(*, session: Session, keys: Sequence[str] = (), pending_under: str = "") -> dict[str, Held]:
    """The rows planned under these keys, and the pending ones whose key starts with `pending_under`, by key."""
    found: dict[str, Held] = {}
    unique = list(dict.fromkeys(keys))
    statements = [
        select_columns(*_HELD_COLUMNS).where(_POSTS.c.key.in_(unique[start : start + KEYS_AT_ONCE]))
        for start in range(0, len(unique), KEYS_AT_ONCE)
    ]
    if pending_under:
        statements.append(
            select_columns(*_HELD_COLUMNS).where(
                _POSTS.c.status == PostStatus.PENDING, _POSTS.c.key.startswith(pending_under, autoescape=True)
            )
        )
    for statement in statements:
        for row in session.execute(statement):
            found[row.key] = Held(*row)
    return found


def get_post(*, session: Session, key: str) -> ScheduledPost | None:
    """The post planned under `key`."""
    return session.exec(select(ScheduledPost).where(col(ScheduledPost.key) == key)).first()


def status_counts(*, session: Session) -> dict[str, int]:
    """How many posts stand at each status."""
    query = select(ScheduledPost.status, func.count()).group_by(col(ScheduledPost.status))
    return {str(status): int(count) for status, count in session.exec(query)}
