"""Block Kit for the scheduler's posts about practices: the periodic digest and the call for practices.

Pure builders: what the store holds in, a message payload out; reading the store is
bot.services.digest's business, posting it (and when) the scheduler's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from bot.config import Settings
from bot.language.countries import country_name
from bot.views import blocks
from bot.views import meetings as views
from bot.views.practices import card_link
from store.models import Meeting, Practice

# How many practices and meetings a digest lists by name; the rest are counted.
MAX_PRACTICES = 10
MAX_MEETINGS = 10
# How many practices of a period are read to count them (a period with more says "at least").
MAX_COUNTED = 1000
# Room left in a section for a list of topics, below Slack's 3,000 characters.
TOPICS_ROOM = 2500


def digest_message(
    settings: Settings,
    *,
    practices: Sequence[Practice],
    useful: Mapping[int, int],
    meetings: Sequence[Meeting],
    start: datetime,
    end: datetime,
    until: datetime,
) -> dict[str, Any]:
    """The digest of [start, end): the practices published then (`useful` marks by id), meetings to `until`."""
    listed = practices[:MAX_PRACTICES]
    period = period_text(start, end, settings.tz)
    body: list[blocks.Block] = [blocks.header(f"{blocks.clip(settings.group_name, 100)} · {period}")]

    more_practices = len(practices) - len(listed)
    if practices:
        counted = f"{len(practices)}{'+' if len(practices) >= MAX_COUNTED else ''}"
        body.append(blocks.section(f":sparkles: *New practices* ({counted})"))
        body += [blocks.section(practice_line(p, useful.get(p.id or 0, 0))) for p in listed]
        if more_practices:
            at_least = "at least " if len(practices) >= MAX_COUNTED else ""
            body.append(blocks.context(f"and {at_least}{more_practices} more: `/practice list`"))
    else:
        body.append(blocks.section(":sparkles: *New practices*\nNone were shared in this period."))

    body.append(blocks.divider())
    shown = meetings[:MAX_MEETINGS]
    if shown:
        body.append(blocks.section(f":calendar: *Coming up* ({len(meetings)})"))
        for meeting in shown:
            body += meeting_lines(meeting)
        if len(meetings) > len(shown):
            body.append(blocks.context(f"and {len(meetings) - len(shown)} more: `/meetings`"))
    else:
        last_day = (until - timedelta(microseconds=1)).astimezone(settings.tz)
        body.append(blocks.section(f":calendar: *Coming up*\nNo meetings planned before {last_day:%-d %b %Y}."))

    body.append(blocks.divider())
    body.append(
        blocks.context(":raising_hand: Tried something that worked, or didn't? Share it with the group: `/practice`")
    )

    text = f"{settings.group_name}, {period}: {_count(len(practices), 'new practice')}"
    text += f" and {_count(len(meetings), 'meeting')} coming up."
    return blocks.message(blocks.escape(text), body)


def practice_line(practice: Practice, useful: int) -> str:
    """A practice in a digest: its title (a link to its card when it has one) and its facts."""
    url = card_link(practice)
    first = f"*{blocks.link(url, practice.title)}*" if url else f"*{blocks.escape(practice.title)}*"
    facts = [practice.kind, practice.topic, country_name(practice.country), practice.organisation]
    second = " · ".join(blocks.escape(fact) for fact in facts if fact)
    marks = f"{_count(useful, 'person', 'people')} found it useful" if useful else "no useful-marks yet"
    return f"{first} (#{practice.id})\n{second}\n:bulb: {marks}"


def meeting_lines(meeting: Meeting) -> list[blocks.Block]:
    """A meeting in a digest: title, when (in the reader's zone), where, and how to see more."""
    lines = [views.title_line(meeting), views.when_text(meeting), views.place_text(meeting)]
    return [
        blocks.section("\n".join(line for line in lines if line)),
        blocks.context(f"`/meetings {meeting.id}` for details and to register"),
    ]


def period_text(start: datetime, end: datetime, zone: tzinfo) -> str:
    """The days of [start, end) in the group's zone: `18–24 Nov 2026`, `28 Nov – 4 Dec 2026`."""
    first = start.astimezone(zone).date()
    last = max((end - timedelta(microseconds=1)).astimezone(zone).date(), first)
    if first == last:
        return _day(first, year=True)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{_day(last, year=True)}"
    return f"{_day(first, year=first.year != last.year)} – {_day(last, year=True)}"


def call_for_practices(settings: Settings) -> dict[str, Any]:
    """The periodic invitation to share a practice: what counts, on which topics, and how."""
    group = blocks.escape(settings.group_name)
    kinds = ", ".join(blocks.escape(kind) for kind in settings.practice_kinds)
    body: list[blocks.Block] = [
        blocks.section(
            f":seedling: *Call for practices*\nWhat has your cluster tried lately, and what came of it? "
            f"{group} learns from what worked and from what didn't, with the figures behind it."
            + (f"\nAny kind counts: {kinds}." if kinds else "")
        ),
    ]
    if settings.practice_topics:
        body.append(blocks.section("*Our topics*\n" + _bullets(settings.practice_topics, TOPICS_ROOM)))
    body.append(
        blocks.section(
            "*How to share*\n• Type `/practice` in any channel or here.\n"
            "• Or, on a message that already tells the story, open its menu (*More actions*) "
            "and choose *Share as practice*."
        )
    )
    body.append(blocks.context("A title, a few lines and any figures you have: it takes five minutes."))
    text = f"Call for practices: share what your cluster tried with {settings.group_name}. Type /practice."
    return blocks.message(blocks.escape(text), body)


def _bullets(items: Sequence[str], room: int) -> str:
    """Items as escaped bullet lines, as many as fit in `room` characters, then how many more."""
    lines: list[str] = []
    used = 0
    for index, item in enumerate(items):
        line = f"• {blocks.escape(item)}"
        if used + len(line) + 1 > room:
            lines.append(f"…and {len(items) - index} more")
            break
        lines.append(line)
        used += len(line) + 1
    return "\n".join(lines)


def _day(day: date, *, year: bool) -> str:
    return f"{day.day} {day:%b}" + (f" {day.year}" if year else "")


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number == 1 else (plural or singular + 's')}"
