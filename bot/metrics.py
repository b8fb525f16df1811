"""What the bot counts, for Prometheus: Slack's requests (and those refused), other HTTP requests, scheduled posts,
the backlog, and in Socket Mode whether Slack is heard over the connection.

Each running bot owns its own registry (never prometheus_client's global one), served at /metrics in the
Prometheus text format. The backlog of scheduled posts is read from the store when /metrics is scraped; if
the store does not answer, the scrape still succeeds, with `tci_bot_database_up 0` and no backlog.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from store.models import PostKind, PostStatus

logger = logging.getLogger(__name__)

# How Slack's requests are told apart: a slash command, or the `type` of an interaction or an event delivery.
REQUEST_KINDS = ("command", "block_action", "view_submission", "view_closed", "shortcut", "event", "other")
_BY_TYPE = {
    "block_actions": "block_action",
    "view_submission": "view_submission",
    "view_closed": "view_closed",
    "shortcut": "shortcut",
    "message_action": "shortcut",
    "event_callback": "event",
}
# Why a request to /slack/events was refused before Bolt saw it: no valid signature (401), a signature over
# five minutes away from now (401), or signed but not of a shape Slack sends (400).
REFUSALS = ("unsigned", "stale", "malformed")
POST_OUTCOMES = ("sent", "retried", "failed", "skipped")
CLIENTS = ("scheduler", "listeners")  # the sender's Web API client, and the one that answers people
# Slack wants an acknowledgement within 3 seconds; the buckets are finer below that.
ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
OTHER_PATH = "other"


def slack_request_kind(body: Mapping[str, Any]) -> str:
    """The kind of a Slack request, from its parsed body (one of REQUEST_KINDS)."""
    if body.get("command"):
        return "command"
    return _BY_TYPE.get(str(body.get("type") or ""), "other")


class Metrics:
    """The bot's metrics, on a registry of its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self._slack_requests = Counter(
            "tci_bot_slack_requests",
            "Requests from Slack (HTTP or Socket Mode), by kind and the status they were answered with.",
            ["kind", "status"],
            registry=registry,
        )
        self._slack_ack = Histogram(
            "tci_bot_slack_ack_seconds",
            "Time from receiving a Slack request to its acknowledgement, by kind.",
            ["kind"],
            buckets=ACK_BUCKETS,
            registry=registry,
        )
        self._slack_refused = Counter(
            "tci_bot_slack_requests_refused",
            "Requests to /slack/events refused before Bolt saw them, by reason: unsigned (no valid signature), "
            "stale (signed over five minutes away from now) or malformed (signed, but not of a shape Slack sends).",
            ["reason"],
            registry=registry,
        )
        self._http_requests = Counter(
            "tci_bot_http_requests",
            "Other HTTP requests (/healthz, /calendar.ics, /metrics), by path and status; unknown paths are 'other'.",
            ["path", "status"],
            registry=registry,
        )
        self._post_outcomes = Counter(
            "tci_bot_scheduled_post_outcomes",
            "Outcomes of scheduled posts handled by this process: sent, retried (given back for later), "
            "failed (for good) or skipped.",
            ["kind", "outcome"],
            registry=registry,
        )
        self._rate_limited = Counter(
            "tci_bot_slack_rate_limited",
            "Web API calls that Slack answered with 429 (rate limited), by client: the scheduler's posts, "
            "or the listeners' answers to people.",
            ["client"],
            registry=registry,
        )
        for kind in PostKind:
            for outcome in POST_OUTCOMES:
                self._post_outcomes.labels(kind.value, outcome)
        for client in CLIENTS:
            self._rate_limited.labels(client)
        for reason in REFUSALS:
            self._slack_refused.labels(reason)
        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)

    def slack_request(self, kind: str, status: int, seconds: float) -> None:
        """Count a Slack request answered with `status` after `seconds`."""
        self._slack_requests.labels(kind, str(status)).inc()
        self._slack_ack.labels(kind).observe(seconds)

    def slack_refused(self, reason: str) -> None:
        """Count a request to /slack/events refused before Bolt saw it (reason: one of REFUSALS)."""
        self._slack_refused.labels(reason).inc()

    def http_request(self, path: str, status: int) -> None:
        """Count a request to one of the other HTTP paths (`path` already reduced to a known one or 'other')."""
        self._http_requests.labels(path, str(status)).inc()

    def post_outcome(self, kind: str, outcome: str) -> None:
        """Count what became of a scheduled post (one of POST_OUTCOMES)."""
        self._post_outcomes.labels(kind, outcome).inc()

    def rate_limited(self, client: str) -> None:
        """Count a 429 from the Web API (client: one of CLIENTS)."""
        self._rate_limited.labels(client).inc()

    def watch_backlog(self, status_counts: Callable[[], Mapping[str, int]]) -> None:
        """Report the scheduled posts by status, read with `status_counts` at each scrape."""
        self.registry.register(BacklogCollector(status_counts))

    def watch_slack_connection(self, connected: Callable[[], bool]) -> None:
        """Report the Socket Mode connection (1 while `connected` says so, else 0), read at each scrape."""
        self.registry.register(SlackConnectionCollector(connected))

    def exposition(self) -> bytes:
        """Every metric, in the Prometheus text format."""
        return generate_latest(self.registry)


