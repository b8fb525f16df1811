"""Practices: sharing, editing, deleting, moderating, useful-marks, the card in the channel, and the queries.

Who may see a practice and who may change it is decided here and nowhere else. Each use case
opens one session; every write it makes is one store call that commits it. What is posted to
Slack because something changed (the card, a word to the organisers or the author) is posted
from here too, after the change is stored.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import Settings
from bot.deps import Deps
from bot.language.places import country_code
from bot.services import export
from bot.views import blocks
from bot.views import practices as views
from store import people as people_store
from store import practices as store
from store.models import Practice, PracticeStatus
from store.practices import Figures, Page, PracticeDraft, SearchResult

logger = logging.getLogger(__name__)

ALL_STATUSES = tuple(PracticeStatus)
PAGE_SIZE = 10
SEARCH_LIMIT = 10
QUEUE_LIMIT = 20
HOME_NEWEST = 5
HOME_QUEUE = 3
# What a list may be narrowed by; "author" is always the person asking (their own list).
FILTER_KEYS = ("kind", "topic", "country", "author")


class Outcome(StrEnum):
    """How a change someone asked for ended."""

    DONE = "done"
    GONE = "gone"  # there is no such practice (any more)
    REFUSED = "refused"  # it is not the person's to change


# Who may see and change what ------------------------------------------------------------------


def can_change(deps: Deps, practice: Practice, user_id: str) -> bool:
    """Whether `user_id` may edit or delete the practice: its author or an organiser."""
    return practice.author == user_id or deps.people.is_organiser(user_id)


def can_see(deps: Deps, practice: Practice, user_id: str) -> bool:
    """Published practices are for everyone; the others for their author and the organisers."""
    return practice.status == PracticeStatus.PUBLISHED or can_change(deps, practice, user_id)


@dataclass(frozen=True)
class Seen:
    """A practice someone asked for, its useful count, and what they may do with it."""

    practice: Practice
    useful: int
    visible: bool
    may_change: bool


def get(deps: Deps, *, practice_id: int | None) -> Practice | None:
    """Return one practice, whatever its status (None for no number)."""
    if practice_id is None:
        return None
    with deps.sessions() as session:
        return store.get_practice(session=session, practice_id=practice_id)


def look_up(deps: Deps, *, practice_id: int | None, user_id: str) -> Seen | None:
    """Return the practice with its useful count and whether `user_id` may see and change it; None if gone."""
    if practice_id is None:
        return None
    with deps.sessions() as session:
        practice = store.get_practice(session=session, practice_id=practice_id)
        if practice is None:
            return None
        useful = store.useful_count(session=session, practice_id=practice_id)
    return Seen(practice, useful, can_see(deps, practice, user_id), can_change(deps, practice, user_id))


# Sharing, editing, deleting -----------------------------------------------------------------------


@dataclass(frozen=True)
class Saved:
    """What saving the form did."""

    outcome: Outcome
    practice: Practice | None = None
    edited: bool = False
    was_pending: bool = False  # it waited for approval before this change

    @property
    def newly_pending(self) -> bool:
        """Whether it waits for approval now and did not before: the organisers should hear of it."""
        return self.practice is not None and self.practice.status == PracticeStatus.PENDING and not self.was_pending


def save(deps: Deps, *, user_id: str, draft: PracticeDraft, practice_id: int | None) -> Saved:
    """Share a new practice, or change one the person may change; moderated when the group says so.

    An organiser's practice is never held for approval; a rejected one, once changed, goes back for it.
    """
    moderated = deps.settings.moderation and not deps.people.is_organiser(user_id)
    now = deps.clock()
    with deps.sessions() as session:
        if practice_id is None:
            practice = store.create_practice(session=session, draft=draft, author=user_id, now=now, moderated=moderated)
            return Saved(Outcome.DONE, practice)
        old = store.get_practice(session=session, practice_id=practice_id)
        if old is None:
            return Saved(Outcome.GONE)
        if not can_change(deps, old, user_id):
            return Saved(Outcome.REFUSED)
        was_pending = old.status == PracticeStatus.PENDING
        changed = store.update_practice(
            session=session, practice_id=practice_id, draft=draft, now=now, moderated=moderated
        )
    if changed is None:
        return Saved(Outcome.GONE)
    return Saved(Outcome.DONE, changed, edited=True, was_pending=was_pending)


def after_saved(deps: Deps, client: WebClient, saved: Saved) -> None:
    """Post or update the card of a published practice; tell the organisers of one that now waits."""
    practice = saved.practice
    if practice is None:
        return
    if practice.status == PracticeStatus.PUBLISHED:
        publish(deps, client, practice.id or 0)
    elif saved.newly_pending:
        tell_organisers(deps, client, practice)


@dataclass(frozen=True)
class Deleted:
    """What deleting did: the practice as it was, when it was the person's to delete."""

    outcome: Outcome
    practice: Practice | None = None


