"""The welcome: one direct message to each person who joins the group channel, once per person.

The event writes a row keyed by the person (`welcome:<id>`) before it is acknowledged: Slack's
re-deliveries, a second join and a second process find the row there and write nothing. The message is
rendered when it is sent, in the reader's language, with the next meeting as it is then.
"""

from __future__ import annotations

import json

from bot.deps import Deps
from bot.posts import Delivery, RenderContext
from bot.services import outbox
from bot.services.meetings import series_rule
from bot.views import welcome as views
from store import meetings as meetings_store
from store import schedule
from store.db import one_transaction
from store.models import Attendance, PostKind, ScheduledPost
from store.schedule import PlannedPost


def welcome_key(slack_id: str) -> str:
    """The key of someone's welcome: one per person."""
    return f"welcome:{slack_id}"


def welcome(deps: Deps, *, slack_id: str) -> bool:
    """Owe `slack_id` their welcome; False when it is off or was owed before."""
    if deps.settings.welcome_text is None:
        return False
    now = deps.clock()
    row = PlannedPost(
        key=welcome_key(slack_id),
        kind=PostKind.WELCOME,
        channel=slack_id,
        due_at=now,
        payload=json.dumps({"user": slack_id}),
    )
    with deps.sessions() as session, one_transaction(session):
        if schedule.get_post(session=session, key=row.key) is not None:
            return False
        outbox.owe(session, [row], now=now)  # two processes at once: one row, by its key
    deps.send_now()
    return True


def register_renderers(deps: Deps) -> None:
    """Let the sender deliver welcomes (they never expire: a newcomer is welcome however late)."""

    def render(row: ScheduledPost, _context: RenderContext) -> Delivery:
        now = deps.clock()
        slack_id = row.channel
        with deps.sessions() as session:
            upcoming = meetings_store.upcoming_meetings(session=session, now=now, limit=1, next_of_series=True)
            meeting = upcoming[0] if upcoming else None
            counts = meetings_store.counts(session=session, meeting_id=meeting.id or 0) if meeting else None
            mine = (
                meetings_store.registration_of(session=session, meeting_id=meeting.id or 0, slack_id=slack_id)
                if meeting
                else None
            )
        return views.welcome(
            group=deps.settings.group_name,
            aims=deps.settings.welcome_text or "",
            meeting=meeting,
            counts=counts or meetings_store.Counts(),
            answer=Attendance(mine.attendance) if mine else None,
            rule=series_rule(deps, meeting) if meeting else None,
            now=now,
        )

    deps.renderers.add(PostKind.WELCOME, render, timely=False)
