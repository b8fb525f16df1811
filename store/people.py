"""Queries about people: who they are, who organises, who is a member."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import bindparam, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from store.db import commit
from store.models import AppState, Membership, Person
from store.types import utcnow

_SEEDED_KEY = "organiser_ids_seeded"
# Built once: the organiser check runs on every organiser-only request and every help text.
_IS_ORGANISER = select(Person.is_organiser).where(col(Person.slack_id) == bindparam("slack_id"))


def get_person(*, session: Session, slack_id: str) -> Person | None:
    """Return the person with this Slack id, if the bot has met them."""
    return session.get(Person, slack_id)


def is_organiser(*, session: Session | Connection, slack_id: str) -> bool:
    """Whether this Slack user is an organiser of the group (a plain connection will do, and is quicker)."""
    return bool(session.execute(_IS_ORGANISER, {"slack_id": slack_id}).scalar())


def ensure_person(*, session: Session, slack_id: str, is_guest: bool = False) -> Person:
    """Return the person, creating an empty record for someone new (a guest when `is_guest`, until Slack says)."""
    person = session.get(Person, slack_id)
    if person is None:
        # Two requests from someone new may arrive together: the second one's insert does nothing.
        fresh = Person(slack_id=slack_id, is_guest=is_guest)
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        values = fresh.model_dump(exclude={"profile_checked_at"})
        session.execute(insert(Person).values(**values).on_conflict_do_nothing(index_elements=["slack_id"]))
        person = session.get(Person, slack_id)
        assert person is not None
    return person


def save_profile(
    *,
    session: Session,
    slack_id: str,
    display_name: str,
    tz: str | None,
    is_guest: bool,
    checked_at: datetime | None = None,
    slack_locale: str | None = None,
) -> Person:
    """Record what Slack says about a person (name, time zone, guest or not, their Slack language)."""
    person = ensure_person(session=session, slack_id=slack_id)
    person.display_name = display_name
    person.tz = tz
    person.is_guest = is_guest
    person.slack_locale = slack_locale or person.slack_locale
    person.profile_checked_at = checked_at or utcnow()
    session.add(person)
    commit(session)
    return person


def set_organisers(*, session: Session, slack_ids: Iterable[str], organiser: bool) -> list[str]:
    """Give the organiser role to these people, or take it away, without committing; return whose role changed."""
    return _set_each(session, slack_ids, "is_organiser", organiser)


def set_organiser(*, session: Session, slack_id: str, organiser: bool) -> Person:
    """Make someone an organiser, or take the role away, and commit."""
    set_organisers(session=session, slack_ids=[slack_id], organiser=organiser)
    commit(session)
    return ensure_person(session=session, slack_id=slack_id)


def lock_organisers(*, session: Session) -> list[str]:
    """Return the organisers' Slack ids, locked until the transaction ends, so that a role change can count them.

    Call it first in the transaction. PostgreSQL locks the organisers' rows (`FOR UPDATE`, in a
    fixed order); a transaction waiting for them reads them again once they are free, so it
    counts the organisers that another removal left. SQLite takes its write lock first (a no-op
    write), so that two role changes run one after the other.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(update(Person).where(col(Person.is_organiser)).values(is_organiser=col(Person.is_organiser)))
    statement = select(Person.slack_id).where(col(Person.is_organiser)).order_by(col(Person.slack_id)).with_for_update()
    return list(session.exec(statement))


def set_memberships(*, session: Session, slack_ids: Iterable[str], member: bool) -> list[str]:
    """Record an organiser's decision that these people are, or are not, members, without committing.

    A decision that is what the person's kind of account gives anyway (a full workspace user made a member,
    a guest removed) puts them back to that rule, so that `/tci members` lists only real exceptions; for
    someone whose account the bot has not yet seen, the decision is kept as it is.
    """
    changed = []
    decided = Membership.MEMBER if member else Membership.NOT_MEMBER
    for slack_id in dict.fromkeys(slack_ids):
        person = ensure_person(session=session, slack_id=slack_id)
        by_rule = person.profile_checked_at is not None and member == (not person.is_guest)
        value = Membership.AUTO if by_rule else decided
        if person.membership != value:
            person.membership = value
            session.add(person)
            changed.append(slack_id)
    session.flush()
    return changed


def _set_each(session: Session, slack_ids: Iterable[str], attribute: str, value: object) -> list[str]:
    """Set one attribute of each person (created if new), once each; return those it changed, in order."""
    changed = []
    for slack_id in dict.fromkeys(slack_ids):
        person = ensure_person(session=session, slack_id=slack_id)
        if getattr(person, attribute) != value:
            setattr(person, attribute, value)
            session.add(person)
            changed.append(slack_id)
    session.flush()
    return changed


def set_membership(*, session: Session, slack_id: str, member: bool) -> Person:
    """Record an organiser's decision that someone is, or is not, a member, and commit."""
    set_memberships(session=session, slack_ids=[slack_id], member=member)
    commit(session)
    return ensure_person(session=session, slack_id=slack_id)


def set_language(*, session: Session, slack_id: str, language: str | None) -> Person:
    """Record the language someone chose to read the bot in (None: follow their Slack locale)."""
    person = ensure_person(session=session, slack_id=slack_id)
    person.language = language
    session.add(person)
    commit(session)
    return person


def set_reminders(*, session: Session, slack_id: str, wanted: bool) -> Person:
    """Turn someone's meeting reminders by direct message on or off."""
    person = ensure_person(session=session, slack_id=slack_id)
    person.reminders = wanted
    session.add(person)
    commit(session)
    return person


def set_settings(
    *,
    session: Session,
    slack_id: str,
    reminders_off: str | None = None,
    digest_dm: bool | None = None,
    listed: bool | None = None,
) -> Person:
    """Change someone's own settings (those given)."""
    person = ensure_person(session=session, slack_id=slack_id)
    if reminders_off is not None:
        person.reminders_off = reminders_off
    if digest_dm is not None:
        person.digest_dm = digest_dm
    if listed is not None:
        person.listed = listed
    session.add(person)
    commit(session)
    return person


def digest_readers(*, session: Session) -> list[str]:
    """Who wants the digest by direct message too."""
    return list(session.exec(select(Person.slack_id).where(col(Person.digest_dm)).order_by(col(Person.slack_id))))


def list_organisers(*, session: Session) -> list[Person]:
    """Return the organisers, by Slack id."""
    statement = select(Person).where(col(Person.is_organiser)).order_by(col(Person.slack_id))
    return list(session.exec(statement))


def list_members_set_by_organisers(*, session: Session) -> list[Person]:
    """Return people whose membership an organiser decided, by Slack id."""
    statement = select(Person).where(col(Person.membership) != Membership.AUTO).order_by(col(Person.slack_id))
    return list(session.exec(statement))


def seed_organisers(*, session: Session, slack_ids: Iterable[str]) -> list[str]:
    """Make configured organisers organisers, once each; return the ids newly seeded.

    An id seeded before is left alone, so that an organiser removed in Slack stays removed
    even while it is still listed in the configuration.
    """
    state = session.get(AppState, _SEEDED_KEY) or AppState(key=_SEEDED_KEY, value="")
    seeded = {part for part in state.value.split(",") if part}
    new = [slack_id for slack_id in dict.fromkeys(slack_ids) if slack_id not in seeded]
    for slack_id in new:
        ensure_person(session=session, slack_id=slack_id).is_organiser = True
    if new:
        state.value = ",".join(sorted(seeded | set(new)))
        session.add(state)
    commit(session)
    return new
