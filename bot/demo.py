"""Example data for `tci-bot shell --demo`: the local workspace's people and their roles."""

from __future__ import annotations

from bot.deps import Deps
from bot.localslack.local import PEOPLE
from store import people as people_store


def seed_demo(deps: Deps) -> None:
    """Fill a fresh demo database with example data, relative to today."""
    with deps.sessions() as session:
        for role, user in PEOPLE.items():
            people_store.save_profile(
                session=session,
                slack_id=user.id,
                display_name=user.real_name,
                tz=user.tz,
                is_guest=user.is_restricted,
                checked_at=deps.clock(),
            )
            if role == "organiser":
                people_store.set_organiser(session=session, slack_id=user.id, organiser=True)
