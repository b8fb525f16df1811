"""Offers from the waitlist, in words: the offer with its time limit and buttons, and what became of it."""

from __future__ import annotations

from datetime import datetime

from bot.language.i18n import _
from bot.views import blocks
from bot.views.meetings import moment_token, when_text
from store.models import Meeting

OFFER_TAKE = "meeting_offer_take"
OFFER_DECLINE = "meeting_offer_decline"


def offer_text(meeting: Meeting, expires: datetime) -> str:
    """The direct message offering a freed place to the first in line."""
    return _(
        ":tada: A place freed up at *{title}*, {when}, and you are first in line. It is held for you until "
        "{until}: press *Take the place* to have it, or *No longer needed* to pass it to the next person.",
        title=blocks.escape(meeting.title),
        when=when_text(meeting),
        until=moment_token(expires, meeting),
    )


def offer_buttons(meeting_id: int, stamp: str) -> blocks.Block:
    """*Take the place* and *No longer needed*; the value names the offer."""
    value = f"{meeting_id}:{stamp}"
    return blocks.actions(
        blocks.button(_("Take the place"), OFFER_TAKE, value, style="primary"),
        blocks.button(_("No longer needed"), OFFER_DECLINE, value),
        block_id=f"offer-{meeting_id}-{stamp}",
    )


def lapsed_text(meeting: Meeting) -> str:
    """The direct message when an offer's time ran out."""
    return _(
        ":hourglass: The place held for you at *{title}* was not taken in time, so it goes to the next person. "
        "You are back on the waitlist, at its end; press *Can't come* on the meeting to leave it.",
        title=blocks.escape(meeting.title),
    )


def taken_text(meeting: Meeting) -> str:
    """The private answer to *Take the place*."""
    return _(
        ":white_check_mark: The place is yours: you're registered to come in person to *{title}*, {when}.",
        title=blocks.escape(meeting.title),
        when=when_text(meeting),
    )


def declined_text(meeting: Meeting) -> str:
    """The private answer to *No longer needed*."""
    return _(
        ":ok_hand: Noted: you no longer need a place at *{title}*; it goes to the next person waiting.",
        title=blocks.escape(meeting.title),
    )


def lapsed_answer(meeting: Meeting, expired_at: datetime | None) -> str:
    """The private answer to a press on an offer that has closed."""
    if expired_at is None:
        return _("That offer is closed. `/meetings {number}` shows where you stand.", number=meeting.id)
    return _(
        "That offer closed at {when}, so nothing was changed. `/meetings {number}` shows where you stand.",
        when=moment_token(expired_at, meeting),
        number=meeting.id,
    )


def not_yours_text() -> str:
    """The private answer to a press on an offer made to someone else."""
    return _("That offer was made to someone else, so nothing was changed.")


def gone_text() -> str:
    """The private answer to a press on an offer whose meeting was cancelled, started or removed."""
    return _("That meeting was cancelled or has begun, so the offer is closed and nothing was changed.")
