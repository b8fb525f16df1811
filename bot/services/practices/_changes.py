"""The changes to a practice: sharing and editing, deleting, approving and rejecting, useful-marks.

Each is one transaction: the change, and what it owes (the card, the words to the people
concerned) as rows of the outbox, which the sender delivers once it is committed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from bot.deps import Deps
from bot.language import detect, i18n
from bot.services import languages, outbox
from bot.services.practices._access import Outcome, can_change
from bot.services.practices._card import organiser_notices, owe_card, owe_removal
from bot.views import practices as views
from store import practices as store
from store.db import one_transaction
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
    Its language is told from its words each time, so that the search stems them in it.
    A published practice's card, or the organisers' notice of one that now waits, is owed in the same transaction.
    """
    moderated = deps.settings.moderation and not deps.people.is_organiser(user_id)
    language = written_in(deps, draft)
    now = deps.clock()
    with deps.sessions() as session, one_transaction(session):
        if practice_id is None:
            practice = store.create_practice(
                session=session, draft=draft, author=user_id, now=now, moderated=moderated, language=language
            )
            saved = Saved(Outcome.DONE, practice)
        else:
            old = store.get_practice(session=session, practice_id=practice_id)
            if old is None:
                return Saved(Outcome.GONE)
            if not can_change(deps, old, user_id):
                return Saved(Outcome.REFUSED)
            was_pending = old.status == PracticeStatus.PENDING
            changed = store.update_practice(
                session=session, practice_id=practice_id, draft=draft, now=now, moderated=moderated, language=language
            )
            if changed is None:
                return Saved(Outcome.GONE)
            saved = Saved(Outcome.DONE, changed, edited=True, was_pending=was_pending)
        assert saved.practice is not None
        owe_card(session, saved.practice, channel=deps.settings.group_channel, now=now)
        if saved.newly_pending:
            outbox.owe(session, organiser_notices(deps, session, saved.practice, now), now=now)
    deps.send_now()
    return saved


def written_in(deps: Deps, draft: PracticeDraft) -> str:
    """The language a practice is written in, as its title, summary and evidence tell; else the group's."""
    text = "\n".join((draft.title, draft.summary, draft.evidence))
    return detect.language_of(text) or languages.group_language(deps)


@dataclass(frozen=True)
class Deleted:
    """What deleting did: the practice as it was, when it was the person's to delete."""

    outcome: Outcome
    practice: Practice | None = None


def delete(deps: Deps, *, practice_id: int | None, user_id: str) -> Deleted:
    """Delete a practice the person may change, with its useful-marks, and take its card from the channel."""
    if practice_id is None:
        return Deleted(Outcome.GONE)
    now = deps.clock()
    with deps.sessions() as session, one_transaction(session):
        practice = store.get_practice(session=session, practice_id=practice_id)
        if practice is None:
            return Deleted(Outcome.GONE)
        if not can_change(deps, practice, user_id):
            return Deleted(Outcome.REFUSED, practice)
        gone = store.delete_practice(session=session, practice_id=practice_id)
        if gone is not None:
            owe_removal(session, gone, now=now)
    deps.send_now()
    return Deleted(Outcome.DONE, practice)


# Moderation --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Approved:
    """An approved practice, and the channel its card is posted in ("" when there is no group channel)."""

    practice: Practice
    posted_in: str


def approve(deps: Deps, *, practice_id: int | None, moderator: str) -> Approved | None:
    """Publish a waiting practice: its card and the word to its author are owed in the same transaction.

    None if it was already decided or is gone.
    """
    if practice_id is None:
        return None
    now = deps.clock()
    channel = deps.settings.group_channel
    with deps.sessions() as session, one_transaction(session):
        practice = store.moderate(session=session, practice_id=practice_id, approve=True, moderator=moderator, now=now)
        if practice is None:
            return None
        posted = owe_card(session, practice, channel=channel, now=now)
        approved = Approved(practice, channel if posted else "")
        with i18n.speaking(author_language(deps, session, practice)):
            told = views.approved_for_author(practice, approved.posted_in)
        outbox.owe(
            session, [outbox.notice(practice.author, told, about=f"practice-{practice_id}-approved", now=now)], now=now
        )
    deps.send_now()
    return approved


def reject(deps: Deps, *, practice_id: int | None, moderator: str, reason: str) -> Practice | None:
    """Reject a waiting practice with the reason its author reads, told in the same transaction.

    None if it was already decided or is gone.
    """
    if practice_id is None:
        return None
    now = deps.clock()
    with deps.sessions() as session, one_transaction(session):
        practice = store.moderate(
            session=session, practice_id=practice_id, approve=False, moderator=moderator, now=now, reason=reason
        )
        if practice is None:
            return None
        with i18n.speaking(author_language(deps, session, practice)):
            told = views.rejected_for_author(practice)
        outbox.owe(
            session, [outbox.notice(practice.author, told, about=f"practice-{practice_id}-rejected", now=now)], now=now
        )
    deps.send_now()
    return practice


# Useful-marks ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Marked:
    """A useful-mark given or taken back, and the practice's count now."""

    practice: Practice
    marked: bool
    count: int
    own: bool = False  # the author pressed: their own practice takes no mark from them


def toggle_useful(deps: Deps, *, practice_id: int | None, user_id: str) -> Marked | None:
    """Mark a published practice useful for `user_id`, or take the mark back; the card shows the new count.

    None when the practice is gone or not published.
    """
    if practice_id is None:
        return None
    now = deps.clock()
    with deps.sessions() as session, one_transaction(session):
        practice = store.get_practice(session=session, practice_id=practice_id)
        if practice is None or practice.status != PracticeStatus.PUBLISHED:
            return None
        if practice.author == user_id:
            count = store.useful_count(session=session, practice_id=practice_id)
            return Marked(practice, marked=False, count=count, own=True)
        marked, count = store.mark_useful(session=session, practice_id=practice_id, slack_id=user_id, now=now)
        owe_card(session, practice, channel=deps.settings.group_channel, now=now)
    deps.send_now()
    return Marked(practice, marked, count)


def author_language(deps: Deps, session: Session, practice: Practice) -> str:
    """The language the practice's author reads the bot in."""
    return next(iter(languages.by_language(deps, session, [practice.author])))