def delete(deps: Deps, client: WebClient, *, practice_id: int | None, user_id: str) -> Deleted:
    """Delete a practice the person may change, with its useful-marks, and take its card from the channel."""
    if practice_id is None:
        return Deleted(Outcome.GONE)
    with deps.sessions() as session:
        practice = store.get_practice(session=session, practice_id=practice_id)
        if practice is None:
            return Deleted(Outcome.GONE)
        if not can_change(deps, practice, user_id):
            return Deleted(Outcome.REFUSED, practice)
        gone = store.delete_practice(session=session, practice_id=practice_id)
    if gone is not None:
        remove_card(client, gone)
    return Deleted(Outcome.DONE, practice)


# Moderation --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Approved:
    """An approved practice, and the channel its card is in now ("" when it could not be posted)."""

    practice: Practice
    posted_in: str


def approve(deps: Deps, client: WebClient, *, practice_id: int | None, moderator: str) -> Approved | None:
    """Publish a waiting practice, post its card and tell its author; None if it was already decided or is gone."""
    if practice_id is None:
        return None
    with deps.sessions() as session:
        practice = store.moderate(
            session=session, practice_id=practice_id, approve=True, moderator=moderator, now=deps.clock()
        )
    if practice is None:
        return None
    posted = publish(deps, client, practice.id or 0)
    approved = Approved(practice, deps.settings.group_channel if posted else "")
    direct_message(client, practice.author, views.approved_for_author(practice, approved.posted_in))
    return approved


def reject(deps: Deps, *, practice_id: int | None, moderator: str, reason: str) -> Practice | None:
    """Reject a waiting practice with the reason its author reads; None if it was already decided or is gone."""
    if practice_id is None:
        return None
    with deps.sessions() as session:
        return store.moderate(
            session=session,
            practice_id=practice_id,
            approve=False,
            moderator=moderator,
            now=deps.clock(),
            reason=reason,
        )


def tell_rejected(client: WebClient, practice: Practice) -> None:
    """Tell the author their practice was not published, and why."""
    direct_message(client, practice.author, views.rejected_for_author(practice))


def tell_organisers(deps: Deps, client: WebClient, practice: Practice) -> None:
    """Tell each organiser that a practice waits for approval, with the buttons to decide."""
    with deps.sessions() as session:
        organisers = [person.slack_id for person in people_store.list_organisers(session=session)]
    text, body = views.waiting_for_organisers(practice)
    for slack_id in organisers:
        try:
            client.chat_postMessage(channel=slack_id, **blocks.message(text, body))
        except SlackApiError as error:
            logger.warning("could not tell organiser %s: %s", slack_id, error.response.get("error"))


def direct_message(client: WebClient, slack_id: str, text: str) -> None:
    """Send someone a short direct message; a failure is logged, not raised."""
    try:
        client.chat_postMessage(channel=slack_id, **blocks.notice(text))
    except SlackApiError as error:
        logger.warning("could not send %s a direct message: %s", slack_id, error.response.get("error"))


# Useful-marks ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Marked:
    """A useful-mark given or taken back, and the practice's count now."""

    practice: Practice
    marked: bool
    count: int


def toggle_useful(deps: Deps, client: WebClient, *, practice_id: int | None, user_id: str) -> Marked | None:
    """Mark a published practice useful for `user_id`, or take the mark back; the card shows the new count.

    None when the practice is gone or not published.
    """
    if practice_id is None:
        return None
    with deps.sessions() as session:
        practice = store.get_practice(session=session, practice_id=practice_id)
        if practice is None or practice.status != PracticeStatus.PUBLISHED:
            return None
        marked, count = store.mark_useful(session=session, practice_id=practice_id, slack_id=user_id, now=deps.clock())
    publish(deps, client, practice_id)
    return Marked(practice, marked, count)


# The card in the group channel ------------------------------------------------------------------

_card_locks: defaultdict[int, threading.Lock] = defaultdict(threading.Lock)


def publish(deps: Deps, client: WebClient, practice_id: int) -> bool:
    """Post the practice's card to the group channel, or bring the card up to date; whether it is there now.

    The row is written before anything is posted; a card that could not be posted is posted
    at the practice's next change.
    """
    channel = deps.settings.group_channel
    with _card_locks[practice_id]:
        with deps.sessions() as session:
            practice = store.get_practice(session=session, practice_id=practice_id)
            if practice is None or practice.status != PracticeStatus.PUBLISHED:
                return False
            useful = store.useful_count(session=session, practice_id=practice_id)
        payload = views.card(practice, useful)
        try:
            if practice.card_channel and practice.card_ts:
                client.chat_update(channel=practice.card_channel, ts=practice.card_ts, **payload)
                return True
            if not channel:
                return False
            posted = client.chat_postMessage(channel=channel, unfurl_links=False, unfurl_media=False, **payload)
        except SlackApiError as error:
            logger.warning("could not post the card of practice %s: %s", practice_id, error.response.get("error"))
            return False
        with deps.sessions() as session:
            store.set_card(session=session, practice_id=practice_id, channel=posted["channel"], ts=posted["ts"])
        return True


