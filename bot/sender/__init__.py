"""The sender: claims due rows of the outbox and delivers each exactly once, at Slack's pace.

The rows are the scheduled posts (reminders, digests) and what a change owes (cards, direct
messages, answers; bot.services.outbox). For every due row: claim it (no other process can),
render it from the store (a new message, an update of one already in Slack, a removal, or a
skip), and send it with message metadata naming the row. A row claimed again after its worker
died, or after an error that may have let the message through, is first looked for in Slack
(the channel's history, the thread's replies, or the updated message itself). 429 is honoured
(Retry-After pauses all posting); 5xx and network errors are retried later with backoff by
whichever process claims the row next; after the last attempt the row is `failed` and the
organisers are told. A card is read again after it is sent, so that crossing updates end with
the store's counts. Posts go out no faster than the configured rates, across the workspace and
in each channel.
"""

from __future__ import annotations

import http.client
import logging
import os
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.language import i18n
from bot.posts import Delete, Delivery, Edit, Message, Skip
from bot.sender._failures import tell_organisers
from bot.sender._history import METADATA_EVENT, History
from bot.sender._pacing import Pacer, RateLimited
from bot.services import languages
from bot.views import reminders as reminder_views
from store import StoreUnavailable, schedule
from store import meetings as meetings_store
from store.db import on_its_own, one_transaction
from store.models import Meeting, ScheduledPost

logger = logging.getLogger(__name__)

