"""The scheduler: APScheduler as an alarm clock over what the store holds."""

from __future__ import annotations

import logging
from datetime import UTC, timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from bot.deps import Deps
from store import events as events_store

logger = logging.getLogger(__name__)

EVENT_MEMORY = timedelta(days=2)  # Slack re-delivers within minutes; two days is ample


def build_scheduler(deps: Deps) -> BackgroundScheduler:
    """Create the scheduler (UTC, in-memory alarms only: the store holds the state)."""
    scheduler = BackgroundScheduler(timezone=UTC, job_defaults={"coalesce": True, "misfire_grace_time": 300})
    scheduler.add_job(
        forget_old_events,
        "interval",
        hours=1,
        args=[deps],
        id="forget-old-events",
        replace_existing=True,
        next_run_time=deps.clock() + timedelta(minutes=1),
    )
    return scheduler


def forget_old_events(deps: Deps) -> None:
    """Drop the records of Events API deliveries old enough never to be re-sent."""
    with deps.sessions() as session:
        removed = events_store.forget_events(session=session, before=deps.clock() - EVENT_MEMORY)
    if removed:
        logger.info("forgot %d old event ids", removed)
