"""What the scheduler should post and when: meeting reminders and the recurring posts, as rows.

Planning is idempotent: each post has a key that names it once and for all, and planning the
same thing again changes only rows still pending. Moving a meeting plans new rows under its new
time and cancels the pending ones planned for the old one.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from bot.config import Settings, cron_trigger, format_offset, parse_offsets
from bot.deps import Deps
from store import meetings as meetings_store
from store import schedule
from store.models import Meeting, PostKind, PostStatus
from store.schedule import PlannedPost

logger = logging.getLogger(__name__)

RECONCILE_LIMIT = 500  # upcoming meetings whose reminders are checked at start and every few minutes
MEETING_PREFIX = "meeting:"  # every meeting's posts are keyed under it (meeting_prefix)
# The kinds of a meeting's own posts, planned from its offsets: one no longer among them is cancelled.
RETIMED_KINDS = (PostKind.REMINDER, PostKind.STARTING)


def meeting_key(meeting: Meeting) -> str:
    """The key prefix of a meeting's posts at its current start time."""
    return f"{meeting_prefix(meeting.id or 0)}{meeting.starts_at.astimezone(UTC):%Y%m%dT%H%MZ}"


def meeting_prefix(meeting_id: int) -> str:
    """The key prefix of every post planned for a meeting, whatever its time."""
    return f"{MEETING_PREFIX}{meeting_id}@"


def meeting_offsets(meeting: Meeting, settings: Settings) -> tuple[timedelta, ...]:
    """The meeting's own reminder offsets, or the configured default."""
    if meeting.reminder_offsets:
        try:
            return parse_offsets(meeting.reminder_offsets)
        except ValueError:
            logger.warning("meeting #%s has unreadable reminder offsets %r", meeting.id, meeting.reminder_offsets)
    return settings.reminder_offsets


def meeting_posts(meeting: Meeting, settings: Settings, now: datetime) -> list[PlannedPost]:
    """The reminders (and, online, the "starting now" post) still ahead for a meeting."""
    if meeting.is_cancelled or meeting.starts_at <= now:
        return []
    base = meeting_key(meeting)
    posts = []
    for offset in meeting_offsets(meeting, settings):
        due = meeting.starts_at - offset
        if due > now:
            spelled = format_offset(offset)
            posts.append(
                PlannedPost(
                    key=f"{base}:{spelled}",
                    kind=PostKind.REMINDER,
                    # With no group channel the reminder still goes to the registrants directly.
                    channel=settings.group_channel,
                    due_at=due,
                    meeting_id=meeting.id,
                    payload=json.dumps({"offset": spelled}),
                )
            )
    if meeting.is_online and settings.group_channel:
        posts.append(
            PlannedPost(
                key=f"{base}:start",
                kind=PostKind.STARTING,
                channel=settings.group_channel,
                due_at=meeting.starts_at,
                meeting_id=meeting.id,
            )
        )
    return posts


def feedback_key(meeting_id: int) -> str:
    """The key of a meeting's request for feedback: one per meeting, whenever it ends (a move re-times it)."""
    return f"feedback:{meeting_id}"


def feedback_post(meeting: Meeting, settings: Settings) -> PlannedPost | None:
    """The row that asks each person who took part for feedback, `FEEDBACK_AFTER` after the end; None when off.

    It carries no meeting id (as cards do not): planning the meeting's reminders cancels those of its old time,
    and this row is the same whatever the time.
    """
    if settings.feedback_after is None or meeting.id is None:
        return None
    return PlannedPost(
        key=feedback_key(meeting.id),
        kind=PostKind.FEEDBACK,
        channel=settings.group_channel or "feedback",
        due_at=meeting.ends_at + settings.feedback_after,
        payload=json.dumps({"meeting": meeting.id}),
    )


def feedback_requests(parent_key: str, meeting_id: int, due_at: datetime, people: list[str]) -> list[PlannedPost]:
    """One request for feedback per person, under the meeting's feedback row, due when it was."""
    return _direct(PostKind.FEEDBACK_DM, parent_key, meeting_id, due_at, people)


def direct_reminders(parent_key: str, meeting_id: int, due_at: datetime, people: list[str]) -> list[PlannedPost]:
    """One direct reminder per person, under the channel reminder's key, due when it was."""
    return _direct(PostKind.REMINDER_DM, parent_key, meeting_id, due_at, people)


def _direct(kind: str, parent_key: str, meeting_id: int, due_at: datetime, people: list[str]) -> list[PlannedPost]:
    """One direct message of `kind` per person, keyed under the row that fans them out, so each is planned once."""
    return [
        PlannedPost(
            key=f"{parent_key}:dm:{slack_id}", kind=kind, channel=slack_id, due_at=due_at, meeting_id=meeting_id
        )
        for slack_id in people
    ]


def plan_meeting(deps: Deps, meeting_id: int) -> int:
    """Bring a meeting's planned posts in line with it (created, edited, moved or cancelled); wake the scheduler."""
    now = deps.clock()
    with deps.sessions() as session:
        meeting = meetings_store.get_meeting(session=session, meeting_id=meeting_id)
        if meeting is None or meeting.is_cancelled:
            changed = schedule.cancel(session=session, now=now, meeting_id=meeting_id, keys=[feedback_key(meeting_id)])
        else:
            changed = _plan_one(session, meeting, deps.settings, now)
    if changed:
        deps.wake()
    return changed


