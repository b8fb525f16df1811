"""The scheduler's posts about practices: the periodic digest and the call for practices."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from bot.deps import Deps
from bot.posts import Message, RenderContext, Skip
from bot.services import outbox
from bot.views import digest as views
from store import actions as actions_store
from store import meetings as meetings_store
from store import people as people_store
from store import practices as practices_store
from store import schedule
from store.models import PostKind, ScheduledPost
from store.schedule import PlannedPost

# How far ahead a digest looks for meetings when the caller does not say.
UPCOMING_WINDOW = timedelta(days=60)
ACTIONS_AHEAD = timedelta(days=7)  # open actions due within this long after the digest are listed (and overdue ones)


def build_digest(
    deps: Deps, *, start: datetime, end: datetime, upcoming_until: datetime | None = None
) -> dict[str, Any] | None:
    """The digest of [start, end): practices published then, and meetings to come; None when there is neither.

    Meetings are those starting from `end` (or from now, if later: a late digest lists no meeting
    that has already begun) until `upcoming_until`, by default 60 days after `end`.
    """
    until = upcoming_until if upcoming_until is not None else end + UPCOMING_WINDOW
    since = max(end, deps.clock())
    with deps.sessions() as session:
        practices = practices_store.published_between(session=session, start=start, end=end, limit=views.MAX_COUNTED)
        listed = [p.id for p in practices[: views.MAX_PRACTICES] if p.id]
        useful = practices_store.useful_counts(session=session, practice_ids=listed)
        meetings = meetings_store.meetings_between(session=session, start=since, end=until) if since < until else []
        due_by = (end + ACTIONS_AHEAD).astimezone(deps.settings.tz).date()
        actions = actions_store.due_or_closed(session=session, due_by=due_by, closed_since=start)
    meetings = [m for m in meetings if not m.is_cancelled]
    if not practices and not meetings and not actions:
        return None
    return views.digest_message(
        deps.settings,
        practices=practices,
        useful=useful,
        meetings=meetings,
        start=start,
        end=end,
        until=until,
        actions=actions,
    )


def register_renderers(deps: Deps) -> None:
    """Register the renderers of the digest and of the call for practices."""

    def digest(row: ScheduledPost, context: RenderContext) -> Message | Skip:
        with deps.sessions() as session:
            previous = schedule.last_sent(session=session, kind=PostKind.DIGEST, before=row.due_at)
        start = previous.due_at if previous else row.due_at - timedelta(days=7)
        built = build_digest(deps, start=start, end=row.due_at)
        if built is None:
            return Skip("nothing new for the digest")
        with deps.sessions() as session:  # those who want it by DM too: one row each, written before the post
            readers = people_store.digest_readers(session=session)
            payload = json.dumps({"start": start.isoformat(), "end": row.due_at.isoformat()})
            posts = [
                PlannedPost(
                    key=f"{row.key}:dm:{reader}",
                    kind=PostKind.DIGEST_DM,
                    channel=reader,
                    due_at=row.due_at,
                    payload=payload,
                )
                for reader in readers
            ]
            if posts:
                schedule.plan(session=session, posts=posts, now=context.now)
                context.look_again()
        return built

    def digest_dm(row: ScheduledPost, context: RenderContext) -> Message | Skip:
        period = outbox.payload_of(row)
        try:
            start, end = (datetime.fromisoformat(str(period.get(k))) for k in ("start", "end"))
        except ValueError:
            return Skip("the digest's period is unreadable")
        built = build_digest(deps, start=start, end=end)
        return built if built is not None else Skip("nothing new for the digest", expected=True)

    def call(row: ScheduledPost, context: RenderContext) -> Message | Skip:
        return views.call_for_practices(deps.settings)

    deps.renderers.add(PostKind.DIGEST, digest)
    deps.renderers.add(PostKind.DIGEST_DM, digest_dm)
    deps.renderers.add(PostKind.CALL, call)
