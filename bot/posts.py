"""What the sender asks of each area: a renderer per kind of scheduled post, registered at start.

The sender claims a due row and hands it to the renderer of its kind, which reads the store as
it is now and returns the message, or why the post is no longer useful. Each area registers its
renderers from its `register(app, deps)`, so the scheduler never imports a listener or a view.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from store.models import Meeting, ScheduledPost


@dataclass(frozen=True)
class Skip:
    """The post is no longer useful; the reason is recorded and logged."""

    reason: str


Message = dict[str, Any]


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


Renderer = Callable[[ScheduledPost, RenderContext], Message | Skip]


@dataclass
class Renderers:
    """The renderer of each kind of scheduled post."""

    by_kind: dict[str, Renderer] = field(default_factory=dict)

    def add(self, kind: str, renderer: Renderer) -> None:
        """Register the renderer of `kind`; one per kind."""
        if kind in self.by_kind:
            raise ValueError(f"a renderer for {kind} is registered twice")
        self.by_kind[kind] = renderer

    def render(self, row: ScheduledPost, context: RenderContext) -> Message | Skip:
        """The message for `row`, or why it is skipped (an unknown kind is skipped, not guessed)."""
        renderer = self.by_kind.get(row.kind)
        if renderer is None:
            return Skip(f"unknown kind of post: {row.kind}")
        return renderer(row, context)