def _plan_one(session: Session, meeting: Meeting, settings: Settings, now: datetime) -> int:
    asking = feedback_post(meeting, settings)
    if asking is None:  # off: a request planned before is withdrawn
        changed = schedule.cancel(session=session, now=now, keys=[feedback_key(meeting.id or 0)])
    elif meeting.ends_at > now:
        changed = schedule.plan(session=session, posts=[asking], now=now)
    else:
        changed = 0
    return changed + _plan_reminders(session, meeting, settings, now)


def _plan_reminders(session: Session, meeting: Meeting, settings: Settings, now: datetime) -> int:
    posts = meeting_posts(meeting, settings, now)
    base = meeting_key(meeting)
    cancelled = schedule.cancel_stale(
        session=session,
        now=now,
        prefix=meeting_prefix(meeting.id or 0),
        keep_prefix=base,
        keep_keys=[post.key for post in posts],
        kinds=RETIMED_KINDS,
    )
    return cancelled + schedule.plan(session=session, posts=posts, now=now)


def plan_upcoming_meetings(deps: Deps) -> int:
    """Check every upcoming meeting's planned posts (at start, and now and then, whatever changed them).

    The rows are read first, in a few statements: a meeting whose rows already are as planned is not
    written to, so that a check that finds nothing to change takes no write lock (on SQLite, one writer).
    """
    now = deps.clock()
    settings = deps.settings
    changed = 0
    with deps.sessions() as session:
        meetings = meetings_store.upcoming_meetings(session=session, now=now, limit=RECONCILE_LIMIT)
        wanted = {meeting.id or 0: _wanted(meeting, settings, now) for meeting in meetings}
        # Each meeting's feedback request (planned, or to be withdrawn) and reminders, and every pending row of a
        # meeting's, whatever its time.
        keys = [key for meeting_id, (_, posts) in wanted.items() for key in _keys(meeting_id, posts)]
        rows = schedule.held(session=session, keys=keys, pending_under=MEETING_PREFIX)
        pending: dict[str, list[schedule.Held]] = defaultdict(list)  # by meeting_prefix
        for key, row in rows.items():
            if key.startswith(MEETING_PREFIX) and row.status == PostStatus.PENDING:
                pending[key.partition("@")[0] + "@"].append(row)
        for meeting in meetings:
            asking, posts = wanted[meeting.id or 0]
            if not _as_planned(meeting, asking, posts, rows, pending[meeting_prefix(meeting.id or 0)], now):
                changed += _plan_one(session, meeting, settings, now)
    return changed


def _wanted(meeting: Meeting, settings: Settings, now: datetime) -> tuple[PlannedPost | None, list[PlannedPost]]:
    """The feedback request and the reminders `_plan_one` would plan for the meeting."""
    return feedback_post(meeting, settings), meeting_posts(meeting, settings, now)


def _keys(meeting_id: int, posts: list[PlannedPost]) -> list[str]:
    return [feedback_key(meeting_id), *(post.key for post in posts)]


def _as_planned(
    meeting: Meeting,
    asking: PlannedPost | None,
    posts: list[PlannedPost],
    rows: dict[str, schedule.Held],
    pending: list[schedule.Held],
    now: datetime,
) -> bool:
    """Whether `_plan_one` would change nothing: every post planned as it is, no stale or withdrawn row pending."""
    meeting_id = meeting.id or 0
    if asking is None:
        withdrawn = rows.get(feedback_key(meeting_id))
        if withdrawn is not None and withdrawn.status == PostStatus.PENDING:
            return False
    elif meeting.ends_at > now and (asking.key not in rows or rows[asking.key].takes(asking)):
        return False
    if any(post.key not in rows or rows[post.key].takes(post) for post in posts):
        return False
    # What `cancel_stale` would cancel among the meeting's pending rows: those of another time, or reminders
    # no longer planned.
    base, kept = meeting_key(meeting), {post.key for post in posts}
    return not any(
        not row.key.startswith(base) or (row.kind in RETIMED_KINDS and row.key not in kept) for row in pending
    )


def recurring_posts(settings: Settings, now: datetime) -> list[tuple[str, PlannedPost | None]]:
    """For the digest and the call for practices: the next post, or None when the schedule is off."""
    planned: list[tuple[str, PlannedPost | None]] = []
    for kind, line in ((PostKind.DIGEST, settings.digest_schedule), (PostKind.CALL, settings.call_schedule)):
        if not line or not settings.group_channel:
            planned.append((kind, None))
            continue
        due = cron_trigger(line, settings.tz).get_next_fire_time(None, now)
        if due is None:
            planned.append((kind, None))
            continue
        # Named by the local wall time: on the night clocks go back, 02:30 comes twice but is one post.
        key = f"{kind}:{due:%Y-%m-%dT%H:%M}"
        planned.append(
            (kind, PlannedPost(key=key, kind=kind, channel=settings.group_channel, due_at=due.astimezone(UTC)))
        )
    return planned


def plan_recurring(deps: Deps) -> int:
    """Plan the next digest and call for practices; cancel future ones a changed schedule no longer has."""
    now = deps.clock()
    changed = 0
    with deps.sessions() as session:
        for kind, post in recurring_posts(deps.settings, now):
            changed += schedule.cancel_future(session=session, now=now, kind=kind, keep_key=post.key if post else "")
            if post is not None:
                changed += schedule.plan(session=session, posts=[post], now=now)
    return changed
