"""When each request that carries a trigger_id arrived: Slack lets a trigger open a view for 3 seconds only.

`record_arrival` is a global Bolt middleware; `age` tells a listener, later and on another thread,
how long ago the request with that trigger arrived, so that a form is opened only while its trigger
still works (handlers.views_open). A trigger is remembered for a few seconds, then forgotten.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

# The clock the arrivals are read with (a module attribute, so that a test can move it).
monotonic = time.monotonic

KEEP_SECONDS = 10.0  # well past the 3 seconds a trigger lasts
MOST_KEPT = 10_000  # a burst of requests cannot make the record grow without end


class Arrivals:
    """The arrival time of each recent trigger_id, oldest first."""

    def __init__(self) -> None:
        self._times: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def record(self, trigger_id: str) -> None:
        """Note that the request carrying `trigger_id` arrived now; forget the ones long past."""
        now = monotonic()
        with self._lock:
            self._times[trigger_id] = now
            self._times.move_to_end(trigger_id)
            while self._times and (
                len(self._times) > MOST_KEPT or now - next(iter(self._times.values())) > KEEP_SECONDS
            ):
                self._times.popitem(last=False)

    def age(self, trigger_id: str) -> float | None:
        """Seconds since the request carrying `trigger_id` arrived, or None if it was not recorded."""
        with self._lock:
            arrived = self._times.get(trigger_id)
        return None if arrived is None else monotonic() - arrived


ARRIVALS = Arrivals()


def record_arrival(body: Any, next: Callable[[], Any]) -> Any:
    """Bolt middleware: record when a request with a trigger_id arrived, then go on to its listener."""
    trigger_id = body.get("trigger_id") if isinstance(body, dict) else None
    if isinstance(trigger_id, str) and trigger_id:
        ARRIVALS.record(trigger_id)
    return next()


def age(trigger_id: str) -> float | None:
    """Seconds since the request carrying `trigger_id` arrived (None if it was not recorded)."""
    return ARRIVALS.age(trigger_id)
