"""A person's own settings: which meeting reminders come by direct message, the digest by direct message too,
and whether their name is shown to other members among those coming."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from bot.config import format_offset
from bot.deps import Deps
from store import meetings as meetings_store
from store import people as people_store
from store.db import one_transaction
from store.models import Attendance, Person


def offered_reminders(deps: Deps) -> tuple[str, ...]:
    """The reminders the group sends before a meeting, spelled as offsets ("7d", "1h")."""
    return tuple(format_offset(offset) for offset in deps.settings.reminder_offsets)


def person(deps: Deps, slack_id: str) -> Person:
    """The person's row, with their settings."""
    with deps.sessions() as session:
        found = people_store.ensure_person(session=session, slack_id=slack_id)
        session.commit()
        session.refresh(found)
        return found


def keep_reminders(deps: Deps, slack_id: str, kept: Collection[str]) -> Person:
    """Keep the reminders ticked and turn the others off; none ticked turns reminders by DM off altogether."""
    offered = offered_reminders(deps)
    off = ",".join(o for o in offered if o not in kept)
    with deps.sessions() as session, one_transaction(session):  # both, or neither
        people_store.set_reminders(session=session, slack_id=slack_id, wanted=any(o in kept for o in offered))
        person = people_store.set_settings(session=session, slack_id=slack_id, reminders_off=off)
    return person


def set_choices(deps: Deps, slack_id: str, *, digest_dm: bool | None = None, listed: bool | None = None) -> Person:
    """Turn the digest by direct message, or one's name among those coming, on or off."""
    with deps.sessions() as session:
        return people_store.set_settings(session=session, slack_id=slack_id, digest_dm=digest_dm, listed=listed)


def wants_reminder(person: Person | None, offset: str) -> bool:
    """Whether this reminder (an offset, "7d") goes to the person by direct message."""
    if person is None:
        return True
    return person.reminders and offset not in person.reminders_off.split(",")


def listed_coming(deps: Deps, meeting_id: int, *, besides: str) -> Sequence[str]:
    """The names of those coming to the meeting who chose to be named to other members (not `besides`, the
    asker), as the store knows them: names, never mentions, so that nobody is notified."""
    with deps.sessions() as session:
        rows = meetings_store.attendees(session=session, meeting_id=meeting_id)
    return [
        person.display_name
        for registration, person in rows
        if person.listed
        and person.display_name
        and person.slack_id != besides
        and registration.attendance in (Attendance.IN_PERSON, Attendance.ONLINE)
    ]
