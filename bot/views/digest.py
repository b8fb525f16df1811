"""Block Kit for the scheduler's posts about practices: the periodic digest and the call for practices.

Pure builders: what the store holds in, a message payload out; reading the store is
bot.services.digest's business, posting it (and when) the scheduler's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from bot.config import Settings
from bot.language import i18n
from bot.language.countries import country_name
from bot.language.i18n import _, n_
from bot.views import blocks
from bot.views import meetings as views
from bot.views.actions import line as action_line
from bot.views.practice_parts import card_link
from store.after_models import Action, ActionStatus
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
    actions: Sequence[Action] = (),
) -> dict[str, Any]:
    """The digest of [start, end): the practices published then (`useful` marks by id), meetings to `until`,
    and the actions due soon or done in the period."""
    listed = practices[:MAX_PRACTICES]
    period = period_text(start, end, settings.tz)
    body: list[blocks.Block] = [blocks.header(f"{blocks.clip(settings.group_name, 100)} · {period}")]

    more_practices = len(practices) - len(listed)
    if practices:
        if len(practices) >= MAX_COUNTED:
            heading = _(":sparkles: *New practices* ({count}+)", count=len(practices))
        else:
            heading = _(":sparkles: *New practices* ({count})", count=len(practices))
        body.append(blocks.section(heading))
        body += [blocks.section(practice_line(p, useful.get(p.id or 0, 0))) for p in listed]
        if more_practices and len(practices) >= MAX_COUNTED:
            body.append(
                blocks.context(
                    n_(
                        "and at least {count} more: `/practice list`",
                        "and at least {count} more: `/practice list`",
                        more_practices,
                    )
                )
            )
        elif more_practices:
            body.append(
                blocks.context(
                    n_("and {count} more: `/practice list`", "and {count} more: `/practice list`", more_practices)
                )
            )
    else:
        body.append(blocks.section(_(":sparkles: *New practices*\nNone were shared in this period.")))

    body.append(blocks.divider())
    shown = meetings[:MAX_MEETINGS]
    if shown:
        body.append(blocks.section(_(":calendar: *Coming up* ({count})", count=len(meetings))))
        for meeting in shown:
            body += meeting_lines(meeting)
        if len(meetings) > len(shown):
            more = len(meetings) - len(shown)
            body.append(blocks.context(n_("and {count} more: `/meetings`", "and {count} more: `/meetings`", more)))
    else:
        last_day = (until - timedelta(microseconds=1)).astimezone(settings.tz)
        body.append(
            blocks.section(
                _(
                    ":calendar: *Coming up*\nNo meetings planned before {day}.",
                    day=i18n.format_day(last_day, "d MMM y"),
                )
            )
        )

    if actions:
        due = [a for a in actions if a.status == ActionStatus.OPEN]
        done = [a for a in actions if a.status == ActionStatus.DONE]
        body.append(blocks.divider())
        today = end.astimezone(settings.tz).date()
        if due:
            lines = blocks.clip("\n".join(f"• {action_line(a, today=today)}" for a in due), TOPICS_ROOM)
            body.append(blocks.section(_(":dart: *Actions due*\n{actions}", actions=lines)))
        if done:
            lines = blocks.clip("\n".join(f"• {action_line(a)}" for a in done), TOPICS_ROOM)
            body.append(blocks.section(_(":white_check_mark: *Actions done*\n{actions}", actions=lines)))
    body.append(blocks.divider())
    body.append(
        blocks.context(_(":raising_hand: Tried something that worked, or didn't? Share it with the group: `/practice`"))
    )

    coming = n_("{count} meeting coming up", "{count} meetings coming up", len(meetings))
    text = n_(
        "{group}, {period}: {count} new practice and {meetings}.",
        "{group}, {period}: {count} new practices and {meetings}.",
        len(practices),
        group=settings.group_name,
        period=period,
        meetings=coming,
    )
    return blocks.message(blocks.escape(text), body)


def practice_line(practice: Practice, useful: int) -> str:
    """A practice in a digest: its title (a link to its card when it has one) and its facts."""
    url = card_link(practice)
    first = f"*{blocks.link(url, practice.title)}*" if url else f"*{blocks.escape(practice.title)}*"
    facts = [practice.kind, practice.topic, country_name(practice.country), practice.organisation]
    second = " · ".join(blocks.escape(fact) for fact in facts if fact)
    if useful:
        marks = n_(":bulb: {count} person found it useful", ":bulb: {count} people found it useful", useful)
    else:
        marks = _(":bulb: no useful-marks yet")
    return f"{first} (#{practice.id})\n{second}\n{marks}"


def meeting_lines(meeting: Meeting) -> list[blocks.Block]:
    """A meeting in a digest: title, when (in the reader's zone), where, and how to see more."""
    lines = [views.title_line(meeting), views.when_text(meeting), views.place_text(meeting)]
    return [
        blocks.section("\n".join(line for line in lines if line)),
        blocks.context(_("`/meetings {number}` for details and to register", number=meeting.id)),
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
    invitation = _(
        ":seedling: *Call for practices*\nWhat has your cluster tried lately, and what came of it? "
        "{group} learns from what worked and from what didn't, with the figures behind it.",
        group=group,
    )
    if kinds:
        invitation += "\n" + _("Any kind counts: {kinds}.", kinds=kinds)
    body: list[blocks.Block] = [blocks.section(invitation)]
    if settings.practice_topics:
        body.append(blocks.section(_("*Our topics*") + "\n" + _bullets(settings.practice_topics, TOPICS_ROOM)))
    body.append(
        blocks.section(
            _(
                "*How to share*\n• Type `/practice` in any channel or here.\n"
                "• Or, on a message that already tells the story, open its menu (*More actions*) "
                "and choose *Share as practice*."
            )
        )
    )
    body.append(blocks.context(_("A title, a few lines and any figures you have: it takes five minutes.")))
    text = _(
        "Call for practices: share what your cluster tried with {group}. Type /practice.", group=settings.group_name
    )
    return blocks.message(blocks.escape(text), body)


def _bullets(items: Sequence[str], room: int) -> str:
    """Items as escaped bullet lines, as many as fit in `room` characters, then how many more."""
    lines: list[str] = []
    used = 0
    for index, item in enumerate(items):
        line = f"• {blocks.escape(item)}"
        if used + len(line) + 1 > room:
            lines.append(n_("…and {count} more", "…and {count} more", len(items) - index))
            break
        lines.append(line)
        used += len(line) + 1
    return "\n".join(lines)


def _day(day: date, *, year: bool) -> str:
    """A day in a period, in the language spoken now: `24 Nov 2026`, or `24 Nov` without the year."""
    return i18n.format_day(day, "d MMM y" if year else "d MMM")
