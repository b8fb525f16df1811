"""Finding practices: the list's filter, pages, search, the moderation queue, App Home, figures and export."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.config import Settings
from bot.deps import Deps
from bot.language import i18n
from bot.language.places import country_code
from bot.services import export
from store import practices as store
from store.db import reading
from store.models import Practice, PracticeStatus
from store.practices import Figures, Page, SearchResult

ALL_STATUSES = tuple(PracticeStatus)
PAGE_SIZE = 10
SEARCH_LIMIT = 10
QUEUE_LIMIT = 20
HOME_NEWEST = 5
HOME_QUEUE = 3
# What a list may be narrowed by; "author" is always the person asking (their own list).
FILTER_KEYS = ("kind", "topic", "country", "author")


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
    """Ranked full-text search over published practices, each word in every language the bot speaks.

    No words: nothing is searched.
    """
    if not store.search_words(query):
        return Found(SearchResult(hits=[], words=()), {})
    with deps.sessions() as opened:
        session = reading(opened)
        result = store.search(
            session=session,
            query=query,
            limit=SEARCH_LIMIT,
            languages=i18n.available(),
            vocabulary=deps.vocabulary,
        )
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
