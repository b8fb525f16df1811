"""Reading the meetings: the upcoming and past ones, one in full, and a person's registrations."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.deps import Deps
from bot.language.repeats import Repeat
from bot.services.meetings._rules import rules_of
from store import meetings as store
from store.db import reading
from store.meetings import Counts
from store.models import Attendance, Meeting


@dataclass(frozen=True)
class Listing:
    """Meetings with their counts, the reader's answers, and whether more were left out."""

    meetings: list[Meeting]
    counts: dict[int, Counts] = field(default_factory=dict)
    answers: dict[int, Attendance] = field(default_factory=dict)
    more: bool = False
    rules: dict[int, Repeat] = field(default_factory=dict)  # the rule of each meeting that is one of a series

    def rule_of(self, meeting: Meeting) -> Repeat | None:
        """The rule of the meeting's series, for a meeting listed that is one of a series."""
        return self.rules.get(meeting.id or 0)

    def counts_of(self, meeting: Meeting) -> Counts:
        """How many answered what, for one of the meetings listed."""
        return self.counts.get(meeting.id or 0, Counts())


@dataclass(frozen=True)
class Details:
    """One meeting, its counts and the reader's own answer."""

    meeting: Meeting
    counts: Counts
    answer: Attendance | None
    rule: Repeat | None = None  # its series' rule


@dataclass(frozen=True)
class Home:
    """What the App Home shows of meetings: the upcoming ones and the reader's registrations."""

    upcoming: Listing
    mine: list[tuple[Meeting, Attendance]]


def find_meeting(deps: Deps, *, meeting_id: int) -> Meeting | None:
    """Return the meeting with this number, if there is one."""
    with deps.sessions() as session:
        return store.get_meeting(session=session, meeting_id=meeting_id)


def next_meeting(deps: Deps) -> Meeting | None:
    """Return the next meeting not yet over, or None."""
    with deps.sessions() as session:
        return store.next_meeting(session=session, now=deps.clock())


def upcoming(deps: Deps, *, slack_id: str, limit: int) -> Listing:
    """The first `limit` upcoming meetings, with counts and this person's answers."""
    with deps.sessions() as opened:
        session = reading(opened)
        found = deps.meeting_list.meetings(session=session, now=deps.clock(), limit=limit + 1)
        shown = found[:limit]
        ids = [m.id for m in shown if m.id is not None]
        counts, answers = store.counts_and_answers(session=session, slack_id=slack_id, meeting_ids=ids)
        rules = rules_of(session, shown)
    return Listing(meetings=shown, counts=counts, answers=answers, more=len(found) > limit, rules=rules)


def past(deps: Deps, *, limit: int) -> Listing:
    """The meetings that have taken place, most recent first, with their counts."""
    with deps.sessions() as session:
        meetings = store.past_meetings(session=session, now=deps.clock(), limit=limit)
        counts = store.counts_for(session=session, meeting_ids=[m.id for m in meetings if m.id is not None])
    return Listing(meetings=meetings, counts=counts)


def details(deps: Deps, *, meeting: Meeting, slack_id: str) -> Details:
    """One meeting with its counts and this person's answer."""
    with deps.sessions() as session:
        counts, answers = store.counts_and_answers(session=session, slack_id=slack_id, meeting_ids=[meeting.id or 0])
        rule = rules_of(session, [meeting]).get(meeting.id or 0)
    return Details(meeting=meeting, counts=counts[meeting.id or 0], answer=answers.get(meeting.id or 0), rule=rule)


def home(deps: Deps, *, slack_id: str, limit: int) -> Home:
    """The upcoming meetings and this person's registrations, as App Home shows them."""
    now = deps.clock()
    with deps.sessions() as session:
        found = deps.meeting_list.meetings(session=session, now=now, limit=limit + 1)
        meetings, more = found[:limit], len(found) > limit
        ids = [m.id for m in meetings if m.id is not None]
        counts, answers = store.counts_and_answers(session=session, slack_id=slack_id, meeting_ids=ids)
        mine = store.registrations_of(session=session, slack_id=slack_id, now=now)
        rules = rules_of(session, meetings)
    listing = Listing(meetings=meetings, counts=counts, answers=answers, more=more, rules=rules)
    return Home(upcoming=listing, mine=mine)
