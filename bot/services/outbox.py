"""What a change owes: rows of the outbox, written in the change's own transaction.

A service that changes the store writes, in the same `one_transaction`, a row for every message
the change owes: a card to post or bring up to date, a direct message, the answer to a question.
A direct message given as `Said` is put in its reader's language when it is sent, not in the language
of whoever made the change.
The sender (bot.sender) delivers each row exactly once once the transaction is committed, as it
does the scheduled posts; the service calls `deps.send_now()` after committing so that it starts at once.
Nothing here calls Slack.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.deps import Deps
from bot.language.i18n import _
from bot.posts import Delete, Delivery, Message, RenderContext, Skip
from bot.views import blocks
from store import schedule
from store.models import PostKind, ScheduledPost
from store.schedule import PlannedPost


def owe(session: Session, posts: Iterable[PlannedPost], *, now: datetime) -> int:
    """Write the rows in the session's transaction (a key already written is not written again)."""
    return schedule.plan(session=session, posts=list(posts), now=now)


@dataclass(frozen=True)
class Said:
    """A direct message to put in its reader's language when it is sent: a text marked with N_, and its values."""

    message: str
    values: dict[str, str] = field(default_factory=dict)


def _unique(prefix: str) -> str:
    return f"{prefix}:{uuid.uuid4().hex}"


def notice(
    slack_id: str, text: str, body: list[blocks.Block] | None = None, *, about: str, now: datetime
) -> PlannedPost:
    """A direct message to `slack_id` (`text`, as blocks `body` or one section); `about` names the change."""
    message = blocks.message(text, body or [blocks.section(text)])
    return PlannedPost(
        key=_unique(f"notice:{about}:{slack_id}"),
        kind=PostKind.NOTICE,
        channel=slack_id,
        due_at=now,
        payload=json.dumps(message),
    )


def notices(
    slack_ids: Iterable[str], text: str, body: list[blocks.Block] | None = None, *, about: str, now: datetime
) -> list[PlannedPost]:
    """The same direct message to each of these people, once each."""
    return [notice(slack_id, text, body, about=about, now=now) for slack_id in dict.fromkeys(slack_ids)]


def said_notices(slack_ids: Iterable[str], said: Said, *, about: str, now: datetime) -> list[PlannedPost]:
    """The same direct message to each of these people, once each, each in their own language when sent."""
    payload = json.dumps({"say": said.message, "values": said.values})
    return [
        PlannedPost(
            key=_unique(f"notice:{about}:{slack_id}"),
            kind=PostKind.NOTICE,
            channel=slack_id,
            due_at=now,
            payload=payload,
        )
        for slack_id in dict.fromkeys(slack_ids)
    ]


def answer(channel: str, message: Message, *, thread_ts: str | None, event_id: str, now: datetime) -> PlannedPost:
    """The answer to a question, in `channel` (in the thread `thread_ts` when given).

    Keyed by the event that asked it, so that Slack's re-delivery of the event never answers twice.
    """
    payload = as_reply(message, thread_ts)
    key = answer_key(event_id) if event_id else _unique("answer")
    return PlannedPost(key=key, kind=PostKind.ANSWER, channel=channel, due_at=now, payload=json.dumps(payload))


def question(
    channel: str, *, text: str, asker: str, thread_ts: str | None, event_id: str, now: datetime
) -> PlannedPost:
    """A question `asker` asked in `channel`, answered from the store by the renderer of QUESTION when it is sent.

    Keyed as its answer is, so that Slack's re-delivery of the event never answers twice: what is written
    before the acknowledgement is the question, and the work of answering it comes after.
    """
    payload = json.dumps({"question": text, "asker": asker, "thread_ts": thread_ts})
    key = answer_key(event_id) if event_id else _unique("answer")
    return PlannedPost(key=key, kind=PostKind.QUESTION, channel=channel, due_at=now, payload=payload)


def as_reply(message: Message, thread_ts: str | None) -> Message:
    """`message` as an answer: in the thread `thread_ts` when given, with no link previews."""
    payload = {**message, "unfurl_links": False, "unfurl_media": False}
    if thread_ts:
        payload["thread_ts"] = thread_ts
    return payload


def answer_key(event_id: str) -> str:
    """The key of the answer to the question that event asked."""
    return f"answer:{event_id}"


def card_removal(channel: str, ts: str, *, about: str, now: datetime) -> PlannedPost:
    """Take the card at `channel`/`ts` down."""
    payload = json.dumps({"channel": channel, "ts": ts})
    return PlannedPost(
        key=_unique(f"delete:{about}"), kind=PostKind.CARD_DELETE, channel=channel, due_at=now, payload=payload
    )


def payload_of(row: ScheduledPost) -> dict[str, Any]:
    """The row's payload as written here (a row whose payload is not the bot's own reads as empty)."""
    try:
        value = json.loads(row.payload or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _render_message(row: ScheduledPost, _context: RenderContext) -> Delivery:
    message = payload_of(row)
    if isinstance(message.get("say"), str):
        values = message.get("values")
        return blocks.notice(_(message["say"], **(values if isinstance(values, dict) else {})))
    if not message.get("text") and not message.get("blocks"):
        return Skip("the message is empty")
    return message


def _render_delete(row: ScheduledPost, _context: RenderContext) -> Delivery:
    where = payload_of(row)
    if not where.get("channel") or not where.get("ts"):
        return Skip("no message to take down")
    return Delete(str(where["channel"]), str(where["ts"]))


def register_renderers(deps: Deps) -> None:
    """Let the sender deliver direct messages, answers and removals (they never expire)."""
    deps.renderers.add(PostKind.NOTICE, _render_message, timely=False)
    deps.renderers.add(PostKind.ANSWER, _render_message, timely=False)
    deps.renderers.add(PostKind.CARD_DELETE, _render_delete, timely=False)
