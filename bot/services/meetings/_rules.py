"""The rules of the series meetings belong to, for showing them beside each meeting ("every first Tuesday")."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.language.repeats import Repeat
from store import series as series_store
from store.models import Meeting


def rule_of(session: Session, meeting: Meeting) -> Repeat | None:
    """The rule of the meeting's series, or None for a meeting on its own."""
    if meeting.series_id is None:
        return None
    series = series_store.get_series(session=session, series_id=meeting.series_id)
    return None if series is None else Repeat.of_rule(series.rule, ZoneInfo(series.timezone))


def rules_of(session: Session, meetings: list[Meeting]) -> dict[int, Repeat]:
    """The rules of these meetings' series, by meeting id."""
    found = series_store.series_of(session=session, ids={m.series_id for m in meetings if m.series_id is not None})
    rules = {sid: Repeat.of_rule(s.rule, ZoneInfo(s.timezone)) for sid, s in found.items()}
    return {m.id or 0: rules[m.series_id] for m in meetings if m.series_id in rules}
