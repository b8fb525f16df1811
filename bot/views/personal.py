"""The reader's own settings in App Home: reminders by direct message one by one, the digest by direct message,
and their name among those coming."""

from __future__ import annotations

from collections.abc import Sequence

from babel.dates import format_timedelta

from bot.config import parse_offsets
from bot.language import i18n
from bot.language.i18n import _
from bot.views import blocks
from store.models import Person

REMINDERS = "settings_reminders"
DIGEST = "settings_digest_dm"
LISTED = "settings_listed"
ON = "on"


def reminder_label(offset: str) -> str:
    """A reminder as people say it: "1 week before", "1 hour before"."""
    (delta,) = parse_offsets(offset)
    return _("{time} before", time=format_timedelta(delta, threshold=1.0, locale=i18n.language()))


def _checkboxes(action_id: str, options: list[blocks.Block], ticked: Sequence[str]) -> blocks.Block:
    element: blocks.Block = {"type": "checkboxes", "action_id": action_id, "options": options}
    chosen = [o for o in options if o["value"] in ticked]
    if chosen:
        element["initial_options"] = chosen
    return element


def section(person: Person, offered: Sequence[str]) -> list[blocks.Block]:
    """The settings, each a box to tick, saved as it is ticked."""
    body: list[blocks.Block] = [blocks.header(_("My settings"))]
    if offered:
        options = [{"text": blocks.plain(reminder_label(o), 75), "value": o} for o in offered[:10]]
        kept = [o for o in offered if person.reminders and o not in person.reminders_off.split(",")]
        body.append(
            blocks.section(
                _(":bell: Meeting reminders by direct message"), accessory=_checkboxes(REMINDERS, options, kept)
            )
        )
    digest = [{"text": blocks.plain(_("The weekly digest by direct message too")), "value": ON}]
    body.append(
        blocks.section(
            _(":newspaper: The digest is posted in the group channel"),
            accessory=_checkboxes(DIGEST, digest, [ON] if person.digest_dm else []),
        )
    )
    listed = [{"text": blocks.plain(_("Show my name to other members among those coming")), "value": ON}]
    body.append(
        blocks.section(
            _(":busts_in_silhouette: Organisers always see who is coming"),
            accessory=_checkboxes(LISTED, listed, [ON] if person.listed else []),
        )
    )
    return body


def ticked(action: dict[str, object]) -> set[str]:
    """The values ticked in a checkboxes action."""
    chosen = action.get("selected_options")
    if not isinstance(chosen, list):
        return set()
    return {str(o.get("value")) for o in chosen if isinstance(o, dict) and o.get("value")}
