"""What every handler is given: settings, the store, the clock, the registry and the metrics."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from bot.clock import Clock, system_clock
from bot.config import Settings
from bot.metrics import Metrics
from bot.people import PeopleDirectory
from bot.posts import Renderers
from bot.registry import Registry
from bot.responses import ResponseUrls
from store.db import make_engine, session_factory
from store.meetings import UpcomingList, UpcomingNames
from store.practices import Vocabulary


@dataclass
class Deps:
    """The dependencies passed to every `register(app, deps)`."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock = system_clock
    registry: Registry = field(default_factory=Registry)
    # The renderer of each kind of scheduled post, added by each area's `register` (see bot.posts).
    renderers: Renderers = field(default_factory=Renderers)
    # Builders of App Home sections, added by each area's `register` (see handlers.home).
    home_sections: list[Callable[..., list[dict[str, Any]]]] = field(default_factory=list)
    people: PeopleDirectory = field(init=False)
    # The words of the newest practices, that a misspelt search word is compared with (store.practices).
    vocabulary: Vocabulary = field(default_factory=Vocabulary, repr=False)
    # The names of the meetings not yet over, that questions are matched against (store.meeting_queries).
    meeting_names: UpcomingNames = field(default_factory=UpcomingNames, repr=False)
    # The soonest meetings, as /meetings and App Home list them (store.meeting_queries).
    meeting_list: UpcomingList = field(default_factory=UpcomingList, repr=False)
    # The connections answers to response_urls are posted on, kept open between answers (bot.responses).
    responses: ResponseUrls = field(default_factory=ResponseUrls, repr=False)
    # What this process counts for /metrics, on a registry of its own.
    metrics: Metrics = field(default_factory=Metrics, repr=False)
    # Called after scheduled posts change, so the scheduler re-arms its alarm (set by bot.scheduler).
    wake: Callable[[], None] = field(default=lambda: None, repr=False)
    # Called after rows due at once were written (what a change owes): the sender runs now, and the
    # store is not read to find out when (set by bot.scheduler).
    send_now: Callable[[], None] = field(default=lambda: None, repr=False)

    def __post_init__(self) -> None:
        self.people = PeopleDirectory(self.engine, self.sessions, self.clock)


def build_deps(settings: Settings, *, engine: Engine | None = None, clock: Clock = system_clock) -> Deps:
    """Create the engine (unless given) and the dependencies around it."""
    engine = engine or make_engine(settings.database_url)
    return Deps(settings=settings, engine=engine, sessions=session_factory(engine), clock=clock)
