"""Concrete actions as people see them: the owner's message with its buttons, and the lists."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from bot.language.i18n import _
from bot.views import blocks
from bot.views.meetings import day_words
from store.after_models import Action, ActionStatus
from store.models import Meeting

DONE = "action_done"
DROP = "action_drop"
LIST_LIMIT = 20


def line(action: Action, meetings: Mapping[int, str] | None = None, *, today: date | None = None) -> str:
    """One action: number, title, owner, due date (and whether it is overdue), the meeting it came from."""
    parts = [f"*#{action.id}* {blocks.escape(action.title)}", f"<@{action.owner_id}>"]
    if action.due_on is not None:
        day = day_words(action.due_on, "date")
        late = today is not None and action.status == ActionStatus.OPEN and action.due_on < today
        parts.append(_("overdue since {day}", day=day) if late else _("due {day}", day=day))
    title = (meetings or {}).get(action.meeting_id or 0)
    if title:
        parts.append(_("from {meeting} (#{number})", meeting=blocks.escape(title), number=action.meeting_id))
    if action.status == ActionStatus.DONE:
        parts.append(_(":white_check_mark: done"))
    elif action.status == ActionStatus.DROPPED:
        parts.append(_("dropped"))
    return " · ".join(parts)


def buttons(action: Action) -> blocks.Block:
    """Done and Drop, for the owner (or an organiser)."""
    return blocks.actions(
        blocks.button(_("Done"), DONE, str(action.id), style="primary"),
        blocks.button(_("Drop"), DROP, str(action.id)),
        block_id=f"action-{action.id}",
    )


def owner_message(action: Action, meeting: Meeting | None, *, reminder: bool) -> dict[str, Any]:
    """The direct message to an action's owner: that it is theirs, or that it is due soon."""
    what = f"*{blocks.escape(action.title)}* (#{action.id})"
    due = day_words(action.due_on, "long") if action.due_on else ""
    if reminder:
        text = _("A reminder: your action {action} is due on {day}.", action=what, day=due)
    elif meeting is not None and due:
        agreed_at = f"*{blocks.escape(meeting.title)}*"
        text = _(
            "You own an action agreed at {meeting}: {action}, due on {day}.", meeting=agreed_at, action=what, day=due
        )
    elif meeting is not None:
        agreed_at = f"*{blocks.escape(meeting.title)}*"
        text = _("You own an action agreed at {meeting}: {action}.", meeting=agreed_at, action=what)
    elif due:
        text = _("You own an action: {action}, due on {day}.", action=what, day=due)
    else:
        text = _("You own an action: {action}.", action=what)
    hint = _("Press *Done* when it is done; `/actions mine` lists your open ones.")
    return blocks.message(text, [blocks.section(text), buttons(action), blocks.context(hint)])


def list_message(
    actions: Sequence[Action], meetings: Mapping[int, str], *, heading: str, empty: str, today: date, user_id: str
) -> tuple[str, list[blocks.Block]]:
    """A list of actions, with buttons beside those the reader owns."""
    if not actions:
        return empty, [blocks.section(empty)]
    body: list[blocks.Block] = [blocks.section(f"*{heading}*")]
    for action in actions[:LIST_LIMIT]:
        body.append(blocks.section(line(action, meetings, today=today)))
        if action.owner_id == user_id and action.status == ActionStatus.OPEN:
            body.append(buttons(action))
    return heading, body[: blocks.MESSAGE_BLOCKS_LIMIT]


def closed_text(action: Action, *, changed: bool) -> str:
    """What marking an action says."""
    what = f"*{blocks.escape(action.title)}* (#{action.id})"
    if action.status == ActionStatus.DONE:
        return _("Done: {action}. Thank you.", action=what) if changed else _("{action} was done already.", action=what)
    if action.status == ActionStatus.DROPPED:
        return _("Dropped: {action}.", action=what) if changed else _("{action} was dropped already.", action=what)
    return _("{action} is open.", action=what)
