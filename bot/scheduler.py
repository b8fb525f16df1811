"""The scheduler: APScheduler as an alarm clock over what the store holds.

The store is the truth: every post is a row. APScheduler (UTC, in memory, nothing pickled)
holds only alarms: one at the next due time, re-armed whenever rows change (`deps.wake`), a
sweep every 30 seconds as a safety net (rows another process planned, retries, leases that ran
out), and the planning of meeting reminders and the recurring posts.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from slack_sdk import WebClient

from bot.deps import Deps
from bot.sender import Sender, sender_client
from bot.services import planning
from bot.services.meetings import extend_series
from store import StoreUnavailable, schedule
from store import events as events_store
from store import practices as practices_store

logger = logging.getLogger(__name__)

EVENT_MEMORY = timedelta(days=2)  # Slack re-delivers within minutes; two days is ample
SWEEP_SECONDS = 30
REPLAN_MINUTES = 10
STORE_RETRY_SECONDS = 5  # while the database is not answering, the alarm tries again this often
ALARM = "alarm"


class Scheduler:
    """The alarm clock and the sender of one process."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.sender: Sender | None = None
        self._aps = BackgroundScheduler(
            timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
        )
        self._arm_lock = threading.Lock()
        self._stopping = False  # set under _arm_lock: no alarm is set once stopping began

    @property
    def running(self) -> bool:
        """Whether the alarms are ticking."""
        return bool(self._aps.running)

    def start(self, client: WebClient | None = None, *, notify_client: WebClient | None = None) -> None:
        """Start posting: plan what is due, post what was missed, then keep the alarms."""
        deps = self.deps
        self.sender = Sender(deps, client or sender_client(deps), notify_client=notify_client)
        deps.wake = self.wake
        deps.send_now = self.send_now
        soon = self._real(deps.clock())
        add = self._aps.add_job
        add(
            forget_old_events,
            "interval",
            hours=1,
            args=[deps],
            id="forget-old-events",
            next_run_time=soon + timedelta(minutes=1),
        )
        add(tidy_search, "interval", hours=1, args=[deps], id="tidy-search", next_run_time=soon + timedelta(minutes=2))
        add(self.sweep, "interval", seconds=SWEEP_SECONDS, id="sweep", next_run_time=soon)
        add(self.replan, "interval", minutes=REPLAN_MINUTES, id="replan", next_run_time=soon)
        self._aps.start()

    def stop(self) -> None:
        """Stop the alarms; a post under way finishes, claimed rows not yet posted are given back."""
        self.deps.wake = lambda: None
        self.deps.send_now = lambda: None
        # APScheduler's shutdown waits for running jobs while holding the lock that setting an alarm
        # takes: a job that set one after this point would never finish. None does.
        with self._arm_lock:
            self._stopping = True
        if self.sender is not None:
            self.sender.stop()
        if self._aps.running:
            self._aps.shutdown(wait=True)

    def wake(self) -> None:
        """Re-arm the alarm at the next due post (called whenever posts are planned or retried)."""
        if not self._aps.running:
            return
        with self.deps.sessions() as session:
            when = schedule.next_due(session=session)
        with self._arm_lock:
            if self._stopping:
                return
            if when is None:
                return  # an alarm already set rings, finds nothing and sets none
            if self.sender is not None and when <= self.deps.clock() and self.sender.look_again():
                return  # the run under way takes them; it re-arms when it ends
            self._arm(when)

    def send_now(self) -> None:
        """Have the sender run at once (rows due now were written), without reading the store."""
        if not self._aps.running:
            return
        with self._arm_lock:
            if self._stopping or (self.sender is not None and self.sender.look_again()):
                return  # stopping, or the run under way takes them
            self._arm(self.deps.clock())

    def _arm(self, when: datetime) -> None:
        """Set the alarm at `when`, unless it is set earlier already; the caller holds _arm_lock.

        An earlier alarm is kept: a wake that read the store before another thread's rows were
        committed must not put off the alarm that thread set for them. The alarm re-arms when it rings.
        """
        run_at = self._real(when)
        current = self._aps.get_job(ALARM)
        if current is not None and current.next_run_time is not None and current.next_run_time <= run_at:
            return
        self._aps.add_job(self.ring, "date", run_date=run_at, id=ALARM, replace_existing=True, max_instances=3)

    def ring(self) -> None:
        """The alarm: post what is due, then set the next alarm.

        While the database is not answering, the alarm rings again every few seconds, so that
        posting resumes by itself soon after the database is back.
        """
        assert self.sender is not None
        try:
            if self.sender.run_due() is not None:
                self.wake()
        except StoreUnavailable as error:
            logger.warning(
                "the database is not answering (%s); trying again in %d s", _first_line(error), STORE_RETRY_SECONDS
            )
            with self._arm_lock:
                if not self._stopping:
                    self._arm(self.deps.clock() + timedelta(seconds=STORE_RETRY_SECONDS))

    def sweep(self) -> None:
        """The safety net: plan the recurring posts, post anything due, re-arm."""
        try:
            planning.plan_recurring(self.deps)
        except StoreUnavailable as error:
            logger.warning("could not plan the digest and the call for practices: %s", _first_line(error))
        except Exception:
            logger.exception("could not plan the digest and the call for practices")
        self.ring()

    def replan(self) -> None:
        """Create the series' meetings ahead, and check every upcoming meeting's reminders, whatever created or
        changed the meeting."""
        try:
            extend_series(self.deps)
        except StoreUnavailable as error:
            logger.warning("could not create the series' meetings ahead: %s", _first_line(error))
        except Exception:
            logger.exception("could not create the series' meetings ahead")
        try:
            if planning.plan_upcoming_meetings(self.deps):
                self.wake()
        except StoreUnavailable as error:
            logger.warning("could not check the meetings' reminders: %s", _first_line(error))

    def _real(self, moment: datetime) -> datetime:
        """The wall-clock time at which `moment` of the bot's clock comes (they differ only in tests)."""
        return datetime.now(UTC) + max(moment - self.deps.clock(), timedelta(0))


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [error.__class__.__name__])[0]


def tidy_search(deps: Deps) -> None:
    """Keep the index of the newest practices to the newest: see store.practices.tidy."""
    try:
        with deps.sessions() as session:
            removed = practices_store.tidy(session)
    except StoreUnavailable as error:
        logger.warning("could not tidy the search index: %s", _first_line(error))
        return
    if removed:
        logger.info("took %d older practices out of the index of the newest", removed)


def forget_old_events(deps: Deps) -> None:
    """Drop the records of Events API deliveries old enough never to be re-sent."""
    with deps.sessions() as session:
        removed = events_store.forget_events(session=session, before=deps.clock() - EVENT_MEMORY)
    if removed:
        logger.info("forgot %d old event ids", removed)
