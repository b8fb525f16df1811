"""Meetings that repeat: a series started, its meetings created ahead, and an edit of several of them.

Each meeting of a series is a meeting of its own. They are created `SERIES_AHEAD` ahead (the next one
always exists) when the series is saved and then by the scheduler; a series whose meeting was announced
has each next meeting announced when the one before it is over. An edit of "this and the following
meetings" ends the series before the meeting edited and goes on with a new one from it (RFC 5545's way),
so that calendars show the meetings before it unchanged; "every meeting still to come" does the same
from the first meeting not yet begun.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.deps import Deps
from bot.language import repeats
from bot.language.i18n import _
from bot.language.repeats import Repeat
from bot.services import planning
from bot.services.meetings._cards import post_card
from bot.views.series_form import RepeatProblems, Scope
from store import meetings as store
from store import series as series_store
from store.db import one_transaction
from store.meetings import EDITABLE, Change, MeetingDraft
from store.models import Meeting, MeetingSeries

logger = logging.getLogger(__name__)

TIMES = ("starts_at", "ends_at", "timezone", "all_day")  # what places a meeting on its day


@dataclass(frozen=True)
class Extended:
    """What creating a series' meetings ahead came to."""

    created: tuple[int, ...] = ()  # new meetings, whose reminders are to be planned
    to_announce: tuple[int, ...] = ()  # next meetings of announced series that have no card yet


def start_series(
    deps: Deps, session: Session, *, draft: MeetingDraft, repeat: Repeat, created_by: str, now: datetime
) -> Meeting:
    """In the session's transaction: store the series and its first meetings; return the first."""
    zone = ZoneInfo(draft.timezone)
    series = series_store.create_series(
        session=session, rule=repeat.rule(zone), template=draft, created_by=created_by, now=now
    )
    created = _extend(session, series, now=now, ahead=deps.settings.series_ahead)
    if not created:  # the rule was checked to give a meeting: its first start is the draft's
        raise RuntimeError("a new series gave no meeting")
    return created[0]


def extend_all(deps: Deps) -> Extended:
    """Create every series' meetings up to `SERIES_AHEAD` from now (the scheduler calls this), each series once."""
    now = deps.clock()
    created: list[int] = []
    to_announce: list[int] = []
    with deps.sessions() as session:
        ids = [series.id or 0 for series in series_store.all_series(session=session)]
    for series_id in ids:
        with deps.sessions() as session, one_transaction(session):
            series = series_store.get_series(session=session, series_id=series_id)
            if series is None:
                continue
            created += [m.id or 0 for m in _extend(session, series, now=now, ahead=deps.settings.series_ahead)]
            if series.announced:
                following = series_store.next_of_series(session=session, series_id=series_id, now=now)
                if following is not None and not following.card_ts:
                    to_announce.append(following.id or 0)
    return Extended(tuple(created), tuple(to_announce))


def extend_series(deps: Deps) -> int:
    """The scheduler's round: every series' meetings created ahead, their reminders planned, and the next meeting
    of an announced series announced; how many meetings were created."""
    extended = extend_all(deps)
    for meeting_id in extended.created:
        planning.plan_meeting(deps, meeting_id)
    for meeting_id in extended.to_announce:
        with deps.sessions() as session:
            meeting = store.get_meeting(session=session, meeting_id=meeting_id)
        if meeting is not None:
            post_card(deps, meeting)
    if extended.created:
        logger.info("created %d meetings of series ahead", len(extended.created))
    return len(extended.created)


def _extend(session: Session, series: MeetingSeries, *, now: datetime, ahead: timedelta) -> list[Meeting]:
    """Create the series' meetings that start from now until `ahead` from now, and the next one in any case."""
    series_store.lock_series(session, series.id or 0)
    zone = ZoneInfo(series.timezone)
    wanted: list[datetime] = []
    for start in repeats.starts(series.rule, series.starts_at, zone):
        if start <= now:
            continue
        if start >= now + ahead and wanted:
            break
        wanted.append(start)
        if start >= now + ahead:
            break
    by = series.created_by
    return series_store.add_meetings(session=session, series=series, starts=wanted, created_by=by, now=now)


