"""Feedback on meetings: asked of each person registered a while after the meeting, once; rated and commented once.

The meeting's feedback row (planned with its reminders, due `FEEDBACK_AFTER` after its end) plans one
request per person registered to come, keyed by the person, and has done its work; each request is sent
exactly once by the sender. A rating is taken only from someone the bot asked, once; a comment once too.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.deps import Deps
from bot.posts import Delivery, RenderContext, Skip
from bot.services import outbox, planning
from bot.views import feedback as views
from store import feedback as store
from store import meetings as meetings_store
from store import schedule
from store.feedback import Results
from store.models import Meeting, PostKind, ScheduledPost


class Outcome(StrEnum):
    """What a rating or a comment came to."""

    STORED = "stored"
    ALREADY = "already"  # given before: it stands
    NOT_ASKED = "not asked"  # the bot never asked this person about this meeting
    GONE = "gone"  # no such meeting


@dataclass(frozen=True)
class Answered:
    """A rating or comment, what it came to, and the meeting and feedback as they stand."""

    outcome: Outcome
    meeting: Meeting | None = None
    rating: int = 0
    commented: bool = False


def rate(deps: Deps, *, meeting_id: int, slack_id: str, rating: int) -> Answered:
    """Take someone's rating of a meeting they were asked about, once; raise ValueError outside 1 to 5."""
    if rating not in store.RATINGS:
        raise ValueError(f"a rating is 1 to 5, not {rating}")
    with deps.sessions() as session:
        meeting = meetings_store.get_meeting(session=session, meeting_id=meeting_id)
        if meeting is None:
            return Answered(Outcome.GONE)
        if not store.was_asked(session=session, meeting_id=meeting_id, slack_id=slack_id):
            return Answered(Outcome.NOT_ASKED, meeting)
        rated = store.rate(session=session, meeting_id=meeting_id, slack_id=slack_id, rating=rating, now=deps.clock())
    outcome = Outcome.STORED if rated.new else Outcome.ALREADY
    return Answered(outcome, meeting, rated.feedback.rating, bool(rated.feedback.comment))


def comment(deps: Deps, *, meeting_id: int, slack_id: str, text: str) -> Answered:
    """Keep someone's comment beside their rating, once."""
    with deps.sessions() as session:
        meeting = meetings_store.get_meeting(session=session, meeting_id=meeting_id)
        if meeting is None:
            return Answered(Outcome.GONE)
        given = store.feedback_of(session=session, meeting_id=meeting_id, slack_id=slack_id)
        if given is None:
            return Answered(Outcome.NOT_ASKED, meeting)
        stored = store.add_comment(
            session=session, meeting_id=meeting_id, slack_id=slack_id, comment=text, now=deps.clock()
        )
    return Answered(Outcome.STORED if stored else Outcome.ALREADY, meeting, given.rating, True)


def rated_meeting(deps: Deps, *, meeting_id: int, slack_id: str) -> Meeting | None:
    """The meeting, when this person rated it (a comment goes beside a rating)."""
    with deps.sessions() as session:
        if store.feedback_of(session=session, meeting_id=meeting_id, slack_id=slack_id) is None:
            return None
        return meetings_store.get_meeting(session=session, meeting_id=meeting_id)


def results(deps: Deps, *, meeting_id: int) -> Results:
    """A meeting's feedback, without who gave it."""
    with deps.sessions() as session:
        return store.results(session=session, meeting_id=meeting_id)


def register_renderers(deps: Deps) -> None:
    """Let the sender ask for feedback: the meeting's row plans the requests, each request asks one person."""

    def ended(row: ScheduledPost, context: RenderContext) -> Meeting | Skip:
        wanted = outbox.payload_of(row).get("meeting")
        meeting = context.meeting(row.meeting_id or (wanted if isinstance(wanted, int) else None))
        if meeting is None or meeting.is_cancelled:
            return Skip("the meeting was cancelled", expected=True)
        return meeting

    def ask_everyone(row: ScheduledPost, context: RenderContext) -> Delivery:
        meeting = ended(row, context)
        if isinstance(meeting, Skip):
            return meeting
        with deps.sessions() as session:
            people = store.who_took_part(session=session, meeting_id=meeting.id or 0)
            requests = planning.feedback_requests(row.key, meeting.id or 0, row.due_at, people)
            schedule.plan(session=session, posts=requests, now=context.now)
        context.look_again()  # send the requests in this run
        return Skip(f"asked {len(people)} people for their feedback by direct message", expected=True)

    def ask_one(row: ScheduledPost, context: RenderContext) -> Delivery:
        meeting = ended(row, context)
        if isinstance(meeting, Skip):
            return meeting
        with deps.sessions() as session:
            still = row.channel in store.who_took_part(session=session, meeting_id=meeting.id or 0)
            given = store.feedback_of(session=session, meeting_id=meeting.id or 0, slack_id=row.channel)
        if not still or given is not None:
            return Skip("no longer registered, or gave feedback already", expected=True)
        return views.request(meeting)

    deps.renderers.add(PostKind.FEEDBACK, ask_everyone, timely=False)
    deps.renderers.add(PostKind.FEEDBACK_DM, ask_one, timely=False)
