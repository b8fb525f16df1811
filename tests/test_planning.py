"""The check of every upcoming meeting's planned posts (at start and every few minutes), on each engine."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, update

from bot.config import Settings
from bot.deps import Deps, build_deps
from bot.services.planning import feedback_key, plan_upcoming_meetings
from store import meetings as meetings_store
from store import schedule
from store.meetings import MeetingDraft
from store.models import Meeting, MeetingKind, PostKind, PostStatus

NOW = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def deps(settings: Settings) -> Iterator[Deps]:
    """The bot's dependencies on a fresh store, with two reminders (a day and an hour before) and a channel."""
    planned = replace(settings, reminder_offsets=(timedelta(days=1), timedelta(hours=1)), group_channel="C0GROUP")
    deps = build_deps(planned, clock=lambda: NOW)
    try:
        yield deps
    finally:
        deps.engine.dispose()


def add_meeting(deps: Deps, title: str, starts_in: timedelta) -> int:
    """A meeting stored as another process might have left it: no post planned for it yet."""
    draft = MeetingDraft(
        title=title,
        kind=MeetingKind.ONLINE,
        starts_at=NOW + starts_in,
        ends_at=NOW + starts_in + timedelta(hours=2),
        timezone="Europe/Madrid",
        join_url="https://meet.example.org/x",
    )
    with deps.sessions() as session:
        return meetings_store.create_meeting(session=session, draft=draft, created_by="U0ORG", now=NOW).id or 0


def pending(deps: Deps) -> dict[str, datetime]:
    with deps.sessions() as session:
        rows = schedule.posts(session=session, statuses=[PostStatus.PENDING], limit=1000)
    return {row.key: row.due_at for row in rows}


def writes_during(deps: Deps, work: Any) -> list[str]:
    """The statements that wrote to the store while `work` ran."""
    written: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            written.append(statement)

    event.listen(deps.engine, "before_cursor_execute", seen)
    try:
        work()
    finally:
        event.remove(deps.engine, "before_cursor_execute", seen)
    return written


def test_the_check_plans_what_is_missing_then_writes_nothing(deps: Deps) -> None:
    essen = add_meeting(deps, "Essen workshop", timedelta(days=3))
    lisbon = add_meeting(deps, "Lisbon lab", timedelta(days=5))
    assert plan_upcoming_meetings(deps) > 0
    planned = pending(deps)
    for meeting_id in (essen, lisbon):
        mine = [key for key in planned if key.startswith(f"meeting:{meeting_id}@")]
        assert sorted(key.rsplit(":", 1)[1] for key in mine) == ["1d", "1h", "start"]
        assert feedback_key(meeting_id) in planned

    assert writes_during(deps, lambda: plan_upcoming_meetings(deps)) == [], "nothing to change: nothing written"
    assert pending(deps) == planned


def test_the_check_follows_a_meeting_moved_and_offsets_and_feedback_changed(deps: Deps) -> None:
    essen = add_meeting(deps, "Essen workshop", timedelta(days=3))
    plan_upcoming_meetings(deps)
    # Moved a day later in the store, by a path that did not plan it again.
    with deps.sessions() as session:
        session.execute(
            update(Meeting)
            .where(Meeting.id == essen)  # type: ignore[arg-type]
            .values(starts_at=NOW + timedelta(days=4), ends_at=NOW + timedelta(days=4, hours=2))
        )
        session.commit()
    plan_upcoming_meetings(deps)
    moved = pending(deps)
    reminders = {key: due for key, due in moved.items() if key.startswith(f"meeting:{essen}@")}
    assert sorted(reminders.values()) == [
        NOW + timedelta(days=3),
        NOW + timedelta(days=4, hours=-1),
        NOW + timedelta(days=4),
    ]
    assert moved[feedback_key(essen)] == NOW + timedelta(days=4, hours=2) + deps.settings.feedback_after  # type: ignore[operator]

    # The hour-before reminder dropped, and feedback turned off.
    deps.settings = replace(deps.settings, reminder_offsets=(timedelta(days=1),), feedback_after=None)
    plan_upcoming_meetings(deps)
    left = pending(deps)
    assert sorted(key.rsplit(":", 1)[1] for key in left if key.startswith(f"meeting:{essen}@")) == ["1d", "start"]
    assert feedback_key(essen) not in left
    with deps.sessions() as session:
        withdrawn = schedule.get_post(session=session, key=feedback_key(essen))
    assert withdrawn is not None and withdrawn.status == PostStatus.CANCELLED and withdrawn.kind == PostKind.FEEDBACK
    assert writes_during(deps, lambda: plan_upcoming_meetings(deps)) == []
