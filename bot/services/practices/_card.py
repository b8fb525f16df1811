"""What a practice's change owes: its card in the group channel, and direct messages.

Nothing here calls Slack: the rows are written in the change's own transaction and delivered by
the sender (bot.services.outbox). The card is rendered when it is sent, with the count as it is then.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from sqlmodel import Session

from bot.deps import Deps
from bot.language import i18n
from bot.posts import Delivery, Edit, RenderContext, Skip
from bot.services import languages, outbox
from bot.views import practices as views
from store import people as people_store
from store import practices as store
from store import schedule
from store.db import one_transaction
from store.models import PostKind, Practice, PracticeStatus, ScheduledPost
from store.schedule import PlannedPost

MISSING_CARDS_LIMIT = 200


def organiser_notices(deps: Deps, session: Session, practice: Practice, now: datetime) -> list[PlannedPost]:
    """Tell each organiser, in their language, that a practice waits for approval, with the buttons to decide."""
    organisers = [person.slack_id for person in people_store.list_organisers(session=session)]
    notices: list[PlannedPost] = []
    for language, readers in languages.by_language(deps, session, organisers).items():
        with i18n.speaking(language):
            text, body = views.waiting_for_organisers(practice)
            notices += outbox.notices(readers, text, body, about=f"practice-{practice.id}-waiting", now=now)
    return notices


def owe_missing_cards(deps: Deps) -> int:
    """Owe a card for every published practice that has none (a database filled other than through the bot, as
    the demo's is); how many."""
    now = deps.clock()
    channel = deps.settings.group_channel
    owed = 0
    with deps.sessions() as session, one_transaction(session):
        every = store.list_practices(session=session, limit=MISSING_CARDS_LIMIT).practices
        for practice in every:
            if not practice.card_ts:
                owed += owe_card(session, practice, channel=channel, now=now)
    deps.send_now()
    return owed


def owe_card(session: Session, practice: Practice, *, channel: str, now: datetime) -> bool:
    """In the session's transaction: the published practice's card is posted, or brought up to date.

    Whether a card is there or on its way (False: not published, or no group channel to post in).
    """
    if practice.status != PracticeStatus.PUBLISHED:
        return False
    practice_id = practice.id or 0
    payload: dict[str, object] = {"id": practice_id}
    first = f"practice-card:{practice_id}"
    if practice.card_channel and practice.card_ts:
        key, where = f"{first}:{uuid.uuid4().hex}", practice.card_channel
    elif schedule.get_post(session=session, key=first) is not None:
        # Its first post is on its way: a change committed after that post was rendered is sent by this row.
        key, where = f"{first}:{uuid.uuid4().hex}", channel
    elif channel:
        key, where, payload["first"] = first, channel, True
    else:
        return False
    row = PlannedPost(key=key, kind=PostKind.PRACTICE_CARD, channel=where, due_at=now, payload=_json(payload))
    outbox.owe(session, [row], now=now)
    return True


def owe_removal(session: Session, practice: Practice, *, now: datetime) -> None:
    """In the session's transaction: the deleted practice's card is taken from the channel."""
    if practice.card_channel and practice.card_ts:
        row = outbox.card_removal(practice.card_channel, practice.card_ts, about=f"practice-{practice.id}", now=now)
        outbox.owe(session, [row], now=now)


def _json(payload: dict[str, object]) -> str:
    return json.dumps(payload, sort_keys=True)


# What the sender asks ------------------------------------------------------------------------------


def register_renderers(deps: Deps) -> None:
    """Let the sender post and update practice cards."""

    def render(row: ScheduledPost, _context: RenderContext) -> Delivery:
        wanted = outbox.payload_of(row)
        with deps.sessions() as session:
            practice = store.get_practice(session=session, practice_id=int(wanted.get("id") or 0))
            useful = store.useful_count(session=session, practice_id=practice.id or 0) if practice else 0
        if practice is None or practice.status != PracticeStatus.PUBLISHED:
            return Skip("the practice is no longer published")
        payload = views.card(practice, useful)
        if practice.card_channel and practice.card_ts:
            return Edit(practice.card_channel, practice.card_ts, payload)
        if not wanted.get("first"):
            return Skip("the card is not posted yet; posting it shows the newest count")
        return {**payload, "unfurl_media": False}

    def posted(session: Session, row: ScheduledPost, channel: str, ts: str) -> None:
        wanted = outbox.payload_of(row)
        if not wanted.get("first"):
            return
        practice_id = int(wanted.get("id") or 0)
        if store.get_practice(session=session, practice_id=practice_id) is None:
            # Deleted while its card was on its way: the card goes too.
            row_ = outbox.card_removal(channel, ts, about=f"practice-{practice_id}", now=deps.clock())
            outbox.owe(session, [row_], now=deps.clock())
            return
        store.set_card(session=session, practice_id=practice_id, channel=channel, ts=ts)

    deps.renderers.add(PostKind.PRACTICE_CARD, render, posted=posted, timely=False, coalesce=True)
