"""Telling the organisers which posts could not be made, each in their own language."""

from __future__ import annotations

import logging

from slack_sdk import WebClient

from bot.deps import Deps
from bot.language import i18n
from bot.language.i18n import _, n_
from bot.services import languages
from store import people as people_store
from store.models import ScheduledPost

logger = logging.getLogger(__name__)

LISTED = 20  # failed posts named in one message; the rest are counted


def tell_organisers(deps: Deps, client: WebClient, failures: list[ScheduledPost]) -> None:
    """Send each organiser one direct message listing the posts that failed for good in a run."""
    with deps.sessions() as session:
        organisers = [person.slack_id for person in people_store.list_organisers(session=session)]
    for slack_id in organisers:
        try:
            with i18n.speaking(languages.of_person(deps, client, slack_id)):
                client.chat_postMessage(channel=slack_id, text=failure_notice(failures))
        except Exception:
            logger.exception("could not tell organiser %s about failed posts", slack_id)


def failure_notice(failures: list[ScheduledPost]) -> str:
    """The organisers' message about posts that failed for good, in the language spoken now.

    Slack's reasons (`last_error`) are quoted as recorded, for an operator to look up.
    """
    lines = [
        _(
            "• {kind} to {where}, due {when} UTC: {reason}",
            kind=row.kind,
            where=_where(row.channel),
            when=row.due_at.strftime("%Y-%m-%d %H:%M"),
            reason=row.last_error,
        )
        for row in failures[:LISTED]
    ]
    text = n_(
        ":warning: {count} scheduled post could not be posted:",
        ":warning: {count} scheduled posts could not be posted:",
        len(failures),
    )
    text += "\n" + "\n".join(lines)
    if len(failures) > LISTED:
        text += "\n" + n_("…and {count} more.", "…and {count} more.", len(failures) - LISTED)
    return text + "\n" + _("An operator can list them with `tci-bot schedule --status failed`.")


def _where(channel: str) -> str:
    if not channel:
        return _("no channel")
    return f"<@{channel}>" if channel[:1] in ("U", "W") else f"<#{channel}>"
