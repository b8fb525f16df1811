"""Telling the organisers which posts could not be made."""

from __future__ import annotations

import logging

from slack_sdk import WebClient

from bot.deps import Deps
from store import people as people_store
from store.models import ScheduledPost

logger = logging.getLogger(__name__)


def tell_organisers(deps: Deps, client: WebClient, failures: list[ScheduledPost]) -> None:
    """Send each organiser one direct message listing the posts that failed for good in a run."""
    lines = [
        f"• {row.kind} to {_where(row.channel)}, due {row.due_at:%Y-%m-%d %H:%M} UTC: {row.last_error}"
        for row in failures[:20]
    ]
    more = f"\n…and {len(failures) - 20} more." if len(failures) > 20 else ""
    text = (
        f":warning: {len(failures)} scheduled post{'s' if len(failures) != 1 else ''} could not be posted:\n"
        + "\n".join(lines)
        + more
        + "\nAn operator can list them with `tci-bot schedule --status failed`."
    )
    with deps.sessions() as session:
        organisers = [person.slack_id for person in people_store.list_organisers(session=session)]
    for slack_id in organisers:
        try:
            client.chat_postMessage(channel=slack_id, text=text)
        except Exception:
            logger.exception("could not tell organiser %s about failed posts", slack_id)


def _where(channel: str) -> str:
    if not channel:
        return "no channel"
    return f"<@{channel}>" if channel[:1] in ("U", "W") else f"<#{channel}>"