class SlackConnectionCollector(Collector):
    """Whether Slack has been heard over the Socket Mode connection lately, read when /metrics is scraped."""

    def __init__(self, connected: Callable[[], bool]) -> None:
        self._connected = connected

    def describe(self) -> Iterator[Metric]:
        """The family, without looking at the connection."""
        yield self._family()

    def collect(self) -> Iterator[Metric]:
        """1 or 0, as the connection is now."""
        family = self._family()
        family.add_metric([], 1 if self._connected() else 0)
        yield family

    @staticmethod
    def _family() -> GaugeMetricFamily:
        return GaugeMetricFamily(
            "tci_bot_slack_connected",
            "Socket Mode only: 1 while Slack has answered over the connection within the last 10 s (what /healthz "
            "calls connected), else 0. Absent in HTTP mode, where Slack connects to the bot.",
        )


class BacklogCollector(Collector):
    """The scheduled posts by status, and whether the store answered, read when /metrics is scraped."""

    def __init__(self, status_counts: Callable[[], Mapping[str, int]]) -> None:
        self._status_counts = status_counts
        self._was_up = True
        self._lock = threading.Lock()

    def describe(self) -> Iterator[Metric]:
        """The families, without reading the store."""
        yield self._up_family()
        yield self._backlog_family()

    def collect(self) -> Iterator[Metric]:
        """Read the counts; a store that does not answer leaves the backlog out rather than fail the scrape."""
        up = self._up_family()
        try:
            counts = self._status_counts()
        except Exception:
            with self._lock:
                if self._was_up:  # said once per outage, not at every scrape
                    logger.warning("the scheduled posts could not be counted for /metrics", exc_info=True)
                self._was_up = False
            up.add_metric([], 0)
            yield up
            return
        with self._lock:
            if not self._was_up:
                logger.info("the scheduled posts can be counted again")
            self._was_up = True
        up.add_metric([], 1)
        yield up
        backlog = self._backlog_family()
        for status in PostStatus:
            backlog.add_metric([status.value], counts.get(status.value, 0))
        yield backlog

    @staticmethod
    def _up_family() -> GaugeMetricFamily:
        return GaugeMetricFamily("tci_bot_database_up", "1 if the store answered at this scrape, else 0.")

    @staticmethod
    def _backlog_family() -> GaugeMetricFamily:
        return GaugeMetricFamily(
            "tci_bot_scheduled_posts",
            "Scheduled posts in the store by status (pending, sending, sent, failed, skipped, cancelled).",
            labels=["status"],
        )