MAX_RETRY_DELAY = 60.0  # seconds: a post failing for transient reasons is tried at least once a minute
BATCH = 50
RATE_LIMIT_RETRIES = 20  # 429s for one row within one claim before it is given back for later
LATE_NOTE_AFTER = timedelta(minutes=5)  # later than this, a post says it is delayed
MISSED_AFTER = timedelta(minutes=1)  # due this long before the process started: missed while down
CONFIRM_ROUNDS = 3  # times a card is read again after sending it, while changes keep coming
# chat.update and chat.delete of a message that is no longer there: nothing is left to do.
GONE_ERRORS = frozenset({"message_not_found", "cant_update_message", "cant_delete_message", "channel_not_found"})
TRANSIENT_ERRORS = frozenset(
    {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited", "team_added_to_org"}
)


@dataclass(frozen=True)
class _Context:
    """What a renderer may ask of the sender for one row (see bot.posts.RenderContext)."""

    sender: Sender
    now: datetime

    def meeting(self, meeting_id: int | None) -> Meeting | None:
        """The row's meeting, read once per batch."""
        return self.sender.meeting(meeting_id)

    def look_again(self) -> None:
        """Have this run claim once more (the renderer planned more rows)."""
        self.sender.look_again()


def sender_client(deps: Deps) -> WebClient:
    """A Web API client with no retries of its own: the sender decides when to try again."""
    settings = deps.settings
    return WebClient(
        token=settings.bot_token.reveal() or None, base_url=settings.api_base_url, timeout=10, retry_handlers=[]
    )


class Sender:
    """Posts due rows for one process; `run_due` may be called from any thread, one run at a time."""

    def __init__(
        self,
        deps: Deps,
        client: WebClient,
        *,
        notify_client: WebClient | None = None,
        worker: str | None = None,
        lease: timedelta | None = None,
        retry_base: float = 2.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.deps = deps
        self.client = client
        self.notify_client = notify_client or client
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.lease = lease or deps.settings.post_lease
        self.retry_base = retry_base
        self.max_retry_delay = MAX_RETRY_DELAY
        self.started_at = deps.clock()
        self._monotonic = monotonic
        self.pacer = Pacer(deps.settings.posts_per_second, deps.settings.channel_posts_per_second, monotonic)
        self._stopping = threading.Event()
        self._state = threading.Lock()
        self._running = False
        self._again = False
        self.history = History(client)
        self._meetings: dict[int, Meeting | None] = {}

    def stop(self) -> None:
        """Finish the post under way, give back the rest of the claimed rows, and run no more."""
        self._stopping.set()

    @property
    def busy(self) -> bool:
        """Whether a run is under way."""
        with self._state:
            return self._running

    def look_again(self) -> bool:
        """If a run is under way, have it claim once more before it ends and return True (more rows are due)."""
        with self._state:
            if self._running:
                self._again = True
            return self._running

    def run_due(self) -> int | None:
        """Post everything due now and return how many rows were handled.

        If a run is under way in another thread, it is asked to look again instead, and None is returned.
        """
        with self._state:
            if self._running:
                self._again = True
                return None
            self._running = True
            self._again = False
        total = 0
        try:
            while True:
                total += self._drain()
                with self._state:
                    # Checked and cleared under one lock: a look_again() now is never lost.
                    if not self._again or self._stopping.is_set():
                        self._running = False
                        return total
                    self._again = False
        except BaseException:
            with self._state:
                self._running = False
            raise

    # one pass ---------------------------------------------------------------------------------

    def _drain(self) -> int:
        done = 0
        failures: list[ScheduledPost] = []
        while not self._stopping.is_set():
            with self.deps.sessions() as session:
                rows = schedule.claim_due(
                    session=session, worker=self.worker, now=self.deps.clock(), limit=BATCH, lease=self.lease
                )
            if not rows:
                break
            done += self._post_batch(rows, failures)
        if failures:
            tell_organisers(self.deps, self.notify_client, failures)
        return done

    def _post_batch(self, rows: list[ScheduledPost], failures: list[ScheduledPost]) -> int:
        self._meetings.clear()  # each batch reads meetings as they are now
        queue = deque(rows)
        lease_left = {row.id: self._monotonic() + self.lease.total_seconds() for row in rows}
        limited: dict[int | None, int] = {}
        done = 0
        while queue:
            if self._stopping.is_set():
                self._release(queue)
                return done
            row = self._next_ready(queue)
            if row is None:
                wait = min(self._wait_for(post) for post in queue)
                self._stopping.wait(max(wait, 0.0))
                continue
            if lease_left[row.id] - self._monotonic() < self.lease.total_seconds() / 2:
                with self.deps.sessions() as session:
                    held = schedule.renew(
                        session=session,
                        post_id=row.id or 0,
                        worker=self.worker,
                        now=self.deps.clock(),
                        lease=self.lease,
                    )
                if not held:
                    logger.warning("post %s was taken over by another process; leaving it to it", row.key)
                    continue
                lease_left[row.id] = self._monotonic() + self.lease.total_seconds()
            if self._superseded(row, queue):
                self._skip(row, "a later update of the same message follows", self.deps.clock(), quietly=True)
                done += 1
                continue
            try:
                failed = self._handle(row)
            except RateLimited as limit:
                self.pacer.pause(limit.retry_after)
                limited[row.id] = limited.get(row.id, 0) + 1
                if limited[row.id] >= RATE_LIMIT_RETRIES:
                    self._retry(row, f"ratelimited {limited[row.id]} times", limit.retry_after)
                else:
                    queue.appendleft(row)
                continue
            done += 1
            if failed:
                failures.append(row)
        return done

    def _superseded(self, row: ScheduledPost, queue: deque[ScheduledPost]) -> bool:
        """Whether a row later in the batch brings the same message up to date (then this one need not)."""
        kind = self.deps.renderers.kind_of(row)
        if kind is None or not kind.coalesce:
            return False
        return any(other.kind == row.kind and other.payload == row.payload for other in queue)

    def _next_ready(self, queue: deque[ScheduledPost]) -> ScheduledPost | None:
        """The first row whose channel allows a post; the workspace-wide wait comes after rendering it."""
        now = self._monotonic()
        for index, row in enumerate(queue):
            if self.pacer.channel_ready_at(self._pace_key(row)) <= now:
                del queue[index]
                return row
        return None

    def _wait_for(self, row: ScheduledPost) -> float:
        return self.pacer.channel_ready_at(self._pace_key(row)) - self._monotonic()

    @staticmethod
    def _pace_key(row: ScheduledPost) -> str:
        return row.channel or f"none:{row.id}"

    def _wait_turn(self, channel: str) -> None:
        """Wait until Slack's pace allows a post to `channel` (or the process is stopping)."""
        while not self._stopping.is_set():
            wait = self.pacer.ready_at(channel) - self._monotonic()
            if wait <= 0:
                return
            self._stopping.wait(wait)

    def _release(self, rows: Iterable[ScheduledPost]) -> None:
        with self.deps.sessions() as session:
            for row in rows:
                schedule.release(session=session, post_id=row.id or 0, worker=self.worker, now=self.deps.clock())

    # one row ----------------------------------------------------------------------------------

    def _handle(self, row: ScheduledPost) -> bool:
        """Deliver one claimed row, in its reader's language, and record the outcome; True if it failed for good."""
        with i18n.speaking(self._language_of(row)):
            return self._deliver(row)

    def _language_of(self, row: ScheduledPost) -> str:
        """A direct message is in its reader's language; what goes to a channel, in the group's."""
        if row.channel[:1] in ("U", "W"):
            return languages.of_person(self.deps, self.client, row.channel)
        return languages.group_language(self.deps)

    def _deliver(self, row: ScheduledPost) -> bool:
        now = self.deps.clock()
        try:
            prepared = self._prepare(row, now)
        except StoreUnavailable as error:  # the database hiccupped: try again later
            return self._transient(row, f"database: {error.__class__.__name__}")
        except Exception as error:  # a row that cannot be rendered must not stop the others
            logger.exception("could not build scheduled post %s", row.key)
            return self._fail(row, f"could not build the message: {error!r}")
        if isinstance(prepared, Skip):
            self._skip(row, prepared.reason, now, quietly=prepared.expected)
            return False
        try:
            if isinstance(prepared, Edit):
                return self._edit(row, prepared)
            if isinstance(prepared, Delete):
                return self._delete(row, prepared)
            return self._post(row, prepared, now)
        except SlackApiError as error:
            return self._slack_error(row, error)
        except (OSError, http.client.HTTPException) as error:
            return self._transient(row, f"network: {error!r}")

    def _skip(self, row: ScheduledPost, reason: str, now: datetime, *, quietly: bool = False) -> None:
        (logger.info if quietly else logger.warning)(
            "skipped post %s (%s, due %s): %s", row.key, row.kind, row.due_at, reason
        )
        with self.deps.sessions() as session:
            schedule.mark_skipped(session=session, post_id=row.id or 0, worker=self.worker, reason=reason, now=now)
        self.deps.metrics.post_outcome(row.kind, "skipped")

    def _post(self, row: ScheduledPost, message: Message, now: datetime) -> bool:
        """Post a new message, unless an earlier attempt already did; then make sure it reads as the store does."""
        if not row.channel:
            self._skip(row, "GROUP_CHANNEL is not set: direct reminders only", now)
            return False
        kind = self.deps.renderers.kind_of(row)
        if (kind is None or kind.timely) and self._late(row, now):
            message = reminder_views.delayed_note(message, row.due_at)
        if row.attempts > 1:
            found = self.history.find_earlier(row, message)
            if found is not None:
                logger.info("post %s was already in Slack (%s); not posting it again", row.key, found[1])
                self._sent(row, *found)
                self._confirm(row, None)
                return False
        if not self._take_turn(row, row.channel):
            return False
        answer = self.client.chat_postMessage(
            channel=row.channel,
            metadata=_tag(row),
            **{"unfurl_links": False, **message},
        )
        self._sent(row, str(answer.get("channel") or row.channel), str(answer.get("ts") or ""))
        self._confirm(row, message)
        return False

    def _edit(self, row: ScheduledPost, edit: Edit) -> bool:
        """Bring a message up to date; one that is no longer in Slack is left alone."""
        if row.attempts > 1 and self.history.shows(row, edit.channel, edit.ts):
            logger.info("update %s was already in Slack; not sending it again", row.key)
            self._sent(row, edit.channel, edit.ts)
            self._confirm(row, edit.message)
            return False
        if not self._take_turn(row, edit.channel):
            return False
        try:
            self.client.chat_update(channel=edit.channel, ts=edit.ts, metadata=_tag(row), **edit.message)
        except SlackApiError as error:
            if str(error.response.get("error") or "") not in GONE_ERRORS:
                raise
            self._skip(row, f"the message is no longer in Slack ({error.response.get('error')})", self.deps.clock())
            return False
        self._sent(row, edit.channel, edit.ts)
        self._confirm(row, edit.message)
        return False

    def _delete(self, row: ScheduledPost, delete: Delete) -> bool:
        if not self._take_turn(row, delete.channel):
            return False
        try:
            self.client.chat_delete(channel=delete.channel, ts=delete.ts)
        except SlackApiError as error:
            if str(error.response.get("error") or "") not in GONE_ERRORS:
                raise
        self._sent(row, delete.channel, delete.ts)
        return False

    def _take_turn(self, row: ScheduledPost, channel: str) -> bool:
        """Wait for Slack's pace, and count the call; False (the row given back) if the process is stopping."""
        self._wait_turn(channel)  # rendered and checked first: the spacing is from send to send
        if self._stopping.is_set():
            self._release([row])
            return False
        self.pacer.posted(channel)
        return True

    def _confirm(self, row: ScheduledPost, sent: Message | None) -> None:
        """After a card was sent, render it again: a change committed meanwhile is sent too.

        Two processes may send the same card at once, the older state arriving last; whoever sent
        last reads the store again and sends what it holds, so the card ends as the store is.
        Nothing to do for kinds that keep no message up to date.
        """
        kind = self.deps.renderers.kind_of(row)
        if kind is None or (kind.posted is None and not kind.coalesce):
            return
        for _ in range(CONFIRM_ROUNDS):
            try:
                again = self._prepare(row, self.deps.clock())
            except Exception:  # the card was sent; a later change owes its own row
                logger.warning("could not check post %s again", row.key, exc_info=True)
                return
            if not isinstance(again, Edit) or again.message == sent:
                return
            self._wait_turn(again.channel)
            self.pacer.posted(again.channel)
            try:
                self.client.chat_update(channel=again.channel, ts=again.ts, metadata=_tag(row), **again.message)
            except (SlackApiError, OSError, http.client.HTTPException) as error:
                logger.warning("could not bring post %s up to date: %r", row.key, error)
                return
            sent = again.message

    def _prepare(self, row: ScheduledPost, now: datetime) -> Delivery:
        """The message for a row, rendered from the store as it is now; or why it is no longer useful."""
        kind = self.deps.renderers.kind_of(row)
        if (kind is None or kind.timely) and now - row.due_at > self.deps.settings.late_post_window:
            return Skip(f"due {row.due_at:%Y-%m-%d %H:%M} UTC, more than LATE_POST_WINDOW late")
        return self.deps.renderers.render(row, _Context(self, now))

    def meeting(self, meeting_id: int | None) -> Meeting | None:
        """The meeting, read once per batch: a fan-out of many reminders reads it once, not once a person."""
        key = meeting_id or 0
        if key not in self._meetings:
            with self.deps.sessions() as session:
                self._meetings[key] = meetings_store.get_meeting(session=session, meeting_id=key)
        return self._meetings[key]

    def _late(self, row: ScheduledPost, now: datetime) -> bool:
        late = now - row.due_at
        return late > LATE_NOTE_AFTER or (row.due_at < self.started_at - MISSED_AFTER and late > MISSED_AFTER)

    # Slack's answers --------------------------------------------------------------------------

    def _slack_error(self, row: ScheduledPost, error: SlackApiError) -> bool:
        response = error.response
        code = str(response.get("error") or "")
        status = response.status_code
        if status == 429 or code == "ratelimited":
            headers = {str(k).lower(): v for k, v in (response.headers or {}).items()}
            value = headers.get("retry-after")
            value = value[0] if isinstance(value, list) else value
            try:
                retry_after = float(value) if value is not None else 1.0
            except ValueError:
                retry_after = 1.0
            self.deps.metrics.rate_limited("scheduler")
            raise RateLimited(max(retry_after, 0.0))
        if status >= 500 or code in TRANSIENT_ERRORS:
            return self._transient(row, f"HTTP {status}: {code or 'server error'}")
        return self._fail(row, f"Slack refused it: {code or status}")

    def _transient(self, row: ScheduledPost, error: str) -> bool:
        """Try again later, backing off to once a minute, for as long as the post is still useful."""
        delay = min(self.retry_base * 2 ** min(row.attempts - 1, 16), self.max_retry_delay)
        retry_at = self.deps.clock() + timedelta(seconds=delay)
        kind = self.deps.renderers.kind_of(row)
        if (kind is None or kind.timely) and retry_at - row.due_at > self.deps.settings.late_post_window:
            return self._fail(row, f"{error} (after {row.attempts} attempts, until LATE_POST_WINDOW ran out)")
        self._retry(row, error, delay)
        return False

    def _retry(self, row: ScheduledPost, error: str, delay: float) -> None:
        logger.warning("post %s failed (%s); trying again in %.1f s", row.key, error, delay)
        now = self.deps.clock()
        with self.deps.sessions() as session:
            schedule.mark_retry(
                session=session,
                post_id=row.id or 0,
                worker=self.worker,
                error=error,
                retry_at=now + timedelta(seconds=delay),
                now=now,
            )
        self.deps.metrics.post_outcome(row.kind, "retried")
        self.deps.wake()

    def _fail(self, row: ScheduledPost, error: str) -> bool:
        logger.error("post %s (%s to %s) failed: %s", row.key, row.kind, row.channel, error)
        with self.deps.sessions() as session:
            schedule.mark_failed(
                session=session, post_id=row.id or 0, worker=self.worker, error=error, now=self.deps.clock()
            )
        row.last_error = error
        self.deps.metrics.post_outcome(row.kind, "failed")
        return True

    def _sent(self, row: ScheduledPost, channel: str, ts: str) -> None:
        """Record the row as posted and, in the same transaction, where its message is (a card's ts); a row
        whose kind keeps no place is marked by one statement, its own transaction."""
        keeps = self.deps.renderers.keeps_place(row)
        with self.deps.sessions() as session:
            unit = one_transaction(session) if keeps else nullcontext(on_its_own(session))
            with unit:
                held = schedule.mark_sent(
                    session=session,
                    post_id=row.id or 0,
                    worker=self.worker,
                    channel=channel,
                    ts=ts,
                    now=self.deps.clock(),
                )
                if held and keeps:
                    self.deps.renderers.posted(session, row, channel, ts)
        self.deps.metrics.post_outcome(row.kind, "sent")
        if not held:
            logger.warning("post %s was sent, but another process had taken it over", row.key)

    # the earlier attempt ----------------------------------------------------------------------


def _tag(row: ScheduledPost) -> dict[str, Any]:
    """The message metadata naming the row, by which a later attempt finds what an earlier one sent."""
    return {"event_type": METADATA_EVENT, "event_payload": {"post_id": row.id or 0, "key": row.key}}
