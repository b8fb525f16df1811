"""Concrete actions: who owns what, by when. Each owner is told once when an action is agreed, and reminded
once by direct message before its due date; both are rows of the outbox, rendered when sent so that an action
done meanwhile is not chased."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum

from sqlmodel import Session

from bot.deps import Deps
from bot.posts import Delivery, RenderContext, Skip
from bot.services import outbox
from bot.views import actions as views
from store import actions as store
from store import meetings as meetings_store
from store.after_models import Action, ActionStatus
from store.db import one_transaction
from store.models import PostKind, ScheduledPost
from store.schedule import PlannedPost

REMIND_BEFORE = timedelta(days=2)  # the owner's reminder comes this long before the due day
REMIND_AT = time(9, 0)  # in the group's time zone


def owe_owner_posts(deps: Deps, session: Session, actions: Sequence[Action], now: datetime) -> None:
    """In the session's transaction: tell each owner of their new action, and plan its reminder."""
    posts = []
    for action in actions:
        payload = json.dumps({"action": action.id})
        posts.append(
            PlannedPost(
                key=f"action-owned:{action.id}",
                kind=PostKind.ACTION_OWNED,
                channel=action.owner_id,
                due_at=now,
                payload=payload,
            )
        )
        if action.due_on is not None:
            remind = datetime.combine(action.due_on - REMIND_BEFORE, REMIND_AT, tzinfo=deps.settings.tz)
            if remind > now:
                posts.append(
                    PlannedPost(
                        key=_due_key(action),
                        kind=PostKind.ACTION_DUE,
                        channel=action.owner_id,
                        due_at=remind,
                        payload=payload,
                    )
                )
    outbox.owe(session, posts, now=now)


class Closed(StrEnum):
    """What marking an action came to."""

    CHANGED = "changed"
    ALREADY = "already"
    NOT_YOURS = "not yours"  # only its owner or an organiser may close it
    GONE = "gone"


@dataclass(frozen=True)
class Closing:
    """The outcome, and the action as it is now."""

    outcome: Closed
    action: Action | None = None


def close(deps: Deps, *, action_id: int, by: str, status: ActionStatus) -> Closing:
    """Mark an action done or dropped (or open again): by its owner, or by an organiser."""
    now = deps.clock()
    with deps.sessions() as session, one_transaction(session):
        action = store.get_action(session=session, action_id=action_id)
        if action is None:
            return Closing(Closed.GONE)
        if by != action.owner_id and not deps.people.is_organiser(by):
            return Closing(Closed.NOT_YOURS, action)
        changed = store.set_status(session=session, action=action, status=status, now=now)
        session.refresh(action)
    return Closing(Closed.CHANGED if changed else Closed.ALREADY, action)


@dataclass(frozen=True)
class Listed:
    """Actions listed, with the titles of the meetings they were agreed at."""

    actions: tuple[Action, ...]
    meetings: dict[int, str]


def listed(deps: Deps, *, owner: str | None = None, meeting_id: int | None = None, limit: int = 30) -> Listed:
    """The open actions: all, one person's, or one meeting's."""
    with deps.sessions() as session:
        found = store.list_actions(session=session, owner=owner, meeting_id=meeting_id, limit=limit)
        return Listed(tuple(found), store.meeting_titles(session=session, actions=found))


def register_renderers(deps: Deps) -> None:
    """Let the sender tell owners of their actions, and remind them before the due date."""

    def render(row: ScheduledPost, context: RenderContext) -> Delivery:
        wanted = outbox.payload_of(row).get("action")
        with deps.sessions() as session:
            action = store.get_action(session=session, action_id=wanted if isinstance(wanted, int) else 0)
            meeting = (
                meetings_store.get_meeting(session=session, meeting_id=action.meeting_id)
                if action is not None and action.meeting_id is not None
                else None
            )
        if action is None or action.status != ActionStatus.OPEN:
            return Skip("the action is done, dropped or gone", expected=True)
        if row.kind == PostKind.ACTION_DUE and action.due_on is not None and row.key != _due_key(action):
            return Skip("the action's due date changed", expected=True)
        return views.owner_message(action, meeting, reminder=row.kind == PostKind.ACTION_DUE)

    deps.renderers.add(PostKind.ACTION_OWNED, render, timely=False)
    deps.renderers.add(PostKind.ACTION_DUE, render, timely=False)


def _due_key(action: Action) -> str:
    return f"action-due:{action.id}:{action.due_on.isoformat() if action.due_on else ''}"