def edit_series(
    session: Session, *, meeting: Meeting, draft: MeetingDraft, scope: Scope, now: datetime, offers: bool
) -> list[Change]:
    """In the session's transaction: apply an edit of `meeting` to it and the meetings after it (FOLLOWING) or to
    every meeting of the series not yet begun (ALL); return each meeting's change, the one edited first.

    Raise RepeatProblems when the edit moves the meeting to another day: a series keeps its days.
    """
    series = series_store.get_series(session=session, series_id=meeting.series_id or 0)
    if series is None:
        raise ValueError("the meeting's series is gone")
    series_store.lock_series(session, series.id or 0)
    old = MeetingDraft.of(meeting)
    zone, new_zone = ZoneInfo(old.timezone), ZoneInfo(draft.timezone)
    if draft.starts_at.astimezone(new_zone).date() != old.starts_at.astimezone(zone).date():
        raise RepeatProblems(
            {
                "starts": _(
                    "A series keeps its days: to move only this meeting to another day, choose “Only this meeting”."
                )
            }
        )
    changed = tuple(name for name in EDITABLE if getattr(old, name) != getattr(draft, name))
    every = series_store.occurrences(session=session, series_id=series.id or 0)
    first = meeting
    if scope == Scope.ALL:
        first = next((m for m in every if m.starts_at > now or m.id == meeting.id), meeting)
    affected = [m for m in every if m.occurrence_at is not None and m.occurrence_at >= (first.occurrence_at or now)]
    template = _applied(MeetingDraft.of(first), draft, changed)
    rule = _continued(series, first)
    if every and every[0].id == first.id:  # nothing before it: the series itself changes
        series.rule = rule
        series_store.set_template(session=session, series=series, template=template, now=now)
        target = series
    else:
        ended = _ended_before(series, first)
        target = series_store.split(
            session=session, series=series, ended_rule=ended, rule=rule, template=template, now=now
        )
    changes = []
    for each in sorted(affected, key=lambda m: (m.id != meeting.id, m.occurrence_at)):
        moved = _applied(MeetingDraft.of(each), draft, changed)
        origin = each.occurrence_at or each.starts_at
        occurrence = _applied_start(origin, draft, zone)
        series_store.move_to(session=session, meeting=each, series=target, occurrence_at=occurrence, now=now)
        if each.is_cancelled:
            continue
        change = store.update_meeting(session=session, meeting_id=each.id or 0, draft=moved, now=now, offers=offers)
        if change is not None:
            changes.append(change)
    return changes


def end_series(session: Session, *, meeting: Meeting, now: datetime) -> list[Meeting]:
    """In the session's transaction: end the meeting's series before it, so that no more are created; return it and
    the series' later meetings not yet cancelled or begun, for the caller to cancel."""
    series = series_store.get_series(session=session, series_id=meeting.series_id or 0)
    if series is None or meeting.occurrence_at is None:
        return [meeting]
    series_store.lock_series(session, series.id or 0)
    series.rule = _ended_before(series, meeting)
    series_store.set_template(session=session, series=series, template=series_store.template_of(series), now=now)
    later = [
        m
        for m in series_store.occurrences(session=session, series_id=series.id or 0)
        if m.id != meeting.id
        and m.occurrence_at is not None
        and m.occurrence_at > meeting.occurrence_at
        and not m.is_cancelled
        and m.starts_at > now
    ]
    return [meeting, *later]


def _applied(target: MeetingDraft, edit: MeetingDraft, changed: tuple[str, ...]) -> MeetingDraft:
    """`target` with the fields the edit changed; its times moved to the edit's time of day and length, on its day."""
    values = {name: getattr(edit, name) for name in changed if name not in (*TIMES, "registration_deadline")}
    moved = replace(target, **values)
    if not set(changed) & {*TIMES, "registration_deadline"}:
        return moved
    zone = ZoneInfo(edit.timezone)
    start = _applied_start(target.starts_at, edit, ZoneInfo(target.timezone))
    length = edit.ends_at.astimezone(zone).replace(tzinfo=None) - edit.starts_at.astimezone(zone).replace(tzinfo=None)
    end = (start.replace(tzinfo=None) + length).replace(tzinfo=zone)
    deadline = None if edit.registration_deadline is None else start - (edit.starts_at - edit.registration_deadline)
    return replace(
        moved,
        starts_at=start.astimezone(UTC),
        ends_at=end.astimezone(UTC),
        timezone=edit.timezone,
        all_day=edit.all_day,
        registration_deadline=deadline,
    )


def _applied_start(start: datetime, edit: MeetingDraft, zone: ZoneInfo) -> datetime:
    """The edit's time of day, in its zone, on the day `start` falls on in `zone`."""
    new_zone = ZoneInfo(edit.timezone)
    clock = edit.starts_at.astimezone(new_zone).timetz().replace(tzinfo=None)
    return datetime.combine(start.astimezone(zone).date(), clock, tzinfo=new_zone)


def _continued(series: MeetingSeries, first: Meeting) -> str:
    """The rule from `first` on: the same days, and as many meetings as were left of a counted series."""
    zone = ZoneInfo(series.timezone)
    repeat = Repeat.of_rule(series.rule, zone)
    if repeat.count is not None and first.occurrence_at is not None:
        before = sum(1 for start in repeats.starts(series.rule, series.starts_at, zone) if start < first.occurrence_at)
        repeat = repeat.with_end(count=max(repeat.count - before, 1), until=None)
    return repeat.rule(zone)


def _ended_before(series: MeetingSeries, first: Meeting) -> str:
    """The series' rule, ended just before `first`."""
    zone = ZoneInfo(series.timezone)
    repeat = Repeat.of_rule(series.rule, zone)
    last = (first.occurrence_at or first.starts_at).astimezone(zone).date() - timedelta(days=1)
    return repeat.with_end(count=None, until=last).rule(zone)
