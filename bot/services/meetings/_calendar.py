"""Meetings for calendars: a meeting's .ics file and the feed, a series published as one event with its rule."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from bot.deps import Deps
from bot.views.calendar import SeriesEntry, calendar_domain, calendar_file
from store import recaps as recaps_store
from store import series as series_store
from store.models import Meeting


def series_entries(session: Session, meetings: Sequence[Meeting]) -> list[SeriesEntry]:
    """The series these meetings belong to, each with every meeting of it that exists."""
    found = series_store.series_of(session=session, ids={m.series_id for m in meetings if m.series_id is not None})
    return [
        SeriesEntry(
            series=series,
            template=series_store.template_of(series),
            meetings=series_store.occurrences(session=session, series_id=series_id),
        )
        for series_id, series in sorted(found.items())
    ]


def calendar_of(deps: Deps, meetings: Sequence[Meeting]) -> bytes:
    """The iCalendar file of these meetings; a meeting of a series brings its whole series."""
    settings = deps.settings
    with deps.sessions() as session:
        entries = series_entries(session, meetings)
        ids = [m.id or 0 for m in meetings] + [m.id or 0 for e in entries for m in e.meetings]
        recaps = recaps_store.recaps_of(session=session, meeting_ids=ids)
    return calendar_file(
        meetings,
        name=settings.group_name,
        domain=calendar_domain(settings.public_url),
        series=entries,
        recaps=recaps,
    )
