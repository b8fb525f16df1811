"""Who organises and who is a member: the role changes, each in one transaction.

The group always keeps at least one organiser: a removal counts the organisers under a lock,
so that two organisers removing each other at the same moment cannot leave none.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from bot.deps import Deps
from bot.services import outbox
from store import people as people_store
from store.db import one_transaction
from store.models import Person

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RoleChange:
    """What a role change did, for the listener to put in words."""

    asked: tuple[str, ...]  # everyone the change was asked for, in the order given, once each
    changed: tuple[str, ...] = ()  # whose role or membership is now as asked, and was not before
    refused: tuple[str, ...] = ()  # not changed because the group would be left with no organiser

    @property
    def unchanged(self) -> tuple[str, ...]:
        """Those already as asked (for a removal: not organisers), so there was nothing to do."""
        return tuple(slack_id for slack_id in self.asked if slack_id not in self.changed + self.refused)


def organisers(deps: Deps) -> list[Person]:
    """Return the group's organisers, by Slack id."""
    with deps.sessions() as session:
        return people_store.list_organisers(session=session)


def members_set_by_organisers(deps: Deps) -> list[Person]:
    """Return the people whose membership an organiser decided, by Slack id."""
    with deps.sessions() as session:
        return people_store.list_members_set_by_organisers(session=session)


def add_organisers(deps: Deps, *, slack_ids: Sequence[str], notice: outbox.Said | None = None) -> RoleChange:
    """Make these people organisers, in one transaction; each who was not one is sent `notice`, when given.

    The notice is put in each new organiser's own language when it is sent.
    """
    wanted = list(dict.fromkeys(slack_ids))
    now = deps.clock()
    with deps.sessions() as session, one_transaction(session):
        changed = people_store.set_organisers(session=session, slack_ids=wanted, organiser=True)
        if notice is not None:
            outbox.owe(session, outbox.said_notices(changed, notice, about="organiser", now=now), now=now)
    deps.people.forget_roles(wanted)
    deps.send_now()
    logger.info("organisers added: %s", ", ".join(changed) or "nobody new")
    return RoleChange(asked=tuple(wanted), changed=tuple(changed))


def remove_organisers(deps: Deps, *, slack_ids: Sequence[str]) -> RoleChange:
    """Take the organiser role from these people, unless that would leave the group with no organiser.

    The organisers are locked and counted in the same transaction as the removal: of two removals
    at the same moment, the second counts what the first left.
    """
    wanted = list(dict.fromkeys(slack_ids))
    with deps.sessions() as session:
        current = set(people_store.lock_organisers(session=session))
        removing = tuple(slack_id for slack_id in wanted if slack_id in current)
        if removing and not current - set(removing):
            session.rollback()
            logger.info("refused to remove the last organisers: %s", ", ".join(removing))
            return RoleChange(asked=tuple(wanted), refused=removing)
        people_store.set_organisers(session=session, slack_ids=removing, organiser=False)
        session.commit()
    deps.people.forget_roles(removing)
    logger.info("organisers removed: %s", ", ".join(removing) or "nobody")
    return RoleChange(asked=tuple(wanted), changed=removing)


def set_members(deps: Deps, *, slack_ids: Sequence[str], member: bool) -> RoleChange:
    """Count these people as members, or stop counting them, in one transaction."""
    wanted = list(dict.fromkeys(slack_ids))
    with deps.sessions() as session:
        changed = people_store.set_memberships(session=session, slack_ids=wanted, member=member)
        session.commit()
    return RoleChange(asked=tuple(wanted), changed=tuple(changed))