def remove_card(client: WebClient, practice: Practice) -> None:
    """Delete the practice's card from the channel (its thread stays, as Slack keeps it)."""
    if not practice.card_channel or not practice.card_ts:
        return
    try:
        client.chat_delete(channel=practice.card_channel, ts=practice.card_ts)
    except SlackApiError as error:
        logger.warning("could not delete the card of practice %s: %s", practice.id, error.response.get("error"))


# Finding practices ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListFilter:
    """What `/practice list <words>` asks for: a kind, a topic or a country, or why it cannot tell."""

    filters: dict[str, str] = field(default_factory=dict)
    could_mean: tuple[tuple[str, str], ...] = ()  # (filter, value) pairs the words match part of
    unknown: bool = False  # the words are no kind, topic or country

    @property
    def understood(self) -> bool:
        """Whether the words name one filter, or none was asked for."""
        return not self.could_mean and not self.unknown


def read_filter(settings: Settings, text: str) -> ListFilter:
    """Read `/practice list <words>` as a kind, a topic or a country: whole names first, then parts of them."""
    words = text.strip()
    if not words:
        return ListFilter()
    lowered = words.lower()
    for key, choices in (("kind", settings.practice_kinds), ("topic", settings.practice_topics)):
        for choice in choices:
            if choice.lower() == lowered:
                return ListFilter({key: choice})
    code = country_code(words)
    if code is not None:
        return ListFilter({"country": code})
    matches = [("kind", k) for k in settings.practice_kinds if lowered in k.lower()]
    matches += [("topic", t) for t in settings.practice_topics if lowered in t.lower()]
    if len(matches) == 1:
        return ListFilter(dict(matches))
    if matches:
        return ListFilter(could_mean=tuple(matches))
    return ListFilter(unknown=True)


@dataclass(frozen=True)
class Listing:
    """One page of practices, newest first, with their useful counts and the filter that chose them."""

    page: Page
    useful: dict[int, int]
    filters: dict[str, str]


def list_page(deps: Deps, *, filters: dict[str, str], offset: int) -> Listing:
    """A page of practices: published ones, or every status of one's own (the `author` filter)."""
    with deps.sessions() as session:
        page = store.list_practices(
            session=session,
            topic=filters.get("topic"),
            kind=filters.get("kind"),
            country=filters.get("country"),
            author=filters.get("author"),
            statuses=ALL_STATUSES if "author" in filters else (PracticeStatus.PUBLISHED,),
            offset=offset,
            limit=PAGE_SIZE,
        )
        useful = store.useful_counts(session=session, practice_ids=[p.id or 0 for p in page.practices])
    return Listing(page, useful, filters)


@dataclass(frozen=True)
class Found:
    """What a search found, with the useful counts of the hits."""

    result: SearchResult
    useful: dict[int, int]


def search(deps: Deps, *, query: str) -> Found:
    """Ranked full-text search over published practices (no words: nothing is searched)."""
    if not store.search_words(query):
        return Found(SearchResult(hits=[], words=()), {})
    with deps.sessions() as session:
        result = store.search(session=session, query=query, limit=SEARCH_LIMIT)
        useful = store.useful_counts(session=session, practice_ids=[h.practice.id or 0 for h in result.hits])
    return Found(result, useful)


@dataclass(frozen=True)
class Queue:
    """The oldest practices waiting for approval, and how many wait in all."""

    waiting: list[Practice]
    count: int


def queue(deps: Deps, *, limit: int = QUEUE_LIMIT) -> Queue:
    """The moderation queue, oldest first."""
    with deps.sessions() as session:
        return Queue(store.pending(session=session, limit=limit), store.pending_count(session=session))


@dataclass(frozen=True)
class HomeLists:
    """What App Home shows of practices: the newest, and for organisers the queue."""

    newest: list[Practice]
    useful: dict[int, int]
    queue: Queue | None


def home_lists(deps: Deps, *, organiser: bool) -> HomeLists:
    """The newest practices with their counts; for an organiser, the first of the queue too."""
    with deps.sessions() as session:
        newest = store.newest(session=session, limit=HOME_NEWEST)
        useful = store.useful_counts(session=session, practice_ids=[p.id or 0 for p in newest])
        waiting = (
            Queue(store.pending(session=session, limit=HOME_QUEUE), store.pending_count(session=session))
            if organiser
            else None
        )
    return HomeLists(newest, useful, waiting)


# Evidence: figures and export -------------------------------------------------------------------


def figures(deps: Deps) -> Figures:
    """Counts of published practices by topic, kind, country and month."""
    with deps.sessions() as session:
        return store.figures(session=session)


@dataclass(frozen=True)
class Exported:
    """An export written to a file."""

    path: Path
    count: int
    everything: bool  # every status, not only published ones


def export_file(deps: Deps, *, fmt: str, folder: Path, everything: bool) -> Exported:
    """Write the published practices (or `everything`) as CSV or JSON into `folder`, named by the day."""
    statuses = ALL_STATUSES if everything else (PracticeStatus.PUBLISHED,)
    path = folder / export.export_filename("practices", fmt, deps.clock())
    with path.open("w", encoding="utf-8", newline="") as out:
        count = export.write_practices(deps.engine, fmt, out, statuses=statuses)
    return Exported(path, count, everything)
