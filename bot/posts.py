"""What the sender asks of each area: a renderer per kind of post, registered at start.

Every message the bot owes is a row of the outbox (`scheduled_posts`): the reminders and digests
the scheduler plans, and what a change owes (a card, a notice, an answer), written in the change's
own transaction. The sender claims a due row and hands it to the renderer of its kind, which reads
the store as it is now and returns what to do: post a message, bring one already in Slack up to
date (`Edit`), take one down (`Delete`), or nothing, and why (`Skip`). Each area registers its
renderers from its `register(app, deps)`, so the scheduler never imports a listener or a view.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlmodel import Session

from store.models import Meeting, ScheduledPost


@dataclass(frozen=True)
class Skip:
    """The post is no longer useful; the reason is recorded and logged (a warning, unless it was `expected`)."""

    reason: str
    expected: bool = False  # nothing went wrong: the row has done its work (e.g. planned the direct messages)


Message = dict[str, Any]


@dataclass(frozen=True)
class Edit:
    """Bring the message at `channel`/`ts` up to date (chat.update); Slack may be told the same twice."""

    channel: str
    ts: str
    message: Message


@dataclass(frozen=True)
class Delete:
    """Take the message at `channel`/`ts` down (chat.delete); one already gone counts as done."""

    channel: str
    ts: str


Delivery = Message | Edit | Delete | Skip


class RenderContext(Protocol):
    """What a renderer is given besides the row: the moment, and the sender's per-batch reads."""

    @property
    def now(self) -> datetime:
        """The moment of posting."""
        ...

    def meeting(self, meeting_id: int | None) -> Meeting | None:
        """The row's meeting as the store holds it now, read once per batch."""
        ...

    def look_again(self) -> None:
        """Ask the sender to claim once more in this run (a renderer planned more rows)."""
        ...


Renderer = Callable[[ScheduledPost, RenderContext], Delivery]
# Called in the transaction that records a row as posted, with where the message is (e.g. a card's ts).
Recorder = Callable[[Session, ScheduledPost, str, str], None]


@dataclass(frozen=True)
class Kind:
    """How the sender treats the rows of one kind."""

    renderer: Renderer
    posted: Recorder | None = None
    timely: bool = True  # a reminder: skipped once LATE_POST_WINDOW is over, and marked when late
    # Rows of the kind that bring one message up to date: of several with the same payload in one
    # batch, only the last is sent (it reads the store as it is by then).
    coalesce: bool = False


@dataclass
class Renderers:
    """The renderer of each kind of post."""

    by_kind: dict[str, Kind] = field(default_factory=dict)

    def add(
        self,
        kind: str,
        renderer: Renderer,
        *,
        posted: Recorder | None = None,
        timely: bool = True,
        coalesce: bool = False,
    ) -> None:
        """Register the renderer of `kind`; one per kind."""
        if kind in self.by_kind:
            raise ValueError(f"a renderer for {kind} is registered twice")
        self.by_kind[kind] = Kind(renderer, posted, timely, coalesce)

    def kind_of(self, row: ScheduledPost) -> Kind | None:
        """How rows like `row` are treated, or None for a kind nobody registered."""
        return self.by_kind.get(row.kind)

    def render(self, row: ScheduledPost, context: RenderContext) -> Delivery:
        """What to do for `row`, or why it is skipped (an unknown kind is skipped, not guessed)."""
        kind = self.by_kind.get(row.kind)
        if kind is None:
            return Skip(f"unknown kind of post: {row.kind}")
        return kind.renderer(row, context)

    def keeps_place(self, row: ScheduledPost) -> bool:
        """Whether the row's kind records where its message is once posted (`posted` then writes)."""
        kind = self.by_kind.get(row.kind)
        return kind is not None and kind.posted is not None

    def posted(self, session: Session, row: ScheduledPost, channel: str, ts: str) -> None:
        """Record, in `session`'s transaction, where the row's message now is (for the kinds that keep it)."""
        kind = self.by_kind.get(row.kind)
        if kind is not None and kind.posted is not None:
            kind.posted(session, row, channel, ts)
