"""What the meetings' listeners share: action ids, finding the meeting meant, organisers' buttons."""

from __future__ import annotations

from typing import Any

from bot.deps import Deps
from bot.language.i18n import _
from bot.services import meetings as service
from bot.views import blocks
from handlers.routing import Call, meeting_number, pressed_value
from store.models import Meeting

LIST_LIMIT = 10
HOME_LIMIT = 5
QUICK_SAVE = "meeting_quick_save"
QUICK_FORM = "meeting_quick_form"
QUICK_DISCARD = "meeting_quick_discard"
CANCEL_CONFIRM = "meeting_cancel_confirm"
CANCEL_KEEP = "meeting_cancel_keep"
CANCEL_FOLLOWING = "meeting_cancel_following"  # a meeting of a series, and the series' later ones
ANNOUNCE = "meeting_announce"
CREATE = "meeting_create"
EDIT = "meeting_edit"
ATTENDEES_CSV = "meeting_attendees_csv"


def subscribe_text(deps: Deps) -> str:
    """The line that offers the calendar feed, which keeps every meeting current in one's calendar."""
    link = blocks.link(deps.settings.feed_url, _("Subscribe to all meetings"))
    return _(":calendar: {link} in your calendar app.", link=link)


def nothing_planned(deps: Deps, user_id: str) -> str:
    """What to say when no meeting is planned."""
    if deps.people.is_organiser(user_id):
        return _("No meetings are planned yet. Create one with `/meetings add`.")
    return _("No meetings are planned yet.")


def meeting_named(call: Call, *, usage: str = "") -> Meeting | None:
    """The meeting whose number the command gives, or None after telling the person what was wrong."""
    number = meeting_number(call.args)
    command = f"/meetings {usage}".strip()
    if number is None:
        example = command.replace("<number>", "3")
        if call.args:
            call.reply(
                _(
                    "Which meeting? Give its number, e.g. `{example}` (I read: {said}). "
                    "`/meetings` lists them with their numbers.",
                    example=example,
                    said=blocks.escape(call.args[:50]),
                )
            )
        else:
            call.reply(
                _(
                    "Which meeting? Give its number, e.g. `{example}`. `/meetings` lists them with their numbers.",
                    example=example,
                )
            )
        return None
    meeting = service.find_meeting(call.deps, meeting_id=number)
    if meeting is None:
        call.reply(
            _("There is no meeting #{number}. `/meetings` lists the upcoming ones with their numbers.", number=number)
        )
    return meeting


def pressed_number(body: dict[str, Any]) -> int:
    """The number of the meeting whose button was pressed (0 when the button carries none)."""
    return meeting_number(pressed_value(body)) or 0


def pressed_meeting(deps: Deps, body: dict[str, Any]) -> Meeting | None:
    """The meeting whose button was pressed, if it still exists."""
    number = pressed_number(body)
    return service.find_meeting(deps, meeting_id=number) if number else None


def organiser_buttons(meeting: Meeting) -> blocks.Block:
    """What organisers can do with a meeting from where they see it."""
    buttons = [blocks.button(_("Edit"), EDIT, str(meeting.id))]
    if not meeting.card_ts:
        buttons.insert(0, blocks.button(_("Announce"), ANNOUNCE, str(meeting.id), style="primary"))
    buttons.append(blocks.button(_("Attendees (CSV)"), ATTENDEES_CSV, str(meeting.id)))
    return blocks.actions(*buttons, block_id=f"meeting-{meeting.id}-organise")
