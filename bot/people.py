"""Who is asking: people as the store knows them, refreshed from Slack's profile."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Collection
from datetime import timedelta
from http.client import HTTPException

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from bot.clock import Clock
from store import people as people_store
from store.models import Person

logger = logging.getLogger(__name__)

PROFILE_MAX_AGE = timedelta(hours=12)
# How long a process keeps in mind what language someone reads (their own change is seen at once).
LANGUAGE_MEMORY_SECONDS = 60.0
# How long a process keeps in mind someone who asked a question, as `resolve` gave them (their id and zone).
ASKER_MEMORY_SECONDS = 60.0
ASKERS_KEPT = 10_000  # past this many, those kept longer than their time are let go
# How long a process keeps in mind who is an organiser, for what it shows (help); a permission is always read.
ROLE_MEMORY_SECONDS = 5.0
# How long a request waits for users.info: Slack wants a press acknowledged within 3 seconds.
LOOKUP_TIMEOUT_SECONDS = 1.5
# What a failed lookup may raise: Slack's refusals (429, 5xx, errors), a lost connection, a timeout.
LOOKUP_FAILURES = (SlackClientError, OSError, HTTPException)


class PeopleDirectory:
    """Looks people up in the store and keeps their Slack profile (name, time zone, guest) fresh."""

    def __init__(self, engine: Engine, sessions: sessionmaker[Session], clock: Clock) -> None:
        self._engine = engine
        self._sessions = sessions
        self._clock = clock
        self._lookup_clients: dict[tuple[str, str | None], WebClient] = {}
        self._lock = threading.Lock()
        # id: (kept until, chosen language, Slack's locale, zone)
        self._languages: dict[str, tuple[float, str | None, str | None, str | None]] = {}
        self._roles: dict[str, tuple[float, bool]] = {}  # id: (kept until, organiser)
        self._askers: dict[str, tuple[float, Person]] = {}  # id: (kept until, the person as resolved)

    def is_organiser(self, slack_id: str) -> bool:
        """Whether this Slack user is an organiser (the store decides, on every call; no Slack call)."""
        with self._engine.connect() as connection:
            return people_store.is_organiser(session=connection, slack_id=slack_id)

    def shown_as_organiser(self, slack_id: str) -> bool:
        """Whether to show this person what organisers see (their help): the store's answer, kept in mind for
        ROLE_MEMORY_SECONDS. Never for a permission: `is_organiser` reads the store on every call."""
        now = time.monotonic()
        with self._lock:
            kept = self._roles.get(slack_id)
        if kept is not None and now < kept[0]:
            return kept[1]
        organiser = self.is_organiser(slack_id)
        with self._lock:
            self._roles[slack_id] = (now + ROLE_MEMORY_SECONDS, organiser)
        return organiser

    def forget_roles(self, slack_ids: Collection[str]) -> None:
        """A role changed in this process: the next look is the store's."""
        with self._lock:
            for slack_id in slack_ids:
                self._roles.pop(slack_id, None)

    def resolve(self, client: WebClient, slack_id: str) -> Person:
        """Return the person, asking Slack for their profile when it is unknown or old.

        When Slack does not answer (an error, 429, 5xx, a lost connection or LOOKUP_TIMEOUT_SECONDS
        passing), a known person keeps what the store holds, and someone new is recorded with the
        least rights, as a guest and not an organiser, unchecked, so that their next request asks again.
        """
        with self._sessions() as session:
            person = people_store.get_person(session=session, slack_id=slack_id)
            checked = person.profile_checked_at if person else None
            if checked is not None and self._clock() - checked < PROFILE_MAX_AGE:
                return person  # type: ignore[return-value]
            try:
                user = self._lookup_client(client).users_info(user=slack_id, include_locale=True)["user"]
            except LOOKUP_FAILURES as error:
                logger.warning("users.info failed for %s: %s", slack_id, _reason(error))
                if person is not None:
                    return person
                person = people_store.ensure_person(session=session, slack_id=slack_id, is_guest=True)
                session.commit()
                return person
            profile = user.get("profile") or {}
            return people_store.save_profile(
                session=session,
                slack_id=slack_id,
                display_name=profile.get("display_name") or user.get("real_name") or user.get("name") or "",
                tz=user.get("tz"),
                is_guest=bool(user.get("is_restricted") or user.get("is_ultra_restricted")),
                checked_at=self._clock(),
                slack_locale=user.get("locale"),
            )

    def asker(self, client: WebClient, slack_id: str) -> Person:
        """The person as `resolve` gives them, kept in mind for ASKER_MEMORY_SECONDS: for answering the questions
        of someone who asks several in a row without reading the store each time. The person given is detached
        from any session and shared: read their id and zone, never a permission, and change nothing on it."""
        now = time.monotonic()
        with self._lock:
            kept = self._askers.get(slack_id)
        if kept is not None and now < kept[0]:
            return kept[1]
        person = self.resolve(client, slack_id)
        with self._lock:
            if len(self._askers) >= ASKERS_KEPT:
                self._askers = {key: value for key, value in self._askers.items() if now < value[0]}
            self._askers[slack_id] = (now + ASKER_MEMORY_SECONDS, person)
        return person

    def in_workspace(self, client: WebClient, slack_id: str) -> bool:
        """Whether `slack_id` is a person of this workspace: one the store has met, or one Slack knows and has
        not deactivated. When Slack cannot say (a failure, 429, 5xx), the person is given the benefit of it."""
        if not slack_id.startswith(("U", "W")) or len(slack_id) > 32 or not slack_id.isalnum():
            return False
        with self._sessions() as session:
            if people_store.get_person(session=session, slack_id=slack_id) is not None:
                return True
        try:
            user = self._lookup_client(client).users_info(user=slack_id)["user"]
        except SlackApiError as error:
            return error.response.get("error") not in ("user_not_found", "user_not_visible")
        except LOOKUP_FAILURES:
            return True
        return not user.get("deleted") and not user.get("is_bot")

    def languages(self, client: WebClient, slack_id: str) -> tuple[str | None, str | None]:
        """The language someone chose and Slack's locale for them (either may be None), writing nothing.

        The store says, when it knows the person's locale or their choice; else Slack is asked (users.info,
        read only: the profile is recorded when the person is resolved). A process keeps the answer in mind
        for a minute, or for PROFILE_MAX_AGE when it came from Slack.
        """
        chosen, slack_locale, _zone = self._reader(client, slack_id)
        return chosen, slack_locale

    def zone(self, client: WebClient, slack_id: str) -> str | None:
        """Someone's Slack time zone, as far as the store or Slack says, kept in mind with their language."""
        return self._reader(client, slack_id)[2]

    def _reader(self, client: WebClient, slack_id: str) -> tuple[str | None, str | None, str | None]:
        """What the bot writes to someone in: their language, Slack's locale for them and their zone."""
        now = time.monotonic()
        with self._lock:
            kept = self._languages.get(slack_id)
        if kept is not None and now < kept[0]:
            return kept[1], kept[2], kept[3]
        with self._sessions() as session:
            person = people_store.get_person(session=session, slack_id=slack_id)
            chosen, slack_locale, zone = (person.language, person.slack_locale, person.tz) if person else (None,) * 3
        memory = LANGUAGE_MEMORY_SECONDS
        if chosen is None and slack_locale is None:
            slack_locale, zone = self._slack_profile(client, slack_id, zone)
            memory = PROFILE_MAX_AGE.total_seconds()
        with self._lock:
            self._languages[slack_id] = (now + memory, chosen, slack_locale, zone)
        return chosen, slack_locale, zone

    def _slack_profile(self, client: WebClient, slack_id: str, zone: str | None) -> tuple[str | None, str | None]:
        try:
            user = self._lookup_client(client).users_info(user=slack_id, include_locale=True)["user"]
        except LOOKUP_FAILURES as error:
            logger.warning("users.info failed for %s: %s", slack_id, _reason(error))
            return None, zone
        return user.get("locale"), user.get("tz") or zone

    def forget_language(self, slack_id: str) -> None:
        """Read someone's language from the store next time (they just chose one)."""
        with self._lock:
            self._languages.pop(slack_id, None)
            self._askers.pop(slack_id, None)

    def _lookup_client(self, client: WebClient) -> WebClient:
        """A client like `client` (same Slack, token and retries) that gives up after LOOKUP_TIMEOUT_SECONDS."""
        key = (client.base_url, client.token)
        with self._lock:
            lookup = self._lookup_clients.get(key)
            if lookup is None:
                lookup = WebClient(
                    token=client.token,
                    base_url=client.base_url,
                    timeout=LOOKUP_TIMEOUT_SECONDS,  # type: ignore[arg-type]  # urllib takes any number of seconds
                    ssl=client.ssl,
                    proxy=client.proxy,
                    headers=dict(client.headers),
                    logger=client.logger,
                    retry_handlers=list(client.retry_handlers),
                )
                self._lookup_clients[key] = lookup
            return lookup


def _reason(error: Exception) -> str:
    """Why a lookup failed, in a few words for the log."""
    if isinstance(error, SlackApiError):
        status = getattr(error.response, "status_code", None)
        return f"HTTP {status}, {error.response.get('error')}"
    return f"{error.__class__.__name__}: {error}"
