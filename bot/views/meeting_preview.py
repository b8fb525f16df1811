"""A meeting read from one line, shown before it is saved: what was understood, and the preview's value.

The preview's buttons carry the meeting as JSON (the form's fields, `meeting_form.draft_to_json`) and,
for a series, its rule in RRULE text beside them.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.language import i18n, repeats, when
from bot.language.countries import country_name
from bot.language.i18n import _, n_
from bot.language.repeats import Repeat
from bot.views import blocks
from bot.views.meeting_dates import day_words, days_words, when_plain
from bot.views.meeting_form import KIND_WORDS, draft_from_json, draft_to_json
from store.meetings import MeetingDraft
from store.models import Meeting, MeetingKind


def preview_value(draft: MeetingDraft, repeat: Repeat | None = None) -> str:
    """The value a preview's buttons carry: the meeting, and its rule when it repeats."""
    if repeat is None:
        return draft_to_json(draft)
    values = json.loads(draft_to_json(draft))
    values["repeat"] = repeat.rule(ZoneInfo(draft.timezone))
    return json.dumps(values, separators=(",", ":"))


def read_preview(value: str) -> tuple[MeetingDraft, Repeat | None]:
    """The meeting a preview's button carried, and its rule; raise ValueError (or TypeError) when it is none."""
    values = json.loads(value)
    if not isinstance(values, dict):
        raise ValueError("not a meeting preview")
    rule = values.pop("repeat", None)
    draft = draft_from_json(json.dumps(values))
    if rule is None:
        return draft, None
    if not isinstance(rule, str):
        raise ValueError("not a repeat rule")
    return draft, Repeat.of_rule(rule, ZoneInfo(draft.timezone))


def _moment(moment: datetime, zone: ZoneInfo) -> str:
    """A date and time in the meeting's zone, the date in the reader's language: `Tue 5 Jan 2027 15:00`."""
    local = moment.astimezone(zone)
    return f"{day_words(local.date(), 'short')} {local:%H:%M}"


def summary(draft: MeetingDraft, repeat: Repeat | None = None) -> str:
    """What the bot understood, to show before saving."""
    tz = ZoneInfo(draft.timezone)
    start, end = _moment(draft.starts_at, tz), _moment(draft.ends_at, tz)
    lines = [
        _("*{title}* ({kind})", title=blocks.escape(draft.title), kind=_(KIND_WORDS[MeetingKind(draft.kind)])),
        _("All day: {days}", days=days_words(*when.days_of(draft.starts_at, draft.ends_at, tz)))
        if draft.all_day
        else _("From {start} to {end} ({zone})", start=start, end=end, zone=draft.timezone),
    ]
    if repeat is not None:
        lines.append(_("Repeats: {rule}", rule=repeats.describe(repeat)))
    where = ", ".join(blocks.escape(p) for p in (draft.venue, draft.city, country_name(draft.country)) if p)
    if where:
        lines.append(_("Where: {place}", place=where))
    if draft.join_url:
        lines.append(_("Join link: {link}", link=blocks.escape(draft.join_url)))
    if draft.capacity is not None:
        lines.append(_("In-person places: {count}", count=i18n.format_number(draft.capacity)))
    if draft.registration_deadline is not None:
        lines.append(_("Register by: {deadline}", deadline=_moment(draft.registration_deadline, tz)))
    return "\n".join(lines)


def series_text(repeat: Repeat, count: int) -> str:
    """What a new series is: its rule, and how many of its meetings exist so far."""
    return n_(
        ":repeat: It repeats {rule}. {count} meeting of the series exists so far; "
        "the others are created as they come near, each with its own registration and reminders.",
        ":repeat: It repeats {rule}. {count} meetings of the series exist so far; "
        "the others are created as they come near, each with its own registration and reminders.",
        count,
        rule=repeats.describe(repeat),
    )


def read_as_text(written: str, meeting: Meeting) -> str:
    """What a start typed without its year ("next Thursday 10:00") was taken to be, so that a misreading is seen."""
    written = written.strip()
    if not written or re.search(r"\b\d{4}\b", written):
        return ""
    return _(
        "You wrote “{written}” for the start: that is {when}.",
        written=blocks.escape(written),
        when=when_plain(meeting),
    )
