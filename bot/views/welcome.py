"""The welcome a newcomer to the group channel gets by direct message, in their language."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.language import i18n
from bot.language.i18n import _
from bot.language.repeats import Repeat
from bot.views import blocks
from bot.views.meetings import entry
from store.meetings import Counts
from store.models import Attendance, Meeting


def welcome(
    *,
    group: str,
    aims: str,
    meeting: Meeting | None,
    counts: Counts,
    answer: Attendance | None,
    rule: Repeat | None,
    now: datetime,
) -> dict[str, Any]:
    """Who the group is and what it is for, its next meeting with its buttons, and how to take part."""
    hello = _("Welcome to {group}!", group=group)
    body: list[blocks.Block] = [
        blocks.header(hello),
        blocks.section(
            blocks.escape(aims)
            if aims
            else _(
                "We are cluster practitioners who meet a few times a year to share practices, gather evidence "
                "and agree concrete actions. I keep the group's meetings and its library of practices."
            )
        ),
    ]
    if meeting is not None:
        body.append(blocks.section(_("*The next meeting*")))
        body += entry(meeting, counts, answer, where="welcome", now=now, rule=rule)
    else:
        body.append(blocks.section(_("No meeting is planned yet: `/meetings` lists them once they are.")))
    body += [
        blocks.section(
            _(
                "*Share a practice:* `/practice` opens a short form; `/practice search digital skills` finds "
                "what others shared."
            )
        ),
        blocks.context(
            _(
                "I write to you in your Slack language; `/tci language es` chooses another ({languages}). "
                "Meeting reminders come by direct message; `/meetings reminders off` stops them.",
                languages=", ".join(i18n.available()),
            )
        ),
    ]
    return blocks.message(hello, body)
