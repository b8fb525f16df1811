"""Who may see a practice and who may change it: the rules, and looking a practice up with them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.deps import Deps
from store import practices as store
from store.models import Practice, PracticeStatus


class Outcome(StrEnum):
    """How a change someone asked for ended."""

    DONE = "done"
    GONE = "gone"  # there is no such practice (any more)
    REFUSED = "refused"  # it is not the person's to change


# Who may see and change what ------------------------------------------------------------------


def can_change(deps: Deps, practice: Practice, user_id: str) -> bool:
    """Whether `user_id` may edit or delete the practice: its author or an organiser."""
    return practice.author == user_id or deps.people.is_organiser(user_id)


def can_see(deps: Deps, practice: Practice, user_id: str) -> bool:
    """Published practices are for everyone; the others for their author and the organisers."""
    return practice.status == PracticeStatus.PUBLISHED or can_change(deps, practice, user_id)


@dataclass(frozen=True)
class Seen:
    """A practice someone asked for, its useful count, and what they may do with it."""

    practice: Practice
    useful: int
    visible: bool
    may_change: bool
    marked: bool = False  # they marked it useful themselves


def get(deps: Deps, *, practice_id: int | None) -> Practice | None:
    """Return one practice, whatever its status (None for no number)."""
    if practice_id is None:
        return None
    with deps.sessions() as session:
        return store.get_practice(session=session, practice_id=practice_id)


def look_up(deps: Deps, *, practice_id: int | None, user_id: str) -> Seen | None:
    """Return the practice with its useful count and whether `user_id` may see and change it; None if gone."""
    if practice_id is None:
        return None
    with deps.sessions() as session:
        practice = store.get_practice(session=session, practice_id=practice_id)
        if practice is None:
            return None
        useful = store.useful_count(session=session, practice_id=practice_id)
        marked = store.marked_by(session=session, practice_id=practice_id, slack_id=user_id)
    return Seen(practice, useful, can_see(deps, practice, user_id), can_change(deps, practice, user_id), marked)
