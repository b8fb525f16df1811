"""Slack's pace: spacing between posts, across the workspace and per channel, and Retry-After's pauses."""

from __future__ import annotations

from collections.abc import Callable

CHANNEL_MARGIN = 0.01  # seconds added to the per-channel gap, so that network jitter never crowds the limit


class RateLimited(Exception):
    """Slack answered 429: wait `retry_after` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited for {retry_after:g} s")
        self.retry_after = retry_after


class Pacer:
    """Spacing between posts: across the workspace, per channel, and pauses that Retry-After asks for."""

    def __init__(self, per_second: float, per_channel_per_second: float, monotonic: Callable[[], float]) -> None:
        self._gap = 1.0 / per_second
        self._channel_gap = 1.0 / per_channel_per_second + CHANNEL_MARGIN
        self._monotonic = monotonic
        self._next_any = 0.0
        self._next_in: dict[str, float] = {}

    def ready_at(self, channel: str) -> float:
        """When a post to `channel` may next go out (monotonic seconds)."""
        return max(self._next_any, self.channel_ready_at(channel))

    def channel_ready_at(self, channel: str) -> float:
        """When `channel` alone allows another post, whatever the workspace-wide pace."""
        return self._next_in.get(channel, 0.0)

    def posted(self, channel: str) -> None:
        """Record a post to `channel` about to be sent."""
        now = self._monotonic()
        self._next_any = max(self._next_any, now + self._gap)
        self._next_in[channel] = max(self._next_in.get(channel, 0.0), now + self._channel_gap)

    def pause(self, seconds: float) -> None:
        """Post nothing for `seconds` (Slack's Retry-After)."""
        self._next_any = max(self._next_any, self._monotonic() + seconds)
