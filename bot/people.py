"""Who is asking: people as the store knows them, refreshed from Slack's profile."""

from __future__ import annotations

import logging
from datetime import timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from bot.clock import Clock
from store import people as people_store
from store.models import Person

logger = logging.getLogger(__name__)

PROFILE_MAX_AGE = timedelta(hours=12)


class PeopleDirectory:
    """Looks people up in the store and keeps their Slack profile (name, time zone, guest) fresh."""

    def __init__(self, engine: Engine, sessions: sessionmaker[Session], clock: Clock) -> None:
        self._engine = engine
        self._sessions = sessions
        self._clock = clock

    def is_organiser(self, slack_id: str) -> bool:
        """Whether this Slack user is an organiser (the store decides, on every call; no Slack call)."""
        with self._engine.connect() as connection:
            return people_store.is_organiser(session=connection, slack_id=slack_id)

    def resolve(self, client: WebClient, slack_id: str) -> Person:
        """Return the person, asking Slack for their profile when it is unknown or old."""
        with self._sessions() as session:
            person = people_store.get_person(session=session, slack_id=slack_id)
            checked = person.profile_checked_at if person else None
            if checked is not None and self._clock() - checked < PROFILE_MAX_AGE:
                return person  # type: ignore[return-value]
            try:
                user = client.users_info(user=slack_id)["user"]
            except SlackApiError as error:
                logger.warning("users.info failed for %s: %s", slack_id, error.response.get("error"))
                return person or people_store.ensure_person(session=session, slack_id=slack_id)
            profile = user.get("profile") or {}
            return people_store.save_profile(
                session=session,
                slack_id=slack_id,
                display_name=profile.get("display_name") or user.get("real_name") or user.get("name") or "",
                tz=user.get("tz"),
                is_guest=bool(user.get("is_restricted") or user.get("is_ultra_restricted")),
                checked_at=self._clock(),
            )
