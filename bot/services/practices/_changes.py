"""The changes to a practice: sharing and editing, deleting, approving and rejecting, useful-marks.

Each opens one session; every write is one store call that commits it. The card and the words
to the people concerned follow once the change is stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient

from bot.deps import Deps
from bot.services.notices import direct_message
from bot.services.practices._access import Outcome, can_change
from bot.services.practices._card import publish, remove_card, tell_organisers
from bot.views import practices as views
from store import practices as store
from store.models import Practice, PracticeStatus
from store.practices import PracticeDraft

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
